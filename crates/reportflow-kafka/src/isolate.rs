//! Finding the records a store refuses for good, so that one bad record costs one dead
//! letter instead of stopping its whole batch forever.
//!
//! A sink reports [`SinkError::Permanent`] when a batch cannot be stored as it is (a row the
//! database rejects by its constraints or types, data the file format cannot encode); a
//! writer that panics counts the same. [`write_isolating`] then writes the two halves of the
//! batch separately, and so on down to single records: each record refused alone is returned
//! as a reject (stage `sink`, kind `rejected`, the store's reason), everything else is
//! stored. Writes are idempotent (the [`Sink`] contract), so storing a half again after a
//! later transient error changes nothing. Transient and fatal errors end the search at once
//! and go to the batch loop, which retries or stops as before.

use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;

use crate::record::{InputRecord, Reject};
use crate::sink::{Sink, SinkError, STAGE_SINK};

/// Dead-letter kind of a record the store refused for good.
pub const KIND_REJECTED: &str = "rejected";

/// Writes `records` with `sink`, isolating the records it refuses for good (see the module
/// docs). The rejects index into `records`.
pub(crate) async fn write_isolating<S: Sink>(
    sink: &mut S,
    records: &[InputRecord],
) -> Result<Vec<(usize, Reject)>, SinkError> {
    let mut rejects = Vec::new();
    // Ranges still to write, the first half on top so records are written in order.
    let mut pending = vec![(0, records.len())];
    while let Some((start, end)) = pending.pop() {
        let Some(part) = records.get(start..end) else {
            continue;
        };
        if part.is_empty() {
            continue;
        }
        match guarded_write(sink, part).await {
            Ok(found) => rejects.extend(found.into_iter().map(|(i, r)| (start + i, r))),
            Err(SinkError::Permanent(reason)) if part.len() == 1 => {
                tracing::warn!(sink = sink.name(), topic = %part[0].topic, partition = part[0].partition, offset = part[0].offset, reason = %reason, "The store refuses a record for good; it is dead-lettered.");
                rejects.push((start, Reject::new(STAGE_SINK, KIND_REJECTED, reason)));
            }
            Err(SinkError::Permanent(reason)) => {
                tracing::warn!(sink = sink.name(), records = part.len(), reason = %reason, "The store refuses a batch for good; writing its halves separately to find the record.");
                let mid = start + part.len() / 2;
                pending.push((mid, end));
                pending.push((start, mid));
            }
            Err(other) => return Err(other),
        }
    }
    rejects.sort_by_key(|(i, _)| *i);
    Ok(rejects)
}

/// [`Sink::write`], with a panic turned into [`SinkError::Permanent`].
async fn guarded_write<S: Sink>(
    sink: &mut S,
    part: &[InputRecord],
) -> Result<Vec<(usize, Reject)>, SinkError> {
    match AssertUnwindSafe(sink.write(part)).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let what = crate::record::panic_text(&*panic).unwrap_or_else(|| "a panic".to_string());
            Err(SinkError::Permanent(format!("the writer panicked: {what}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stores what it is given, refuses for good any batch holding a poisoned value, panics
    /// on a value `panic`, fails transiently `transient` times first.
    struct Picky {
        stored: Vec<i64>,
        transient: usize,
    }

    impl Sink for Picky {
        fn name(&self) -> &'static str {
            "picky"
        }

        async fn write(
            &mut self,
            batch: &[InputRecord],
        ) -> Result<Vec<(usize, Reject)>, SinkError> {
            if self.transient > 0 {
                self.transient -= 1;
                return Err(SinkError::Transient("down".into()));
            }
            if batch.iter().any(|r| r.value.as_deref() == Some(b"panic")) {
                panic!("boom");
            }
            if batch.iter().any(|r| r.value.as_deref() == Some(b"poison")) {
                return Err(SinkError::Permanent(
                    "value poison violates a constraint".into(),
                ));
            }
            self.stored.extend(batch.iter().map(|r| r.offset));
            Ok(Vec::new())
        }
    }

    fn records(values: &[&str]) -> Vec<InputRecord> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| InputRecord {
                topic: "t".into(),
                partition: 0,
                offset: i as i64,
                key: None,
                value: Some(v.as_bytes().to_vec()),
                headers: Vec::new(),
                timestamp_ms: None,
            })
            .collect()
    }

    #[tokio::test]
    async fn refused_and_panicking_records_are_isolated_and_the_rest_stored() {
        let mut sink = Picky {
            stored: Vec::new(),
            transient: 0,
        };
        let batch = records(&["a", "b", "poison", "c", "d", "panic", "e"]);
        let rejects = write_isolating(&mut sink, &batch).await.unwrap();
        let found: Vec<(usize, &str)> =
            rejects.iter().map(|(i, r)| (*i, r.kind.as_str())).collect();
        assert_eq!(found, [(2, KIND_REJECTED), (5, KIND_REJECTED)]);
        assert!(rejects[0].1.message.contains("violates a constraint"));
        assert!(rejects[1].1.message.contains("panicked: boom"));
        sink.stored.sort_unstable();
        assert_eq!(sink.stored, [0, 1, 3, 4, 6]);
    }

    #[tokio::test]
    async fn transient_errors_go_back_to_the_loop() {
        let mut sink = Picky {
            stored: Vec::new(),
            transient: 1,
        };
        let batch = records(&["a", "b"]);
        assert!(matches!(
            write_isolating(&mut sink, &batch).await,
            Err(SinkError::Transient(_))
        ));
        assert!(write_isolating(&mut sink, &batch).await.unwrap().is_empty());
        assert_eq!(sink.stored, [0, 1]);
    }
}
