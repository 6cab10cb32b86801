//! Indicator extraction: every stated value or growth figure of a metric.
//!
//! The unit of work is the sentence (text up to `。`, `!`, `?` or a line break): a metric,
//! its figures, their baselines, qualifiers, period and kind are all stated within one.
//! A sentence is read left to right, figure by figure. The text between two figures (the
//! figure's *lead*) tells what the figure is: a new metric phrase starts a new fact
//! (`社会消费品零售总额实现`), bare verbs continue the current one (`同比增长`), a list
//! separator continues a `分别` list (`和`), a comparison (`高于全市`) is kept as the fact's
//! rank phrase. The design follows how the reports are written, not their exact wording,
//! so it carries over to reports it has not seen.
//!
//! The work is split by what it does: [`sentences`] cuts text into sentences and clauses
//! and finds their cues, [`figures`] reads the numbers in them, [`resolution`] turns the
//! clause before a figure into metrics, [`reading`] walks a sentence into drafts,
//! [`context`] holds what the whole document says (parts, headings, timeline), and
//! [`drafting`] turns a draft into the final [`Indicator`].

mod affixes;
mod context;
mod cue_scan;
mod drafting;
mod figure_scan;
mod figures;
mod lexicon;
mod lists;
mod memory;
mod metric;
mod noun_phrase;
mod parts;
mod period;
mod plan_tables;
mod ratios_and_ranks;
mod reading;
mod relative;
mod resolution;
mod sentences;
mod subjects;
mod tables;
mod target_words;
mod timeline;

use regex::Regex;

use crate::model::{Indicator, Metadata, Section};
use crate::taxonomy::Taxonomy;
use affixes::WordSet;
use metric::MetricMatcher;
use period::PeriodFinder;
use sentences::{sentences, CharIndex, CharOffsets, Occurrences, Sentence};
use tables::TableReader;
use timeline::TimelineFinder;

/// Finds indicators in normalized text. Build once; holds the compiled patterns.
#[derive(Debug)]
pub(crate) struct IndicatorExtractor {
    figure_scan: figure_scan::FigureScanner,
    follow: Regex,
    growth_verb: Regex,
    level_verb: Regex,
    comparison: Regex,
    other_basis: Regex,
    yoy_basis: Regex,
    prefix: Regex,
    suffix: Regex,
    inner_date: Regex,
    baseline_lead: Regex,
    growth_baseline: Regex,
    topic: Regex,
    rank: Regex,
    forecast_cue: Regex,
    target_cue: Regex,
    plan_heading: Regex,
    review_heading: Regex,
    periods: PeriodFinder,
    industry_structure: Regex,
    unchanged: Regex,
    timeline: TimelineFinder,
    tables: TableReader,
    plans: plan_tables::PlanReader,
    metrics: MetricMatcher,
    /// `持平` (unchanged), searched in every sentence: built once, since building a
    /// searcher per sentence cost more than the search.
    unchanged_word: memchr::memmem::Finder<'static>,
    /// `千`, whose sentences are read even without a digit (`三千亿元`).
    thousand: memchr::memmem::Finder<'static>,
    words: Words,
}

/// Word lists of [`lexicon`] asked for every figure or metric, each as one automaton.
#[derive(Debug)]
struct Words {
    cumulative: WordSet,
    span: WordSet,
    span_openings: WordSet,
    setting: WordSet,
    milestone_verbs: WordSet,
    regions: WordSet,
    cited_targets: WordSet,
}

