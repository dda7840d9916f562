//! Generators, coroutines and async generators: suspension at YIELD_VALUE, the entry that
//! resumes them, and delegation (`yield from`, `await`, `async for`: SEND and its companions).
//!
//! Native code runs a generator's frame each time the generator is resumed, never the call that
//! creates it (the interpreter runs RETURN_GENERATOR, which moves the frame into the generator
//! object). So a generator's native function starts with a dispatch on `frame->instr_ptr`: the
//! instruction after RETURN_GENERATOR (the first `send`) or after one of the YIELD_VALUEs. There
//! it moves the value stack out of the frame (the value sent in on top, pushed by
//! `gen_send_ex2`), and jumps into the body with every slot owned. YIELD_VALUE writes the stack
//! below the yielded value back into the frame and suspends it exactly as the interpreter's
//! YIELD_VALUE does (runtime.c, coir_rt_suspend), and the function returns the value; the IR
//! goes on from the yield into the instruction after it with the stack unchanged (that path is
//! never taken: it gives the resumed block its shape), so a yield is a guard that always fails,
//! and the frame-state machinery (unboxed slots, the ownership checker) applies as it is.
//!
//! The prologue (COPY_FREE_VARS, MAKE_CELL, RETURN_GENERATOR) is lowered but unreachable from
//! the dispatch, so the SSA builder drops it.
use bytecode_cfg::{BlockIdx, EdgeKind, Opcode};

use super::{Kind, Lowerer, Result, MAYBE_NULL, OWNED};
use crate::helpers::{Helper, Ty};
use crate::ir::{BlockId, Inst, Operand, Term};
use crate::ssa::{FrameState, GuardKind, Imm, Opcode as SsaOp};

