//! Tests of the batch sink loop (`run_sink`) against librdkafka's mock cluster with a fake
//! sink: transient failures are retried without loss and offsets are committed only after a
//! successful write; rejects are dead-lettered with stage `sink`.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reportflow_kafka::dlq::{HEADER_ERROR_KIND, HEADER_ERROR_STAGE};
use reportflow_kafka::{InputRecord, Reject, Sink, SinkConfig, SinkError};

/// Stores `(partition, offset, value)`; fails while `failing` is set; rejects `BAD…` values.
#[derive(Clone, Default)]
struct FakeSink {
    stored: Arc<Mutex<Vec<(i32, i64, String)>>>,
    failing: Arc<AtomicBool>,
    attempts: Arc<AtomicUsize>,
}

impl Sink for FakeSink {
    fn name(&self) -> &'static str {
        "fake"
    }

    async fn write(&mut self, batch: &[InputRecord]) -> Result<Vec<(usize, Reject)>, SinkError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(SinkError::Transient("the store is down".into()));
        }
        let mut rejects = Vec::new();
        let mut stored = self.stored.lock().unwrap();
        for (i, r) in batch.iter().enumerate() {
            let value =
                String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned();
            if value.starts_with("BAD") {
                rejects.push((i, Reject::new("sink", "undecodable", "bad value")));
            } else {
                stored.push((r.partition, r.offset, value));
            }
        }
        Ok(rejects)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_transient_failures_and_commits_only_after_success() {
    let cluster = cluster(3);
    let bootstrap = cluster.bootstrap_servers();
    let inputs: Vec<Input> = (0..30)
        .map(|i| {
            let value = if i == 5 || i == 20 {
                format!("BAD {i}")
            } else {
                format!("row {i}")
            };
            Input::new(i % 3, &format!("k{i}"), &value)
        })
        .collect();
    produce(&bootstrap, &inputs).await;

    let sink = FakeSink::default();
    sink.failing.store(true, Ordering::SeqCst);
    let group = "g-sink";
    let sink_config = SinkConfig {
        batch_max_records: 8,
        batch_max: Duration::from_millis(100),
        retry_backoff: Duration::from_millis(20),
        retry_max_backoff: Duration::from_millis(100),
        ..SinkConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(reportflow_kafka::run_sink(
        config(&bootstrap, group),
        sink_config,
        sink.clone(),
        async move {
            let _ = stopped.await;
        },
    ));

    // While the store is down: attempts pile up, nothing is stored or committed.
    let attempts = sink.attempts.clone();
    assert!(
        eventually(Duration::from_secs(15), || attempts.load(Ordering::SeqCst)
            >= 5)
        .await,
        "the failing batch is retried"
    );
    assert!(sink.stored.lock().unwrap().is_empty());
    assert_eq!(
        committed_async(&bootstrap, group, 3).await,
        vec![None, None, None],
        "nothing is committed before a successful write"
    );

    // The store comes back: everything arrives, exactly the inputs, and is committed.
    sink.failing.store(false, Ordering::SeqCst);
    let stored = sink.stored.clone();
    assert!(
        eventually(Duration::from_secs(15), || {
            stored
                .lock()
                .unwrap()
                .iter()
                .map(|(p, o, _)| (*p, *o))
                .collect::<BTreeSet<_>>()
                .len()
                == 28
        })
        .await,
        "every good record is stored"
    );
    let values: BTreeSet<String> = sink
        .stored
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, v)| v.clone())
        .collect();
    let want: BTreeSet<String> = (0..30)
        .filter(|i| *i != 5 && *i != 20)
        .map(|i| format!("row {i}"))
        .collect();
    assert_eq!(values, want);
    let ends = end_offsets(&bootstrap, 3);
    let b = bootstrap.clone();
    assert!(
        eventually(Duration::from_secs(10), || committed(&b, group, 3)
            == ends.iter().map(|&e| Some(e)).collect::<Vec<_>>())
        .await,
        "everything is committed after the writes"
    );

    let dead = read(&bootstrap, DLQ, 1, 2).await;
    assert_eq!(dead.len(), 2);
    for m in &dead {
        assert_eq!(header(m, HEADER_ERROR_STAGE).as_deref(), Some("sink"));
        assert_eq!(header(m, HEADER_ERROR_KIND).as_deref(), Some("undecodable"));
    }

    stop.send(()).unwrap();
    let summary = tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("prompt shutdown")
        .unwrap()
        .expect("clean stop");
    assert!(summary.retries >= 4, "{summary:?}");
    assert_eq!(summary.dead_lettered, 2);
    assert_eq!(summary.records_in, 30);
}
