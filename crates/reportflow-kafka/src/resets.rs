//! Offset resets caused by missing data: never a silent skip.
//!
//! When a consumer's position is no longer in the log (retention deleted unconsumed records,
//! or the embedded broker dropped its oldest ones past its size cap), the broker answers
//! "offset out of range" and librdkafka resets the position to the log start (or end, per
//! `auto.offset.reset`), logging a warning with facility `OFFSET`:
//!
//! ```text
//! reports.raw [0]: offset reset (at offset 5 (leader epoch 0), broker 1) to cached BEGINNING
//! offset offset 64 (leader epoch -1): fetch failed due to requested offset not available on
//! the broker: Broker: Offset out of range
//! ```
//!
//! The consumer context parses that line ([`parse`]) and notes the partition as pending
//! ([`Resets::note`]); the first message then consumed from it ([`Resets::arrived`]) tells
//! where the consumer resumed, so the skipped range is `[at, resumed)`. The skip is logged as an
//! error with the partition and the range and counted in `reportflow_offsets_skipped_total`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::metrics::Metrics;

/// One parsed offset-reset log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OffsetReset {
    pub topic: String,
    pub partition: i32,
    /// The offset that was out of range (`None` when librdkafka printed a logical offset).
    pub at: Option<i64>,
    /// The rest of the line: where it reset to and why.
    pub detail: String,
}

/// Parses librdkafka's offset-reset warning (see the module docs).
pub(crate) fn parse(message: &str) -> Option<OffsetReset> {
    let (head, rest) = message.split_once("]: offset reset (at offset ")?;
    let (topic, partition) = head.rsplit_once(" [")?;
    let partition: i32 = partition.trim().parse().ok()?;
    // Topic names have no spaces; librdkafka may prefix the line with `[thrd:main]: `.
    let topic = topic.rsplit(' ').next()?;
    let at_token = rest.split([' ', ',', ')']).next()?;
    let at = at_token.parse::<i64>().ok().filter(|&o| o >= 0);
    let detail = rest
        .split_once(") to ")
        .map_or(rest, |(_, d)| d)
        .to_string();
    Some(OffsetReset {
        topic: topic.trim().to_string(),
        partition,
        at,
        detail,
    })
}

/// Partitions whose position was reset after missing data and that have not delivered a
/// message since.
#[derive(Debug, Default)]
pub(crate) struct Resets {
    any: AtomicBool,
    pending: Mutex<HashMap<(String, i32), OffsetReset>>,
}

impl Resets {
    /// Called with every librdkafka log line of the consumer at warning level or above.
    pub fn on_log(&self, facility: &str, message: &str) {
        if facility != "OFFSET" || !message.contains("offset reset") {
            return;
        }
        let Some(reset) = parse(message) else {
            tracing::error!(detail = message, "The consumer's offset was reset after an error; records may have been skipped (the log line could not be read).");
            return;
        };
        tracing::error!(
            topic = %reset.topic,
            partition = reset.partition,
            at_offset = ?reset.at,
            detail = %reset.detail,
            "The consumer's offset is out of range (the records were deleted before they were consumed); it was reset and the missing records are skipped. The skipped range is logged when consumption resumes."
        );
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.insert((reset.topic.clone(), reset.partition), reset);
        self.any.store(true, Ordering::SeqCst);
    }

    /// Called for every consumed message: when its partition was reset, logs and counts the
    /// records skipped before `offset`. Returns how many were skipped.
    pub fn arrived(&self, metrics: &Metrics, topic: &str, partition: i32, offset: i64) -> u64 {
        if !self.any.load(Ordering::Relaxed) {
            return 0;
        }
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(reset) = pending.remove(&(topic.to_string(), partition)) else {
            return 0;
        };
        if pending.is_empty() {
            self.any.store(false, Ordering::SeqCst);
        }
        drop(pending);
        match reset.at {
            Some(at) if at < offset => {
                let skipped = (offset - at) as u64;
                metrics
                    .offsets_skipped
                    .with_label_values(&[topic])
                    .inc_by(skipped);
                tracing::error!(
                    topic,
                    partition,
                    skipped_from = at,
                    skipped_to = offset - 1,
                    skipped,
                    detail = %reset.detail,
                    "Records were skipped: the consumer's offset was out of range (deleted before they were consumed) and consumption resumed past them. They are not dead-lettered: re-publish them from their source."
                );
                skipped
            }
            Some(at) => {
                tracing::warn!(
                    topic,
                    partition,
                    at_offset = at,
                    resumed_at = offset,
                    detail = %reset.detail,
                    "The consumer's offset was out of range and was reset backwards; nothing was skipped, the records from the reset point are consumed again."
                );
                0
            }
            None => {
                tracing::error!(
                    topic,
                    partition,
                    resumed_at = offset,
                    detail = %reset.detail,
                    "The consumer's offset was reset after an error and consumption resumed; how many records were skipped is unknown."
                );
                0
            }
        }
    }

    /// Forgets a revoked partition.
    pub fn forget(&self, topic: &str, partition: i32) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.remove(&(topic.to_string(), partition));
        if pending.is_empty() {
            self.any.store(false, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_librdkafka_lines() {
        let r = parse("reports.raw [0]: offset reset (at offset 5 (leader epoch 0), broker 1) to cached BEGINNING offset offset 64 (leader epoch -1): fetch failed due to requested offset not available on the broker: Broker: Offset out of range").unwrap();
        assert_eq!(r.topic, "reports.raw");
        assert_eq!(r.partition, 0);
        assert_eq!(r.at, Some(5));
        assert!(r.detail.starts_with("cached BEGINNING offset offset 64"));
        let r = parse("[thrd:main]: a-b.c_d [12]: offset reset (at offset INVALID (leader epoch -1), broker 2) to offset END (leader epoch -1): x: y").unwrap();
        assert_eq!((r.topic.as_str(), r.partition, r.at), ("a-b.c_d", 12, None));
        assert!(parse("Fetch backoff for 500ms").is_none());
    }

    #[test]
    fn counts_the_skipped_range_once() {
        let metrics = Metrics::new().unwrap();
        let resets = Resets::default();
        assert_eq!(resets.arrived(&metrics, "t", 0, 100), 0);
        resets.on_log("OFFSET", "t [0]: offset reset (at offset 5 (leader epoch 0), broker 1) to offset BEGINNING (leader epoch -1): fetch failed: Broker: Offset out of range");
        assert_eq!(resets.arrived(&metrics, "t", 1, 70), 0);
        assert_eq!(resets.arrived(&metrics, "t", 0, 64), 59);
        assert_eq!(resets.arrived(&metrics, "t", 0, 65), 0);
        assert_eq!(metrics.offsets_skipped.with_label_values(&["t"]).get(), 59);
        assert!(metrics
            .render()
            .contains("reportflow_offsets_skipped_total{topic=\"t\"} 59"));
    }
}
