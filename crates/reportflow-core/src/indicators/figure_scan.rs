//! Finds the figures of a sentence: an optional leading qualifier, a number, a unit, an
//! optional trailing qualifier (`超过5%`, `607.6亿元`, `三千亿元`, `1000多万人`, `5%左右`).
//!
//! A hand-written scanner with exactly the matches of the regular expression
//! [`figure_regex_source`] builds from the same lexicon lists, leftmost-first as the
//! `regex` crate finds them (property tests below). It is here because the figure search
//! runs over every sentence with a digit and finds a match every ninety bytes or so: the
//! regex's forward and reverse DFA searches per match cost more than all the sentence's
//! other regex searches together, and most of the text cannot start a figure at all.

use super::lexicon;

/// The compiled figure vocabulary: units grouped by their first character, so that the
/// unit after a number is found by one group's prefixes, and bit sets of the characters
/// that can start a figure or a unit.
#[derive(Debug)]
pub(crate) struct FigureScanner {
    /// `(first character, the units starting with it in lexicon order)`.
    unit_groups: Vec<(char, Vec<&'static str>)>,
    /// The Basic Multilingual Plane's characters that may start a figure (a numeral, the
    /// first of a qualifier), one bit each: tested for every character the scan passes.
    starts: CharSet,
    /// The characters units start with.
    unit_starts: CharSet,
}

impl FigureScanner {
    /// Groups [`lexicon::FIGURE_UNITS`] by their first character.
    pub(crate) fn new() -> FigureScanner {
        let mut unit_groups: Vec<(char, Vec<&'static str>)> = Vec::new();
        let mut unit_starts = CharSet::default();
        for &unit in lexicon::FIGURE_UNITS {
            let first = unit.chars().next().expect("units are not empty");
            unit_starts.insert(first);
            match unit_groups.iter_mut().find(|(c, _)| *c == first) {
                // The lexicon order within a group is the regex's alternation order.
                Some((_, group)) => group.push(unit),
                None => unit_groups.push((first, vec![unit])),
            }
        }
        let mut starts = CharSet::default();
        for c in lexicon::CHINESE_NUMERALS.chars() {
            starts.insert(c);
        }
        for q in lexicon::QUALIFIERS_BEFORE {
            starts.insert(q.chars().next().expect("qualifiers are not empty"));
        }
        FigureScanner {
            unit_groups,
            starts,
            unit_starts,
        }
    }

    /// The figures of `s` as byte ranges, left to right, not overlapping.
    pub(crate) fn find_iter<'a>(&'a self, s: &'a str) -> Figures<'a> {
        Figures {
            scanner: self,
            s,
            pos: 0,
        }
    }

    /// The length of the unit `r` starts with, the first of the lexicon's that fits.
    fn unit_len(&self, r: &str) -> Option<usize> {
        let first = r.chars().next().filter(|&c| self.unit_starts.contains(c))?;
        let (_, group) = self.unit_groups.iter().find(|(c, _)| *c == first)?;
        group.iter().find(|u| r.starts_with(**u)).map(|u| u.len())
    }

    /// The length of the rest of a figure after its number: `多`/`余`, a unit, a trailing
    /// qualifier.
    fn after_number(&self, r: &str) -> Option<usize> {
        let more = ["多", "余"]
            .iter()
            .find(|m| r.starts_with(**m))
            .and_then(|m| Some(m.len() + self.unit_len(&r[m.len()..])?));
        let unit = more.or_else(|| self.unit_len(r))?;
        let post = lexicon::QUALIFIERS_AFTER
            .iter()
            .find(|q| r[unit..].starts_with(**q))
            .map_or(0, |q| q.len());
        Some(unit + post)
    }

    /// The length of a figure without its leading qualifier at the start of `r`.
    fn body_len(&self, r: &str) -> Option<usize> {
        if r.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            // Greedy digits, then a fraction: a unit never starts with a digit or `.`, so
            // no shorter number could be followed by one.
            let num = number_len(r);
            return Some(num + self.after_number(&r[num..])?);
        }
        // Chinese numerals, greedy, giving back one at a time: a unit may start with one
        // (`三千亿元` is `三` + `千亿元` only where `三千` + `亿元` does not fit, which it does).
        let run = numerals_len(r);
        r[..run].char_indices().rev().find_map(|(at, c)| {
            let end = at + c.len_utf8();
            Some(end + self.after_number(&r[end..])?)
        })
    }

