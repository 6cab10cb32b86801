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

mod lexicon;
mod metric;
mod period;
mod timeline;

use regex::Regex;

use crate::model::{
    CharSpan, Indicator, IndicatorKind, Metadata, OtherGrowth, Quantity, ReportKind, Section,
};
use crate::numbers::{base_value, parse_number};
use crate::taxonomy::{Taxonomy, UnitClass};
use metric::{unit_fits, MetricMatcher, ResolvedMetric};
use period::PeriodFinder;
use timeline::{period_in, stage_at, Extent, Stage, TimelineFinder};

/// The longest evidence quote, in characters.
const MAX_QUOTE_CHARS: usize = 120;

/// Finds indicators in normalized text. Build once; holds the compiled patterns.
#[derive(Debug)]
pub(crate) struct IndicatorExtractor {
    figure: Regex,
    follow: Regex,
    growth_verb: Regex,
    level_verb: Regex,
    comparison: Regex,
    other_basis: Regex,
    yoy_basis: Regex,
    prefix: Regex,
    suffix: Regex,
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
    metrics: MetricMatcher,
}

/// What a figure states about the current metric.
#[derive(Debug, Clone, PartialEq)]
enum FigureRole {
    /// A level: `607.6亿元`, `3.12%` of a rate.
    Value,
    /// A growth in percent against a baseline (`None` = year on year).
    Growth {
        negative: bool,
        basis: Option<String>,
    },
    /// A change in percentage points against a baseline.
    PointChange { negative: bool },
    /// A comparison with something else: kept as text.
    Comparison,
    /// An absolute change (`同比增加18座`): not a level, not a rate; not kept.
    AbsoluteChange,
}

/// One figure found in a sentence; its unit and qualifier are slices of the sentence.
#[derive(Debug, Clone)]
struct Figure<'s> {
    start: usize,
    end: usize,
    value: f64,
    unit: &'s str,
    qualifier: Option<&'s str>,
}

/// A fact under construction.
#[derive(Debug, Clone)]
struct Draft {
    metric: ResolvedMetric,
    quote_start: usize,
    first_figure: Option<usize>,
    end: usize,
    value: Option<(f64, String)>,
    yoy: Option<f64>,
    other: Option<(String, f64)>,
    pp: Option<f64>,
    qualifier: Option<String>,
    rank: Vec<String>,
    /// The first end of `从 A 提高到 B`: a level before the period the text is about.
    from: bool,
}

impl Draft {
    fn new(metric: ResolvedMetric, quote_start: usize) -> Self {
        Draft {
            metric,
            quote_start,
            first_figure: None,
            end: quote_start,
            value: None,
            yoy: None,
            other: None,
            pp: None,
            qualifier: None,
            rank: Vec::new(),
            from: false,
        }
    }

    fn has_figures(&self) -> bool {
        self.value.is_some() || self.yoy.is_some() || self.other.is_some() || self.pp.is_some()
    }
}

/// The sub-area or industry a sentence is about.
#[derive(Debug, Clone)]
struct Topic {
    text: String,
    is_area: bool,
}

/// Character offsets of byte offsets in one sentence, without counting from the start every
/// time: a sentence can be a whole document (no `。` in 16 MiB), with a figure every few
/// characters, and per-figure counting from the start would be quadratic.
struct CharIndex<'a> {
    s: &'a str,
    /// Byte offsets of every `CHECKPOINT`-th character.
    marks: Vec<usize>,
}

const CHECKPOINT: usize = 64;

/// Sentences up to this many bytes get no checkpoints.
const SHORT_SENTENCE: usize = 2048;

impl<'a> CharIndex<'a> {
    fn new(s: &'a str) -> Self {
        // Counting a short sentence from its start is cheaper than checkpointing it.
        let marks = if s.len() <= SHORT_SENTENCE {
            Vec::new()
        } else {
            s.char_indices()
                .step_by(CHECKPOINT)
                .map(|(i, _)| i)
                .collect()
        };
        CharIndex { s, marks }
    }

    /// The number of characters before byte offset `byte` (a character boundary).
    fn before(&self, byte: usize) -> u32 {
        let byte = byte.min(self.s.len());
        let k = self.marks.partition_point(|m| *m <= byte).saturating_sub(1);
        let mark = self.marks.get(k).copied().unwrap_or(0);
        let within = count_chars(self.s.get(mark..byte).unwrap_or(""));
        u32::try_from(k * CHECKPOINT)
            .unwrap_or(u32::MAX)
            .saturating_add(within)
    }
}

/// Where a sentence's kind and period cues end (byte offsets), so each figure takes the
/// cues before it.
#[derive(Debug, Default)]
struct SentenceCues {
    /// Time phrases, in order, with the offset where each ends.
    time: Vec<(usize, period::TimeRef)>,
    /// End of the first forecast cue (`预计`).
    forecast: Option<usize>,
    /// End of the first target cue (`目标`, `力争`).
    target: Option<usize>,
}

impl SentenceCues {
    /// The last time phrase that ends before byte `first` (a figure's start).
    fn time_before(&self, first: usize) -> Option<&period::TimeRef> {
        let before = self.time.partition_point(|(end, _)| *end <= first);
        before
            .checked_sub(1)
            .and_then(|i| self.time.get(i))
            .map(|(_, t)| t)
    }
}

/// A heading-like line that opens a review or plan part of a report.
#[derive(Debug, Clone, Copy)]
struct Part {
    start: u32,
    kind: IndicatorKind,
    /// The year the heading names (`2019年工作回顾`): the default year of its figures.
    year: Option<i32>,
}

/// Document-wide facts that decide default periods and kinds.
struct DocContext<'a> {
    sections: &'a [Section],
    /// What each section's heading says (review or plan), by section index: asked for
    /// every figure, so decided once.
    heading_kinds: Vec<Option<IndicatorKind>>,
    /// Heading-like lines that open a review or a plan part, with the kind they imply:
    /// government work reports often head their parts without a list marker
    /// (`2019年工作回顾`, `2020年工作的总体思路和主要任务`).
    parts: Vec<Part>,
    strip_words: Vec<String>,
    /// Place words of levels above the report's region (`全市`, `全省`, `全国` in a district
    /// report): a figure about one of those is context, not the report's own.
    broader_places: &'static [&'static str],
    actual_year: Option<i32>,
    target_year: Option<i32>,
    report_kind: ReportKind,
    /// The stages of a work report's timeline (empty for other kinds of report, whose
    /// time is stated by their headings and sentences).
    stages: Vec<Stage>,
}

