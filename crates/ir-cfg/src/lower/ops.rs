//! Stack shuffling and the operator opcodes: arithmetic, comparisons, truth, identity,
//! membership, subscripts and slices, formatting.
use bytecode_cfg::{opargs, Instr, Opcode};

use super::{Kind, Lowerer, Result};
use crate::helpers::Helper;
use crate::helpers::Ty;
use crate::ir::{BlockId, Inst, Operand, Term, Var};
use crate::ssa::{FrameState, GuardKind, Imm, Opcode as SsaOp, Type};

/// BINARY_OP feedback for `+ - *` on compact ints or exact floats: the operands' type and the
/// operation on their unboxed values.
pub(super) fn numeric_binary_op(stored: Opcode) -> Option<(GuardKind, SsaOp)> {
    use Opcode as O;
    Some(match stored {
        O::BinaryOpAddFloat => (GuardKind::Float, SsaOp::FAdd),
        O::BinaryOpSubtractFloat => (GuardKind::Float, SsaOp::FSub),
        O::BinaryOpMultiplyFloat => (GuardKind::Float, SsaOp::FMul),
        O::BinaryOpAddInt => (GuardKind::CompactInt, SsaOp::IAdd),
        O::BinaryOpSubtractInt => (GuardKind::CompactInt, SsaOp::ISub),
        O::BinaryOpMultiplyInt => (GuardKind::CompactInt, SsaOp::IMul),
        _ => return None,
    })
}

/// BINARY_OP_EXTEND's operators that combine a float with a compact int (the specialiser's
/// other forms are int bit operations): the operation on the two as doubles.
fn float_meets_int(oparg: u32) -> Option<SsaOp> {
    Some(match opargs::nb_operator(oparg) {
        opargs::NB_ADD => SsaOp::FAdd,
        opargs::NB_SUBTRACT => SsaOp::FSub,
        opargs::NB_MULTIPLY => SsaOp::FMul,
        opargs::NB_TRUE_DIVIDE => SsaOp::FDiv,
        _ => return None,
    })
}

/// BINARY_OP_EXTEND's int bit operations (`&`, `|`, `^` of two compact ints): the operation
/// on their values.
pub(super) fn int_bit_op(oparg: u32) -> Option<SsaOp> {
    Some(match opargs::nb_operator(oparg) {
        opargs::NB_AND => SsaOp::IAnd,
        opargs::NB_OR => SsaOp::IOr,
        opargs::NB_XOR => SsaOp::IXor,
        _ => return None,
    })
}

/// `//` and `%` (and their in-place forms), which the interpreter never specialises: the
/// operation on two compact ints' values.
fn int_divmod_op(oparg: u32) -> Option<SsaOp> {
    Some(match opargs::nb_operator(oparg) {
        opargs::NB_FLOOR_DIVIDE => SsaOp::IFloorDiv,
        opargs::NB_REMAINDER => SsaOp::IMod,
        _ => return None,
    })
}

/// COMPARE_OP feedback on compact ints or exact floats: the operands' type and the comparison
/// of their unboxed values.
pub(super) fn numeric_compare(stored: Opcode) -> Option<(GuardKind, SsaOp)> {
    match stored {
        Opcode::CompareOpInt => Some((GuardKind::CompactInt, SsaOp::ICmp)),
        Opcode::CompareOpFloat => Some((GuardKind::Float, SsaOp::FCmp)),
        _ => None,
    }
}

