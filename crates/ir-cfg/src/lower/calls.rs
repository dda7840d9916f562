//! Calls, attributes, functions and imports.
use bytecode_cfg::{opargs, Instr, Opcode};

use super::{Lowerer, Result, MAYBE_NULL, OWNED};
use crate::helpers::{Helper, Ty};
use crate::ir::{CacheWidth, Inst, Operand, Term, Var};
use crate::ssa::{Imm, Opcode as SsaOp};
use runtime_abi::abi::MathFn;
use runtime_abi::caches;

/// Feedback for LOAD_ATTR: operands reading the inline cache (relocated, see `Operand::Cache`:
/// which type a polymorphic site saw last, and so the attribute's offset, changes from run to
/// run, the form of its specialisation much less).
enum AttrFeedback {
    None,
    InstanceValue { type_version: Operand, offset: Operand },
    Slot { type_version: Operand, offset: Operand },
    /// `descr`: the cache's descriptor field.
    Method { type_version: Operand, keys_version: Operand, descr: Operand },
}

impl Lowerer<'_> {
    /// The `math` function (and the relocated constant holding it) a call of one argument
    /// is expected to call: the load of its callable found one (`CodeInfo::math_calls`).
    fn math_call(&self) -> Option<(MathFn, u32)> {
        let depth = self.depth() - 3;
        let (_, unit) = *self.callable_loads.iter().find(|&&(d, _)| d == depth)?;
        self.info.math_calls.iter().find(|&&(u, ..)| u == unit).map(|&(_, m, k)| (m, k))
    }

    /// The float the instructions just before boxed onto the stack's top, `arg`: when the
    /// current block ends `t = call box_float(y) err e`, the releases of the operands
    /// (decrefs of other variables), `arg = move t` and instruction-pointer writes, the box and
    /// the move are taken back and `y` returned with the code unit whose instruction made the
    /// box (for its traceback). `arg` is left NULL. Else None, nothing changed.
    fn take_float_box(&mut self, arg: Var) -> Option<(Var, u32)> {
        let insts = self.fb.current_insts();
        let mut i = insts.len();
        while i > 0 && matches!(insts[i - 1], Inst::SetInstrPtr(_)) {
            i -= 1;
        }
        let moved = i.checked_sub(1)?;
        let Inst::Move { dst, src: Operand::Var(t) } = insts[moved] else { return None };
        if dst != arg {
            return None;
        }
        let mut b = moved;
        while b > 0 && matches!(insts[b - 1], Inst::Decref(v) | Inst::XDecref(v) if v != t) {
            b -= 1;
        }
        let boxed = b.checked_sub(1)?;
        let Inst::Call { helper: Helper::BoxFloat, args, dst: Some(d), .. } = &insts[boxed] else { return None };
        let (&[Operand::Var(y)], true) = (&args[..], *d == t) else { return None };
        let unit = insts[..boxed].iter().rev().find_map(|x| match x { Inst::SetInstrPtr(u) => Some(*u), _ => None })?;
        // The move first (the later index), then the box; the releases between stay.
        insts.remove(moved);
        insts.remove(boxed);
        self.fb.push(Inst::Move { dst: arg, src: Operand::Null });
        Some((y, unit))
    }

    /// A call of a `math` function of one argument, computed inline when the callable is that
    /// function, `self_or_null` is NULL (no method's self) and the argument is an exact float
    /// or a compact int in the function's domain (`math`): its C function's result, boxed
    /// (MemoryError, as the call could raise). Otherwise the call, by `helper`.
    ///
    /// An argument the arithmetic just before computed and boxed (`sqrt(x * x + y * y)`) is
    /// boxed only where the call is made: the inline path computes on its value, so the box,
    /// an allocation and its release on every call, is not made there.
    fn lower_math_call(&mut self, m: MathFn, k: u32, helper: Helper, args: Vec<Operand>) -> Result<()> {
        let base = self.depth() - 3;
        self.check_objects(base, 3)?;
        self.callable_loads.retain(|&(d, _)| d < base);
        let (callable, self_or_null, arg) = (Self::slot(base), Self::slot(base + 1), Self::slot(base + 2));
        let sunk = self.take_float_box(arg);
        if sunk.is_some() {
            // NULL on the inline path, the box on the call's.
            self.stack[base + 2] = super::MAYBE_NULL;
        }
        let off = self.offset();
        let (slow, join) = (self.fb.new_block(format!("math_call_{off}")), self.fb.new_block(format!("math_join_{off}")));
        let step = |l: &mut Self, name: &str| l.fb.new_block(format!("math_{name}_{off}"));
        let f = self.fb.new_var(Ty::Obj);
        self.fb.push(Inst::Move { dst: f, src: Operand::Const(k) });
        let (is_it, no_self) = (step(self, "is"), step(self, "plain"));
        self.fb.terminate(Term::BranchEq { a: Operand::Var(callable), b: Operand::Var(f), then: is_it, otherwise: slow });
        self.fb.switch_to(is_it);
        self.fb.terminate(Term::BranchEq { a: Operand::Var(self_or_null), b: Operand::Null, then: no_self, otherwise: slow });
        self.fb.switch_to(no_self);
        let x = match &sunk {
            Some((y, _)) => *y,
            None => {
                // (As two operands of true division: the second is the argument again.)
                let (number, x, _) = self.as_doubles(arg, arg, true);
                let in_domain = step(self, "arg");
                self.fb.terminate(Term::Branch { cond: Operand::Var(number), then: in_domain, otherwise: slow });
                self.fb.switch_to(in_domain);
                x
            }
        };
        let [inside, y] = [Ty::Int, Ty::F64].map(|t| self.fb.new_var(t));
        self.fb.push(Inst::Op { op: SsaOp::MathCall, imm: Imm::Int(m as i64), args: vec![x], dsts: vec![inside, y], err: None });
        let compute = step(self, m.name());
        self.fb.terminate(Term::Branch { cond: Operand::Var(inside), then: compute, otherwise: slow });
        self.fb.switch_to(compute);
        let result = self.new_obj();
        self.call(Helper::BoxFloat, vec![Operand::Var(y)], Some(result))?;
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(slow);
        if let Some((y, unit)) = sunk {
            // The box, at its own instruction for a MemoryError's traceback (its error path
            // releases this stack, `arg` still NULL: the operands were released where the box
            // was), then this call's.
            let here = self.ins().offset;
            self.fb.push(Inst::SetInstrPtr(unit));
            let t = self.new_obj();
            self.call(Helper::BoxFloat, vec![Operand::Var(y)], Some(t))?;
            // (Releasing the NULL it holds: nothing, but no reference is overwritten.)
            self.fb.push(Inst::XDecref(arg));
            self.fb.push(Inst::Move { dst: arg, src: Operand::Var(t) });
            self.fb.push(Inst::SetInstrPtr(here));
        }
        self.call(helper, args, Some(result))?;
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(join);
        self.pop_release_n(3);
        let dst = self.push(OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(result) });
        Ok(())
    }

    pub(super) fn lower_calls(&mut self, ins: &Instr) -> Result<()> {
        let arg = ins.oparg;
        let v = |l: &Self, n: usize| Operand::Var(l.peek(n));
        match ins.opcode {
            Opcode::Call => {
                let n = arg as usize;
                let base = Self::slot(self.depth() - n - 2);
                // The interpreter's feedback picks the helper that tries that kind of call
                // first; each makes any call. Python functions and bound methods are tried
                // first by the generic helper itself, whatever the feedback (runtime.c,
                // coir_rt_call).
                use Opcode as O;
                let h = match ins.stored {
                    O::CallListAppend => Helper::CallListAppend,
                    O::CallBuiltinO
                    | O::CallBuiltinFast
                    | O::CallMethodDescriptorNoargs
                    | O::CallMethodDescriptorO
                    | O::CallMethodDescriptorFast
                    | O::CallLen
                    | O::CallIsinstance => Helper::CallBuiltin,
                    O::CallAllocAndEnterInit => Helper::CallClass,
                    _ => Helper::Call,
                };
                let mut args = vec![Operand::TState, Operand::Array(base, arg + 2), Operand::Imm(arg as i64)];
                if h == Helper::Call {
                    args.push(Operand::SiteCache(ins.offset));
                }
                if n == 1
                    && let Some((m, k)) = self.math_call()
                {
                    return self.lower_math_call(m, k, h, args);
                }
                // (Call's last argument: the site's own cache of its callee's code state, see
                // runtime.c, site_code_state.) A class's call may run its `__init__` inline.
                if matches!(h, Helper::Call | Helper::CallClass) {
                    return self.lower_call_maybe_inline(h, args, n + 2);
                }
                self.call_push(h, args, n + 2)
            }
            Opcode::CallKw => {
                let n = arg as usize;
                let base = Self::slot(self.depth() - n - 3);
                let kwnames = v(self, 0);
                self.call_push(Helper::CallKw, vec![Operand::TState, Operand::Array(base, arg + 2), Operand::Imm(arg as i64), kwnames], n + 3)
            }
            Opcode::CallFunctionEx => self.call_push(Helper::CallFunctionEx, vec![v(self, 3), v(self, 1), v(self, 0)], 4),
            Opcode::CallIntrinsic1 => {
                // Checked by bytecode-cfg too; repeated here because the runtime helper
                // indexes the interpreter's table with it unchecked.
                if arg > opargs::MAX_INTRINSIC_1 {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::CallIntrinsic1, vec![Operand::TState, v(self, 0), Operand::Imm(arg as i64)], 1)
            }
            Opcode::CallIntrinsic2 => {
                if arg > opargs::MAX_INTRINSIC_2 {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::CallIntrinsic2, vec![Operand::TState, v(self, 1), v(self, 0), Operand::Imm(arg as i64)], 2)
            }
            Opcode::LoadAttr => {
                let name = self.check_index(arg >> 1, self.info.nnames)?;
                let owner = v(self, 0);
                let fb = self.attr_feedback(ins);
                // The site's own cache of the types it meets (the interpreter's feedback names one).
                let site = Operand::SiteCache(ins.offset);
                if arg & 1 == 0 {
                    // `math.sqrt` (then PUSH_NULL): a CALL computes it inline (`math_calls`).
                    if self.info.math_calls.iter().any(|&(u, ..)| u == ins.offset) {
                        let depth = self.depth() - 1;
                        self.callable_loads.retain(|&(d, _)| d < depth);
                        self.callable_loads.push((depth, ins.offset));
                    }
                    if let AttrFeedback::InstanceValue { type_version, offset } = fb {
                        let args = vec![owner, Operand::Name(name), type_version, offset, site];
                        return self.call_push(Helper::LoadAttrInstanceValue, args, 1);
                    }
                    if let AttrFeedback::Slot { type_version, offset } = fb {
                        let args = vec![owner, Operand::Name(name), type_version, offset];
                        return self.call_push(Helper::LoadAttrSlot, args, 1);
                    }
                    if ins.stored == Opcode::LoadAttrModule {
                        return self.call_push(Helper::LoadAttrModule, vec![owner, Operand::Name(name), site], 1);
                    }
                    return self.call_push(Helper::LoadAttrPoly, vec![owner, Operand::Name(name), site], 1);
                }
                // The callable's depth once the owner is replaced (see `lower_call_maybe_inline`).
                let depth = self.depth() - 1;
                self.callable_loads.retain(|&(d, _)| d < depth);
                self.callable_loads.push((depth, ins.offset));
                if let AttrFeedback::Method { type_version, keys_version, descr } = fb {
                    return self.pair_result(
                        Helper::LoadMethodCached,
                        |selfv| vec![owner, Operand::Name(name), Operand::Addr(selfv), type_version, keys_version, descr, site],
                        1,
                    );
                }
                self.pair_result(Helper::LoadMethodPoly, |selfv| vec![owner, Operand::Name(name), Operand::Addr(selfv), site], 1)
            }
            Opcode::StoreAttr => {
                let name = self.check_index(arg, self.info.nnames)?;
                let h = match ins.stored {
                    Opcode::StoreAttrInstanceValue => Some(Helper::StoreAttrInstanceValue),
                    Opcode::StoreAttrSlot => Some(Helper::StoreAttrSlot),
                    _ => None,
                };
                let tv = self.cfg.cache_u32(ins, caches::ATTR_TYPE_VERSION.unit);
                let off = self.cfg.cache_u16(ins, caches::ATTR_INDEX.unit);
                let site = Operand::SiteCache(ins.offset);
                match (h, tv, off) {
                    (Some(h), Some(tv), Some(_)) if tv != 0 => {
                        let tv = Self::cache_operand(ins, caches::ATTR_TYPE_VERSION, CacheWidth::U32);
                        let off = Self::cache_operand(ins, caches::ATTR_INDEX, CacheWidth::U16);
                        let mut args = vec![v(self, 0), Operand::Name(name), v(self, 1), tv, off];
                        if h == Helper::StoreAttrInstanceValue {
                            args.push(site);
                        }
                        self.call(h, args, None)?;
                    }
                    _ => self.call(Helper::StoreAttrPoly, vec![v(self, 0), Operand::Name(name), v(self, 1), site], None)?,
                }
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
                let site = Operand::SiteCache(ins.offset);
                let args_for = move |selfv| vec![a, b, c, Operand::Name(name), Operand::Imm(arg as i64), Operand::Addr(selfv), site];
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
                if arg > opargs::SPECIAL_MAX {
                    return Err(self.bad_oparg());
                }
                let owner = v(self, 0);
                self.pair_result(Helper::LoadSpecial, |selfv| vec![Operand::TState, owner, Operand::Imm(arg as i64), Operand::Addr(selfv)], 1)
            }
            Opcode::MakeFunction => self.call_push(Helper::MakeFunction, vec![Operand::Frame, v(self, 0)], 1),
            Opcode::SetFunctionAttribute => {
                if !(arg.is_power_of_two() && arg <= opargs::MAKE_FUNCTION_LAST_FLAG) {
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

    /// What the interpreter's quickening says about a LOAD_ATTR (DESIGN §6: specialised forms
    /// and their inline caches are type feedback; every use is guarded at run time).
    fn attr_feedback(&self, ins: &Instr) -> AttrFeedback {
        let c = self.cfg;
        match c.cache_u32(ins, caches::ATTR_TYPE_VERSION.unit) {
            Some(tv) if tv != 0 => {}
            _ => return AttrFeedback::None,
        }
        let type_version = Self::cache_operand(ins, caches::ATTR_TYPE_VERSION, CacheWidth::U32);
        match ins.stored {
            Opcode::LoadAttrInstanceValue | Opcode::LoadAttrSlot if c.cache_u16(ins, caches::ATTR_INDEX.unit).is_some() => {
                let offset = Self::cache_operand(ins, caches::ATTR_INDEX, CacheWidth::U16);
                match ins.stored {
                    Opcode::LoadAttrInstanceValue => AttrFeedback::InstanceValue { type_version, offset },
                    _ => AttrFeedback::Slot { type_version, offset },
                }
            }
            Opcode::LoadAttrMethodWithValues | Opcode::LoadAttrMethodNoDict => {
                // -1: no instance dict to check (NO_DICT).
                let keys_version = match ins.stored {
                    Opcode::LoadAttrMethodWithValues => match c.cache_u32(ins, caches::METHOD_KEYS_VERSION.unit) {
                        Some(_) => Self::cache_operand(ins, caches::METHOD_KEYS_VERSION, CacheWidth::U32),
                        None => return AttrFeedback::None,
                    },
                    _ => Operand::Imm(-1),
                };
                match c.cache_u64(ins, caches::METHOD_DESCR.unit) {
                    Some(descr) if descr != 0 => AttrFeedback::Method {
                        type_version,
                        keys_version,
                        descr: Self::cache_operand(ins, caches::METHOD_DESCR, CacheWidth::Word),
                    },
                    _ => AttrFeedback::None,
                }
            }
            _ => AttrFeedback::None,
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
        Ok(())
    }
}