impl IndicatorExtractor {
    /// Compiles the patterns and the taxonomy's aliases.
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        let re = |s: &str| Regex::new(s).expect("indicator lexicon regex is valid");
        IndicatorExtractor {
            figure: re(lexicon::FIGURE),
            follow: re(lexicon::FIGURE_FOLLOW),
            growth_verb: re(lexicon::GROWTH_VERB),
            level_verb: re(lexicon::LEVEL_VERB),
            comparison: re(lexicon::COMPARISON),
            other_basis: re(lexicon::OTHER_BASIS),
            yoy_basis: re(lexicon::YOY_BASIS),
            prefix: re(lexicon::PHRASE_PREFIX),
            suffix: re(lexicon::PHRASE_SUFFIX),
            topic: re(lexicon::SUBAREA_TOPIC),
            rank: re(lexicon::RANK),
            forecast_cue: re(lexicon::FORECAST_CUE),
            target_cue: re(lexicon::TARGET_CUE),
            plan_heading: re(lexicon::PLAN_HEADING),
            review_heading: re(lexicon::REVIEW_HEADING),
            periods: PeriodFinder::new(),
            timeline: TimelineFinder::new(),
            industry_structure: re(lexicon::INDUSTRY_STRUCTURE),
            unchanged: re(lexicon::UNCHANGED),
            metrics: MetricMatcher::new(taxonomy),
        }
    }

    /// Indicators of a normalized text, in document order.
    pub(crate) fn extract(
        &self,
        text: &str,
        sections: &[Section],
        metadata: &Metadata,
    ) -> Vec<Indicator> {
        let ctx = self.doc_context(text, sections, metadata);
        let mut out = Vec::new();
        let mut offsets = CharOffsets::new(text);
        for Sentence {
            start,
            text: sentence,
            has_digit,
        } in sentences(text)
        {
            let unchanged = memchr::memmem::find(sentence.as_bytes(), "持平".as_bytes()).is_some();
            if !has_digit && !sentence.contains('千') && !unchanged {
                continue;
            }
            let char_pos = offsets.at(start);
            let mut drafts = self.read_sentence(sentence, &ctx);
            if has_digit || unchanged {
                self.read_ratio_forms(sentence, unchanged, &ctx, &mut drafts);
            }
            // Sentences without figures cost one regex pass and nothing else.
            if drafts.is_empty() {
                continue;
            }
            let cues = self.sentence_cues(sentence);
            let chars = CharIndex::new(sentence);
            for draft in drafts {
                if let Some(ind) = self.finish(draft, sentence, &chars, &cues, char_pos, &ctx) {
                    out.push(ind);
                }
            }
        }
        out
    }

    fn doc_context<'a>(
        &self,
        text: &str,
        sections: &'a [Section],
        metadata: &Metadata,
    ) -> DocContext<'a> {
        let first = metadata.years.iter().min().copied();
        let last = metadata.years.iter().max().copied();
        let (actual_year, target_year) = match metadata.kind {
            // A government work report given early in year Y reviews Y-1 and plans Y.
            ReportKind::GovernmentWorkReport => (last.map(|y| y - 1), last),
            ReportKind::PlanExecutionAnnual => (
                first,
                last.filter(|l| Some(*l) != first).or(first.map(|y| y + 1)),
            ),
            _ => (first, last),
        };
        let mut strip_words = Vec::new();
        if let Some(region) = &metadata.region {
            // `北京市通州区` is also written `通州区` and `通州`.
            strip_words.push(region.clone());
            if let Some((_, tail)) = region.rsplit_once(['市', '省']) {
                if tail.chars().count() >= 2 {
                    strip_words.push(tail.to_string());
                }
            }
        }
        let stages = match metadata.kind {
            ReportKind::GovernmentWorkReport | ReportKind::Other => {
                self.timeline.stages(text, actual_year, target_year)
            }
            _ => Vec::new(),
        };
        let broader_places = metadata
            .region
            .as_deref()
            .map_or(&[][..], lexicon::broader_places);
        DocContext {
            broader_places,
            stages,
            sections,
            heading_kinds: sections
                .iter()
                .map(|s| self.heading_kind(&s.heading))
                .collect(),
            parts: self.parts(text),
            strip_words,
            actual_year,
            target_year,
            report_kind: metadata.kind,
        }
    }

    fn parts(&self, text: &str) -> Vec<Part> {
        let mut out = Vec::new();
        let mut offsets = CharOffsets::new(text);
        let mut byte = 0;
        for line in text.split('\n') {
            let line_start = byte;
            byte += line.len() + 1;
            let heading_like = line.chars().nth(40).is_none()
                && !line.ends_with(['。', ',', ';', ':', '，', '；', '：', '!', '?'])
                && !line.contains('。');
            if heading_like {
                if let Some(kind) = self.heading_kind(line) {
                    let year = line
                        .split_once('年')
                        .map(|(head, _)| head)
                        .and_then(|head| head.get(head.len().saturating_sub(4)..))
                        .and_then(|y| y.parse::<i32>().ok())
                        .filter(|y| (1949..=2100).contains(y))
                        // `四、生态环境治理成效显著` inside `2019年工作回顾` is still 2019.
                        .or_else(|| {
                            out.last()
                                .filter(|p: &&Part| p.kind == kind)
                                .and_then(|p| p.year)
                        });
                    out.push(Part {
                        start: offsets.at(line_start),
                        kind,
                        year,
                    });
                }
            }
        }
        out
    }

    /// Whether a heading opens a review (actual figures) or a plan (targets).
    fn heading_kind(&self, heading: &str) -> Option<IndicatorKind> {
        if self.review_heading.is_match(heading) {
            Some(IndicatorKind::Actual)
        } else if self.plan_heading.is_match(heading) {
            Some(IndicatorKind::Target)
        } else {
            None
        }
    }

    /// The figures of a sentence that state something: damaged digits and figures that
    /// modify a following noun are left out.
    fn figures<'s>(&self, s: &'s str) -> Vec<Figure<'s>> {
        let mut out = Vec::new();
        // `find_iter` runs the lazy DFA only; the parts of a match are split by hand
        // because asking the regex for capture groups cost more than the rest of the
        // sentence reading.
        for whole in self.figure.find_iter(s) {
            let Some(parts) = split_figure(whole.as_str()) else {
                continue;
            };
            let num_start = whole.start() + parts.num_offset;
            let arabic = parts.num.as_bytes().first().is_some_and(u8::is_ascii_digit);
            // Chinese numerals only count before a magnitude (`千亿元`), never as `三个`.
            let magnitude = parts.unit.starts_with(['亿', '万', '千', '百']);
            if !(arabic || magnitude || parts.unit == "个百分点") {
                continue;
            }
            let mut before = s[..num_start].chars().next_back();
            let mut start = whole.start();
            let mut sign = 1.0;
            // `增速分别为12.1%、-21.9%`: a minus sign directly before the digits, unless it
            // joins a range (`3-5%`) or the figure has a leading qualifier.
            if let Some(minus @ ('-' | '−')) = before {
                let sign_start = num_start - minus.len_utf8();
                let before_sign = s[..sign_start].chars().next_back();
                if parts.num_offset == 0
                    && arabic
                    && !before_sign.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
                {
                    sign = -1.0;
                    start = sign_start;
                    before = before_sign;
                }
            }
            // `增长3-5%`: the upper bound of a range is no value of its own.
            if matches!(before, Some('-' | '−' | '~' | '～' | '至' | '到'))
                && s[..start]
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|c| c.is_ascii_digit())
            {
                continue;
            }
            // `?264.6`, `增?.2%`: a digit was destroyed; the figure cannot be trusted.
            if matches!(before, Some('?' | '？' | '\u{FFFD}' | '.' | '．'))
                || (arabic && before.is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue;
            }
            let rest = &s[whole.end()..];
            if rest.starts_with(['?', '？', '\u{FFFD}']) || !self.follow.is_match(rest) {
                continue;
            }
            let Some(value) = parse_number(parts.num) else {
                continue;
            };
            out.push(Figure {
                start,
                end: whole.end(),
                value: sign * value,
                unit: parts.unit,
                qualifier: parts.qualifier,
            });
        }
        out
    }

    fn role(&self, seg: &str, unit: &str) -> FigureRole {
        let seg = seg.trim();
        if self.comparison.is_match(seg) {
            return FigureRole::Comparison;
        }
        if unit == "个百分点" {
            return match self.growth_verb.find(seg) {
                Some(m) if self.other_basis.is_match(seg) || self.yoy_basis.is_match(seg) => {
                    FigureRole::PointChange {
                        negative: is_negative(m.as_str()),
                    }
                }
                _ => FigureRole::Comparison,
            };
        }
        if self.level_verb.is_match(seg) {
            return FigureRole::Value;
        }
        if let Some(m) = self.growth_verb.find(seg) {
            if unit != "%" {
                return FigureRole::AbsoluteChange;
            }
            let basis = self.other_basis.find(seg).map(|m| m.as_str().to_string());
            return FigureRole::Growth {
                negative: is_negative(m.as_str()),
                basis,
            };
        }
        FigureRole::Value
    }

    /// Strips time, place, verbs and baselines from a clause, leaving its noun phrase.
    ///
    /// The result is a fixed point (`noun_phrase(noun_phrase(x)) == noun_phrase(x)`): quotes
    /// and bullets exposed by a strip are trimmed too, and [`Self::resolve`] relies on it.
    fn noun_phrase<'s>(&self, seg: &'s str) -> &'s str {
        let mut s = seg;
        loop {
            let before = s.len();
            s = s.trim_matches(|c: char| c.is_whitespace() || "-*•·\"“”'‘’".contains(c));
            if let Some(m) = self.prefix.find(s) {
                if m.end() > 0 {
                    s = &s[m.end()..];
                }
            }
            if let Some(m) = self.suffix.find(s) {
                if m.start() < s.len() {
                    s = &s[..m.start()];
                }
            }
            if s.len() == before {
                return s;
            }
        }
    }

    /// The metric phrases a lead names, if it names any: `None` means the figure continues
    /// the current metric.
    fn lead_metrics(
        &self,
        segs: &[(usize, &str)],
        have_current: bool,
        topic: Option<&Topic>,
        previous: Option<&ResolvedMetric>,
        ctx: &DocContext<'_>,
    ) -> Option<(usize, Vec<ResolvedMetric>)> {
        let (last_start, last) = *segs.last()?;
        // An explicit `全区` makes the phrase the region's own figure, whatever the topic.
        let topic = topic.filter(|_| !has_region(last, ctx));
        let cleaned = self.without_ranks(last);
        let phrase = self.noun_phrase(&cleaned).to_string();
        if !phrase.is_empty() {
            if lexicon::CONTINUATION_HEADS.contains(&phrase.as_str()) && have_current {
                return None;
            }
            if phrase.chars().count() > 24
                || !phrase.chars().any(|c| is_han(c) || c.is_ascii_alphabetic())
            {
                return None;
            }
            let offset = last_start + leading_trim_len(last);
            let mut resolved = self.resolve(&phrase, topic, previous, ctx);
            if let Some(w) = ctx.broader_places.iter().find(|w| last.contains(*w)) {
                // Kept as the broader place's metric, so nothing later takes it for ours.
                for r in &mut resolved {
                    r.code = None;
                    r.canonical = format!("{w}{}", r.canonical);
                }
            }
            return Some((offset, resolved));
        }
        if have_current {
            return None;
        }
        // `固定资产投资、建安投资总量全市双第一,同比分别增长9%、0.4%`: the metrics were named
        // in an earlier clause of the lead. Only headline metrics are taken from there.
        for &(start, seg) in segs.iter().rev().skip(1) {
            let cleaned = self.without_ranks(seg);
            let phrase = self.noun_phrase(&cleaned);
            if phrase.is_empty() {
                continue;
            }
            let resolved = self.resolve(phrase, topic, previous, ctx);
            if resolved.iter().all(|r| r.code.is_some()) {
                return Some((start + leading_trim_len(seg), resolved));
            }
            return None;
        }
        None
    }

    /// Resolves a metric phrase, which must be a [`Self::noun_phrase`], into the metrics
    /// it names.
    fn resolve(
        &self,
        phrase: &str,
        topic: Option<&Topic>,
        previous: Option<&ResolvedMetric>,
        ctx: &DocContext<'_>,
    ) -> Vec<ResolvedMetric> {
        let listed = |separators: &[char]| -> Vec<&str> {
            phrase.split(separators).filter(|p| !p.is_empty()).collect()
        };
        if topic.is_none() {
            if let Some(list) = self.resolve_shared_head(&listed(&['、', '和', '及', '与']), ctx)
            {
                return list;
            }
        }
        let narrow = self.resolve_parts(&listed(&['、']), phrase, topic, previous, ctx);
        // `城镇居民人均可支配收入和农村居民人均可支配收入`: split at 和/及/与 as well, but only
        // when every part is a headline metric (`住宿和餐饮业` stays one phrase).
        if phrase.contains(['和', '及', '与']) {
            let wide = self.resolve_parts(
                &listed(&['、', '和', '及', '与']),
                phrase,
                topic,
                previous,
                ctx,
            );
            if wide.len() > narrow.len() && wide.iter().all(|r| r.code.is_some()) {
                return wide;
            }
        }
        narrow
    }

    /// A list whose items share the last item's head: `城镇居民、农村居民人均可支配收入`,
    /// `城镇和农村居民人均可支配收入`. An item that names no metric by itself is completed
    /// with the last item's head, after the words they share (`居民`) or in place of the
    /// last item's own modifier (`农村` → `城镇`); the list counts only if every item then
    /// names a headline metric and no two the same.
    fn resolve_shared_head(
        &self,
        parts: &[&str],
        ctx: &DocContext<'_>,
    ) -> Option<Vec<ResolvedMetric>> {
        let (last, items) = parts.split_last()?;
        if items.is_empty() {
            return None;
        }
        let last_resolved = self.metrics.resolve(last, &ctx.strip_words);
        if last_resolved.len() != 1 || last_resolved[0].code.is_none() {
            return None;
        }
        let mut out = Vec::new();
        let mut completed_any = false;
        for item in items {
            let own = self.metrics.resolve(item, &ctx.strip_words);
            if own.len() == 1 && own[0].code.is_some() {
                out.extend(own);
                continue;
            }
            let completed = shared_head_candidates(item, last)
                .into_iter()
                .map(|c| self.metrics.resolve(&c, &ctx.strip_words))
                .find(|r| r.len() == 1 && r[0].code.is_some())?;
            completed_any = true;
            out.extend(completed);
        }
        out.extend(last_resolved);
        let mut codes: Vec<_> = out.iter().map(|r| r.code.clone()).collect();
        codes.sort();
        codes.dedup();
        (completed_any && codes.len() == out.len()).then_some(out)
    }

    /// Metrics of a growth figure: a bare subject that only names a metric when it grows
    /// (`经济增长5%`, `投资增长5%左右`) becomes that metric.
    fn growth_subjects(&self, metrics: Vec<ResolvedMetric>) -> Vec<ResolvedMetric> {
        metrics
            .into_iter()
            .map(|m| {
                if m.code.is_some() {
                    return m;
                }
                let Some((_, phrase)) = lexicon::GROWTH_SUBJECTS
                    .iter()
                    .find(|(subject, _)| *subject == m.canonical)
                else {
                    return m;
                };
                match self.metrics.resolve(phrase, &[]).into_iter().next() {
                    Some(r) if r.code.is_some() => ResolvedMetric {
                        written: m.written,
                        canonical: r.canonical,
                        code: r.code,
                    },
                    _ => m,
                }
            })
            .collect()
    }

    /// Resolves the parts of `phrase` (a noun phrase) split at list separators.
    fn resolve_parts(
        &self,
        parts: &[&str],
        phrase: &str,
        topic: Option<&Topic>,
        previous: Option<&ResolvedMetric>,
        ctx: &DocContext<'_>,
    ) -> Vec<ResolvedMetric> {
        let mut out = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            // In `固定资产投资、建安投资总量`, only the last part carries the tail.
            let part = if i + 1 < parts.len() || *part == phrase {
                // A part that is the whole phrase is a noun phrase already.
                *part
            } else {
                self.noun_phrase(part)
            };
            let mut resolved = self.metrics.resolve(part, &ctx.strip_words);
            for r in &mut resolved {
                if lexicon::CONTEXT_HEADS.contains(&r.canonical.as_str()) {
                    // `6月月均浓度` after `细颗粒物累计浓度`: the same pollutant.
                    let from_previous = previous
                        .filter(|p| p.canonical.ends_with(r.canonical.as_str()))
                        .map(|p| p.canonical.clone());
                    let narrowed = from_previous
                        .or_else(|| topic.map(|t| format!("{}{}", t.text, r.canonical)));
                    if let Some(c) = narrowed {
                        r.code = self.metrics.code_of(&c);
                        r.canonical = c;
                    }
                } else if let Some(t) = topic {
                    let narrows = if t.is_area {
                        !part.contains(t.text.as_str())
                    } else {
                        lexicon::TOPIC_NARROWED.contains(&r.canonical.as_str())
                    };
                    if narrows {
                        r.canonical = format!("{}{}", t.text, r.canonical);
                        r.code = self.metrics.code_of(&r.canonical);
                    }
                }
            }
            out.extend(resolved);
        }
        out
    }

    /// Reads one sentence into finished drafts.
    fn read_sentence(&self, s: &str, ctx: &DocContext<'_>) -> Vec<Draft> {
        let figures = self.figures(s);
        if figures.is_empty() {
            return Vec::new();
        }
        let opening = s.trim_start_matches(|c: char| !is_han(c) && !c.is_ascii_alphanumeric());
        let topic = may_name_topic(opening)
            .then(|| self.topic.captures(opening))
            .flatten()
            .and_then(|c| {
                let t = c.name("topic")?.as_str().to_string();
                let is_area = c.name("area").is_some();
                Some(Topic { text: t, is_area })
            })
            .filter(|t| !is_region_word(&t.text) && !ctx.strip_words.contains(&t.text));
        let mut done: Vec<Draft> = Vec::new();
        let mut current: Vec<Draft> = Vec::new();
        let mut last_metric: Option<ResolvedMetric> = None;
        let mut prev_end = 0;
        let mut prev: Option<(FigureRole, &str)> = None;
        let mut list_mode = false;
        let mut list_idx = 0usize;
        let mut segs = Vec::new();
        for fig in &figures {
            let lead = &s[prev_end..fig.start];
            segments_into(&mut segs, lead, prev_end);
            // `5%—5.5%`: the upper bound of a range stated by its lower bound.
            if prev.is_some() && matches!(lead.trim(), "—" | "-" | "–" | "~" | "～" | "至" | "到")
            {
                prev_end = fig.end;
                continue;
            }
            let is_list_next = matches!(lead.trim(), "、" | "和" | "及" | "与" | "或")
                && prev
                    .as_ref()
                    .is_some_and(|(_, u)| unit_family(u) == unit_family(fig.unit));
            let role = if is_list_next {
                list_idx += 1;
                prev.as_ref().map_or(FigureRole::Value, |(r, _)| r.clone())
            } else {
                list_idx = 0;
                // A `分别` list goes on through a later list of the same metrics
                // (`分别达6.9万元、3.4万元,增长4.2%、5.3%`) unless a new metric is named.
                let was_list = list_mode && current.len() > 1;
                list_mode = lead.contains("分别");
                let last_seg = segs.last().map_or("", |(_, t)| *t);
                // Rank phrases in the clauses before the figure's own belong to the
                // facts read so far.
                for &(_, seg) in segs.iter().take(segs.len().saturating_sub(1)) {
                    self.attach_ranks(seg, &mut current);
                }
                let role = self.role(last_seg, fig.unit);
                if role != FigureRole::Comparison {
                    if let Some((quote_start, metrics)) = self.lead_metrics(
                        &segs,
                        !current.is_empty(),
                        topic.as_ref(),
                        last_metric.as_ref(),
                        ctx,
                    ) {
                        let metrics = match role {
                            FigureRole::Growth { .. } => self.growth_subjects(metrics),
                            _ => metrics,
                        };
                        done.append(&mut current);
                        last_metric = metrics.last().cloned();
                        current = metrics
                            .into_iter()
                            .map(|m| Draft::new(m, quote_start))
                            .collect();
                    } else if was_list {
                        list_mode = true;
                    }
                }
                role
            };
            prev = Some((role.clone(), fig.unit));
            if current.is_empty() {
                prev_end = fig.end;
                continue;
            }
            let seg_start = segs
                .last()
                .map_or(fig.start, |(st, t)| st + leading_trim_len(t));
            let targets: Vec<usize> = if current.len() > 1 && (list_mode || is_list_next) {
                if list_idx < current.len() {
                    vec![list_idx]
                } else {
                    Vec::new()
                }
            } else {
                (0..current.len()).collect()
            };
            for i in targets {
                self.apply(&mut current[i], &mut done, &role, fig, s, seg_start);
            }
            prev_end = fig.end;
        }
        if let Some(rest) = s.get(prev_end..) {
            for (_, seg) in segments(rest, prev_end) {
                self.attach_ranks(seg, &mut current);
            }
        }
        done.append(&mut current);
        done.retain(Draft::has_figures);
        done.sort_by_key(|d| (d.first_figure, d.quote_start));
        done
    }

    /// Facts written without a figure of the usual shape: an industry-structure ratio
    /// (the tertiary share) and a metric unchanged from a year before (growth 0). Each is
    /// added unless a draft of the same metric already covers that place.
    fn read_ratio_forms(
        &self,
        s: &str,
        unchanged: bool,
        ctx: &DocContext<'_>,
        drafts: &mut Vec<Draft>,
    ) {
        let mut add = |metric: ResolvedMetric, start: usize, end: usize, value, yoy| {
            if metric.code.is_none()
                || drafts.iter().any(|d| {
                    d.metric.code == metric.code
                        && d.first_figure.is_some_and(|f| f >= start && f < end)
                })
            {
                return;
            }
            let mut d = Draft::new(metric, start);
            d.first_figure = Some(start);
            d.end = end;
            d.value = value;
            d.yoy = yoy;
            drafts.push(d);
        };
        if let Some(c) = self.industry_structure.captures(s) {
            let (Some(all), Some(t)) = (c.get(0), c.name("tertiary")) else {
                return;
            };
            if let (Some(metric), Some(v)) = (
                self.metrics
                    .resolve(lexicon::TERTIARY_SHARE_PHRASE, &[])
                    .into_iter()
                    .next(),
                parse_number(t.as_str()),
            ) {
                add(
                    metric,
                    all.start(),
                    all.end(),
                    Some((v, "%".to_string())),
                    None,
                );
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
                    add(metric, start, all.end(), None, Some(0.0));
                }
            }
        }
        drafts.sort_by_key(|d| (d.first_figure, d.quote_start));
    }

    /// The first rank phrase of a clause.
    fn find_rank<'s>(&self, seg: &'s str) -> Option<regex::Match<'s>> {
        may_hold_rank(seg).then(|| self.rank.find(seg)).flatten()
    }

    /// A clause without its rank phrases.
    fn without_ranks<'s>(&self, seg: &'s str) -> std::borrow::Cow<'s, str> {
        if may_hold_rank(seg) {
            self.rank.replace_all(seg, "")
        } else {
            std::borrow::Cow::Borrowed(seg)
        }
    }

    fn attach_ranks(&self, seg: &str, drafts: &mut [Draft]) {
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

    /// Applies one figure to a draft; a second figure for a filled slot starts a new fact
    /// of the same metric (`其中二季度单季同比增长7.1%`).
    fn apply(
        &self,
        draft: &mut Draft,
        done: &mut Vec<Draft>,
        role: &FigureRole,
        fig: &Figure,
        s: &str,
        seg_start: usize,
    ) {
        let needs_new = match role {
            FigureRole::Value => draft.value.is_some() || draft.yoy.is_some(),
            FigureRole::Growth { basis: None, .. } => draft.yoy.is_some(),
            _ => false,
        };
        if needs_new {
            let fresh = Draft::new(draft.metric.clone(), seg_start);
            done.push(std::mem::replace(draft, fresh));
        }
        if *role == FigureRole::Value && draft.value.is_none() {
            // `从2020年的10.5万元提高到…`, `由874.6亿元增加到…`.
            let lead = s.get(seg_start.min(fig.start)..fig.start).unwrap_or("");
            let tail_start = lead.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
            draft.from = lead[tail_start..].contains(['从', '由']);
        }
        match role {
            FigureRole::Comparison => {
                let text = s[seg_start.min(fig.start)..fig.end].trim();
                if !text.is_empty() && draft.has_figures() {
                    draft.rank.push(text.to_string());
                }
                return;
            }
            FigureRole::AbsoluteChange => return,
            FigureRole::Value => draft.value = Some((fig.value, fig.unit.to_string())),
            FigureRole::Growth { negative, basis } => {
                let pct = if *negative { -fig.value } else { fig.value };
                match basis {
                    None => draft.yoy = Some(pct),
                    Some(b) => {
                        if draft.other.is_none() {
                            draft.other = Some((b.clone(), pct));
                        }
                    }
                }
            }
            FigureRole::PointChange { negative } => {
                if draft.pp.is_none() {
                    draft.pp = Some(if *negative { -fig.value } else { fig.value });
                }
            }
        }
        if draft.qualifier.is_none() {
            draft.qualifier = fig.qualifier.map(str::to_string);
        }
        draft.first_figure.get_or_insert(fig.start);
        draft.end = fig.end;
    }

    /// The kind and period cues of a sentence, found once for all its figures. Comparison
    /// clauses (`高于全年预期目标`) are left out: their time words and targets are about the
    /// thing compared with.
    ///
    /// Each pattern runs once over the whole sentence rather than once per clause: no cue
    /// spans a clause separator, so the matches are the same, and a regex search has a
    /// fixed cost that dominates on short clauses.
    fn sentence_cues(&self, s: &str) -> SentenceCues {
        // Byte ranges of the comparison clauses; a cue belongs to the clause it ends in.
        let comparisons: Vec<(usize, usize)> = segments(s, 0)
            .into_iter()
            .filter(|(_, seg)| self.comparison.is_match(seg.trim()))
            .map(|(start, seg)| (start, start + seg.len()))
            .collect();
        let counts = |end: usize| !comparisons.iter().any(|&(a, b)| a < end && end <= b);
        let first_end = |re: &Regex| re.find_iter(s).map(|m| m.end()).find(|e| counts(*e));
        SentenceCues {
            time: self
                .periods
                .all(s)
                .into_iter()
                .filter(|(end, _)| counts(*end))
                .collect(),
            forecast: first_end(&self.forecast_cue),
            target: first_end(&self.target_cue),
        }
    }

    fn kind(
        &self,
        cues: &SentenceCues,
        first: usize,
        char_offset: u32,
        ctx: &DocContext<'_>,
    ) -> IndicatorKind {
        if cues.forecast.is_some_and(|end| end <= first) {
            return IndicatorKind::Forecast;
        }
        if cues.target.is_some_and(|end| end <= first) {
            return IndicatorKind::Target;
        }
        // A figure the sentence dates to a year already reviewed (`2007年…下降3.27%` in a
        // 2008 report) was reported, whatever part of the report cites it.
        let dated = cues.time_before(first).and_then(|t| t.year);
        if let (Some(year), Some(reviewed)) = (dated, ctx.actual_year) {
            if year <= reviewed && !ctx.stages.is_empty() {
                return IndicatorKind::Actual;
            }
        }
        // A work report's timeline says more than its headings.
        if let Some(stage) = stage_at(&ctx.stages, char_offset) {
            return stage.kind;
        }
        // The innermost heading that says review or plan decides.
        let mut idx = innermost_section(ctx.sections, char_offset);
        while let Some(i) = idx {
            let Some(section) = ctx.sections.get(i as usize) else {
                break;
            };
            if let Some(kind) = ctx.heading_kinds.get(i as usize).copied().flatten() {
                return kind;
            }
            idx = section.parent;
        }
        current_part(&ctx.parts, char_offset).map_or(IndicatorKind::Actual, |p| p.kind)
    }

    fn finish(
        &self,
        draft: Draft,
        s: &str,
        chars: &CharIndex<'_>,
        cues: &SentenceCues,
        sentence_char: u32,
        ctx: &DocContext<'_>,
    ) -> Option<Indicator> {
        let first = draft.first_figure?;
        let quote_start_char = sentence_char + chars.before(draft.quote_start.min(first));
        let stage = stage_at(&ctx.stages, quote_start_char).filter(|st| st.span.is_some());
        let mut kind = self.kind(cues, first, quote_start_char, ctx);
        if draft.from && stage.is_some() {
            // The start of a change over a span was reached before it: an actual level.
            kind = IndicatorKind::Actual;
        }
        let part_year = current_part(&ctx.parts, quote_start_char)
            .filter(|p| p.kind == kind || kind == IndicatorKind::Forecast)
            .and_then(|p| p.year);
        let default_year = part_year.or(match kind {
            IndicatorKind::Target => ctx.target_year,
            _ => ctx.actual_year,
        });
        let time = cues.time_before(first);
        let extent = if draft.from {
            Extent::From
        } else if is_cumulative(
            &s[draft.quote_start.min(first)..first],
            draft.metric.code.as_deref(),
        ) {
            Extent::Cumulative
        } else {
            Extent::Level
        };
        let period = match time {
            Some(t) => t.render(default_year),
            None => stage
                .and_then(|st| period_in(st, extent))
                .unwrap_or_else(|| default_period(ctx.report_kind, kind, default_year)),
        };
        let (mut yoy, mut other) = (draft.yoy, draft.other);
        // A plain growth over a multi-year review is cumulative, not year on year.
        if time.is_none()
            && other.is_none()
            && stage.is_some_and(|st| st.kind == IndicatorKind::Actual)
        {
            if let Some(pct) = yoy.take() {
                other = Some(("累计".to_string(), pct));
            }
        }
        // `比2020年增长` in a report on 2021 is growth over the year before: year on year.
        if yoy.is_none()
            && other.as_ref().is_some_and(|(b, _)| {
                is_previous_year(b, &period) || is_previous_year_end(b, &period)
            })
        {
            yoy = other.take().map(|(_, pct)| pct);
        }
        let code = draft.metric.code.clone();
        let class = code.as_deref().and_then(|c| self.metrics.unit_class(c));
        let mut value = draft.value;
        // A percentage of a change metric (CPI) is its growth, and so is a percentage of a
        // money amount (`经济增长预期目标为5%左右`): an amount of money is never a percent.
        if yoy.is_none()
            && (code
                .as_deref()
                .is_some_and(|c| lexicon::CHANGE_METRICS.contains(&c))
                || class == Some(UnitClass::Money))
            && value.as_ref().is_some_and(|(_, unit)| unit == "%")
        {
            yoy = value.take().map(|(v, _)| v);
        }
        let quantity = value.and_then(|(value, unit)| {
            if let Some(class) = class {
                if !unit_fits(class, &unit) {
                    return None;
                }
            }
            // A bare magnitude of a money metric (`超千亿`) counts yuan.
            let unit = if class == Some(UnitClass::Money) && !unit.ends_with('元') {
                format!("{unit}元")
            } else {
                unit
            };
            let (base, base_unit) = base_value(value, &unit);
            Some(Quantity {
                value,
                unit,
                base_value: base,
                base_unit,
            })
        });
        if quantity.is_none() && yoy.is_none() && other.is_none() && draft.pp.is_none() {
            return None;
        }
        let (quote_start, quote_end) = quote_bounds(s, draft.quote_start.min(first), draft.end);
        let quote = s[quote_start..quote_end].to_string();
        let start = sentence_char + chars.before(quote_start);
        let span = CharSpan {
            start,
            end: start + count_chars(&quote),
        };
        Some(Indicator {
            section: innermost_section(ctx.sections, span.start),
            metric: draft.metric.written,
            code,
            kind,
            period,
            quantity,
            yoy_pct: yoy,
            other_growth: other.map(|(basis, pct)| OtherGrowth { basis, pct }),
            pp_change: draft.pp,
            qualifier: draft.qualifier,
            rank: (!draft.rank.is_empty()).then(|| draft.rank.join(",")),
            quote,
            span,
        })
    }
}

