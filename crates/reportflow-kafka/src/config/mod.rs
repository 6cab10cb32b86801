//! Configuration: a TOML file, `REPORTFLOW_*` environment variables and flags, layered.
//!
//! Each key is defined once, in [`keys`]: a field of [`RawConfig`] with its type, default and
//! doc comment. Every source is read into that same all-optional struct (the file with
//! `deny_unknown_fields`, the environment through an [`Env`] the caller passes in, the flags by
//! the binaries' [`crate::args`]); layers are merged with [`RawConfig::merge`] (later wins:
//! file < environment < flags) and [`RawConfig::into_config`] fills in the defaults and
//! validates the result into a typed [`RuntimeConfig`]. The `[sink]` table of the storage
//! consumers is layered the same way ([`sink`]). `config.example.toml` next to this crate's
//! `Cargo.toml` documents every key with its default; a test keeps it in step.
//!
//! Environment mapping: `REPORTFLOW_<KEY>` sets the top-level key `<key>` (upper case,
//! e.g. `REPORTFLOW_GROUP_ID`, `REPORTFLOW_COMMIT_INTERVAL_MS`; `REPORTFLOW_INPUT_TOPICS` is
//! comma-separated). `REPORTFLOW_KAFKA__<PROP>` sets the librdkafka property `<prop>` in the
//! `[kafka]` table, lower-cased with each `_` turned into `.`
//! (`REPORTFLOW_KAFKA__SASL_MECHANISM` → `sasl.mechanism`); `REPORTFLOW_KAFKA_CONSUMER__<PROP>`
//! and `REPORTFLOW_KAFKA_PRODUCER__<PROP>` do the same for `[kafka_consumer]` and
//! `[kafka_producer]`. A property whose name contains `_` can only be set in the file.
//! `REPORTFLOW_TOPICS__<NAME>` sets `<name>` (lower-cased) in the `[topics]` table, the output
//! topic names of a worker (`REPORTFLOW_TOPICS__NORMALIZED=reports.normalized`). Other
//! `REPORTFLOW_*` variables are left alone (other tools use the prefix) and reported back.
//!
//! The `[topics]` table maps a worker's logical output names (`normalized`, `documents`,
//! `sections`, `indicators`, …) to topic names. The runtime itself never reads it: each worker
//! documents the names it uses and looks them up with [`RuntimeConfig::topic`], falling back
//! to its own default.

pub mod example;
pub mod keys;
mod layers;
pub mod sink;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

pub use self::keys::{FromEnv, Layer, RawConfig};
pub use self::layers::Env;
pub use self::validate::default_worker_name;

/// Default dead-letter topic.
pub const DEFAULT_DLQ_TOPIC: &str = "reports.dlq";
/// Default limit on key + value size of one input message: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// Default most input bytes being processed at once (32 MiB): one huge document at a time.
pub const DEFAULT_MAX_IN_FLIGHT_BYTES: usize = 32 * 1024 * 1024;
/// Default interval between periodic offset commits.
pub const DEFAULT_COMMIT_INTERVAL_MS: u64 = 1_000;
/// Default graceful-shutdown deadline.
pub const DEFAULT_SHUTDOWN_TIMEOUT_MS: u64 = 30_000;
/// Default longest wait for in-flight work of revoked partitions.
pub const DEFAULT_REVOKE_TIMEOUT_MS: u64 = 5_000;
/// Default time without progress, with partitions and pending input, after which `/health`
/// fails (see [`crate::liveness`]).
pub const DEFAULT_LIVENESS_TIMEOUT_MS: u64 = 300_000;
/// Default librdkafka statistics interval (drives the consumer-lag gauge).
pub const DEFAULT_STATS_INTERVAL_MS: u64 = 5_000;
/// Default first backoff of the runtime's own produce retries.
pub const DEFAULT_PRODUCE_RETRY_BACKOFF_MS: u64 = 100;
/// Default cap of the runtime's own produce retry backoff.
pub const DEFAULT_PRODUCE_RETRY_MAX_BACKOFF_MS: u64 = 10_000;
/// Default address of the metrics / health HTTP server.
pub const DEFAULT_HTTP_ADDR: &str = "0.0.0.0:9100";
/// Default log filter when `RUST_LOG` is not set.
pub const DEFAULT_LOG_LEVEL: &str = "info";