    /// The end of the figure starting at byte `i` of `s`, if one does.
    fn match_at(&self, s: &str, i: usize) -> Option<usize> {
        let r = &s[i..];
        let qualified = || {
            lexicon::QUALIFIERS_BEFORE
                .iter()
                .filter(|q| r.starts_with(**q))
                .find_map(|q| Some(q.len() + self.body_len(&r[q.len()..])?))
        };
        // Only a non-digit can open a qualifier.
        let qualified = if r.as_bytes()[0].is_ascii_digit() {
            None
        } else {
            qualified()
        };
        qualified.or_else(|| self.body_len(r)).map(|len| i + len)
    }
}

/// The figures of one string: see [`FigureScanner::find_iter`].
pub(crate) struct Figures<'a> {
    scanner: &'a FigureScanner,
    s: &'a str,
    pos: usize,
}

impl Iterator for Figures<'_> {
    type Item = std::ops::Range<usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.s;
        let bytes = s.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if b.is_ascii_digit() {
                    if let Some(end) = self.scanner.match_at(s, i) {
                        self.pos = end;
                        return Some(i..end);
                    }
                    // A later start in the same run of digits ends the number at the
                    // same place and fails the same way.
                    i += digits(&bytes[i..]);
                } else {
                    i += 1;
                }
                continue;
            }
            // Figures start with ASCII or a three-byte character.
            if self.scanner.starts.holds_three_byte_char_at(bytes, i) {
                if let Some(end) = self.scanner.match_at(s, i) {
                    self.pos = end;
                    return Some(i..end);
                }
                // A later start in a run of numerals has fewer ends to try, each followed
                // by the same text.
                let run = numerals_len(&s[i..]);
                if run > 0 {
                    i += run;
                    continue;
                }
            }
            i += utf8_width(b);
        }
        self.pos = bytes.len();
        None
    }
}

/// The length of the UTF-8 sequence a byte at a character boundary starts.
pub(super) fn utf8_width(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// The length of the number `r` starts with, as a figure's is read: ASCII digits with a
/// fraction if one follows (`607.6`), else a run of Chinese numerals (`三千`); 0 for none.
pub(super) fn number_len(r: &str) -> usize {
    let bytes = r.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        return numerals_len(r);
    }
    let int = digits(bytes);
    let frac = match bytes.get(int) {
        Some(b'.') => match digits(&bytes[int + 1..]) {
            0 => 0,
            n => n + 1,
        },
        _ => 0,
    };
    int + frac
}

/// The length of the run of Chinese numerals `r` starts with.
fn numerals_len(r: &str) -> usize {
    r.chars()
        .take_while(|&c| is_chinese_numeral(c))
        .map(char::len_utf8)
        .sum()
}

/// A set of characters of the Basic Multilingual Plane, one bit each (8 KiB).
#[derive(Debug)]
pub(super) struct CharSet {
    bits: Vec<u64>,
}

impl Default for CharSet {
    fn default() -> Self {
        CharSet {
            bits: vec![0; 0x10000 / 64],
        }
    }
}

impl CharSet {
    /// Adds `c`; characters beyond the plane are never members.
    pub(super) fn insert(&mut self, c: char) {
        let cp = c as usize;
        if let Some(word) = self.bits.get_mut(cp / 64) {
            *word |= 1 << (cp % 64);
        }
    }

    fn contains(&self, c: char) -> bool {
        self.contains_bmp(c as u32)
    }

    /// Whether the character at byte `i` of `bytes` (a character boundary of valid UTF-8)
    /// is a three-byte member: the code point is put together here rather than by a
    /// `chars()` decoder, since scans test every character they pass.
    pub(super) fn holds_three_byte_char_at(&self, bytes: &[u8], i: usize) -> bool {
        match bytes.get(i..i + 3) {
            Some(&[b0 @ 0xE0..=0xEF, b1, b2]) => self.contains_bmp(
                (u32::from(b0 & 0x0F) << 12) | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F),
            ),
            _ => false,
        }
    }

    fn contains_bmp(&self, cp: u32) -> bool {
        let cp = cp as usize;
        self.bits
            .get(cp / 64)
            .is_some_and(|w| w & (1 << (cp % 64)) != 0)
    }
}

/// The number of ASCII digits `bytes` starts with.
fn digits(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// Whether `c` is one of [`lexicon::CHINESE_NUMERALS`].
fn is_chinese_numeral(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '两'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
    )
}