/// Ways to complete list item `item` with the head of the list's last item `last`.
fn shared_head_candidates(item: &str, last: &str) -> Vec<String> {
    let item_chars: Vec<(usize, char)> = item.char_indices().collect();
    let mut out = Vec::new();
    // After the words they share: `城镇居民` + `农村居民人均可支配收入` → `城镇居民人均可支配收入`.
    for (i, _) in item_chars.iter().take(item_chars.len().saturating_sub(1)) {
        let shared = &item[*i..];
        if let Some(k) = last.find(shared) {
            let head = &last[k + shared.len()..];
            if !head.is_empty() {
                out.push(format!("{item}{head}"));
            }
        }
    }
    // In place of the last item's modifier: `城镇` + `农村居民人均…` → `城镇居民人均…`.
    if let Some((at, _)) = last.char_indices().nth(item_chars.len()) {
        out.push(format!("{item}{}", &last[at..]));
    }
    out
}

/// Whether a figure whose lead is `lead` sums or averages over its stage's span rather than
/// stating a level at its end: `累计`, `五年`, `年均`, `每年` say so, and new jobs and new
/// businesses are flows, summed whenever a span is their period.
fn is_cumulative(lead: &str, code: Option<&str>) -> bool {
    lexicon::CUMULATIVE_WORDS.iter().any(|w| lead.contains(w))
        || code.is_some_and(|c| lexicon::FLOW_METRICS.contains(&c))
}

