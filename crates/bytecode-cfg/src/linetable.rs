//! `co_linetable` (PEP 626 / 657 locations, `InternalDocs/code_objects.md`): entries of
//! `1 | code << 3 | (length - 1)` followed by code-specific data; varints are 6-bit chunks,
//! least significant first, bit 6 = more follows; signed values are zig-zag encoded.
//! Only line numbers are kept: the interpreter computes tracebacks itself from `instr_ptr`,
//! so these serve dumps and diagnostics.
use crate::error::CfgError;

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, CfgError> {
        let b = *self.bytes.get(self.pos).ok_or(CfgError::BadLineTable { at: self.pos })?;
        self.pos += 1;
        Ok(b)
    }
    fn varint(&mut self) -> Result<u32, CfgError> {
        let at = self.pos;
        let mut b = self.byte()?;
        let mut val: u64 = (b & 63) as u64;
        let mut shift = 0;
        while b & 64 != 0 {
            b = self.byte()?;
            shift += 6;
            if shift > 30 {
                return Err(CfgError::BadLineTable { at });
            }
            val |= ((b & 63) as u64) << shift;
        }
        Ok(val as u32)
    }
    fn svarint(&mut self) -> Result<i64, CfgError> {
        let v = self.varint()? as i64;
        Ok(if v & 1 != 0 { -(v >> 1) } else { v >> 1 })
    }
}

/// The source line of every code unit (`None` where the table says "no location"), for code
/// of `units` code units starting at `first_line`.
pub fn lines(table: &[u8], first_line: i32, units: u32) -> Result<Vec<Option<u32>>, CfgError> {
    let mut out = Vec::with_capacity(units as usize);
    let mut r = Reader { bytes: table, pos: 0 };
    let mut line = first_line as i64;
    while r.pos < table.len() && (out.len() as u32) < units {
        let at = r.pos;
        let head = r.byte()?;
        if head & 0x80 == 0 {
            return Err(CfgError::BadLineTable { at });
        }
        let code = (head >> 3) & 15;
        let len = (head & 7) as usize + 1;
        let this = match code {
            15 => None,
            14 => {
                line += r.svarint()?;
                r.varint()?;
                r.varint()?;
                r.varint()?;
                Some(line)
            }
            13 => {
                line += r.svarint()?;
                Some(line)
            }
            10..=12 => {
                line += (code - 10) as i64;
                r.byte()?;
                r.byte()?;
                Some(line)
            }
            _ => {
                r.byte()?;
                Some(line)
            }
        };
        for _ in 0..len {
            out.push(this.and_then(|l| u32::try_from(l).ok()));
        }
    }
    out.resize(units as usize, None);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_forms_and_no_location() {
        // code 11 (line +1, one byte col each), length 2; then code 15 (no location), length 1.
        let t = [0x80 | (11 << 3) | 1, 4, 9, 0x80 | (15 << 3)];
        assert_eq!(lines(&t, 10, 3).unwrap(), vec![Some(11), Some(11), None]);
        assert!(lines(&[0x01], 1, 1).is_err());
    }
}
