//! The control-flow graph: basic blocks in code order as petgraph nodes, with fall-through,
//! jump and exception edges, and the stack depth before every instruction.
//!
//! Guarantees to `ir-cfg`:
//! - node `i` is the `i`-th block in code order, block 0 is the entry;
//! - a block is a maximal run of instructions with one exception handler (or none), entered
//!   only at its first instruction;
//! - every reachable instruction has a depth; all paths agree on it; no instruction pops below
//!   zero or pushes past `co_stacksize`; a covered instruction never has fewer items on the
//!   stack than its handler's depth;
//! - `FOR_ITER`'s exhaustion edge goes to the instruction after its `END_FOR`, with the
//!   iterator still on the stack (as `bytecodes.c` does).
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::decode::{self, Instr, JumpKind};
use crate::error::CfgError;
use crate::exception_table::{self, ExceptionEntry};
use crate::opcodes::{self, Opcode};
use crate::{linetable, opargs, CodeInput};

/// Index of a basic block (a petgraph node).
pub type BlockIdx = NodeIndex<u32>;

/// Where a block's exceptions go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    /// The handler block.
    pub block: BlockIdx,
    /// The handler's code unit.
    pub target: u32,
    /// Depth the stack is popped to.
    pub depth: u32,
    /// Whether the raising instruction's offset is pushed.
    pub lasti: bool,
}

/// A basic block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicBlock {
    /// Index of its first instruction in [`BytecodeCfg::instrs`].
    pub first: usize,
    /// One past its last instruction.
    pub end: usize,
    /// Stack depth on entry; `None` if the block is unreachable.
    pub depth_in: Option<u32>,
    /// Exception handler covering the block.
    pub handler: Option<Handler>,
    /// Whether the block is an exception handler's entry.
    pub is_handler: bool,
}

/// Kind of a CFG edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// To the next block in code order.
    Fallthrough,
    /// A taken jump.
    Jump,
    /// To the block's exception handler.
    Exception,
}

/// A decoded code object.
#[derive(Clone, Debug)]
pub struct BytecodeCfg {
    /// All instructions in code order (each with its depth; unreachable ones have depth 0).
    pub instrs: Vec<Instr>,
    /// The graph.
    pub graph: DiGraph<BasicBlock, EdgeKind, u32>,
    /// The exception table.
    pub exception_table: Vec<ExceptionEntry>,
    /// Code units in the code.
    pub units: u32,
    /// `co_stacksize`.
    pub stacksize: u32,
    /// The deepest the stack gets on any path (handler entries included); at most
    /// `stacksize`. Lowering sizes its stack model by this, not by `co_stacksize`, which a
    /// code object may declare far larger than its code needs (up to `INT_MAX`).
    pub max_depth: u32,
    /// The adaptive code as read at build time (type feedback), if given.
    pub adaptive: Option<Vec<u8>>,
}