/// Whether a baseline is the end of the previous year (`比上年末`) for a figure of a whole
/// year (`2022`): a year-end balance against the last one is its year-on-year change.
fn is_previous_year_end(basis: &str, period: &str) -> bool {
    matches!(basis, "比上年末" | "较上年末" | "比去年末" | "较去年末")
        && period.len() == 4
        && period.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a baseline (`比2020年`, `较2020年同期`) is the same period a year before
/// `period` (`2021`, `2021H1`).
fn is_previous_year(basis: &str, period: &str) -> bool {
    let Some(rest) = basis
        .strip_prefix("比")
        .or_else(|| basis.strip_prefix("较"))
    else {
        return false;
    };
    let (Some(year), Some(tail)) = (rest.get(..4), rest.get(4..)) else {
        return false;
    };
    let (Ok(base), Some(Ok(current))) =
        (year.parse::<i32>(), period.get(..4).map(str::parse::<i32>))
    else {
        return false;
    };
    let same_part = match tail {
        "年" | "年同期" => true,
        "年上半年" => period.ends_with("H1"),
        "年全年" => period.len() == 4,
        _ => false,
    };
    base + 1 == current && same_part
}

fn current_part(parts: &[Part], offset: u32) -> Option<&Part> {
    parts.iter().take_while(|p| p.start <= offset).last()
}

/// The parts of a figure matched by [`lexicon::FIGURE`].
struct FigureParts<'a> {
    qualifier: Option<&'a str>,
    num: &'a str,
    num_offset: usize,
    unit: &'a str,
}

