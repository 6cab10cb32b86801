//! The batch sink loop: consume → batch → write → commit, for storage consumers.
//!
//! A storage consumer (the PostgreSQL and Parquet sinks) supplies a [`Sink`]; [`run_sink`]
//! (the loop, in `sink/batch.rs`) runs in the same session as the workers' loops (clients,
//! configuration, rebalance handling, metrics, `/health` `/ready`, the dead-letter path,
//! commits and the closing sequence):
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
//! Configuration: the runtime keys of [`RuntimeConfig`](crate::RuntimeConfig) plus a `[sink]`
//! table in the same TOML file ([`SinkConfig`] reads the batch and retry keys from it, each
//! sink reads its own keys, such as `database_url` or `dir`). [`split_sink_table`] separates
//! the two.

use std::future::Future;

use crate::config::ConfigError;
use crate::error::Error;
use crate::record::{InputRecord, Reject};

mod batch;

pub use self::batch::run_sink;

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

pub use crate::config::sink::{
    parse_sink_table, read_sink_file, split_sink_table, RawSinkConfig, SinkConfig,
    DEFAULT_BATCH_MAX_BYTES, DEFAULT_BATCH_MAX_MS, DEFAULT_BATCH_MAX_RECORDS,
    DEFAULT_SINK_RETRY_BACKOFF_MS, DEFAULT_SINK_RETRY_MAX_BACKOFF_MS,
};

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
