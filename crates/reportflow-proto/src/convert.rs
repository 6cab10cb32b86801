//! Conversions from `reportflow-core` data to the `reportflow.v1` messages.
//!
//! The pipeline runs in two stages, and so do these conversions:
//!
//! 1. normalizer: raw bytes → [`v1::NormalizedReport`] ([`normalized_report`], or
//!    [`normalize_raw`] which runs the core as well);
//! 2. extractor: [`v1::NormalizedReport`] → [`v1::ReportDocument`], [`v1::Section`]s and
//!    [`v1::Indicator`]s ([`extract_normalized`], or [`extraction_from_analysis`] when the
//!    core's [`Analysis`] is already at hand).
//!
//! [`extraction_from_report`] does both at once from a core [`Report`].
//!
//! Every function here is pure and deterministic: no clocks, no random ids, so the same input
//! always gives messages that encode to the same bytes.

use reportflow_core as core;
use reportflow_core::{Analysis, Extractor, NormalizedText, Report, EXTRACTOR_VERSION};

use reportflow_formats::{Format, Rejection};

use crate::v1;

impl From<core::CharSpan> for v1::CharSpan {
    fn from(span: core::CharSpan) -> Self {
        v1::CharSpan {
            start: span.start,
            end: span.end,
        }
    }
}

impl From<core::DetectionMethod> for v1::DetectionMethod {
    fn from(method: core::DetectionMethod) -> Self {
        match method {
            core::DetectionMethod::Bom => v1::DetectionMethod::Bom,
            core::DetectionMethod::Utf8 => v1::DetectionMethod::Utf8,
            core::DetectionMethod::Utf16Heuristic => v1::DetectionMethod::Utf16Heuristic,
            core::DetectionMethod::Detector => v1::DetectionMethod::Detector,
            core::DetectionMethod::HeaderHint => v1::DetectionMethod::HeaderHint,
        }
    }
}

impl From<Format> for v1::DocumentFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Text => v1::DocumentFormat::Text,
            Format::Html => v1::DocumentFormat::Html,
            Format::Docx => v1::DocumentFormat::Docx,
            Format::Pdf => v1::DocumentFormat::Pdf,
        }
    }
}

impl From<core::ReportKind> for v1::ReportKind {
    fn from(kind: core::ReportKind) -> Self {
        match kind {
            core::ReportKind::Other => v1::ReportKind::Other,
            core::ReportKind::GovernmentWorkReport => v1::ReportKind::GovernmentWorkReport,
            core::ReportKind::PlanExecutionMidYear => v1::ReportKind::PlanExecutionMidYear,
            core::ReportKind::PlanExecutionAnnual => v1::ReportKind::PlanExecutionAnnual,
            core::ReportKind::StatisticalBulletin => v1::ReportKind::StatisticalBulletin,
        }
    }
}

impl From<core::IndicatorKind> for v1::IndicatorKind {
    fn from(kind: core::IndicatorKind) -> Self {
        match kind {
            core::IndicatorKind::Actual => v1::IndicatorKind::Actual,
            core::IndicatorKind::Target => v1::IndicatorKind::Target,
            core::IndicatorKind::Forecast => v1::IndicatorKind::Forecast,
        }
    }
}

impl From<&core::EncodingInfo> for v1::EncodingInfo {
    fn from(info: &core::EncodingInfo) -> Self {
        v1::EncodingInfo {
            name: info.encoding.to_owned(),
            method: v1::DetectionMethod::from(info.method).into(),
            replacement_count: info.replacement_count,
        }
    }
}

impl From<&core::Metadata> for v1::ReportMetadata {
    fn from(m: &core::Metadata) -> Self {
        v1::ReportMetadata {
            title: m.title.clone(),
            region: m.region.clone(),
            kind: v1::ReportKind::from(m.kind).into(),
            years: m.years.clone(),
            meeting: m.meeting.clone(),
            date: m.date.clone(),
            speaker_name: m.speaker_name.clone(),
            speaker_title: m.speaker_title.clone(),
            issuing_body: m.issuing_body.clone(),
        }
    }
}