/// Splits a figure match into qualifier, number and unit, mirroring [`lexicon::FIGURE`].
fn split_figure(m: &str) -> Option<FigureParts<'_>> {
    let pre = lexicon::QUALIFIERS_BEFORE
        .iter()
        .find(|q| m.starts_with(**q) && m[q.len()..].starts_with(is_numeral_start));
    let body = pre.map_or(m, |q| &m[q.len()..]);
    let num_len = if body.starts_with(|c: char| c.is_ascii_digit()) {
        let int = body.bytes().take_while(u8::is_ascii_digit).count();
        let frac = body[int..]
            .strip_prefix('.')
            .map(|r| r.bytes().take_while(u8::is_ascii_digit).count())
            .filter(|n| *n > 0)
            .map_or(0, |n| n + 1);
        int + frac
    } else {
        body.chars()
            .take_while(|c| lexicon::CHINESE_NUMERALS.contains(*c))
            .map(char::len_utf8)
            .sum()
    };
    if num_len == 0 {
        return None;
    }
    let (num, rest) = body.split_at(num_len);
    let post = lexicon::QUALIFIERS_AFTER
        .iter()
        .find(|q| rest.len() > q.len() && rest.ends_with(**q));
    let unit = post.map_or(rest, |q| &rest[..rest.len() - q.len()]);
    Some(FigureParts {
        qualifier: pre.or(post).copied(),
        num,
        num_offset: m.len() - body.len(),
        unit,
    })
}

