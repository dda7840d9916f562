//! Local simplifications from what the table knows of values: reference counting on immortal
//! objects and on NULL does nothing; the NULL test of `xincref`/`xdecref` is dropped for values
//! that are never NULL; an identity test whose answer is known becomes a jump, and so does a
//! compactness test of a value known to be a compact int.
use super::guards::proven;
use super::{Pass, fact, placed, remove_insts};
use crate::ssa::function::{Function, Terminator, ValueDef};
use crate::ssa::ops::{GuardKind, Opcode, ResultFact};

/// See the module documentation.
pub struct Simplify;

impl Pass for Simplify {
    fn name(&self) -> &'static str {
        "simplify"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut changes = 0;
        // Reference counting.
        let insts = placed(f);
        let mut dead = std::collections::HashSet::new();
        for i in insts {
            let d = &f.insts[i];
            let rc = matches!(d.op, Opcode::Incref | Opcode::XIncref | Opcode::Decref | Opcode::XDecref);
            if !rc {
                continue;
            }
            match fact(f, d.args[0]) {
                ResultFact::Immortal | ResultFact::Null => {
                    dead.insert(i);
                }
                ResultFact::NonNull if d.op == Opcode::XIncref => {
                    f.insts[i].op = Opcode::Incref;
                    changes += 1;
                }
                ResultFact::NonNull if d.op == Opcode::XDecref => {
                    f.insts[i].op = Opcode::Decref;
                    changes += 1;
                }
                ResultFact::NonNull | ResultFact::Any => {}
            }
        }
        changes += remove_insts(f, |i| dead.contains(&i));
        // Identity tests with a known answer.
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let Terminator::BranchEq { a, b: bb, then, otherwise } = &f.blocks[b].term else { continue };
            let (fa, fb) = (fact(f, *a), fact(f, *bb));
            let known = if a == bb {
                Some(true)
            } else {
                match (fa, fb) {
                    (ResultFact::Null, ResultFact::Null) => Some(true),
                    (ResultFact::Null, ResultFact::NonNull | ResultFact::Immortal)
                    | (ResultFact::NonNull | ResultFact::Immortal, ResultFact::Null) => Some(false),
                    _ => None,
                }
            };
            if let Some(eq) = known {
                let target = if eq { then.clone() } else { otherwise.clone() };
                f.blocks[b].term = Terminator::Jump(target);
                changes += 1;
            }
        }
        // Compactness tests (and two-digit ones) of values known to be compact ints (small
        // ints, constants).
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let Terminator::Branch { cond, then, .. } = &f.blocks[b].term else { continue };
            let ValueDef::Result(i, 0) = f.values[*cond].def else { continue };
            if matches!(f.insts[i].op, Opcode::IsCompactInt | Opcode::IsMediumInt)
                && proven(f, f.insts[i].args[0]) == Some(GuardKind::CompactInt)
            {
                f.blocks[b].term = Terminator::Jump(then.clone());
                changes += 1;
            }
        }
        changes
    }
}
