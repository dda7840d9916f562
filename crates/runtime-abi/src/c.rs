//! Rust types with their C spelling, so that a record or an enumeration declared once in Rust
//! can be written out as C ([`crate::header`]).
//!
//! - [`CType`] spells a Rust type as a C declarator (`u64` → `uint64_t x`, `[*mut c_void; 3]`
//!   → `void *x[3]`, an `Option<extern "C" fn>` → a function pointer);
//! - [`c_record!`](crate::c_record) declares a `#[repr(C)]` struct and its C definition; the
//!   header also asserts each field's offset and the size as Rust laid them out, so even a
//!   wrong spelling here fails the C build instead of shifting a field;
//! - [`c_enum!`](crate::c_enum) declares a Rust enumeration and the C constants of its values.
//!
//! Offsets are those of the machine running the build script, which is the target here (coir
//! supports x86-64 Linux only); a cross build would fail the static assertions, not run wrong.
use std::ffi::{c_char, c_void};

/// A Rust type that has a C spelling with the same layout.
pub trait CType {
    /// A C declaration of `name` with this type; an empty `name` gives an abstract declarator
    /// (a parameter type in a prototype).
    fn c_decl(name: &str) -> String;
}

fn join(ty: &str, name: &str) -> String {
    if name.is_empty() { ty.to_string() } else { format!("{ty} {name}") }
}

macro_rules! scalars {
    ($($t:ty => $c:literal),* $(,)?) => {
        $(impl CType for $t {
            fn c_decl(name: &str) -> String {
                join($c, name)
            }
        })*
    };
}

// `i32`/`i64` are `c_int`/`c_long` on x86-64 Linux (LP64).
scalars!(u8 => "uint8_t", u16 => "uint16_t", u32 => "uint32_t", u64 => "uint64_t", usize => "size_t",
         i32 => "int", i64 => "long", c_void => "void", c_char => "char");

impl<T: CType> CType for *mut T {
    fn c_decl(name: &str) -> String {
        T::c_decl(&star(name))
    }
}

impl<T: CType> CType for *const T {
    fn c_decl(name: &str) -> String {
        format!("const {}", T::c_decl(&star(name)))
    }
}

/// The declarator of a pointer to what `name` declares.
fn star(name: &str) -> String {
    format!("*{name}")
}

impl<T: CType, const N: usize> CType for [T; N] {
    fn c_decl(name: &str) -> String {
        // `[]` binds tighter than `*`: a pointer to an array is `(*p)[N]`.
        if name.starts_with('*') { T::c_decl(&format!("({name})[{N}]")) } else { T::c_decl(&format!("{name}[{N}]")) }
    }
}

/// A nullable C function pointer `R (*)(A, B, C)`.
impl<R: CType, A: CType, B: CType, C: CType> CType for Option<unsafe extern "C" fn(A, B, C) -> R> {
    fn c_decl(name: &str) -> String {
        let params = [A::c_decl(""), B::c_decl(""), C::c_decl("")].join(", ");
        R::c_decl(&format!("(*{name})({params})"))
    }
}

/// One field of a [`CRecord`], as the header writes and checks it.
#[derive(Clone, Debug)]
pub struct CField {
    /// The field's name (the same in Rust and C).
    pub name: &'static str,
    /// Its C declaration.
    pub decl: String,
    /// Its offset in the Rust layout.
    pub offset: usize,
    /// Its doc comment.
    pub doc: String,
}

/// A `#[repr(C)]` struct declared with [`c_record!`](crate::c_record).
pub trait CRecord {
    /// The C type name (a typedef of the same name as the Rust struct).
    const NAME: &'static str;
    /// The doc comment.
    const DOC: &'static str;
    /// The fields in order.
    fn fields() -> Vec<CField>;
    /// `size_of` in the Rust layout.
    fn size() -> usize;
}

