//! A worker whose broker is down logs each repeated error once per interval (with a count of
//! the repetitions), not once per occurrence: no log storm.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reportflow_kafka::{InputRecord, OutputRecord, Processor, Reject, RuntimeConfig, Worker};

struct Nothing;

impl Processor for Nothing {
    fn stage(&self) -> &'static str {
        "nothing"
    }
    fn process(&self, _: &InputRecord) -> Result<Vec<OutputRecord>, Reject> {
        Ok(Vec::new())
    }
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_without_broker_logs_each_error_once_per_interval() {
    let buf = Buf::default();
    let writer = buf.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    // Nothing listens on port 1.
    let mut config = RuntimeConfig::new("127.0.0.1:1", "g-storm", vec!["in".to_string()]);
    config.dlq_topic = "dlq".into();
    config.http_addr = "127.0.0.1:0".parse().unwrap();
    config.kafka = [
        ("reconnect.backoff.ms".to_string(), "10".to_string()),
        ("reconnect.backoff.max.ms".to_string(), "50".to_string()),
    ]
    .into();
    let worker = Worker::start(config, Arc::new(Nothing)).await.unwrap();
    let secs = 6;
    let _ = worker
        .run(tokio::time::sleep(Duration::from_secs(secs)))
        .await;

    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    let problems: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    eprintln!(
        "{} warnings and errors in {secs} s:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        problems
            .iter()
            .any(|l| l.contains("refused") || l.contains("down")),
        "the outage is logged"
    );
    // Each distinct error once in the 10 s interval (a few kinds: connect refused, all
    // brokers down, for the consumer and the producer), instead of tens per second.
    assert!(
        problems.len() <= 12,
        "{} warnings and errors in {secs} s",
        problems.len()
    );
}