impl Lowerer<'_> {
    /// Whether native code enters bytecode block `b` when the generator resumes.
    pub(super) fn resumes_at(&self, b: BlockIdx) -> bool {
        let first = self.cfg.graph[b].first;
        first > 0 && matches!(self.cfg.instrs[first - 1].opcode, Opcode::YieldValue | Opcode::ReturnGenerator)
    }

    /// YIELD_VALUE: suspend with the whole stack as the frame state (its top the value
    /// yielded), resuming at the next instruction.
    pub(super) fn lower_yield(&mut self) -> Result<()> {
        let ins = self.ins();
        if ins.oparg > 1 {
            return Err(self.bad_oparg());
        }
        let next = ins.offset + 1 + ins.caches;
        let fs = FrameState { unit: next, ..self.exit_state() };
        let args = self.with_stack(vec![], &fs);
        self.fb.push(Inst::Op { op: SsaOp::Suspend, imm: Imm::Guard(GuardKind::Yield(ins.oparg), fs), args, dsts: vec![], err: None });
        Ok(())
    }

    /// SEND: the value sent replaced by the next value yielded (on to YIELD_VALUE) or by the
    /// value returned (the jump to END_SEND).
    pub(super) fn lower_send(&mut self) -> Result<()> {
        let b = self.cur_block;
        let (receiver, v) = (self.peek(1), self.peek(0));
        self.check_objects(self.depth() - 2, 2)?;
        let out = self.new_obj();
        let r = self.fb.new_var(Ty::Int);
        self.call(Helper::Send, vec![Operand::TState, Operand::Var(receiver), Operand::Var(v), Operand::Addr(out)], Some(r))?;
        self.pop_release();
        let dst = self.push(OWNED);
        self.fb.push(Inst::Move { dst, src: Operand::Var(out) });
        let succ = |l: &Self, k: EdgeKind| l.cfg.successor(b, k).expect("the CFG has this edge");
        let (next, returned) = (succ(self, EdgeKind::Fallthrough), succ(self, EdgeKind::Jump));
        let (next, returned) = (self.edge_to(next)?, self.edge_to(returned)?);
        self.fb.terminate(Term::Branch { cond: Operand::Var(r), then: next, otherwise: returned });
        Ok(())
    }

    /// END_SEND: the receiver under the value released.
    pub(super) fn lower_end_send(&mut self) -> Result<()> {
        let (value, kind) = self.pop_keep();
        self.pop_release();
        let dst = self.push(kind);
        self.fb.push(Inst::Move { dst, src: Operand::Var(value) });
        Ok(())
    }

    /// END_ASYNC_FOR (awaitable, exception): the loop ends on StopAsyncIteration; any other
    /// exception is raised again, with no traceback entry (a re-raise).
    pub(super) fn lower_end_async_for(&mut self) -> Result<()> {
        self.check_objects(self.depth() - 2, 2)?;
        let exc = Operand::Var(self.peek(0));
        let r = self.fb.new_var(Ty::Int);
        let err = self.error_block(false)?;
        self.fb.push(Inst::Call { helper: Helper::EndAsyncFor, args: vec![exc], dst: Some(r), err: Some(err) });
        self.pop_release_n(2);
        Ok(())
    }

    /// The opcodes that make iterators and awaitables for delegation.
    pub(super) fn lower_awaitables(&mut self, ins: &bytecode_cfg::Instr) -> Result<()> {
        let top = Operand::Var(self.peek(0));
        match ins.opcode {
            Opcode::GetYieldFromIter => self.call_push(Helper::GetYieldFromIter, vec![Operand::Frame, top], 1),
            Opcode::GetAwaitable => self.call_push(Helper::GetAwaitable, vec![top, Operand::Imm(ins.oparg as i64)], 1),
            Opcode::GetAiter => self.call_push(Helper::GetAiter, vec![top], 1),
            // The async iterator stays under the awaitable.
            Opcode::GetAnext => self.call_push(Helper::GetAnext, vec![top], 0),
            _ => Err(self.unsupported()),
        }
    }

    /// RETURN_GENERATOR: only the interpreter runs it (native code is entered past it); the
    /// generator it would push is a NULL here, on a path the dispatch never takes.
    pub(super) fn lower_return_generator(&mut self) -> Result<()> {
        let dst = self.push(MAYBE_NULL);
        self.fb.push(Inst::Move { dst, src: Operand::Null });
        Ok(())
    }

    /// The entry `entry` of a generator's native function: to each resumption point lowered,
    /// by `instr_ptr`, through a block that moves the stack out of the frame.
    pub(super) fn resume_dispatch(&mut self, entry: BlockId) -> Result<()> {
        let mut points: Vec<(u32, BlockIdx)> = self
            .cfg
            .graph
            .node_indices()
            .filter(|&b| self.resumes_at(b) && self.entry.contains_key(&b))
            .map(|b| (self.cfg.instrs[self.cfg.graph[b].first].start, b))
            .collect();
        points.sort();
        // Elsewhere (after a yield only throw() reaches, in a handler never lowered because no
        // instruction under it raises natively): the interpreter runs the frame as it is.
        let elsewhere = self.fb.new_block("resume_in_interpreter");
        let marker = self.fb.new_var(Ty::Obj);
        self.fb.push_at(elsewhere, Inst::Call { helper: Helper::ResumeInInterpreter, args: vec![Operand::Frame], dst: Some(marker), err: None });
        self.fb.terminate_at(elsewhere, Term::Return(marker));
        let mut test = entry;
        for (unit, b) in points {
            let kinds = self.entry[&b].clone();
            let depth = kinds.len();
            // Every slot is owned at a resumption point (`edge_to`) but a handler's tagged
            // lasti (a yield inside `except`, `finally` or `async with`'s exit).
            debug_assert!(kinds.iter().all(|k| *k == MAYBE_NULL || *k == Kind::TagInt));
            let here = self.fb.new_block(format!("resume_{}", unit * 2));
            let starts = self.cfg.instrs[self.cfg.graph[b].first - 1].opcode == Opcode::ReturnGenerator
                && self.cfg.block_instrs(b).first().is_some_and(|i| i.opcode == Opcode::PopTop);
            if starts && depth == 1 && kinds[0] == MAYBE_NULL {
                // The first resumption: the stack is the value sent in, which every native
                // resumption of a created frame has as None (runtime.c refuses another,
                // as gen_send_ex2 does) and POP_TOP drops: popped here, without a call.
                self.fb.push_at(here, Inst::Op { op: SsaOp::DropSent, imm: Imm::None, args: vec![], dsts: vec![], err: None });
                self.fb.push_at(here, Inst::Move { dst: Self::slot(0), src: Operand::Null });
            }
            else if depth > 0 {
                let args = vec![Operand::Frame, Operand::Imm(depth as i64), Operand::OutArray(Self::slot(0), depth as u32)];
                self.fb.push_at(here, Inst::Call { helper: Helper::ResumeStack, args, dst: None, err: None });
            }
            for d in (0..depth).filter(|&d| kinds[d] == Kind::TagInt) {
                // ResumeStack left NULL there (released: nothing) and the bits in the frame.
                self.fb.push_at(here, Inst::XDecref(Self::slot(d)));
                let args = vec![Operand::Frame, Operand::Imm(d as i64)];
                let dst = self.lasti_var(d);
                self.fb.push_at(here, Inst::Call { helper: Helper::ResumedLasti, args, dst: Some(dst), err: None });
            }
            let target = self.block_for(b);
            self.fb.terminate_at(here, Term::Jump(target));
            let at = self.fb.new_var(Ty::Int);
            self.fb.push_at(test, Inst::Op { op: SsaOp::AtUnit, imm: Imm::Unit(unit), args: vec![], dsts: vec![at], err: None });
            let otherwise = self.fb.new_block(format!("not_{}", unit * 2));
            self.fb.terminate_at(test, Term::Branch { cond: Operand::Var(at), then: here, otherwise });
            test = otherwise;
        }
        self.fb.terminate_at(test, Term::Jump(elsewhere));
        Ok(())
    }
}
