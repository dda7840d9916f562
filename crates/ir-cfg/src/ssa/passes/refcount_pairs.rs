//! Redundant reference-count pairs: `incref v` followed, in the same block, by `decref v` with
//! nothing in between that could look at or change a reference count (no refcount operation,
//! no arbitrary code, nothing that can raise or deoptimise: the table's effects) is a net zero;
//! both go.
use super::Pass;
use crate::ssa::function::Function;
use crate::ssa::ops::{Effects, Opcode};

/// See the module documentation.
pub struct RefcountPairs;

impl Pass for RefcountPairs {
    fn name(&self) -> &'static str {
        "refcount_pairs"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut removed = 0;
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let insts = f.blocks[b].insts.clone();
            let mut keep = vec![true; insts.len()];
            for (i, &inc) in insts.iter().enumerate() {
                if f.insts[inc].op != Opcode::Incref || !keep[i] {
                    continue;
                }
                let v = f.insts[inc].args[0];
                for (j, &next) in insts.iter().enumerate().skip(i + 1) {
                    let d = &f.insts[next];
                    if d.op == Opcode::Decref && d.args[0] == v && keep[j] {
                        keep[i] = false;
                        keep[j] = false;
                        removed += 2;
                        break;
                    }
                    let e = d.effects();
                    // A guard's exit hands the references it holds to the frame: it sees counts.
                    if e.contains(Effects::REFCOUNT)
                        || e.contains(Effects::ARBITRARY)
                        || e.contains(Effects::RAISES)
                        || e.contains(Effects::DEOPTS)
                    {
                        break;
                    }
                }
            }
            let mut k = 0;
            f.blocks[b].insts.retain(|_| {
                k += 1;
                keep[k - 1]
            });
        }
        removed
    }
}
