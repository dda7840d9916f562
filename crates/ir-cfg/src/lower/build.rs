//! Building containers, comprehension appends, unpacking.
use bytecode_cfg::{Instr, Opcode};

use super::{Lowerer, Result, OWNED};
use crate::helpers::{Helper, Ty};
use crate::ir::{Inst, Operand, Var};
use crate::ssa::{GuardKind, Imm, Opcode as SsaOp};

impl<'a> Lowerer<'a> {
    pub(super) fn lower_build(&mut self, ins: &Instr) -> Result<()> {
        let arg = ins.oparg;
        let v = |l: &Self, n: usize| Operand::Var(l.peek(n));
        match ins.opcode {
            Opcode::BuildList | Opcode::BuildTuple | Opcode::BuildSet | Opcode::BuildString => {
                let h = match ins.opcode {
                    Opcode::BuildList => Helper::BuildList,
                    Opcode::BuildTuple => Helper::BuildTuple,
                    Opcode::BuildSet => Helper::BuildSet,
                    _ => Helper::BuildString,
                };
                let arr = self.array(arg as usize);
                self.call_push(h, vec![arr, Operand::Imm(arg as i64)], arg as usize)
            }
            Opcode::BuildMap => {
                let n = arg as usize * 2;
                if n > self.depth() {
                    return Err(self.bad_oparg());
                }
                let arr = self.array(n);
                self.call_push(Helper::BuildMap, vec![arr, Operand::Imm(arg as i64)], n)
            }
            Opcode::BuildSlice => match arg {
                2 => self.call_push(Helper::BuildSlice, vec![v(self, 1), v(self, 0), Operand::Null], 2),
                3 => self.call_push(Helper::BuildSlice, vec![v(self, 2), v(self, 1), v(self, 0)], 3),
                _ => Err(self.bad_oparg()),
            },
            Opcode::ListAppend | Opcode::SetAdd | Opcode::ListExtend | Opcode::SetUpdate | Opcode::DictUpdate => {
                let i = self.container_arg(arg, 1)?;
                let h = match ins.opcode {
                    Opcode::ListAppend => Helper::ListAppend,
                    Opcode::SetAdd => Helper::SetAdd,
                    Opcode::ListExtend => Helper::ListExtend,
                    Opcode::SetUpdate => Helper::SetUpdate,
                    _ => Helper::DictUpdate,
                };
                self.call(h, vec![v(self, i), v(self, 0)], None)?;
                self.pop_release();
                Ok(())
            }
            Opcode::MapAdd => {
                let i = self.container_arg(arg, 2)?;
                self.call(Helper::MapAdd, vec![v(self, i), v(self, 1), v(self, 0)], None)?;
                self.pop_release_n(2);
                Ok(())
            }
            Opcode::DictMerge => {
                let i = self.container_arg(arg, 1)?;
                if i + 3 >= self.depth() {
                    return Err(self.bad_oparg());
                }
                self.call(Helper::DictMerge, vec![v(self, i + 3), v(self, i), v(self, 0)], None)?;
                self.pop_release();
                Ok(())
            }
            Opcode::BuildTemplate => self.call_push(Helper::BuildTemplate, vec![v(self, 1), v(self, 0)], 2),
            Opcode::BuildInterpolation => {
                if arg & 1 == 1 {
                    let args = vec![v(self, 2), v(self, 1), v(self, 0), Operand::Imm(arg as i64)];
                    self.call_push(Helper::BuildInterpolation, args, 3)
                } else {
                    let args = vec![v(self, 1), v(self, 0), Operand::Null, Operand::Imm(arg as i64)];
                    self.call_push(Helper::BuildInterpolation, args, 2)
                }
            }
            Opcode::MatchClass => {
                let args = vec![Operand::TState, v(self, 2), v(self, 1), Operand::Imm(arg as i64), v(self, 0)];
                self.call_push(Helper::MatchClass, args, 3)
            }
            Opcode::MatchMapping => self.call_push(Helper::MatchTypeFlag, vec![v(self, 0), Operand::Imm(0)], 0),
            Opcode::MatchSequence => self.call_push(Helper::MatchTypeFlag, vec![v(self, 0), Operand::Imm(1)], 0),
            Opcode::MatchKeys => self.call_push(Helper::MatchKeys, vec![Operand::TState, v(self, 1), v(self, 0)], 0),
            Opcode::UnpackSequence => {
                let kind = match ins.stored {
                    Opcode::UnpackSequenceTwoTuple | Opcode::UnpackSequenceTuple => Some(GuardKind::Tuple),
                    Opcode::UnpackSequenceList => Some(GuardKind::List),
                    _ => None,
                };
                if let Some(kind) = kind
                    && self.speculate_unpack(kind, arg)?
                {
                    return Ok(());
                }
                self.unpack(Helper::UnpackSequence, arg, arg as usize)
            }
            Opcode::UnpackEx => {
                let total = (arg & 0xff) as usize + 1 + (arg >> 8) as usize;
                self.unpack(Helper::UnpackEx, arg, total)
            }
            _ => Err(self.unsupported()),
        }
    }

