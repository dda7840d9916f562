//! # runtime-abi
//!
//! The facts that coir's Rust side and its C runtime (`cpython-patch/csrc/runtime.c`) must agree
//! on, written once, here:
//!
//! - [`helpers`]: every runtime helper native code calls (C symbol, parameter and result types,
//!   error convention);
//! - [`abi`]: the records that cross the boundary (`CoirAbi` with the layout facts, the helper
//!   table, `CoirCodeState`, `CoirCounters`) and the enumerations and counts both sides use;
//! - [`api`]: the functions and globals each side implements for the other;
//! - [`caches`]: where the fields of CPython's inline caches that lowering reads as feedback sit.
//!
//! The C side is not written by hand: [`header::c_header`] turns these tables into a C header
//! (one prototype per helper, the name→address table, each record as a C struct, the
//! constants, the code that fills the layout facts, and `_Static_assert`s on every record
//! offset and inline-cache field), which `cpython-patch`'s build script writes to `$OUT_DIR`
//! and `runtime.c` includes. A helper whose C definition has another signature is a
//! conflicting-types error, a helper with no C definition an "aliased to undefined symbol"
//! error, a record field added on one side only or a cache field that moved a failed static
//! assertion: each fails the build.
//!
//! This crate has no dependencies, so the build script can use it as it is.
#![deny(missing_docs)]

pub mod abi;
pub mod api;
pub mod c;
pub mod caches;
pub mod header;
pub mod helpers;

pub use helpers::{ErrConv, Helper, Ty};
