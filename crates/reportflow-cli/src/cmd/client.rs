//! The Kafka connection of the client commands (`publish`, `tail`, `dlq redrive`): the same
//! `brokers` and `[kafka]`, `[kafka_consumer]`, `[kafka_producer]` librdkafka tables as the
//! workers, from `--config FILE` (a worker's TOML file: the other keys are read and ignored)
//! and the `REPORTFLOW_KAFKA__*`, `REPORTFLOW_KAFKA_CONSUMER__*`,
//! `REPORTFLOW_KAFKA_PRODUCER__*` variables (which win over the file); `--brokers` /
//! `REPORTFLOW_BROKERS` win over the file's `brokers`. So a secured cluster (SASL_SSL,
//! SCRAM, a private CA) is reached with the file the workers use.
//!
//! [`wait_for_cluster`] is the bounded first contact every command makes: it polls the
//! cluster's metadata, prints progress on stderr while it waits, and fails with the broker
//! address after `--connect-timeout-secs`, or at once when the broker refuses the credentials
//! (librdkafka reports an authentication error but would otherwise retry forever).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::client::{Client, ClientContext};
use rdkafka::consumer::ConsumerContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;
use reportflow_kafka::RawConfig;

/// Connection flags shared by `publish`, `tail` and `dlq redrive`.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectArgs {
    /// Kafka bootstrap servers (default: `brokers` of --config).
    #[arg(long, value_name = "HOST:PORT", env = "REPORTFLOW_BROKERS")]
    pub brokers: Option<String>,
    /// A worker's TOML configuration: its `brokers` and its `[kafka]`, `[kafka_consumer]`
    /// and `[kafka_producer]` librdkafka tables (security.protocol, sasl.*, ssl.*, …) are
    /// used; `REPORTFLOW_KAFKA__*` variables win over the file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Give up when no broker answered within this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub connect_timeout_secs: u64,
}

/// The resolved connection: bootstrap servers and librdkafka properties.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// `bootstrap.servers`.
    pub brokers: String,
    /// `[kafka]`: both clients.
    pub kafka: BTreeMap<String, String>,
    /// `[kafka_consumer]`.
    pub consumer: BTreeMap<String, String>,
    /// `[kafka_producer]`.
    pub producer: BTreeMap<String, String>,
    /// The first-contact deadline.
    pub connect_timeout: Duration,
}

/// Properties a client command must keep (set by the command itself).
const OWN: [&str; 1] = ["bootstrap.servers"];

impl ConnectArgs {
    /// Reads `--config` and the environment.
    pub fn resolve(&self) -> anyhow::Result<Connection> {
        let file = match &self.config {
            Some(path) => RawConfig::from_file(path)?,
            None => RawConfig::default(),
        };
        // Only the librdkafka tables of the environment: the worker keys do not apply here.
        let (env, _) = RawConfig::from_env_vars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .filter(|(k, _)| k.starts_with("REPORTFLOW_KAFKA")),
        )?;
        let merged = file.merge(env);
        let brokers = self
            .brokers
            .clone()
            .filter(|b| !b.trim().is_empty())
            .or(merged.brokers)
            .context(
                "no brokers: pass --brokers, set REPORTFLOW_BROKERS or `brokers` in --config",
            )?;
        Ok(Connection {
            brokers,
            kafka: merged.kafka.unwrap_or_default(),
            consumer: merged.kafka_consumer.unwrap_or_default(),
            producer: merged.kafka_producer.unwrap_or_default(),
            connect_timeout: Duration::from_secs(self.connect_timeout_secs.max(1)),
        })
    }
}

impl Connection {
    fn config(&self, defaults: &[(&str, String)], own: &BTreeMap<String, String>) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.brokers);
        for (k, v) in defaults {
            c.set(*k, v);
        }
        for (k, v) in self.kafka.iter().chain(own) {
            if !OWN.contains(&k.as_str()) {
                c.set(k, v);
            }
        }
        c
    }

    /// A producer configuration: `defaults`, then `[kafka]`, then `[kafka_producer]`.
    pub fn producer_config(&self, defaults: &[(&str, String)]) -> ClientConfig {
        self.config(defaults, &self.producer)
    }

    /// A consumer configuration: `defaults`, then `[kafka]`, then `[kafka_consumer]`.
    pub fn consumer_config(&self, defaults: &[(&str, String)]) -> ClientConfig {
        self.config(defaults, &self.consumer)
    }
}

/// A client context that remembers the last error librdkafka reported (connection refused,
/// TLS handshake, SASL authentication), so that a wait can say why and stop early.
#[derive(Clone, Default)]
pub struct ErrorContext {
    last: Arc<Mutex<Option<(RDKafkaErrorCode, String)>>>,
    fatal: Arc<Mutex<Option<String>>>,
}

