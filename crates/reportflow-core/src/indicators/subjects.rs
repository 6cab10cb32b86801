//! The metric a paragraph is about: a sentence that names one metric and nothing else
//! (`2.一般公共预算收入。`), and the clauses that state another metric's change in words
//! (`主要原因是房地产开发投资持续下滑`), after which a figure is not the paragraph's subject's.

use super::context::DocContext;
use super::lexicon;
use super::metric::ResolvedMetric;
use super::sentences::leading_trim_len;
use super::IndicatorExtractor;

impl IndicatorExtractor {
    /// Whether a clause before the figure's own states a change of another metric in words
    /// (`主要原因是房地产开发投资持续下滑,1—11月下降18.5%`): the figure after it is that
    /// metric's, not the paragraph's `subject`, even when that metric is not a headline one.
    pub(super) fn clause_names_other_change(
        &self,
        segs: &[(usize, &str)],
        subject: &ResolvedMetric,
        ctx: &DocContext<'_>,
    ) -> bool {
        segs.iter().rev().skip(1).any(|&(_, seg)| {
            let Some(named) = changed_in_words(seg) else {
                return false;
            };
            let phrase = self.noun_phrase(named);
            !phrase.is_empty()
                && self
                    // `投资持续回升`: a bare subject that a change names (`growth_subjects`).
                    .growth_subjects(self.resolve(phrase, None, None, ctx))
                    .iter()
                    .any(|m| m.canonical != subject.canonical && m.code != subject.code)
        })
    }

    /// The metric a clause before the figure's own states a change of in words, and where
    /// that clause starts (`固定资产投资连续两年负增长,2024年下降3.1%`): asked when the
    /// figure's own clause names no metric and no metric is being read.
    pub(super) fn metric_changed_before(
        &self,
        segs: &[(usize, &str)],
        ctx: &DocContext<'_>,
    ) -> Option<(usize, ResolvedMetric)> {
        let (start, seg, named) = segs
            .iter()
            .rev()
            .skip(1)
            .find_map(|&(start, seg)| Some((start, seg, changed_in_words(seg)?)))?;
        let phrase = self.noun_phrase(named);
        if phrase.is_empty() {
            return None;
        }
        let mut metrics = self.growth_subjects(self.resolve(phrase, None, None, ctx));
        let metric = metrics.pop().filter(|_| metrics.is_empty())?;
        Some((start + leading_trim_len(seg), metric))
    }

    /// The metric a sentence names and nothing else (`2.一般公共预算收入。`, `(一)地区生产总值`),
    /// if it names exactly one headline metric.
    pub(super) fn subject_sentence(&self, s: &str, ctx: &DocContext<'_>) -> Option<ResolvedMetric> {
        let s = s.trim();
        // The list marker is the section parser's (`2.`, `(二)`, `二、`, `①`).
        let body = crate::sections::parse_marker(s)
            .and_then(|m| s.get(m.len..))
            .unwrap_or(s)
            .trim_start()
            .trim_end_matches(['。', ':', '：', '.', ';']);
        if body.is_empty() || body.chars().count() > 16 {
            return None;
        }
        let phrase = self.noun_phrase(body);
        if phrase != body {
            return None;
        }
        let mut resolved = self.metrics.resolve(phrase, &ctx.strip_words);
        match (resolved.pop(), resolved.is_empty()) {
            (Some(metric), true) if metric.code.is_some() => Some(metric),
            _ => None,
        }
    }
}

/// What a clause stating a change in words (`房地产开发投资持续下滑`, `全年投资较快增长`)
/// names: the clause without its verb and the adverbs before it; `None` for another clause.
pub(super) fn changed_in_words(seg: &str) -> Option<&str> {
    let seg = seg.trim_end();
    let verb = lexicon::CHANGE_IN_WORDS
        .iter()
        .find(|v| seg.ends_with(*v))?;
    let mut named = &seg[..seg.len() - verb.len()];
    while let Some(rest) = lexicon::CHANGE_ADVERBS
        .iter()
        .find_map(|a| named.strip_suffix(a))
    {
        named = rest;
    }
    Some(named)
}