/// The regular expression the scanner implements, built from the same lexicon lists:
/// the specification its property tests compare it with.
#[cfg(test)]
pub(crate) fn figure_regex_source() -> String {
    let alt = |words: &[&str]| {
        words
            .iter()
            .map(|w| regex::escape(w))
            .collect::<Vec<_>>()
            .join("|")
    };
    format!(
        "(?:{})?(?:[0-9]+(?:\\.[0-9]+)?|[{}]+)(?:多|余)?(?:{})(?:{})?",
        alt(lexicon::QUALIFIERS_BEFORE),
        lexicon::CHINESE_NUMERALS,
        alt(lexicon::FIGURE_UNITS),
        alt(lexicon::QUALIFIERS_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    /// The scanner's figures of `s`, and the regex's.
    fn both(s: &str) -> (Vec<std::ops::Range<usize>>, Vec<std::ops::Range<usize>>) {
        static BUILT: std::sync::OnceLock<(Regex, FigureScanner)> = std::sync::OnceLock::new();
        let (re, scanner) = BUILT.get_or_init(|| {
            let re = Regex::new(&figure_regex_source()).unwrap();
            (re, FigureScanner::new())
        });
        let want = re.find_iter(s).map(|m| m.range()).collect();
        let got = scanner.find_iter(s).collect();
        (got, want)
    }

    #[test]
    fn the_lexicon_lists_agree_with_the_character_tests() {
        for c in lexicon::CHINESE_NUMERALS.chars() {
            assert!(is_chinese_numeral(c), "{c}");
        }
        let numerals = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_chinese_numeral(c))
            .count();
        assert_eq!(numerals, lexicon::CHINESE_NUMERALS.chars().count());
        // The scan tests only three-byte characters as starts.
        let firsts = lexicon::QUALIFIERS_BEFORE
            .iter()
            .filter_map(|q| q.chars().next());
        for c in lexicon::CHINESE_NUMERALS.chars().chain(firsts) {
            assert_eq!(c.len_utf8(), 3, "{c}");
        }
        // The skips after a failed start rely on no unit or `多`/`余` starting with a digit
        // or `.`, and no unit ending where a figure could go on.
        for u in lexicon::FIGURE_UNITS {
            assert!(
                !u.starts_with(|c: char| c.is_ascii_digit() || c == '.'),
                "{u}"
            );
        }
    }

    #[test]
    fn figures_of_report_sentences() {
        let s = "地区生产总值607.6亿元,增长5.2%左右,超过三千亿元;1000多万人、280亿余元,\
                 2025年12月,三个百分点,近5%、不低于6.5%,1.2.3%,μg/m35%";
        let (got, want) = both(s);
        assert!(got.len() >= 10, "{got:?}");
        assert_eq!(got, want);
    }

    #[test]
    fn every_sentence_of_the_corpus_has_the_regex_figures() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data");
        let re = Regex::new(&figure_regex_source()).unwrap();
        let scanner = FigureScanner::new();
        let mut matches = 0;
        for sub in ["dev", "seeds"] {
            let mut stack = vec![std::path::PathBuf::from(dir).join(sub)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "txt") {
                        let text = std::fs::read_to_string(&p).unwrap();
                        for line in text.lines() {
                            let want: Vec<_> = re.find_iter(line).map(|m| m.range()).collect();
                            let got: Vec<_> = scanner.find_iter(line).collect();
                            assert_eq!(got, want, "{}: {line}", p.display());
                            matches += got.len();
                        }
                    }
                }
            }
        }
        assert!(matches > 5000, "{matches}");
    }

    /// Pieces figures are made of, and text around them, to build strings from.
    fn piece() -> impl Strategy<Value = String> {
        let mut pieces: Vec<String> = Vec::new();
        pieces.extend(lexicon::FIGURE_UNITS.iter().map(|s| s.to_string()));
        pieces.extend(lexicon::QUALIFIERS_BEFORE.iter().map(|s| s.to_string()));
        pieces.extend(lexicon::QUALIFIERS_AFTER.iter().map(|s| s.to_string()));
        pieces.extend(lexicon::CHINESE_NUMERALS.chars().map(String::from));
        for p in [
            "0", "1", "5", "9", "12", ".", "-", "年", "增长", "的", "个", "μ", "3", "m", "不",
            "超", "过", "近", "多", "余", "亿", "万", "千", "百", ",", "a", "%",
        ] {
            pieces.push(p.to_string());
        }
        proptest::sample::select(pieces)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_scanner_finds_what_the_regex_finds(
            parts in proptest::collection::vec(piece(), 0..14)
        ) {
            let s: String = parts.concat();
            let (got, want) = both(&s);
            prop_assert_eq!(got, want, "{}", s);
        }

        #[test]
        fn the_scanner_finds_what_the_regex_finds_in_any_text(s in "\\PC{0,40}") {
            let (got, want) = both(&s);
            prop_assert_eq!(got, want, "{}", s);
        }
    }
}
