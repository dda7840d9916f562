//! Runs of arithmetic lowered as a whole: the values computed in machine words, only the result
//! boxed.
//!
//! Lowered one instruction at a time (`ops.rs`, `int_arith`), `s * (s + 1) // 2 + i + 1` tests
//! its operands, computes inline and boxes its result at each of its five operations, and the
//! next operation tests and unboxes that box again: the inline and the generic path meet after
//! each operation, and what the inline path knew is lost there. Past the small ints each box is
//! an allocation.
//!
//! Here a run of loads and arithmetic that leaves one value on the stack is lowered as a whole.
//! The loaded values are tested once (compact ints; constants and small ints are known), the
//! operations run on their values (i64, f64 once a float constant or `/` enters), and the
//! result alone is boxed. Anything else (a value that is not a compact int, a zero divisor)
//! takes the run lowered instruction by instruction from its start. That redoes what the inline
//! path computed, which is sound because nothing it did is visible: it only reads, and writes no
//! memory. The sequence of operations, results and exceptions is the generic path's, that is
//! the interpreter's.
//!
//! A run: loads (`LOAD_FAST`, `LOAD_FAST_BORROW`, their pairs, `LOAD_SMALL_INT`, `LOAD_CONST` of
//! a float or compact int) and BINARY_OPs `+ - * // % /` (and their in-place forms) with int
//! feedback, `BINARY_OP_EXTEND` or none; values already on the stack may be operands; in one
//! block of the CFG. It ends with one value on top of what the stack held below its operands
//! (at least two operations), with that value stored by `STORE_FAST` (at least one: `j += 1`),
//! the store then in the block of the box, or with a `COMPARE_OP` of two values it computed or
//! loaded (at least one operation: `n % 2 == 0`), whose bool is the result.
//!
//! Exactness. Int values stay below 2**62 in magnitude, so the words never overflow: a compact
//! int is below 2**30, a sum or difference one bit above the larger operand, a product the sum
//! of the operands' bits, a floor quotient no larger than the dividend (smaller by a constant
//! divisor's bits), a remainder below the divisor; a run is cut before an operation that could
//! pass that. `/` of two ints only below 2**53, where CPython's `long_true_divide` divides the
//! exact doubles; an int meeting a float becomes the nearest double, as `PyLong_AsDouble` makes
//! it (exact in this range or rounded the same way). `//` and `%` of floats are not taken.
use std::collections::HashMap;

use bytecode_cfg::opargs::{
    nb_operator, NB_ADD, NB_AND, NB_FLOOR_DIVIDE, NB_MULTIPLY, NB_OPARG_LAST, NB_OR, NB_REMAINDER, NB_SUBTRACT,
    NB_TRUE_DIVIDE, NB_XOR, NUM_COMPARISONS, PY_EQ, SMALL_INT_LIMIT,
};
use bytecode_cfg::{Instr, Opcode};

use super::{Kind, LowerError, Lowerer, Result, StackMismatch, OWNED};
use crate::helpers::Helper;
use crate::ir::{Inst, Operand, Term, Var};
use crate::ssa::{GuardKind, Imm, Opcode as SsaOp};

/// Largest magnitude (in bits) of an int value in a run.
const MAX_BITS: u32 = 62;
/// Largest magnitude of an int converted for an int-by-int `/`.
const EXACT_DOUBLE_BITS: u32 = 53;

/// What a value of the run is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    /// An int below 2**bits in magnitude, and its value if a constant.
    Int { bits: u32, value: Option<i64> },
    /// A float.
    Float,
    /// `True` or `False` (a comparison's result, the run's last).
    Bool,
}

/// Where a loaded value comes from.
#[derive(Clone, Copy, Debug)]
enum Leaf {
    /// The stack slot at this depth (there before the run).
    Stack(usize),
    /// A local slot.
    Local(u32),
    /// `LOAD_SMALL_INT`.
    Small(u32),
    /// `co_consts[i]`.
    Const(u32),
}

#[derive(Clone, Copy, Debug)]
enum Node {
    Leaf(Leaf),
    /// `BINARY_OP` with this operator (`NB_*`, in-place forms mapped to their plain one) on
    /// nodes `a` and `b`.
    Op { op: u32, a: usize, b: usize },
    /// `COMPARE_OP` with this comparison (`oparg >> 5`) of nodes `a` and `b`.
    Cmp { cmp: u32, a: usize, b: usize },
}

