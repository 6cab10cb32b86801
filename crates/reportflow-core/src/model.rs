//! The structured report: the plain data types every stage of the core produces.
//!
//! These types are deliberately not serializable: the wire and JSON forms live in
//! `reportflow-proto`, which converts from them by hand (rust-analyzer's rule that core types
//! stay free of serialization concerns).

/// A half-open range of **character** (Unicode scalar value) offsets into
/// [`Report::text`]. Characters rather than bytes because downstream users (Python, SQL,
/// JavaScript) index strings by characters, never by UTF-8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CharSpan {
    /// First character of the span.
    pub start: u32,
    /// One past the last character of the span.
    pub end: u32,
}

/// How the text encoding of the raw bytes was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DetectionMethod {
    /// A byte order mark (UTF-8, UTF-16LE or UTF-16BE).
    Bom,
    /// The bytes are valid UTF-8.
    Utf8,
    /// No BOM, but the byte pattern is plausible UTF-16 in one byte order.
    Utf16Heuristic,
    /// The statistical detector (chardetng) chose the encoding.
    Detector,
    /// A charset given with the input (e.g. a Kafka `charset` header) that decoded cleanly.
    HeaderHint,
}

/// The outcome of decoding raw bytes to text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodingInfo {
    /// WHATWG name of the encoding used, e.g. `UTF-8`, `GBK`, `gb18030`, `Big5`, `UTF-16LE`.
    pub encoding: &'static str,
    /// How that encoding was chosen.
    pub method: DetectionMethod,
    /// Number of malformed byte sequences replaced by U+FFFD while decoding.
    pub replacement_count: u32,
}

/// The kind of report, as far as the title and opening lines tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReportKind {
    /// Nothing matched.
    #[default]
    Other,
    /// 政府工作报告.
    GovernmentWorkReport,
    /// 计划上半年执行情况的报告 (mid-year plan execution).
    PlanExecutionMidYear,
    /// 计划执行情况与下一年计划草案的报告 (annual plan execution, with next year's draft).
    PlanExecutionAnnual,
    /// 国民经济和社会发展统计公报.
    StatisticalBulletin,
}

/// Document-level metadata found in the title block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// The title, on one line, without book-title marks or web chrome.
    pub title: Option<String>,
    /// The region as written, e.g. `北京市通州区` or `朝阳区`.
    pub region: Option<String>,
    /// What kind of report this is.
    pub kind: ReportKind,
    /// The years the report covers, ascending (a plan report covers the year and the next).
    pub years: Vec<i32>,
    /// The meeting the report was given at, e.g. `第六届人民代表大会常务委员会第四十次会议`.
    pub meeting: Option<String>,
    /// The date the report was given, ISO 8601 (`2021-08-05`).
    pub date: Option<String>,
    /// The speaker's name, e.g. `吴孔安`.
    pub speaker_name: Option<String>,
    /// The speaker's title, e.g. `北京市通州区人民政府副区长`.
    pub speaker_title: Option<String>,
    /// The body that issued the report, e.g. `北京市通州区发展和改革委员会`.
    pub issuing_body: Option<String>,
}

/// One heading of the section hierarchy and the body text under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Position of the section in document order, from 0; unique within the document.
    pub index: u32,
    /// Index of the enclosing section, `None` for top-level sections.
    pub parent: Option<u32>,
    /// Depth in the tree, 1 for top-level sections.
    pub level: u32,
    /// The list marker as written: `一、`, `（一）`, `1.`, `（1）`, `①`.
    pub marker: String,
    /// The heading text after the marker.
    pub heading: String,
    /// The text from the end of the heading line to the next heading, trimmed.
    pub body: String,
    /// Span of the whole section (heading line and body) in the normalized text.
    pub span: CharSpan,
}

/// Whether a figure is a reported actual, a plan target or a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IndicatorKind {
    /// A reported figure.
    #[default]
    Actual,
    /// A plan or goal: 预期, 目标, 力争, 控制在…以内.
    Target,
    /// An estimate of an outcome not yet known: 预计全年.
    Forecast,
}

/// Growth of a metric against a baseline other than the same period a year before.
#[derive(Debug, Clone, PartialEq)]
pub struct OtherGrowth {
    /// The baseline as written: `两年平均`, `比2019年同期`, `较一季度`.
    pub basis: String,
    /// Growth in percent, signed.
    pub pct: f64,
}

/// A numeric level of a metric as written, with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The number as written, in the written unit (`607.6` for `607.6亿元`, `1000` for `千亿元`).
    pub value: f64,
    /// The unit as written: `亿元`, `%`, `万人`, `户`, `微克/立方米`; empty when none.
    pub unit: String,
    /// The value in base units: yuan for money, persons for 万人, the plain value otherwise.
    pub base_value: f64,
    /// The base unit (`元`, `人`, `%`, ...).
    pub base_unit: String,
}

/// One stated value or growth figure of a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// Index of the innermost section the evidence lies in.
    pub section: Option<u32>,
    /// The metric phrase as written, e.g. `社会消费品零售总额`.
    pub metric: String,
    /// Taxonomy code (`gdp`, `retail_sales`, ...), `None` when no headline metric fits.
    pub code: Option<String>,
    /// Actual, target or forecast.
    pub kind: IndicatorKind,
    /// What the figure covers: `2023H1`, `2021`, `2021M01-11`, `2021Q1-3`, `2023Q2`,
    /// `2021-2025`, or `unknown`.
    pub period: String,
    /// The level, when one is stated.
    pub quantity: Option<Quantity>,
    /// Year-on-year growth in percent, signed (下降 is negative).
    pub yoy_pct: Option<f64>,
    /// Growth against another baseline; never copied into `yoy_pct`.
    pub other_growth: Option<OtherGrowth>,
    /// Change in percentage points (`提高1.2个百分点`), signed.
    pub pp_change: Option<f64>,
    /// 左右, 以上, 以内, 超, 约, 近 ... as written.
    pub qualifier: Option<String>,
    /// A rank or comparison phrase stated with the figure, e.g. `增速全市第一`.
    pub rank: Option<String>,
    /// The sentence (≤ 120 characters) the figure was read from, an exact substring of the text.
    pub quote: String,
    /// Span of `quote` in the normalized text.
    pub span: CharSpan,
}

/// Everything the core extracts from one raw document.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Lowercase hex SHA-256 of the raw bytes: the document's identity everywhere downstream.
    pub doc_id: String,
    /// How the bytes were decoded.
    pub encoding: EncodingInfo,
    /// The normalized text all spans refer to.
    pub text: String,
    /// Title-block metadata.
    pub metadata: Metadata,
    /// Sections in document order.
    pub sections: Vec<Section>,
    /// Indicators in document order.
    pub indicators: Vec<Indicator>,
}
