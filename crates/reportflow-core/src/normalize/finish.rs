//! Paragraph finishing: the last pass of the normalizer.
//!
//! Works on one paragraph at a time: drops thousands separators inside numbers, removes the
//! spaces that PDF and web conversions put between hanzi and figures (`2021 年`, `增长 6.5%`,
//! `李  欣`), drops a word repeated around such a space, and collapses the remaining runs of
//! spaces (between two ASCII words, `PM 2.5`) to one.

use crate::sections::is_hanzi;

/// Characters of CJK typography: no space is ever needed next to them.
fn is_wide(c: char) -> bool {
    let u = c as u32;
    u >= 0x2E80 // CJK radicals, symbols and punctuation, hanzi, full-width forms, ...
        || (0x2010..=0x206F).contains(&u) // dashes, quotes, ellipsis
        || (0x2100..=0x27BF).contains(&u) // ℃, Ⅳ, ①, arrows, shapes
        || c == '·'
}

/// Finishes one paragraph. Speaker lines (`title name`) keep their one separating space.
pub(super) fn finish(text: &str, speaker: bool) -> String {
    let text = text.trim();
    if speaker {
        return text.to_string();
    }
    // `，` was folded to `,`, so nearly every paragraph has commas; only a digit on both
    // sides of one can be a thousands separator.
    let digit_comma_digit = text
        .as_bytes()
        .windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit());
    let text = if digit_comma_digit {
        drop_thousands_separators(text)
    } else {
        text.to_string()
    };
    // Most paragraphs of office and web sources have no spaces at all.
    if !text.contains(' ') {
        return text;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    // The last characters written, for the repeated-word check.
    let mut tail: Vec<char> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != ' ' {
            out.push(c);
            tail.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        let (prev, next) = (tail.last().copied(), chars.get(j).copied());
        i = j;
        let (Some(p), Some(n)) = (prev, next) else {
            continue; // leading or trailing spaces
        };
        if is_wide(p) || is_wide(n) {
            if is_hanzi(p) && is_hanzi(n) {
                // `国民经济和社会 社会发展计划`: the converter repeated a word.
                i += repeated_run(&tail, &chars[j..]);
            }
            continue;
        }
        out.push(' ');
        tail.push(' ');
    }
    out
}

/// Length of the longest run of 2 to 8 hanzi that ends `before` and starts `after`.
fn repeated_run(before: &[char], after: &[char]) -> usize {
    (2..=8usize)
        .rev()
        .find(|&k| {
            before.len() >= k
                && after.len() >= k
                && before[before.len() - k..] == after[..k]
                && after[..k].iter().all(|c| is_hanzi(*c))
        })
        .unwrap_or(0)
}

/// Removes thousands separators: `56,708.71` → `56708.71`, `1,234,567` → `1234567`.
///
/// Only a number shaped exactly like one qualifies: 1-3 digits, then groups of a comma and
/// exactly three digits, not glued to other digits, decimals or comma lists. `9%,0.4%`,
/// `1,2` and `2019,2020年` stay as they are.
fn drop_thousands_separators(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let chars = chars.as_slice();
    let digit = |i: usize| chars.get(i).is_some_and(|c| c.is_ascii_digit());
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_number = digit(i)
            && (i == 0 || {
                let p = chars[i - 1];
                !(p.is_ascii_digit() || p == '.' || (p == ',' && i >= 2 && digit(i - 2)))
            });
        if !starts_number {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i;
        while digit(end) {
            end += 1;
        }
        let lead = end - i;
        let mut groups = 0;
        while lead <= 3
            && chars.get(end) == Some(&',')
            && digit(end + 1)
            && digit(end + 2)
            && digit(end + 3)
            && !digit(end + 4)
        {
            end += 4;
            groups += 1;
        }
        // A comma and a digit right after the last group make it a list, not a number.
        let list_follows = chars.get(end) == Some(&',') && digit(end + 1);
        if groups > 0 && !list_follows {
            out.extend(chars[i..end].iter().filter(|c| **c != ','));
        } else {
            let plain_end = i + lead;
            out.extend(&chars[i..plain_end]);
            end = plain_end;
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::finish;

    fn f(s: &str) -> String {
        finish(s, false)
    }

    #[test]
    fn spaces_next_to_hanzi_go() {
        assert_eq!(f("2021 年 12 月 15 日"), "2021年12月15日");
        assert_eq!(f("增长 6.5%左右"), "增长6.5%左右");
        assert_eq!(f("1-3 季度"), "1-3季度");
        assert_eq!(f("李  欣"), "李欣");
        assert_eq!(f("(一) 城乡发展"), "(一)城乡发展");
        assert_eq!(f("水质达到 IV 类,“ 十四五 ”"), "水质达到IV类,“十四五”");
        assert_eq!(f("  两端  "), "两端");
    }

    #[test]
    fn spaces_between_ascii_words_collapse_to_one() {
        assert_eq!(f("PM   2.5浓度"), "PM 2.5浓度");
        assert_eq!(f("LEED  Gold 认证"), "LEED Gold认证");
    }

    #[test]
    fn repeated_word_around_a_space_goes() {
        assert_eq!(f("国民经济和社会 社会发展计划"), "国民经济和社会发展计划");
        assert_eq!(f("天天 天气"), "天天天气");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(f("总额56,708.71亿元"), "总额56708.71亿元");
        assert_eq!(f("人口1,234,567人"), "人口1234567人");
        assert_eq!(f("增长9%,0.4%"), "增长9%,0.4%");
        assert_eq!(f("第1,2项"), "第1,2项");
        assert_eq!(f("2019,2020年"), "2019,2020年");
        assert_eq!(f("编号12,345,67"), "编号12,345,67");
        assert_eq!(f("0.5,123户"), "0.5,123户");
        assert_eq!(f("3,1234"), "3,1234");
    }

    #[test]
    fn speaker_space_is_kept() {
        assert_eq!(finish(" 通州区区长 赵磊 ", true), "通州区区长 赵磊");
    }
}