/// A run found by [`scan`].
#[derive(Clone, Debug)]
pub(super) struct Chain {
    /// Instructions it covers.
    pub len: usize,
    /// Values in evaluation order; the last is the result.
    nodes: Vec<(Node, Num)>,
    /// Stack values below the run's start it takes as operands.
    pub externals: usize,
    /// The local a final `STORE_FAST` stores the result into (else it stays on the stack).
    store: Option<u32>,
}

fn bits_of(v: i64) -> u32 {
    64 - v.unsigned_abs().leading_zeros()
}

/// The result of `a op b`, if the run can compute it exactly.
fn combine(op: u32, a: Num, b: Num) -> Option<Num> {
    use Num::{Float, Int};
    let int = |bits: u32| (bits <= MAX_BITS).then_some(Int { bits, value: None });
    if a == Num::Bool || b == Num::Bool {
        return None;
    }
    match (op, a, b) {
        (NB_ADD | NB_SUBTRACT, Int { bits: x, .. }, Int { bits: y, .. }) => int(x.max(y) + 1),
        (NB_MULTIPLY, Int { bits: x, .. }, Int { bits: y, .. }) => int(x + y),
        (NB_FLOOR_DIVIDE, Int { bits: x, .. }, Int { value, .. }) => {
            int(x - value.filter(|v| *v > 0).map_or(0, |v| bits_of(v) - 1).min(x))
        }
        (NB_REMAINDER, Int { .. }, Int { bits: y, .. }) => int(y),
        // `x & c` with `c >= 0` is in 0..=c; otherwise two's complement keeps the result
        // within one bit of the wider operand (`-3 & -2 == -4`).
        (NB_AND, Int { value: Some(c), .. }, Int { .. }) | (NB_AND, Int { .. }, Int { value: Some(c), .. }) if c >= 0 => {
            int(bits_of(c))
        }
        (NB_AND | NB_OR | NB_XOR, Int { bits: x, .. }, Int { bits: y, .. }) => int(x.max(y) + 1),
        (NB_TRUE_DIVIDE, Int { bits: x, .. }, Int { bits: y, .. }) => {
            (x <= EXACT_DOUBLE_BITS && y <= EXACT_DOUBLE_BITS).then_some(Float)
        }
        (NB_ADD | NB_SUBTRACT | NB_MULTIPLY | NB_TRUE_DIVIDE, _, _) => Some(Float),
        _ => None,
    }
}

/// A value the run tests before taking it for an int (a local or a stack value).
fn assumed(n: &Node) -> bool {
    matches!(n, Node::Leaf(Leaf::Local(_) | Leaf::Stack(_)))
}

