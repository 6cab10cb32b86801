//! Paragraph finishing: the last pass of the normalizer.
//!
//! Works on one paragraph at a time: removes the spaces that PDF and web conversions put
//! between hanzi and figures (`2021 年`, `增长 6.5%`, `李  欣`), drops a word repeated around
//! such a space, collapses the remaining runs of spaces (between two ASCII words, `PM 2.5`)
//! to one, joins figures typeset one character per cell (`1 9 9 7 年`, `8 ．8 ％`) and drops
//! thousands separators inside numbers.

use super::join::repeated_prefix;
use crate::text::is_hanzi;

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
    // Most paragraphs of office and web sources have no spaces at all.
    if text.contains(' ') {
        text = drop_spaces(&text);
        // After `drop_spaces`, every space left is a single one between two narrow
        // characters, which is what the spaced-figure rule reads. Before the thousands
        // separators: joining `1 2,345` makes the number they belong to.
        // A table row's cells (`7 5.6 6`) are figures of their own, not one figure
        // typeset a character per cell: a row has cells of several characters.
        if has_spaced_figure(&text) && !has_figure_cells(&text) {
            text = join_spaced_figures(&text);
        }
    }
    if has_digit_comma_digit(&text) {
        text = drop_thousands_separators(&text);
    }
    text
}

/// Whether a paragraph has two space-separated cells that are whole figures of two
/// characters or more (`6.5 5.8`): a table row, whose one-character cells stay apart.
fn has_figure_cells(text: &str) -> bool {
    text.split(' ')
        .filter(|t| {
            let t = t.trim_end_matches(['*', '＊']);
            // A digit first: `.8` is the tail of a spaced-out `8 .8`.
            t.len() >= 2
                && t.starts_with(|c: char| c.is_ascii_digit())
                && t.bytes().all(is_figure_byte)
        })
        .nth(1)
        .is_some()
}

/// A byte that can be part of a figure typeset one character per cell: a digit, a point or
/// a percent sign. ASCII only: the full-width forms were folded before.
fn is_figure_byte(b: u8) -> bool {
    b.is_ascii_digit() || b == b'.' || b == b'%'
}

/// Whether a figure byte, a space and a figure byte follow each other somewhere: a necessary
/// condition of [`join_spaced_figures`] changing anything (a run has two chunks with a
/// single space between them), tested block-wise like [`has_digit_comma_digit`].
fn has_spaced_figure(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (Some(next), Some(next2)) = (bytes.get(1..), bytes.get(2..)) else {
        return false;
    };
    let figure = |b: u8| (b.wrapping_sub(b'0') < 10) | (b == b'.') | (b == b'%');
    bytes
        .chunks(64)
        .zip(next.chunks(64))
        .zip(next2.chunks(64))
        .any(|((a, b), c)| {
            a.iter().zip(b).zip(c).fold(false, |found, ((&x, &y), &z)| {
                found | (figure(x) & (y == b' ') & figure(z))
            })
        })
}

/// Joins figures typeset with a space after every character, as some old web pages print
/// them: `1 9 9 7年` → `1997年`, `7 4 7 7 2亿元` → `74772亿元`, `8 .8 %` → `8.8%`.
///
/// The rule: a run of chunks separated by single spaces, each chunk one character of
/// `0-9 . %` or a point with its digit (a full-width `．` fills a cell of its own, so no
/// space follows it), is written without the spaces when it has two chunks or more and a
/// digit. Chunks are maximal, so figures of several characters (`8.7 48.5`, table columns)
/// are never joined. The space between such a run and a hanzi after it is already gone
/// (`drop_spaces`). Works on bytes: every byte it looks at is ASCII.
fn join_spaced_figures(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for space in memchr::memchr_iter(b' ', bytes) {
        if space < copied || space == 0 || !is_figure_byte(bytes[space - 1]) {
            continue;
        }
        if !bytes.get(space + 1).copied().is_some_and(is_figure_byte) {
            continue;
        }
        let mut start = space - 1;
        while start > 0 && is_figure_byte(bytes[start - 1]) {
            start -= 1;
        }
        // The last chunk of the run just joined: its run ended there.
        if start < copied {
            continue;
        }
        let Some(chunks) = spaced_run(bytes, start) else {
            continue;
        };
        let (Some(&(run_start, _)), Some(&(_, run_end))) = (chunks.first(), chunks.last()) else {
            continue;
        };
        out.push_str(&text[copied..run_start]);
        for (from, to) in &chunks {
            out.push_str(&text[*from..*to]);
        }
        copied = run_end;
    }
    out.push_str(&text[copied..]);
    out
}

