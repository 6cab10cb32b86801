//! The batch sink loop: consume → batch → write → commit, for storage consumers.
//!
//! A storage consumer (the PostgreSQL and Parquet sinks) supplies a [`Sink`]; [`run_sink`]
//! reuses the worker runtime's consumer setup, configuration, rebalance handling, metrics,
//! `/health` `/ready`, dead-letter producer and commit logic:
//!
//! - records are gathered into a batch until `batch_max_records` records or
//!   `batch_max_bytes` payload bytes are buffered, or `batch_max_ms` passed since the batch's
//!   first record;
//! - the batch is handed to [`Sink::write`] once; on success the records it rejected (for
//!   example undecodable ones) are dead-lettered (stage `sink`) and acknowledged, and only
//!   then the batch's offsets are marked done in the contiguous per-partition tracker
//!   ([`crate::offsets`]) and committed synchronously: **offsets are committed only after the
//!   sink made the batch durable**;
//! - on [`SinkError::Transient`] (a database outage, a full disk) the same batch is written
//!   again with capped exponential backoff (`sink_retry_backoff_ms` doubling up to
//!   `sink_retry_max_backoff_ms`), forever: nothing is skipped. Meanwhile the assigned
//!   partitions are paused, and the consumer keeps being polled so that the group membership
//!   and rebalances are served. Every retry counts in `reportflow_sink_retries_total`;
//! - on [`SinkError::Permanent`] (or a panicking writer) the batch is written in halves, down
//!   to single records, and the records the store refuses alone are dead-lettered with kind
//!   `rejected` and the store's reason; the rest is stored ([`crate::isolate`]);
//! - [`SinkError::Fatal`] stops the loop (nothing of the batch is committed);
//! - on shutdown the pending batch gets one write attempt (no retries) within the shutdown
//!   deadline; if it fails it is dropped, uncommitted, and redone after restart. A partition
//!   revoked while its records wait in the batch loses them from the batch (the new owner
//!   reads them again from the committed offset).
//!
//! Delivery is at-least-once: after a crash between the write and the commit, the batch is
//! written again, so a sink must write idempotently (upserts keyed by message ids,
//! deterministic file names).
//!
//! Configuration: the runtime keys of [`RuntimeConfig`] plus a `[sink]` table in the same
//! TOML file ([`SinkConfig`] reads the batch and retry keys from it, each sink reads its own
//! keys, such as `database_url` or `dir`). [`split_sink_table`] separates the two.

use std::future::Future;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::Message;
use serde::Deserialize;
use tokio::sync::{oneshot, watch};

use crate::config::{ConfigError, RawConfig, RuntimeConfig};
use crate::context::{ConsumerCtx, ProducerCtx, Shared};
use crate::dlq::{self, KIND_TOO_LARGE, STAGE_INTAKE};
use crate::error::Error;
use crate::http;
use crate::metrics::Metrics;
use crate::partitions::Dispatched;
use crate::produce::{SendError, Sender};
use crate::record::{InputRecord, Reject};
use crate::runtime::client_config;

/// Where a stored row came from: the Kafka record that last wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// Kafka partition.
    pub partition: i32,
    /// Kafka offset.
    pub offset: i64,
}

/// Stage of the dead letters a sink produces (records it cannot decode or store).
pub const STAGE_SINK: &str = "sink";

/// Default most records in one batch.
pub const DEFAULT_BATCH_MAX_RECORDS: usize = 5_000;
/// Default most payload bytes in one batch (64 MiB).
pub const DEFAULT_BATCH_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Default longest time a batch stays open, in milliseconds.
pub const DEFAULT_BATCH_MAX_MS: u64 = 1_000;
/// Default first backoff after a transient write error, in milliseconds.
pub const DEFAULT_SINK_RETRY_BACKOFF_MS: u64 = 200;
/// Default cap of that backoff, in milliseconds.
pub const DEFAULT_SINK_RETRY_MAX_BACKOFF_MS: u64 = 30_000;

/// Why a batch was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// The storage is unavailable for now (connection refused or lost, …): the same batch is
    /// written again after a backoff, forever.
    #[error("transient sink error: {0}")]
    Transient(String),
    /// The batch cannot be stored as it is, and writing it again will not change that (a row
    /// the database refuses by its constraints or types, data the file format cannot encode):
    /// the loop writes smaller parts to find the records refused alone and dead-letters them
    /// (kind `rejected`, see [`crate::isolate`]). A panicking writer counts the same.
    #[error("permanent sink error: {0}")]
    Permanent(String),
    /// The sink cannot go on (a schema it cannot migrate, a bad configuration): the loop stops
    /// without committing the batch.
    #[error("fatal sink error: {0}")]
    Fatal(String),
}

