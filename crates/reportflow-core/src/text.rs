//! Character predicates of Chinese text that every stage shares: which characters are
//! hanzi, and which are Chinese numerals of the kinds that reports write.
//!
//! A leaf module: it imports nothing from the crate, so normalization, sections, metadata
//! and indicators can all use one definition instead of each keeping its own copy.

/// CJK unified ideographs: the basic block, extension A, the compatibility ideographs and
/// the supplementary planes (extension B on).
pub(crate) fn is_hanzi(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF)
}

/// CJK unified ideographs of the basic block and extension A only: narrower than
/// [`is_hanzi`] (no compatibility ideographs, nothing beyond the BMP). The indicator reader
/// has always tested metric phrases and sentence openings with this set; widening it would
/// change which phrases count, so the two are kept apart.
pub(crate) fn is_common_hanzi(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Chinese numeral characters of ordinals and counts as list markers, meetings (`第十四届`)
/// and dates write them: the digits, `〇`/`零`, `十` and `百`. Not `两` (never in an
/// ordinal) nor `千`.
pub(crate) fn is_han_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十' | '〇' | '零' | '百'
    )
}

/// A digit of a year written digit by digit in Chinese numerals (`二〇二六`): the digits
/// and the zeros, including the circle `○` that typists use for `〇`; no `十` or `百`.
pub(crate) fn is_han_year_digit(c: char) -> bool {
    matches!(
        c,
        '〇' | '○' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九'
    )
}
