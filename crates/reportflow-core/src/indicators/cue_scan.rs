//! Finds the timeline's cues in a line (`过去五年`, `“十四五”时期`, `到2030年`,
//! `今年…主要预期目标`): a hand-written scanner with exactly the matches, and the groups, of
//! the regular expression [`CUES`], leftmost-first as the `regex` crate finds them
//! (property tests below). The timeline runs it over every line of a document, and the
//! regex's forward and reverse DFA searches, then a capture search per cue, cost more than
//! looking only at the dozen characters a cue can start with.

use super::figure_scan::{utf8_width, CharSet};

/// The cues as a regular expression: the specification the scanner is tested against.
/// `plan` names a numbered five-year plan (`十四五`), whose years say whether it is being
/// reviewed or planned.
#[cfg(test)]
pub(crate) const CUES: &str = concat!(
    r"(?P<five_review>过去五年|五年来|过去的五年|这五年|经过五年)",
    r"|(?P<year_review>过去一年|过去的一年|一年来|去年以来|这一年)",
    // `“十四五”规划实施以来`: the plan's years so far, as `“十四五”以来`.
    r"|(?P<plan>[“\x22]?十(?P<ordinal>[一二三四五六七八九])五[”\x22]?(?:时期|期间|以来|规划实施以来|规划|发展|主要目标))",
    r"|(?P<five_plan>今后五年|未来五年)",
    r"|(?P<by_year>到(?P<by>20[0-9][0-9])年)",
    r"|(?P<year_targets>今年[^。;；]{0,16}?(?:预期目标|主要目标|目标任务)|主要预期目标(?:是|为|:|：|$))",
);

const FIVE_REVIEW: &[&str] = &["过去五年", "五年来", "过去的五年", "这五年", "经过五年"];
const YEAR_REVIEW: &[&str] = &["过去一年", "过去的一年", "一年来", "去年以来", "这一年"];
const PLAN_SUFFIXES: &[&str] = &[
    "时期",
    "期间",
    "以来",
    "规划实施以来",
    "规划",
    "发展",
    "主要目标",
];
const FIVE_PLAN: &[&str] = &["今后五年", "未来五年"];
const TARGET_WORDS: &[&str] = &["预期目标", "主要目标", "目标任务"];
const MAIN_TARGETS_AFTER: &[&str] = &["是", "为", ":", "："];
/// How many characters may stand between `今年` and its target word.
const TARGETS_GAP: usize = 16;

/// What a cue says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CueKind {
    /// `过去五年`: the five years just ended.
    FiveReview,
    /// `过去一年`: the year just ended.
    YearReview,
    /// `“十四五”时期`: a numbered five-year plan (`ordinal` 14), and whether the cue says
    /// "so far" (`以来`).
    Plan { ordinal: i32, so_far: bool },
    /// `今后五年`: the five years ahead.
    FivePlan,
    /// `到2030年`: a deadline year.
    ByYear(i32),
    /// `今年…主要预期目标`: this year's targets.
    YearTargets,
}

/// One cue: its byte range in the line and what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cue {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) kind: CueKind,
}

/// The characters a cue can start with, built once.
#[derive(Debug)]
pub(crate) struct CueScanner {
    starts: CharSet,
    this_year: memchr::memmem::Finder<'static>,
    main_targets: memchr::memmem::Finder<'static>,
}

impl CueScanner {
    pub(crate) fn new() -> CueScanner {
        let mut starts = CharSet::default();
        for c in "过五这经一去“十今未到主".chars() {
            starts.insert(c);
        }
        CueScanner {
            starts,
            this_year: memchr::memmem::Finder::new("今年"),
            main_targets: memchr::memmem::Finder::new("主要预期目标"),
        }
    }