impl Lowerer<'_> {
    pub(super) fn lower_stack(&mut self, ins: &Instr) -> Result<()> {
        match ins.opcode {
            Opcode::PopTop | Opcode::EndFor | Opcode::PopIter => {
                self.pop_release();
                Ok(())
            }
            Opcode::PushNull => {
                let v = self.push(super::MAYBE_NULL);
                self.fb.push(Inst::Move { dst: v, src: Operand::Null });
                Ok(())
            }
            Opcode::Copy => {
                let i = ins.oparg as usize;
                if i == 0 || i > self.depth() {
                    return Err(self.bad_oparg());
                }
                let src_d = self.depth() - i;
                let kind = self.stack[src_d];
                if kind == Kind::TagInt {
                    let (src, d) = (self.lasti_var(src_d), self.depth());
                    self.push(Kind::TagInt);
                    let dst = self.lasti_var(d);
                    self.fb.push(Inst::Move { dst, src: Operand::Var(src) });
                    return Ok(());
                }
                let src = Self::slot(src_d);
                let dst = self.push(Kind::Borrowed);
                self.fb.push(Inst::Copy { dst, src });
                match kind {
                    Kind::Owned { nonnull: true } => self.fb.push(Inst::Incref(dst)),
                    Kind::Owned { nonnull: false } => self.fb.push(Inst::XIncref(dst)),
                    Kind::Borrowed | Kind::TagInt => {}
                }
                *self.stack.last_mut().expect("pushed") = kind;
                Ok(())
            }
            Opcode::Swap => {
                let i = ins.oparg as usize;
                if i < 2 || i > self.depth() {
                    return Err(self.bad_oparg());
                }
                let (top_d, other_d) = (self.depth() - 1, self.depth() - i);
                // Each value moves between the variables its kind lives in at the two depths.
                let (kt, ko) = (self.stack[top_d], self.stack[other_d]);
                let tmp = if kt == Kind::TagInt { self.fb.new_var(Ty::Word) } else { self.new_obj() };
                let (top_src, other_src) = (self.var_of(top_d, kt), self.var_of(other_d, ko));
                let (top_dst, other_dst) = (self.var_of(top_d, ko), self.var_of(other_d, kt));
                self.fb.push(Inst::Move { dst: tmp, src: Operand::Var(top_src) });
                self.fb.push(Inst::Move { dst: top_dst, src: Operand::Var(other_src) });
                self.fb.push(Inst::Move { dst: other_dst, src: Operand::Var(tmp) });
                self.stack.swap(top_d, other_d);
                Ok(())
            }
            _ => Err(self.unsupported()),
        }
    }

    pub(super) fn lower_ops(&mut self, ins: &Instr) -> Result<()> {
        let arg = ins.oparg;
        let v = |l: &Self, n: usize| Operand::Var(l.peek(n));
        match ins.opcode {
            Opcode::BinaryOp => {
                if arg > opargs::NB_OPARG_LAST {
                    return Err(self.bad_oparg());
                }
                use Opcode as O;
                if let Some((kind, op)) = numeric_binary_op(ins.stored) {
                    if kind == GuardKind::CompactInt {
                        return self.int_arith(op, arg);
                    }
                    if self.speculate_numeric(kind, |l, a, b| l.op1(op, Imm::None, vec![a, b]))? {
                        return Ok(());
                    }
                }
                let seq = match ins.stored {
                    O::BinaryOpSubscrListInt => Some((GuardKind::List, GuardKind::ListIndex)),
                    O::BinaryOpSubscrTupleInt => Some((GuardKind::Tuple, GuardKind::TupleIndex)),
                    _ => None,
                };
                if let Some((kind, index)) = seq
                    && self.speculate_item(kind, index)?
                {
                    return Ok(());
                }
                if ins.stored == O::BinaryOpExtend
                    && let Some(op) = float_meets_int(arg)
                {
                    return self.mixed_arith(op, arg);
                }
                if ins.stored == O::BinaryOpExtend
                    && let Some(op) = int_bit_op(arg)
                {
                    return self.int_arith(op, arg);
                }
                if ins.stored == O::BinaryOp
                    && let Some(op) = self.unspecialised_int_op(arg)
                {
                    return self.int_arith(op, arg);
                }
                // The interpreter never specialises these two: no feedback to wait for.
                if ins.stored == O::BinaryOp && opargs::nb_operator(arg) == opargs::NB_TRUE_DIVIDE && self.speculate_true_divide()? {
                    return Ok(());
                }
                if ins.stored == O::BinaryOp
                    && let Some(op) = int_divmod_op(arg)
                {
                    return self.int_divmod(op, arg);
                }
                if ins.stored == O::BinaryOp && opargs::nb_operator(arg) == opargs::NB_POWER && self.constant_on_top(GuardKind::Float) && self.speculate_float_power()? {
                    return Ok(());
                }
                let h = match ins.stored {
                    O::BinaryOpAddInt | O::BinaryOpSubtractInt | O::BinaryOpMultiplyInt | O::BinaryOpAddFloat
                    | O::BinaryOpSubtractFloat | O::BinaryOpMultiplyFloat => Helper::BinaryOpNumeric,
                    O::BinaryOpSubscrListInt | O::BinaryOpSubscrTupleInt => {
                        return self.call_push(Helper::SubscrSeqInt, vec![v(self, 1), v(self, 0)], 2);
                    }
                    O::BinaryOpSubscrDict => return self.call_push(Helper::SubscrDict, vec![v(self, 1), v(self, 0)], 2),
                    O::BinaryOpSubscrStrInt => return self.call_push(Helper::SubscrStrInt, vec![v(self, 1), v(self, 0)], 2),
                    _ => Helper::BinaryOp,
                };
                self.call_push(h, vec![v(self, 1), v(self, 0), Operand::Imm(arg as i64)], 2)
            }
            Opcode::CompareOp => {
                if arg >> 5 >= opargs::NUM_COMPARISONS {
                    return Err(self.bad_oparg());
                }
                let cmp = Imm::Int((arg >> 5) as i64);
                if ins.stored == Opcode::CompareOpInt {
                    return self.int_compare(arg);
                }
                if ins.stored == Opcode::CompareOpStr && [opargs::PY_EQ, opargs::PY_NE].contains(&(arg >> 5)) {
                    return self.str_compare(arg);
                }
                if let Some((kind, op)) = numeric_compare(ins.stored)
                    && self.speculate_numeric(kind, |l, a, b| {
                        let c = l.op1(op, cmp.clone(), vec![a, b]);
                        l.op1(SsaOp::Bool, Imm::None, vec![c])
                    })?
                {
                    return Ok(());
                }
                let h = match ins.stored {
                    Opcode::CompareOpInt | Opcode::CompareOpFloat => Helper::CompareOpNumeric,
                    _ => Helper::CompareOp,
                };
                self.call_push(h, vec![v(self, 1), v(self, 0), Operand::Imm(arg as i64)], 2)
            }
            Opcode::UnaryNegative => self.call_push(Helper::UnaryNegative, vec![v(self, 0)], 1),
            Opcode::UnaryInvert => self.call_push(Helper::UnaryInvert, vec![v(self, 0)], 1),
            Opcode::UnaryNot => {
                // `value is False`, as the interpreter computes it (its operand is TO_BOOL's
                // bool); a following POP_JUMP_IF branches on the test (the unbox pass drops
                // the bool).
                self.check_objects(self.depth() - 1, 1)?;
                let f = self.new_obj();
                self.fb.push(Inst::Move { dst: f, src: Operand::Singleton(crate::ir::Singleton::False) });
                let c = self.op1(SsaOp::Is, Imm::Int(0), vec![self.peek(0), f]);
                let r = self.op1(SsaOp::Bool, Imm::None, vec![c]);
                self.pop_release();
                let dst = self.push(super::Kind::Borrowed);
                self.fb.push(Inst::Move { dst, src: Operand::Var(r) });
                Ok(())
            }
            Opcode::ToBool => {
                if ins.stored == Opcode::ToBoolInt {
                    return self.int_truth();
                }
                if self.speculate_truth(ins.stored)? {
                    return Ok(());
                }
                self.call_push(Helper::ToBool, vec![v(self, 0)], 1)
            }
            Opcode::IsOp => {
                // Pointer identity, inline; a following POP_JUMP_IF branches on it directly
                // (the unbox pass drops the bool).
                self.check_objects(self.depth() - 2, 2)?;
                let c = self.op1(SsaOp::Is, Imm::Int((arg & 1) as i64), vec![self.peek(1), self.peek(0)]);
                let r = self.op1(SsaOp::Bool, Imm::None, vec![c]);
                self.pop_release_n(2);
                let dst = self.push(super::Kind::Borrowed);
                self.fb.push(Inst::Move { dst, src: Operand::Var(r) });
                Ok(())
            }
            Opcode::ContainsOp => {
                self.call_push(Helper::ContainsOp, vec![v(self, 1), v(self, 0), Operand::Imm((arg & 1) as i64)], 2)
            }
            Opcode::BinarySlice => self.call_push(Helper::BinarySlice, vec![v(self, 2), v(self, 1), v(self, 0)], 3),
            Opcode::StoreSlice => {
                self.call(Helper::StoreSlice, vec![v(self, 3), v(self, 2), v(self, 1), v(self, 0)], None)?;
                self.pop_release_n(4);
                Ok(())
            }
            Opcode::StoreSubscr => {
                if ins.stored == Opcode::StoreSubscrListInt && self.speculate_store_item()? {
                    return Ok(());
                }
                let h = if ins.stored == Opcode::StoreSubscrDict { Helper::StoreSubscrDict } else { Helper::StoreSubscr };
                self.call(h, vec![v(self, 2), v(self, 1), v(self, 0)], None)?;
                self.pop_release_n(3);
                Ok(())
            }
            Opcode::DeleteSubscr => {
                self.call(Helper::DeleteSubscr, vec![v(self, 1), v(self, 0)], None)?;
                self.pop_release_n(2);
                Ok(())
            }
            Opcode::GetLen => self.call_push(Helper::GetLen, vec![v(self, 0)], 0),
            Opcode::FormatSimple => self.call_push(Helper::FormatSimple, vec![v(self, 0)], 1),
            Opcode::FormatWithSpec => self.call_push(Helper::FormatWithSpec, vec![v(self, 1), v(self, 0)], 2),
            Opcode::ConvertValue => {
                if !(1..=opargs::FVC_LAST).contains(&arg) {
                    return Err(self.bad_oparg());
                }
                self.call_push(Helper::ConvertValue, vec![v(self, 0), Operand::Imm(arg as i64)], 1)
            }
            _ => Err(self.unsupported()),
        }
    }
}

