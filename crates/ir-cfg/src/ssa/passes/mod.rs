//! The pass pipeline: each pass rewrites a [`Function`] in place and says how many changes it
//! made; the pipeline times it, verifies the function after it (so a broken pass is caught at
//! the pass, not at run time), and can keep the text after each pass (`coir.dump(f,
//! "passes")`), as cinderx's `runPass` and cranelift's `verify_if` do.
use std::time::Instant;

use super::function::{Function, ValueDef};
use super::ops::{Opcode, ResultFact};
use super::verify::{VerifyError, verify};
use super::{Inst, Value};

mod arith;
mod dce;
mod guards;
mod instr_ptr;
mod local_loads;
mod quiet;
mod refcount_pairs;
mod reuse_float_locals;
mod simplify;
mod unbox;

pub use arith::Arith;
pub use dce::DeadCode;
pub use guards::GuardRemoval;
pub use instr_ptr::InstrPtr;
pub use local_loads::LocalLoads;
pub use unbox::Unbox;
pub use refcount_pairs::RefcountPairs;
pub use reuse_float_locals::ReuseFloatLocals;
pub use simplify::Simplify;

/// A transformation of a function.
pub trait Pass {
    /// Its name in dumps and errors.
    fn name(&self) -> &'static str;
    /// Rewrite `f`; the number of changes made (0: nothing to do).
    fn run(&self, f: &mut Function) -> usize;
}

/// The passes in order.
pub fn default_pipeline() -> Vec<Box<dyn Pass>> {
    vec![Box::new(Simplify), Box::new(LocalLoads), Box::new(GuardRemoval), Box::new(Arith), Box::new(Unbox), Box::new(RefcountPairs), Box::new(DeadCode), Box::new(ReuseFloatLocals), Box::new(InstrPtr)]
}

/// What one pass did.
#[derive(Clone, Debug)]
pub struct PassRecord {
    /// The pass.
    pub name: &'static str,
    /// Changes it made.
    pub changes: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The function's text after it, if asked for.
    pub text: Option<String>,
}

/// A pass left a function the verifier refuses.
#[derive(Clone, Debug, thiserror::Error)]
#[error("after pass {pass}: {}", .errors.iter().take(5).map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
pub struct PassError {
    /// The pass.
    pub pass: &'static str,
    /// What the verifier found.
    pub errors: Vec<VerifyError>,
}

/// Run `passes` over `f`, verifying after each; keep each pass's text if `keep_text`.
pub fn run(f: &mut Function, passes: &[Box<dyn Pass>], keep_text: bool) -> Result<Vec<PassRecord>, PassError> {
    run_with(f, passes, keep_text, true)
}

/// [`run`], verifying after every pass (`each`) or once after the last: the verifier (the
/// ownership check above all) costs more than the passes themselves, and a compile verified
/// at the end still never hands broken IR to the backend; only the pass to blame is unknown.
/// Tests (`COIR_STRICT=1`, the crates' own) verify after each.
pub fn run_with(f: &mut Function, passes: &[Box<dyn Pass>], keep_text: bool, each: bool) -> Result<Vec<PassRecord>, PassError> {
    let mut records = Vec::new();
    for p in passes {
        let start = Instant::now();
        let changes = p.run(f);
        let seconds = start.elapsed().as_secs_f64();
        if each {
            verify(f).map_err(|errors| PassError { pass: p.name(), errors })?;
        }
        records.push(PassRecord { name: p.name(), changes, seconds, text: keep_text.then(|| f.to_text()) });
    }
    if !each {
        verify(f).map_err(|errors| PassError { pass: "(the pipeline)", errors })?;
    }
    Ok(records)
}

/// What is known of an object value, from the operation table (and the helper table for calls).
pub fn fact(f: &Function, v: Value) -> ResultFact {
    match f.values[v].def {
        ValueDef::Param(..) => ResultFact::Any,
        ValueDef::Result(i, k) => {
            let d = &f.insts[i];
            match (d.op, &d.imm) {
                // A helper that reports errors with NULL returns non-NULL on the path its
                // result is used on (uses are dominated by the success edge).
                (Opcode::Call, super::Imm::Call(c)) if k == 0 && c.helper.err() == crate::helpers::ErrConv::Null => {
                    ResultFact::NonNull
                }
                _ => d.op.info().result,
            }
        }
    }
}

/// The number of uses of every value (instruction operands, terminator operands and block
/// arguments).
pub fn use_counts(f: &Function) -> Vec<u32> {
    let mut n = vec![0u32; f.values.len()];
    for (_, b) in f.blocks.iter() {
        for i in &b.insts {
            for a in &f.insts[*i].args {
                n[a.index()] += 1;
            }
        }
        for v in b.term.operands() {
            n[v.index()] += 1;
        }
        for c in b.term.calls() {
            for a in &c.args {
                n[a.index()] += 1;
            }
        }
    }
    n
}

/// Every instruction placed in a block, in block order (removed instructions stay in the
/// arena, unplaced).
pub fn placed(f: &Function) -> Vec<Inst> {
    f.blocks.iter().flat_map(|(_, b)| b.insts.iter().copied()).collect()
}

/// Remove the instructions for which `drop` says so from every block.
pub fn remove_insts(f: &mut Function, mut drop: impl FnMut(Inst) -> bool) -> usize {
    let mut n = 0;
    let blocks: Vec<_> = f.blocks.keys().collect();
    for b in blocks {
        let before = f.blocks[b].insts.len();
        f.blocks[b].insts.retain(|i| !drop(*i));
        n += before - f.blocks[b].insts.len();
    }
    n
}

use super::entities::EntityRef;
