//! Test helpers the storage sinks share (dev-dependency of `reportflow-sink-postgres` and
//! `reportflow-sink-parquet`): the seed reports as the messages the extractor publishes, a
//! mock Kafka cluster with the three topics, producing to it, a runtime configuration for tests
//! and reading the dead letters back; [`bench`] has what their benchmark examples share.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use reportflow_kafka::dlq::{HEADER_ERROR_KIND, HEADER_ERROR_MESSAGE};
use reportflow_kafka::{RunSinkError, RuntimeConfig, Sink, SinkConfig, SinkSummary};
use reportflow_proto::topics::DatasetTopics as Topics;
use reportflow_proto::{convert, v1, Message as _};

pub mod bench;

/// The dead-letter topic of the tests.
pub const DLQ: &str = reportflow_kafka::config::DEFAULT_DLQ_TOPIC;

/// Every message the extractor publishes for the five seed reports.
#[derive(Debug, Default, Clone)]
pub struct Seeds {
    /// One document per seed.
    pub documents: Vec<v1::ReportDocument>,
    /// Their sections.
    pub sections: Vec<v1::Section>,
    /// Their indicators.
    pub indicators: Vec<v1::Indicator>,
}

impl Seeds {
    /// Runs the core on the seeds, as `reportflow extract` does.
    pub fn load() -> Self {
        let mut seeds = Seeds::default();
        for x in extractions(|name| v1::Source::with_key(name)) {
            seeds.documents.push(x.document.unwrap());
            seeds.sections.extend(x.sections);
            seeds.indicators.extend(x.indicators);
        }
        seeds
    }

    /// `(topic, key, value)` of every message, documents first.
    pub fn messages(&self, topics: &Topics) -> Vec<(String, String, Vec<u8>)> {
        let mut out = Vec::new();
        for d in &self.documents {
            out.push((
                topics.documents.clone(),
                d.doc_id.clone(),
                d.encode_to_vec(),
            ));
        }
        for s in &self.sections {
            out.push((topics.sections.clone(), s.doc_id.clone(), s.encode_to_vec()));
        }
        for i in &self.indicators {
            out.push((
                topics.indicators.clone(),
                i.doc_id.clone(),
                i.encode_to_vec(),
            ));
        }
        out
    }
}

/// The core's extraction of each of the five seed reports (`*.txt` in the core's
/// `test_data/seeds`, by file name), as `reportflow extract` does; `source` makes the
/// [`v1::Source`] of a seed from its file name.
pub fn extractions(mut source: impl FnMut(&str) -> v1::Source) -> Vec<v1::Extraction> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../reportflow-core/test_data/seeds"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five seeds");
    let extractor = reportflow_core::Extractor::default();
    files
        .iter()
        .map(|path| {
            let raw = std::fs::read(path).unwrap();
            let report = extractor.extract(&raw, None).unwrap();
            let source = source(&path.file_name().unwrap().to_string_lossy());
            convert::extraction_from_report(&report, source, raw.len())
        })
        .collect()
}

/// A one-broker mock cluster with the three topics (3 partitions each) and the DLQ.
pub fn cluster() -> MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let cluster = MockCluster::new(1).expect("mock cluster");
    for t in Topics::default().all() {
        cluster.create_topic(&t, 3, 1).unwrap();
    }
    cluster.create_topic(DLQ, 1, 1).unwrap();
    cluster
}

/// Spawns `run_sink(runtime, config, sink)`: the sender that stops it and its task.
#[allow(clippy::type_complexity)]
pub fn run_sink_task<S: Sink + Sync + 'static>(
    runtime: RuntimeConfig,
    config: SinkConfig,
    sink: S,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<SinkSummary, RunSinkError>>,
) {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(reportflow_kafka::run_sink(
        runtime,
        config,
        sink,
        async move {
            let _ = stopped.await;
        },
    ));
    (stop, task)
}

/// Produces `(topic, key, value)` messages (partitioned by key).
pub async fn produce(bootstrap: &str, messages: &[(String, String, Vec<u8>)]) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("linger.ms", "5")
        .create()
        .unwrap();
    let mut pending = Vec::new();
    for (topic, key, value) in messages {
        let mut record = FutureRecord::to(topic).key(key).payload(value);
        loop {
            match producer.send_result(record) {
                Ok(delivery) => {
                    pending.push(delivery);
                    break;
                }
                Err((_, r)) => {
                    record = r;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
    for d in pending {
        d.await.expect("not cancelled").expect("delivered");
    }
}

/// A runtime configuration for tests: fast session timeouts, ephemeral HTTP port.
pub fn runtime_config(bootstrap: &str, group: &str) -> RuntimeConfig {
    let mut c = RuntimeConfig::new(bootstrap, group, Topics::default().all());
    c.dlq_topic = DLQ.into();
    c.worker_name = "sink-test".into();
    c.http_addr = "127.0.0.1:0".parse().unwrap();
    c.shutdown_timeout = Duration::from_secs(10);
    c.stats_interval = Duration::from_millis(1000);
    c.produce_retry_backoff = Duration::from_millis(50);
    c.produce_retry_max_backoff = Duration::from_millis(500);
    c.kafka_consumer = BTreeMap::from([
        ("session.timeout.ms".to_string(), "6000".to_string()),
        ("heartbeat.interval.ms".to_string(), "500".to_string()),
        ("fetch.wait.max.ms".to_string(), "50".to_string()),
    ]);
    c
}

/// The dead letters on [`DLQ`] as (`reportflow.error.kind`, `reportflow.error.message`),
/// once `n` arrived or after 20 s.
pub async fn dead_letters(bootstrap: &str, n: usize) -> Vec<(String, String)> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    use rdkafka::message::{Headers, Message};
    let bootstrap = bootstrap.to_string();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", "dlq-reader")
            .set("enable.auto.commit", "false")
            .create()
            .unwrap();
        let mut tpl = rdkafka::TopicPartitionList::new();
        tpl.add_partition_offset(DLQ, 0, rdkafka::Offset::Beginning)
            .unwrap();
        consumer.assign(&tpl).unwrap();
        let header = |m: &rdkafka::message::BorrowedMessage<'_>, name: &str| {
            m.headers()
                .and_then(|hs| hs.iter().find(|h| h.key == name))
                .map(|h| String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned())
                .unwrap_or_default()
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut out = Vec::new();
        while out.len() < n && Instant::now() < deadline {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
                out.push((
                    header(&m, HEADER_ERROR_KIND),
                    header(&m, HEADER_ERROR_MESSAGE),
                ));
            }
        }
        out
    })
    .await
    .unwrap()
}