impl Lowerer<'_> {
    /// The two operands on top of the stack, both guarded to be `kind` (the feedback of a
    /// specialised instruction), unboxed and combined by `body` into an unboxed result (or an
    /// object for comparisons), which replaces them. `false` (nothing emitted) where no frame
    /// state can be written (a handler's `lasti` on the stack).
    fn speculate_numeric(&mut self, kind: GuardKind, body: impl FnOnce(&mut Self, Var, Var) -> Var) -> Result<bool> {
        let Some(fs) = self.frame_state() else { return Ok(false) };
        let (l, r) = (self.peek(1), self.peek(0));
        self.check_objects(self.depth() - 2, 2)?;
        self.guard(kind, l, &fs);
        self.guard(kind, r, &fs);
        let unbox = if kind == GuardKind::Float { SsaOp::UnboxFloat } else { SsaOp::UnboxInt };
        let a = self.op1(unbox, Imm::None, vec![l]);
        let b = self.op1(unbox, Imm::None, vec![r]);
        let res = body(self, a, b);
        self.replace_operands(res)?;
        Ok(true)
    }

    /// Replace the two operands on top of the stack by `res`: the box of an unboxed number
    /// (which the unbox pass removes where only unboxed arithmetic and frame states use it),
    /// or an object (a comparison's bool, immortal).
    fn replace_operands(&mut self, res: Var) -> Result<()> {
        let boxed = match self.fb.var_ty(res) {
            Type::F64 => Some(Helper::BoxFloat),
            Type::I64 => Some(Helper::BoxInt),
            _ => None,
        };
        let obj = match boxed {
            Some(h) => {
                let o = self.new_obj();
                self.call(h, vec![Operand::Var(res)], Some(o))?;
                o
            }
            None => res,
        };
        self.pop_release_n(2);
        let dst = self.push(if boxed.is_some() { super::OWNED } else { super::Kind::Borrowed });
        self.fb.push(Inst::Move { dst, src: Operand::Var(obj) });
        Ok(())
    }
}