impl IndicatorExtractor {
    /// Compiles the patterns and the taxonomy's aliases.
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        let re = |s: &str| Regex::new(s).expect("indicator lexicon regex is valid");
        IndicatorExtractor {
            figure_scan: figure_scan::FigureScanner::new(),
            follow: re(&lexicon::figure_follow()),
            growth_verb: re(lexicon::GROWTH_VERB),
            level_verb: re(lexicon::LEVEL_VERB),
            comparison: re(lexicon::COMPARISON),
            other_basis: re(lexicon::OTHER_BASIS),
            yoy_basis: re(lexicon::YOY_BASIS),
            prefix: re(lexicon::PHRASE_PREFIX),
            suffix: re(lexicon::PHRASE_SUFFIX),
            inner_date: re(lexicon::PHRASE_INNER_DATE),
            baseline_lead: re(lexicon::BASELINE_LEAD),
            growth_baseline: re(lexicon::GROWTH_BASELINE),
            topic: re(lexicon::SUBAREA_TOPIC),
            rank: re(lexicon::RANK),
            forecast_cue: re(lexicon::FORECAST_CUE),
            target_cue: re(lexicon::TARGET_CUE),
            plan_heading: re(lexicon::PLAN_HEADING),
            review_heading: re(lexicon::REVIEW_HEADING),
            periods: PeriodFinder::new(),
            timeline: TimelineFinder::new(),
            tables: TableReader::new(),
            plans: plan_tables::PlanReader::new(),
            industry_structure: re(lexicon::INDUSTRY_STRUCTURE),
            unchanged: re(lexicon::UNCHANGED),
            metrics: MetricMatcher::new(taxonomy),
            unchanged_word: memchr::memmem::Finder::new("持平"),
            thousand: memchr::memmem::Finder::new("千"),
            words: Words {
                cumulative: WordSet::new(lexicon::CUMULATIVE_WORDS),
                span: WordSet::new(lexicon::SPAN_WORDS),
                span_openings: WordSet::new(lexicon::SPAN_OPENINGS),
                setting: WordSet::new(lexicon::SETTING_VERBS),
                milestone_verbs: WordSet::new(lexicon::MILESTONE_VERBS),
                regions: WordSet::new(resolution::REGION_WORDS),
                cited_targets: WordSet::new(target_words::CITED_TARGET_WORDS),
            },
        }
    }

    /// Indicators of a normalized text, in document order.
    pub(crate) fn extract<'t>(
        &self,
        text: &'t str,
        sections: &[Section],
        metadata: &Metadata,
    ) -> Vec<Indicator> {
        let ctx = self.doc_context(text, sections, metadata);
        let mut out = Vec::new();
        let mut offsets = CharOffsets::new(text);
        let mut unchanged_at = Occurrences::new(&self.unchanged_word, text);
        let mut thousand_at = Occurrences::new(&self.thousand, text);
        let mut memory = memory::ParagraphMemory::default();
        let mut table: Option<tables::OpenTable> = None;
        // Where the open table's indicators start in `out`.
        let mut table_from = 0;
        // Where the current sentence's line starts, found from where the last one's search
        // stopped: searching back from every sentence to its line's start cost as much as
        // the line is long, for each sentence of it.
        let (mut line, mut searched) = (0, 0);
        for Sentence {
            start,
            text: sentence,
            has_digit,
        } in sentences(text)
        {
            let end = start + sentence.len();
            // Sentences come in text order (the property tests run this in debug builds).
            debug_assert!(start >= searched, "sentences out of order");
            if let Some(i) = memchr::memrchr(b'\n', &text.as_bytes()[searched..start]) {
                line = searched + i + 1;
            }
            searched = start;
            memory.enter(line, start, || self.opening_part(sentence));
            // A statistical table flattened into lines: its header opens it, its rows are
            // read by their columns, any other line closes it.
            let whole_line = line == start && (end == text.len() || text[end..].starts_with('\n'));
            if whole_line {
                // The line before a table header is its title (`表1 …主要经济指标`).
                let title = || {
                    let before = &text[..line.saturating_sub(1)];
                    memchr::memrchr(b'\n', before.as_bytes()).map_or(before, |i| &before[i + 1..])
                };
                if let Some(opened) = self.table_header(sentence, title) {
                    table = Some(opened);
                    table_from = out.len();
                    continue;
                }
            }
            if let Some(open) = &table {
                match self.table_row(open, sentence, &ctx).filter(|_| whole_line) {
                    Some(drafts) => {
                        if !drafts.is_empty() {
                            let char_pos = offsets.at(start);
                            self.finish_all(drafts, (sentence, None), char_pos, &ctx, &mut out);
                        }
                        continue;
                    }
                    None => {
                        table = None;
                        let line_end = text[line..].find('\n').map_or(text.len(), |i| line + i);
                        self.apply_estimate_note(
                            &text[line..line_end],
                            &ctx,
                            &mut out[table_from..],
                        );
                    }
                }
            }
            let unchanged = unchanged_at.within(start, end);
            // `2.一般公共预算收入。`, `(一)地区生产总值`: a short sentence naming one metric.
            let names_subject = |memory: &mut memory::ParagraphMemory<'t>| {
                if sentence.len() <= 64 {
                    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
                    let whole_line = text[end..line_end].trim().is_empty();
                    let holds = if whole_line { line_end + 1 } else { line };
                    memory.may_name_subject(holds, sentence);
                }
            };
            if !has_digit && !thousand_at.within(start, end) && !unchanged {
                names_subject(&mut memory);
                continue;
            }
            let char_pos = offsets.at(start);
            // Asked only by a figure whose lead names no metric and continues none.
            let mut subject = || {
                memory
                    .subject_of(
                        sentence,
                        |head| {
                            // `一季度、上半年和全年分别增长…`: parts of the year and no metric.
                            self.periods
                                .listed_parts(head)
                                .is_some_and(|(_, span)| head[span.end..].trim().is_empty())
                        },
                        |named| self.subject_sentence(named, &ctx),
                    )
                    .cloned()
            };
            let mut drafts = self.read_sentence(sentence, &ctx, &mut subject);
            memory.uncode_parts(line, sentence, &mut drafts);
            if has_digit || unchanged {
                self.read_ratio_forms(sentence, unchanged, &ctx, &mut drafts);
            }
            // Sentences without figures cost one regex pass and nothing else.
            if drafts.is_empty() {
                names_subject(&mut memory);
                continue;
            }
            let inherited = memory.inherited(line, start);
            memory.stated(line, &drafts);
            self.finish_all(drafts, (sentence, inherited), char_pos, &ctx, &mut out);
        }
        out
    }

    /// Finishes the drafts of one sentence (or table row) starting at character `char_pos`.
    /// `inherited` is the part of the year the sentence's paragraph opened with
    /// (`1-9月,…;…。一般公共预算支出5863.2亿元`): it dates what the sentence leaves undated.
    fn finish_all(
        &self,
        drafts: Vec<drafting::Draft>,
        (sentence, inherited): (&str, Option<period::TimeRef>),
        char_pos: u32,
        ctx: &context::DocContext<'_>,
        out: &mut Vec<Indicator>,
    ) {
        let cues = self.sentence_cues(sentence, ctx.last_year);
        let chars = CharIndex::new(sentence);
        for draft in drafts {
            if let Some(ind) =
                self.finish(draft, (sentence, inherited), &chars, &cues, char_pos, ctx)
            {
                out.push(ind);
            }
        }
    }
}

impl IndicatorExtractor {
    /// A part of the year (months, quarters, a half) a paragraph opens with, followed by a
    /// comma: `1-9月,`, `前三季度,`, `6月末,`.
    fn opening_part(&self, sentence: &str) -> Option<period::TimeRef> {
        let cut = (0..=32.min(sentence.len()))
            .rev()
            .find(|&i| sentence.is_char_boundary(i))?;
        let head = &sentence[..cut];
        // Most paragraphs open with a year or a word: only a month, a quarter or a half
        // is worth the period search.
        if !head.contains(['月', '季']) && !head.contains("半年") {
            return None;
        }
        let (end, t) = self.periods.all(head).into_iter().next()?;
        let opens = sentence
            .get(end..)
            .is_some_and(|rest| rest.starts_with([',', '，']));
        (opens && t.part.within_a_year() && end <= 24).then_some(t)
    }
}

#[cfg(test)]
mod tests;