/// What stops [`run_sink`].
#[derive(Debug, thiserror::Error)]
pub enum RunSinkError {
    /// The runtime failed (configuration, Kafka, HTTP, a fatal producer error).
    #[error(transparent)]
    Runtime(#[from] Error),
    /// The sink reported [`SinkError::Fatal`].
    #[error("the sink failed fatally: {0}")]
    Sink(String),
}

impl From<ConfigError> for RunSinkError {
    fn from(e: ConfigError) -> Self {
        RunSinkError::Runtime(Error::Config(e))
    }
}

impl From<prometheus::Error> for RunSinkError {
    fn from(e: prometheus::Error) -> Self {
        RunSinkError::Runtime(Error::Metrics(e))
    }
}

/// A storage consumer: writes batches of records durably and idempotently.
pub trait Sink: Send {
    /// The sink's name (`postgres`, `parquet`): the `stage` label of its metrics.
    fn name(&self) -> &'static str;

    /// Writes `batch` durably: when the future resolves `Ok`, every record of the batch except
    /// the returned rejects (by index into `batch`) is stored, and survives a crash. Rejected
    /// records are dead-lettered by the loop. Writing the same records again (a replay after a
    /// crash, a duplicate) must not duplicate anything.
    fn write(
        &mut self,
        batch: &[InputRecord],
    ) -> impl Future<Output = Result<Vec<(usize, Reject)>, SinkError>> + Send;

    /// Readies the store before consuming starts (connect, migrate). [`run_sink`] serves
    /// `/health` (200) and `/ready` (503) meanwhile and calls it again after
    /// [`SinkError::Transient`] with the retry backoff, until it succeeds or shutdown;
    /// [`SinkError::Fatal`] stops the sink. The consumer joins its group only after it
    /// succeeded. Default: nothing to ready.
    fn prepare(&mut self) -> impl Future<Output = Result<(), SinkError>> + Send {
        async { Ok(()) }
    }
}

/// The batch and retry settings of [`run_sink`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkConfig {
    /// Most records in one batch.
    pub batch_max_records: usize,
    /// Most key + value bytes in one batch.
    pub batch_max_bytes: usize,
    /// Longest time a batch stays open after its first record.
    pub batch_max: Duration,
    /// First backoff after a transient write error; doubles on each retry.
    pub retry_backoff: Duration,
    /// Cap of that backoff.
    pub retry_max_backoff: Duration,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            batch_max_records: DEFAULT_BATCH_MAX_RECORDS,
            batch_max_bytes: DEFAULT_BATCH_MAX_BYTES,
            batch_max: Duration::from_millis(DEFAULT_BATCH_MAX_MS),
            retry_backoff: Duration::from_millis(DEFAULT_SINK_RETRY_BACKOFF_MS),
            retry_max_backoff: Duration::from_millis(DEFAULT_SINK_RETRY_MAX_BACKOFF_MS),
        }
    }
}

/// The batch keys of the `[sink]` table, as written (unknown keys belong to the sink).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RawSinkConfig {
    /// Most records in one batch. Default 5000.
    pub batch_max_records: Option<usize>,
    /// Most key + value bytes in one batch. Default 67108864 (64 MiB).
    pub batch_max_bytes: Option<usize>,
    /// Longest time a batch stays open, in milliseconds. Default 1000.
    pub batch_max_ms: Option<u64>,
    /// First backoff after a transient write error, in milliseconds. Default 200.
    pub sink_retry_backoff_ms: Option<u64>,
    /// Cap of that backoff, in milliseconds. Default 30000.
    pub sink_retry_max_backoff_ms: Option<u64>,
}

impl RawSinkConfig {
    /// The keys of the `[sink]` table this type reads; a sink adds its own.
    pub const KEYS: [&'static str; 5] = [
        "batch_max_records",
        "batch_max_bytes",
        "batch_max_ms",
        "sink_retry_backoff_ms",
        "sink_retry_max_backoff_ms",
    ];