impl Lowerer<'_> {
    /// `l / r`, which the interpreter leaves unspecialised for two floats and two ints: both
    /// taken as doubles (exact floats and compact ints, deoptimising for anything else, as the
    /// int and float divisions compute it: a compact int's double is exact), divided (a zero
    /// divisor raises ZeroDivisionError), the result a float that the passes keep unboxed where
    /// only float arithmetic uses it. `false` (nothing emitted) without a frame state.
    fn speculate_true_divide(&mut self) -> Result<bool> {
        let Some(fs) = self.frame_state() else { return Ok(false) };
        self.check_objects(self.depth() - 2, 2)?;
        let (l, r) = (self.peek(1), self.peek(0));
        let x = self.to_double(l, &fs);
        let y = self.to_double(r, &fs);
        let err = self.error_block(true)?;
        let z = self.fb.new_var(Ty::F64);
        self.fb.push(Inst::Op { op: SsaOp::FDiv, imm: Imm::None, args: vec![x, y], dsts: vec![z], err: Some(err) });
        self.replace_operands(z)?;
        Ok(true)
    }

    /// `l ** c` with a float constant `c`: float's `**` (an int base is taken as its double,
    /// as int's `**` hands a float exponent to float's), by `fpow`, which deoptimises where the
    /// interpreter raises or makes a complex. `false` (nothing emitted) without a frame state.
    fn speculate_float_power(&mut self) -> Result<bool> {
        let Some(fs) = self.frame_state() else { return Ok(false) };
        self.check_objects(self.depth() - 2, 2)?;
        let (l, r) = (self.peek(1), self.peek(0));
        let x = self.to_double(l, &fs);
        let y = self.op1(SsaOp::UnboxFloat, Imm::None, vec![r]);
        let z = self.fb.new_var(Ty::F64);
        let args = self.with_stack(vec![x, y], &fs);
        self.fb.push(Inst::Op { op: SsaOp::FPow, imm: Imm::Guard(GuardKind::PowDomain, fs), args, dsts: vec![z], err: None });
        self.replace_operands(z)?;
        Ok(true)
    }

    /// An unspecialised BINARY_OP that is still most likely int arithmetic, computed as
    /// `int_arith` does (compact, then two-digit ints inline; anything else, at the cost of
    /// the failed type tests, by the generic helper): `& | ^` (their other uses, sets and
    /// bools, are rare in hot code), and `+ - *` of an int constant. The interpreter leaves
    /// them generic once an operand is past one digit (`(h * 31 + c) & 0xFFFFFFFF`), and
    /// never specialises a bit operation of two-digit ints.
    fn unspecialised_int_op(&self, oparg: u32) -> Option<SsaOp> {
        if let Some(op) = int_bit_op(oparg) {
            return Some(op);
        }
        let int_constant = self.constant_on_top(GuardKind::CompactInt);
        match opargs::nb_operator(oparg) {
            opargs::NB_ADD if int_constant => Some(SsaOp::IAdd),
            opargs::NB_SUBTRACT if int_constant => Some(SsaOp::ISub),
            opargs::NB_MULTIPLY if int_constant => Some(SsaOp::IMul),
            _ => None,
        }
    }

    /// Whether the top of the stack was pushed by the instruction just before, a constant
    /// known to pass guards of `kind` (a small int is a compact int).
    fn constant_on_top(&self, kind: GuardKind) -> bool {
        self.prev.is_some_and(|p| match p.opcode {
            Opcode::LoadSmallInt => kind == GuardKind::CompactInt,
            Opcode::LoadConst => self.info.const_kinds.get(p.oparg as usize).copied().flatten() == Some(kind),
            _ => false,
        })
    }

    /// `v` as a double (`to_double`), deoptimising to `fs` unless an exact float or a compact int.
    fn to_double(&mut self, v: Var, fs: &FrameState) -> Var {
        let x = self.fb.new_var(Ty::F64);
        let args = self.with_stack(vec![v], fs);
        self.fb.push(Inst::Op { op: SsaOp::ToDouble, imm: Imm::Guard(GuardKind::Number, fs.clone()), args, dsts: vec![x], err: None });
        x
    }

    /// `seq[i]` on top of the stack with list or tuple feedback: the sequence's type and the
    /// index guarded, the item loaded inline (deoptimising when out of bounds).
    fn speculate_item(&mut self, kind: GuardKind, index: GuardKind) -> Result<bool> {
        let Some(fs) = self.frame_state() else { return Ok(false) };
        let (seq, i) = (self.peek(1), self.peek(0));
        self.check_objects(self.depth() - 2, 2)?;
        self.guard(kind, seq, &fs);
        self.guard(GuardKind::CompactInt, i, &fs);
        let x = self.op1(SsaOp::UnboxInt, Imm::None, vec![i]);
        let item = self.new_obj();
        let args = self.with_stack(vec![seq, x], &fs);
        self.fb.push(Inst::Op { op: SsaOp::Item, imm: Imm::Guard(index, fs), args, dsts: vec![item], err: None });
        self.pop_release_n(2);
        let dst = self.push(super::OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(item) });
        Ok(true)
    }
}

