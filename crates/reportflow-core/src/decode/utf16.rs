//! Step 4 of [`decode`](super::decode): BOM-less UTF-16, sniffed by the share of code units
//! that are common text characters in each byte order.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE};

use super::{DETECTION_WINDOW, UTF16_MIN_UNITS_WITHOUT_NUL};

/// Step 4: the byte order in which `raw` is plausible UTF-16, if any. When both are
/// plausible the one with more text-like code units wins, little-endian on a tie.
pub(super) fn sniff_utf16(raw: &[u8]) -> Option<&'static Encoding> {
    let min_units = if raw.contains(&0) {
        1
    } else {
        UTF16_MIN_UNITS_WITHOUT_NUL
    };
    let le = Utf16Score::plausible(raw, false, min_units);
    let be = Utf16Score::plausible(raw, true, min_units);
    match (le, be) {
        (Some(le), Some(be)) if be.good > le.good => Some(UTF_16BE),
        (Some(_), _) => Some(UTF_16LE),
        (None, Some(_)) => Some(UTF_16BE),
        (None, None) => None,
    }
}

/// How a byte string reads as UTF-16 in one byte order, over at most
/// [`DETECTION_WINDOW`] bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Utf16Score {
    /// Code units read (a trailing odd byte is not counted).
    pub(super) units: usize,
    /// Code units (or surrogate pairs) that are common characters of Chinese or ASCII text.
    pub(super) good: usize,
    /// Code units that do not occur in text: unpaired surrogates, C0/C1 controls other than
    /// tab, line feed and carriage return, NUL, noncharacters.
    pub(super) bad: usize,
    /// Code units whose two bytes are both printable ASCII: a sign of an 8-bit text read as
    /// UTF-16 (the score is the same in both byte orders).
    ascii_pairs: usize,
}

impl Utf16Score {
    /// Scores `raw` read as UTF-16 (big-endian when `big_endian`).
    #[cfg(test)]
    pub(super) fn of(raw: &[u8], big_endian: bool) -> Self {
        Self::scan(raw, big_endian, false).0
    }

    /// The score of `raw` read as UTF-16 when it [is plausible](Self::is_plausible).
    ///
    /// Most input that reaches the sniff is legacy text, which fails the test within its
    /// first few hundred code units: the scan stops as soon as the counts so far rule the
    /// window out whatever its remaining units are (property test
    /// `early_exit_sniff_equals_full_score`).
    pub(super) fn plausible(raw: &[u8], big_endian: bool, min_units: usize) -> Option<Self> {
        let (score, complete) = Self::scan(raw, big_endian, true);
        (complete && score.is_plausible(min_units)).then_some(score)
    }

    /// The score of the window, and whether it was read to its end (`give_up` stops at
    /// the first check that the window can no longer be plausible).
    fn scan(raw: &[u8], big_endian: bool, give_up: bool) -> (Self, bool) {
        let window = raw.get(..DETECTION_WINDOW).unwrap_or(raw);
        let total = window.len() / 2;
        let mut score = Utf16Score::default();
        let mut pending_high_surrogate: Option<u16> = None;
        for pair in window.chunks_exact(2) {
            if give_up && score.units % 64 == 0 && score.ruled_out(total) {
                return (score, false);
            }
            let (first, second) = match *pair {
                [a, b] => (a, b),
                _ => continue,
            };
            let unit = if big_endian {
                u16::from_be_bytes([first, second])
            } else {
                u16::from_le_bytes([first, second])
            };
            score.units += 1;
            if is_printable_ascii(first) && is_printable_ascii(second) {
                score.ascii_pairs += 1;
            }
            if let Some(high) = pending_high_surrogate.take() {
                if (0xDC00..=0xDFFF).contains(&unit) {
                    // A surrogate pair: a supplementary character. Count it as text only
                    // in the ideographic planes 2 and 3 (CJK Extension B and later).
                    let plane = (u32::from(high) - 0xD800 + 0x40) >> 6;
                    if plane == 2 || plane == 3 {
                        score.good += 1;
                    }
                    continue;
                }
                score.bad += 1;
            }
            match classify_utf16_unit(unit) {
                UnitClass::HighSurrogate => pending_high_surrogate = Some(unit),
                UnitClass::Good => score.good += 1,
                UnitClass::Bad => score.bad += 1,
                UnitClass::Neutral => {}
            }
        }
        if pending_high_surrogate.is_some() {
            score.bad += 1;
        }
        (score, true)
    }

    /// Whether the final score over `total` units must fail [`Self::is_plausible`]: each
    /// unit read adds one to `units` and at most one to `good`, so `units - good` never
    /// falls, and neither do `bad` and `ascii_pairs`.
    fn ruled_out(&self, total: usize) -> bool {
        self.units.saturating_sub(self.good).saturating_mul(5) > total
            || self.bad.saturating_mul(50) > total
            || self.ascii_pairs.saturating_mul(2) > total
    }

    /// At least `min_units` code units, at least 80 % of them text-like, at most 2 % of them
    /// impossible in text, and at most half of them pairs of printable ASCII bytes.
    pub(super) fn is_plausible(&self, min_units: usize) -> bool {
        let units = self.units;
        units >= min_units.max(1)
            && self.good.saturating_mul(5) >= units.saturating_mul(4)
            && self.bad.saturating_mul(50) <= units
            && self.ascii_pairs.saturating_mul(2) <= units
    }
}

fn is_printable_ascii(byte: u8) -> bool {
    matches!(byte, 0x20..=0x7E | b'\t' | b'\n' | b'\r')
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnitClass {
    Good,
    Neutral,
    Bad,
    HighSurrogate,
}

/// Classifies one UTF-16 code unit for the plausibility score.
fn classify_utf16_unit(unit: u16) -> UnitClass {
    match unit {
        0x09 | 0x0A | 0x0D | 0x20..=0x7E => UnitClass::Good,
        0x00..=0x1F | 0x7F..=0x9F => UnitClass::Bad,
        0xD800..=0xDBFF => UnitClass::HighSurrogate,
        0xDC00..=0xDFFF | 0xFDD0..=0xFDEF | 0xFFFE | 0xFFFF => UnitClass::Bad,
        // ASCII read in the wrong byte order becomes U+XX00 (`a` → U+6100, a CJK ideograph;
        // space → U+2000). Real text rarely has such characters, except the very common
        // 一 (U+4E00) and the ideographic space (U+3000).
        0x4E00 | 0x3000 => UnitClass::Good,
        u if u & 0xFF == 0 => UnitClass::Neutral,
        // Latin-1 supplement: NBSP, ·, ×, ÷, accented letters.
        0xA0..=0xFF => UnitClass::Good,
        // CJK Unified Ideographs.
        0x4E00..=0x9FFF => UnitClass::Good,
        // CJK Symbols and Punctuation (、。〇《》「」【】〔〕), enclosed CJK (㈠).
        0x3001..=0x303F | 0x3200..=0x32FF => UnitClass::Good,
        // Half-width and full-width forms (，：；（）！％ and full-width digits).
        0xFF01..=0xFFEF => UnitClass::Good,
        // En and em spaces, dashes, quotes, ellipsis, per mille, primes, reference mark.
        0x2002..=0x2003 | 0x2010..=0x2027 | 0x2030..=0x203B => UnitClass::Good,
        // Roman numerals (Ⅲ), arrows, circled numbers (①), box drawing, shapes (■○●).
        0x2150..=0x21FF | 0x2460..=0x24FF | 0x2500..=0x25FF => UnitClass::Good,
        _ => UnitClass::Neutral,
    }
}
