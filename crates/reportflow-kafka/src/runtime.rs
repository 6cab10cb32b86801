//! The per-record worker loop: the at-least-once front end of a [`Worker`] over its
//! [`Session`].
//!
//! One task polls the consumer and dispatches each message, holding one of `max_in_flight`
//! permits, to a processing task; the permit is released only when the message's outputs (or
//! its dead letter) are acknowledged, so slow acknowledgements (a full or stalled producer)
//! slow consumption instead of dropping anything. Processing itself runs on tokio's blocking
//! pool, at most `processing_threads` at once. A committer task commits the contiguous safe
//! offsets of every assigned partition every `commit_interval`; revocations commit theirs in
//! the rebalance callback (see [`crate::context`]).
//!
//! Shutdown (the caller's future resolves, or a fatal producer error): stop fetching, wait for
//! in-flight work until the deadline, abandon what is left (not committed: it is redone after
//! restart), then [`Session::close`]: commit the safe offsets, flush the producer, leave the
//! group.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::error::KafkaError;
use tokio::sync::Semaphore;

use crate::config::{ProcessingGuarantee, RuntimeConfig};
use crate::dlq::{KIND_OUTPUT_REFUSED, KIND_PANIC, KIND_TOO_LARGE, STAGE_PRODUCE};
use crate::error::Error;
use crate::metrics::Metrics;
use crate::produce::{ProduceRecord, SendError};
use crate::record::{InputRecord, OutputRecord, Processor, Reject};
use crate::session::{Closed, Handle, Session};

pub use crate::session::RunSummary;

/// Largest part of the shutdown deadline kept for the final commit, the producer flush and
/// leaving the group (at most a quarter of the deadline is kept).
const CLOSE_RESERVE: Duration = Duration::from_secs(10);

/// A started worker: clients created, subscribed, HTTP server listening. [`Worker::run`] runs
/// the loop.
pub struct Worker {
    pub(crate) session: Session,
    pub(crate) processor: Arc<dyn Processor>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("group_id", &self.session.config.group_id)
            .field("input_topics", &self.session.config.input_topics)
            .field("http_addr", &self.session.http_addr())
            .finish_non_exhaustive()
    }
}

/// Starts a worker and runs it until `shutdown` resolves. See [`Worker`].
pub async fn run<F>(
    config: RuntimeConfig,
    processor: Arc<dyn Processor>,
    shutdown: F,
) -> Result<RunSummary, Error>
where
    F: Future + Send,
{
    Worker::start(config, processor).await?.run(shutdown).await
}

impl Worker {
    /// Validates the configuration, creates the consumer and the producer, starts the HTTP
    /// server and subscribes to the input topics.
    pub async fn start(
        config: RuntimeConfig,
        processor: Arc<dyn Processor>,
    ) -> Result<Self, Error> {
        config.validate()?;
        let session = Session::open(
            config,
            Metrics::for_stage(processor.stage())?,
            processor.stage(),
        )
        .await?;
        if session.config.transactional_id().is_some() {
            // Fences an earlier incarnation of this instance and aborts its open transaction,
            // so nothing it wrote but did not commit ever becomes visible.
            crate::transactional::init(&session.producer).await?;
        }
        session.subscribe()?;
        let config = &session.config;
        tracing::info!(
            group_id = %config.group_id,
            input_topics = ?config.input_topics,
            dlq_topic = %config.dlq_topic,
            stage = processor.stage(),
            worker = %config.worker_name,
            max_in_flight = config.max_in_flight,
            processing_threads = config.processing_threads,
            processing_guarantee = %config.processing_guarantee,
            "The worker started."
        );
        Ok(Worker { session, processor })
    }