fn is_numeral_start(c: char) -> bool {
    c.is_ascii_digit() || lexicon::CHINESE_NUMERALS.contains(c)
}

fn default_period(report: ReportKind, kind: IndicatorKind, year: Option<i32>) -> String {
    let Some(year) = year else {
        return "unknown".to_string();
    };
    match (report, kind) {
        (ReportKind::PlanExecutionMidYear, IndicatorKind::Actual) => format!("{year}H1"),
        _ => format!("{year}"),
    }
}

/// The innermost section whose span holds a character offset.
fn innermost_section(sections: &[Section], offset: u32) -> Option<u32> {
    sections
        .iter()
        .filter(|s| s.span.start <= offset && offset < s.span.end)
        .max_by_key(|s| (s.level, s.span.start))
        .map(|s| s.index)
}

/// Character offsets of byte offsets of a text, asked for in increasing order: counts
/// only the characters between one question and the next, in one call each, so a whole
/// pass over the text costs one SIMD count however many offsets are asked for, and none
/// where no offset is.
struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: u32,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        CharOffsets {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The character offset of byte offset `byte` (a character boundary, not before the
    /// previous question).
    fn at(&mut self, byte: usize) -> u32 {
        if byte > self.byte {
            self.chars += count_chars(self.text.get(self.byte..byte).unwrap_or(""));
            self.byte = byte;
        }
        self.chars
    }
}

/// One sentence of a text.
struct Sentence<'a> {
    /// Byte offset of the sentence in the text.
    start: usize,
    text: &'a str,
    /// Whether it holds an ASCII digit (most sentences without one hold no figure).
    has_digit: bool,
}