    /// Refuses a `[sink]` table with a key that is neither a batch key ([`Self::KEYS`]) nor
    /// one of the sink's `own` keys, naming it: a typo must not fall back to a default
    /// silently.
    pub fn check_keys(table: &toml::Table, own: &[&str]) -> Result<(), ConfigError> {
        match table
            .keys()
            .find(|k| !Self::KEYS.contains(&k.as_str()) && !own.contains(&k.as_str()))
        {
            None => Ok(()),
            Some(unknown) => {
                let mut known: Vec<&str> = Self::KEYS.iter().chain(own).copied().collect();
                known.sort_unstable();
                Err(ConfigError::Parse {
                    path: "[sink]".into(),
                    message: format!(
                        "unknown key `{unknown}`, expected one of {}",
                        known.join(", ")
                    ),
                })
            }
        }
    }

    /// Reads the batch keys of a `[sink]` table (other keys are ignored).
    pub fn from_table(table: &toml::Table) -> Result<Self, ConfigError> {
        toml::Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Parse {
                path: "[sink]".into(),
                message: e.to_string(),
            })
    }

    /// Reads `REPORTFLOW_BATCH_MAX_RECORDS`, `REPORTFLOW_BATCH_MAX_BYTES`,
    /// `REPORTFLOW_BATCH_MAX_MS`, `REPORTFLOW_SINK_RETRY_BACKOFF_MS` and
    /// `REPORTFLOW_SINK_RETRY_MAX_BACKOFF_MS` from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        fn num<T: std::str::FromStr>(name: &str) -> Result<Option<T>, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            match std::env::var(name) {
                Ok(v) if !v.trim().is_empty() => {
                    v.trim().parse().map(Some).map_err(|e| ConfigError::Env {
                        name: name.to_string(),
                        message: format!("expected a non-negative integer: {e}"),
                    })
                }
                _ => Ok(None),
            }
        }
        Ok(RawSinkConfig {
            batch_max_records: num("REPORTFLOW_BATCH_MAX_RECORDS")?,
            batch_max_bytes: num("REPORTFLOW_BATCH_MAX_BYTES")?,
            batch_max_ms: num("REPORTFLOW_BATCH_MAX_MS")?,
            sink_retry_backoff_ms: num("REPORTFLOW_SINK_RETRY_BACKOFF_MS")?,
            sink_retry_max_backoff_ms: num("REPORTFLOW_SINK_RETRY_MAX_BACKOFF_MS")?,
        })
    }

    /// Layers `over` on top of `self` (keys set in `over` win).
    pub fn merge(self, over: RawSinkConfig) -> RawSinkConfig {
        RawSinkConfig {
            batch_max_records: over.batch_max_records.or(self.batch_max_records),
            batch_max_bytes: over.batch_max_bytes.or(self.batch_max_bytes),
            batch_max_ms: over.batch_max_ms.or(self.batch_max_ms),
            sink_retry_backoff_ms: over.sink_retry_backoff_ms.or(self.sink_retry_backoff_ms),
            sink_retry_max_backoff_ms: over
                .sink_retry_max_backoff_ms
                .or(self.sink_retry_max_backoff_ms),
        }
    }

    /// Validates and fills in defaults.
    pub fn into_config(self) -> Result<SinkConfig, ConfigError> {
        let d = SinkConfig::default();
        let c = SinkConfig {
            batch_max_records: self.batch_max_records.unwrap_or(d.batch_max_records),
            batch_max_bytes: self.batch_max_bytes.unwrap_or(d.batch_max_bytes),
            batch_max: self.batch_max_ms.map_or(d.batch_max, Duration::from_millis),
            retry_backoff: self
                .sink_retry_backoff_ms
                .map_or(d.retry_backoff, Duration::from_millis),
            retry_max_backoff: self
                .sink_retry_max_backoff_ms
                .map_or(d.retry_max_backoff, Duration::from_millis),
        };
        let bad = |key: &str, message: &str| ConfigError::Invalid {
            key: format!("sink.{key}"),
            message: message.to_string(),
        };
        if c.batch_max_records == 0 {
            return Err(bad("batch_max_records", "must be at least 1"));
        }
        if c.batch_max_bytes == 0 {
            return Err(bad("batch_max_bytes", "must be at least 1"));
        }
        if c.batch_max.is_zero() {
            return Err(bad("batch_max_ms", "must be at least 1"));
        }
        if c.retry_backoff.is_zero() {
            return Err(bad("sink_retry_backoff_ms", "must be at least 1"));
        }
        if c.retry_max_backoff < c.retry_backoff {
            return Err(bad(
                "sink_retry_max_backoff_ms",
                "must be at least sink_retry_backoff_ms",
            ));
        }
        Ok(c)
    }
}

