//! Dead code: instructions with no effects (the table's [`Effects::is_pure`]) whose results
//! nobody uses are removed, until none is left.
//!
//! [`Effects::is_pure`]: crate::ssa::ops::Effects::is_pure
use super::{Pass, placed, remove_insts, use_counts};
use crate::ssa::function::Function;

/// See the module documentation.
pub struct DeadCode;

impl Pass for DeadCode {
    fn name(&self) -> &'static str {
        "dce"
    }

    fn run(&self, f: &mut Function) -> usize {
        let mut total = 0;
        loop {
            let uses = use_counts(f);
            let dead: std::collections::HashSet<_> = placed(f)
                .into_iter()
                .filter(|i| {
                    let d = &f.insts[*i];
                    d.effects().is_pure() && d.results.iter().all(|r| uses[r.index()] == 0)
                })
                .collect();
            let n = remove_insts(f, |i| dead.contains(&i));
            if n == 0 {
                return total;
            }
            total += n;
        }
    }
}

use crate::ssa::entities::EntityRef;
