//! Document-wide context of the indicator reader: the years a report reviews and plans,
//! its place words, its timeline, and the parts and headings that say whether a figure is
//! an actual or a target. Decided once per document, asked for every figure.

use super::lexicon;
use super::period::Part as YearPart;
use super::sentences::CharOffsets;
use super::timeline::Stage;
use super::IndicatorExtractor;
use crate::model::{IndicatorKind, Metadata, ReportKind, Section};

impl IndicatorExtractor {
    pub(super) fn doc_context<'a>(
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
        // `去年` is the year before the report was written: before its date's year, or, for
        // a work report given early in the year it plans, before that year.
        let last_year = metadata
            .date
            .as_deref()
            .and_then(|d| d.get(..4)?.parse::<i32>().ok())
            .map(|y| y - 1)
            .or(match metadata.kind {
                ReportKind::GovernmentWorkReport => actual_year,
                _ => None,
            });
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
            title_part: metadata.title.as_deref().and_then(|t| self.title_part(t)),
            strip_words,
            actual_year,
            target_year,
            last_year,
            report_kind: metadata.kind,
        }
    }

    pub(super) fn parts(&self, text: &str) -> Vec<Part> {
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
}

/// A heading-like line that opens a review or plan part of a report.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part {
    pub(super) start: u32,
    pub(super) kind: IndicatorKind,
    /// The year the heading names (`2019年工作回顾`): the default year of its figures.
    pub(super) year: Option<i32>,
}

/// Document-wide facts that decide default periods and kinds.
pub(super) struct DocContext<'a> {
    pub(super) sections: &'a [Section],
    /// What each section's heading says (review or plan), by section index: asked for
    /// every figure, so decided once.
    pub(super) heading_kinds: Vec<Option<IndicatorKind>>,
    /// Heading-like lines that open a review or a plan part, with the kind they imply:
    /// government work reports often head their parts without a list marker
    /// (`2019年工作回顾`, `2020年工作的总体思路和主要任务`).
    pub(super) parts: Vec<Part>,
    pub(super) strip_words: Vec<String>,
    /// Place words of levels above the report's region (`全市`, `全省`, `全国` in a district
    /// report): a figure about one of those is context, not the report's own.
    pub(super) broader_places: &'static [&'static str],
    pub(super) actual_year: Option<i32>,
    pub(super) target_year: Option<i32>,
    /// The year `去年` names: the one before the report was written.
    pub(super) last_year: Option<i32>,
    /// The part of the year a title names (`2024年上半年全市经济运行情况`, `…计划上半年执行
    /// 情况的报告`): what the report's figures cover unless a sentence says otherwise.
    pub(super) title_part: Option<YearPart>,
    pub(super) report_kind: ReportKind,
    /// The stages of a work report's timeline (empty for other kinds of report, whose
    /// time is stated by their headings and sentences).
    pub(super) stages: Vec<Stage>,
}

impl IndicatorExtractor {
    /// The part of a year (a half, quarters, months) a title names, if any.
    fn title_part(&self, title: &str) -> Option<YearPart> {
        // A single month in a title (`11月份国民经济…`) is a monthly release's subject, while
        // its figures are often the year so far: it dates nothing by itself.
        self.periods.all(title).into_iter().find_map(|(_, r)| {
            (r.part.within_a_year() && !matches!(r.part, YearPart::Month(_))).then_some(r.part)
        })
    }
}

pub(super) fn current_part(parts: &[Part], offset: u32) -> Option<&Part> {
    parts.iter().take_while(|p| p.start <= offset).last()
}

/// The innermost section whose span holds a character offset.
pub(super) fn innermost_section(sections: &[Section], offset: u32) -> Option<u32> {
    sections
        .iter()
        .filter(|s| s.span.start <= offset && offset < s.span.end)
        .max_by_key(|s| (s.level, s.span.start))
        .map(|s| s.index)
}
