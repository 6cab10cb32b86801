//! Calendar dates and years as Chinese reports write them: `2021年8月5日`, the same in
//! Chinese numerals (`二〇二六年一月二十七日`), and a line that is only a date.
//!
//! Its own module, not part of metadata, because normalization and sections also ask
//! whether a line is a date line: this way none of them imports another in a circle.

use crate::numbers::{han_digit, parse_number};
use crate::text::{is_han_digit, is_han_year_digit};

/// Whether a text starts with a date in Chinese numerals (`二〇二六年一月…`).
pub(crate) fn han_date_first(text: &str) -> bool {
    text.chars().take(4).all(is_han_year_digit)
}

/// Years written as `2021年` in a text, ascending and without repeats.
pub(crate) fn years_in(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let starts = i == 0 || !chars[i - 1].is_ascii_digit();
        if starts && chars.get(i + 4) == Some(&'年') {
            if let Some(y) = number(&chars[i..i + 4]) {
                if (1949..=2100).contains(&y) {
                    out.push(y as i32);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The value of a run of ASCII digits (at most 9 of them).
fn number(digits: &[char]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |acc, c| c.to_digit(10).map(|d| acc * 10 + d))
}

/// The first valid `2021年8月5日` of a text, as (year, month, day).
pub(crate) fn find_date(text: &str) -> Option<(i32, u32, u32)> {
    let chars: Vec<char> = text.chars().filter(|c| *c != ' ').collect();
    (0..chars.len())
        .find_map(|i| date_at(&chars, i).map(|(d, _)| d))
        .or_else(|| {
            // Without the spaces a numeric date runs into the time after it
            // (`2023-12-15 10:00`): read as written.
            let chars: Vec<char> = text.chars().collect();
            (0..chars.len()).find_map(|i| date_at(&chars, i).map(|(d, _)| d))
        })
}

/// A date starting at `i`, with the index just past it.
pub(crate) fn date_at(chars: &[char], i: usize) -> Option<((i32, u32, u32), usize)> {
    if i > 0 && chars[i - 1].is_ascii_digit() {
        return None;
    }
    let run = |from: usize, max: usize| -> Option<(u32, usize)> {
        let len = chars
            .get(from..)?
            .iter()
            .take(max + 1)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 || len > max {
            return None;
        }
        Some((number(&chars[from..from + len])?, from + len))
    };
    let (y, p) = run(i, 4)?;
    if p - i != 4 {
        return None;
    }
    // `2020年10月23日`, or as web pages print a release date, `2020-10-23` or `2020/10/23`.
    let (month_end, day_end) = match chars.get(p)? {
        '年' => ('月', Some('日')),
        sep @ ('-' | '/') => (*sep, None),
        _ => return None,
    };
    let (m, p) = run(p + 1, 2)?;
    if chars.get(p) != Some(&month_end) {
        return None;
    }
    let (d, p) = run(p + 1, 2)?;
    let end = match day_end {
        Some(c) if chars.get(p) == Some(&c) => p + 1,
        Some(_) => return None,
        // A numeric date ends where its digits do (`2020-10-23 来源`), not inside a longer
        // number; `run` already refused a day of more than two digits.
        None => p,
    };
    valid_date(y as i32, m, d).then_some(((y as i32, m, d), end))
}

/// Whether (year, month, day) is a calendar date.
fn valid_date(y: i32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

/// The first valid date written in Chinese numerals, `二〇二六年一月二十七日`.
pub(crate) fn find_han_date(text: &str) -> Option<(i32, u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let number = |from: usize, max: usize, end: char| -> Option<(u32, usize)> {
        let len = chars
            .get(from..)?
            .iter()
            .take(max + 1)
            .take_while(|c| is_han_digit(**c))
            .count();
        if len == 0 || len > max || chars.get(from + len) != Some(&end) {
            return None;
        }
        let s: String = chars[from..from + len].iter().collect();
        let v = parse_number(&s)?;
        Some((v as u32, from + len + 1))
    };
    (0..chars.len().saturating_sub(4)).find_map(|i| {
        let digits = chars.get(i..i + 4)?;
        if (i > 0 && is_han_year_digit(chars[i - 1]))
            || !digits.iter().all(|c| is_han_year_digit(*c))
            || chars.get(i + 4) != Some(&'年')
        {
            return None;
        }
        let y = digits.iter().try_fold(0i32, |acc, c| {
            // `○` is a typist's `〇`; every other year digit has its numeral value.
            let d = if *c == '○' { 0 } else { han_digit(*c)? };
            Some(acc * 10 + d as i32)
        })?;
        let (m, p) = number(i + 5, 2, '月')?;
        let (d, _) = number(p, 3, '日')?;
        valid_date(y, m, d).then_some((y, m, d))
    })
}

/// A line that is only a date, `2020年2月29日` or `(2020年2月29日)`.
pub(crate) fn is_date_line(line: &str) -> bool {
    if line.len() > 80 {
        return false;
    }
    let chars: Vec<char> = line.chars().filter(|c| *c != ' ').collect();
    let inner = match (chars.first(), chars.last()) {
        (Some('(' | '（'), Some(')' | '）')) if chars.len() >= 2 => &chars[1..chars.len() - 1],
        _ => &chars[..],
    };
    date_at(inner, 0).is_some_and(|(_, end)| end == inner.len())
}