    /// The peek distance of the container for `LIST_APPEND(i)`-style opcodes whose inputs
    /// above it number `above`.
    fn container_arg(&self, arg: u32, above: usize) -> Result<usize> {
        let i = arg as usize + above - 1;
        if arg == 0 || i >= self.depth() { Err(self.bad_oparg()) } else { Ok(i) }
    }

    /// The top `n` slots as an array operand.
    fn array(&self, n: usize) -> Operand {
        let base = if n == 0 { Var(0) } else { Self::slot(self.depth() - n) };
        Operand::Array(base, n as u32)
    }

    /// UNPACK_SEQUENCE with tuple or list feedback: the type and the length guarded, the
    /// items loaded inline (pushed last item first, so the first is on top).
    fn speculate_unpack(&mut self, kind: GuardKind, n: u32) -> Result<bool> {
        if self.depth() - 1 + n as usize > self.cfg.max_depth as usize {
            return Err(self.bad_oparg());
        }
        let Some(fs) = self.frame_state() else { return Ok(false) };
        self.check_objects(self.depth() - 1, 1)?;
        let seq = self.peek(0);
        self.guard(kind, seq, &fs);
        self.guard(GuardKind::Len(n), seq, &fs);
        let op = if kind == GuardKind::List { SsaOp::ListItem } else { SsaOp::TupleItem };
        let items: Vec<Var> = (0..n).rev().map(|i| self.op1(op, Imm::Int(i as i64), vec![seq])).collect();
        self.pop_release();
        for item in items {
            let dst = self.push(OWNED);
            self.fb.push(Inst::Move { dst, src: Operand::Var(item) });
        }
        Ok(true)
    }

    fn unpack(&mut self, helper: Helper, arg: u32, total: usize) -> Result<()> {
        if self.depth() - 1 + total > self.cfg.max_depth as usize {
            return Err(self.bad_oparg());
        }
        let first = self.fb.new_var(Ty::Obj);
        for _ in 1..total {
            self.fb.new_var(Ty::Obj);
        }
        let r = self.fb.new_var(Ty::Int);
        let seq = v0(self);
        self.call(helper, vec![seq, Operand::Imm(arg as i64), Operand::OutArray(first, total as u32)], Some(r))?;
        self.pop_release();
        for i in 0..total {
            let dst = self.push(OWNED);
            self.fb.push(Inst::Move { dst, src: Operand::Var(Var(first.0 + i as u32)) });
        }
        Ok(())
    }

    /// BUILD_SLICE 3 followed by `subscr`, a BINARY_OP `[]`: `x[a:b:c]` as one call, without
    /// the slice object (runtime.c, coir_rt_subscr_slice3). It raises as the subscript does, so
    /// it is lowered as that instruction.
    pub(super) fn lower_slice_subscript(&mut self, subscr: &'a Instr) -> Result<()> {
        self.ins = Some(subscr);
        self.save_ip();
        let args = (0..4).rev().map(|n| Operand::Var(self.peek(n))).collect();
        self.call_push(Helper::SubscrSlice3, args, 4)
    }
}

fn v0(l: &Lowerer<'_>) -> Operand {
    Operand::Var(l.peek(0))
}
