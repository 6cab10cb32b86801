//! A broker that cannot take outputs for a while: deliveries fail (after librdkafka's own
//! retries), the runtime re-sends them, never commits past them, and never skips them.

mod common;

use std::time::Duration;

use common::*;
use rdkafka::mocking::MockCoordinator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_deliveries_are_retried_and_block_commits_until_acknowledged() {
    let cluster = rdkafka::mocking::MockCluster::new(2).unwrap();
    let bootstrap = cluster.bootstrap_servers();
    let group = "g-retry";
    cluster.create_topic(IN, 1, 1).unwrap();
    cluster.create_topic(OUT, 2, 1).unwrap();
    cluster.create_topic(DLQ, 1, 1).unwrap();
    cluster.partition_leader(IN, 0, Some(1)).unwrap();
    cluster.partition_leader(DLQ, 0, Some(1)).unwrap();
    cluster.partition_leader(OUT, 0, Some(2)).unwrap();
    cluster.partition_leader(OUT, 1, Some(2)).unwrap();
    cluster
        .coordinator(MockCoordinator::Group(group.to_string()), 1)
        .unwrap();

    let inputs: Vec<Input> = (0..5)
        .map(|i| Input::new(0, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&bootstrap, &inputs).await;

    // The output topic's broker is down: nothing can be acknowledged.
    cluster.broker_down(2).unwrap();
    let mut cfg = config(&bootstrap, group);
    cfg.kafka_producer
        .insert("message.timeout.ms".to_string(), "1000".to_string());
    let running = Running::start(cfg, Upper::new()).await;
    running.wait_ready().await;

    let http = running.http;
    let retried = eventually(Duration::from_secs(10), || {
        let metrics = http_get(http, "/metrics").1;
        metrics
            .lines()
            .find(|l| {
                l.starts_with(
                    "reportflow_produce_retries_total{reason=\"delivery_failed\",stage=\"upper\"}",
                )
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .is_some_and(|v| v >= 5.0)
    })
    .await;
    assert!(retried, "{}", http_get(http, "/metrics").1);
    assert_eq!(
        committed_async(&bootstrap, group, 1).await,
        vec![None],
        "committed past unacknowledged outputs"
    );

    // The broker comes back: every output is delivered and the offsets committed.
    cluster.broker_up(2).unwrap();
    let outputs = read(&bootstrap, OUT, 2, 5).await;
    let b = bootstrap.clone();
    assert!(
        eventually(Duration::from_secs(10), || committed(&b, group, 1)
            == vec![Some(5)])
        .await,
        "committed {:?}",
        committed_async(&bootstrap, group, 1).await
    );
    let (summary, _) = running.stop().await;
    assert_eq!(summary.messages_out, 5);
    for input in &inputs {
        assert!(
            outputs
                .iter()
                .any(|m| rdkafka::Message::key(m) == Some(input.key.as_bytes())),
            "{} was skipped",
            input.key
        );
    }
}
