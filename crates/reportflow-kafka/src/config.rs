//! Configuration: a TOML file, `REPORTFLOW_*` environment variables and flags, layered.
//!
//! Every source deserializes into the same [`RawConfig`] (all fields optional); layers are
//! merged with [`RawConfig::merge`] (later wins: file < environment < flags) and
//! [`RawConfig::into_config`] validates the result into a typed [`RuntimeConfig`]. The binaries
//! parse their own flags into a `RawConfig`. `config.example.toml` next to this crate's
//! `Cargo.toml` documents every key with its default.
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

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, Deserializer};
use serde::Deserialize;

/// Default dead-letter topic.
pub const DEFAULT_DLQ_TOPIC: &str = "reports.dlq";
/// Default limit on key + value size of one input message: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
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

/// librdkafka properties the runtime sets itself, with the only value it accepts from the
/// `[kafka*]` tables (`None`: set it through the dedicated key instead).
const ENFORCED: &[(&str, Option<&[&str]>)] = &[
    ("bootstrap.servers", None),
    ("group.id", None),
    ("enable.auto.commit", Some(&["false"])),
    ("enable.auto.offset.store", Some(&["false"])),
    ("enable.idempotence", Some(&["true"])),
    ("acks", Some(&["all", "-1"])),
    ("request.required.acks", Some(&["all", "-1"])),
    (
        "partition.assignment.strategy",
        Some(&["cooperative-sticky"]),
    ),
    ("transactional.id", None),
    ("group.instance.id", None),
    // Downstream of an exactly-once worker, aborted and open transactions must stay unseen.
    ("isolation.level", Some(&["read_committed"])),
];

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

/// The configuration as written: every key optional, so that file, environment and flags can
/// be layered. See `config.example.toml` for every key with its default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Kafka bootstrap servers, comma-separated `host:port` (librdkafka `bootstrap.servers`).
    /// Required.
    pub brokers: Option<String>,
    /// Consumer group id (librdkafka `group.id`). Required.
    pub group_id: Option<String>,
    /// Topics to consume. Required, at least one.
    pub input_topics: Option<Vec<String>>,
    /// Topic dead letters go to. Default `reports.dlq`.
    pub dlq_topic: Option<String>,
    /// Most messages in flight at once: consumed but not yet fully acknowledged downstream.
    /// Default: 4 × `processing_threads`, at least 8.
    pub max_in_flight: Option<usize>,
    /// Most messages processed (CPU work) at once. Default: the number of CPU cores.
    pub processing_threads: Option<usize>,
    /// Largest input (key + value bytes) that is processed; larger ones are dead-lettered with
    /// kind `too_large`. Default 16777216 (16 MiB).
    pub max_message_bytes: Option<usize>,
    /// Interval between periodic offset commits, in milliseconds. Default 1000.
    pub commit_interval_ms: Option<u64>,
    /// Deadline for a graceful shutdown (finish in-flight work, commit, flush), in
    /// milliseconds. Default 30000.
    pub shutdown_timeout_ms: Option<u64>,
    /// On a partition revocation (rebalance), how long to wait for the partitions' in-flight
    /// messages to finish before committing and handing them over, in milliseconds; what is
    /// still in flight then is redone by the new owner. Default 5000.
    pub revoke_timeout_ms: Option<u64>,
    /// `/health` fails (503) after this many milliseconds without progress (a commit) while
    /// the process holds partitions and its consumer lag is above 0: a stuck loop gets
    /// restarted by the liveness probe. 0 disables the check. Default 300000.
    pub liveness_timeout_ms: Option<u64>,
    /// librdkafka statistics interval in milliseconds; drives the consumer-lag gauge. 0
    /// disables statistics (and the lag gauge). Default 5000.
    pub stats_interval_ms: Option<u64>,
    /// First backoff before the runtime re-sends a record whose delivery failed, in
    /// milliseconds; doubles on each failure. Default 100.
    pub produce_retry_backoff_ms: Option<u64>,
    /// Cap of that backoff, in milliseconds. Default 10000.
    pub produce_retry_max_backoff_ms: Option<u64>,
    /// Address of the HTTP server serving `/metrics`, `/health` and `/ready`. Default
    /// `0.0.0.0:9100`; port 0 picks a free port.
    pub http_addr: Option<String>,
    /// Name of this worker, written in the `reportflow.worker` header of dead letters.
    /// Default `<hostname>-<pid>`.
    pub worker_name: Option<String>,
    /// Static group membership (librdkafka `group.instance.id`): a stable name of this
    /// instance (the pod or container name), unique within the consumer group. A restarted
    /// instance with the same name takes its partitions back at once instead of waiting for
    /// the dead member's session to expire. Unset (the default): dynamic membership.
    pub instance_id: Option<String>,
    /// `at_least_once` (the default) or `exactly_once`: outputs, dead letters and offsets in
    /// one Kafka transaction per batch, with `transactional.id` = `<group_id>-<instance_id>`
    /// (so `instance_id` is required). Batches hold at most `max_in_flight` inputs collected
    /// for at most `commit_interval_ms`.
    pub processing_guarantee: Option<ProcessingGuarantee>,
    /// Log format: `json` or `text`. Default `json`.
    pub log_format: Option<LogFormat>,
    /// Log filter (tracing `EnvFilter` syntax) used when `RUST_LOG` is not set. Default `info`.
    pub log_level: Option<String>,
    /// librdkafka properties for both the consumer and the producer, passed through unchanged
    /// (SASL, TLS, client ids, timeouts, …). Nested tables are flattened with dots; quote
    /// dotted names (`"sasl.mechanism" = "PLAIN"`) to be safe.
    #[serde(default, deserialize_with = "de_properties")]
    pub kafka: Option<BTreeMap<String, String>>,
    /// librdkafka properties for the consumer only; they win over `[kafka]`.
    #[serde(default, deserialize_with = "de_properties")]
    pub kafka_consumer: Option<BTreeMap<String, String>>,
    /// librdkafka properties for the producer only; they win over `[kafka]`.
    #[serde(default, deserialize_with = "de_properties")]
    pub kafka_producer: Option<BTreeMap<String, String>>,
    /// Output topic names by logical name (`normalized = "reports.normalized"`); which names a
    /// worker reads is the worker's business. Default: empty (every worker's defaults).
    #[serde(default)]
    pub topics: Option<BTreeMap<String, String>>,
}