/// Byte offsets and lengths of the sentence terminators of `text`, in order: `!` `?` and
/// line breaks, `。`, and the full-width `！` `？` (normalized text has none, but raw text
/// may).
///
/// Each kind is found with a SIMD search (`memchr3`, `memmem`) and the streams are merged:
/// this runs over the whole text, and a byte-by-byte scan cost more than all the work on
/// the sentences without figures.
fn terminators(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = memchr::memchr3_iter(b'\n', b'!', b'?', bytes)
        .map(|i| (i, 1))
        .collect();
    // `！` and `？` share their lead byte with nothing common in Chinese text: their
    // searches are skipped when the lead byte is absent.
    let wide: &[&str] = if memchr::memchr(0xEF, bytes).is_some() {
        &["。", "！", "？"]
    } else {
        &["。"]
    };
    let before = out.len();
    for t in wide {
        out.extend(memchr::memmem::find_iter(bytes, t.as_bytes()).map(|i| (i, t.len())));
    }
    if out.len() > before {
        out.sort_unstable();
    }
    out
}

/// Whether a sentence holds an ASCII digit. The test runs over blocks without an early
/// exit inside a block, which the compiler vectorizes: most sentences hold no digit and
/// are read to their end.
fn has_ascii_digit(s: &str) -> bool {
    const BLOCK: usize = 32;
    let bytes = s.as_bytes();
    let digit = |b: &u8| u8::from(b.wrapping_sub(b'0') < 10);
    let mut blocks = bytes.chunks_exact(BLOCK);
    blocks.any(|block| block.iter().fold(0, |acc, b| acc | digit(b)) != 0)
        || blocks.remainder().iter().any(|b| digit(b) != 0)
}