/// Splits a sink's TOML configuration into the runtime's part (everything but `[sink]`,
/// parsed strictly as a [`RawConfig`]) and the `[sink]` table (empty when absent).
pub fn split_sink_table(
    text: &str,
    origin: &Path,
) -> Result<(RawConfig, toml::Table), ConfigError> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: origin.to_path_buf(),
        message: e.to_string(),
    })?;
    let sink = match table.remove("sink") {
        None => toml::Table::new(),
        Some(toml::Value::Table(t)) => t,
        Some(_) => {
            return Err(ConfigError::Parse {
                path: origin.to_path_buf(),
                message: "`sink` must be a table".into(),
            })
        }
    };
    let raw: RawConfig = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })?;
    Ok((raw, sink))
}

/// Reads a sink's configuration file (if any): the runtime layer and the `[sink]` table.
pub fn read_sink_file(path: Option<&Path>) -> Result<(RawConfig, toml::Table), ConfigError> {
    match path {
        None => Ok((RawConfig::default(), toml::Table::new())),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            split_sink_table(&text, path)
        }
    }
}

/// What a sink run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkSummary {
    /// Records consumed.
    pub records_in: u64,
    /// Records the sink stored (counting re-writes after a retry once).
    pub records_written: u64,
    /// Records dead-lettered.
    pub dead_lettered: u64,
    /// Batches written.
    pub batches: u64,
    /// Transient write errors retried.
    pub retries: u64,
    /// Successful offset commits.
    pub commits: u64,
}

/// The sink loop's own metrics, registered next to the runtime's.
#[derive(Clone)]
struct SinkMetrics {
    retries: IntCounter,
    batches: IntCounter,
    written: IntCounter,
    write_seconds: Histogram,
    messages_in: IntCounter,
}

