//! Producing with acknowledgement: a record is done only when the broker acknowledged it.
//!
//! librdkafka already retries transient errors internally (idempotently, so without
//! duplicates or reordering) until `message.timeout.ms`. When a delivery still fails, the
//! runtime re-sends the record itself with capped exponential backoff, forever: a transient
//! error is never turned into a skipped record. Only three things end the loop without an
//! acknowledgement: an error that no retry can fix (the broker refuses the record as too large
//! or invalid), a fatal producer error, or the shutdown deadline (the record's input is then
//! not committed, so it is redone after restart). A full producer queue is backpressure: the
//! send waits and tries again.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio::sync::watch;

use crate::context::ProducerCtx;
use crate::metrics::Metrics;
use crate::record::OutputRecord;

/// How long to wait before re-trying a send refused because the producer queue is full.
const QUEUE_FULL_WAIT: Duration = Duration::from_millis(20);

/// A record to produce. Unlike [`OutputRecord`], key and value may be null (a dead letter
/// keeps its input's null key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProduceRecord {
    pub topic: String,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl From<OutputRecord> for ProduceRecord {
    fn from(r: OutputRecord) -> Self {
        ProduceRecord {
            topic: r.topic,
            key: Some(r.key),
            value: Some(r.value),
            headers: r.headers,
        }
    }
}

/// Why a send ended without an acknowledgement.
#[derive(Debug, Clone)]
pub(crate) enum SendError {
    /// The broker (or the client's own size check) refuses this record for good.
    Refused(KafkaError),
    /// The producer failed fatally (the message is in `Shared::fatal`); nothing more can be
    /// produced.
    Fatal,
    /// The shutdown deadline passed first.
    Abandoned,
}

/// What a failed attempt means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Try again (after a backoff).
    Transient,
    /// Will never succeed as is.
    Refused,
    /// The producer is unusable.
    Fatal,
}

/// Classifies a produce or delivery error.
pub(crate) fn classify(err: &KafkaError) -> Failure {
    match err.rdkafka_error_code() {
        Some(RDKafkaErrorCode::Fatal) => Failure::Fatal,
        Some(RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::InvalidRecord) => {
            Failure::Refused
        }
        _ => Failure::Transient,
    }
}

/// Sends records until acknowledged. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Sender {
    pub producer: FutureProducer<ProducerCtx>,
    pub metrics: Metrics,
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Turns true at the shutdown deadline.
    pub abandon: watch::Receiver<bool>,
    pub shared: Arc<crate::context::Shared>,
}

impl Sender {
    /// A sender on `producer` with the configuration's retry backoff; `abandon` turning true
    /// ends its sends (the shutdown deadline).
    pub fn new(
        producer: FutureProducer<ProducerCtx>,
        shared: Arc<crate::context::Shared>,
        config: &crate::config::RuntimeConfig,
        abandon: watch::Receiver<bool>,
    ) -> Self {
        Sender {
            producer,
            metrics: shared.metrics.clone(),
            backoff: config.produce_retry_backoff,
            max_backoff: config.produce_retry_max_backoff,
            abandon,
            shared,
        }
    }

    /// Sends `record` and waits for the broker's acknowledgement, re-sending as needed.
    pub async fn send(&self, record: &ProduceRecord) -> Result<(), SendError> {
        let mut backoff = self.backoff;
        loop {
            let failure = match self.try_send(record).await? {
                Ok(()) => return Ok(()),
                Err(err) => err,
            };
            match classify(&failure) {
                Failure::Refused => return Err(SendError::Refused(failure)),
                Failure::Fatal => {
                    let message = self.shared.fatal().unwrap_or_else(|| failure.to_string());
                    self.shared.set_fatal(message);
                    return Err(SendError::Fatal);
                }
                Failure::Transient => {
                    self.metrics.retry_after_delivery_failure();
                    tracing::warn!(
                        error = %failure,
                        topic = %record.topic,
                        backoff_ms = backoff.as_millis() as u64,
                        "A record was not acknowledged; it will be sent again."
                    );
                    self.sleep_or_abandon(backoff).await?;
                    backoff = (backoff * 2).min(self.max_backoff);
                }
            }
        }
    }

    /// One attempt: enqueue (waiting while the queue is full) and await the delivery report.
    /// The outer error ends the send; the inner one is the attempt's failure.
    pub(crate) async fn try_send(
        &self,
        record: &ProduceRecord,
    ) -> Result<Result<(), KafkaError>, SendError> {
        let delivery = loop {
            let mut future_record: FutureRecord<'_, [u8], [u8]> = FutureRecord::to(&record.topic);
            if let Some(key) = &record.key {
                future_record = future_record.key(key.as_slice());
            }
            if let Some(value) = &record.value {
                future_record = future_record.payload(value.as_slice());
            }
            if !record.headers.is_empty() {
                let headers = record.headers.iter().fold(
                    OwnedHeaders::new_with_capacity(record.headers.len()),
                    |h, (k, v)| {
                        h.insert(Header {
                            key: k.as_str(),
                            value: Some(v.as_slice()),
                        })
                    },
                );
                future_record = future_record.headers(headers);
            }
            match self.producer.send_result(future_record) {
                Ok(delivery) => break delivery,
                Err((err, _)) if err.rdkafka_error_code() == Some(RDKafkaErrorCode::QueueFull) => {
                    self.metrics.retry_after_queue_full();
                    self.sleep_or_abandon(QUEUE_FULL_WAIT).await?;
                }
                Err((err, _)) => return Ok(Err(err)),
            }
        };
        let mut abandon = self.abandon.clone();
        tokio::select! {
            result = delivery => match result {
                Ok(Ok(_delivery)) => Ok(Ok(())),
                Ok(Err((err, _message))) => Ok(Err(err)),
                // The producer went away under us: treat like any transient failure.
                Err(_canceled) => Ok(Err(KafkaError::Canceled)),
            },
            _ = wait_true(&mut abandon) => Err(SendError::Abandoned),
        }
    }

    async fn sleep_or_abandon(&self, d: Duration) -> Result<(), SendError> {
        let mut abandon = self.abandon.clone();
        tokio::select! {
            _ = tokio::time::sleep(d) => Ok(()),
            _ = wait_true(&mut abandon) => Err(SendError::Abandoned),
        }
    }
}

/// Resolves once the watch holds `true` (never, if its sender is dropped while false).
pub(crate) async fn wait_true(rx: &mut watch::Receiver<bool>) {
    if rx.wait_for(|v| *v).await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(
            classify(&KafkaError::MessageProduction(
                RDKafkaErrorCode::MessageSizeTooLarge
            )),
            Failure::Refused
        );
        assert_eq!(
            classify(&KafkaError::MessageProduction(
                RDKafkaErrorCode::InvalidRecord
            )),
            Failure::Refused
        );
        assert_eq!(
            classify(&KafkaError::MessageProduction(RDKafkaErrorCode::Fatal)),
            Failure::Fatal
        );
        for code in [
            RDKafkaErrorCode::MessageTimedOut,
            RDKafkaErrorCode::NotEnoughReplicas,
            RDKafkaErrorCode::UnknownTopicOrPartition,
            RDKafkaErrorCode::BrokerTransportFailure,
            RDKafkaErrorCode::MessageBatchTooLarge,
        ] {
            assert_eq!(
                classify(&KafkaError::MessageProduction(code)),
                Failure::Transient,
                "{code:?}"
            );
        }
        assert_eq!(classify(&KafkaError::Canceled), Failure::Transient);
    }
}