/// Splits text into sentences at `。` `!` `?` `！` `？` and line breaks.
fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let ends = terminators(text);
    for (end, len) in ends.into_iter().chain(std::iter::once((text.len(), 0))) {
        let sentence = text.get(start..end).unwrap_or("");
        if !sentence.is_empty() {
            out.push(Sentence {
                start,
                text: sentence,
                has_digit: has_ascii_digit(sentence),
            });
        }
        start = end + len;
    }
    out
}

/// Whether a clause can hold a rank phrase: every match of [`lexicon::RANK`] names a
/// field (`区` `市` `省` `国` `业`) and a position (`第` `首位` `之首` `前列` `前茅`).
/// Nearly every clause fails this, and the test costs far less than the regex.
fn may_hold_rank(seg: &str) -> bool {
    let (mut position, mut field) = (false, false);
    let mut prev = '\0';
    // One pass over the characters: four substring searches cost more than the regex saves.
    for c in seg.chars() {
        match (prev, c) {
            (_, '第') | ('首', '位') | ('之', '首') | ('前', '列' | '茅') => {
                position = true
            }
            (_, '区' | '市' | '省' | '国' | '业') => field = true,
            _ => {}
        }
        prev = c;
    }
    position && field
}

/// Whether a sentence opening can name a topic: every match of
/// [`lexicon::SUBAREA_TOPIC`] ends its name in `区` `园` `道` `镇` or `业` within its first
/// 17 characters (a 4-character time phrase, at most 10 name characters, a 3-character
/// suffix). The capture search is skipped for the other sentences.
fn may_name_topic(opening: &str) -> bool {
    opening
        .chars()
        .take(TOPIC_REACH)
        .any(|c| matches!(c, '区' | '园' | '道' | '镇' | '业'))
}

/// How far into a sentence [`may_name_topic`] looks, with a margin.
const TOPIC_REACH: usize = 24;

/// Splits a lead into clauses at `,` `;` `:`: (absolute offset, clause) pairs.
fn segments(text: &str, base: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    segments_into(&mut out, text, base);
    out
}

/// [`segments`] into a buffer the caller reuses: the reader splits the lead of every
/// figure, and a fresh vector each time cost as much as the split.
fn segments_into<'t>(out: &mut Vec<(usize, &'t str)>, text: &'t str, base: usize) {
    out.clear();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // `,` `;` `:` and their full-width forms `，` `；` `：` (EF BC 8C / 9B / 9A).
        let len = match bytes[i] {
            b',' | b';' | b':' => 1,
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9B | 0x9A])) => 3,
            _ => 0,
        };
        if len == 0 {
            i += 1;
            continue;
        }
        out.push((base + start, &text[start..i]));
        i += len;
        start = i;
    }
    out.push((base + start, &text[start..]));
}

/// Bytes of leading separators and whitespace of a clause.
fn leading_trim_len(seg: &str) -> usize {
    seg.len()
        - seg
            .trim_start_matches(|c: char| c.is_whitespace() || "-*•·、".contains(c))
            .len()
}

/// The byte range of a quote of at most [`MAX_QUOTE_CHARS`] characters ending at `end`.
fn quote_bounds(s: &str, start: usize, end: usize) -> (usize, usize) {
    let end = end.min(s.len());
    let start = start.min(end);
    let mut start = start;
    let n = count_chars(&s[start..end]) as usize;
    if n > MAX_QUOTE_CHARS {
        // Keep the end, where the figures are.
        start = s[start..end]
            .char_indices()
            .nth(n - MAX_QUOTE_CHARS)
            .map_or(start, |(i, _)| start + i);
    }
    (start, end)
}

fn count_chars(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// Whether a growth-verb match (`下降`, `减少了`: the verb and its particles) states a
/// decrease. The match starts with its verb, and no verb of [`lexicon::GROWTH_VERB`]
/// starts with a decrease verb unless it is one, so the start decides without a capture
/// search.
fn is_negative(verb_match: &str) -> bool {
    lexicon::NEGATIVE_VERBS
        .iter()
        .any(|v| verb_match.starts_with(v))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

fn is_region_word(s: &str) -> bool {
    matches!(
        s,
        "全区" | "我区" | "本区" | "全市" | "全县" | "全省" | "全镇" | "城区" | "辖区"
    )
}

fn has_region(s: &str, ctx: &DocContext<'_>) -> bool {
    ["全区", "我区", "本区", "全市", "全县", "全省"]
        .iter()
        .any(|w| s.contains(w))
        || ctx.strip_words.iter().any(|w| s.contains(w.as_str()))
}

/// Units that can stand in one `分别` list.
fn unit_family(unit: &str) -> &'static str {
    match unit {
        "%" | "‰" => "pct",
        "个百分点" => "pp",
        _ => "level",
    }
}

#[cfg(test)]
mod tests;