/// Prefix of every environment variable the runtime reads.
pub const ENV_PREFIX: &str = "REPORTFLOW_";

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys / wrong types.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file (or `<string>`).
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// An environment variable has a value of the wrong type.
    #[error("invalid environment variable {name}: {message}")]
    Env {
        /// The variable.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A required key is missing.
    #[error("missing required setting `{0}` (config file key, or REPORTFLOW_{upper} in the environment)", upper = .0.to_uppercase())]
    Missing(&'static str),
    /// A key has an invalid value.
    #[error("invalid value for `{key}`: {message}")]
    Invalid {
        /// The key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        message: message.into(),
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One JSON object per line (production).
    #[default]
    Json,
    /// Human-readable text (development).
    Text,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(LogFormat::Json),
            "text" => Ok(LogFormat::Text),
            other => Err(format!("expected `json` or `text`, got `{other}`")),
        }
    }
}

/// What delivery a worker guarantees for each input's outputs (the `processing_guarantee` key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProcessingGuarantee {
    /// Outputs are acknowledged before the input's offset is committed; after a crash or a
    /// rebalance some outputs are produced again (deduplicated downstream by `doc_id`).
    #[default]
    AtLeastOnce,
    /// Outputs, dead letters and offsets are written in one Kafka transaction per batch: a
    /// `read_committed` consumer sees each input's outputs exactly once. Needs `instance_id`
    /// and a broker with transactions (not the embedded one).
    ExactlyOnce,
}

impl FromStr for ProcessingGuarantee {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "at_least_once" => Ok(ProcessingGuarantee::AtLeastOnce),
            "exactly_once" => Ok(ProcessingGuarantee::ExactlyOnce),
            other => Err(format!(
                "expected `at_least_once` or `exactly_once`, got `{other}`"
            )),
        }
    }
}

impl fmt::Display for ProcessingGuarantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProcessingGuarantee::AtLeastOnce => "at_least_once",
            ProcessingGuarantee::ExactlyOnce => "exactly_once",
        })
    }
}

/// The validated configuration of one worker.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeConfig {
    /// librdkafka `bootstrap.servers`.
    pub brokers: String,
    /// librdkafka `group.id`.
    pub group_id: String,
    /// Topics to consume.
    pub input_topics: Vec<String>,
    /// Dead-letter topic.
    pub dlq_topic: String,
    /// Most messages consumed and not yet fully acknowledged downstream.
    pub max_in_flight: usize,
    /// Most messages processed at once.
    pub processing_threads: usize,
    /// Largest key + value processed; larger inputs are dead-lettered.
    pub max_message_bytes: usize,
    /// Most input bytes in flight at once (an input larger than this runs alone).
    pub max_in_flight_bytes: usize,
    /// Interval of periodic commits.
    pub commit_interval: Duration,
    /// Graceful-shutdown deadline.
    pub shutdown_timeout: Duration,
    /// Longest wait for in-flight work of revoked partitions.
    pub revoke_timeout: Duration,
    /// Time without progress after which `/health` fails (`None`: never).
    pub liveness_timeout: Option<Duration>,
    /// librdkafka statistics interval (zero: off).
    pub stats_interval: Duration,
    /// First backoff of the runtime's produce retries.
    pub produce_retry_backoff: Duration,
    /// Cap of the produce retry backoff.
    pub produce_retry_max_backoff: Duration,
    /// Address of the HTTP server.
    pub http_addr: SocketAddr,
    /// Value of the `reportflow.worker` dead-letter header.
    pub worker_name: String,
    /// librdkafka `group.instance.id` (static membership), if set.
    pub instance_id: Option<String>,
    /// At-least-once (default) or exactly-once (transactions) processing.
    pub processing_guarantee: ProcessingGuarantee,
    /// Log format.
    pub log_format: LogFormat,
    /// Log filter used when `RUST_LOG` is unset.
    pub log_level: String,
    /// librdkafka properties for both clients.
    pub kafka: BTreeMap<String, String>,
    /// librdkafka properties for the consumer only.
    pub kafka_consumer: BTreeMap<String, String>,
    /// librdkafka properties for the producer only.
    pub kafka_producer: BTreeMap<String, String>,
    /// Output topic names by logical name (the `[topics]` table); see [`RuntimeConfig::topic`].
    pub topics: BTreeMap<String, String>,
}