impl Lowerer<'_> {
    /// `list[i] = v` (stack: v, list, i) with list feedback: the list's type and the index
    /// guarded, the item replaced inline (deoptimising when out of bounds).
    fn speculate_store_item(&mut self) -> Result<bool> {
        let Some(fs) = self.frame_state() else { return Ok(false) };
        self.check_objects(self.depth() - 3, 3)?;
        let (v, seq, i) = (self.peek(2), self.peek(1), self.peek(0));
        self.guard(GuardKind::List, seq, &fs);
        self.guard(GuardKind::CompactInt, i, &fs);
        let x = self.op1(SsaOp::UnboxInt, Imm::None, vec![i]);
        // The list takes a reference of the value's own.
        self.make_owned(self.depth() - 3);
        let fs = self.frame_state().expect("as above");
        let args = self.with_stack(vec![seq, x, v], &fs);
        self.fb.push(Inst::Op { op: SsaOp::StoreItem, imm: Imm::Guard(GuardKind::ListIndex, fs), args, dsts: vec![], err: None });
        self.pop_release();
        self.pop_release();
        self.pop_keep();
        Ok(true)
    }
}

impl Lowerer<'_> {
    /// TO_BOOL with the interpreter's feedback (a bool, None, an int or a list): the value's
    /// type guarded, its truth computed inline.
    fn speculate_truth(&mut self, stored: Opcode) -> Result<bool> {
        let (kind, truth) = match stored {
            Opcode::ToBoolBool => (GuardKind::Bool, None),
            Opcode::ToBoolNone => (GuardKind::None, None),
            Opcode::ToBoolList => (GuardKind::List, Some(SsaOp::SizeTruth)),
            _ => return Ok(false),
        };
        let Some(fs) = self.frame_state() else { return Ok(false) };
        self.check_objects(self.depth() - 1, 1)?;
        let v = self.peek(0);
        self.guard(kind, v, &fs);
        let r = match (kind, truth) {
            // A bool is its own truth: the stack is unchanged.
            (GuardKind::Bool, _) => return Ok(true),
            (_, Some(op)) => {
                let c = self.op1(op, Imm::None, vec![v]);
                Operand::Var(self.op1(SsaOp::Bool, Imm::None, vec![c]))
            }
            _ => Operand::Singleton(crate::ir::Singleton::False),
        };
        self.pop_release();
        let dst = self.push(super::Kind::Borrowed);
        self.fb.push(Inst::Move { dst, src: r });
        Ok(true)
    }
}