impl v1::Source {
    /// A source with a key and no headers.
    pub fn with_key(key: impl Into<String>) -> Self {
        v1::Source {
            key: key.into(),
            headers: Vec::new(),
        }
    }

    /// Appends a header (builder style).
    #[must_use]
    pub fn header(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push(v1::Header {
            key: key.into(),
            value: value.into(),
        });
        self
    }

    /// The value of the first header named `name` (ASCII case-insensitive).
    pub fn get_header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The `charset` header, a hint for the encoding of the raw bytes, if present and non-empty.
    pub fn charset(&self) -> Option<&str> {
        self.get_header("charset")
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The `content-type` header (the crawler's content type, a hint for the document
    /// format), if present and non-empty.
    pub fn content_type(&self) -> Option<&str> {
        self.get_header("content-type")
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The `source-url` header, if present.
    pub fn source_url(&self) -> Option<&str> {
        self.get_header("source-url")
    }
}

/// Stage one message from the core's normalized text. `raw_size` is the length of the raw
/// bytes the text was decoded from. Takes the text by value: a document can be tens of
/// megabytes, and the worker's peak memory counts every copy.
pub fn normalized_report(
    normalized: NormalizedText,
    source: v1::Source,
    raw_size: usize,
) -> v1::NormalizedReport {
    v1::NormalizedReport {
        encoding: Some(v1::EncodingInfo::from(&normalized.encoding)),
        doc_id: normalized.doc_id,
        source: Some(source),
        text: normalized.text,
        extractor_version: EXTRACTOR_VERSION.to_owned(),
        raw_size: raw_size as u64,
        format: v1::DocumentFormat::Text.into(),
    }
}

/// Stage one in full: reads the document format (`reportflow-formats`: HTML, DOCX, PDF or
/// plain text), then decodes and normalizes the text with the core. The charset hint is
/// `charset_hint` when given, otherwise the source's `charset` header; the format hint is the
/// source's `content-type` header.
pub fn normalize_raw(
    extractor: &Extractor,
    raw: &[u8],
    source: v1::Source,
    charset_hint: Option<&str>,
) -> Result<v1::NormalizedReport, Rejection> {
    let hint = charset_hint.or_else(|| source.charset());
    let (format, normalized) =
        reportflow_formats::normalize(extractor, raw, source.content_type(), hint)?;
    let mut report = normalized_report(normalized, source, raw.len());
    report.set_format(format.into());
    Ok(report)
}

/// The document message of an analysed text. `text_chars` is the length of the normalized
/// text in characters.
pub fn document(
    doc_id: &str,
    analysis: &Analysis,
    source: Option<v1::Source>,
    text_chars: usize,
) -> v1::ReportDocument {
    v1::ReportDocument {
        doc_id: doc_id.to_owned(),
        metadata: Some(v1::ReportMetadata::from(&analysis.metadata)),
        section_count: u32::try_from(analysis.sections.len()).unwrap_or(u32::MAX),
        indicator_count: u32::try_from(analysis.indicators.len()).unwrap_or(u32::MAX),
        extractor_version: EXTRACTOR_VERSION.to_owned(),
        source,
        text_chars: u32::try_from(text_chars).unwrap_or(u32::MAX),
    }
}

/// One section message; `section_id` is the core's `Section::index`.
pub fn section(doc_id: &str, s: &core::Section) -> v1::Section {
    v1::Section {
        doc_id: doc_id.to_owned(),
        section_id: s.index,
        parent_id: s.parent,
        level: s.level,
        marker: s.marker.clone(),
        heading: s.heading.clone(),
        body: s.body.clone(),
        span: Some(s.span.into()),
    }
}

/// Section messages, in document order.
pub fn sections(doc_id: &str, sections: &[core::Section]) -> Vec<v1::Section> {
    sections.iter().map(|s| section(doc_id, s)).collect()
}

/// One indicator message; `ordinal` is its position among the document's indicators, which
/// with the doc id determines the `indicator_id`.
pub fn indicator(doc_id: &str, ind: &core::Indicator, ordinal: usize) -> v1::Indicator {
    let quantity = ind.quantity.as_ref();
    v1::Indicator {
        doc_id: doc_id.to_owned(),
        indicator_id: core::indicator_id(doc_id, ind, ordinal),
        section_id: ind.section,
        metric: ind.metric.clone(),
        code: ind.code.as_deref().unwrap_or_default().to_owned(),
        kind: v1::IndicatorKind::from(ind.kind).into(),
        period: ind.period.clone(),
        value: quantity.map(|q| q.value),
        unit: quantity.map(|q| q.unit.clone()).unwrap_or_default(),
        base_value: quantity.map(|q| q.base_value),
        base_unit: quantity.map(|q| q.base_unit.clone()).unwrap_or_default(),
        yoy_pct: ind.yoy_pct,
        other_growth: ind.other_growth.as_ref().map(|g| v1::OtherGrowth {
            basis: g.basis.clone(),
            pct: g.pct,
        }),
        pp_change: ind.pp_change,
        qualifier: ind.qualifier.clone().unwrap_or_default(),
        rank: ind.rank.clone().unwrap_or_default(),
        quote: ind.quote.clone(),
        span: Some(ind.span.into()),
        ordinal: u32::try_from(ordinal).unwrap_or(u32::MAX),
        extractor_version: EXTRACTOR_VERSION.to_owned(),
    }
}

/// Indicator messages, in document order.
pub fn indicators(doc_id: &str, indicators: &[core::Indicator]) -> Vec<v1::Indicator> {
    indicators
        .iter()
        .enumerate()
        .map(|(ordinal, ind)| indicator(doc_id, ind, ordinal))
        .collect()
}

/// Stage two outputs from a stage one message and the core's analysis of its text. The
/// envelope's `normalized` is a copy of `normalized`.
pub fn extraction_from_analysis(
    normalized: &v1::NormalizedReport,
    analysis: &Analysis,
) -> v1::Extraction {
    let doc_id = normalized.doc_id.as_str();
    v1::Extraction {
        normalized: Some(normalized.clone()),
        document: Some(document(
            doc_id,
            analysis,
            normalized.source.clone(),
            normalized.text.chars().count(),
        )),
        sections: sections(doc_id, &analysis.sections),
        indicators: indicators(doc_id, &analysis.indicators),
    }
}

/// Stage two in full: analyses the text of a stage one message with the core and builds the
/// document, sections and indicators. The envelope's `normalized` is a copy of `normalized`.
pub fn extract_normalized(
    extractor: &Extractor,
    normalized: &v1::NormalizedReport,
) -> v1::Extraction {
    let analysis = extractor.analyze(&normalized.text);
    extraction_from_analysis(normalized, &analysis)
}

/// Both stages from a core [`Report`] (the result of [`Extractor::extract`]).
pub fn extraction_from_report(
    report: &Report,
    source: v1::Source,
    raw_size: usize,
) -> v1::Extraction {
    let normalized = v1::NormalizedReport {
        doc_id: report.doc_id.clone(),
        source: Some(source),
        encoding: Some(v1::EncodingInfo::from(&report.encoding)),
        text: report.text.clone(),
        extractor_version: EXTRACTOR_VERSION.to_owned(),
        raw_size: raw_size as u64,
        format: v1::DocumentFormat::Text.into(),
    };
    let analysis = Analysis {
        metadata: report.metadata.clone(),
        sections: report.sections.clone(),
        indicators: report.indicators.clone(),
    };
    extraction_from_analysis(&normalized, &analysis)
}

/// A dead letter for a document the normalizer rejected: keeps the raw bytes for replay.
pub fn dead_letter_normalize(raw: &[u8], source: v1::Source, error: &Rejection) -> v1::DeadLetter {
    v1::DeadLetter {
        doc_id: core::doc_id(raw),
        source: Some(source),
        stage: v1::Stage::Normalize.into(),
        error_kind: error.kind().to_owned(),
        error_message: error.to_string(),
        extractor_version: EXTRACTOR_VERSION.to_owned(),
        payload: raw.to_vec(),
    }
}

impl v1::IndicatorKind {
    /// Short lowercase name for people and the gold files: `actual`, `target`, `forecast`
    /// (`unspecified` for the zero value).
    pub fn short_name(self) -> &'static str {
        match self {
            v1::IndicatorKind::Unspecified => "unspecified",
            v1::IndicatorKind::Actual => "actual",
            v1::IndicatorKind::Target => "target",
            v1::IndicatorKind::Forecast => "forecast",
        }
    }
}

impl v1::ReportKind {
    /// Short lowercase name for people, e.g. `plan_execution_mid_year`.
    pub fn short_name(self) -> &'static str {
        match self {
            v1::ReportKind::Unspecified => "unspecified",
            v1::ReportKind::GovernmentWorkReport => "government_work_report",
            v1::ReportKind::PlanExecutionMidYear => "plan_execution_mid_year",
            v1::ReportKind::PlanExecutionAnnual => "plan_execution_annual",
            v1::ReportKind::StatisticalBulletin => "statistical_bulletin",
            v1::ReportKind::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_indicator() -> core::Indicator {
        core::Indicator {
            section: Some(1),
            metric: "社会消费品零售总额".into(),
            code: Some("retail_sales".into()),
            kind: core::IndicatorKind::Target,
            period: "2021".into(),
            quantity: Some(core::Quantity {
                value: 607.6,
                unit: "亿元".into(),
                base_value: 60_760_000_000.0,
                base_unit: "元".into(),
            }),
            yoy_pct: Some(-3.7),
            other_growth: None,
            pp_change: None,
            qualifier: Some("左右".into()),
            rank: None,
            quote: "社会消费品零售总额607.6亿元".into(),
            span: core::CharSpan { start: 10, end: 27 },
        }
    }

    #[test]
    fn indicator_fields_map_one_to_one() {
        let ind = indicator("ab", &sample_indicator(), 3);
        assert_eq!(ind.value, Some(607.6));
        assert_eq!(ind.unit, "亿元");
        assert_eq!(ind.base_value, Some(60_760_000_000.0));
        assert_eq!(ind.code, "retail_sales");
        assert_eq!(ind.kind(), v1::IndicatorKind::Target);
        assert_eq!(ind.yoy_pct, Some(-3.7));
        assert_eq!(ind.qualifier, "左右");
        assert_eq!(ind.ordinal, 3);
        assert_eq!(ind.section_id, Some(1));
        assert_eq!(
            ind.indicator_id,
            core::indicator_id("ab", &sample_indicator(), 3)
        );
        assert_eq!(ind.span, Some(v1::CharSpan { start: 10, end: 27 }));
    }

    #[test]
    fn indicator_without_quantity_has_no_value() {
        let mut core_ind = sample_indicator();
        core_ind.quantity = None;
        core_ind.code = None;
        let ind = indicator("ab", &core_ind, 0);
        assert_eq!(ind.value, None);
        assert_eq!(ind.base_value, None);
        assert!(ind.unit.is_empty() && ind.code.is_empty());
    }

    #[test]
    fn source_headers_are_case_insensitive() {
        let s = v1::Source::with_key("k")
            .header("Charset", " GBK ")
            .header("source-url", "http://example.invalid/a");
        assert_eq!(s.charset(), Some("GBK"));
        assert_eq!(s.source_url(), Some("http://example.invalid/a"));
        assert_eq!(s.get_header("missing"), None);
    }

    #[test]
    fn two_stages_equal_one_shot() {
        let extractor = Extractor::default();
        let raw = "关于2021年计划执行情况的报告\n一、总体情况\n地区生产总值增长6%。\n".as_bytes();
        let source = v1::Source::with_key("x.txt");
        let normalized = normalize_raw(&extractor, raw, source.clone(), None).unwrap();
        assert_eq!(normalized.doc_id, core::doc_id(raw));
        let staged = extract_normalized(&extractor, &normalized);
        let report = extractor.extract(raw, None).unwrap();
        let one_shot = extraction_from_report(&report, source, raw.len());
        assert_eq!(staged, one_shot);
    }

    #[test]
    fn rejected_input_gives_dead_letter() {
        let extractor = Extractor::default();
        let err = normalize_raw(&extractor, b"", v1::Source::default(), None).unwrap_err();
        let dl = dead_letter_normalize(b"", v1::Source::default(), &err);
        assert_eq!(dl.error_kind, "empty");
        assert_eq!(dl.stage(), v1::Stage::Normalize);
    }
}
