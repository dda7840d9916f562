//! Typed ids: a value, a block and an instruction are different kinds of number, so one can
//! never be passed for another (as cranelift's `ir/entities.rs`).
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// An id that indexes an [`Arena`].
pub trait EntityRef: Copy + Eq {
    /// The id of index `i`.
    fn new(i: usize) -> Self;
    /// Its index.
    fn index(self) -> usize;
}

macro_rules! entity {
    ($(#[doc = $doc:literal])* $name:ident, $prefix:literal) => {
        $(#[doc = $doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl EntityRef for $name {
            fn new(i: usize) -> Self {
                $name(u32::try_from(i).expect("fewer than 2^32 entities"))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl $name {
            /// The id of index `i` (tests and dumps name blocks by number).
            pub fn from_index(i: usize) -> Self {
                <Self as EntityRef>::new(i)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

entity!(
    /// An SSA value: an instruction's result or a block parameter, defined exactly once.
    Value,
    "v"
);
entity!(
    /// A basic block.
    Block,
    "b"
);
entity!(
    /// An instruction.
    Inst,
    "i"
);
entity!(
    /// A variable of the SSA builder (a bytecode stack slot, a local, a temporary): assigned
    /// any number of times, read as the value that reaches the reading point.
    Variable,
    "var"
);

/// A vector indexed by one kind of id.
#[derive(Clone, Debug, PartialEq)]
pub struct Arena<K, V> {
    items: Vec<V>,
    _k: PhantomData<K>,
}

impl<K: EntityRef, V> Default for Arena<K, V> {
    fn default() -> Self {
        Arena { items: Vec::new(), _k: PhantomData }
    }
}

impl<K: EntityRef, V> Arena<K, V> {
    /// Append `v`, returning its id.
    pub fn push(&mut self, v: V) -> K {
        self.items.push(v);
        K::new(self.items.len() - 1)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every id, in order.
    pub fn keys(&self) -> impl Iterator<Item = K> + use<K, V> {
        (0..self.items.len()).map(K::new)
    }

    /// Every (id, entry).
    pub fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        self.items.iter().enumerate().map(|(i, v)| (K::new(i), v))
    }

    /// Every (id, entry), mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (K, &mut V)> {
        self.items.iter_mut().enumerate().map(|(i, v)| (K::new(i), v))
    }

    /// The entry of `k`, if `k` is in range.
    pub fn get(&self, k: K) -> Option<&V> {
        self.items.get(k.index())
    }
}

impl<K: EntityRef, V> Index<K> for Arena<K, V> {
    type Output = V;
    fn index(&self, k: K) -> &V {
        &self.items[k.index()]
    }
}

impl<K: EntityRef, V> IndexMut<K> for Arena<K, V> {
    fn index_mut(&mut self, k: K) -> &mut V {
        &mut self.items[k.index()]
    }
}
