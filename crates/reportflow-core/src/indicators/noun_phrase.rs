//! The noun phrase of a clause: what is left of the text before a figure once its time,
//! place, verbs, baselines, list markers and adverbials are stripped, which
//! [`super::resolution`] then resolves into metrics.

use super::lexicon;
use super::sentences::is_list_bullet;
use super::IndicatorExtractor;

impl IndicatorExtractor {
    /// Strips time, place, verbs and baselines from a clause, leaving its noun phrase.
    ///
    /// The result is a fixed point (`noun_phrase(noun_phrase(x)) == noun_phrase(x)`): quotes
    /// and bullets exposed by a strip are trimmed too, and [`Self::resolve`] relies on it.
    pub(super) fn noun_phrase<'s>(&self, seg: &'s str) -> &'s str {
        let mut s = seg;
        loop {
            let before = s.len();
            s = s.trim_matches(is_phrase_edge);
            s = without_dot_marker(s);
            if let Some(m) = self.prefix.find(s) {
                if m.end() > 0 {
                    s = &s[m.end()..];
                }
            }
            if let Some((end, opener)) = circumstance_end(s) {
                // `设备工器具购置投资在…政策带动下增长`: the metric stands before the `在`
                // that opens the adverbial; with nothing there, after it.
                let named_before = s[..end]
                    .rfind(opener)
                    .map(|at| &s[..at])
                    .filter(|before| !self.noun_phrase(before).is_empty());
                s = named_before.unwrap_or(&s[end..]);
            }
            if let Some(m) = self.suffix.find(s) {
                if m.start() < s.len() {
                    s = &s[..m.start()];
                }
            }
            // A comparison after the name (plain searches: the suffix regex is run on every
            // phrase, and a comparison's object of any length made it slow).
            if let Some(at) = comparison_after_name(s) {
                let head = &s[..at];
                s = head
                    .strip_suffix("增速")
                    .or_else(|| head.strip_suffix("增幅"))
                    .filter(|h| !h.is_empty())
                    .unwrap_or(head);
            }
            // `固定资产投资(不含农户比上年增长`: a scraped page lost the bracket's close;
            // what the bracket opened glosses the metric.
            if let Some(open) = s
                .rfind(['(', '（'])
                .filter(|&at| at > 0 && !s[at..].contains([')', '）']))
            {
                s = &s[..open];
            }
            if let Some(m) = s
                .contains('年')
                .then(|| self.inner_date.find_iter(s).last())
                .flatten()
            {
                if m.start() > 0 && m.end() < s.len() {
                    s = &s[m.end()..];
                }
            }
            if s.len() == before {
                return s;
            }
        }
    }
}

/// Words that end an adverbial of circumstance before a figure (`在以旧换新等政策带动下`,
/// `在外需偏弱的情况下`, `在落实减税降费政策的前提下`): what the clause says before them
/// is why or how, never the metric.
const CIRCUMSTANCE_ENDS: &[&str] = &[
    "情况下",
    "前提下",
    "背景下",
    "形势下",
    "带动下",
    "推动下",
    "拉动下",
    "支撑下",
    "支持下",
    "影响下",
    "作用下",
    "引领下",
    "驱动下",
];

/// Where the last adverbial of circumstance in a phrase ends (a byte offset) and the
/// character that opens such a clause: `在` before [`CIRCUMSTANCE_ENDS`] (not where `下`
/// begins a verb of decline: `受疫情影响下降`), `受` before `影响` (`受房地产市场影响`).
fn circumstance_end(s: &str) -> Option<(usize, char)> {
    let under = s
        .contains('下')
        .then(|| {
            CIRCUMSTANCE_ENDS
                .iter()
                .flat_map(|w| s.match_indices(w))
                .map(|(at, w)| at + w.len())
                .filter(|&end| !s[end..].starts_with(['降', '滑', '调', '跌']))
                .max()
        })
        .flatten()
        .map(|end| (end, '在'));
    let affected = s.find('受').and_then(|opens| {
        s[opens..]
            .rfind("影响")
            .map(|at| (opens + at + "影响".len(), '受'))
    });
    under.into_iter().chain(affected).max()
}

/// Where a comparison after a metric's name starts (`…增速高于经济增速`), if past its first
/// character: one pass over the characters, as [`lexicon::COMPARISON_AFTER_NAME`] lists.
fn comparison_after_name(s: &str) -> Option<usize> {
    // `地区生产总值增速与年初确定的5.5%左右的预期目标仍有差距`: a rate set beside another.
    // (A search for the one character first: building a substring searcher per phrase
    // cost more than the rest of this function.)
    if let Some(at) = s
        .contains('与')
        .then(|| ["增速与", "增幅与"].iter().find_map(|w| s.find(w)))
        .flatten()
        .filter(|&at| at > 0)
    {
        return Some(at + "增速".len());
    }
    // Every other word ends in `于` or starts with `跑`: most phrases hold neither.
    if !s.contains(['于', '跑']) {
        return None;
    }
    let mut prev: Option<(usize, char)> = None;
    for (i, c) in s.char_indices() {
        if let Some((at, p)) = prev.filter(|(at, _)| *at > 0) {
            if lexicon::COMPARISON_AFTER_NAME
                .iter()
                .any(|w| w.chars().eq([p, c]))
            {
                return Some(at);
            }
        }
        prev = Some((i, c));
    }
    None
}

/// A phrase without a list marker `1.` or `12．` before it (`1.地区生产总值`); a decimal
/// (`20.3亿元`) is no marker. The regex crate has no look-ahead, hence code.
fn without_dot_marker(s: &str) -> &str {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return s;
    }
    let rest = &s[digits..];
    let after = rest.strip_prefix('.').or_else(|| rest.strip_prefix('．'));
    match after {
        Some(a) if !a.starts_with(|c: char| c.is_ascii_digit()) && !a.is_empty() => a,
        _ => s,
    }
}

/// Characters trimmed from both ends of a noun phrase: whitespace, bullets and quotes. A
/// `match` rather than a search of a string of them for every character.
pub(super) fn is_phrase_edge(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '*' | '•' | '·' | '"' | '“' | '”' | '\'' | '‘' | '’'
        )
        || is_list_bullet(c)
}