impl BytecodeCfg {
    /// Decode and check a code object.
    pub fn build(input: &CodeInput<'_>) -> Result<Self, CfgError> {
        let mut instrs = decode::decode(input.code, input.adaptive)?;
        for ins in &instrs {
            opargs::check(ins, input)?;
        }
        let units = (input.code.len() / 2) as u32;
        let table = exception_table::parse(input.exception_table, units)?;
        for e in &table {
            // Checked for every entry, not only those a path reaches: the handler's entry
            // depth is what the frame must hold.
            if e.handler_depth() as u64 > input.stacksize as u64 {
                return Err(CfgError::BadExceptionTable { at: e.at, why: "handler depth exceeds co_stacksize" });
            }
        }
        let lines = linetable::lines(input.linetable, input.first_line, units)?;
        for ins in &mut instrs {
            ins.line = lines[ins.offset as usize];
        }

        // Instruction index by the code unit where it starts (its first EXTENDED_ARG).
        let mut at_start: Vec<Option<u32>> = vec![None; units as usize];
        for (i, ins) in instrs.iter().enumerate() {
            at_start[ins.start as usize] = Some(i as u32);
        }
        let index_of = |unit: i64| -> Option<usize> {
            usize::try_from(unit).ok().and_then(|u| at_start.get(u).copied().flatten()).map(|i| i as usize)
        };

        // Jump targets, checked.
        let mut targets: Vec<Option<usize>> = vec![None; instrs.len()];
        for (i, ins) in instrs.iter().enumerate() {
            if let Some(t) = ins.raw_jump_target() {
                let ti = index_of(t).ok_or(CfgError::BadJumpTarget { offset: ins.byte_offset(), target: t * 2 })?;
                if ins.jump_kind() == JumpKind::ForIter {
                    // The skipped instruction must be END_FOR, or the depth bookkeeping is wrong.
                    let skipped = ti.checked_sub(1).map(|s| instrs[s].opcode);
                    if skipped != Some(Opcode::EndFor) {
                        return Err(CfgError::BadJumpTarget { offset: ins.byte_offset(), target: t * 2 });
                    }
                }
                targets[i] = Some(ti);
            }
        }
        let handler_of = |ins: &Instr| exception_table::lookup(&table, ins.offset).copied();
        for e in &table {
            if index_of(e.target as i64).is_none() {
                return Err(CfgError::BadExceptionTable { at: e.at, why: "handler is not an instruction" });
            }
        }

        // Leaders.
        let mut leader = vec![false; instrs.len()];
        leader[0] = true;
        for (i, ins) in instrs.iter().enumerate() {
            if let Some(t) = targets[i] {
                leader[t] = true;
            }
            // A generator resumes after YIELD_VALUE and (its first time) after RETURN_GENERATOR:
            // native code enters there, so a block starts there.
            let resumes_after = matches!(ins.opcode, Opcode::YieldValue | Opcode::ReturnGenerator);
            if (ins.jump_kind() != JumpKind::None || opcodes::is_no_fallthrough(ins.opcode) || resumes_after) && i + 1 < instrs.len() {
                leader[i + 1] = true;
            }
            if i > 0 && handler_of(&instrs[i - 1]) != handler_of(ins) {
                leader[i] = true;
            }
        }
        for e in &table {
            leader[index_of(e.target as i64).expect("checked above")] = true;
        }

        // Blocks.
        let mut graph: DiGraph<BasicBlock, EdgeKind, u32> = DiGraph::default();
        let mut block_of = vec![0u32; instrs.len()];
        let mut first = 0;
        for i in 1..=instrs.len() {
            if i == instrs.len() || leader[i] {
                let b = graph.add_node(BasicBlock { first, end: i, depth_in: None, handler: None, is_handler: false });
                block_of[first..i].iter_mut().for_each(|x| *x = b.index() as u32);
                first = i;
            }
        }
        let bidx = |i: usize| NodeIndex::new(block_of[i] as usize);
        for e in &table {
            let b = bidx(index_of(e.target as i64).expect("checked above"));
            graph[b].is_handler = true;
        }
        for b in graph.node_indices().collect::<Vec<_>>() {
            let (f, end) = (graph[b].first, graph[b].end);
            let last = &instrs[end - 1];
            if let Some(e) = handler_of(&instrs[f]) {
                let hb = bidx(index_of(e.target as i64).expect("checked above"));
                graph[b].handler = Some(Handler { block: hb, target: e.target, depth: e.depth, lasti: e.lasti });
                graph.add_edge(b, hb, EdgeKind::Exception);
            }
            if let Some(t) = targets[end - 1] {
                graph.add_edge(b, bidx(t), EdgeKind::Jump);
            }
            if !opcodes::is_no_fallthrough(last.opcode) {
                if end == instrs.len() {
                    return Err(CfgError::FallsOffEnd { offset: last.byte_offset() });
                }
                graph.add_edge(b, bidx(end), EdgeKind::Fallthrough);
            }
        }

        let adaptive = input.adaptive.filter(|a| a.len() == input.code.len()).map(<[u8]>::to_vec);
        let mut cfg =
            BytecodeCfg { instrs, graph, exception_table: table, units, stacksize: input.stacksize, max_depth: 0, adaptive };
        cfg.compute_depths()?;
        Ok(cfg)
    }

