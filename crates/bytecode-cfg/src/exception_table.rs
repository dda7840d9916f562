//! `co_exceptiontable`: a sequence of `(start, size, target, depth << 1 | lasti)` entries, each
//! value a big-endian varint of 6-bit chunks (bit 6 = more follows), the first byte of an entry
//! marked with bit 7 (`InternalDocs/exception_handling.md`).
//!
//! Guarantees: entries are sorted by start, do not overlap, have a non-empty range inside the
//! code and a target inside the code. Targets landing on instruction boundaries are checked by
//! the CFG builder, which knows the instructions.
use crate::error::CfgError;

/// One entry: instructions with `start <= offset < end` hand exceptions to `target`, after the
/// stack is popped to `depth` and, if `lasti`, the offset of the raising instruction pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionEntry {
    /// First covered code unit.
    pub start: u32,
    /// One past the last covered code unit.
    pub end: u32,
    /// Handler's code unit.
    pub target: u32,
    /// Stack depth the handler starts from (before lasti and the exception are pushed).
    pub depth: u32,
    /// Whether the raising instruction's offset is pushed before the exception.
    pub lasti: bool,
    /// Byte index of the entry in `co_exceptiontable`, for errors found later.
    pub at: usize,
}

impl ExceptionEntry {
    /// Stack depth at the handler's first instruction.
    pub fn handler_depth(&self) -> u32 {
        self.depth + self.lasti as u32 + 1
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn varint(&mut self, first: bool) -> Result<u32, CfgError> {
        let at = self.pos;
        let mut b = *self.bytes.get(self.pos).ok_or(CfgError::BadExceptionTable { at, why: "truncated entry" })?;
        if first != (b & 0x80 != 0) {
            return Err(CfgError::BadExceptionTable { at, why: "entry-start marker misplaced" });
        }
        self.pos += 1;
        let mut val: u64 = (b & 63) as u64;
        while b & 64 != 0 {
            b = *self.bytes.get(self.pos).ok_or(CfgError::BadExceptionTable { at, why: "truncated varint" })?;
            if b & 0x80 != 0 {
                return Err(CfgError::BadExceptionTable { at: self.pos, why: "entry-start marker inside a value" });
            }
            self.pos += 1;
            val = (val << 6) | (b & 63) as u64;
            if val > u32::MAX as u64 {
                return Err(CfgError::BadExceptionTable { at, why: "value overflows" });
            }
        }
        Ok(val as u32)
    }
}

/// Decode and check an exception table for code of `units` code units.
pub fn parse(table: &[u8], units: u32) -> Result<Vec<ExceptionEntry>, CfgError> {
    let mut r = Reader { bytes: table, pos: 0 };
    let mut out: Vec<ExceptionEntry> = Vec::new();
    while r.pos < table.len() {
        let at = r.pos;
        let start = r.varint(true)?;
        let size = r.varint(false)?;
        let target = r.varint(false)?;
        let dl = r.varint(false)?;
        let end = start.checked_add(size).ok_or(CfgError::BadExceptionTable { at, why: "range overflows" })?;
        if size == 0 || end > units {
            return Err(CfgError::BadExceptionTable { at, why: "range outside the code" });
        }
        if target >= units {
            return Err(CfgError::BadExceptionTable { at, why: "handler outside the code" });
        }
        if let Some(prev) = out.last() {
            if start < prev.end {
                return Err(CfgError::BadExceptionTable { at, why: "entries overlap or are unsorted" });
            }
        }
        out.push(ExceptionEntry { start, end, target, depth: dl >> 1, lasti: dl & 1 == 1, at });
    }
    Ok(out)
}

/// The entry covering `offset`, if any (entries are sorted and disjoint).
pub fn lookup(entries: &[ExceptionEntry], offset: u32) -> Option<&ExceptionEntry> {
    let i = entries.partition_point(|e| e.end <= offset);
    entries.get(i).filter(|e| e.start <= offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_documented_example() {
        // InternalDocs/exception_handling.md: start 20, size 8, target 100, depth 3, lasti False.
        let e = parse(&[148, 8, 65, 36, 6], 200).unwrap();
        assert_eq!(e, vec![ExceptionEntry { start: 20, end: 28, target: 100, depth: 3, lasti: false, at: 0 }]);
        assert_eq!(lookup(&e, 27).map(|e| e.target), Some(100));
        assert_eq!(lookup(&e, 28), None);
        assert_eq!(lookup(&e, 19), None);
    }

    #[test]
    fn rejects_malformed_tables() {
        assert!(parse(&[148, 8, 65], 200).is_err());
        assert!(parse(&[20, 8, 65, 36, 6], 200).is_err());
        assert!(parse(&[148, 8, 65, 36, 6], 25).is_err());
        assert!(parse(&[148, 8, 65, 36, 6, 148, 8, 65, 36, 6], 200).is_err());
        assert!(parse(&[0xff, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 1, 1, 1], 200).is_err());
    }
}
