//! Dead letters: an input that cannot be processed, with the reason attached.
//!
//! A dead letter keeps the original key, value and headers (in order) and appends seven
//! headers: the error's stage, kind and message, the source topic, partition and offset
//! (decimal text), and the worker's name. A reader that meets a header twice (a dead letter of
//! a dead letter) should take the last one.

use crate::produce::ProduceRecord;
use crate::record::{InputRecord, Reject};

/// The prefix of every header reportflow writes (`reportflow.error.*`, `reportflow.source.*`,
/// `reportflow.worker`, `reportflow.dlq.*`, and the workers' `reportflow.doc-id` and
/// `reportflow.message-type`).
pub const HEADER_PREFIX: &str = "reportflow.";

/// Header: the stage that rejected the input.
pub const HEADER_ERROR_STAGE: &str = "reportflow.error.stage";
/// Header: the kind of error (`too_large`, `panic`, or the processor's kind).
pub const HEADER_ERROR_KIND: &str = "reportflow.error.kind";
/// Header: the error message (truncated to [`MAX_ERROR_MESSAGE_BYTES`]).
pub const HEADER_ERROR_MESSAGE: &str = "reportflow.error.message";
/// Header: the topic the input was consumed from.
pub const HEADER_SOURCE_TOPIC: &str = "reportflow.source.topic";
/// Header: its partition, in decimal.
pub const HEADER_SOURCE_PARTITION: &str = "reportflow.source.partition";
/// Header: its offset, in decimal.
pub const HEADER_SOURCE_OFFSET: &str = "reportflow.source.offset";
/// Header: the worker that dead-lettered it.
pub const HEADER_WORKER: &str = "reportflow.worker";
/// Header present only when the broker refused the full dead letter as too large: what was
/// left out (`value`, or `key,value`).
pub const HEADER_DROPPED: &str = "reportflow.dlq.dropped";

/// Every header the runtime adds to a dead letter.
pub const DLQ_HEADERS: [&str; 7] = [
    HEADER_ERROR_STAGE,
    HEADER_ERROR_KIND,
    HEADER_ERROR_MESSAGE,
    HEADER_SOURCE_TOPIC,
    HEADER_SOURCE_PARTITION,
    HEADER_SOURCE_OFFSET,
    HEADER_WORKER,
];

/// Longest error message written in a header, in bytes.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 8 * 1024;

/// Stage of the rejects the runtime itself produces before processing (`too_large`).
pub const STAGE_INTAKE: &str = "intake";
/// Stage of the rejects the runtime produces after processing (an output the broker refuses).
pub const STAGE_PRODUCE: &str = "produce";
/// Kind: the input is over `max_message_bytes`.
pub const KIND_TOO_LARGE: &str = "too_large";
/// Kind: `Processor::process` panicked.
pub const KIND_PANIC: &str = "panic";
/// Kind: the broker refused an output for good (too large, invalid record).
pub const KIND_OUTPUT_REFUSED: &str = "output_refused";

/// Builds the dead letter of `input` rejected for `reject`.
pub(crate) fn dead_letter(
    dlq_topic: &str,
    input: &InputRecord,
    reject: &Reject,
    worker: &str,
) -> ProduceRecord {
    let mut headers = input.headers.clone();
    headers.extend([
        (
            HEADER_ERROR_STAGE.to_string(),
            reject.stage.clone().into_bytes(),
        ),
        (
            HEADER_ERROR_KIND.to_string(),
            reject.kind.clone().into_bytes(),
        ),
        (
            HEADER_ERROR_MESSAGE.to_string(),
            truncate_utf8(&reject.message, MAX_ERROR_MESSAGE_BYTES).into_bytes(),
        ),
        (
            HEADER_SOURCE_TOPIC.to_string(),
            input.topic.clone().into_bytes(),
        ),
        (
            HEADER_SOURCE_PARTITION.to_string(),
            input.partition.to_string().into_bytes(),
        ),
        (
            HEADER_SOURCE_OFFSET.to_string(),
            input.offset.to_string().into_bytes(),
        ),
        (HEADER_WORKER.to_string(), worker.as_bytes().to_vec()),
    ]);
    ProduceRecord {
        topic: dlq_topic.to_string(),
        key: input.key.clone(),
        value: input.value.clone(),
        headers,
    }
}