/// Int and str operations with the interpreter's feedback (BINARY_OP_{ADD,SUBTRACT,MULTIPLY}_INT,
/// COMPARE_OP_INT, TO_BOOL_INT, COMPARE_OP_STR) test their operands instead of guarding them:
/// compact ints (exact strs) take the inline path, anything else the generic helper, as the
/// interpreter's specialised instruction falls back to the generic one for that execution
/// only (its DEOPT_IF). Ints outgrow one digit in ordinary code (sums, hashes, counters); a
/// guard would leave the rest of the call to the interpreter each time one did.
impl Lowerer<'_> {
    /// Branch on whether the top `n` stack values all pass `test` (`is_compact_int`,
    /// `is_str`): returns the block where they do (current on return) and the one where one
    /// does not.
    fn branch_all(&mut self, n: usize, test: SsaOp) -> Result<(BlockId, BlockId)> {
        self.check_objects(self.depth() - n, n)?;
        let off = self.offset();
        let fast = self.fb.new_block(format!("fast_{off}"));
        let slow = self.fb.new_block(format!("slow_{off}"));
        for k in (0..n).rev() {
            let c = self.op1(test, Imm::None, vec![self.peek(k)]);
            let next = if k == 0 { fast } else { self.fb.new_block(format!("test_{off}")) };
            self.fb.terminate(Term::Branch { cond: Operand::Var(c), then: next, otherwise: slow });
            self.fb.switch_to(next);
        }
        Ok((fast, slow))
    }

    /// `l op r` (iadd, isub, imul, iand, ior, ixor) on the two values on top of the stack:
    /// two compact ints computed inline, then two ints of two digits at most (`medium_arith`:
    /// the interpreter's specialisations give up past one digit, and hash loops keep 32-bit
    /// values, `(h * 31 + c) & 0xFFFFFFFF`), the result a new int either way; anything else,
    /// or a medium result past 64 bits, by the generic helper.
    fn int_arith(&mut self, op: SsaOp, oparg: u32) -> Result<()> {
        let (l, r) = (self.peek(1), self.peek(0));
        let off = self.offset();
        let (_, not_compact) = self.branch_all(2, SsaOp::IsCompactInt)?;
        let res = self.new_obj();
        let a = self.op1(SsaOp::UnboxInt, Imm::None, vec![l]);
        let b = self.op1(SsaOp::UnboxInt, Imm::None, vec![r]);
        let x = self.op1(op, Imm::None, vec![a, b]);
        self.call(Helper::BoxInt, vec![Operand::Var(x)], Some(res))?;
        let compact_done = self.fb.current();
        self.fb.switch_to(not_compact);
        let slow = self.fb.new_block(format!("slow_{off}"));
        for v in [l, r] {
            let medium = self.op1(SsaOp::IsMediumInt, Imm::None, vec![v]);
            let next = self.fb.new_block(format!("medium_{off}"));
            self.fb.terminate(Term::Branch { cond: Operand::Var(medium), then: next, otherwise: slow });
            self.fb.switch_to(next);
        }
        let a = self.op1(SsaOp::UnboxMediumInt, Imm::None, vec![l]);
        let b = self.op1(SsaOp::UnboxMediumInt, Imm::None, vec![r]);
        let [fits, x] = [Ty::Int, Ty::I64].map(|t| self.fb.new_var(t));
        let nb = opargs::nb_operator(oparg);
        self.fb.push(Inst::Op { op: SsaOp::MediumArith, imm: Imm::Int(nb as i64), args: vec![a, b], dsts: vec![fits, x], err: None });
        let fitting = self.fb.new_block(format!("medium_fits_{off}"));
        self.fb.terminate(Term::Branch { cond: Operand::Var(fits), then: fitting, otherwise: slow });
        self.fb.switch_to(fitting);
        self.call(Helper::BoxInt, vec![Operand::Var(x)], Some(res))?;
        self.arith_or_generic(res, slow, oparg, &[compact_done])
    }

    /// `l // r` or `l % r` (`op`: ifloordiv, imod) outside a run of arithmetic (int_chain.rs):
    /// with no feedback to go by (the interpreter never specialises them), two compact ints
    /// are divided inline, as the interpreter's `long_div` and `long_mod` would; anything else,
    /// a zero divisor included (the generic helper raises), takes the generic helper. A str on
    /// the left (`%` formatting) costs one failed type test.
    fn int_divmod(&mut self, op: SsaOp, oparg: u32) -> Result<()> {
        let (l, r) = (self.peek(1), self.peek(0));
        let (_, slow) = self.branch_all(2, SsaOp::IsCompactInt)?;
        let a = self.op1(SsaOp::UnboxInt, Imm::None, vec![l]);
        let b = self.op1(SsaOp::UnboxInt, Imm::None, vec![r]);
        let x = self.divide_unless_zero(op, a, b, false, slow)?;
        let res = self.new_obj();
        self.call(Helper::BoxInt, vec![Operand::Var(x)], Some(res))?;
        self.arith_or_generic(res, slow, oparg, &[])
    }

    /// BINARY_OP_EXTEND's `l op r` (fadd, fsub, fmul, fdiv) on a float and a compact int (or
    /// two floats): both as doubles, the result a new float; the generic helper for anything
    /// else, and for a zero divisor (it raises).
    fn mixed_arith(&mut self, op: SsaOp, oparg: u32) -> Result<()> {
        self.check_objects(self.depth() - 2, 2)?;
        let (l, r) = (self.peek(1), self.peek(0));
        let off = self.offset();
        let divides = op == SsaOp::FDiv;
        let (ok, x, y) = self.as_doubles(l, r, divides);
        let (fast, slow) = (self.fb.new_block(format!("fast_{off}")), self.fb.new_block(format!("slow_{off}")));
        self.fb.terminate(Term::Branch { cond: Operand::Var(ok), then: fast, otherwise: slow });
        self.fb.switch_to(fast);
        let z = if divides { self.divide_unless_zero(op, x, y, true, slow)? } else { self.op1(op, Imm::None, vec![x, y]) };
        let res = self.new_obj();
        self.call(Helper::BoxFloat, vec![Operand::Var(z)], Some(res))?;
        self.arith_or_generic(res, slow, oparg, &[])
    }

    /// The division `op` of `a` by `b` (doubles if `float`, else i64s), where `b` is not zero:
    /// a zero divisor goes to `slow`, the generic operation, which raises.
    fn divide_unless_zero(&mut self, op: SsaOp, a: Var, b: Var, float: bool, slow: BlockId) -> Result<Var> {
        let is_zero = self.is_zero(b, float, &mut None);
        let next = self.fb.new_block(format!("nonzero_{}", self.offset()));
        self.fb.terminate(Term::Branch { cond: Operand::Var(is_zero), then: slow, otherwise: next });
        self.fb.switch_to(next);
        // (Its ZeroDivisionError edge is never taken: the divisor is not zero.)
        let err = self.error_block(true)?;
        let x = self.fb.new_var(if float { Ty::F64 } else { Ty::I64 });
        self.fb.push(Inst::Op { op, imm: Imm::None, args: vec![a, b], dsts: vec![x], err: Some(err) });
        Ok(x)
    }

    /// `as_doubles` of `l` and `r` (`any`: its immediate, for true division): (whether they
    /// are such numbers, their doubles).
    pub(super) fn as_doubles(&mut self, l: Var, r: Var, any: bool) -> (Var, Var, Var) {
        let [ok, x, y] = [Ty::Int, Ty::F64, Ty::F64].map(|t| self.fb.new_var(t));
        self.fb.push(Inst::Op { op: SsaOp::AsDoubles, imm: Imm::Int(any as i64), args: vec![l, r], dsts: vec![ok, x, y], err: None });
        (ok, x, y)
    }

    /// The end of an inline arithmetic path that left its result in `res` (and of the paths
    /// `also` ends, still open, that did too): `slow` computes it with the generic helper, all
    /// join, and the result replaces the operands.
    fn arith_or_generic(&mut self, res: Var, slow: BlockId, oparg: u32, also: &[BlockId]) -> Result<()> {
        let (l, r) = (self.peek(1), self.peek(0));
        let join = self.fb.new_block(format!("join_{}", self.offset()));
        self.fb.terminate(Term::Jump(join));
        for &b in also {
            self.fb.terminate_at(b, Term::Jump(join));
        }
        self.fb.switch_to(slow);
        self.call(Helper::BinaryOp, vec![Operand::Var(l), Operand::Var(r), Operand::Imm(oparg as i64)], Some(res))?;
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(join);
        self.pop_release_n(2);
        let dst = self.push(super::OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(res) });
        Ok(())
    }

    /// COMPARE_OP_INT: the values of two compact ints compared inline.
    fn int_compare(&mut self, oparg: u32) -> Result<()> {
        self.compare_or_generic(oparg, SsaOp::IsCompactInt, |l, a, b| {
            let x = l.op1(SsaOp::UnboxInt, Imm::None, vec![a]);
            let y = l.op1(SsaOp::UnboxInt, Imm::None, vec![b]);
            Ok(l.op1(SsaOp::ICmp, Imm::Int((oparg >> 5) as i64), vec![x, y]))
        })
    }

    /// COMPARE_OP_STR (`==` and `!=` only): two exact strs compared by `str_compare`.
    pub(super) fn str_compare(&mut self, oparg: u32) -> Result<()> {
        self.compare_or_generic(oparg, SsaOp::IsStr, |l, a, b| {
            let c = l.fb.new_var(Ty::Int);
            l.call(Helper::StrCompare, vec![Operand::Var(a), Operand::Var(b), Operand::Imm((oparg >> 5) as i64)], Some(c))?;
            Ok(c)
        })
    }

    /// A comparison whose operands, when both pass `test`, `fast` compares to a C truth value;
    /// otherwise the generic COMPARE_OP. With the bool bit (a comparison feeding a branch: the
    /// result is `True` or `False` whatever the operands) both paths make a C truth value, so
    /// the branch that follows tests it directly; without, both make the result object.
    fn compare_or_generic(
        &mut self,
        oparg: u32,
        test: SsaOp,
        fast: impl FnOnce(&mut Self, Var, Var) -> Result<Var>,
    ) -> Result<()> {
        let (l, r) = (self.peek(1), self.peek(0));
        let (_, slow) = self.branch_all(2, test)?;
        let join = self.fb.new_block(format!("join_{}", self.offset()));
        let c = fast(self, l, r)?;
        let generic = vec![Operand::Var(l), Operand::Var(r), Operand::Imm(oparg as i64)];
        let (res, kind) = if oparg & opargs::COMPARE_TO_BOOL != 0 {
            let t = self.fb.new_var(Ty::Int);
            self.fb.push(Inst::Move { dst: t, src: Operand::Var(c) });
            self.fb.terminate(Term::Jump(join));
            self.fb.switch_to(slow);
            let o = self.new_obj();
            self.call(Helper::CompareOp, generic, Some(o))?;
            self.truth_of_bool(o, t);
            self.fb.push(Inst::Decref(o));
            self.fb.terminate(Term::Jump(join));
            self.fb.switch_to(join);
            (self.op1(SsaOp::Bool, Imm::None, vec![t]), super::Kind::Borrowed)
        } else {
            // The bool is immortal: the reference taken is for the join's uniform ownership.
            let o = self.new_obj();
            let bool_obj = self.op1(SsaOp::Bool, Imm::None, vec![c]);
            self.fb.push(Inst::Move { dst: o, src: Operand::Var(bool_obj) });
            self.fb.push(Inst::Incref(o));
            self.fb.terminate(Term::Jump(join));
            self.fb.switch_to(slow);
            self.call(Helper::CompareOp, generic, Some(o))?;
            self.fb.terminate(Term::Jump(join));
            self.fb.switch_to(join);
            (o, super::OWNED)
        };
        self.pop_release_n(2);
        let dst = self.push(kind);
        self.fb.push(Inst::Move { dst, src: Operand::Var(res) });
        Ok(())
    }

    /// TO_BOOL_INT: a compact int is true unless zero; anything else through `to_bool`.
    fn int_truth(&mut self) -> Result<()> {
        let v = self.peek(0);
        let (_, slow) = self.branch_all(1, SsaOp::IsCompactInt)?;
        let join = self.fb.new_block(format!("join_{}", self.offset()));
        let t = self.fb.new_var(Ty::Int);
        let c = self.op1(SsaOp::IntTruth, Imm::None, vec![v]);
        self.fb.push(Inst::Move { dst: t, src: Operand::Var(c) });
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(slow);
        let o = self.new_obj();
        self.call(Helper::ToBool, vec![Operand::Var(v)], Some(o))?;
        self.truth_of_bool(o, t);
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(join);
        let b = self.op1(SsaOp::Bool, Imm::None, vec![t]);
        self.pop_release();
        let dst = self.push(super::Kind::Borrowed);
        self.fb.push(Inst::Move { dst, src: Operand::Var(b) });
        Ok(())
    }

    /// `t = (o is True)` for a bool `o`.
    fn truth_of_bool(&mut self, o: Var, t: Var) {
        let true_ = self.new_obj();
        self.fb.push(Inst::Move { dst: true_, src: Operand::Singleton(crate::ir::Singleton::True) });
        let c = self.op1(SsaOp::Is, Imm::Int(0), vec![o, true_]);
        self.fb.push(Inst::Move { dst: t, src: Operand::Var(c) });
    }
}
