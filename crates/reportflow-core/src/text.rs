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

/// A statistics bureau's release titled by its part of the year and the economy
/// (`前三季度全区经济运行稳中有进`, `2025年上半年全省经济稳步恢复`).
pub(crate) fn is_release_title(line: &str) -> bool {
    let t = line.trim();
    let t = t
        .char_indices()
        .find(|(_, c)| *c == '年')
        .filter(|(i, _)| *i > 0 && t[..*i].chars().all(|c| c.is_ascii_digit()))
        .map_or(t, |(i, c)| &t[i + c.len_utf8()..]);
    let part = ["上半年", "前三季度", "一季度", "第一季度", "前两个月"]
        .iter()
        .any(|p| t.starts_with(p))
        || t.split_once('月').is_some_and(|(months, _)| {
            !months.is_empty()
                && months.chars().count() <= 5
                && months
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | '—' | '～' | '~' | '至'))
        });
    part && t.contains("经济") && t.chars().count() <= 40
}
