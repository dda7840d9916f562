//! Locals, cells, constants and globals.
use bytecode_cfg::{opargs, Instr, Opcode};

use super::{Kind, Lowerer, Result, MAYBE_NULL, OWNED};
use crate::helpers::Helper;
use runtime_abi::caches;
use crate::ir::{CacheWidth, Inst, Operand, Term};
use crate::ssa::{Imm, Opcode as SsaOp};

impl Lowerer<'_> {
    pub(super) fn lower_locals(&mut self, ins: &Instr) -> Result<()> {
        let n = self.info.nlocalsplus;
        let arg = ins.oparg;
        match ins.opcode {
            Opcode::LoadFastBorrow => self.load_fast(self.check_index(arg, n)?, false),
            Opcode::LoadFast => self.load_fast(self.check_index(arg, n)?, true),
            Opcode::LoadFastBorrowLoadFastBorrow | Opcode::LoadFastLoadFast => {
                let own = ins.opcode == Opcode::LoadFastLoadFast;
                let (a, b) = (self.check_index(arg >> 4, n)?, self.check_index(arg & 15, n)?);
                self.load_fast(a, own)?;
                self.load_fast(b, own)
            }
            Opcode::LoadFastCheck => {
                let i = self.check_index(arg, n)?;
                let v = Self::slot(self.depth());
                self.check_bound(i, v)?;
                let v = self.push(Kind::Borrowed);
                self.fb.push(Inst::Incref(v));
                *self.stack.last_mut().expect("pushed") = OWNED;
                Ok(())
            }
            Opcode::LoadFastAndClear => {
                let i = self.check_index(arg, n)?;
                let v = self.push(MAYBE_NULL);
                self.fb.push(Inst::TakeLocal { dst: v, index: i });
                Ok(())
            }
            Opcode::StoreFast => self.store_fast(self.check_index(arg, n)?),
            Opcode::StoreFastLoadFast => {
                let (a, b) = (self.check_index(arg >> 4, n)?, self.check_index(arg & 15, n)?);
                self.store_fast(a)?;
                // A new reference (bytecodes.c: PyStackRef_DUP), not a borrow: the compiler's
                // borrow analysis does not cover it, and `b` may be overwritten (a walrus in a
                // comprehension) while the value is still on the stack.
                self.load_fast(b, true)
            }
            Opcode::StoreFastStoreFast => {
                let (a, b) = (self.check_index(arg >> 4, n)?, self.check_index(arg & 15, n)?);
                self.store_fast(a)?;
                self.store_fast(b)
            }
            Opcode::DeleteFast => {
                let i = self.check_index(arg, n)?;
                let tmp = self.new_obj();
                self.check_bound(i, tmp)?;
                self.own_borrows_before_local_write();
                let null = self.new_obj();
                self.fb.push(Inst::Move { dst: null, src: Operand::Null });
                self.fb.push(Inst::StoreLocal { index: i, src: null });
                Ok(())
            }
            Opcode::LoadDeref => {
                // The cell's value read inline; an empty cell takes the helper, which raises the
                // interpreter's NameError or UnboundLocalError.
                let i = self.check_index(arg, n)?;
                let off = self.offset();
                let (slow, join) = (self.fb.new_block(format!("deref_empty_{off}")), self.fb.new_block(format!("deref_join_{off}")));
                let cell = self.new_obj();
                self.fb.push(Inst::LoadLocal { dst: cell, index: i });
                let v = self.op1(SsaOp::CellGet, Imm::None, vec![cell]);
                let full = self.fb.new_block(format!("deref_full_{off}"));
                self.fb.terminate(Term::BranchEq { a: Operand::Var(v), b: Operand::Null, then: slow, otherwise: full });
                self.fb.switch_to(full);
                let dst = self.push(OWNED);
                self.fb.push(Inst::Move { dst, src: Operand::Var(v) });
                self.fb.terminate(Term::Jump(join));
                self.fb.switch_to(slow);
                self.stack.pop();
                // NULL here: releasing it is nothing, and tells the verifier so.
                self.fb.push(Inst::XDecref(v));
                self.call_push(Helper::LoadDeref, vec![Operand::Frame, Operand::Imm(i as i64)], 0)?;
                self.fb.terminate(Term::Jump(join));
                self.fb.switch_to(join);
                Ok(())
            }
            Opcode::StoreDeref => {
                let i = self.check_index(arg, n)?;
                let v = self.peek(0);
                self.call(Helper::StoreDeref, vec![Operand::Frame, Operand::Imm(i as i64), Operand::Var(v)], None)?;
                self.pop_release();
                Ok(())
            }
            Opcode::DeleteDeref => {
                let i = self.check_index(arg, n)?;
                self.call(Helper::DeleteDeref, vec![Operand::Frame, Operand::Imm(i as i64)], None)
            }
            Opcode::MakeCell => {
                let i = self.check_index(arg, n)?;
                self.own_borrows_before_local_write();
                self.call(Helper::MakeCell, vec![Operand::Frame, Operand::Imm(i as i64)], None)
            }
            Opcode::CopyFreeVars => {
                if arg != self.info.nfree || arg > n {
                    return Err(self.bad_oparg());
                }
                self.own_borrows_before_local_write();
                // The closure's cells into the last `arg` slots, each a new reference, inline
                // (the interpreter's COPY_FREE_VARS). The slots are empty: the frame is new.
                let offset = n - arg;
                for i in 0..arg {
                    let cell = self.op1(SsaOp::FreeVar, Imm::Int(i as i64), vec![]);
                    self.fb.push(Inst::Incref(cell));
                    self.fb.push(Inst::StoreLocal { index: offset + i, src: cell });
                }
                Ok(())
            }
            Opcode::LoadConst => {
                let i = self.check_index(arg, self.info.nconsts)?;
                let v = self.push(Kind::Borrowed);
                self.fb.push(Inst::Move { dst: v, src: Operand::Const(i) });
                Ok(())
            }
            Opcode::LoadSmallInt => {
                // Small ints are immortal objects at fixed addresses: a borrowed constant.
                if arg >= opargs::SMALL_INT_LIMIT {
                    return Err(self.bad_oparg());
                }
                let v = self.push(Kind::Borrowed);
                self.fb.push(Inst::Move { dst: v, src: Operand::SmallInt(arg) });
                Ok(())
            }
            Opcode::LoadCommonConstant => {
                // The helper indexes `interp->common_consts` unchecked.
                if arg >= opargs::NUM_COMMON_CONSTANTS {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::LoadCommonConstant, vec![Operand::TState, Operand::Imm(arg as i64)], 0)
            }
            Opcode::LoadGlobal => {
                let name = self.check_index(arg >> 1, self.info.nnames)?;
                let tmp = self.new_obj();
                let c = self.cfg;
                let (gv, bv, index) = (
                    c.cache_u16(ins, caches::GLOBAL_MODULE_KEYS_VERSION.unit),
                    c.cache_u16(ins, caches::GLOBAL_BUILTIN_KEYS_VERSION.unit),
                    c.cache_u16(ins, caches::GLOBAL_INDEX.unit),
                );
                match (ins.stored, gv, bv, index) {
                    (Opcode::LoadGlobalModule | Opcode::LoadGlobalBuiltin, Some(_), Some(_), Some(ix)) => {
                        let version = |f| Self::cache_operand(ins, f, CacheWidth::U16);
                        let bv = match ins.stored {
                            Opcode::LoadGlobalBuiltin => version(caches::GLOBAL_BUILTIN_KEYS_VERSION),
                            _ => Operand::Imm(-1),
                        };
                        let args = vec![Operand::Frame, Operand::Name(name), version(caches::GLOBAL_MODULE_KEYS_VERSION), bv, Operand::Imm(ix as i64), Operand::SiteCache(ins.offset)];
                        self.call(Helper::LoadGlobalCached, args, Some(tmp))?;
                    }
                    _ => self.call(Helper::LoadGlobal, vec![Operand::Frame, Operand::Name(name)], Some(tmp))?,
                }
                if arg & 1 == 1 {
                    // A callable: a CALL may run the function the module binds to it inline.
                    let depth = self.depth();
                    self.callable_loads.retain(|&(d, _)| d < depth);
                    self.callable_loads.push((depth, ins.offset));
                }
                let v = self.push(OWNED);
                self.fb.push(Inst::Move { dst: v, src: Operand::Var(tmp) });
                if arg & 1 == 1 {
                    let null = self.push(MAYBE_NULL);
                    self.fb.push(Inst::Move { dst: null, src: Operand::Null });
                }
                Ok(())
            }
            Opcode::StoreGlobal => {
                let name = self.check_index(arg, self.info.nnames)?;
                let v = self.peek(0);
                self.call(Helper::StoreGlobal, vec![Operand::Frame, Operand::Name(name), Operand::Var(v)], None)?;
                self.pop_release();
                Ok(())
            }
            Opcode::LoadBuildClass => self.call_push(Helper::LoadBuildClass, vec![Operand::TState, Operand::Frame], 0),
            Opcode::LoadFromDictOrGlobals => {
                let name = self.check_index(arg, self.info.nnames)?;
                let dict = Operand::Var(self.peek(0));
                self.call_push(Helper::LoadFromDictOrGlobals, vec![Operand::Frame, dict, Operand::Name(name)], 1)
            }
            Opcode::LoadFromDictOrDeref => {
                let i = self.check_index(arg, n)?;
                let dict = Operand::Var(self.peek(0));
                self.call_push(Helper::LoadFromDictOrDeref, vec![Operand::Frame, dict, Operand::Imm(i as i64)], 1)
            }
            Opcode::DeleteGlobal => {
                let name = self.check_index(arg, self.info.nnames)?;
                self.call(Helper::DeleteGlobal, vec![Operand::Frame, Operand::Name(name)], None)
            }
            _ => Err(self.unsupported()),
        }
    }

    /// Load local `index` into `v` (borrowed) and raise UnboundLocalError if it is unbound;
    /// continues in the bound block.
    fn check_bound(&mut self, index: u32, v: crate::ir::Var) -> Result<()> {
        let unbound = self.fb.new_block(format!("unbound_{}", self.offset()));
        let bound = self.fb.new_block(format!("bound_{}", self.offset()));
        self.fb.push(Inst::LoadLocal { dst: v, index });
        self.fb.terminate(Term::BranchEq { a: Operand::Var(v), b: Operand::Null, then: unbound, otherwise: bound });
        self.fb.switch_to(unbound);
        self.call(Helper::UnboundLocal, vec![Operand::TState, Operand::Frame, Operand::Imm(index as i64)], None)?;
        self.fb.switch_to(bound);
        Ok(())
    }

    fn load_fast(&mut self, index: u32, own: bool) -> Result<()> {
        let v = self.push(Kind::Borrowed);
        self.fb.push(Inst::LoadLocal { dst: v, index });
        if own {
            self.make_owned(self.depth() - 1);
        }
        Ok(())
    }

    pub(super) fn store_fast(&mut self, index: u32) -> Result<()> {
        let d = self.depth() - 1;
        self.check_objects(d, 1)?;
        self.own_borrows_before_local_write();
        let (v, _) = self.pop_keep();
        self.fb.push(Inst::StoreLocal { index, src: v });
        Ok(())
    }
}
