//! Arrow schemas of the three datasets and the conversion of messages into record batches.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, ListArray, RecordBatch,
    StringArray, UInt32Array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use reportflow_proto::v1;

use crate::Origin;

fn f(name: &str, t: DataType, nullable: bool) -> Field {
    Field::new(name, t, nullable)
}

/// Schema of `documents`.
pub fn documents_schema() -> SchemaRef {
    use DataType::*;
    Arc::new(Schema::new(vec![
        f("doc_id", Utf8, false),
        f("title", Utf8, true),
        f("region", Utf8, true),
        f("report_kind", Utf8, false),
        f(
            "years",
            List(Arc::new(Field::new("item", Int32, true))),
            false,
        ),
        f("meeting", Utf8, true),
        f("report_date", Date32, true),
        f("speaker_name", Utf8, true),
        f("speaker_title", Utf8, true),
        f("issuing_body", Utf8, true),
        f("section_count", UInt32, false),
        f("indicator_count", UInt32, false),
        f("text_chars", UInt32, false),
        f("source_key", Utf8, true),
        f("extractor_version", Utf8, false),
        f("kafka_partition", Int32, false),
        f("kafka_offset", Int64, false),
    ]))
}

/// Schema of `sections`.
pub fn sections_schema() -> SchemaRef {
    use DataType::*;
    Arc::new(Schema::new(vec![
        f("doc_id", Utf8, false),
        f("section_id", UInt32, false),
        f("parent_id", UInt32, true),
        f("level", UInt32, false),
        f("marker", Utf8, false),
        f("heading", Utf8, false),
        f("body", Utf8, false),
        f("span_start", UInt32, true),
        f("span_end", UInt32, true),
        f("kafka_partition", Int32, false),
        f("kafka_offset", Int64, false),
    ]))
}

/// Schema of `indicators`.
pub fn indicators_schema() -> SchemaRef {
    use DataType::*;
    Arc::new(Schema::new(vec![
        f("indicator_id", Utf8, false),
        f("doc_id", Utf8, false),
        f("section_id", UInt32, true),
        f("metric", Utf8, false),
        f("code", Utf8, true),
        f("kind", Utf8, false),
        f("period", Utf8, false),
        f("value", Float64, true),
        f("unit", Utf8, true),
        f("base_value", Float64, true),
        f("base_unit", Utf8, true),
        f("yoy_pct", Float64, true),
        f("other_growth_basis", Utf8, true),
        f("other_growth_pct", Float64, true),
        f("pp_change", Float64, true),
        f("qualifier", Utf8, true),
        f("rank", Utf8, true),
        f("quote", Utf8, false),
        f("span_start", UInt32, true),
        f("span_end", UInt32, true),
        f("ordinal", UInt32, false),
        f("extractor_version", Utf8, false),
        f("kafka_partition", Int32, false),
        f("kafka_offset", Int64, false),
    ]))
}

fn opt(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn strings<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter(it))
}

/// Days since 1970-01-01 of an ISO `YYYY-MM-DD` date.
pub fn date32(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146_097 + doe - 719_468).ok()
}

/// The record batch of documents.
pub fn documents_batch(rows: &[(v1::ReportDocument, Origin)]) -> Result<RecordBatch, ArrowError> {
    let meta: Vec<v1::ReportMetadata> = rows
        .iter()
        .map(|(d, _)| d.metadata.clone().unwrap_or_default())
        .collect();
    let kinds: Vec<&str> = meta
        .iter()
        .map(|m| {
            v1::ReportKind::try_from(m.kind)
                .unwrap_or(v1::ReportKind::Unspecified)
                .short_name()
        })
        .collect();
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|(d, _)| Some(d.doc_id.as_str()))),
        strings(meta.iter().map(|m| m.title.as_deref())),
        strings(meta.iter().map(|m| m.region.as_deref())),
        strings(kinds.iter().map(|k| Some(*k))),
        Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(
            meta.iter()
                .map(|m| Some(m.years.iter().map(|y| Some(*y)).collect::<Vec<_>>())),
        )),
        strings(meta.iter().map(|m| m.meeting.as_deref())),
        Arc::new(Date32Array::from_iter(
            meta.iter().map(|m| m.date.as_deref().and_then(date32)),
        )),
        strings(meta.iter().map(|m| m.speaker_name.as_deref())),
        strings(meta.iter().map(|m| m.speaker_title.as_deref())),
        strings(meta.iter().map(|m| m.issuing_body.as_deref())),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(d, _)| d.section_count),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(d, _)| d.indicator_count),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(d, _)| d.text_chars),
        )),
        strings(
            rows.iter()
                .map(|(d, _)| d.source.as_ref().and_then(|s| opt(&s.key))),
        ),
        strings(rows.iter().map(|(d, _)| Some(d.extractor_version.as_str()))),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|(_, o)| o.partition),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|(_, o)| o.offset),
        )),
    ];
    RecordBatch::try_new(documents_schema(), columns)
}