impl SinkMetrics {
    fn new(metrics: &Metrics, name: &'static str) -> Result<Self, prometheus::Error> {
        let retries = IntCounterVec::new(
            Opts::new(
                "reportflow_sink_retries_total",
                "Batch writes retried after a transient sink error.",
            ),
            &["sink"],
        )?;
        let batches = IntCounterVec::new(
            Opts::new(
                "reportflow_sink_batches_total",
                "Batches written durably by the sink.",
            ),
            &["sink"],
        )?;
        let written = IntCounterVec::new(
            Opts::new(
                "reportflow_sink_records_written_total",
                "Records written durably by the sink.",
            ),
            &["sink"],
        )?;
        let write_seconds = prometheus::HistogramVec::new(
            HistogramOpts::new(
                "reportflow_sink_write_seconds",
                "Time of one successful batch write.",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["sink"],
        )?;
        let registry = metrics.registry();
        registry.register(Box::new(retries.clone()))?;
        registry.register(Box::new(batches.clone()))?;
        registry.register(Box::new(written.clone()))?;
        registry.register(Box::new(write_seconds.clone()))?;
        Ok(SinkMetrics {
            retries: retries.with_label_values(&[name]),
            batches: batches.with_label_values(&[name]),
            written: written.with_label_values(&[name]),
            write_seconds: write_seconds.with_label_values(&[name]),
            messages_in: metrics.messages_in.with_label_values(&[name]),
        })
    }
}

type Consumer_ = StreamConsumer<ConsumerCtx>;

/// How a batch write ended.
enum Flushed {
    /// Written, dead letters acknowledged, offsets marked done.
    Done,
    /// Shutdown (or a fatal producer error) came first: nothing of the batch is done.
    Interrupted,
}

/// The loop's state.
struct Loop<S: Sink> {
    config: Arc<RuntimeConfig>,
    sink_config: SinkConfig,
    sink: S,
    shared: Arc<Shared>,
    consumer: Arc<Consumer_>,
    sender: Sender,
    metrics: SinkMetrics,
    summary: SinkSummary,
}

/// Runs `sink` as a consumer-group member until `shutdown` resolves. See the module docs.
///
/// Returns after a graceful shutdown, or with an error when the sink fails fatally, the
/// dead-letter producer fails fatally, or the consumer fails fatally.
pub async fn run_sink<S, F>(
    config: RuntimeConfig,
    sink_config: SinkConfig,
    sink: S,
    shutdown: F,
) -> Result<SinkSummary, RunSinkError>
where
    S: Sink,
    F: Future + Send,
{
    config.validate()?;
    crate::preflight::refuse_bad_credentials(
        config.consumer_properties(),
        crate::preflight::CHECK_LIMIT,
    )
    .await?;
    let metrics = Metrics::new()?;
    let sink_metrics = SinkMetrics::new(&metrics, sink.name())?;
    let shared = Arc::new(Shared::new(
        metrics,
        config.revoke_timeout,
        config.liveness_timeout,
    ));
    let consumer: Consumer_ = client_config(&config.consumer_properties())
        .create_with_context(ConsumerCtx {
            shared: shared.clone(),
        })
        .map_err(|e| Error::kafka("creating the consumer", e))?;
    let producer: FutureProducer<ProducerCtx> = client_config(&config.producer_properties())
        .create_with_context(ProducerCtx {
            shared: shared.clone(),
        })
        .map_err(|e| Error::kafka("creating the producer", e))?;
    let topics: Vec<&str> = config.input_topics.iter().map(String::as_str).collect();
    for topic in &topics {
        shared.metrics.offsets_skipped.with_label_values(&[topic]);
    }
    // HTTP first: `/health` answers while the store is readied, `/ready` stays 503 until a
    // partition is assigned, which happens only after the store is ready.
    let (http_stop, http_stopped) = oneshot::channel::<()>();
    let http = http::start(config.http_addr, shared.clone(), async move {
        let _ = http_stopped.await;
    })
    .await?;
    let mut sink = sink;
    let mut shutdown = std::pin::pin!(shutdown);
    let mut backoff = sink_config.retry_backoff;
    loop {
        let prepared = tokio::select! {
            biased;
            _ = &mut shutdown => None,
            prepared = sink.prepare() => Some(prepared),
        };
        let err = match prepared {
            Some(Ok(())) => break,
            Some(Err(SinkError::Transient(err))) => err,
            // A store that refuses for good before any record is read cannot start.
            Some(Err(SinkError::Fatal(err) | SinkError::Permanent(err))) => {
                let _ = http_stop.send(());
                let _ = tokio::time::timeout(Duration::from_secs(1), http.task).await;
                return Err(RunSinkError::Sink(err));
            }
            None => {
                let _ = http_stop.send(());
                let _ = tokio::time::timeout(Duration::from_secs(1), http.task).await;
                return Ok(SinkSummary::default());
            }
        };
        sink_metrics.retries.inc();
        tracing::warn!(sink = sink.name(), error = %err, backoff_ms = backoff.as_millis() as u64, "The sink's store is not available yet; retrying before consuming (/health answers, /ready stays 503).");
        tokio::select! {
            biased;
            _ = &mut shutdown => {
                let _ = http_stop.send(());
                let _ = tokio::time::timeout(Duration::from_secs(1), http.task).await;
                return Ok(SinkSummary::default());
            }
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(sink_config.retry_max_backoff);
    }
    consumer
        .subscribe(&topics)
        .map_err(|e| Error::kafka("subscribing to the input topics", e))?;
    tracing::info!(
        sink = sink.name(),
        group_id = %config.group_id,
        input_topics = ?config.input_topics,
        dlq_topic = %config.dlq_topic,
        batch_max_records = sink_config.batch_max_records,
        batch_max_ms = sink_config.batch_max.as_millis() as u64,
        "The sink started."
    );
    let (abandon_tx, abandon_rx) = watch::channel(false);
    let sender = Sender::new(producer.clone(), shared.clone(), &config, abandon_rx);
    let mut state = Loop {
        config: Arc::new(config),
        sink_config,
        sink,
        shared: shared.clone(),
        consumer: Arc::new(consumer),
        sender,
        metrics: sink_metrics,
        summary: SinkSummary::default(),
    };
    let result = state.run(shutdown.as_mut(), abandon_tx).await;

    // Close: commit what is done, flush the producer, leave the group, stop HTTP.
    let Loop {
        config,
        shared,
        consumer,
        sender,
        mut summary,
        ..
    } = state;
    shared.shutting_down.store(true, Ordering::SeqCst);
    let budget = config.shutdown_timeout.max(Duration::from_secs(1));
    let _ = tokio::time::timeout(
        budget,
        commit_now(consumer.clone(), shared.clone(), "shutdown"),
    )
    .await;
    let flush_producer = producer.clone();
    let _ = tokio::task::spawn_blocking(move || flush_producer.flush(Duration::from_secs(5))).await;
    drop(sender);
    drop(producer);
    let close = tokio::task::spawn_blocking(move || drop(consumer));
    if tokio::time::timeout(budget, close).await.is_err() {
        tracing::warn!("Leaving the consumer group took too long; exiting anyway.");
    }
    let _ = http_stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(1), http.task).await;
    summary.commits = shared.metrics.commits.with_label_values(&["ok"]).get();
    tracing::info!(
        records_in = summary.records_in,
        records_written = summary.records_written,
        dead_lettered = summary.dead_lettered,
        batches = summary.batches,
        retries = summary.retries,
        commits = summary.commits,
        "The sink stopped."
    );
    result?;
    if let Some(message) = shared.fatal() {
        return Err(Error::ProducerFatal(message).into());
    }
    Ok(summary)
}

impl<S: Sink> Loop<S> {
    async fn run<F: Future + Send>(
        &mut self,
        shutdown: F,
        abandon: watch::Sender<bool>,
    ) -> Result<(), RunSinkError> {
        let consumer = self.consumer.clone();
        let mut stream = consumer.stream();
        let mut shutdown = std::pin::pin!(shutdown);
        let mut batch: Vec<InputRecord> = Vec::new();
        let mut batch_bytes = 0usize;
        let mut opened: Option<Instant> = None;
        loop {
            if self.shared.fatal().is_some() {
                return Ok(());
            }
            let deadline =
                opened.map(|t| tokio::time::Instant::from_std(t + self.sink_config.batch_max));
            let mut due = false;
            tokio::select! {
                biased;
                _ = &mut shutdown => break,
                _ = self.shared.fatal_notify.notified() => return Ok(()),
                _ = async { tokio::time::sleep_until(deadline.expect("guarded")).await }, if deadline.is_some() => due = true,
                next = stream.next() => match next {
                    Some(Ok(message)) => {
                        let input = to_input(&message);
                        drop(message);
                        self.shared.resets.arrived(&self.shared.metrics, &input.topic, input.partition, input.offset);
                        self.metrics.messages_in.inc();
                        self.summary.records_in += 1;
                        batch_bytes += input.payload_len();
                        batch.push(input);
                        opened.get_or_insert_with(Instant::now);
                    }
                    Some(Err(KafkaError::MessageConsumptionFatal(code))) => {
                        tracing::error!(error = %code, "The consumer failed fatally.");
                        return Err(Error::kafka("consuming", KafkaError::MessageConsumptionFatal(code)).into());
                    }
                    Some(Err(err)) => {
                        crate::context::log_consumer_error(&self.shared, &err, "consume");
                    }
                    None => {
                        tracing::error!("The consumer stream ended unexpectedly.");
                        return Ok(());
                    }
                },
            }
            let full = batch.len() >= self.sink_config.batch_max_records
                || batch_bytes >= self.sink_config.batch_max_bytes;
            if (due || full) && !batch.is_empty() {
                let records = std::mem::take(&mut batch);
                batch_bytes = 0;
                opened = None;
                let mut carry = Vec::new();
                match self
                    .flush(records, &mut stream, &mut shutdown, &mut carry, true)
                    .await?
                {
                    Flushed::Done => {}
                    Flushed::Interrupted => {
                        let _ = abandon.send(true);
                        return Ok(());
                    }
                }
                // Records that arrived while the batch was retried start the next batch.
                if !carry.is_empty() {
                    batch_bytes = carry.iter().map(InputRecord::payload_len).sum();
                    batch = carry;
                    opened = Some(Instant::now());
                }
            }
        }
        // Graceful shutdown: one attempt at the pending batch.
        if !batch.is_empty() {
            let budget = self.config.shutdown_timeout / 2;
            let mut never = std::pin::pin!(std::future::pending::<()>());
            let mut carry = Vec::new();
            let attempt = tokio::time::timeout(
                budget,
                self.flush(batch, &mut stream, &mut never, &mut carry, false),
            )
            .await;
            match attempt {
                Ok(Ok(Flushed::Done)) => {}
                _ => {
                    let _ = abandon.send(true);
                    tracing::warn!("The pending batch was not written at shutdown; it will be redone after restart.");
                }
            }
        }
        Ok(())
    }