impl RuntimeConfig {
    /// A configuration with every optional setting at its default.
    pub fn new(
        brokers: impl Into<String>,
        group_id: impl Into<String>,
        input_topics: Vec<String>,
    ) -> Self {
        RawConfig::default()
            .resolve(brokers.into(), group_id.into(), input_topics)
            .expect("the defaults are valid")
    }

    /// The output topic configured under the logical `name` in `[topics]`, else `default`.
    pub fn topic(&self, name: &str, default: &str) -> String {
        self.topics
            .get(name)
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
            .unwrap_or(default)
            .to_string()
    }

    /// Loads the layered configuration: the optional file, then the process environment,
    /// then `flags`. Returns it with the unrecognised `REPORTFLOW_*` variable names.
    pub fn load(
        file: Option<&Path>,
        flags: RawConfig,
    ) -> Result<(RuntimeConfig, Vec<String>), ConfigError> {
        Self::load_from(file, &Env::process(), flags)
    }

    /// [`RuntimeConfig::load`] with the environment `env`.
    pub fn load_from(
        file: Option<&Path>,
        env: &Env,
        flags: RawConfig,
    ) -> Result<(RuntimeConfig, Vec<String>), ConfigError> {
        let base = match file {
            Some(path) => RawConfig::from_file(path)?,
            None => RawConfig::default(),
        };
        let (env, unrecognized) = env.layer::<RawConfig>()?;
        let config = base.merge(env).merge(flags).into_config()?;
        Ok((config, unrecognized))
    }

    /// The producer's `transactional.id` in exactly-once mode: `<group_id>-<instance_id>`,
    /// stable across restarts so that a restarted instance fences its predecessor and aborts
    /// its open transaction. `None` in at-least-once mode.
    pub fn transactional_id(&self) -> Option<String> {
        match (self.processing_guarantee, &self.instance_id) {
            (ProcessingGuarantee::ExactlyOnce, Some(id)) => Some(format!("{}-{id}", self.group_id)),
            _ => None,
        }
    }

    /// The librdkafka properties of the consumer, in the order they are applied.
    pub fn consumer_properties(&self) -> BTreeMap<String, String> {
        let mut p = BTreeMap::new();
        // Overridable defaults.
        p.insert("auto.offset.reset".into(), "earliest".into());
        p.insert(
            "statistics.interval.ms".into(),
            self.stats_interval.as_millis().to_string(),
        );
        p.extend(self.kafka.clone());
        p.extend(self.kafka_consumer.clone());
        // Enforced.
        p.insert("bootstrap.servers".into(), self.brokers.clone());
        p.insert("group.id".into(), self.group_id.clone());
        if let Some(id) = &self.instance_id {
            p.insert("group.instance.id".into(), id.clone());
        }
        p.insert("enable.auto.commit".into(), "false".into());
        p.insert("enable.auto.offset.store".into(), "false".into());
        // Never read what an exactly-once upstream aborted or has not committed yet; with
        // non-transactional producers upstream it changes nothing.
        p.insert("isolation.level".into(), "read_committed".into());
        p.insert(
            "partition.assignment.strategy".into(),
            "cooperative-sticky".into(),
        );
        p
    }

    /// The librdkafka properties of the producer.
    pub fn producer_properties(&self) -> BTreeMap<String, String> {
        let mut p = BTreeMap::new();
        // Overridable defaults: room for a dead letter that carries a maximal input.
        let room = self
            .max_message_bytes
            .saturating_add(64 * 1024)
            .max(1_000_000);
        p.insert("message.max.bytes".into(), room.to_string());
        // Reports are text: zstd shrinks them several times, and the broker's size limits
        // (message.max.bytes, the topic's max.message.bytes) apply to the compressed batch.
        p.insert("compression.type".into(), "zstd".into());
        p.insert(
            "statistics.interval.ms".into(),
            self.stats_interval.as_millis().to_string(),
        );
        p.extend(self.kafka.clone());
        p.extend(self.kafka_producer.clone());
        p.insert("bootstrap.servers".into(), self.brokers.clone());
        p.insert("enable.idempotence".into(), "true".into());
        p.insert("acks".into(), "all".into());
        if let Some(id) = self.transactional_id() {
            p.insert("transactional.id".into(), id);
        }
        // Consumer-only properties in the shared table would only produce warnings.
        p.remove("group.id");
        p
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Json => "json",
            LogFormat::Text => "text",
        })
    }
}