/// The longest run starting at `instrs[0]` (the rest of its CFG block) with `depth` values on
/// the stack, if one has at least two operations.
pub(super) fn scan(instrs: &[Instr], depth: usize, const_kinds: &[Option<GuardKind>]) -> Option<Chain> {
    let compact = Num::Int { bits: 30, value: None };
    let mut nodes: Vec<(Node, Num)> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut externals = 0;
    let mut ops = 0;
    let mut best = None;
    let leaf = |nodes: &mut Vec<(Node, Num)>, stack: &mut Vec<usize>, l: Leaf, n: Num| {
        nodes.push((Node::Leaf(l), n));
        stack.push(nodes.len() - 1);
    };
    for (k, ins) in instrs.iter().enumerate() {
        let arg = ins.oparg;
        match ins.opcode {
            Opcode::LoadFast | Opcode::LoadFastBorrow => leaf(&mut nodes, &mut stack, Leaf::Local(arg), compact),
            Opcode::LoadFastLoadFast | Opcode::LoadFastBorrowLoadFastBorrow => {
                leaf(&mut nodes, &mut stack, Leaf::Local(arg >> 4), compact);
                leaf(&mut nodes, &mut stack, Leaf::Local(arg & 15), compact);
            }
            Opcode::LoadSmallInt if arg < SMALL_INT_LIMIT => {
                let n = Num::Int { bits: bits_of(arg as i64), value: Some(arg as i64) };
                leaf(&mut nodes, &mut stack, Leaf::Small(arg), n);
            }
            Opcode::LoadConst => match const_kinds.get(arg as usize).copied().flatten() {
                Some(GuardKind::Float) => leaf(&mut nodes, &mut stack, Leaf::Const(arg), Num::Float),
                Some(GuardKind::CompactInt) => leaf(&mut nodes, &mut stack, Leaf::Const(arg), compact),
                _ => break,
            },
            // A comparison of what the run computed ends it (`n % 2 == 0`): the comparison
            // is exact on ints, and on an int and a float where the int converts exactly.
            Opcode::CompareOp
                if ops >= 1
                    && stack.len() == 2
                    && arg >> 5 < NUM_COMPARISONS
                    && matches!(ins.stored, Opcode::CompareOp | Opcode::CompareOpInt | Opcode::CompareOpFloat) =>
            {
                let (b, a) = (stack[1], stack[0]);
                if ins.stored != Opcode::CompareOpInt && (assumed(&nodes[a].0) || assumed(&nodes[b].0)) {
                    break;
                }
                let exact = |n: Num| match n {
                    Num::Int { bits, .. } => bits <= EXACT_DOUBLE_BITS,
                    Num::Float => true,
                    Num::Bool => false,
                };
                let (na, nb) = (nodes[a].1, nodes[b].1);
                let ints = matches!((na, nb), (Num::Int { .. }, Num::Int { .. }));
                if !(ints || (exact(na) && exact(nb))) {
                    break;
                }
                nodes.push((Node::Cmp { cmp: arg >> 5, a, b }, Num::Bool));
                best = Some(Chain { len: k + 1, nodes: nodes.clone(), externals, store: None });
                break;
            }
            Opcode::BinaryOp
                if arg <= NB_OPARG_LAST
                    && matches!(
                        ins.stored,
                        Opcode::BinaryOp
                            | Opcode::BinaryOpAddInt
                            | Opcode::BinaryOpSubtractInt
                            | Opcode::BinaryOpMultiplyInt
                            | Opcode::BinaryOpExtend
                    ) =>
            {
                let mut operand = |nodes: &mut Vec<(Node, Num)>| match stack.pop() {
                    Some(i) => Some(i),
                    None if externals < depth => {
                        externals += 1;
                        nodes.push((Node::Leaf(Leaf::Stack(depth - externals)), compact));
                        Some(nodes.len() - 1)
                    }
                    None => None,
                };
                let (Some(b), Some(a)) = (operand(&mut nodes), operand(&mut nodes)) else { break };
                // A loaded value is taken for an int only where the interpreter saw ints (int
                // feedback; BINARY_OP_EXTEND's int side) or for `//` and `%` without feedback;
                // elsewhere (a float's `/`, a str's `+`) the test would always send the run to
                // its generic path, and hide from the passes what they know of the value.
                let bit_op = matches!(nb_operator(arg), NB_AND | NB_OR | NB_XOR);
                let int_evidence = ins.stored != Opcode::BinaryOp
                    || matches!(nb_operator(arg), NB_FLOOR_DIVIDE | NB_REMAINDER);
                if !int_evidence && (assumed(&nodes[a].0) || assumed(&nodes[b].0)) {
                    break;
                }
                // BINARY_OP_EXTEND of an arithmetic operator saw a float with a compact int: a
                // run takes it only where one operand is known to be the float (of a bit
                // operator, two compact ints).
                if ins.stored == Opcode::BinaryOpExtend && !bit_op && nodes[a].1 != Num::Float && nodes[b].1 != Num::Float {
                    break;
                }
                let op = nb_operator(arg);
                let Some(n) = combine(op, nodes[a].1, nodes[b].1) else { break };
                nodes.push((Node::Op { op, a, b }, n));
                stack.push(nodes.len() - 1);
                ops += 1;
                if stack.len() == 1 {
                    if ops >= 2 {
                        best = Some(Chain { len: k + 1, nodes: nodes.clone(), externals, store: None });
                    }
                    // Stored into a local, one operation is a run: the box, made in the block
                    // of the store, can then reuse the int the local held (`box_int_into`).
                    if let Some(next) = instrs.get(k + 1).filter(|i| i.opcode == Opcode::StoreFast) {
                        best = Some(Chain { len: k + 2, nodes: nodes.clone(), externals, store: Some(next.oparg) });
                    }
                }
            }
            _ => break,
        }
    }
    best
}

