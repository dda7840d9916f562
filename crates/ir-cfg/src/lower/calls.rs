//! Calls, attributes, functions and imports.
use bytecode_cfg::{Instr, Opcode};

use super::{Kind, Lowerer, Result, MAYBE_NULL, OWNED};
use crate::helpers::Helper;
use crate::ir::{Inst, Operand, Var};

/// Number of entries in `_Py_SpecialMethods` (`pycore_ceval.h`): `__enter__`, `__exit__`,
/// `__aenter__`, `__aexit__`.
const SPECIAL_METHODS: u32 = 4;

impl Lowerer<'_> {
    pub(super) fn lower_calls(&mut self, ins: &Instr) -> Result<()> {
        let arg = ins.oparg;
        let v = |l: &Self, n: usize| Operand::Var(l.peek(n));
        match ins.opcode {
            Opcode::Call => {
                let n = arg as usize;
                let base = Self::slot(self.depth() - n - 2);
                self.call_push(Helper::Call, vec![Operand::Array(base, arg + 2), Operand::Imm(arg as i64)], n + 2)
            }
            Opcode::CallKw => {
                let n = arg as usize;
                let base = Self::slot(self.depth() - n - 3);
                let kwnames = v(self, 0);
                self.call_push(Helper::CallKw, vec![Operand::Array(base, arg + 2), Operand::Imm(arg as i64), kwnames], n + 3)
            }
            Opcode::CallFunctionEx => self.call_push(Helper::CallFunctionEx, vec![v(self, 3), v(self, 1), v(self, 0)], 4),
            Opcode::CallIntrinsic1 => {
                if arg > 11 {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::CallIntrinsic1, vec![Operand::TState, v(self, 0), Operand::Imm(arg as i64)], 1)
            }
            Opcode::CallIntrinsic2 => {
                if arg > 4 {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::CallIntrinsic2, vec![Operand::TState, v(self, 1), v(self, 0), Operand::Imm(arg as i64)], 2)
            }
            Opcode::LoadAttr => {
                let name = self.check_index(arg >> 1, self.info.nnames)?;
                if arg & 1 == 0 {
                    return self.call_push(Helper::LoadAttr, vec![v(self, 0), Operand::Name(name)], 1);
                }
                let owner = v(self, 0);
                self.pair_result(Helper::LoadMethod, |selfv| vec![owner, Operand::Name(name), Operand::Addr(selfv)], 1)
            }
            Opcode::StoreAttr => {
                let name = self.check_index(arg, self.info.nnames)?;
                self.call(Helper::StoreAttr, vec![v(self, 0), Operand::Name(name), v(self, 1)], None)?;
                self.pop_release_n(2);
                Ok(())
            }
            Opcode::DeleteAttr => {
                let name = self.check_index(arg, self.info.nnames)?;
                self.call(Helper::DeleteAttr, vec![v(self, 0), Operand::Name(name)], None)?;
                self.pop_release();
                Ok(())
            }
            Opcode::LoadSuperAttr => {
                let name = self.check_index(arg >> 2, self.info.nnames)?;
                let (a, b, c) = (v(self, 2), v(self, 1), v(self, 0));
                let args_for = move |selfv| vec![a, b, c, Operand::Name(name), Operand::Imm(arg as i64), Operand::Addr(selfv)];
                if arg & 1 == 1 {
                    self.pair_result(Helper::LoadSuperAttr, args_for, 3)
                } else {
                    let selfv = self.new_obj();
                    let tmp = self.new_obj();
                    self.call(Helper::LoadSuperAttr, args_for(selfv), Some(tmp))?;
                    self.fb.push(Inst::XDecref(selfv));
                    self.pop_release_n(3);
                    let dst = self.push(OWNED);
                    self.fb.push(Inst::Move { dst, src: Operand::Var(tmp) });
                    Ok(())
                }
            }
            Opcode::LoadSpecial => {
                if arg >= SPECIAL_METHODS {
                    return Err(self.bad_oparg());
                }
                let owner = v(self, 0);
                self.pair_result(Helper::LoadSpecial, |selfv| vec![Operand::TState, owner, Operand::Imm(arg as i64), Operand::Addr(selfv)], 1)
            }
            Opcode::MakeFunction => self.call_push(Helper::MakeFunction, vec![Operand::Frame, v(self, 0)], 1),
            Opcode::SetFunctionAttribute => {
                if !matches!(arg, 1 | 2 | 4 | 8 | 16) {
                    return Err(self.bad_oparg());
                }
                self.call(Helper::SetFunctionAttribute, vec![v(self, 1), v(self, 0), Operand::Imm(arg as i64)], None)?;
                let (f, fk) = self.pop_keep();
                self.pop_release();
                let dst = self.push(fk);
                self.fb.push(Inst::Move { dst, src: Operand::Var(f) });
                Ok(())
            }
            Opcode::ImportName => {
                let name = self.check_index(arg, self.info.nnames)?;
                self.call_push(Helper::ImportName, vec![Operand::TState, Operand::Frame, Operand::Name(name), v(self, 0), v(self, 1)], 2)
            }
            Opcode::ImportFrom => {
                let name = self.check_index(arg, self.info.nnames)?;
                self.call_push(Helper::ImportFrom, vec![Operand::TState, v(self, 0), Operand::Name(name)], 0)
            }
            _ => Err(self.unsupported()),
        }
    }

    /// A helper returning a callable and writing `self_or_null` through an out-parameter:
    /// pops `pops` inputs, pushes `[callable, self_or_null]`.
    fn pair_result(&mut self, helper: Helper, args: impl FnOnce(Var) -> Vec<Operand>, pops: usize) -> Result<()> {
        let selfv = self.new_obj();
        let tmp = self.new_obj();
        self.call(helper, args(selfv), Some(tmp))?;
        self.pop_release_n(pops);
        let dst = self.push(OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(tmp) });
        let dst = self.push(MAYBE_NULL);
        self.fb.push(Inst::Move { dst, src: Operand::Var(selfv) });
        let _: Kind = MAYBE_NULL;
        Ok(())
    }
}
