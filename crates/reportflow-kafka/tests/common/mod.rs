//! Helpers shared by the integration tests: a toy processor, a librdkafka mock cluster,
//! producing inputs, reading topics back, committed offsets and a tiny HTTP GET.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, Headers, OwnedHeaders, OwnedMessage};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use reportflow_kafka::{
    InputRecord, OutputRecord, Processor, Reject, RunSummary, RuntimeConfig, Worker,
};
use tokio::sync::oneshot;

pub const IN: &str = "reports.raw";
pub const OUT: &str = "reports.upper";
pub const DLQ: &str = reportflow_kafka::config::DEFAULT_DLQ_TOPIC;
pub const STAGE: &str = "upper";
pub const WORKER: &str = "test-worker";

/// Uppercases the value into `OUT` (key and headers kept, plus `x-source-offset`); rejects
/// values starting with `BAD`; panics on `PANIC`; blocks on values starting with `HOLD` until
/// the gate opens; sleeps 100 ms on values starting with `SLOW`.
pub struct Upper {
    pub gate: Arc<AtomicBool>,
}

impl Upper {
    pub fn new() -> Self {
        Upper {
            gate: Arc::new(AtomicBool::new(true)),
        }
    }
}

impl Processor for Upper {
    fn stage(&self) -> &'static str {
        STAGE
    }

    fn process(&self, input: &InputRecord) -> Result<Vec<OutputRecord>, Reject> {
        let value = input.value.clone().unwrap_or_default();
        if value.starts_with(b"BAD") {
            return Err(Reject::new(
                "transform",
                "bad_input",
                "the value starts with BAD",
            ));
        }
        if value.starts_with(b"PANIC") {
            panic!("asked to panic");
        }
        if value.starts_with(b"SLOW") {
            std::thread::sleep(Duration::from_millis(100));
        }
        if value.starts_with(b"HOLD") {
            while !self.gate.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let mut headers = input.headers.clone();
        headers.push((
            "x-source-offset".into(),
            input.offset.to_string().into_bytes(),
        ));
        Ok(vec![OutputRecord {
            topic: OUT.into(),
            key: input.key.clone().unwrap_or_default(),
            value: value.to_ascii_uppercase(),
            headers,
        }])
    }
}

/// A one-broker mock cluster with the input (`partitions` partitions), output and DLQ topics.
pub fn cluster(partitions: i32) -> MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let cluster = MockCluster::new(1).expect("mock cluster");
    cluster.create_topic(IN, partitions, 1).unwrap();
    cluster.create_topic(OUT, 2, 1).unwrap();
    cluster.create_topic(DLQ, 1, 1).unwrap();
    cluster
}

/// A worker configuration for tests: fast commits, an ephemeral HTTP port.
pub fn config(bootstrap: &str, group: &str) -> RuntimeConfig {
    let mut c = RuntimeConfig::new(bootstrap, group, vec![IN.to_string()]);
    c.dlq_topic = DLQ.into();
    c.worker_name = WORKER.into();
    c.http_addr = "127.0.0.1:0".parse().unwrap();
    c.commit_interval = Duration::from_millis(100);
    c.shutdown_timeout = Duration::from_secs(10);
    c.stats_interval = Duration::from_millis(500);
    c.max_in_flight = 8;
    c.processing_threads = 2;
    c.produce_retry_backoff = Duration::from_millis(50);
    c.produce_retry_max_backoff = Duration::from_millis(500);
    c.kafka_consumer = BTreeMap::from([
        ("session.timeout.ms".to_string(), "6000".to_string()),
        ("heartbeat.interval.ms".to_string(), "500".to_string()),
        ("fetch.wait.max.ms".to_string(), "50".to_string()),
    ]);
    c
}

/// An input message.
#[derive(Debug, Clone)]
pub struct Input {
    pub partition: i32,
    pub key: String,
    pub value: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Input {
    pub fn new(partition: i32, key: &str, value: &str) -> Self {
        Input {
            partition,
            key: key.to_string(),
            value: value.as_bytes().to_vec(),
            headers: vec![("origin".to_string(), format!("crawler/{key}").into_bytes())],
        }
    }
}

/// Produces `inputs` to `IN` and returns their offsets.
pub async fn produce(bootstrap: &str, inputs: &[Input]) -> Vec<i64> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let mut offsets = Vec::new();
    for input in inputs {
        let headers = input.headers.iter().fold(OwnedHeaders::new(), |h, (k, v)| {
            h.insert(Header {
                key: k,
                value: Some(v),
            })
        });
        let delivery = producer
            .send(
                FutureRecord::to(IN)
                    .partition(input.partition)
                    .key(&input.key)
                    .payload(&input.value)
                    .headers(headers),
                Duration::from_secs(5),
            )
            .await
            .expect("test input delivered");
        assert_eq!(delivery.partition, input.partition);
        offsets.push(delivery.offset);
    }
    offsets
}

