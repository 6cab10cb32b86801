//! Facts written without a figure of the usual shape (an industry-structure ratio, a metric
//! unchanged from a year before) and the rank phrases beside figures (`居全省第3位`).

use super::context::DocContext;
use super::drafting::Draft;
use super::lexicon;
use super::metric::ResolvedMetric;
use super::sentences::{after_last_of, may_hold_rank};
use super::IndicatorExtractor;
use crate::numbers::parse_number;

impl IndicatorExtractor {
    /// Facts written without a figure of the usual shape: an industry-structure ratio
    /// (the tertiary share) and a metric unchanged from a year before (growth 0). Each is
    /// added unless a draft of the same metric already covers that place.
    pub(super) fn read_ratio_forms(
        &self,
        s: &str,
        unchanged: bool,
        ctx: &DocContext<'_>,
        drafts: &mut Vec<Draft>,
    ) {
        let mut add = |metric: ResolvedMetric,
                       (start, figure, end): (usize, usize, usize),
                       value,
                       yoy,
                       from| {
            if metric.code.is_none()
                || drafts.iter().any(|d| {
                    d.metric.code == metric.code
                        && d.first_figure.is_some_and(|f| f >= figure && f < end)
                })
            {
                return;
            }
            let mut d = Draft::new(metric, start);
            d.first_figure = Some(figure);
            d.end = end;
            d.value = value;
            d.yoy = yoy;
            d.from = from;
            drafts.push(d);
        };
        if let Some(c) = self.industry_structure.captures(s) {
            let (Some(all), Some(t)) = (c.get(0), c.name("tertiary")) else {
                return;
            };
            let metric = self
                .metrics
                .resolve(lexicon::TERTIARY_SHARE_PHRASE, &[])
                .into_iter()
                .next();
            // A change (`由a∶b∶c调整为d∶e∶f`) states the share at both of its ends.
            let ends = match c.name("tertiary_to") {
                Some(to) => vec![(t, true), (to, false)],
                None => vec![(t, false)],
            };
            for (share, from) in ends {
                if let (Some(metric), Some(v)) = (metric.clone(), parse_number(share.as_str())) {
                    let value = Some((v, "%".to_string()));
                    add(
                        metric,
                        (all.start(), share.start(), all.end()),
                        value,
                        None,
                        from,
                    );
                }
            }
        }
        if unchanged {
            for c in self.unchanged.captures_iter(s) {
                let (Some(all), Some(m)) = (c.get(0), c.name("metric")) else {
                    continue;
                };
                let phrase = self.noun_phrase(m.as_str());
                if let Some(metric) = self
                    .metrics
                    .resolve(phrase, &ctx.strip_words)
                    .into_iter()
                    .next()
                {
                    let start = m.start() + m.as_str().find(phrase).unwrap_or(0);
                    add(metric, (start, start, all.end()), None, Some(0.0), false);
                }
            }
        }
        if unchanged {
            unchanged_after_figure(s, drafts);
        }
        drafts.sort_by_key(|d| (d.first_figure, d.quote_start));
    }

    /// The first rank phrase of a clause.
    fn find_rank<'s>(&self, seg: &'s str) -> Option<regex::Match<'s>> {
        may_hold_rank(seg).then(|| self.rank.find(seg)).flatten()
    }

    /// A clause without its rank phrases.
    pub(super) fn without_ranks<'s>(&self, seg: &'s str) -> std::borrow::Cow<'s, str> {
        if may_hold_rank(seg) {
            self.rank.replace_all(seg, "")
        } else {
            std::borrow::Cow::Borrowed(seg)
        }
    }

    pub(super) fn attach_ranks(&self, seg: &str, drafts: &mut [Draft]) {
        if let Some(m) = self.find_rank(seg) {
            let phrase = seg.trim();
            let phrase = if phrase.chars().count() <= 24 {
                phrase
            } else {
                m.as_str()
            };
            for d in drafts.iter_mut() {
                if !d.rank.iter().any(|r| r == phrase) {
                    d.rank.push(phrase.to_string());
                }
            }
        }
    }
}

/// `实际使用外资110.4亿美元,与上年持平`: a clause saying only that the level just stated is
/// unchanged gives that fact a growth of 0. Not a rate's level (`失业率5.5%,与上年持平` is
/// the same rate, no growth of it), nor a fact that states a change already.
fn unchanged_after_figure(s: &str, drafts: &mut [Draft]) {
    const CLAUSES: &[&str] = &[
        "与上年",
        "与去年",
        "同比",
        "比上年",
        "与上年同期",
        "与去年同期",
    ];
    for (at, _) in s.match_indices("持平") {
        let clause_start = after_last_of(s, at, &[',', '，', ';', '；']);
        let clause = s[clause_start..at].trim();
        let clause = clause.strip_suffix("基本").unwrap_or(clause);
        if !CLAUSES.contains(&clause) {
            continue;
        }
        let before = drafts
            .iter_mut()
            .filter(|d| d.first_figure.is_some() && d.end <= clause_start)
            .max_by_key(|d| d.end);
        if let Some(d) = before.filter(|d| {
            s[d.end..clause_start]
                .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | ';' | '；'))
                .is_empty()
                && d.metric.code.is_some()
                && d.yoy.is_none()
                && d.other.is_none()
                && d.pp.is_none()
                && d.value.as_ref().is_some_and(|(_, unit)| unit != "%")
        }) {
            d.yoy = Some(0.0);
            d.end = at + "持平".len();
        }
    }
}
