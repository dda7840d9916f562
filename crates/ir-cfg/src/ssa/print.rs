//! The text form (`coir.dump(f, "ssa")`, golden tests): one line per instruction, results
//! with their types, immediates in the operation's own notation, blocks with typed parameters.
use std::fmt::{self, Write};

use super::function::{BlockCall, Function, InstData, Terminator};
use super::ops::{ArrayArg, Imm};
use crate::helpers::Ty;

struct Call<'a>(&'a BlockCall);

impl fmt::Display for Call<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.block)?;
        if !self.0.args.is_empty() {
            let a: Vec<String> = self.0.args.iter().map(|v| v.to_string()).collect();
            write!(f, "({})", a.join(", "))?;
        }
        Ok(())
    }
}

fn inst_text(f: &Function, d: &InstData) -> String {
    let mut s = String::new();
    if !d.results.is_empty() {
        let r: Vec<String> = d.results.iter().map(|v| format!("{v}:{}", f.ty(*v))).collect();
        let _ = write!(s, "{} = ", r.join(", "));
    }
    s.push_str(d.op.info().name);
    let args: Vec<String> = d.args.iter().map(|v| v.to_string()).collect();
    match &d.imm {
        Imm::None => {}
        Imm::Const(i) => {
            let _ = write!(s, "[{i}]");
        }
        Imm::Name(i) => {
            let _ = write!(s, "[{i}]");
        }
        Imm::Singleton(x) => {
            let _ = write!(s, " {x:?}");
        }
        Imm::SmallInt(i) | Imm::Slot(i) => {
            let _ = write!(s, "[{i}]");
        }
        Imm::Int(i) => {
            let _ = write!(s, " {i}");
        }
        Imm::Unit(u) => {
            let _ = write!(s, " {}", u * 2);
        }
        Imm::Guard(k, fs) => {
            // `guard float v3 deopt @38 [v0 owned, v1 borrowed]`, `guard_quiet instrumentation
            // deopt @40 [v2 owned]`
            let start = d.frame_state_start().unwrap_or(0);
            let checked = if start == 0 { String::new() } else { format!(" {}", args[..start].join(", ")) };
            let stack: Vec<String> = args[start..].iter().zip(&fs.stack).map(|(a, k)| format!("{a} {}", k.name())).collect();
            let _ = write!(s, " {k}{checked} deopt @{} [{}]", fs.unit * 2, stack.join(", "));
            if let Some(e) = d.err {
                let _ = write!(s, " err {e}");
            }
            return s;
        }
        Imm::Call(c) => {
            // Group array operands as the helper sees them: `[v3, v4]`; out arrays as `out[2]`.
            let mut parts = Vec::new();
            let mut a = args.iter();
            let mut arrays = c.arrays.iter();
            for p in c.helper.params() {
                match p {
                    Ty::ObjArray => match arrays.next() {
                        Some(ArrayArg::In(n)) => {
                            let items: Vec<String> = a.by_ref().take(*n as usize).cloned().collect();
                            parts.push(format!("[{}]", items.join(", ")));
                        }
                        Some(ArrayArg::Out(n)) => parts.push(format!("out[{n}]")),
                        None => parts.push("?".into()),
                    },
                    Ty::ObjOut => parts.push("out".into()),
                    _ => parts.push(a.next().cloned().unwrap_or_else(|| "?".into())),
                }
            }
            let _ = write!(s, " {}({})", c.helper, parts.join(", "));
            if let Some(e) = d.err {
                let _ = write!(s, " err {e}");
            }
            return s;
        }
    }
    if !args.is_empty() {
        let _ = write!(s, " {}", args.join(", "));
    }
    if let Some(e) = d.err {
        let _ = write!(s, " err {e}");
    }
    s
}

impl Function {
    /// The function as text (blocks in their order of creation).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "function {} (locals {})", self.name, self.nlocalsplus);
        for (b, data) in self.blocks.iter() {
            let params: Vec<String> = data.params.iter().map(|v| format!("{v}:{}", self.ty(*v))).collect();
            if params.is_empty() {
                let _ = writeln!(s, "{b}: # {}", data.name);
            } else {
                let _ = writeln!(s, "{b}({}): # {}", params.join(", "), data.name);
            }
            for i in &data.insts {
                let _ = writeln!(s, "    {}", inst_text(self, &self.insts[*i]));
            }
            let t = match &data.term {
                Terminator::Open => "<open>".to_string(),
                Terminator::Jump(c) => format!("jump {}", Call(c)),
                Terminator::Branch { cond, then, otherwise } => format!("branch {cond} ? {} : {}", Call(then), Call(otherwise)),
                Terminator::BranchEq { a, b, then, otherwise } => {
                    format!("branch {a} == {b} ? {} : {}", Call(then), Call(otherwise))
                }
                Terminator::Return(v) => format!("return {v}"),
                Terminator::Raise => "raise".to_string(),
            };
            let _ = writeln!(s, "    {t}");
        }
        s
    }
}

impl Function {
    /// The CFG in Graphviz dot; error edges dashed.
    pub fn to_dot(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "digraph \"{}\" {{\n  node [shape=box, fontname=monospace];", self.name.replace('"', "'"));
        for (b, data) in self.blocks.iter() {
            let _ = writeln!(s, "  {b} [label=\"{b}: {}\\l{} insts\\l\"];", data.name, data.insts.len());
            for e in data.insts.iter().filter_map(|i| self.insts[*i].err) {
                let _ = writeln!(s, "  {b} -> {e} [style=dashed];");
            }
            for c in data.term.calls() {
                let _ = writeln!(s, "  {b} -> {};", c.block);
            }
        }
        s.push_str("}\n");
        s
    }
}
