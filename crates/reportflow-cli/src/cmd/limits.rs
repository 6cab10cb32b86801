//! What the target topic can take, read before `reportflow publish` sends anything, so that
//! no file is lost without a word:
//!
//! - a broker that describes its configuration (Apache Kafka, managed Kafka) gives the topic's
//!   `max.message.bytes`; with an uncompressed producer a file over it is refused before
//!   sending, and a refusal by the broker names the limit;
//! - the embedded broker (librdkafka's mock cluster, i.e. `reportflow dev-broker`; it has no
//!   DescribeConfigs and names its cluster `mockCluster…`) keeps only
//!   [`broker::PARTITION_MAX_BYTES`] per partition and deletes the oldest records silently past
//!   that: the whole publish is refused up front when it would not fit
//!   ([`broker::check_fits`]).

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;

use super::client::Connection;
use crate::broker;

/// What the target topic can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicLimit {
    /// The broker reported the topic's `max.message.bytes`: the largest record batch it
    /// accepts, after compression.
    MaxMessageBytes(u64),
    /// The broker cannot describe configurations: the embedded broker (librdkafka's mock
    /// cluster), with this many partitions in the topic.
    Embedded {
        /// Partitions of the topic.
        partitions: i32,
    },
    /// The limit could not be read (not authorised, no answer): nothing is checked before
    /// sending; the broker's refusals are still reported per file.
    Unknown(String),
}

/// Asks the cluster of `conn` for the limit of `topic`, waiting at most `timeout`.
pub fn read(conn: &Connection, topic: &str, partitions: i32, timeout: Duration) -> TopicLimit {
    let admin: AdminClient<DefaultClientContext> = match conn.producer_config(&[]).create() {
        Ok(a) => a,
        Err(e) => return TopicLimit::Unknown(format!("admin client: {e}")),
    };
    // The mock cluster does not answer DescribeConfigs (the request waits for a broker that
    // supports it until it times out), so it is recognised first, by its cluster id.
    let id = admin.inner().fetch_cluster_id(timeout);
    if id
        .as_deref()
        .is_some_and(|id| id.starts_with("mockCluster"))
    {
        return TopicLimit::Embedded { partitions };
    }
    let opts = AdminOptions::new().request_timeout(Some(timeout));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    {
        Ok(r) => r,
        Err(e) => return TopicLimit::Unknown(e.to_string()),
    };
    let resource = ResourceSpecifier::Topic(topic);
    let answer = runtime.block_on(admin.describe_configs([&resource], &opts));
    from_answer(answer, partitions)
}

fn from_answer(
    answer: Result<Vec<rdkafka::admin::ConfigResourceResult>, KafkaError>,
    partitions: i32,
) -> TopicLimit {
    let results = match answer {
        Ok(r) => r,
        Err(e) if is_unsupported(&e) => return TopicLimit::Embedded { partitions },
        Err(e) => return TopicLimit::Unknown(e.to_string()),
    };
    match results.into_iter().next() {
        Some(Ok(resource)) => resource
            .get("max.message.bytes")
            .and_then(|e| e.value.as_deref())
            .and_then(|v| v.parse().ok())
            .map_or_else(
                || TopicLimit::Unknown("no max.message.bytes in the topic's configuration".into()),
                TopicLimit::MaxMessageBytes,
            ),
        Some(Err(RDKafkaErrorCode::UnsupportedVersion)) => TopicLimit::Embedded { partitions },
        Some(Err(code)) => TopicLimit::Unknown(code.to_string()),
        None => TopicLimit::Unknown("empty answer".into()),
    }
}

/// Whether the broker does not know the DescribeConfigs request at all.
fn is_unsupported(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(RDKafkaErrorCode::UnsupportedFeature | RDKafkaErrorCode::UnsupportedVersion)
    )
}

/// Whether the producer of `conn` compresses (then the broker's limit applies to the
/// compressed batch and a file over it may still fit).
pub fn compresses(conn: &Connection) -> bool {
    ["compression.type", "compression.codec"].iter().any(|k| {
        conn.producer
            .get(*k)
            .or_else(|| conn.kafka.get(*k))
            .is_some_and(|v| !v.eq_ignore_ascii_case("none"))
    })
}

/// Checks the record sizes (key + value + headers) of a whole publish against `limit`.
/// `Err` refuses the whole publish (the embedded broker would delete records); `Ok` gives
/// for each record the reason it is refused alone, if it is.
pub fn check(
    limit: &TopicLimit,
    sizes: &[u64],
    compressed: bool,
) -> anyhow::Result<Vec<Option<String>>> {
    match *limit {
        TopicLimit::Embedded { partitions } => {
            broker::check_fits(sizes, partitions)?;
            Ok(vec![None; sizes.len()])
        }
        TopicLimit::MaxMessageBytes(max) if !compressed => Ok(sizes
            .iter()
            .map(|&size| {
                (size > max).then(|| {
                    format!(
                        "not sent: {size} bytes are over the topic's max.message.bytes \
                         ({max} bytes) and the producer does not compress; raise the topic's \
                         max.message.bytes or set compression.type in [kafka_producer]"
                    )
                })
            })
            .collect()),
        _ => Ok(vec![None; sizes.len()]),
    }
}

/// A broker's refusal of one record, with the topic's limit when it is a size refusal.
pub fn explain(error: &str, limit: &TopicLimit) -> String {
    match limit {
        TopicLimit::MaxMessageBytes(max) if error.contains("too large") => {
            format!("{error} (the topic's max.message.bytes is {max} bytes after compression)")
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_broker_is_recognised_by_its_cluster_id() {
        let cluster = broker::start(1, 3).unwrap();
        let conn = Connection {
            brokers: cluster.bootstrap_servers(),
            ..Connection::default()
        };
        let limit = read(&conn, broker::RAW, 3, Duration::from_secs(10));
        assert_eq!(limit, TopicLimit::Embedded { partitions: 3 });
        // 3 partitions hold 15 MiB: two 6 MiB files are refused as a whole (one alone is
        // over a partition), small files pass.
        assert!(check(&limit, &[6 << 20], false).is_err());
        assert_eq!(check(&limit, &[1000, 2000], false).unwrap(), [None, None]);
    }

    #[test]
    fn a_reported_limit_refuses_single_files_unless_compressed() {
        let limit = TopicLimit::MaxMessageBytes(1_000_000);
        let refused = check(&limit, &[10, 2_000_000], false).unwrap();
        assert_eq!(refused[0], None);
        assert!(refused[1].as_deref().unwrap().contains("max.message.bytes"));
        assert_eq!(check(&limit, &[2_000_000], true).unwrap(), [None]);
        assert!(explain("Message size too large", &limit).contains("1000000 bytes"));
        let mut conn = Connection::default();
        assert!(!compresses(&conn));
        conn.producer
            .insert("compression.type".into(), "zstd".into());
        assert!(compresses(&conn));
    }
}
