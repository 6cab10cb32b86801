//! Decoding a batch of Kafka records into rows of the three tables.
//!
//! A record's topic tells its message type. Within a batch, rows are keyed by their primary
//! key and the last record wins (a duplicate in one batch must not reach one `INSERT … ON
//! CONFLICT` twice); keys are kept sorted so that concurrent writers lock rows in the same
//! order. Strings lose NUL characters (PostgreSQL text cannot hold them), report dates that
//! are not `YYYY-MM-DD` become NULL, and unsigned counters are clamped into `integer`, so a
//! decoded message can always be stored.

use std::collections::BTreeMap;

use reportflow_kafka::{InputRecord, Reject};
use reportflow_proto::v1;
use reportflow_proto::Message as _;

/// Stage of this crate's dead letters.
pub const STAGE: &str = reportflow_kafka::sink::STAGE_SINK;

/// The topics whose records the sink stores, by message type.
pub use reportflow_proto::topics::DatasetTopics as Topics;

/// Where a row came from.
pub use reportflow_kafka::sink::Origin;

/// The rows of one batch, deduplicated by primary key (last record wins).
#[derive(Debug, Default)]
pub struct Rows {
    /// Documents by `doc_id`.
    pub documents: BTreeMap<String, (v1::ReportDocument, Origin)>,
    /// Sections by `(doc_id, section_id)`.
    pub sections: BTreeMap<(String, u32), (v1::Section, Origin)>,
    /// Indicators by `indicator_id`.
    pub indicators: BTreeMap<String, (v1::Indicator, Origin)>,
}

impl Rows {
    /// Number of distinct rows.
    pub fn len(&self) -> usize {
        self.documents.len() + self.sections.len() + self.indicators.len()
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Decodes `batch`; records that cannot be stored are returned as rejects (by index).
pub fn decode(batch: &[InputRecord], topics: &Topics) -> (Rows, Vec<(usize, Reject)>) {
    let mut rows = Rows::default();
    let mut rejects = Vec::new();
    for (i, r) in batch.iter().enumerate() {
        let origin = Origin {
            partition: r.partition,
            offset: r.offset,
        };
        let Some(value) = r.value.as_deref() else {
            rejects.push((
                i,
                Reject::new(STAGE, "tombstone", "the record has no value"),
            ));
            continue;
        };
        let undecodable = |what: &str, e: prost::DecodeError| {
            Reject::new(
                STAGE,
                "undecodable",
                format!("not a reportflow.v1.{what}: {e}"),
            )
        };
        if r.topic == topics.documents {
            match v1::ReportDocument::decode(value) {
                Ok(d) if d.doc_id.is_empty() => {
                    rejects.push((i, Reject::new(STAGE, "invalid", "empty doc_id")))
                }
                Ok(d) => {
                    rows.documents.insert(d.doc_id.clone(), (d, origin));
                }
                Err(e) => rejects.push((i, undecodable("ReportDocument", e))),
            }
        } else if r.topic == topics.sections {
            match v1::Section::decode(value) {
                Ok(s) if s.doc_id.is_empty() => {
                    rejects.push((i, Reject::new(STAGE, "invalid", "empty doc_id")))
                }
                Ok(s) => {
                    rows.sections
                        .insert((s.doc_id.clone(), s.section_id), (s, origin));
                }
                Err(e) => rejects.push((i, undecodable("Section", e))),
            }
        } else if r.topic == topics.indicators {
            match v1::Indicator::decode(value) {
                Ok(ind) if ind.indicator_id.is_empty() || ind.doc_id.is_empty() => rejects.push((
                    i,
                    Reject::new(STAGE, "invalid", "empty indicator_id or doc_id"),
                )),
                Ok(ind) => {
                    rows.indicators
                        .insert(ind.indicator_id.clone(), (ind, origin));
                }
                Err(e) => rejects.push((i, undecodable("Indicator", e))),
            }
        } else {
            rejects.push((
                i,
                Reject::new(
                    STAGE,
                    "unknown_topic",
                    format!("no table for topic `{}`", r.topic),
                ),
            ));
        }
    }
    (rows, rejects)
}

/// `s` without NUL characters.
pub fn text(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s.to_owned()
    }
}

/// `Some(text)` unless `s` is empty.
pub fn opt_text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| text(s))
}

/// A `u32` clamped into PostgreSQL's `integer`.
pub fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

/// The date if `s` is a valid ISO `YYYY-MM-DD` calendar date.
pub fn iso_date(s: &str) -> Option<String> {
    let b = s.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = std::str::from_utf8(&b[r]).ok()?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (y >= 1 && (1..=days).contains(&d)).then(|| s.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(topic: &str, offset: i64, value: Option<Vec<u8>>) -> InputRecord {
        InputRecord {
            topic: topic.into(),
            partition: 0,
            offset,
            key: None,
            value,
            headers: vec![],
            timestamp_ms: None,
        }
    }

    #[test]
    fn dates_are_checked() {
        assert_eq!(iso_date("2021-08-05").as_deref(), Some("2021-08-05"));
        assert_eq!(iso_date("2024-02-29").as_deref(), Some("2024-02-29"));
        assert_eq!(iso_date("2023-02-29"), None);
        assert_eq!(iso_date("2021-13-01"), None);
        assert_eq!(iso_date("2021年8月5日"), None);
        assert_eq!(iso_date(""), None);
    }

    #[test]
    fn duplicates_collapse_and_garbage_is_rejected() {
        let t = Topics::default();
        let ind = |v: f64| v1::Indicator {
            doc_id: "d".into(),
            indicator_id: "i1".into(),
            value: Some(v),
            ..Default::default()
        };
        let batch = vec![
            rec(&t.indicators, 0, Some(ind(1.0).encode_to_vec())),
            rec(&t.indicators, 1, Some(ind(2.0).encode_to_vec())),
            rec(&t.indicators, 2, Some(vec![0xff, 0xff, 0xff])),
            rec(&t.indicators, 3, None),
            rec("elsewhere", 4, Some(vec![])),
        ];
        let (rows, rejects) = decode(&batch, &t);
        assert_eq!(rows.indicators.len(), 1);
        assert_eq!(rows.indicators["i1"].0.value, Some(2.0));
        let kinds: Vec<_> = rejects.iter().map(|(i, r)| (*i, r.kind.as_str())).collect();
        assert_eq!(
            kinds,
            vec![(2, "undecodable"), (3, "tombstone"), (4, "unknown_topic")]
        );
        assert_eq!(text("a\0b"), "ab");
        assert_eq!(int(u32::MAX), i32::MAX);
    }
}
