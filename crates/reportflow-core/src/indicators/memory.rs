//! What the reader remembers from one sentence to the next within a line (a paragraph of
//! normalized text): the metric a heading-like sentence names, the part of the year the line
//! opens with, and what the last sentence with figures stated.
//!
//! Reports lean on all of it: `1-9月,…;…。一般公共预算支出5863.2亿元` (the opening months
//! date the later sentence), `全年新登记市场主体86.25万户。其中,新登记企业24.36万户` (the
//! parts of the whole stated before), `分季度看,一季度增长5.2%` (the quarters of the output
//! stated before).

use super::drafting::Draft;
use super::metric::ResolvedMetric;
use super::parts;
use super::period::TimeRef;

/// A sentence that may name the subject of a line.
#[derive(Debug)]
struct Candidate<'t> {
    sentence: &'t str,
    /// The line it would hold for.
    holds: usize,
    /// Whether a line other than that one has been entered since.
    forgotten: bool,
}

/// The reader's memory across the sentences of a document, scoped to lines.
#[derive(Debug, Default)]
pub(super) struct ParagraphMemory<'t> {
    /// A metric a sentence names on its own, and the line it holds for: its own line, or the
    /// next one when it is the whole line (a heading).
    subject: Option<(usize, ResolvedMetric)>,
    /// Sentences that may name such a metric (`2.一般公共预算收入。`), oldest first, each with
    /// the line it would hold for and whether a later line has begun since (it would then
    /// have been forgotten). They are resolved only when a sentence asks for the subject,
    /// newest first: most short sentences are asked about by none, and resolving them all
    /// was a tenth of the analysis. The subject is then what it would have been had each
    /// been resolved as it came (property test `lazy_subject_equals_eager`).
    named: Vec<Candidate<'t>>,
    /// The part of the year the current line opens with, and where that line starts.
    line_time: Option<(usize, TimeRef)>,
    /// The coded metrics of the last sentence with figures, as (code, written), and its line.
    wholes: Option<(usize, Vec<(String, String)>)>,
    /// The first headline metric of the last sentence with figures.
    last_metric: Option<ResolvedMetric>,
    /// The output (GDP) as the text last stated it.
    last_output: Option<ResolvedMetric>,
}

impl<'t> ParagraphMemory<'t> {
    /// Moves to the sentence at `start` of the line at `line`: a line's first sentence sets
    /// the line's opening part of the year (`opening`, computed only then), and a subject
    /// held for another line is forgotten.
    pub(super) fn enter(
        &mut self,
        line: usize,
        start: usize,
        opening: impl FnOnce() -> Option<TimeRef>,
    ) {
        if line == start {
            self.line_time = opening().map(|t| (line, t));
        }
        if self
            .subject
            .as_ref()
            .is_some_and(|(holds, _)| *holds != line)
        {
            self.subject = None;
        }
        for c in &mut self.named {
            c.forgotten |= c.holds != line;
        }
        // Whatever the candidates name, no subject is left: they need not be resolved.
        if self.subject.is_none() && self.named.iter().all(|c| c.forgotten) {
            self.named.clear();
        }
    }

    /// Remembers `sentence`, which may name a metric on its own, as a candidate subject of
    /// the line starting at `holds`.
    pub(super) fn may_name_subject(&mut self, holds: usize, sentence: &'t str) {
        self.named.push(Candidate {
            sentence,
            holds,
            forgotten: false,
        });
    }

    /// Resolves the candidate subjects: the newest that names a metric (`names`) replaces
    /// the subject, as it would have replaced every older one, and is the subject unless it
    /// has been forgotten since.
    fn settle_subject(&mut self, names: impl Fn(&str) -> Option<ResolvedMetric>) {
        while let Some(c) = self.named.pop() {
            if let Some(metric) = names(c.sentence) {
                self.subject = (!c.forgotten).then_some((c.holds, metric));
                self.named.clear();
            }
        }
    }