    /// The first cue of this year's targets starting at or after byte `from` of `line`.
    fn targets_from(&self, line: &str, mut from: usize) -> Option<Cue> {
        let bytes = line.as_bytes();
        loop {
            let next = |f: &memchr::memmem::Finder<'_>| f.find(&bytes[from..]).map(|i| from + i);
            let start = match (next(&self.this_year), next(&self.main_targets)) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            };
            if let Some(len) = year_targets_at(&line[start..]) {
                return Some(Cue {
                    start,
                    end: start + len,
                    kind: CueKind::YearTargets,
                });
            }
            from = start + 1;
        }
    }

    /// The cues of `line`, left to right, not overlapping.
    #[cfg(test)]
    pub(crate) fn cues<'a>(&'a self, line: &'a str) -> impl Iterator<Item = Cue> + 'a {
        self.head_cues_and_targets(line, usize::MAX)
    }

    /// The cues of [`CueScanner::cues`] that start before byte `head`, and this year's
    /// targets wherever they start: the timeline asks for no other cue past a paragraph's
    /// head, and a paragraph can run to thousands of characters. Past `head` only `今年` and
    /// `主要预期目标` are searched for, with a vectorized substring search. The result is
    /// exactly the filtered [`CueScanner::cues`] (a property test below), since no other
    /// cue contains either word, so none skipped could have hidden a target cue.
    pub(crate) fn head_cues_and_targets<'a>(
        &'a self,
        line: &'a str,
        head: usize,
    ) -> impl Iterator<Item = Cue> + 'a {
        let mut pos = 0;
        std::iter::from_fn(move || {
            let bytes = line.as_bytes();
            let mut i = pos;
            while i < bytes.len() {
                if i >= head {
                    let found = self.targets_from(line, i);
                    pos = found.map_or(bytes.len(), |c| c.end);
                    return found;
                }
                let b = bytes[i];
                // Every start but `"` is a three-byte character.
                if b == b'"' || self.starts.holds_three_byte_char_at(bytes, i) {
                    if let Some((len, kind)) = cue_at(&line[i..]) {
                        pos = i + len;
                        return Some(Cue {
                            start: i,
                            end: i + len,
                            kind,
                        });
                    }
                }
                i += utf8_width(b);
            }
            pos = bytes.len();
            None
        })
    }
}

/// The cue `r` starts with, if any: its length and kind, the regex's alternatives tried in
/// its order.
fn cue_at(r: &str) -> Option<(usize, CueKind)> {
    let word = |words: &[&str]| words.iter().find(|w| r.starts_with(**w)).map(|w| w.len());
    if let Some(len) = word(FIVE_REVIEW) {
        return Some((len, CueKind::FiveReview));
    }
    if let Some(len) = word(YEAR_REVIEW) {
        return Some((len, CueKind::YearReview));
    }
    if let Some(found) = plan_at(r) {
        return Some(found);
    }
    if let Some(len) = word(FIVE_PLAN) {
        return Some((len, CueKind::FivePlan));
    }
    if let Some(found) = by_year_at(r) {
        return Some(found);
    }
    year_targets_at(r).map(|len| (len, CueKind::YearTargets))
}

/// `“十四五”时期`: an optional quote, `十`, the ordinal, `五`, an optional quote, a suffix.
fn plan_at(r: &str) -> Option<(usize, CueKind)> {
    let body = r
        .strip_prefix('“')
        .or_else(|| r.strip_prefix('"'))
        .unwrap_or(r);
    let mut chars = body.strip_prefix('十')?.chars();
    let o = chars.next()?;
    let ordinal = "一二三四五六七八九".chars().position(|d| d == o)?;
    let rest = chars.as_str().strip_prefix('五')?;
    let rest = rest
        .strip_prefix('”')
        .or_else(|| rest.strip_prefix('"'))
        .unwrap_or(rest);
    let suffix = PLAN_SUFFIXES.iter().find(|s| rest.starts_with(**s))?;
    let len = r.len() - rest.len() + suffix.len();
    let kind = CueKind::Plan {
        ordinal: 11 + ordinal as i32,
        so_far: suffix.ends_with("以来"),
    };
    Some((len, kind))
}

/// `到2030年`.
fn by_year_at(r: &str) -> Option<(usize, CueKind)> {
    let rest = r.strip_prefix('到')?;
    let digits = rest.get(..4)?;
    let year = digits.starts_with("20")
        && digits.bytes().all(|b| b.is_ascii_digit())
        && rest[4..].starts_with('年');
    let year: i32 = year.then(|| digits.parse().ok()).flatten()?;
    Some(("到".len() + 4 + "年".len(), CueKind::ByYear(year)))
}

