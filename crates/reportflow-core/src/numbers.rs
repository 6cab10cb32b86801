//! Numbers and units as written in Chinese reports: `607.6`, `1.05万`, `千亿`, `两千`.
//!
//! Arabic digits carry almost every figure; Chinese numerals appear in round magnitudes
//! (`超千亿元`, `百亿级`). Units combine a magnitude prefix with a base unit (`万户`, `亿美元`),
//! and base values are computed by splitting that prefix off, as a reader would.

/// Parses an Arabic number (`607.6`, `11618`) or a Chinese numeral (`千`, `两千`, `一百二十`).
/// Returns `None` for anything else, including empty input and damaged digits.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        if s.starts_with('.') || s.ends_with('.') || s.matches('.').count() > 1 {
            return None;
        }
        return s.parse::<f64>().ok().filter(|v| v.is_finite());
    }
    parse_chinese(s)
}

/// The value of one Chinese numeral digit (`两` is 2, `〇` and `零` are 0); `None` for any
/// other character, including `十` `百` `千`, which are units.
pub(crate) fn han_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// Chinese numerals below ten thousand: `千` = 1000, `两千` = 2000, `一百二十` = 120,
/// `十五` = 15. Larger magnitudes (万, 亿) are units, handled by [`split_unit`].
fn parse_chinese(s: &str) -> Option<f64> {
    let mut total: u32 = 0;
    let mut pending: Option<u32> = None;
    let mut any = false;
    for c in s.chars() {
        if let Some(d) = han_digit(c) {
            if pending.is_some() {
                // Two digits in a row (`一二`) is a list, not a number.
                return None;
            }
            pending = Some(d);
        } else if let Some(u) = small_unit(c) {
            total = total.checked_add(pending.unwrap_or(1).checked_mul(u)?)?;
            pending = None;
        } else {
            return None;
        }
        any = true;
    }
    if !any {
        return None;
    }
    total = total.checked_add(pending.unwrap_or(0))?;
    Some(f64::from(total))
}

/// Magnitude prefixes of units, longest first.
const MAGNITUDES: &[(&str, f64)] = &[
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("亿", 1e8),
    ("千万", 1e7),
    ("百万", 1e6),
    ("万", 1e4),
];

/// Splits a unit as written into its magnitude and base unit: `亿元` → (1e8, `元`),
/// `万户` → (1e4, `户`), `%` → (1, `%`). A bare magnitude (`亿`) keeps itself as base unit,
/// because nothing says what is counted.
pub(crate) fn split_unit(unit: &str) -> (f64, &str) {
    for (prefix, factor) in MAGNITUDES {
        if let Some(rest) = unit.strip_prefix(prefix) {
            if !rest.is_empty() {
                return (*factor, rest);
            }
        }
    }
    (1.0, unit)
}

/// The value in base units, rounded to remove binary noise (`607.6 × 1e8` → `60760000000`).
pub(crate) fn base_value(value: f64, unit: &str) -> (f64, String) {
    let (factor, base) = split_unit(unit);
    let v = value * factor;
    // Twelve significant digits are more than any report states.
    let rounded = if v.abs() >= 1.0 {
        let scale = 10f64.powi(12 - (v.abs().log10().floor() as i32) - 1);
        if scale.is_finite() && scale > 0.0 {
            (v * scale).round() / scale
        } else {
            v
        }
    } else {
        (v * 1e12).round() / 1e12
    };
    (rounded, base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_numbers() {
        assert_eq!(parse_number("607.6"), Some(607.6));
        assert_eq!(parse_number("11618"), Some(11618.0));
        assert_eq!(parse_number("0.4"), Some(0.4));
        assert_eq!(parse_number(".2"), None);
        assert_eq!(parse_number("2."), None);
        assert_eq!(parse_number("1.2.3"), None);
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(parse_number("千"), Some(1000.0));
        assert_eq!(parse_number("两千"), Some(2000.0));
        assert_eq!(parse_number("一百二十"), Some(120.0));
        assert_eq!(parse_number("十五"), Some(15.0));
        assert_eq!(parse_number("三"), Some(3.0));
        assert_eq!(parse_number("一二"), None);
        assert_eq!(parse_number("千a"), None);
    }

    #[test]
    fn units_split_into_magnitude_and_base() {
        assert_eq!(split_unit("亿元"), (1e8, "元"));
        assert_eq!(split_unit("万户"), (1e4, "户"));
        assert_eq!(split_unit("亿美元"), (1e8, "美元"));
        assert_eq!(split_unit("%"), (1.0, "%"));
        assert_eq!(split_unit("亿"), (1.0, "亿"));
        assert_eq!(
            base_value(607.6, "亿元"),
            (60_760_000_000.0, "元".to_string())
        );
        assert_eq!(base_value(1.05, "万户"), (10_500.0, "户".to_string()));
        assert_eq!(base_value(4.42, "万元"), (44_200.0, "元".to_string()));
    }
}