    /// The address the HTTP server is bound to (useful with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.session.http_addr()
    }

    /// The runtime's metrics (and their registry, for application metrics).
    pub fn metrics(&self) -> &Metrics {
        &self.session.shared.metrics
    }

    /// Runs the loop until `shutdown` resolves (graceful: returns `Ok`) or the producer fails
    /// fatally (returns [`Error::ProducerFatal`] after committing what is safe).
    pub async fn run<F>(self, shutdown: F) -> Result<RunSummary, Error>
    where
        F: Future + Send,
    {
        if self.session.config.processing_guarantee == ProcessingGuarantee::ExactlyOnce {
            return crate::transactional::run(self, shutdown).await;
        }
        let Worker { session, processor } = self;
        let pool = Pool::new(&session.config);
        let committer = session.spawn_committer();
        let consumer_fatal = pool.dispatch(&session, &processor, shutdown).await;

        let started = Instant::now();
        session.begin_shutdown();
        tracing::info!(
            in_flight = session.counters.in_flight.load(Ordering::Relaxed),
            "The worker is shutting down: fetching stopped, finishing in-flight work."
        );
        let abandoned = pool.drain(&session).await;
        committer.stop().await;
        let deadline = started + session.config.shutdown_timeout;
        let closed = session.close(deadline).await;
        finish(closed, abandoned, started, consumer_fatal)
    }
}

/// The last step of both worker loops, once the session is closed: logs what the run did
/// and returns it (or the fatal error that ended it).
pub(crate) fn finish(
    closed: Closed,
    abandoned: usize,
    started: Instant,
    consumer_fatal: Option<KafkaError>,
) -> Result<RunSummary, Error> {
    let summary = RunSummary {
        abandoned,
        ..closed.summary
    };
    // The counters are in the session's closing line.
    tracing::info!(
        abandoned = summary.abandoned,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "The worker stopped."
    );
    if let Some(message) = closed.fatal {
        return Err(Error::ProducerFatal(message));
    }
    if let Some(err) = consumer_fatal {
        return Err(Error::kafka("consuming", err));
    }
    Ok(summary)
}

/// The per-record loop's bounds: messages and input bytes in flight, processing threads.
struct Pool {
    permits: Arc<Semaphore>,
    /// `max_in_flight_bytes` in KiB.
    kib: Arc<Semaphore>,
    kib_budget: u32,
    cpu: Arc<Semaphore>,
    max_in_flight: usize,
}

impl Pool {
    fn new(config: &RuntimeConfig) -> Self {
        let kib_budget = u32::try_from(config.max_in_flight_bytes.div_ceil(1024))
            .unwrap_or(Semaphore::MAX_PERMITS as u32)
            .clamp(1, Semaphore::MAX_PERMITS as u32);
        Pool {
            permits: Arc::new(Semaphore::new(config.max_in_flight)),
            kib: Arc::new(Semaphore::new(kib_budget as usize)),
            kib_budget,
            cpu: Arc::new(Semaphore::new(config.processing_threads)),
            max_in_flight: config.max_in_flight,
        }
    }

