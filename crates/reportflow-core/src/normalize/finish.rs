//! Paragraph finishing: the last pass of the normalizer.
//!
//! Works on one paragraph at a time: drops thousands separators inside numbers, removes the
//! spaces that PDF and web conversions put between hanzi and figures (`2021 年`, `增长 6.5%`,
//! `李  欣`), drops a word repeated around such a space, and collapses the remaining runs of
//! spaces (between two ASCII words, `PM 2.5`) to one.

use super::join::repeated_prefix;
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
///
/// Takes the paragraph by value: most paragraphs need no change and are returned as they
/// are, without a copy.
pub(super) fn finish(mut text: String, speaker: bool) -> String {
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        text = trimmed.to_string();
    }
    if speaker {
        return text;
    }
    if has_digit_comma_digit(&text) {
        text = drop_thousands_separators(&text);
    }
    // Most paragraphs of office and web sources have no spaces at all.
    if !text.contains(' ') {
        return text;
    }
    drop_spaces(&text)
}

/// Removes the spaces next to wide characters, with a word repeated around such a space,
/// and collapses the other runs of spaces to one. Copies the text between spaces as whole
/// slices.
fn drop_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let Some(space) = rest.find(' ') else {
            out.push_str(rest);
            return out;
        };
        let (word, spaces) = rest.split_at(space);
        out.push_str(word);
        rest = spaces.trim_start_matches(' ');
        let (Some(p), Some(n)) = (out.chars().next_back(), rest.chars().next()) else {
            continue; // leading or trailing spaces
        };
        if is_wide(p) || is_wide(n) {
            if is_hanzi(p) && is_hanzi(n) {
                // `国民经济和社会 社会发展计划`: the converter repeated a word.
                rest = rest.get(repeated_prefix(&out, rest)..).unwrap_or(rest);
            }
            continue;
        }
        out.push(' ');
    }
}

/// Whether a comma stands between two digits: only such a comma can be a thousands
/// separator. `，` was folded to `,`, so nearly every paragraph has commas.
fn has_digit_comma_digit(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(next), Some(next2)) = (bytes.get(1..), bytes.get(2..)) else {
        return false;
    };
    let digit = |b: u8| b.wrapping_sub(b'0') < 10;
    // Every byte with the two after it, 64 at a time without an early exit inside a chunk:
    // the compiler turns that into SIMD compares, five times faster than `windows(3)`.
    bytes
        .chunks(64)
        .zip(next.chunks(64))
        .zip(next2.chunks(64))
        .any(|((a, b), c)| {
            a.iter().zip(b).zip(c).fold(false, |found, ((&x, &y), &z)| {
                found | (digit(x) & (y == b',') & digit(z))
            })
        })
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
    use super::*;

    /// The space pass as first written, on a vector of chars: the definition the sliced
    /// [`drop_spaces`] must agree with.
    fn reference_drop_spaces(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        // The characters written so far, for the repeated-word check.
        let mut tail: Vec<char> = Vec::new();
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
                continue;
            };
            if is_wide(p) || is_wide(n) {
                if is_hanzi(p) && is_hanzi(n) {
                    i += (2..=8usize)
                        .rev()
                        .find(|&k| {
                            tail.len() >= k
                                && chars.len() - j >= k
                                && tail[tail.len() - k..] == chars[j..j + k]
                                && chars[j..j + k].iter().all(|c| is_hanzi(*c))
                        })
                        .unwrap_or(0);
                }
                continue;
            }
            out.push(' ');
            tail.push(' ');
        }
        out
    }

    /// Pieces that exercise the space and separator rules: hanzi around spaces, repeated
    /// words, ASCII words, wide punctuation, digits and commas.
    const PIECES: &[&str] = &[
        " ",
        "  ",
        "社会",
        "发展",
        "社会发展",
        "国民经济和社会",
        "人",
        "天天",
        "PM",
        "2.5",
        "IV",
        "1",
        "23",
        ",",
        "5,",
        "6,7",
        "“",
        "”",
        "·",
        "年",
        "a",
        "①",
        "—",
        "。",
        "𠀀",
    ];

    proptest::proptest! {
        #[test]
        fn drop_spaces_equals_the_char_vector_definition(
            picks in proptest::collection::vec(0..PIECES.len(), 0..24)
        ) {
            let text: String = picks.iter().map(|i| PIECES[*i]).collect();
            proptest::prop_assert_eq!(drop_spaces(&text), reference_drop_spaces(&text));
        }

        #[test]
        fn digit_comma_digit_test_equals_windows(text in "[0-9,a 经]{0,200}") {
            let expected = text
                .as_bytes()
                .windows(3)
                .any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit());
            proptest::prop_assert_eq!(has_digit_comma_digit(&text), expected);
        }
    }

    fn f(s: &str) -> String {
        finish(s.to_string(), false)
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
        assert_eq!(
            finish(" 通州区区长 赵磊 ".to_string(), true),
            "通州区区长 赵磊"
        );
    }
}
