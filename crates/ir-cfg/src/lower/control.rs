//! Jumps, branches, iteration and return.
use bytecode_cfg::{EdgeKind, Instr, Opcode};

use super::{Lowerer, Result, OWNED};
use crate::helpers::{Helper, Ty};
use crate::ir::{Inst, Operand, Singleton, Term};
use crate::ssa::{GuardKind, Imm, Opcode as SsaOp};

impl Lowerer<'_> {
    pub(super) fn lower_control(&mut self, ins: &Instr) -> Result<()> {
        let b = self.cur_block;
        let succ = |l: &Self, k: EdgeKind| l.cfg.successor(b, k).expect("the CFG has this edge");
        match ins.opcode {
            Opcode::JumpForward | Opcode::JumpBackwardNoInterrupt => {
                let t = self.edge_to(succ(self, EdgeKind::Jump))?;
                self.fb.terminate(Term::Jump(t));
                Ok(())
            }
            Opcode::JumpBackward => {
                // Backward jumps check the eval breaker, so Ctrl-C reaches hot native loops.
                self.check_periodic()?;
                let t = self.edge_to(succ(self, EdgeKind::Jump))?;
                self.fb.terminate(Term::Jump(t));
                Ok(())
            }
            Opcode::PopJumpIfFalse | Opcode::PopJumpIfTrue | Opcode::PopJumpIfNone | Opcode::PopJumpIfNotNone => {
                // Compare first, release on each edge (as the interpreter's _IS_NONE does): a
                // value released before the comparison would be a dangling pointer.
                let (v, kind) = self.pop_keep();
                let (cmp, jump_if_eq) = match ins.opcode {
                    Opcode::PopJumpIfFalse => (Singleton::False, true),
                    Opcode::PopJumpIfTrue => (Singleton::True, true),
                    Opcode::PopJumpIfNone => (Singleton::None, true),
                    _ => (Singleton::None, false),
                };
                let jump = self.edge_to(succ(self, EdgeKind::Jump))?;
                let fall = self.edge_to(succ(self, EdgeKind::Fallthrough))?;
                let (jump, fall) = (self.release_then(v, kind, jump), self.release_then(v, kind, fall));
                let (then, otherwise) = if jump_if_eq { (jump, fall) } else { (fall, jump) };
                self.fb.terminate(Term::BranchEq { a: Operand::Var(v), b: Operand::Singleton(cmp), then, otherwise });
                Ok(())
            }
            Opcode::GetIter => self.call_push(Helper::GetIter, vec![Operand::Var(self.peek(0))], 1),
            Opcode::ForIter if ins.stored == Opcode::ForIterRange && self.frame_state().is_some() => {
                // FOR_ITER_RANGE: the iterator's type guarded, advanced inline.
                let fs = self.frame_state().expect("checked");
                let it = self.peek(0);
                self.check_objects(self.depth() - 1, 1)?;
                self.guard(GuardKind::RangeIter, it, &fs);
                let has = self.fb.new_var(Ty::Int);
                let value = self.fb.new_var(Ty::I64);
                self.fb.push(Inst::Op { op: SsaOp::RangeNext, imm: Imm::None, args: vec![it], dsts: vec![has, value], err: None });
                let body = self.fb.new_block(format!("for_body_{}", self.offset()));
                let done = self.fb.new_block(format!("for_done_{}", self.offset()));
                self.fb.terminate(Term::Branch { cond: Operand::Var(has), then: body, otherwise: done });
                // Exhausted: the iterator stays for POP_ITER.
                self.fb.switch_to(done);
                let t = self.edge_to(succ(self, EdgeKind::Jump))?;
                self.fb.terminate(Term::Jump(t));
                self.fb.switch_to(body);
                let next = self.new_obj();
                self.call(Helper::BoxInt, vec![Operand::Var(value)], Some(next))?;
                let dst = self.push(OWNED);
                self.fb.push(Inst::Move { dst, src: Operand::Var(next) });
                let t = self.edge_to(succ(self, EdgeKind::Fallthrough))?;
                self.fb.terminate(Term::Jump(t));
                Ok(())
            }
            Opcode::ForIter => {
                let it = self.peek(0);
                let next = self.new_obj();
                let r = self.fb.new_var(Ty::Int);
                self.call(Helper::ForIter, vec![Operand::Var(it), Operand::Addr(next)], Some(r))?;
                let body = self.fb.new_block(format!("for_body_{}", self.offset()));
                let done = self.fb.new_block(format!("for_done_{}", self.offset()));
                self.fb.terminate(Term::Branch { cond: Operand::Var(r), then: body, otherwise: done });
                // Exhausted: the iterator stays for POP_ITER; `next` is NULL.
                self.fb.switch_to(done);
                self.fb.push(Inst::XDecref(next));
                let t = self.edge_to(succ(self, EdgeKind::Jump))?;
                self.fb.terminate(Term::Jump(t));
                self.fb.switch_to(body);
                let dst = self.push(OWNED);
                self.fb.push(Inst::Move { dst, src: Operand::Var(next) });
                let t = self.edge_to(succ(self, EdgeKind::Fallthrough))?;
                self.fb.terminate(Term::Jump(t));
                Ok(())
            }
            Opcode::ReturnValue => {
                let top = self.depth() - 1;
                self.check_objects(top, 1)?;
                self.make_owned(top);
                let (v, _) = self.pop_keep();
                let rest = self.depth();
                self.pop_release_n(rest);
                self.fb.terminate(Term::Return(v));
                Ok(())
            }
            _ => Err(self.unsupported()),
        }
    }

    /// A block releasing `v` (holding `kind`) and going to `target`; `target` itself when there
    /// is nothing to release.
    fn release_then(&mut self, v: crate::ir::Var, kind: super::Kind, target: crate::ir::BlockId) -> crate::ir::BlockId {
        if !matches!(kind, super::Kind::Owned { .. }) {
            return target;
        }
        let b = self.fb.new_block(format!("pop_{}", self.offset()));
        let saved = self.fb.is_open().then(|| self.fb.current());
        self.fb.switch_to(b);
        self.release(v, kind);
        self.fb.terminate(Term::Jump(target));
        if let Some(c) = saved {
            self.fb.switch_to(c);
        }
        b
    }
}