    /// The share of the byte budget an input takes: its size in KiB, at least 1, at most the
    /// whole budget (so that an input larger than the budget runs alone rather than never).
    fn kib_of(&self, input: &InputRecord) -> u32 {
        let bytes =
            input.value.as_ref().map_or(0, Vec::len) + input.key.as_ref().map_or(0, Vec::len);
        u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, self.kib_budget)
    }

    /// Dispatches every input to a [`Job`] until `shutdown` resolves or a fatal error; returns
    /// the consumer's fatal error, if that ended it.
    async fn dispatch<F: Future>(
        &self,
        session: &Session,
        processor: &Arc<dyn Processor>,
        shutdown: F,
    ) -> Option<KafkaError> {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            if session.shared.fatal().is_some() {
                return None;
            }
            let permit = tokio::select! {
                biased;
                _ = &mut shutdown => return None,
                _ = session.failed() => return None,
                permit = self.permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            };
            let input = tokio::select! {
                biased;
                _ = &mut shutdown => return None,
                _ = session.failed() => return None,
                input = session.recv() => match input {
                    Ok(input) => input,
                    Err(err) => return Some(err),
                },
            };
            // Huge inputs wait here until the ones before them are done: their processing
            // holds several copies of each, so bytes in flight, not messages, bound memory.
            let bytes = tokio::select! {
                biased;
                _ = &mut shutdown => return None,
                _ = session.failed() => return None,
                bytes = self.kib.clone().acquire_many_owned(self.kib_of(&input)) => bytes.expect("the semaphore is never closed"),
            };
            let Some(epoch) = session.track(&input) else {
                continue;
            };
            session.count_in(1);
            session.counters.in_flight.fetch_add(1, Ordering::Relaxed);
            session.shared.metrics.in_flight.inc();
            let job = Job {
                input: Arc::new(input),
                epoch,
                handle: session.handle(),
                processor: processor.clone(),
                cpu: self.cpu.clone(),
            };
            tokio::spawn(async move {
                job.run().await;
                drop((permit, bytes));
            });
        }
    }

    /// Waits for the work in flight, for the shutdown deadline minus a reserve for closing;
    /// abandons what is left then (it is redone after restart). Returns how much that was.
    async fn drain(&self, session: &Session) -> usize {
        let all = u32::try_from(self.max_in_flight).unwrap_or(u32::MAX);
        let timeout = session.config.shutdown_timeout;
        let drain_for = timeout - CLOSE_RESERVE.min(timeout / 4);
        let drained = tokio::time::timeout(drain_for, self.permits.acquire_many(all)).await;
        if drained.is_ok() {
            return 0;
        }
        let abandoned = session.counters.in_flight.load(Ordering::Relaxed);
        tracing::warn!(
            abandoned,
            waited_ms = drain_for.as_millis() as u64,
            "The shutdown deadline passed with work in flight; it is abandoned and will be redone after restart."
        );
        session.abandon();
        abandoned
    }
}

/// One dispatched message.
struct Job {
    input: Arc<InputRecord>,
    epoch: u64,
    handle: Handle,
    processor: Arc<dyn Processor>,
    cpu: Arc<Semaphore>,
}

impl Job {
    async fn run(self) {
        // Given up (shutdown deadline, fatal producer): the offset stays undone.
        let done = self.execute().await;
        if done && !self.handle.complete(&self.input, self.epoch) {
            tracing::debug!(topic = %self.input.topic, partition = self.input.partition, offset = self.input.offset, "A message finished after its partition was revoked.");
        }
        self.handle
            .counters
            .in_flight
            .fetch_sub(1, Ordering::Relaxed);
        self.handle.shared.metrics.in_flight.dec();
    }

    /// Processes the input and sends its outputs, or its dead letter. True once every output
    /// (or the dead letter) is acknowledged: the offset is done.
    async fn execute(&self) -> bool {
        let handle = &self.handle;
        let result = process_input(handle, &self.processor, &self.cpu, &self.input).await;
        let outputs = match result {
            Ok(outputs) => outputs,
            Err(reject) => return handle.dead_letter(&self.input, &reject).await,
        };
        let records: Vec<ProduceRecord> = outputs.into_iter().map(ProduceRecord::from).collect();
        let results =
            futures::future::join_all(records.iter().map(|r| handle.sender.send(r))).await;
        let mut refused = None;
        let mut abandoned = false;
        for (index, (record, result)) in records.iter().zip(results).enumerate() {
            match result {
                Ok(()) => handle.count_output(&record.topic),
                Err(SendError::Refused(err)) => {
                    refused.get_or_insert((index, err));
                }
                Err(SendError::Abandoned | SendError::Fatal) => abandoned = true,
            }
        }
        if abandoned {
            return false;
        }
        if let Some((index, err)) = refused {
            let record = &records[index];
            let topic = &record.topic;
            tracing::warn!(error = %err, topic, source_topic = %self.input.topic, partition = self.input.partition, offset = self.input.offset, "The broker refused an output for good; the input is dead-lettered.");
            let reject = refusal_reject(&handle.config, record, &err);
            return handle.dead_letter(&self.input, &reject).await;
        }
        true
    }
}

