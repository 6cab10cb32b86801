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
//! Configuration: the runtime keys of [`RuntimeConfig`](crate::RuntimeConfig) plus a `[sink]`
//! table in the same TOML file ([`SinkConfig`] reads the batch and retry keys from it, each
//! sink reads its own keys, such as `database_url` or `dir`). [`split_sink_table`] separates
//! the two.

use std::future::Future;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{ConfigError, RawConfig};
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
