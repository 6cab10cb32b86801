//! Two workers in one group: cooperative-sticky rebalancing hands partitions over without
//! losing messages, and revoked partitions are committed.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_member_takes_over_partitions_without_loss() {
    let cluster = cluster(4);
    let bootstrap = cluster.bootstrap_servers();
    let inputs: Vec<Input> = (0..60)
        .map(|i| Input::new(i % 4, &format!("k{i}"), &format!("SLOW {i}")))
        .collect();
    produce(&bootstrap, &inputs).await;
    let group = "g-rebalance";
    let mut cfg = config(&bootstrap, group);
    // One message at a time: 60 × 100 ms, so the second member joins mid-stream.
    cfg.processing_threads = 1;
    cfg.max_in_flight = 2;

    let first = Running::start(cfg.clone(), Upper::new()).await;
    first.wait_ready().await;
    let second = Running::start(cfg, Upper::new()).await;
    second.wait_ready().await;
    let (_, metrics) = http_get(second.http, "/metrics");
    assert!(
        !metrics.contains("reportflow_assigned_partitions 0"),
        "the second member got no partition"
    );

    let outputs = read(&bootstrap, OUT, 2, 60).await;
    let ends = end_offsets(&bootstrap, 4);
    let want: Vec<Option<i64>> = ends.iter().map(|&e| Some(e)).collect();
    let b = bootstrap.clone();
    assert!(
        eventually(Duration::from_secs(10), || committed(&b, group, 4) == want).await,
        "committed {:?}, want {want:?}",
        committed_async(&bootstrap, group, 4).await
    );
    let (s1, _) = first.stop().await;
    let (s2, _) = second.stop().await;
    assert!(s1.messages_in > 0 && s2.messages_in > 0, "{s1:?} {s2:?}");
    // The revocation waited for the in-flight work of the revoked partitions, so nothing was
    // processed twice.
    assert_eq!(s1.messages_in + s2.messages_in, 60, "{s1:?} {s2:?}");

    // Every input has exactly one output.
    let mut count: HashMap<Vec<u8>, usize> = HashMap::new();
    for m in &outputs {
        *count
            .entry(rdkafka::Message::key(m).unwrap().to_vec())
            .or_default() += 1;
    }
    for input in &inputs {
        assert!(
            count.contains_key(input.key.as_bytes()),
            "{} lost",
            input.key
        );
    }
    let duplicates: usize = count.values().map(|c| c - 1).sum();
    assert_eq!(duplicates, 0, "{duplicates} duplicates");
    assert_eq!(committed_async(&bootstrap, group, 4).await, want);
}
