//! `x ** 0.5` without `pow`, when that gives `pow`'s own answer.
//!
//! CPython's `float ** float` calls C's `pow` (Objects/floatobject.c, float_pow), and `pow`
//! is slow (measured: 16% of nbody's time, for one `dist2 ** 0.5` per pair). `sqrt` is one
//! instruction and correctly rounded: `s = sqrt(x)` is the double nearest to the exact root
//! `q`. glibc's `pow` (since 2.28, from Arm's optimized-routines) has a worst-case error of
//! 0.54 ULP, so it returns the only double within 0.54 ULP of `q`; when `q` lies within
//! 0.45 ULP of `s`, every other double is more than 0.55 ULP away, and `pow(x, 0.5)` is `s`.
//! Where `q` is near the midpoint between `s` and a neighbour (about one `x` in six), or `s`
//! is a power of two (its lower neighbour is half an ULP closer), `pow` is called as before.
//!
//! How far `q` is from `s` comes from the residual `r = s*s - x`, computed exactly with
//! Dekker's product (no fused multiply-add assumed): `q - s ≈ -r / 2s`, so `|q - s| < 0.45
//! ULP` when `|r| < 0.9 s ULP`; [`MARGIN`] keeps well inside that. The range of `x` keeps every
//! product normal and exact.
//!
//! The argument rests on the process's `pow` meeting that bound, so it is checked, once, on
//! the `pow` this process calls ([`sqrt_gives_pow`]); compiled code uses the shortcut only if
//! every sampled input agreed. [`sqrt_when_pow_agrees`] is the same test in Rust, for that
//! check and for the tests; the compiled form is `Emitter::power_fast_path`.
use std::sync::OnceLock;

/// Smallest `x` taken: its root's square stays far from the subnormal range.
pub(crate) const MIN_X: f64 = 1.0 / (1u128 << 100) as f64 / (1u128 << 100) as f64 / (1u128 << 100) as f64;
/// Largest `x` taken: Dekker's split of `s` (`SPLIT * s`) cannot overflow.
pub(crate) const MAX_X: f64 = (1u128 << 100) as f64 * (1u128 << 100) as f64 * (1u128 << 100) as f64;
/// Veltkamp's splitting constant for doubles, 2^27 + 1.
pub(crate) const SPLIT: f64 = 134_217_729.0;
/// `|r| < MARGIN * s * ulp(s)`: `|q - s|` below 0.425 ULP (0.45 would do).
pub(crate) const MARGIN: f64 = 0.85;
/// A double's significand bits (zero: a power of two).
pub(crate) const FRACTION_MASK: u64 = (1 << 52) - 1;

/// `sqrt(x)` when it is `pow(x, 0.5)` by the argument above; `None` where `pow` must decide.
pub fn sqrt_when_pow_agrees(x: f64) -> Option<f64> {
    if !(MIN_X..=MAX_X).contains(&x) {
        return None;
    }
    let s = x.sqrt();
    let bits = s.to_bits();
    if bits & FRACTION_MASK == 0 {
        return None;
    }
    let ulp = f64::from_bits(bits + 1) - s;
    let c = SPLIT * s;
    let hi = c - (c - s);
    let lo = s - hi;
    let p = s * s;
    let e = ((hi * hi - p) + 2.0 * hi * lo) + lo * lo;
    let r = (p - x) + e;
    (r.abs() < MARGIN * s * ulp).then_some(s)
}

/// Whether this process's `pow(x, 0.5)` is `sqrt(x)` wherever [`sqrt_when_pow_agrees`] says so,
/// on 200,000 inputs spread over every binade of the range: checked once (about 10 ms).
pub fn sqrt_gives_pow() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            // xorshift64*: any spread of significands will do.
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        let (lo_exp, hi_exp) = (MIN_X.to_bits() >> 52, MAX_X.to_bits() >> 52);
        (0..200_000).all(|_| {
            let r = next();
            let exp = lo_exp + r % (hi_exp - lo_exp);
            let x = f64::from_bits((exp << 52) | (next() & FRACTION_MASK));
            sqrt_when_pow_agrees(x).is_none_or(|s| s == x.powf(0.5))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_pow_agrees_with_the_shortcut() {
        assert!(sqrt_gives_pow(), "this libm's pow(x, 0.5) differs from sqrt(x) where the shortcut takes sqrt");
    }

    #[test]
    fn most_inputs_take_the_shortcut_and_the_doubtful_ones_do_not() {
        let xs: Vec<f64> = (1..100_000).map(|i| i as f64 * 0.731 + 1e-3).collect();
        let taken = xs.iter().filter(|&&x| sqrt_when_pow_agrees(x).is_some()).count();
        assert!(taken > xs.len() * 3 / 4, "only {taken} of {} taken", xs.len());
        for &x in &xs {
            if let Some(s) = sqrt_when_pow_agrees(x) {
                assert_eq!(s, x.powf(0.5), "x = {x:e}");
            }
        }
        // Perfect squares of powers of two, zero, negatives, non-finite and out-of-range
        // inputs are pow's.
        for x in [4.0, 0.25, 0.0, -0.0, -2.0, f64::INFINITY, f64::NAN, MIN_X / 2.0, MAX_X * 2.0] {
            assert_eq!(sqrt_when_pow_agrees(x), None, "x = {x:e}");
        }
        // An exact square: its root is exact, the residual zero.
        assert_eq!(sqrt_when_pow_agrees(9.0), Some(3.0));
    }
}