    fn compute_depths(&mut self) -> Result<(), CfgError> {
        let stacksize = self.stacksize;
        let mut work: Vec<BlockIdx> = Vec::new();
        let set = |g: &mut DiGraph<BasicBlock, EdgeKind, u32>, work: &mut Vec<BlockIdx>, b: BlockIdx, d: u32, at: u32| {
            match g[b].depth_in {
                None => {
                    g[b].depth_in = Some(d);
                    work.push(b);
                    Ok(())
                }
                Some(old) if old == d => Ok(()),
                Some(old) => Err(CfgError::DepthMismatch { offset: at, a: old, b: d }),
            }
        };
        set(&mut self.graph, &mut work, NodeIndex::new(0), 0, 0)?;
        while let Some(b) = work.pop() {
            let (first, end) = (self.graph[b].first, self.graph[b].end);
            let handler = self.graph[b].handler;
            let mut depth = self.graph[b].depth_in.expect("queued blocks have a depth");
            let mut jump_depth = None;
            for i in first..end {
                let ins = &mut self.instrs[i];
                let at = ins.byte_offset();
                ins.depth = depth;
                if let Some(h) = handler {
                    if depth < h.depth {
                        return Err(CfgError::StackUnderflow { offset: at, depth, pops: h.depth });
                    }
                }
                let (pop, push) = opcodes::stack_effect(ins.opcode, ins.oparg)
                    .ok_or(CfgError::BadOparg { name: opcodes::name(ins.opcode), oparg: ins.oparg, offset: at })?;
                if pop > depth {
                    return Err(CfgError::StackUnderflow { offset: at, depth, pops: pop });
                }
                let after = depth - pop + push;
                if after > stacksize {
                    return Err(CfgError::StackOverflow { offset: at, depth: after, stacksize });
                }
                // The instruction holds its inputs while it produces its outputs.
                self.max_depth = self.max_depth.max(depth).max(after);
                if i + 1 == end {
                    jump_depth = Some(if ins.jump_kind() == JumpKind::ForIter { depth } else { after });
                }
                depth = after;
            }
            let at = self.instrs[end - 1].byte_offset();
            let edges: Vec<_> = self.graph.edges(b).map(|e| (e.target(), *e.weight())).collect();
            for (t, kind) in edges {
                let d = match kind {
                    EdgeKind::Fallthrough => depth,
                    EdgeKind::Jump => jump_depth.expect("a block ends somewhere"),
                    EdgeKind::Exception => {
                        let h = handler.expect("exception edges come from the handler");
                        let d = h.depth + h.lasti as u32 + 1;
                        if d > stacksize {
                            return Err(CfgError::StackOverflow { offset: h.target * 2, depth: d, stacksize });
                        }
                        self.max_depth = self.max_depth.max(d);
                        d
                    }
                };
                set(&mut self.graph, &mut work, t, d, at)?;
            }
        }
        Ok(())
    }

    /// Inline cache unit `k` (1-based: unit 1 is the counter) of `ins` in the adaptive code,
    /// if adaptive code was given and `k` is within the instruction's caches.
    pub fn cache_u16(&self, ins: &Instr, k: u32) -> Option<u16> {
        if k == 0 || k > ins.caches {
            return None;
        }
        let a = self.adaptive.as_ref()?;
        let at = 2 * (ins.offset + k) as usize;
        Some(u16::from_le_bytes([a[at], a[at + 1]]))
    }

    /// A 32-bit cache field starting at unit `k` (little-endian units, `read_u32`).
    pub fn cache_u32(&self, ins: &Instr, k: u32) -> Option<u32> {
        Some(self.cache_u16(ins, k)? as u32 | (self.cache_u16(ins, k + 1)? as u32) << 16)
    }