impl<'a> Lowerer<'a> {
    /// Lower the run `instrs` ([`scan`]'s `chain`): see the module documentation.
    pub(super) fn lower_chain(&mut self, instrs: &'a [Instr], chain: Chain) -> Result<()> {
        let last = &instrs[chain.len - 1];
        let s0 = self.stack.clone();
        let depth = s0.len();
        let base = depth - chain.externals;
        let off = last.byte_offset();
        let slow = self.fb.new_block(format!("run_slow_{off}"));
        let join = self.fb.new_block(format!("run_join_{off}"));

        // The objects loaded, each tested unless its kind is known.
        let mut locals: HashMap<u32, Var> = HashMap::new();
        let mut objs: Vec<Option<Var>> = Vec::with_capacity(chain.nodes.len());
        for (node, num) in &chain.nodes {
            let Node::Leaf(leaf) = *node else {
                objs.push(None);
                continue;
            };
            let (v, test) = match leaf {
                Leaf::Stack(d) => (Self::slot(d), true),
                Leaf::Local(k) => {
                    let k = self.check_index(k, self.info.nlocalsplus)?;
                    if let Some(&v) = locals.get(&k) {
                        (v, false)
                    } else {
                        let v = self.new_obj();
                        self.fb.push(Inst::LoadLocal { dst: v, index: k });
                        locals.insert(k, v);
                        (v, true)
                    }
                }
                Leaf::Small(n) => (self.constant(Operand::SmallInt(n)), false),
                Leaf::Const(k) => (self.constant(Operand::Const(self.check_index(k, self.info.nconsts)?)), false),
            };
            if test {
                debug_assert!(matches!(num, Num::Int { .. }));
                let c = self.op1(SsaOp::IsCompactInt, Imm::None, vec![v]);
                let next = self.fb.new_block(format!("run_test_{off}"));
                self.fb.terminate(Term::Branch { cond: Operand::Var(c), then: next, otherwise: slow });
                self.fb.switch_to(next);
            }
            objs.push(Some(v));
        }

        // The values, in order; an operation's error edge (a zero divisor, tested before) is
        // the one of its instruction.
        let ops: Vec<&'a Instr> = instrs[..chain.len].iter().filter(|i| i.opcode == Opcode::BinaryOp).collect();
        let mut ops = ops.into_iter();
        let mut vals: Vec<Var> = Vec::with_capacity(chain.nodes.len());
        let mut zero: Option<Var> = None;
        for (k, (node, num)) in chain.nodes.iter().enumerate() {
            let v = match *node {
                Node::Leaf(_) => {
                    let o = objs[k].expect("a leaf has its object");
                    let unbox = if *num == Num::Float { SsaOp::UnboxFloat } else { SsaOp::UnboxInt };
                    debug_assert!(*num != Num::Bool, "a leaf is a number");
                    self.op1(unbox, Imm::None, vec![o])
                }
                Node::Cmp { cmp, a, b } => {
                    let (na, nb) = (chain.nodes[a].1, chain.nodes[b].1);
                    let c = if matches!((na, nb), (Num::Int { .. }, Num::Int { .. })) {
                        self.op1(SsaOp::ICmp, Imm::Int(cmp as i64), vec![vals[a], vals[b]])
                    } else {
                        let (x, y) = (self.as_f64(vals[a], na), self.as_f64(vals[b], nb));
                        self.op1(SsaOp::FCmp, Imm::Int(cmp as i64), vec![x, y])
                    };
                    self.op1(SsaOp::Bool, Imm::None, vec![c])
                }
                Node::Op { op, a, b } => {
                    let ins = ops.next().expect("one instruction per operation");
                    self.ins = Some(ins);
                    let float = *num == Num::Float;
                    let (x, y) = if float {
                        (self.as_f64(vals[a], chain.nodes[a].1), self.as_f64(vals[b], chain.nodes[b].1))
                    } else {
                        (vals[a], vals[b])
                    };
                    let nonzero = matches!(chain.nodes[b].1, Num::Int { value: Some(v), .. } if v != 0);
                    if matches!(op, NB_FLOOR_DIVIDE | NB_REMAINDER | NB_TRUE_DIVIDE) && !nonzero {
                        // A zero divisor raises: the generic path raises it.
                        let is_zero = self.is_zero(y, float, &mut zero);
                        let next = self.fb.new_block(format!("run_nonzero_{}", ins.byte_offset()));
                        self.fb.terminate(Term::Branch { cond: Operand::Var(is_zero), then: slow, otherwise: next });
                        self.fb.switch_to(next);
                    }
                    let sop = match (op, float) {
                        (NB_ADD, false) => SsaOp::IAdd,
                        (NB_SUBTRACT, false) => SsaOp::ISub,
                        (NB_MULTIPLY, false) => SsaOp::IMul,
                        (NB_FLOOR_DIVIDE, false) => SsaOp::IFloorDiv,
                        (NB_REMAINDER, false) => SsaOp::IMod,
                        (NB_AND, false) => SsaOp::IAnd,
                        (NB_OR, false) => SsaOp::IOr,
                        (NB_XOR, false) => SsaOp::IXor,
                        (NB_ADD, true) => SsaOp::FAdd,
                        (NB_SUBTRACT, true) => SsaOp::FSub,
                        (NB_MULTIPLY, true) => SsaOp::FMul,
                        (NB_TRUE_DIVIDE, true) => SsaOp::FDiv,
                        _ => unreachable!("combine() takes no other operation"),
                    };
                    if sop.info().effects.contains(crate::ssa::Effects::RAISES) {
                        let err = self.error_block(true)?;
                        let ty = if float { crate::helpers::Ty::F64 } else { crate::helpers::Ty::I64 };
                        let d = self.fb.new_var(ty);
                        self.fb.push(Inst::Op { op: sop, imm: Imm::None, args: vec![x, y], dsts: vec![d], err: Some(err) });
                        d
                    } else {
                        self.op1(sop, Imm::None, vec![x, y])
                    }
                }
            };
            vals.push(v);
        }

        // The result boxed (a MemoryError is the last operation's), the operands taken from
        // the stack released, the result pushed.
        self.ins = Some(last);
        self.save_ip();
        let value = *vals.last().expect("a run has values");
        let res = self.new_obj();
        match chain.nodes.last().expect("a run has operations").1 {
            // The stack holds an owned reference on both paths (see below); a bool's is free.
            Num::Bool => {
                self.fb.push(Inst::Move { dst: res, src: Operand::Var(value) });
                self.fb.push(Inst::Incref(res));
            }
            Num::Float => self.call(Helper::BoxFloat, vec![Operand::Var(value)], Some(res))?,
            Num::Int { .. } => self.call(Helper::BoxInt, vec![Operand::Var(value)], Some(res))?,
        }
        // The stack is still the run's start (`s0`): its operands are the top `externals`.
        self.pop_release_n(chain.externals);
        let dst = self.push(OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(res) });
        if let Some(k) = chain.store {
            self.ins = Some(&instrs[chain.len - 1]);
            self.save_ip();
            let k = self.check_index(k, self.info.nlocalsplus)?;
            self.store_fast(k)?;
        }
        let fast_stack = std::mem::replace(&mut self.stack, s0);
        self.fb.terminate(Term::Jump(join));