impl ErrorContext {
    /// The last error, if any.
    pub fn last(&self) -> Option<(RDKafkaErrorCode, String)> {
        self.last.lock().ok()?.clone()
    }

    /// The first fatal error (see [`is_fatal`]), if any: later errors ("all brokers are
    /// down") would hide it.
    pub fn fatal(&self) -> Option<String> {
        self.fatal.lock().ok()?.clone()
    }
}

impl ClientContext for ErrorContext {
    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        if is_fatal(code, reason) {
            if let Ok(mut fatal) = self.fatal.lock() {
                fatal.get_or_insert_with(|| reason.to_string());
            }
        }
        if let Ok(mut last) = self.last.lock() {
            *last = Some((code, reason.to_string()));
        }
    }
}

impl ConsumerContext for ErrorContext {}

/// Whether an error is a refusal that retrying will not fix (wrong credentials, TLS trust).
pub fn is_fatal(code: RDKafkaErrorCode, reason: &str) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::Authentication
            | RDKafkaErrorCode::SaslAuthenticationFailed
            | RDKafkaErrorCode::SSL
            | RDKafkaErrorCode::ClusterAuthorizationFailed
    ) || reason.contains("Authentication failed")
        || reason.contains("certificate verify failed")
}

/// Polls the cluster's metadata until a broker answers. Prints progress on stderr every few
/// seconds; fails with the address after `conn.connect_timeout`, or at once on a fatal error
/// (see [`is_fatal`]).
///
/// `pump` serves the client's event queue where the client does not do it on a thread of
/// its own (a `BaseConsumer`: its errors come out of `poll`, not through the context) and
/// returns the error code of an error event.
pub fn wait_for_cluster<C: ClientContext>(
    client: &Client<C>,
    context: &ErrorContext,
    conn: &Connection,
    what: &str,
    mut pump: impl FnMut() -> Option<RDKafkaErrorCode>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut next_note = Duration::from_secs(2);
    loop {
        let attempt = client.fetch_metadata(None, Duration::from_secs(1));
        while let Some(code) = pump() {
            if is_fatal(code, "") {
                anyhow::bail!(
                    "{what}: the Kafka cluster at {} refused the connection: {code} \
                     (SASL authentication failed: check sasl.username and sasl.password)",
                    conn.brokers
                );
            }
        }
        if let Some(reason) = context.fatal() {
            anyhow::bail!(
                "{what}: the Kafka cluster at {} refused the connection: {reason}",
                conn.brokers
            );
        }
        let last = context.last();
        if attempt.is_ok() {
            return Ok(());
        }
        let elapsed = started.elapsed();
        let why = last
            .map(|(_, r)| r)
            .or_else(|| attempt.err().map(|e| e.to_string()))
            .unwrap_or_default();
        if elapsed >= conn.connect_timeout {
            anyhow::bail!(
                "{what}: no Kafka broker at {} answered within {} s (last error: {why}); \
                 check --brokers, the [kafka] settings of --config, or raise \
                 --connect-timeout-secs",
                conn.brokers,
                conn.connect_timeout.as_secs()
            );
        }
        if elapsed >= next_note {
            eprintln!(
                "waiting for Kafka at {} ({} s of {} s; {why})",
                conn.brokers,
                elapsed.as_secs(),
                conn.connect_timeout.as_secs()
            );
            next_note += Duration::from_secs(5);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env_then_flag() {
        let dir = std::env::temp_dir().join(format!("rf-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("w.toml");
        std::fs::write(
            &file,
            "brokers = \"file:9092\"\ngroup_id = \"g\"\ninput_topics = [\"a\"]\n\
             [kafka]\n\"security.protocol\" = \"SASL_SSL\"\n\"bootstrap.servers\" = \"x:1\"\n\
             [kafka_producer]\n\"compression.type\" = \"zstd\"\n",
        )
        .unwrap();
        let args = ConnectArgs {
            brokers: None,
            config: Some(file.clone()),
            connect_timeout_secs: 5,
        };
        let c = args.resolve().unwrap();
        assert_eq!(c.brokers, "file:9092");
        assert_eq!(c.kafka["security.protocol"], "SASL_SSL");
        let p = c.producer_config(&[("linger.ms", "5".into())]);
        assert_eq!(p.get("compression.type"), Some("zstd"));
        assert_eq!(p.get("bootstrap.servers"), Some("file:9092"));
        assert_eq!(p.get("linger.ms"), Some("5"));
        assert_eq!(c.consumer_config(&[]).get("compression.type"), None);
        let flag = ConnectArgs {
            brokers: Some("flag:1".into()),
            ..args
        };
        assert_eq!(flag.resolve().unwrap().brokers, "flag:1");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