    /// The metric a sentence's bare figures belong to: for a sentence listing quarters
    /// (`分季度看,…`) or parts of the year alone before its `分别` list (`lists_parts`
    /// tells, given the text before `分别`), the output or else the last sentence's first
    /// metric; otherwise the line's subject (`names` tells what a candidate names).
    pub(super) fn subject_of(
        &mut self,
        sentence: &str,
        lists_parts: impl FnOnce(&str) -> bool,
        names: impl Fn(&str) -> Option<ResolvedMetric>,
    ) -> Option<&ResolvedMetric> {
        self.settle_subject(names);
        // Quarterly growths are published for the output (GDP) above all.
        let quarters_of = self.last_output.as_ref().or(self.last_metric.as_ref());
        let by_parts = || {
            sentence.trim_start().starts_with("分季度")
                // `其中,一季度增长5.4%,二季度增长6.1%` after the half year's output.
                || sentence
                    .trim_start()
                    .strip_prefix("其中")
                    .map(|rest| rest.trim_start_matches([',', '，', ':', '：']))
                    .is_some_and(|rest| {
                        ["一季度", "二季度", "三季度", "四季度", "第一季度", "第二季度", "第三季度", "第四季度"]
                            .iter()
                            .any(|q| rest.starts_with(q))
                    })
                || sentence
                    .find("分别")
                    .is_some_and(|at| lists_parts(&sentence[..at]))
        };
        match (&self.subject, quarters_of) {
            (_, Some(m)) if by_parts() => Some(m),
            (Some((_, m)), _) => Some(m),
            _ => None,
        }
    }

    /// Takes the codes off the drafts of a `其中` sentence that name parts of what the last
    /// sentence of the same line stated.
    pub(super) fn uncode_parts(&self, line: usize, sentence: &str, drafts: &mut [Draft]) {
        if let Some((at, wholes)) = &self.wholes {
            if *at == line {
                parts::uncode_parts_of_previous(sentence, drafts, wholes);
            }
        }
    }

    /// The part of the year the line opened with, for a later sentence of that line.
    pub(super) fn inherited(&self, line: usize, start: usize) -> Option<TimeRef> {
        self.line_time
            .filter(|(at, _)| *at == line && line != start)
            .map(|(_, t)| t)
    }

    /// Remembers what a sentence with figures on the line at `line` stated.
    pub(super) fn stated(&mut self, line: usize, drafts: &[Draft]) {
        self.last_metric = drafts
            .iter()
            .find(|d| d.metric.code.is_some())
            .map(|d| d.metric.clone());
        if let Some(d) = drafts
            .iter()
            .find(|d| d.metric.code.as_deref() == Some("gdp"))
        {
            self.last_output = Some(d.metric.clone());
        }
        // What the next sentence's `其中` parts are parts of.
        self.wholes = Some((
            line,
            drafts
                .iter()
                .filter_map(|d| Some((d.metric.code.clone()?, d.metric.written.clone())))
                .collect(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What a candidate names in the test: the even ones a metric, the odd ones nothing.
    fn names(sentence: &str) -> Option<ResolvedMetric> {
        let n: usize = sentence.parse().ok()?;
        n.is_multiple_of(2).then(|| ResolvedMetric {
            written: sentence.to_string(),
            canonical: sentence.to_string(),
            code: Some(format!("m{n}")),
        })
    }

    const SENTENCES: [&str; 6] = ["0", "1", "2", "3", "4", "5"];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Resolving the candidate subjects only when asked gives the subject that resolving
        /// each as it came gave: (op, line, next line?, sentence) are entering a line, naming a
        /// candidate for that line or the next, and asking.
        #[test]
        fn lazy_subject_equals_eager(
            ops in proptest::collection::vec((0u8..3, 0usize..4, any::<bool>(), 0usize..6), 0..40)
        ) {
            let mut lazy = ParagraphMemory::default();
            let mut eager: Option<(usize, ResolvedMetric)> = None;
            for (op, line, next, sentence) in ops {
                match op {
                    0 => {
                        lazy.enter(line, line + 1, || None);
                        if eager.as_ref().is_some_and(|(holds, _)| *holds != line) {
                            eager = None;
                        }
                    }
                    1 => {
                        let holds = line + usize::from(next);
                        lazy.may_name_subject(holds, SENTENCES[sentence]);
                        if let Some(m) = names(SENTENCES[sentence]) {
                            eager = Some((holds, m));
                        }
                    }
                    _ => {
                        let got = lazy.subject_of("增长5%", |_| false, names).cloned();
                        prop_assert_eq!(got, eager.as_ref().map(|(_, m)| m.clone()));
                    }
                }
            }
        }
    }
}