        // The generic path: the run's instructions one by one.
        self.fb.switch_to(slow);
        for ins in &instrs[..chain.len] {
            self.ins = Some(ins);
            self.check_depth(ins.byte_offset(), ins.depth)?;
            self.lower_instr(ins)?;
        }
        // A comparison's bool may be left borrowed by its lowering: owned, as on the inline path.
        if self.fb.is_open() && self.stack.len() == base + 1 {
            self.make_owned(base);
        }
        // Both paths must leave the stack as the instructions do.
        let inconsistent = |what| LowerError::InconsistentStack { offset: off, what };
        if !self.fb.is_open() || self.stack.len() != fast_stack.len() {
            let what = StackMismatch::Depth { lowered: fast_stack.len() as u32, cfg: self.stack.len() as u32 };
            return Err(inconsistent(what));
        }
        if let Some(d) = (0..self.stack.len()).find(|&d| self.stack[d] != fast_stack[d]) {
            return Err(inconsistent(StackMismatch::SlotKind { slot: d as u32 }));
        }
        self.fb.terminate(Term::Jump(join));
        self.fb.switch_to(join);
        Ok(())
    }

    /// A constant object in a new variable (borrowed: immortal, or kept by the code object).
    fn constant(&mut self, src: Operand) -> Var {
        let v = self.new_obj();
        self.fb.push(Inst::Move { dst: v, src });
        v
    }

    /// `v` (of kind `n`) as a double.
    fn as_f64(&mut self, v: Var, n: Num) -> Var {
        match n {
            Num::Int { .. } => self.op1(SsaOp::IToF, Imm::None, vec![v]),
            Num::Float | Num::Bool => v,
        }
    }

    /// Whether the stack slots a run would take as operands all hold objects.
    pub(super) fn chain_operands_are_objects(&self, chain: &Chain) -> bool {
        self.stack[self.stack.len() - chain.externals..].iter().all(|k| *k != Kind::TagInt)
    }
}

