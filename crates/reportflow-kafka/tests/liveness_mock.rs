//! `/health` reflects the consume loop's progress: a worker stuck on one input (its processor
//! never returns) while more input waits turns unhealthy after `liveness_timeout`, and healthy
//! again once it moves; an idle worker stays healthy however long nothing arrives.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_fails_while_the_loop_is_stuck_with_pending_input() {
    let cluster = cluster(1);
    let bootstrap = cluster.bootstrap_servers();
    let mut config = config(&bootstrap, "g-liveness");
    config.liveness_timeout = Some(Duration::from_secs(2));
    config.max_in_flight = 1;
    let upper = Upper::new();
    let gate = upper.gate.clone();
    let worker = Running::start(config, upper).await;
    let http = worker.http;

    // Idle: nothing to do, healthy well past the timeout.
    produce(&bootstrap, &[Input::new(0, "k0", "v0")]).await;
    assert_eq!(read(&bootstrap, OUT, 2, 1).await.len(), 1);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(http_get(http, "/health").0, 200, "an idle worker is live");

    // Stuck: the processor holds the first input, more input waits behind it.
    gate.store(false, Ordering::SeqCst);
    let waiting: Vec<Input> = (1..=5)
        .map(|i| Input::new(0, &format!("k{i}"), if i == 1 { "HOLD" } else { "v" }))
        .collect();
    produce(&bootstrap, &waiting).await;
    let stalled = eventually(Duration::from_secs(20), || {
        http_get(http, "/health").0 == 503
    })
    .await;
    let (status, body) = http_get(http, "/health");
    // Released: it commits again and is live again (released before asserting, so a failure
    // does not leave the worker stuck).
    gate.store(true, Ordering::SeqCst);
    assert!(stalled, "still {status}: {body}");
    assert!(body.contains("stalled: no progress"), "{body}");

    let live = eventually(Duration::from_secs(20), || {
        http_get(http, "/health").0 == 200
    })
    .await;
    assert!(live, "{:?}", http_get(http, "/health"));
    worker.stop().await;
}