/// The record batch of sections.
pub fn sections_batch(rows: &[(v1::Section, Origin)]) -> Result<RecordBatch, ArrowError> {
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|(s, _)| Some(s.doc_id.as_str()))),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(s, _)| s.section_id),
        )),
        Arc::new(UInt32Array::from_iter(
            rows.iter().map(|(s, _)| s.parent_id),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(s, _)| s.level),
        )),
        strings(rows.iter().map(|(s, _)| Some(s.marker.as_str()))),
        strings(rows.iter().map(|(s, _)| Some(s.heading.as_str()))),
        strings(rows.iter().map(|(s, _)| Some(s.body.as_str()))),
        Arc::new(UInt32Array::from_iter(
            rows.iter().map(|(s, _)| s.span.map(|x| x.start)),
        )),
        Arc::new(UInt32Array::from_iter(
            rows.iter().map(|(s, _)| s.span.map(|x| x.end)),
        )),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|(_, o)| o.partition),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|(_, o)| o.offset),
        )),
    ];
    RecordBatch::try_new(sections_schema(), columns)
}

/// The record batch of indicators.
pub fn indicators_batch(rows: &[(v1::Indicator, Origin)]) -> Result<RecordBatch, ArrowError> {
    let kinds: Vec<&str> = rows
        .iter()
        .map(|(i, _)| {
            v1::IndicatorKind::try_from(i.kind)
                .unwrap_or(v1::IndicatorKind::Unspecified)
                .short_name()
        })
        .collect();
    let f64s = |g: fn(&v1::Indicator) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from_iter(rows.iter().map(|(i, _)| g(i))))
    };
    let columns: Vec<ArrayRef> = vec![
        strings(rows.iter().map(|(i, _)| Some(i.indicator_id.as_str()))),
        strings(rows.iter().map(|(i, _)| Some(i.doc_id.as_str()))),
        Arc::new(UInt32Array::from_iter(
            rows.iter().map(|(i, _)| i.section_id),
        )),
        strings(rows.iter().map(|(i, _)| Some(i.metric.as_str()))),
        strings(rows.iter().map(|(i, _)| opt(&i.code))),
        strings(kinds.iter().map(|k| Some(*k))),
        strings(rows.iter().map(|(i, _)| Some(i.period.as_str()))),
        f64s(|i| i.value),
        strings(rows.iter().map(|(i, _)| opt(&i.unit))),
        f64s(|i| i.base_value),
        strings(rows.iter().map(|(i, _)| opt(&i.base_unit))),
        f64s(|i| i.yoy_pct),
        strings(
            rows.iter()
                .map(|(i, _)| i.other_growth.as_ref().map(|g| g.basis.as_str())),
        ),
        f64s(|i| i.other_growth.as_ref().map(|g| g.pct)),
        f64s(|i| i.pp_change),
        strings(rows.iter().map(|(i, _)| opt(&i.qualifier))),
        strings(rows.iter().map(|(i, _)| opt(&i.rank))),
        strings(rows.iter().map(|(i, _)| Some(i.quote.as_str()))),
        Arc::new(UInt32Array::from_iter(
            rows.iter().map(|(i, _)| i.span.map(|x| x.start)),
        )),
        Arc::new(UInt32Array::from_iter(
            rows.iter().map(|(i, _)| i.span.map(|x| x.end)),
        )),
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(i, _)| i.ordinal),
        )),
        strings(rows.iter().map(|(i, _)| Some(i.extractor_version.as_str()))),
        Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|(_, o)| o.partition),
        )),
        Arc::new(Int64Array::from_iter_values(
            rows.iter().map(|(_, o)| o.offset),
        )),
    ];
    RecordBatch::try_new(indicators_schema(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert_to_days_since_the_epoch() {
        assert_eq!(date32("1970-01-01"), Some(0));
        assert_eq!(date32("2000-03-01"), Some(11017));
        assert_eq!(date32("2021-08-05"), Some(18844));
        assert_eq!(date32("2021-13-05"), None);
        assert_eq!(date32("2021年"), None);
    }
}