    /// A pointer-sized cache field starting at unit `k` (four units, `read_obj`).
    pub fn cache_u64(&self, ins: &Instr, k: u32) -> Option<u64> {
        Some(self.cache_u32(ins, k)? as u64 | (self.cache_u32(ins, k + 2)? as u64) << 32)
    }

    /// The instructions of a block.
    pub fn block_instrs(&self, b: BlockIdx) -> &[Instr] {
        let bb = &self.graph[b];
        &self.instrs[bb.first..bb.end]
    }

    /// The block starting at code unit `unit`, if one does.
    pub fn block_at(&self, unit: u32) -> Option<BlockIdx> {
        self.graph.node_indices().find(|&b| self.instrs[self.graph[b].first].start == unit)
    }

    /// Successor of `b` along an edge of `kind`.
    pub fn successor(&self, b: BlockIdx, kind: EdgeKind) -> Option<BlockIdx> {
        self.graph.edges(b).find(|e| *e.weight() == kind).map(|e| e.target())
    }

    /// The edges into `b`: (the block it comes from, its kind).
    pub fn predecessors(&self, b: BlockIdx) -> impl Iterator<Item = (BlockIdx, EdgeKind)> + '_ {
        self.graph.edges_directed(b, petgraph::Direction::Incoming).map(|e| (e.source(), *e.weight()))
    }

    /// Number of non-exception predecessors plus exception predecessors of `b`.
    pub fn predecessor_count(&self, b: BlockIdx) -> usize {
        self.graph.edges_directed(b, petgraph::Direction::Incoming).count()
    }

    /// Whether some loop (a JUMP_BACKWARD; a `yield from`/`await` loop is JUMP_BACKWARD_NO_INTERRUPT)
    /// has no YIELD_VALUE between its head and its back edge: a generator doing work between
    /// the values it yields.
    pub fn has_loop_without_yield(&self) -> bool {
        self.instrs.iter().enumerate().any(|(i, ins)| {
            ins.opcode == Opcode::JumpBackward
                && ins.raw_jump_target().and_then(|t| self.instrs.iter().position(|x| i64::from(x.start) == t)).is_some_and(|head| {
                    !self.instrs[head..=i].iter().any(|x| x.opcode == Opcode::YieldValue)
                })
        })
    }

    /// Reachable blocks in reverse postorder from the entry (exception edges included), so
    /// every block but a loop header comes after all its predecessors.
    pub fn reverse_postorder(&self) -> Vec<BlockIdx> {
        let mut order = Vec::new();
        let mut dfs = petgraph::visit::DfsPostOrder::new(&self.graph, NodeIndex::new(0));
        while let Some(b) = dfs.next(&self.graph) {
            order.push(b);
        }
        order.reverse();
        order
    }

    /// A `dis`-like listing with depths and block boundaries, for dumps and golden tests.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        for b in self.graph.node_indices() {
            let bb = &self.graph[b];
            let depth = bb.depth_in.map_or("unreachable".to_string(), |d| format!("depth {d}"));
            let _ = write!(s, "block{} ({depth})", b.index());
            if let Some(h) = bb.handler {
                let _ = write!(s, " handler block{} depth {}{}", h.block.index(), h.depth, if h.lasti { " lasti" } else { "" });
            }
            let succ: Vec<String> = self
                .graph
                .edges(b)
                .map(|e| format!("{:?}->block{}", e.weight(), e.target().index()))
                .collect();
            let _ = writeln!(s, " [{}]", succ.join(", "));
            for ins in self.block_instrs(b) {
                let line = ins.line.map_or("-".into(), |l| l.to_string());
                let _ = writeln!(
                    s,
                    "  {:>5} {:>4} [{:>2}] {} {}",
                    ins.byte_offset(),
                    line,
                    ins.depth,
                    opcodes::name(ins.opcode),
                    ins.oparg
                );
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asm(ops: &[(Opcode, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (op, arg) in ops {
            out.extend([op.as_u8(), *arg]);
            out.extend(std::iter::repeat_n(0u8, 2 * opcodes::cache_entries(*op) as usize));
        }
        out
    }

    fn build(code: &[u8], table: &[u8], stacksize: u32) -> Result<BytecodeCfg, CfgError> {
        BytecodeCfg::build(&CodeInput {
            code,
            exception_table: table,
            flags: 0x3,
            nlocalsplus: 2,
            stacksize,
            nconsts: 1,
            nnames: 1,
            ..Default::default()
        })
    }

    /// Malformed code objects and the typed error each gets, with the offset it names.
    #[test]
    fn malformed_inputs_table() {
        use Opcode::*;
        let ret = asm(&[(LoadConst, 0), (ReturnValue, 0)]);
        let cases: Vec<(Vec<u8>, Vec<u8>, u32, CfgError)> = vec![
            // A handler whose entry depth (depth 1 + lasti + exception = 3) exceeds co_stacksize,
            // even though no path reaches it: table byte 0.
            (ret.clone(), vec![0x80, 1, 1, 3], 2, CfgError::BadExceptionTable { at: 0, why: "handler depth exceeds co_stacksize" }),
            // The second entry's handler is inside LOAD_GLOBAL's caches: table byte 4.
            (
                asm(&[(LoadGlobal, 0), (PopTop, 0), (LoadConst, 0), (ReturnValue, 0)]),
                vec![0x80, 1, 5, 0, 0x80 | 1, 1, 2, 0],
                3,
                CfgError::BadExceptionTable { at: 4, why: "handler is not an instruction" },
            ),
            // LOAD_COMMON_CONSTANT past the interpreter's table (was accepted up to 16).
            (
                asm(&[(Resume, 0), (LoadCommonConstant, 5), (ReturnValue, 0)]),
                vec![],
                1,
                CfgError::OpargOutOfRange {
                    name: "LOAD_COMMON_CONSTANT",
                    oparg: 5,
                    offset: 2,
                    what: "above the maximum",
                    limit: opargs::NUM_COMMON_CONSTANTS as u64 - 1,
                },
            ),
            // An index past localsplus in an unreachable instruction is refused too.
            (
                asm(&[(LoadConst, 0), (ReturnValue, 0), (LoadFast, 2), (ReturnValue, 0)]),
                vec![],
                1,
                CfgError::OpargOutOfRange { name: "LOAD_FAST", oparg: 2, offset: 4, what: "index into localsplus of", limit: 2 },
            ),
            // COPY 0 would copy from above the stack.
            (
                asm(&[(LoadConst, 0), (Copy, 0), (ReturnValue, 0)]),
                vec![],
                2,
                CfgError::OpargOutOfRange { name: "COPY", oparg: 0, offset: 2, what: "below the minimum", limit: 1 },
            ),
            // SWAP deeper than the stack.
            (asm(&[(LoadConst, 0), (Swap, 3), (ReturnValue, 0)]), vec![], 2, CfgError::StackUnderflow { offset: 2, depth: 1, pops: 3 }),
            // A jump into the middle of an instruction's caches.
            (
                asm(&[(JumpForward, 1), (LoadGlobal, 0), (ReturnValue, 0)]),
                vec![],
                1,
                CfgError::BadJumpTarget { offset: 0, target: 4 },
            ),
        ];
        for (code, table, stacksize, want) in cases {
            assert_eq!(build(&code, &table, stacksize).unwrap_err(), want);
        }
    }

    #[test]
    fn max_depth_is_what_the_code_reaches() {
        use Opcode::*;
        let code = asm(&[(LoadConst, 0), (LoadConst, 0), (BuildTuple, 2), (ReturnValue, 0)]);
        let cfg = build(&code, &[], 1 << 30).unwrap();
        assert_eq!((cfg.stacksize, cfg.max_depth), (1 << 30, 2));
    }
}