    /// Writes one batch (retrying transient errors when `retry`), dead-letters its rejects,
    /// marks its offsets done and commits.
    async fn flush<'s, St, Sh>(
        &mut self,
        records: Vec<InputRecord>,
        stream: &mut St,
        shutdown: &mut std::pin::Pin<&mut Sh>,
        carry: &mut Vec<InputRecord>,
        retry: bool,
    ) -> Result<Flushed, RunSinkError>
    where
        St: futures::Stream<Item = Result<BorrowedMessage<'s>, KafkaError>> + Unpin,
        Sh: Future,
    {
        // Track the offsets; records of partitions revoked meanwhile (or duplicates of a
        // redelivery in the same batch) leave the batch.
        let mut batch = Vec::with_capacity(records.len());
        let mut epochs = Vec::with_capacity(records.len());
        {
            let mut table = self.shared.table();
            for r in records {
                match table.dispatch(&r.topic, r.partition, r.offset) {
                    Dispatched::Tracked(epoch) => {
                        epochs.push(epoch);
                        batch.push(r);
                    }
                    other => {
                        tracing::debug!(topic = %r.topic, partition = r.partition, offset = r.offset, outcome = ?other, "Dropped a batched record (revoked partition or duplicate).");
                    }
                }
            }
        }
        if batch.is_empty() {
            return Ok(Flushed::Done);
        }
        // Oversized records are dead-lettered without being written.
        let max = self.config.max_message_bytes;
        let mut rejects: Vec<(usize, Reject)> = Vec::new();
        let mut writable: Vec<InputRecord> = Vec::with_capacity(batch.len());
        let mut writable_index: Vec<usize> = Vec::with_capacity(batch.len());
        for (i, r) in batch.iter().enumerate() {
            let len = r.payload_len();
            if len > max {
                rejects.push((
                    i,
                    Reject::new(
                        STAGE_INTAKE,
                        KIND_TOO_LARGE,
                        format!("key and value are {len} bytes, over the limit of {max} bytes"),
                    ),
                ));
            } else {
                writable.push(r.clone());
                writable_index.push(i);
            }
        }

        let mut backoff = self.sink_config.retry_backoff;
        let mut paused: Option<rdkafka::TopicPartitionList> = None;
        let outcome = loop {
            let started = Instant::now();
            let result = if writable.is_empty() {
                Ok(Vec::new())
            } else {
                crate::isolate::write_isolating(&mut self.sink, &writable).await
            };
            match result {
                Ok(sink_rejects) => {
                    self.metrics
                        .write_seconds
                        .observe(started.elapsed().as_secs_f64());
                    for (i, reject) in sink_rejects {
                        if let Some(&orig) = writable_index.get(i) {
                            rejects.push((orig, reject));
                        }
                    }
                    break None;
                }
                // write_isolating resolves every permanent error into rejects.
                Err(SinkError::Fatal(message) | SinkError::Permanent(message)) => {
                    tracing::error!(sink = self.sink.name(), error = %message, "The sink failed fatally; stopping.");
                    break Some(Err(RunSinkError::Sink(message)));
                }
                Err(SinkError::Transient(message)) => {
                    if !retry {
                        break Some(Ok(Flushed::Interrupted));
                    }
                    self.metrics.retries.inc();
                    self.summary.retries += 1;
                    // Retrying an unavailable store is the loop working, not stuck: a restart
                    // would only retry the same way.
                    self.shared.liveness.progressed();
                    tracing::warn!(
                        sink = self.sink.name(),
                        error = %message,
                        backoff_ms = backoff.as_millis() as u64,
                        records = writable.len(),
                        "A batch write failed; consumption is paused and the batch will be written again."
                    );
                    if paused.is_none() {
                        if let Ok(assignment) = self.consumer.assignment() {
                            if self.consumer.pause(&assignment).is_ok() {
                                paused = Some(assignment);
                            }
                        }
                    }
                    // Wait out the backoff while serving the consumer (heartbeats, rebalances).
                    let until = tokio::time::Instant::now() + backoff;
                    let mut stop = false;
                    loop {
                        tokio::select! {
                            biased;
                            _ = shutdown.as_mut() => { stop = true; break },
                            _ = tokio::time::sleep_until(until) => break,
                            next = stream.next() => {
                                if let Some(Ok(message)) = next {
                                    let input = to_input(&message);
                                    drop(message);
                                    self.metrics.messages_in.inc();
                                    self.summary.records_in += 1;
                                    carry.push(input);
                                }
                            }
                        }
                    }
                    if stop {
                        break Some(Ok(Flushed::Interrupted));
                    }
                    backoff = (backoff * 2).min(self.sink_config.retry_max_backoff);
                }
            }
        };
        if let Some(paused) = paused {
            // Resume what is still assigned (a rebalance may have taken some away).
            if let Ok(assignment) = self.consumer.assignment() {
                let mut resume = rdkafka::TopicPartitionList::new();
                for e in paused.elements() {
                    if assignment
                        .find_partition(e.topic(), e.partition())
                        .is_some()
                    {
                        resume.add_partition(e.topic(), e.partition());
                    }
                }
                if let Err(err) = self.consumer.resume(&resume) {
                    tracing::warn!(error = %err, "Could not resume the paused partitions.");
                }
            }
        }
        if let Some(outcome) = outcome {
            return outcome;
        }

        // Dead letters first; a record is done only once its dead letter is acknowledged.
        let mut undone = vec![false; batch.len()];
        for (i, reject) in &rejects {
            let input = &batch[*i];
            let mut record = dlq::dead_letter(
                &self.config.dlq_topic,
                input,
                reject,
                &self.config.worker_name,
            );
            loop {
                match self.sender.send(&record).await {
                    Ok(()) => {
                        self.shared
                            .metrics
                            .dead_lettered
                            .with_label_values(&[&reject.stage, &reject.kind])
                            .inc();
                        self.summary.dead_lettered += 1;
                        tracing::info!(stage = %reject.stage, kind = %reject.kind, error = %reject.message, topic = %input.topic, partition = input.partition, offset = input.offset, "A record was dead-lettered.");
                        break;
                    }
                    Err(SendError::Refused(err)) => match dlq::shrink(&record) {
                        Some(smaller) => {
                            tracing::warn!(error = %err, "The broker refused a dead letter; sending it again without the original payload.");
                            record = smaller;
                        }
                        None => {
                            undone[*i] = true;
                            break;
                        }
                    },
                    Err(SendError::Abandoned | SendError::Fatal) => {
                        undone[*i] = true;
                        break;
                    }
                }
            }
        }
        let written = (batch.len() - rejects.len()) as u64;
        self.summary.records_written += written;
        self.summary.batches += 1;
        self.metrics.written.inc_by(written);
        self.metrics.batches.inc();
        {
            let mut table = self.shared.table();
            for ((r, epoch), undone) in batch.iter().zip(&epochs).zip(&undone) {
                if !undone {
                    table.complete(&r.topic, r.partition, *epoch, r.offset);
                }
            }
        }
        self.shared.table_changed.notify_all();
        commit_now(self.consumer.clone(), self.shared.clone(), "batch").await;
        Ok(Flushed::Done)
    }
}

