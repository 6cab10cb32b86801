//! The embedded broker: librdkafka's mock cluster (`rdkafka::mocking::MockCluster`), used by
//! `reportflow demo` and `reportflow dev-broker`, plus the default topic names.
//!
//! The mock cluster keeps at most [`PARTITION_MAX_BYTES`] (5 MiB) and
//! [`PARTITION_MAX_RECORDS`] records per partition and silently deletes the oldest records of
//! a partition when an append goes past that (a record over 5 MiB empties its partition,
//! itself included). The limits are fixed in librdkafka (`rdkafka_mock.c`) with no setting or
//! API to raise them, so the demo refuses inputs that would be dropped ([`check_fits`]), the
//! dev broker states the limits when it starts, and consumers that lose records this way count
//! them in `reportflow_offsets_skipped_total`.

use anyhow::Context as _;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;

pub use reportflow_kafka::config::DEFAULT_DLQ_TOPIC as DLQ;
pub use reportflow_proto::topics::{
    DEFAULT_DOCUMENTS_TOPIC as DOCUMENTS, DEFAULT_INDICATORS_TOPIC as INDICATORS,
    DEFAULT_NORMALIZED_TOPIC as NORMALIZED, DEFAULT_RAW_TOPIC as RAW,
    DEFAULT_SECTIONS_TOPIC as SECTIONS,
};
/// Every topic of the default topology, in pipeline order.
pub const TOPICS: [&str; 6] = [RAW, NORMALIZED, DOCUMENTS, SECTIONS, INDICATORS, DLQ];

/// Most bytes the embedded broker keeps per partition (librdkafka's mock cluster, fixed).
pub const PARTITION_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// Most records the embedded broker keeps per partition (librdkafka's mock cluster, fixed).
pub const PARTITION_MAX_RECORDS: u64 = 100_000;

/// Refuses, before anything is sent, records that the embedded broker would drop: one larger
/// than a partition holds, or more bytes or records in total than `partitions` partitions
/// hold. `sizes` are the records' key + value sizes. (Records spread over partitions by key,
/// so a total under the limit can still overflow one partition; consumers count such a loss
/// in `reportflow_offsets_skipped_total`.)
pub fn check_fits(sizes: &[u64], partitions: i32) -> anyhow::Result<()> {
    let partitions = u64::try_from(partitions.max(1)).unwrap_or(1);
    if let Some(largest) = sizes.iter().copied().max() {
        anyhow::ensure!(
            largest <= PARTITION_MAX_BYTES,
            "a record of {largest} bytes is over the embedded broker's {PARTITION_MAX_BYTES} bytes per partition: librdkafka's mock cluster would silently delete it (and everything before it in its partition); use Apache Kafka for inputs this large"
        );
    }
    let total: u64 = sizes.iter().sum();
    anyhow::ensure!(
        total <= PARTITION_MAX_BYTES * partitions,
        "{total} bytes are over what the embedded broker keeps ({partitions} partitions × {PARTITION_MAX_BYTES} bytes): librdkafka's mock cluster would silently delete the oldest records; publish fewer at a time or use Apache Kafka"
    );
    anyhow::ensure!(
        sizes.len() as u64 <= PARTITION_MAX_RECORDS * partitions,
        "{} records are over what the embedded broker keeps ({partitions} partitions × {PARTITION_MAX_RECORDS} records)",
        sizes.len()
    );
    Ok(())
}

/// The mock cluster type.
pub type Cluster = MockCluster<'static, DefaultProducerContext>;

/// Starts a mock cluster of `brokers` brokers and creates the default topics with
/// `partitions` partitions each.
pub fn start(brokers: i32, partitions: i32) -> anyhow::Result<Cluster> {
    let cluster = MockCluster::new(brokers).context("starting the embedded broker")?;
    for topic in TOPICS {
        cluster
            .create_topic(topic, partitions, 1)
            .with_context(|| format!("creating topic {topic}"))?;
    }
    Ok(cluster)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_fits_refuses_what_the_mock_cluster_would_drop() {
        assert!(check_fits(&[1000, 2000], 1).is_ok());
        assert!(check_fits(&[PARTITION_MAX_BYTES + 1], 6)
            .unwrap_err()
            .to_string()
            .contains("5242880 bytes per partition"));
        assert!(check_fits(&[4 << 20, 4 << 20], 1).is_err());
        assert!(check_fits(&[4 << 20, 4 << 20], 2).is_ok());
    }
}