/// The chunks (byte ranges) of the spaced figure starting at `start`, the start of a maximal
/// run of figure bytes; `None` when there is no such figure there.
fn spaced_run(bytes: &[u8], start: usize) -> Option<Vec<(usize, usize)>> {
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    let mut p = start;
    loop {
        let mut q = p;
        while bytes.get(q).copied().is_some_and(is_figure_byte) {
            q += 1;
        }
        let one_cell = match &bytes[p..q] {
            [_] => true,
            [b'.', d] => d.is_ascii_digit(),
            _ => false,
        };
        if !one_cell {
            break;
        }
        chunks.push((p, q));
        if bytes.get(q) == Some(&b' ') && bytes.get(q + 1).copied().is_some_and(is_figure_byte) {
            p = q + 1;
        } else {
            break;
        }
    }
    // A chunk glued to a word (`PM2 5`) or to a thousands group (`1 2,345`, `1,2 3`) belongs
    // to that, not to the spaced figure.
    let digit_at = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_digit);
    let first = chunks.first()?.0;
    if first.checked_sub(1).is_some_and(|b| {
        bytes[b].is_ascii_alphanumeric()
            || (bytes[b] == b',' && digit_at(Some(first)) && digit_at(b.checked_sub(1)))
    }) {
        chunks.remove(0);
    }
    let last = chunks.last()?.1;
    if bytes.get(last).is_some_and(|a| {
        a.is_ascii_alphanumeric()
            || (*a == b',' && digit_at(last.checked_sub(1)) && digit_at(Some(last + 1)))
    }) {
        chunks.pop();
    }
    let has_digit = chunks
        .iter()
        .any(|(from, to)| bytes[*from..*to].iter().any(u8::is_ascii_digit));
    (chunks.len() >= 2 && has_digit).then_some(chunks)
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
        "9",
        ".",
        ".8",
        "%",
        "‰",
        "8.7",
        "亿元",
    ];

    proptest::proptest! {
        #[test]
        fn drop_spaces_equals_the_char_vector_definition(
            picks in proptest::collection::vec(0..PIECES.len(), 0..24)
        ) {
            let text: String = picks.iter().map(|i| PIECES[*i]).collect();
            proptest::prop_assert_eq!(drop_spaces(&text), reference_drop_spaces(&text));
        }

        /// The pre-check never skips a text the join would change.
        #[test]
        fn spaced_figure_test_is_necessary(text in "[0-9. %,a年]{0,40}") {
            if !has_spaced_figure(&text) {
                proptest::prop_assert_eq!(join_spaced_figures(&text), text.clone());
            }
            let expected = text.as_bytes().windows(3).any(|w| {
                is_figure_byte(w[0]) && w[1] == b' ' && is_figure_byte(w[2])
            });
            proptest::prop_assert_eq!(has_spaced_figure(&text), expected);
        }

        /// The join only removes spaces, each between two figure characters, and leaves
        /// nothing it would join again.
        #[test]
        fn join_removes_only_spaces_inside_figures(text in "[0-9. %,a年]{0,40}") {
            let joined = join_spaced_figures(&text);
            proptest::prop_assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
            proptest::prop_assert_eq!(join_spaced_figures(&joined), joined.clone());
            let (a, b) = (text.as_bytes(), joined.as_bytes());
            let (mut i, mut j) = (0, 0);
            while i < a.len() {
                if j < b.len() && a[i] == b[j] {
                    i += 1;
                    j += 1;
                } else {
                    proptest::prop_assert!(a[i] == b' ' && is_figure_byte(a[i - 1]) && is_figure_byte(a[i + 1]));
                    i += 1;
                }
            }
        }

        #[test]
        fn finish_is_idempotent(picks in proptest::collection::vec(0..PIECES.len(), 0..24)) {
            let text: String = picks.iter().map(|i| PIECES[*i]).collect();
            let once = finish(text, false);
            proptest::prop_assert_eq!(finish(once.clone(), false), once);
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

    /// Lines of national_1998_gov-work-report, which spaces out every figure (full-width
    /// forms already folded, as the character pass does).
    #[test]
    fn figures_spaced_one_character_per_cell_are_joined() {
        assert_eq!(
            f("1 9 9 7 年国内生产总值达到7 4 7 7 2 亿元,按可比价格计算"),
            "1997年国内生产总值达到74772亿元,按可比价格计算"
        );
        assert_eq!(
            f("去年经济增长8 .8 %,商品零售价格涨幅为0 .8 %"),
            "去年经济增长8.8%,商品零售价格涨幅为0.8%"
        );
        assert_eq!(
            f("全社会固定资产投资累计完成近1 0 万亿元。"),
            "全社会固定资产投资累计完成近10万亿元。"
        );
        // A table row's one-character cells beside cells of several stay apart.
        assert_eq!(
            f("社会消费品零售总额增长 % 7 5.6 6 城镇居民人均可支配收入增长 % 6 4.5 5 9"),
            "社会消费品零售总额增长% 7 5.6 6城镇居民人均可支配收入增长% 6 4.5 5 9"
        );
        assert_eq!(f("平均每年增长1 1 %。"), "平均每年增长11%。");
        assert_eq!(f("人口自然增长率1 0 .0 6 ‰"), "人口自然增长率10.06‰");
        assert_eq!(
            f("——1 9 9 8 年3 月5 日在第九届全国人民代表大会第一次会议上"),
            "——1998年3月5日在第九届全国人民代表大会第一次会议上"
        );
    }

    #[test]
    fn figures_of_several_characters_are_not_joined() {
        // Table columns and ordinary spacing.
        assert_eq!(f("8.7 48.5"), "8.7 48.5");
        assert_eq!(f("12 3 4"), "12 34");
        assert_eq!(f("PM 2.5浓度"), "PM 2.5浓度");
        assert_eq!(f("增长 6.5 %"), "增长6.5 %");
        assert_eq!(f("% ."), "% .");
        // Glued to a thousands group or a word: not a spaced figure.
        assert_eq!(f("1 2,345"), "1 2345");
        assert_eq!(f("5,1 2"), "5,1 2");
        assert_eq!(f("PM2 5"), "PM2 5");
        assert_eq!(f("1 2 km"), "12 km");
    }

    #[test]
    fn speaker_space_is_kept() {
        assert_eq!(
            finish(" 通州区区长 赵磊 ".to_string(), true),
            "通州区区长 赵磊"
        );
    }
}
