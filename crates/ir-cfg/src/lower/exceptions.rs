//! try/except/finally/with: handled-exception state, matching, raising and re-raising.
use bytecode_cfg::{Instr, Opcode};

use super::{Lowerer, Result, OWNED};
use crate::helpers::{Helper, Ty};
use crate::ir::{Inst, Operand, Term};

impl Lowerer<'_> {
    pub(super) fn lower_exceptions(&mut self, ins: &Instr) -> Result<()> {
        let arg = ins.oparg;
        let v = |l: &Self, n: usize| Operand::Var(l.peek(n));
        match ins.opcode {
            Opcode::PushExcInfo => {
                let prev = self.new_obj();
                self.call(Helper::PushExcInfo, vec![Operand::TState, v(self, 0)], Some(prev))?;
                let (exc, kind) = self.pop_keep();
                let aside = self.new_obj();
                self.fb.push(Inst::Move { dst: aside, src: Operand::Var(exc) });
                let dst = self.push(OWNED);
                self.fb.push(Inst::Move { dst, src: Operand::Var(prev) });
                let dst = self.push(kind);
                self.fb.push(Inst::Move { dst, src: Operand::Var(aside) });
                Ok(())
            }
            Opcode::PopExcept => {
                self.call(Helper::PopExcept, vec![Operand::TState, v(self, 0)], None)?;
                self.pop_release();
                Ok(())
            }
            Opcode::CheckExcMatch => self.call_push(Helper::CheckExcMatch, vec![Operand::TState, v(self, 1), v(self, 0)], 1),
            Opcode::Reraise => {
                if arg as usize >= self.depth() {
                    return Err(self.bad_oparg());
                }
                if arg != 0 {
                    // RESTORE_LASTI untags the slot: it must hold the handler's lasti.
                    let d = self.depth() - 1 - arg as usize;
                    if self.stack[d] != super::Kind::TagInt {
                        return Err(self.bad_oparg());
                    }
                    let lasti = Operand::Var(self.lasti_var(d));
                    self.call(Helper::RestoreLasti, vec![Operand::Frame, lasti], None)?;
                }
                self.call(Helper::Reraise, vec![Operand::TState, v(self, 0)], None)?;
                // A re-raise adds no traceback entry (bytecodes.c: goto exception_unwind).
                let e = self.error_block(false)?;
                self.fb.terminate(Term::Jump(e));
                Ok(())
            }
            Opcode::RaiseVarargs => {
                let (exc, cause) = match arg {
                    0 => (Operand::Null, Operand::Null),
                    1 => (v(self, 0), Operand::Null),
                    2 => (v(self, 1), v(self, 0)),
                    _ => return Err(self.bad_oparg()),
                };
                let r = self.fb.new_var(Ty::Int);
                self.call(Helper::RaiseVarargs, vec![Operand::TState, exc, cause], Some(r))?;
                let bare = self.error_block(false)?;
                let new = self.error_block(true)?;
                self.fb.terminate(Term::Branch { cond: Operand::Var(r), then: bare, otherwise: new });
                Ok(())
            }
            Opcode::CheckEgMatch => {
                // (exc_value, match_type -- rest, match)
                let rest = self.fb.new_var(Ty::Obj);
                let matched = self.fb.new_var(Ty::Obj);
                debug_assert_eq!(matched.0, rest.0 + 1);
                let r = self.fb.new_var(Ty::Int);
                let args = vec![Operand::TState, Operand::Frame, v(self, 1), v(self, 0), Operand::OutArray(rest, 2)];
                self.call(Helper::CheckEgMatch, args, Some(r))?;
                self.pop_release_n(2);
                for src in [rest, matched] {
                    let dst = self.push(OWNED);
                    self.fb.push(Inst::Move { dst, src: Operand::Var(src) });
                }
                Ok(())
            }
            Opcode::WithExceptStart => {
                if self.depth() < 5 {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::WithExceptStart, vec![v(self, 4), v(self, 3), v(self, 0)], 0)
            }
            _ => Err(self.unsupported()),
        }
    }
}
