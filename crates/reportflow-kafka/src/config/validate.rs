//! From the layered [`RawConfig`] to a checked [`RuntimeConfig`]: defaults filled in from the
//! key definitions ([`Layer::defaults`]), units converted, invariants checked.

use std::time::Duration;

use super::keys::Layer;
use super::{invalid, ConfigError, ProcessingGuarantee, RawConfig, RuntimeConfig};

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

impl RawConfig {
    /// Validates and fills in defaults.
    pub fn into_config(self) -> Result<RuntimeConfig, ConfigError> {
        let brokers = non_empty(self.brokers.clone(), "brokers")?;
        let group_id = non_empty(self.group_id.clone(), "group_id")?;
        let input_topics = self
            .input_topics
            .clone()
            .filter(|t| !t.is_empty())
            .ok_or(ConfigError::Missing("input_topics"))?;
        let config = self.resolve(brokers, group_id, input_topics)?;
        config.validate()?;
        Ok(config)
    }

    /// The keys set here over their defaults, in the runtime's types; not validated.
    pub(crate) fn resolve(
        self,
        brokers: String,
        group_id: String,
        input_topics: Vec<String>,
    ) -> Result<RuntimeConfig, ConfigError> {
        let r = RawConfig::defaults().merge(self);
        let ms = |v: Option<u64>| Duration::from_millis(v.unwrap_or_default());
        let processing_threads = r.processing_threads.unwrap_or_else(default_threads);
        let http_addr = r.http_addr.unwrap_or_default();
        Ok(RuntimeConfig {
            brokers,
            group_id,
            input_topics,
            dlq_topic: r.dlq_topic.unwrap_or_default(),
            max_in_flight: r
                .max_in_flight
                .unwrap_or_else(|| default_max_in_flight(processing_threads)),
            processing_threads,
            max_message_bytes: r.max_message_bytes.unwrap_or_default(),
            max_in_flight_bytes: r.max_in_flight_bytes.unwrap_or_default(),
            commit_interval: ms(r.commit_interval_ms),
            shutdown_timeout: ms(r.shutdown_timeout_ms),
            revoke_timeout: ms(r.revoke_timeout_ms),
            liveness_timeout: r
                .liveness_timeout_ms
                .filter(|v| *v > 0)
                .map(Duration::from_millis),
            stats_interval: ms(r.stats_interval_ms),
            produce_retry_backoff: ms(r.produce_retry_backoff_ms),
            produce_retry_max_backoff: ms(r.produce_retry_max_backoff_ms),
            http_addr: http_addr.trim().parse().map_err(|e| {
                invalid("http_addr", format!("`{http_addr}` is not an ip:port: {e}"))
            })?,
            worker_name: r.worker_name.unwrap_or_else(default_worker_name),
            instance_id: r
                .instance_id
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty()),
            processing_guarantee: r.processing_guarantee.unwrap_or_default(),
            log_format: r.log_format.unwrap_or_default(),
            log_level: r.log_level.unwrap_or_default(),
            kafka: r.kafka.unwrap_or_default(),
            kafka_consumer: r.kafka_consumer.unwrap_or_default(),
            kafka_producer: r.kafka_producer.unwrap_or_default(),
            topics: r.topics.unwrap_or_default(),
        })
    }
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

impl RuntimeConfig {
    /// Checks the invariants `into_config` guarantees (for configurations built by hand).
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_inputs()?;
        for (key, zero) in [
            ("max_in_flight", self.max_in_flight == 0),
            ("processing_threads", self.processing_threads == 0),
            ("max_message_bytes", self.max_message_bytes == 0),
            ("max_in_flight_bytes", self.max_in_flight_bytes == 0),
            ("commit_interval_ms", self.commit_interval.is_zero()),
            (
                "produce_retry_backoff_ms",
                self.produce_retry_backoff.is_zero(),
            ),
        ] {
            if zero {
                return Err(invalid(key, "must be at least 1"));
            }
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
        let outputs = self
            .topics
            .iter()
            .map(|(name, t)| (format!("topics.{name}"), t));
        self.check_outputs(outputs)?;
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

    /// Brokers, group and the topics read: set and not blank; the dead-letter topic is none
    /// of them.
    fn validate_inputs(&self) -> Result<(), ConfigError> {
        for (key, value) in [("brokers", &self.brokers), ("group_id", &self.group_id)] {
            if value.trim().is_empty() {
                return Err(invalid(key, "must not be empty"));
            }
        }
        if self.input_topics.is_empty() {
            return Err(ConfigError::Missing("input_topics"));
        }
        if self.input_topics.iter().any(|t| t.trim().is_empty()) {
            return Err(invalid("input_topics", "topic names must not be empty"));
        }
        self.check_outputs(std::iter::once(("dlq_topic".to_string(), &self.dlq_topic)))
    }

    /// Topics written: not blank and not read.
    fn check_outputs<'a>(
        &self,
        outputs: impl Iterator<Item = (String, &'a String)>,
    ) -> Result<(), ConfigError> {
        for (key, topic) in outputs {
            if topic.trim().is_empty() {
                return Err(invalid(key, "must not be empty"));
            }
            if self.input_topics.contains(topic) {
                return Err(invalid(key, format!("`{topic}` is also an input topic")));
            }
        }
        Ok(())
    }
}

fn check_property(table: &str, key: &str, value: &str) -> Result<(), ConfigError> {
    let Some((_, allowed)) = ENFORCED.iter().find(|(name, _)| *name == key) else {
        return Ok(());
    };
    match allowed {
        None => Err(invalid(
            format!("{table}.{key}"),
            match key {
                "bootstrap.servers" => "set it with `brokers`",
                "group.id" => "set it with `group_id`",
                "group.instance.id" => "set it with `instance_id`",
                _ => "is not supported by this runtime",
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
    }
}