/// Declares a `#[repr(C)]` struct with [`CType`] fields, its [`CRecord`] description and its
/// [`CType`] spelling (the struct's own name).
#[macro_export]
macro_rules! c_record {
    ($(#[doc = $doc:literal])* $name:ident { $( $(#[doc = $fdoc:literal])* $field:ident : $ty:ty, )* }) => {
        $(#[doc = $doc])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug)]
        pub struct $name {
            $( $(#[doc = $fdoc])* pub $field: $ty, )*
        }

        impl $crate::c::CRecord for $name {
            const NAME: &'static str = stringify!($name);
            const DOC: &'static str = concat!($($doc, "\n",)*);
            fn fields() -> Vec<$crate::c::CField> {
                vec![$($crate::c::CField {
                    name: stringify!($field),
                    decl: <$ty as $crate::c::CType>::c_decl(stringify!($field)),
                    offset: ::std::mem::offset_of!($name, $field),
                    doc: concat!($($fdoc, "\n",)*).to_string(),
                },)*]
            }
            fn size() -> usize {
                ::std::mem::size_of::<$name>()
            }
        }

        impl $crate::c::CType for $name {
            fn c_decl(name: &str) -> String {
                if name.is_empty() { stringify!($name).to_string() } else { format!("{} {}", stringify!($name), name) }
            }
        }
    };
}

/// One value of a [`CEnum`].
#[derive(Clone, Copy, Debug)]
pub struct CEnumValue {
    /// The C constant.
    pub c_name: &'static str,
    /// Its value.
    pub value: i32,
    /// Its doc comment.
    pub doc: &'static str,
}

/// An enumeration declared with [`c_enum!`](crate::c_enum).
pub trait CEnum {
    /// The C constant that counts the values (`<PREFIX>_COUNT`).
    const COUNT_NAME: &'static str;
    /// The values in order (numbered from 0).
    fn values() -> Vec<CEnumValue>;
}

/// Declares a Rust enumeration numbered from 0 and the C constants of its values
/// (`PREFIX_NAME`, plus `PREFIX_COUNT`).
#[macro_export]
macro_rules! c_enum {
    ($(#[doc = $doc:literal])* $name:ident, $count:literal { $( $(#[doc = $vdoc:literal])* $variant:ident = $c:literal, )* }) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(i32)]
        pub enum $name {
            $( $(#[doc = $vdoc])* $variant, )*
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The number of values.
            pub const COUNT: usize = $name::ALL.len();

            /// The value a C `int` holds, if any.
            pub fn from_c(v: i32) -> Option<$name> {
                $name::ALL.get(usize::try_from(v).ok()?).copied()
            }
        }

        impl $crate::c::CEnum for $name {
            const COUNT_NAME: &'static str = $count;
            fn values() -> Vec<$crate::c::CEnumValue> {
                vec![$($crate::c::CEnumValue { c_name: $c, value: $name::$variant as i32, doc: concat!($($vdoc,)*) },)*]
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarators() {
        assert_eq!(<u64>::c_decl("x"), "uint64_t x");
        assert_eq!(<*mut c_void>::c_decl("p"), "void *p");
        assert_eq!(<*mut c_void>::c_decl(""), "void *");
        assert_eq!(<*const c_char>::c_decl("name"), "const char *name");
        assert_eq!(<[*mut c_void; 3]>::c_decl("a"), "void *a[3]");
        assert_eq!(<*mut [u64; 2]>::c_decl("p"), "uint64_t (*p)[2]");
        type F = Option<unsafe extern "C" fn(*mut c_void, *mut c_void, *const c_void) -> *mut c_void>;
        assert_eq!(F::c_decl("entry"), "void *(*entry)(void *, void *, const void *)");
    }

    crate::c_record! {
        /// A test record.
        Rec {
            /// A byte.
            a: u8,
            b: u64,
            c: [u32; 3],
        }
    }

    #[test]
    fn record_description() {
        let f = Rec::fields();
        assert_eq!(Rec::NAME, "Rec");
        assert_eq!(f.iter().map(|f| (f.decl.as_str(), f.offset)).collect::<Vec<_>>(), [("uint8_t a", 0), ("uint64_t b", 8), ("uint32_t c[3]", 16)]);
        assert_eq!(Rec::size(), 32);
        assert_eq!(f[0].doc.trim(), "A byte.");
    }

    crate::c_enum! {
        /// A test enumeration.
        E, "E_COUNT" {
            /// First.
            A = "E_A",
            B = "E_B",
        }
    }

    #[test]
    fn enum_description() {
        let v = E::values();
        assert_eq!((v[1].c_name, v[1].value, E::COUNT), ("E_B", 1, 2));
        assert_eq!(E::from_c(1), Some(E::B));
        assert_eq!(E::from_c(2), None);
        assert_eq!(E::from_c(-1), None);
    }
}