/// The dead-letter reason for an output `record` the broker refused for good with `err`.
pub(crate) fn refusal_reject(
    config: &RuntimeConfig,
    record: &ProduceRecord,
    err: &KafkaError,
) -> Reject {
    let topic = &record.topic;
    let too_large = matches!(
        err.rdkafka_error_code(),
        Some(rdkafka::error::RDKafkaErrorCode::MessageSizeTooLarge)
    );
    if too_large {
        let size = record.key.as_ref().map_or(0, Vec::len)
            + record.value.as_ref().map_or(0, Vec::len)
            + record
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        let client_limit = config
            .producer_properties()
            .get("message.max.bytes")
            .cloned()
            .unwrap_or_default();
        Reject::new(
            STAGE_PRODUCE,
            KIND_TOO_LARGE,
            format!(
                "the output record for topic {topic} is {size} bytes (key, value and headers, before compression), over a size limit: the producer's message.max.bytes is {client_limit}, the broker's message.max.bytes and the topic's max.message.bytes (1048588 by default) apply to the compressed batch: {err}"
            ),
        )
    } else {
        Reject::new(
            STAGE_PRODUCE,
            KIND_OUTPUT_REFUSED,
            format!("the broker refused an output record for topic {topic}: {err}"),
        )
    }
}

/// Runs the processor on a blocking thread (after the size check); a panic becomes a reject
/// of kind `panic`. Shared by both processing guarantees.
pub(crate) async fn process_input(
    handle: &Handle,
    processor: &Arc<dyn Processor>,
    cpu: &Semaphore,
    input: &Arc<InputRecord>,
) -> Result<Vec<OutputRecord>, Reject> {
    if let Some(reject) = handle.oversized(input) {
        return Err(reject);
    }
    let _cpu = cpu.acquire().await.expect("the semaphore is never closed");
    let started = Instant::now();
    let joined = {
        let processor = processor.clone();
        let input = input.clone();
        tokio::task::spawn_blocking(move || processor.process(&input)).await
    };
    handle
        .shared
        .metrics
        .processing_seconds
        .with_label_values::<&str>(&[])
        .observe(started.elapsed().as_secs_f64());
    match joined {
        Ok(result) => result,
        Err(err) => {
            let message = if err.is_panic() {
                crate::record::panic_text(&*err.into_panic())
                    .unwrap_or_else(|| "the processor panicked".to_string())
            } else {
                format!("the processing task was cancelled: {err}")
            };
            tracing::error!(
                error = %message,
                topic = %input.topic,
                partition = input.partition,
                offset = input.offset,
                "The processor panicked; the input is dead-lettered."
            );
            Err(Reject::new(processor.stage(), KIND_PANIC, message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn input(len: usize) -> InputRecord {
        InputRecord {
            topic: "t".into(),
            partition: 0,
            offset: 0,
            key: Some(b"k".to_vec()),
            value: Some(vec![0; len]),
            headers: Vec::new(),
            timestamp_ms: None,
        }
    }

    #[test]
    fn an_input_takes_its_size_of_the_byte_budget_and_a_huge_one_all_of_it() {
        let raw = RawConfig {
            brokers: Some("localhost:9092".into()),
            group_id: Some("g".into()),
            input_topics: Some(vec!["reports.raw".into()]),
            max_in_flight_bytes: Some(32 * 1024 * 1024),
            ..RawConfig::default()
        };
        let pool = Pool::new(&raw.into_config().expect("valid"));
        assert_eq!(pool.kib_budget, 32 * 1024);
        assert_eq!(pool.kib_of(&input(0)), 1);
        assert_eq!(pool.kib_of(&input(43 * 1024)), 44);
        assert_eq!(pool.kib_of(&input(20 * 1024 * 1024)), 20 * 1024 + 1);
        // Larger than the budget: runs alone, never waits forever.
        assert_eq!(pool.kib_of(&input(50 * 1024 * 1024)), 32 * 1024);
    }
}