impl Lowerer<'_> {
    /// Whether the unboxed divisor `y` (a double when `float`, else an int) is zero: 1 or 0.
    /// `zero` keeps the unboxed 0 made for the first test of a run.
    pub(super) fn is_zero(&mut self, y: Var, float: bool, zero: &mut Option<Var>) -> Var {
        let z = match *zero {
            Some(z) => z,
            None => {
                let o = self.constant(Operand::SmallInt(0));
                *zero.insert(self.op1(SsaOp::UnboxInt, Imm::None, vec![o]))
            }
        };
        let (cmp, z) = if float { (SsaOp::FCmp, self.op1(SsaOp::IToF, Imm::None, vec![z])) } else { (SsaOp::ICmp, z) };
        self.op1(cmp, Imm::Int(PY_EQ as i64), vec![y, z])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ins(opcode: Opcode, stored: Opcode, oparg: u32) -> Instr {
        Instr { offset: 0, start: 0, opcode, stored, oparg, caches: 0, line: None, depth: 0 }
    }
    fn plain(opcode: Opcode, oparg: u32) -> Instr {
        ins(opcode, opcode, oparg)
    }

    #[test]
    fn a_run_ends_at_its_last_operation_with_one_value() {
        // s * (s + 1) // 2, then a load that is not part of it.
        let code = [
            plain(Opcode::LoadFastBorrow, 0),
            plain(Opcode::LoadFastBorrow, 0),
            plain(Opcode::LoadSmallInt, 1),
            ins(Opcode::BinaryOp, Opcode::BinaryOpAddInt, NB_ADD),
            ins(Opcode::BinaryOp, Opcode::BinaryOpMultiplyInt, NB_MULTIPLY),
            plain(Opcode::LoadSmallInt, 2),
            plain(Opcode::BinaryOp, NB_FLOOR_DIVIDE),
            plain(Opcode::LoadFastBorrow, 1),
            plain(Opcode::ReturnValue, 0),
        ];
        let c = scan(&code, 0, &[]).expect("a run");
        assert_eq!((c.len, c.externals, c.store), (7, 0, None));
        assert_eq!(c.nodes.last().unwrap().1, Num::Int { bits: 60, value: None });
    }

    #[test]
    fn loaded_values_are_taken_for_ints_only_with_evidence() {
        // `a / b` and `a + b` without feedback on loaded values: no run (they may well be
        // floats or strs); `a % 2 == 0` is one.
        for op in [NB_TRUE_DIVIDE, NB_ADD] {
            let code = [
                plain(Opcode::LoadFastBorrow, 0),
                plain(Opcode::LoadFastBorrow, 1),
                plain(Opcode::BinaryOp, op),
                plain(Opcode::StoreFast, 2),
            ];
            assert!(scan(&code, 0, &[]).is_none(), "{op}");
        }
        let code = [
            plain(Opcode::LoadFastBorrow, 0),
            plain(Opcode::LoadSmallInt, 2),
            plain(Opcode::BinaryOp, NB_REMAINDER),
            plain(Opcode::LoadSmallInt, 0),
            ins(Opcode::CompareOp, Opcode::CompareOpInt, PY_EQ << 5 | 16),
        ];
        let c = scan(&code, 0, &[]).expect("a run");
        assert_eq!((c.len, c.nodes.last().unwrap().1), (5, Num::Bool));
    }

    #[test]
    fn values_that_could_overflow_a_word_end_the_run() {
        // (x * x + x) * x of compact ints: the product would need 91 bits, so the run is
        // `x * x + x` (61 bits), and the last product is lowered on its own.
        let x = || plain(Opcode::LoadFastBorrow, 0);
        let code = [
            x(),
            x(),
            ins(Opcode::BinaryOp, Opcode::BinaryOpMultiplyInt, NB_MULTIPLY),
            x(),
            ins(Opcode::BinaryOp, Opcode::BinaryOpAddInt, NB_ADD),
            x(),
            ins(Opcode::BinaryOp, Opcode::BinaryOpMultiplyInt, NB_MULTIPLY),
        ];
        let c = scan(&code, 0, &[]).expect("a run");
        assert_eq!((c.len, c.nodes.last().unwrap().1), (5, Num::Int { bits: 61, value: None }));
    }
}