/// The smaller dead letter sent when the broker refuses `record` as too large: first without
/// the value, then without key and value. `None` when nothing more can be dropped.
pub(crate) fn shrink(record: &ProduceRecord) -> Option<ProduceRecord> {
    let dropped = if record.value.is_some() {
        "value"
    } else if record.key.is_some() {
        "key,value"
    } else {
        return None;
    };
    let mut smaller = record.clone();
    smaller.headers.retain(|(k, _)| k != HEADER_DROPPED);
    smaller
        .headers
        .push((HEADER_DROPPED.to_string(), dropped.as_bytes().to_vec()));
    if dropped == "value" {
        smaller.value = None;
    } else {
        smaller.key = None;
    }
    Some(smaller)
}

/// `s` cut to at most `max` bytes on a character boundary, with `…` when cut.
fn truncate_utf8(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> InputRecord {
        InputRecord {
            topic: "reports.raw".into(),
            partition: 3,
            offset: 42,
            key: Some(b"k".to_vec()),
            value: Some(b"BAD value".to_vec()),
            headers: vec![("source".into(), b"crawler-1".to_vec())],
            timestamp_ms: Some(1),
        }
    }

    #[test]
    fn dead_letter_keeps_the_original_and_adds_seven_headers() {
        let r = Reject::new("decode", "undecodable", "not UTF-8 nor GB18030");
        let d = dead_letter("reports.dlq", &input(), &r, "w-1");
        assert_eq!(d.topic, "reports.dlq");
        assert_eq!(d.key.as_deref(), Some(&b"k"[..]));
        assert_eq!(d.value.as_deref(), Some(&b"BAD value"[..]));
        assert_eq!(d.headers[0], ("source".to_string(), b"crawler-1".to_vec()));
        let get = |name: &str| {
            d.headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| String::from_utf8(v.clone()).unwrap())
                .unwrap()
        };
        assert_eq!(get(HEADER_ERROR_STAGE), "decode");
        assert_eq!(get(HEADER_ERROR_KIND), "undecodable");
        assert_eq!(get(HEADER_ERROR_MESSAGE), "not UTF-8 nor GB18030");
        assert_eq!(get(HEADER_SOURCE_TOPIC), "reports.raw");
        assert_eq!(get(HEADER_SOURCE_PARTITION), "3");
        assert_eq!(get(HEADER_SOURCE_OFFSET), "42");
        assert_eq!(get(HEADER_WORKER), "w-1");
        assert_eq!(d.headers.len(), 8);
    }

    #[test]
    fn long_messages_are_truncated_on_a_char_boundary() {
        let long = "报".repeat(MAX_ERROR_MESSAGE_BYTES);
        let t = truncate_utf8(&long, MAX_ERROR_MESSAGE_BYTES);
        assert!(t.len() <= MAX_ERROR_MESSAGE_BYTES);
        assert!(t.ends_with('…'));
        assert_eq!(truncate_utf8("short", 10), "short");
    }

    #[test]
    fn shrink_drops_value_then_key() {
        let d = dead_letter("dlq", &input(), &Reject::new("s", "k", "m"), "w");
        let s1 = shrink(&d).unwrap();
        assert_eq!(s1.value, None);
        assert!(s1.key.is_some());
        let s2 = shrink(&s1).unwrap();
        assert_eq!(s2.key, None);
        assert_eq!(
            s2.headers
                .iter()
                .filter(|(k, _)| k == HEADER_DROPPED)
                .count(),
            1
        );
        assert!(shrink(&s2).is_none());
    }
}
