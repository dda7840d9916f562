//! Repeated local loads: `local[i]` read again in the same block, with nothing in between that
//! could change the slot (a store or take of that slot, or anything that may run Python code,
//! which can write a frame's locals through `f_locals`; releasing a float or an int runs none,
//! see [`super::quiet`]), is the value read the first time. The
//! second value borrows from the same slot contents, so ownership is unchanged; what it buys
//! is that guards on the two become one (`guard_removal`).
use std::collections::HashMap;

use super::quiet::Quiet;
use super::{Pass, remove_insts};
use crate::ssa::entities::Value;
use crate::ssa::function::Function;
use crate::ssa::ops::{Imm, Opcode};

/// See the module documentation.
pub struct LocalLoads;

impl Pass for LocalLoads {
    fn name(&self) -> &'static str {
        "local_loads"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut alias: HashMap<Value, Value> = HashMap::new();
        let mut dead = std::collections::HashSet::new();
        let blocks: Vec<_> = f.blocks.keys().collect();
        for b in blocks {
            let mut known: HashMap<u32, Value> = HashMap::new();
            let mut quiet = Quiet::default();
            for &i in &f.blocks[b].insts {
                let d = &f.insts[i];
                match (d.op, &d.imm) {
                    (Opcode::LoadLocal, Imm::Slot(s)) => match known.get(s) {
                        Some(&v) => {
                            alias.insert(d.results[0], v);
                            dead.insert(i);
                        }
                        None => {
                            known.insert(*s, d.results[0]);
                        }
                    },
                    (Opcode::StoreLocal | Opcode::TakeLocal, Imm::Slot(s)) => {
                        known.remove(s);
                    }
                    _ => {}
                }
                if quiet.runs_code(f, i) {
                    known.clear();
                }
                quiet.observe(f, i);
            }
        }
        if alias.is_empty() {
            return 0;
        }
        f.replace_uses(|v| alias.get(&v).copied().unwrap_or(v));
        remove_insts(f, |i| dead.contains(&i))
    }
}