/// Reads `topic` from the beginning until `expected` messages arrived or `timeout` passed,
/// then keeps reading for `settle` to catch unexpected extra messages.
pub fn read_topic(
    bootstrap: &str,
    topic: &str,
    partitions: i32,
    expected: usize,
    timeout: Duration,
    settle: Duration,
) -> Vec<OwnedMessage> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.partition.eof", "false")
        .set("group.id", format!("reader-{topic}-{:?}", Instant::now()))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut out = Vec::new();
    let start = Instant::now();
    let mut done_at: Option<Instant> = None;
    loop {
        if out.len() >= expected && done_at.is_none() {
            done_at = Some(Instant::now());
        }
        match done_at {
            Some(t) if t.elapsed() >= settle => break,
            None if start.elapsed() >= timeout => break,
            _ => {}
        }
        if let Some(result) = consumer.poll(Duration::from_millis(50)) {
            match result {
                Ok(m) => out.push(m.detach()),
                Err(err) => eprintln!("reader: {err}"),
            }
        }
    }
    out
}

/// The group's committed offsets for `partitions` partitions of `IN` (`None`: nothing committed).
pub fn committed(bootstrap: &str, group: &str, partitions: i32) -> Vec<Option<i64>> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(IN, p);
    }
    let result = consumer
        .committed_offsets(tpl, Duration::from_secs(5))
        .expect("committed offsets");
    (0..partitions)
        .map(|p| match result.find_partition(IN, p).unwrap().offset() {
            Offset::Offset(o) => Some(o),
            _ => None,
        })
        .collect()
}

/// High watermarks (end offsets) of `IN`.
pub fn end_offsets(bootstrap: &str, partitions: i32) -> Vec<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    (0..partitions)
        .map(|p| {
            consumer
                .fetch_watermarks(IN, p, Duration::from_secs(5))
                .unwrap()
                .1
        })
        .collect()
}

/// `GET path` on `addr`: (status code, body).
pub fn http_get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read response");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Polls `f` every 50 ms until it returns true or `timeout` passes.
pub async fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

/// The value of header `name`, as text.
pub fn header(m: &OwnedMessage, name: &str) -> Option<String> {
    let headers = m.headers()?;
    headers
        .iter()
        .filter(|h| h.key == name)
        .last()
        .map(|h| String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned())
}

/// Every header of `m`, in order.
pub fn headers(m: &OwnedMessage) -> Vec<(String, Vec<u8>)> {
    m.headers()
        .map(|hs| {
            hs.iter()
                .map(|h| (h.key.to_string(), h.value.unwrap_or_default().to_vec()))
                .collect()
        })
        .unwrap_or_default()
}

/// A running worker: its HTTP address, its shutdown trigger and its task.
pub struct Running {
    pub http: std::net::SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub task: tokio::task::JoinHandle<Result<RunSummary, reportflow_kafka::Error>>,
}

impl Running {
    pub async fn start(config: reportflow_kafka::RuntimeConfig, processor: Upper) -> Running {
        // Set RUST_LOG (e.g. `info,librdkafka=warn`) to see the worker's logs.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = reportflow_kafka::init_logging(reportflow_kafka::LogFormat::Text, "warn");
        }
        let worker = Worker::start(config, Arc::new(processor))
            .await
            .expect("worker starts");
        let http = worker.http_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(worker.run(async move {
            let _ = stopped.await;
        }));
        Running { http, stop, task }
    }

    pub async fn wait_ready(&self) {
        self.wait_ready_within(Duration::from_secs(15)).await;
    }

    /// Waits until `/ready` answers 200, at most `timeout`.
    pub async fn wait_ready_within(&self, timeout: Duration) {
        let http = self.http;
        let ready = eventually(timeout, || http_get(http, "/ready").0 == 200).await;
        assert!(ready, "the worker never became ready (waited {timeout:?})");
    }

    /// Stops the worker; returns its summary and how long stopping took.
    pub async fn stop(self) -> (RunSummary, Duration) {
        let started = Instant::now();
        let _ = self.stop.send(());
        let summary = tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("shutdown is prompt")
            .expect("run task")
            .expect("run succeeds");
        (summary, started.elapsed())
    }
}

pub async fn read(
    bootstrap: &str,
    topic: &'static str,
    partitions: i32,
    expected: usize,
) -> Vec<rdkafka::message::OwnedMessage> {
    let bootstrap = bootstrap.to_string();
    tokio::task::spawn_blocking(move || {
        read_topic(
            &bootstrap,
            topic,
            partitions,
            expected,
            Duration::from_secs(15),
            Duration::from_millis(300),
        )
    })
    .await
    .unwrap()
}

pub async fn committed_async(bootstrap: &str, group: &str, partitions: i32) -> Vec<Option<i64>> {
    let (b, g) = (bootstrap.to_string(), group.to_string());
    tokio::task::spawn_blocking(move || committed(&b, &g, partitions))
        .await
        .unwrap()
}
