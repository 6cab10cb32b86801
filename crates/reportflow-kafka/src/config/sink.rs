//! The `[sink]` table of a storage consumer's configuration file: the batch and retry keys
//! of [`crate::run_sink`] ([`RawSinkConfig`], defined like the runtime keys) next to the sink's
//! own keys (`database_url`, `dir`, …), both read strictly, so a typo is refused with its name.
//! The environment layer of the batch keys is `REPORTFLOW_<KEY>`, read from an [`Env`].

use std::path::Path;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::keys::Layer;
use super::layers::{from_table, read_text, Env};
use super::{ConfigError, RawConfig};

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

/// The batch and retry settings of [`crate::run_sink`].
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
        RawSinkConfig::default()
            .into_config()
            .expect("the defaults are valid")
    }
}

crate::config_keys! {
    /// The batch keys of the `[sink]` table, as written (every key optional, for layering).
    pub struct RawSinkConfig {
        /// Most records in one batch. Default 5000 (the Parquet sink: 100000).
        pub batch_max_records: usize = DEFAULT_BATCH_MAX_RECORDS,
        /// Most key + value bytes in one batch. Default 67108864 (64 MiB).
        pub batch_max_bytes: usize = DEFAULT_BATCH_MAX_BYTES,
        /// Longest time a batch stays open, in milliseconds. Default 1000 (the Parquet sink:
        /// 30000).
        pub batch_max_ms: u64 = DEFAULT_BATCH_MAX_MS,
        /// First backoff after a transient write error, in milliseconds. Default 200.
        pub sink_retry_backoff_ms: u64 = DEFAULT_SINK_RETRY_BACKOFF_MS,
        /// Cap of that backoff, in milliseconds. Default 30000.
        pub sink_retry_max_backoff_ms: u64 = DEFAULT_SINK_RETRY_MAX_BACKOFF_MS,
    }
    tables {}
}

impl RawSinkConfig {
    /// Refuses a `[sink]` table with a key that is neither a batch key ([`Layer::KEYS`]) nor
    /// one of the sink's `own` keys, naming it: a typo must not fall back to a default
    /// silently.
    pub fn check_keys(table: &toml::Table, own: &[&str]) -> Result<(), ConfigError> {
        let known = |k: &str| Self::KEYS.contains(&k) || own.contains(&k);
        match table.keys().find(|k| !known(k)) {
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

    /// Reads the batch keys of a `[sink]` table (the other keys are the sink's, left alone).
    pub fn from_table(table: &toml::Table) -> Result<Self, ConfigError> {
        from_table(partition(table).0, Path::new("[sink]"))
    }

    /// Reads `REPORTFLOW_BATCH_MAX_RECORDS`, `REPORTFLOW_BATCH_MAX_BYTES`,
    /// `REPORTFLOW_BATCH_MAX_MS`, `REPORTFLOW_SINK_RETRY_BACKOFF_MS` and
    /// `REPORTFLOW_SINK_RETRY_MAX_BACKOFF_MS` from `env`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(env.layer::<Self>()?.0)
    }

    /// Layers `over` on top of `self` (keys set in `over` win).
    pub fn merge(self, over: RawSinkConfig) -> RawSinkConfig {
        Layer::merge(self, over)
    }

    /// Validates and fills in defaults.
    pub fn into_config(self) -> Result<SinkConfig, ConfigError> {
        let r = Self::defaults().merge(self);
        let ms = |v: Option<u64>| Duration::from_millis(v.unwrap_or_default());
        let c = SinkConfig {
            batch_max_records: r.batch_max_records.unwrap_or_default(),
            batch_max_bytes: r.batch_max_bytes.unwrap_or_default(),
            batch_max: ms(r.batch_max_ms),
            retry_backoff: ms(r.sink_retry_backoff_ms),
            retry_max_backoff: ms(r.sink_retry_max_backoff_ms),
        };
        let bad = |key: &str, message: &str| ConfigError::Invalid {
            key: format!("sink.{key}"),
            message: message.to_string(),
        };
        for (key, zero) in [
            ("batch_max_records", c.batch_max_records == 0),
            ("batch_max_bytes", c.batch_max_bytes == 0),
            ("batch_max_ms", c.batch_max.is_zero()),
            ("sink_retry_backoff_ms", c.retry_backoff.is_zero()),
        ] {
            if zero {
                return Err(bad(key, "must be at least 1"));
            }
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

/// `table` split into the batch keys and the rest (the sink's own keys).
fn partition(table: &toml::Table) -> (toml::Table, toml::Table) {
    table
        .clone()
        .into_iter()
        .partition(|(k, _)| RawSinkConfig::KEYS.contains(&k.as_str()))
}

/// Reads a `[sink]` table strictly: the batch keys into a [`RawSinkConfig`], every other key
/// into the sink's own `T` (a struct with `#[serde(deny_unknown_fields)]`), so that a key
/// neither knows is refused with its name.
pub fn parse_sink_table<T: DeserializeOwned>(
    table: &toml::Table,
) -> Result<(RawSinkConfig, T), ConfigError> {
    let (batch, own) = partition(table);
    let origin = Path::new("[sink]");
    let own = from_table(own, origin).map_err(|e| match e {
        // A typo of a batch key lands among the sink's keys: name those too.
        ConfigError::Parse { path, message } if message.contains("unknown field") => {
            ConfigError::Parse {
                path,
                message: format!(
                    "{message} (or one of the batch keys {})",
                    RawSinkConfig::KEYS.join(", ")
                ),
            }
        }
        other => other,
    })?;
    Ok((from_table(batch, origin)?, own))
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
    Ok((from_table(table, origin)?, sink))
}

/// Reads a sink's configuration file (if any): the runtime layer and the `[sink]` table.
pub fn read_sink_file(path: Option<&Path>) -> Result<(RawConfig, toml::Table), ConfigError> {
    match path {
        None => Ok((RawConfig::default(), toml::Table::new())),
        Some(path) => split_sink_table(&read_text(path)?, path),
    }
}
