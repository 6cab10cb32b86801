//! The embedded broker: librdkafka's mock cluster (`rdkafka::mocking::MockCluster`), used by
//! `reportflow demo` and `reportflow dev-broker`, plus the default topic names.

use anyhow::Context as _;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;

/// Raw reports (input of the normalizer).
pub const RAW: &str = "reports.raw";
/// NormalizedReport messages.
pub const NORMALIZED: &str = "reports.normalized";
/// ReportDocument messages.
pub const DOCUMENTS: &str = "reports.documents";
/// Section messages.
pub const SECTIONS: &str = "reports.sections";
/// Indicator messages.
pub const INDICATORS: &str = "reports.indicators";
/// Dead letters.
pub const DLQ: &str = "reports.dlq";
/// Every topic of the default topology, in pipeline order.
pub const TOPICS: [&str; 6] = [RAW, NORMALIZED, DOCUMENTS, SECTIONS, INDICATORS, DLQ];

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
