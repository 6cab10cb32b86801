//! A consumer whose committed offset was deleted (here by the mock cluster's 5 MiB partition
//! cap, on a real cluster by retention) skips the missing records: the skip is counted in
//! `reportflow_offsets_skipped_total` with exactly the records skipped, never silent.

mod common;

use std::time::Duration;

use common::*;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;

fn low_watermark(bootstrap: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    consumer
        .fetch_watermarks(IN, 0, Duration::from_secs(5))
        .unwrap()
        .0
}

fn skipped(metrics: &str) -> Option<u64> {
    metrics
        .lines()
        .find(|l| {
            l.starts_with("reportflow_offsets_skipped_total{topic=\"reports.raw\",stage=\"upper\"}")
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_deleted_before_they_were_consumed_are_counted_as_skipped() {
    let cluster = cluster(1);
    let bootstrap = cluster.bootstrap_servers();
    let group = "g-reset";

    // The group consumes and commits offset 1.
    produce(&bootstrap, &[Input::new(0, "k0", "v0")]).await;
    let first = Running::start(config(&bootstrap, group), Upper::new()).await;
    assert_eq!(read(&bootstrap, OUT, 2, 1).await.len(), 1);
    assert_eq!(skipped(&http_get(first.http, "/metrics").1), Some(0));
    first.stop().await;
    assert_eq!(committed_async(&bootstrap, group, 1).await, vec![Some(1)]);

    // 12 × 512 KiB go past the mock's 5 MiB partition cap: the oldest records are dropped,
    // the committed offset 1 among them.
    let big = "x".repeat(512 * 1024);
    let inputs: Vec<Input> = (1..=12)
        .map(|i| Input::new(0, &format!("k{i}"), &big))
        .collect();
    produce(&bootstrap, &inputs).await;
    let low = low_watermark(&bootstrap);
    assert!(
        low > 1,
        "the mock cluster dropped nothing (log start {low})"
    );

    let second = Running::start(config(&bootstrap, group), Upper::new()).await;
    let http = second.http;
    let counted = eventually(Duration::from_secs(20), || {
        skipped(&http_get(http, "/metrics").1) == Some((low - 1) as u64)
    })
    .await;
    let metrics = http_get(http, "/metrics").1;
    assert!(
        counted,
        "expected {} skipped records, metrics say {:?}",
        low - 1,
        skipped(&metrics)
    );
    // Stop only once the whole log is done (committed up to its end): the skip is counted
    // when the first record after the gap arrives, while later ones may still wait for one of
    // the `max_in_flight` permits.
    let done = eventually(Duration::from_secs(20), || {
        committed(&bootstrap, group, 1) == vec![Some(13)]
    })
    .await;
    assert!(done, "the group never committed the end of the log (13)");
    let (summary, _) = second.stop().await;
    // Every record still in the log was consumed; at least once, so a rebalance under load
    // may deliver one twice.
    assert!(
        summary.messages_in >= (13 - low) as u64,
        "{} consumed of the {} left",
        summary.messages_in,
        13 - low
    );
}