/// Deserializes a table of librdkafka properties: scalars become strings, arrays are joined
/// with commas, nested tables are flattened with dots.
fn de_properties<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    let table = Option::<toml::Table>::deserialize(d)?;
    let Some(table) = table else { return Ok(None) };
    let mut out = BTreeMap::new();
    flatten_properties("", &table, &mut out).map_err(de::Error::custom)?;
    Ok(Some(out))
}

fn flatten_properties(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten_properties(&key, t, out)?,
            toml::Value::Array(items) => {
                let parts = items
                    .iter()
                    .map(|i| {
                        scalar_to_string(i).ok_or_else(|| {
                            format!("`{key}`: arrays may only hold strings, numbers and booleans")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                insert_property(out, key, parts.join(","))?;
            }
            other => {
                let s = scalar_to_string(other)
                    .ok_or_else(|| format!("`{key}`: unsupported value type"))?;
                insert_property(out, key, s)?;
            }
        }
    }
    Ok(())
}

fn insert_property(
    out: &mut BTreeMap<String, String>,
    key: String,
    value: String,
) -> Result<(), String> {
    if out.contains_key(&key) {
        return Err(format!("property `{key}` is set twice"));
    }
    out.insert(key, value);
    Ok(())
}

fn scalar_to_string(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

impl RawConfig {
    /// Parses a TOML document. `origin` names it in error messages.
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Reads and parses a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text, path)
    }

    /// Reads the `REPORTFLOW_*` variables of the process environment. See
    /// [`RawConfig::from_env_vars`].
    pub fn from_env() -> Result<(Self, Vec<String>), ConfigError> {
        Self::from_env_vars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// Builds a layer from `(name, value)` pairs (the module docs give the mapping). Returns
    /// the layer and the names of the `REPORTFLOW_*` variables it did not recognise (other
    /// variables are ignored silently). Empty values count as unset.
    pub fn from_env_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(Self, Vec<String>), ConfigError> {
        let mut raw = RawConfig::default();
        let mut unrecognized = Vec::new();
        for (name, value) in vars {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let env_err = |message: String| ConfigError::Env {
                name: name.clone(),
                message,
            };
            let number = |v: &str| -> Result<u64, ConfigError> {
                v.trim()
                    .parse::<u64>()
                    .map_err(|e| env_err(format!("expected a non-negative integer: {e}")))
            };
            let size = |v: &str| -> Result<usize, ConfigError> {
                v.trim()
                    .parse::<usize>()
                    .map_err(|e| env_err(format!("expected a non-negative integer: {e}")))
            };
            if let Some(prop) = rest.strip_prefix("KAFKA_CONSUMER__") {
                raw.kafka_consumer
                    .get_or_insert_with(BTreeMap::new)
                    .insert(env_property_name(prop), value);
                continue;
            }
            if let Some(prop) = rest.strip_prefix("KAFKA_PRODUCER__") {
                raw.kafka_producer
                    .get_or_insert_with(BTreeMap::new)
                    .insert(env_property_name(prop), value);
                continue;
            }
            if let Some(name) = rest.strip_prefix("TOPICS__") {
                raw.topics
                    .get_or_insert_with(BTreeMap::new)
                    .insert(name.to_ascii_lowercase(), value);
                continue;
            }
            if let Some(prop) = rest.strip_prefix("KAFKA__") {
                raw.kafka
                    .get_or_insert_with(BTreeMap::new)
                    .insert(env_property_name(prop), value);
                continue;
            }
            match rest {
                "BROKERS" => raw.brokers = Some(value),
                "GROUP_ID" => raw.group_id = Some(value),
                "INPUT_TOPICS" => {
                    raw.input_topics = Some(
                        value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect(),
                    )
                }
                "DLQ_TOPIC" => raw.dlq_topic = Some(value),
                "MAX_IN_FLIGHT" => raw.max_in_flight = Some(size(&value)?),
                "PROCESSING_THREADS" => raw.processing_threads = Some(size(&value)?),
                "MAX_MESSAGE_BYTES" => raw.max_message_bytes = Some(size(&value)?),
                "COMMIT_INTERVAL_MS" => raw.commit_interval_ms = Some(number(&value)?),
                "SHUTDOWN_TIMEOUT_MS" => raw.shutdown_timeout_ms = Some(number(&value)?),
                "REVOKE_TIMEOUT_MS" => raw.revoke_timeout_ms = Some(number(&value)?),
                "LIVENESS_TIMEOUT_MS" => raw.liveness_timeout_ms = Some(number(&value)?),
                "STATS_INTERVAL_MS" => raw.stats_interval_ms = Some(number(&value)?),
                "PRODUCE_RETRY_BACKOFF_MS" => raw.produce_retry_backoff_ms = Some(number(&value)?),
                "PRODUCE_RETRY_MAX_BACKOFF_MS" => {
                    raw.produce_retry_max_backoff_ms = Some(number(&value)?)
                }
                "HTTP_ADDR" => raw.http_addr = Some(value),
                "WORKER_NAME" => raw.worker_name = Some(value),
                "INSTANCE_ID" => raw.instance_id = Some(value),
                "PROCESSING_GUARANTEE" => {
                    raw.processing_guarantee = Some(value.parse().map_err(env_err)?)
                }
                "LOG_FORMAT" => raw.log_format = Some(value.parse().map_err(env_err)?),
                "LOG_LEVEL" => raw.log_level = Some(value),
                _ => unrecognized.push(name.clone()),
            }
        }
        unrecognized.sort();
        Ok((raw, unrecognized))
    }

    /// Layers `over` on top of `self`: every key set in `over` wins; the `[kafka*]` tables are
    /// merged property by property.
    pub fn merge(self, over: RawConfig) -> RawConfig {
        fn props(
            base: Option<BTreeMap<String, String>>,
            over: Option<BTreeMap<String, String>>,
        ) -> Option<BTreeMap<String, String>> {
            match (base, over) {
                (None, o) => o,
                (b, None) => b,
                (Some(mut b), Some(o)) => {
                    b.extend(o);
                    Some(b)
                }
            }
        }
        RawConfig {
            brokers: over.brokers.or(self.brokers),
            group_id: over.group_id.or(self.group_id),
            input_topics: over.input_topics.or(self.input_topics),
            dlq_topic: over.dlq_topic.or(self.dlq_topic),
            max_in_flight: over.max_in_flight.or(self.max_in_flight),
            processing_threads: over.processing_threads.or(self.processing_threads),
            max_message_bytes: over.max_message_bytes.or(self.max_message_bytes),
            commit_interval_ms: over.commit_interval_ms.or(self.commit_interval_ms),
            shutdown_timeout_ms: over.shutdown_timeout_ms.or(self.shutdown_timeout_ms),
            revoke_timeout_ms: over.revoke_timeout_ms.or(self.revoke_timeout_ms),
            liveness_timeout_ms: over.liveness_timeout_ms.or(self.liveness_timeout_ms),
            stats_interval_ms: over.stats_interval_ms.or(self.stats_interval_ms),
            produce_retry_backoff_ms: over
                .produce_retry_backoff_ms
                .or(self.produce_retry_backoff_ms),
            produce_retry_max_backoff_ms: over
                .produce_retry_max_backoff_ms
                .or(self.produce_retry_max_backoff_ms),
            http_addr: over.http_addr.or(self.http_addr),
            worker_name: over.worker_name.or(self.worker_name),
            instance_id: over.instance_id.or(self.instance_id),
            processing_guarantee: over.processing_guarantee.or(self.processing_guarantee),
            log_format: over.log_format.or(self.log_format),
            log_level: over.log_level.or(self.log_level),
            kafka: props(self.kafka, over.kafka),
            kafka_consumer: props(self.kafka_consumer, over.kafka_consumer),
            kafka_producer: props(self.kafka_producer, over.kafka_producer),
            topics: props(self.topics, over.topics),
        }
    }

    /// Validates and fills in defaults.
    pub fn into_config(self) -> Result<RuntimeConfig, ConfigError> {
        let brokers = non_empty(self.brokers, "brokers")?;
        let group_id = non_empty(self.group_id, "group_id")?;
        let input_topics = self
            .input_topics
            .filter(|t| !t.is_empty())
            .ok_or(ConfigError::Missing("input_topics"))?;
        let processing_threads = self.processing_threads.unwrap_or_else(default_threads);
        let mut config = RuntimeConfig::new(brokers, group_id, input_topics);
        config.processing_threads = processing_threads;
        config.max_in_flight = self
            .max_in_flight
            .unwrap_or_else(|| default_max_in_flight(processing_threads));
        if let Some(v) = self.dlq_topic {
            config.dlq_topic = v;
        }
        if let Some(v) = self.max_message_bytes {
            config.max_message_bytes = v;
        }
        if let Some(v) = self.commit_interval_ms {
            config.commit_interval = Duration::from_millis(v);
        }
        if let Some(v) = self.shutdown_timeout_ms {
            config.shutdown_timeout = Duration::from_millis(v);
        }
        if let Some(v) = self.revoke_timeout_ms {
            config.revoke_timeout = Duration::from_millis(v);
        }
        if let Some(v) = self.liveness_timeout_ms {
            config.liveness_timeout = (v > 0).then(|| Duration::from_millis(v));
        }
        if let Some(v) = self.stats_interval_ms {
            config.stats_interval = Duration::from_millis(v);
        }
        if let Some(v) = self.produce_retry_backoff_ms {
            config.produce_retry_backoff = Duration::from_millis(v);
        }
        if let Some(v) = self.produce_retry_max_backoff_ms {
            config.produce_retry_max_backoff = Duration::from_millis(v);
        }
        if let Some(v) = self.http_addr {
            config.http_addr = v
                .trim()
                .parse()
                .map_err(|e| invalid("http_addr", format!("`{v}` is not an ip:port: {e}")))?;
        }
        if let Some(v) = self.worker_name {
            config.worker_name = v;
        }
        config.instance_id = self
            .instance_id
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if let Some(v) = self.processing_guarantee {
            config.processing_guarantee = v;
        }
        if let Some(v) = self.log_format {
            config.log_format = v;
        }
        if let Some(v) = self.log_level {
            config.log_level = v;
        }
        config.kafka = self.kafka.unwrap_or_default();
        config.kafka_consumer = self.kafka_consumer.unwrap_or_default();
        config.kafka_producer = self.kafka_producer.unwrap_or_default();
        config.topics = self.topics.unwrap_or_default();
        config.validate()?;
        Ok(config)
    }
}

/// Turns the part of an environment variable after `KAFKA__` into a librdkafka property name.
fn env_property_name(suffix: &str) -> String {
    suffix.to_ascii_lowercase().replace('_', ".")
}

fn non_empty(v: Option<String>, key: &'static str) -> Result<String, ConfigError> {
    match v {
        Some(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(_) => Err(invalid(key, "must not be empty")),
        None => Err(ConfigError::Missing(key)),
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn default_max_in_flight(processing_threads: usize) -> usize {
    (processing_threads * 4).max(8)
}

/// `<hostname>-<pid>`, the default worker name.
pub fn default_worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    format!("{host}-{}", std::process::id())
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
        let processing_threads = default_threads();
        RuntimeConfig {
            brokers: brokers.into(),
            group_id: group_id.into(),
            input_topics,
            dlq_topic: DEFAULT_DLQ_TOPIC.to_string(),
            max_in_flight: default_max_in_flight(processing_threads),
            processing_threads,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            commit_interval: Duration::from_millis(DEFAULT_COMMIT_INTERVAL_MS),
            shutdown_timeout: Duration::from_millis(DEFAULT_SHUTDOWN_TIMEOUT_MS),
            revoke_timeout: Duration::from_millis(DEFAULT_REVOKE_TIMEOUT_MS),
            liveness_timeout: Some(Duration::from_millis(DEFAULT_LIVENESS_TIMEOUT_MS)),
            stats_interval: Duration::from_millis(DEFAULT_STATS_INTERVAL_MS),
            produce_retry_backoff: Duration::from_millis(DEFAULT_PRODUCE_RETRY_BACKOFF_MS),
            produce_retry_max_backoff: Duration::from_millis(DEFAULT_PRODUCE_RETRY_MAX_BACKOFF_MS),
            http_addr: DEFAULT_HTTP_ADDR.parse().expect("valid default address"),
            worker_name: default_worker_name(),
            instance_id: None,
            processing_guarantee: ProcessingGuarantee::AtLeastOnce,
            log_format: LogFormat::Json,
            log_level: DEFAULT_LOG_LEVEL.to_string(),
            kafka: BTreeMap::new(),
            kafka_consumer: BTreeMap::new(),
            kafka_producer: BTreeMap::new(),
            topics: BTreeMap::new(),
        }
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
        let base = match file {
            Some(path) => RawConfig::from_file(path)?,
            None => RawConfig::default(),
        };
        let (env, unrecognized) = RawConfig::from_env()?;
        let config = base.merge(env).merge(flags).into_config()?;
        Ok((config, unrecognized))
    }

    /// Checks the invariants `into_config` guarantees (for configurations built by hand).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.brokers.trim().is_empty() {
            return Err(invalid("brokers", "must not be empty"));
        }
        if self.group_id.trim().is_empty() {
            return Err(invalid("group_id", "must not be empty"));
        }
        if self.input_topics.is_empty() {
            return Err(ConfigError::Missing("input_topics"));
        }
        if self.input_topics.iter().any(|t| t.trim().is_empty()) {
            return Err(invalid("input_topics", "topic names must not be empty"));
        }
        if self.dlq_topic.trim().is_empty() {
            return Err(invalid("dlq_topic", "must not be empty"));
        }
        if self.input_topics.contains(&self.dlq_topic) {
            return Err(invalid(
                "dlq_topic",
                format!("`{}` is also an input topic", self.dlq_topic),
            ));
        }
        if self.max_in_flight == 0 {
            return Err(invalid("max_in_flight", "must be at least 1"));
        }
        if self.processing_threads == 0 {
            return Err(invalid("processing_threads", "must be at least 1"));
        }
        if self.max_message_bytes == 0 {
            return Err(invalid("max_message_bytes", "must be at least 1"));
        }
        if self.commit_interval.is_zero() {
            return Err(invalid("commit_interval_ms", "must be at least 1"));
        }
        if self.produce_retry_backoff.is_zero() {
            return Err(invalid("produce_retry_backoff_ms", "must be at least 1"));
        }
        if self.produce_retry_max_backoff < self.produce_retry_backoff {
            return Err(invalid(
                "produce_retry_max_backoff_ms",
                "must be at least produce_retry_backoff_ms",
            ));
        }
        if self.worker_name.trim().is_empty() {
            return Err(invalid("worker_name", "must not be empty"));
        }
        if self.processing_guarantee == ProcessingGuarantee::ExactlyOnce
            && self.instance_id.is_none()
        {
            return Err(invalid(
                "processing_guarantee",
                "`exactly_once` needs `instance_id` (REPORTFLOW_INSTANCE_ID, --instance-id): a \
                 stable name of this instance, unique in the group, from which the \
                 transactional.id is made so that a restarted instance fences its dead \
                 predecessor",
            ));
        }
        for (name, topic) in &self.topics {
            if topic.trim().is_empty() {
                return Err(invalid(format!("topics.{name}"), "must not be empty"));
            }
            if self.input_topics.contains(topic) {
                return Err(invalid(
                    format!("topics.{name}"),
                    format!("`{topic}` is also an input topic"),
                ));
            }
        }
        for (table, props) in [
            ("kafka", &self.kafka),
            ("kafka_consumer", &self.kafka_consumer),
            ("kafka_producer", &self.kafka_producer),
        ] {
            for (key, value) in props {
                check_property(table, key, value)?;
            }
        }
        Ok(())
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

fn check_property(table: &str, key: &str, value: &str) -> Result<(), ConfigError> {
    for (name, allowed) in ENFORCED {
        if key != *name {
            continue;
        }
        return match allowed {
            None => Err(invalid(
                format!("{table}.{key}"),
                match key {
                    "bootstrap.servers" => "set it with `brokers`".to_string(),
                    "group.id" => "set it with `group_id`".to_string(),
                    "group.instance.id" => "set it with `instance_id`".to_string(),
                    _ => "is not supported by this runtime".to_string(),
                },
            )),
            Some(ok) if ok.iter().any(|v| v.eq_ignore_ascii_case(value.trim())) => Ok(()),
            Some(ok) => Err(invalid(
                format!("{table}.{key}"),
                format!(
                    "the runtime requires `{}` for its delivery guarantees, got `{value}`",
                    ok[0]
                ),
            )),
        };
    }
    Ok(())
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogFormat::Json => "json",
            LogFormat::Text => "text",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RawConfig, ConfigError> {
        RawConfig::from_toml_str(text, Path::new("<test>"))
    }

    fn minimal() -> RawConfig {
        parse(
            r#"
            brokers = "localhost:9092"
            group_id = "g"
            input_topics = ["reports.raw"]
            "#,
        )
        .unwrap()
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let c = minimal().into_config().unwrap();
        assert_eq!(c.brokers, "localhost:9092");
        assert_eq!(c.dlq_topic, "reports.dlq");
        assert_eq!(c.max_message_bytes, 16 * 1024 * 1024);
        assert_eq!(c.commit_interval, Duration::from_secs(1));
        assert_eq!(c.http_addr, "0.0.0.0:9100".parse().unwrap());
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(c.max_in_flight >= 8);
        assert!(!c.worker_name.is_empty());
    }

    #[test]
    fn example_file_parses_and_validates() {
        let text = include_str!("../config.example.toml");
        let raw = parse(text).unwrap();
        let c = raw.into_config().unwrap();
        assert_eq!(c.dlq_topic, "reports.dlq");
        assert_eq!(c.max_message_bytes, DEFAULT_MAX_MESSAGE_BYTES);
        assert_eq!(
            c.commit_interval.as_millis() as u64,
            DEFAULT_COMMIT_INTERVAL_MS
        );
        assert_eq!(
            c.shutdown_timeout.as_millis() as u64,
            DEFAULT_SHUTDOWN_TIMEOUT_MS
        );
        assert_eq!(
            c.revoke_timeout.as_millis() as u64,
            DEFAULT_REVOKE_TIMEOUT_MS
        );
        assert_eq!(
            c.kafka.get("client.id").map(String::as_str),
            Some("reportflow-worker")
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = parse("brokers = \"x\"\ncommit_interval = 5\n").unwrap_err();
        assert!(err.to_string().contains("commit_interval"), "{err}");
    }

    #[test]
    fn missing_required_keys_are_named() {
        let err = parse("group_id = \"g\"\ninput_topics=[\"a\"]")
            .unwrap()
            .into_config()
            .unwrap_err();
        assert!(matches!(err, ConfigError::Missing("brokers")), "{err}");
        assert!(err.to_string().contains("REPORTFLOW_BROKERS"));
    }

    #[test]
    fn kafka_table_is_passed_through_flattened_and_stringified() {
        let raw = parse(
            r#"
            brokers = "b:9092"
            group_id = "g"
            input_topics = ["in"]
            [kafka]
            "security.protocol" = "SASL_SSL"
            sasl.mechanism = "SCRAM-SHA-512"
            "socket.timeout.ms" = 30000
            "api.version.request" = true
            "debug" = ["broker", "topic"]
            [kafka_consumer]
            "client.id" = "consumer-1"
            "#,
        )
        .unwrap();
        let c = raw.into_config().unwrap();
        assert_eq!(c.kafka["security.protocol"], "SASL_SSL");
        assert_eq!(c.kafka["sasl.mechanism"], "SCRAM-SHA-512");
        assert_eq!(c.kafka["socket.timeout.ms"], "30000");
        assert_eq!(c.kafka["api.version.request"], "true");
        assert_eq!(c.kafka["debug"], "broker,topic");
        let cp = c.consumer_properties();
        assert_eq!(cp["client.id"], "consumer-1");
        assert_eq!(cp["security.protocol"], "SASL_SSL");
        assert_eq!(cp["enable.auto.commit"], "false");
        assert_eq!(cp["partition.assignment.strategy"], "cooperative-sticky");
        let pp = c.producer_properties();
        assert!(!pp.contains_key("client.id"));
        assert_eq!(pp["enable.idempotence"], "true");
        assert_eq!(pp["acks"], "all");
        assert_eq!(pp["sasl.mechanism"], "SCRAM-SHA-512");
    }

    #[test]
    fn enforced_properties_cannot_be_weakened() {
        for (prop, value) in [
            ("enable.auto.commit", "true"),
            ("enable.idempotence", "false"),
            ("acks", "1"),
            ("partition.assignment.strategy", "range"),
            ("bootstrap.servers", "x:1"),
            ("group.id", "other"),
        ] {
            let mut raw = minimal();
            raw.kafka = Some(BTreeMap::from([(prop.to_string(), value.to_string())]));
            let err = raw.into_config().unwrap_err();
            assert!(err.to_string().contains(prop), "{prop}: {err}");
        }
        // Restating the enforced value is fine.
        let mut raw = minimal();
        raw.kafka_producer = Some(BTreeMap::from([("acks".into(), "-1".into())]));
        raw.into_config().unwrap();
    }

    #[test]
    fn dlq_must_not_be_an_input() {
        let mut raw = minimal();
        raw.dlq_topic = Some("reports.raw".into());
        assert!(raw.into_config().is_err());
    }

    #[test]
    fn env_mapping() {
        let vars = [
            ("REPORTFLOW_BROKERS", "k1:9092,k2:9092"),
            ("REPORTFLOW_GROUP_ID", "workers"),
            ("REPORTFLOW_INPUT_TOPICS", "a, b,"),
            ("REPORTFLOW_COMMIT_INTERVAL_MS", "250"),
            ("REPORTFLOW_LOG_FORMAT", "text"),
            ("REPORTFLOW_KAFKA__SASL_MECHANISM", "PLAIN"),
            ("REPORTFLOW_KAFKA__SECURITY_PROTOCOL", "SASL_SSL"),
            ("REPORTFLOW_KAFKA_CONSUMER__CLIENT_ID", "c"),
            ("REPORTFLOW_KAFKA_PRODUCER__LINGER_MS", "20"),
            ("REPORTFLOW_BLESS", "1"),
            ("REPORTFLOW_MAX_IN_FLIGHT", ""),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let (raw, unrecognized) = RawConfig::from_env_vars(vars).unwrap();
        assert_eq!(unrecognized, vec!["REPORTFLOW_BLESS".to_string()]);
        assert_eq!(raw.input_topics, Some(vec!["a".into(), "b".into()]));
        assert_eq!(raw.max_in_flight, None);
        let c = raw.into_config().unwrap();
        assert_eq!(c.brokers, "k1:9092,k2:9092");
        assert_eq!(c.commit_interval, Duration::from_millis(250));
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.kafka["sasl.mechanism"], "PLAIN");
        assert_eq!(c.kafka["security.protocol"], "SASL_SSL");
        assert_eq!(c.kafka_consumer["client.id"], "c");
        assert_eq!(c.kafka_producer["linger.ms"], "20");
    }

    #[test]
    fn env_type_errors_name_the_variable() {
        let err = RawConfig::from_env_vars([(
            "REPORTFLOW_COMMIT_INTERVAL_MS".to_string(),
            "soon".to_string(),
        )])
        .unwrap_err();
        assert!(
            err.to_string().contains("REPORTFLOW_COMMIT_INTERVAL_MS"),
            "{err}"
        );
    }

    #[test]
    fn topics_table_from_file_env_and_flags() {
        let file = parse(
            r#"
            brokers = "b:9092"
            group_id = "g"
            input_topics = ["reports.raw"]
            [topics]
            normalized = "file.normalized"
            documents = "file.documents"
            "#,
        )
        .unwrap();
        let (env, unrecognized) = RawConfig::from_env_vars([(
            "REPORTFLOW_TOPICS__DOCUMENTS".to_string(),
            "env.documents".to_string(),
        )])
        .unwrap();
        assert!(unrecognized.is_empty());
        let flags = RawConfig {
            topics: Some(BTreeMap::from([(
                "indicators".to_string(),
                "flag.indicators".to_string(),
            )])),
            ..RawConfig::default()
        };
        let c = file.merge(env).merge(flags).into_config().unwrap();
        assert_eq!(c.topic("normalized", "x"), "file.normalized");
        assert_eq!(c.topic("documents", "x"), "env.documents");
        assert_eq!(c.topic("indicators", "x"), "flag.indicators");
        assert_eq!(c.topic("sections", "reports.sections"), "reports.sections");
        // An output topic must not be an input topic.
        let mut raw = minimal();
        raw.topics = Some(BTreeMap::from([("out".into(), "reports.raw".into())]));
        assert!(raw
            .into_config()
            .unwrap_err()
            .to_string()
            .contains("topics.out"));
        // Values must be strings.
        assert!(parse("[topics]\nnormalized = 3\n").is_err());
    }

    #[test]
    fn layers_merge_later_wins() {
        let file = parse(
            r#"
            brokers = "file:9092"
            group_id = "g"
            input_topics = ["in"]
            commit_interval_ms = 5000
            [kafka]
            "client.id" = "file"
            "linger.ms" = 5
            "#,
        )
        .unwrap();
        let (env, _) = RawConfig::from_env_vars([
            ("REPORTFLOW_BROKERS".to_string(), "env:9092".to_string()),
            ("REPORTFLOW_KAFKA__CLIENT_ID".to_string(), "env".to_string()),
        ])
        .unwrap();
        let flags = RawConfig {
            commit_interval_ms: Some(100),
            ..RawConfig::default()
        };
        let c = file.merge(env).merge(flags).into_config().unwrap();
        assert_eq!(c.brokers, "env:9092");
        assert_eq!(c.commit_interval, Duration::from_millis(100));
        assert_eq!(c.kafka["client.id"], "env");
        assert_eq!(c.kafka["linger.ms"], "5");
    }

    #[test]
    fn instance_id_sets_static_membership() {
        assert!(!minimal()
            .into_config()
            .unwrap()
            .consumer_properties()
            .contains_key("group.instance.id"));
        let (env, unrecognized) = RawConfig::from_env_vars([(
            "REPORTFLOW_INSTANCE_ID".to_string(),
            " extractor-0 ".to_string(),
        )])
        .unwrap();
        assert!(unrecognized.is_empty());
        let c = minimal().merge(env).into_config().unwrap();
        assert_eq!(c.instance_id.as_deref(), Some("extractor-0"));
        assert_eq!(c.consumer_properties()["group.instance.id"], "extractor-0");
        assert!(!c.producer_properties().contains_key("group.instance.id"));
        // Only through `instance_id`, never the passthrough tables.
        let mut raw = minimal();
        raw.kafka_consumer = Some(BTreeMap::from([("group.instance.id".into(), "x".into())]));
        assert!(raw
            .into_config()
            .unwrap_err()
            .to_string()
            .contains("instance_id"));
    }

    #[test]
    fn processing_guarantee_layers_and_needs_an_instance_id() {
        // Default: at-least-once, no transactional producer, read_committed anyway.
        let c = minimal().into_config().unwrap();
        assert_eq!(c.processing_guarantee, ProcessingGuarantee::AtLeastOnce);
        assert_eq!(c.transactional_id(), None);
        assert!(!c.producer_properties().contains_key("transactional.id"));
        assert_eq!(c.consumer_properties()["isolation.level"], "read_committed");

        let (env, unrecognized) = RawConfig::from_env_vars([
            (
                "REPORTFLOW_PROCESSING_GUARANTEE".to_string(),
                "exactly_once".to_string(),
            ),
            ("REPORTFLOW_INSTANCE_ID".to_string(), "norm-1".to_string()),
        ])
        .unwrap();
        assert!(unrecognized.is_empty());
        let c = minimal().merge(env.clone()).into_config().unwrap();
        assert_eq!(c.processing_guarantee, ProcessingGuarantee::ExactlyOnce);
        assert_eq!(
            c.producer_properties()["transactional.id"],
            format!("{}-norm-1", c.group_id)
        );
        // A flag layer wins over the environment.
        let flags = RawConfig {
            processing_guarantee: Some(ProcessingGuarantee::AtLeastOnce),
            ..RawConfig::default()
        };
        let c = minimal().merge(env).merge(flags).into_config().unwrap();
        assert_eq!(c.transactional_id(), None);

        // The file spelling, and a clear refusal without an instance id.
        let raw = parse("processing_guarantee = \"exactly_once\"").unwrap();
        let err = minimal().merge(raw).into_config().unwrap_err().to_string();
        assert!(
            err.contains("processing_guarantee") && err.contains("instance_id"),
            "{err}"
        );
        assert!(RawConfig::from_env_vars([(
            "REPORTFLOW_PROCESSING_GUARANTEE".to_string(),
            "twice".to_string()
        )])
        .unwrap_err()
        .to_string()
        .contains("exactly_once"));
        // read_committed cannot be weakened through the passthrough tables.
        let mut raw = minimal();
        raw.kafka_consumer = Some(BTreeMap::from([(
            "isolation.level".into(),
            "read_uncommitted".into(),
        )]));
        assert!(raw.into_config().is_err());
    }
}