/// Commits every partition's safe offset, on a blocking thread. Returns whether it succeeded.
async fn commit_now(consumer: Arc<Consumer_>, shared: Arc<Shared>, why: &'static str) -> bool {
    tokio::task::spawn_blocking(move || {
        let _commits = shared.lock_commits();
        let offsets = shared.table().commit_candidates();
        shared.commit_offsets(&*consumer, &offsets, why)
    })
    .await
    .unwrap_or(false)
}

/// Copies a consumed message into an owned [`InputRecord`].
fn to_input(m: &BorrowedMessage<'_>) -> InputRecord {
    InputRecord {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers: m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            h.key.to_string(),
                            h.value.map(<[u8]>::to_vec).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        timestamp_ms: m.timestamp().to_millis(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sink_table_is_split_from_the_runtime_keys() {
        let text = r#"
brokers = "b:9092"
group_id = "g"
input_topics = ["reports.indicators"]
[sink]
batch_max_records = 10
database_url = "postgres://x"
"#;
        let (raw, sink) = split_sink_table(text, Path::new("t.toml")).unwrap();
        assert_eq!(raw.brokers.as_deref(), Some("b:9092"));
        assert_eq!(sink["database_url"].as_str(), Some("postgres://x"));
        let c = RawSinkConfig::from_table(&sink)
            .unwrap()
            .into_config()
            .unwrap();
        assert_eq!(c.batch_max_records, 10);
        assert_eq!(c.batch_max, Duration::from_millis(DEFAULT_BATCH_MAX_MS));
        assert!(split_sink_table("nope = 1", Path::new("t")).is_err());
    }

    #[test]
    fn unknown_sink_keys_are_refused_by_name() {
        let table: toml::Table = toml::from_str("batch_max_records = 10\ndir = \"x\"").unwrap();
        assert!(RawSinkConfig::check_keys(&table, &["dir"]).is_ok());
        let typo: toml::Table = toml::from_str("batch_max_recods = 10").unwrap();
        let err = RawSinkConfig::check_keys(&typo, &["dir"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown key `batch_max_recods`"), "{err}");
    }

    #[test]
    fn invalid_batch_settings_are_refused() {
        let raw = RawSinkConfig {
            batch_max_records: Some(0),
            ..Default::default()
        };
        assert!(raw.into_config().is_err());
        let raw = RawSinkConfig {
            sink_retry_backoff_ms: Some(100),
            sink_retry_max_backoff_ms: Some(10),
            ..Default::default()
        };
        assert!(raw.into_config().is_err());
    }
}