/// `今年…主要预期目标` (the fewest characters between, none of them `。;；`) or
/// `主要预期目标` before `是`, `为`, a colon or the end of the line.
fn year_targets_at(r: &str) -> Option<usize> {
    if let Some(after) = r.strip_prefix("今年") {
        let mut gap = after;
        for _ in 0..=TARGETS_GAP {
            if let Some(w) = TARGET_WORDS.iter().find(|w| gap.starts_with(**w)) {
                return Some(r.len() - gap.len() + w.len());
            }
            let c = gap.chars().next()?;
            if matches!(c, '。' | ';' | '；') {
                return None;
            }
            gap = &gap[c.len_utf8()..];
        }
        return None;
    }
    let after = r.strip_prefix("主要预期目标")?;
    let next = if after.is_empty() {
        Some(0)
    } else {
        MAIN_TARGETS_AFTER
            .iter()
            .find(|w| after.starts_with(**w))
            .map(|w| w.len())
    };
    next.map(|n| r.len() - after.len() + n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    /// The regex's cues of `line`, as the scanner gives them.
    fn regex_cues(re: &Regex, line: &str) -> Vec<Cue> {
        re.captures_iter(line)
            .map(|c| {
                let m = c.get(0).unwrap();
                let kind = if c.name("five_review").is_some() {
                    CueKind::FiveReview
                } else if c.name("year_review").is_some() {
                    CueKind::YearReview
                } else if let Some(o) = c.name("ordinal") {
                    let n = "一二三四五六七八九"
                        .chars()
                        .position(|d| o.as_str().starts_with(d))
                        .unwrap();
                    CueKind::Plan {
                        ordinal: 11 + n as i32,
                        so_far: m.as_str().ends_with("以来"),
                    }
                } else if c.name("five_plan").is_some() {
                    CueKind::FivePlan
                } else if let Some(by) = c.name("by") {
                    CueKind::ByYear(by.as_str().parse().unwrap())
                } else {
                    assert!(c.name("year_targets").is_some());
                    CueKind::YearTargets
                };
                Cue {
                    start: m.start(),
                    end: m.end(),
                    kind,
                }
            })
            .collect()
    }

    fn both(line: &str) -> (Vec<Cue>, Vec<Cue>) {
        static BUILT: std::sync::OnceLock<(Regex, CueScanner)> = std::sync::OnceLock::new();
        let (re, scanner) = BUILT.get_or_init(|| (Regex::new(CUES).unwrap(), CueScanner::new()));
        (scanner.cues(line).collect(), regex_cues(re, line))
    }

    #[test]
    fn cues_of_report_lines() {
        let line = "各位代表,过去五年,“十四五”时期圆满收官;\"十五五\"规划,到2030年,今年全省发展的\
                    主要预期目标是:…今后五年,十四五规划实施以来,主要预期目标";
        let (got, want) = both(line);
        assert!(got.len() >= 7, "{got:?}");
        assert_eq!(got, want);
    }

    #[test]
    fn every_line_of_the_corpus_has_the_regex_cues() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data");
        let mut found = 0;
        for sub in ["dev", "seeds", "probe/docs"] {
            for e in std::fs::read_dir(std::path::Path::new(dir).join(sub)).unwrap() {
                let p = e.unwrap().path();
                if p.extension().is_some_and(|x| x == "txt") {
                    for line in std::fs::read_to_string(&p).unwrap().lines() {
                        let (got, want) = both(line);
                        assert_eq!(got, want, "{}: {line}", p.display());
                        found += got.len();
                    }
                }
            }
        }
        assert!(found > 500, "{found}");
    }

    fn piece() -> impl Strategy<Value = String> {
        let mut pieces: Vec<&str> = Vec::new();
        pieces.extend(FIVE_REVIEW);
        pieces.extend(YEAR_REVIEW);
        pieces.extend(PLAN_SUFFIXES);
        pieces.extend(FIVE_PLAN);
        pieces.extend(TARGET_WORDS);
        pieces.extend(MAIN_TARGETS_AFTER);
        pieces.extend([
            "十",
            "四",
            "五",
            "九",
            "“",
            "”",
            "\"",
            "到",
            "20",
            "2030",
            "19",
            "3",
            "年",
            "今年",
            "主要预期目标",
            "主要",
            "预期",
            "目标",
            "过去",
            "的",
            "。",
            ";",
            "；",
            "经济",
            "一",
            "去年",
            "以来",
            "规划",
            "全省",
            "2",
            "0",
        ]);
        proptest::sample::select(pieces).prop_map(String::from)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn the_scanner_finds_what_the_regex_finds(
            parts in proptest::collection::vec(piece(), 0..16)
        ) {
            let line: String = parts.concat();
            let (got, want) = both(&line);
            prop_assert_eq!(got, want, "{}", line);
        }

        #[test]
        fn past_the_head_only_target_cues_are_left_out(
            parts in proptest::collection::vec(piece(), 0..24),
            head in 0usize..60,
        ) {
            let line: String = parts.concat();
            let scanner = CueScanner::new();
            let want: Vec<Cue> = scanner
                .cues(&line)
                .filter(|c| c.start < head || c.kind == CueKind::YearTargets)
                .collect();
            let got: Vec<Cue> = scanner.head_cues_and_targets(&line, head).collect();
            prop_assert_eq!(got, want, "{} (head {})", line, head);
        }

        #[test]
        fn the_scanner_finds_what_the_regex_finds_in_any_text(line in "\\PC{0,40}") {
            let (got, want) = both(&line);
            prop_assert_eq!(got, want, "{}", line);
        }
    }
}
