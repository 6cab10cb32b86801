//! End-to-end tests of the runtime loop against librdkafka's in-process mock cluster.

mod common;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use reportflow_kafka::dlq::{
    DLQ_HEADERS, HEADER_DROPPED, HEADER_ERROR_KIND, HEADER_ERROR_MESSAGE, HEADER_ERROR_STAGE,
    HEADER_SOURCE_OFFSET, HEADER_SOURCE_PARTITION, HEADER_SOURCE_TOPIC, HEADER_WORKER,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_dead_letters_commits_and_shuts_down() {
    let cluster = cluster(3);
    let bootstrap = cluster.bootstrap_servers();
    let mut inputs = Vec::new();
    for i in 0..30 {
        let value = match i {
            4 | 17 => format!("BAD input {i}"),
            11 => "PANIC now".to_string(),
            _ => format!("report {i}"),
        };
        inputs.push(Input::new(i % 3, &format!("k{i}"), &value));
    }
    let offsets = produce(&bootstrap, &inputs).await;

    let group = "g-main";
    let running = Running::start(config(&bootstrap, group), Upper::new()).await;
    running.wait_ready().await;
    assert_eq!(http_get(running.http, "/health").0, 200);

    let outputs = read(&bootstrap, OUT, 2, 27).await;
    let dead = read(&bootstrap, DLQ, 1, 3).await;

    // Everything is committed while running, too.
    let ends = end_offsets(&bootstrap, 3);
    let b = bootstrap.clone();
    let all_committed = eventually(Duration::from_secs(10), || {
        committed(&b, group, 3) == ends.iter().map(|&e| Some(e)).collect::<Vec<_>>()
    })
    .await;
    assert!(all_committed, "offsets were not committed while running");

    let (status, metrics) = http_get(running.http, "/metrics");
    assert_eq!(status, 200);
    for line in [
        "reportflow_messages_in_total{stage=\"upper\"} 30",
        "reportflow_messages_out_total{topic=\"reports.upper\",stage=\"upper\"} 27",
        "reportflow_messages_dead_lettered_total{kind=\"bad_input\",rejected_by=\"transform\",stage=\"upper\"} 2",
        "reportflow_messages_dead_lettered_total{kind=\"panic\",rejected_by=\"upper\",stage=\"upper\"} 1",
        "reportflow_in_flight{stage=\"upper\"} 0",
        "reportflow_assigned_partitions{stage=\"upper\"} 3",
        "reportflow_processing_seconds_count{stage=\"upper\"} 30",
    ] {
        assert!(metrics.contains(line), "missing `{line}` in\n{metrics}");
    }
    assert!(metrics.contains("reportflow_commits_total{result=\"ok\",stage=\"upper\"}"));

    let (summary, took) = running.stop().await;
    assert!(took < Duration::from_secs(8), "shutdown took {took:?}");
    assert_eq!(summary.messages_in, 30);
    assert_eq!(summary.messages_out, 27);
    assert_eq!(summary.dead_lettered, 3);
    assert_eq!(summary.abandoned, 0);
    assert!(summary.commits > 0);

    // Committed offsets equal the end offsets after shutdown.
    let committed_now = committed_async(&bootstrap, group, 3).await;
    assert_eq!(
        committed_now,
        ends.iter().map(|&e| Some(e)).collect::<Vec<_>>()
    );

    // Every good input produced exactly its output.
    assert_eq!(outputs.len(), 27, "unexpected extra outputs");
    let mut by_key: HashMap<String, Vec<&rdkafka::message::OwnedMessage>> = HashMap::new();
    for m in &outputs {
        let key = String::from_utf8(rdkafka::Message::key(m).unwrap().to_vec()).unwrap();
        by_key.entry(key).or_default().push(m);
    }
    for (i, input) in inputs.iter().enumerate() {
        let bad = input.value.starts_with(b"BAD") || input.value.starts_with(b"PANIC");
        let got = by_key.get(&input.key).map_or(0, Vec::len);
        if bad {
            assert_eq!(got, 0, "{} has an output", input.key);
            continue;
        }
        assert_eq!(got, 1, "{} has {got} outputs", input.key);
        let m = by_key[&input.key][0];
        assert_eq!(
            rdkafka::Message::payload(m).unwrap(),
            input.value.to_ascii_uppercase().as_slice()
        );
        assert_eq!(
            header(m, "origin").unwrap(),
            format!("crawler/{}", input.key)
        );
        assert_eq!(
            header(m, "x-source-offset").unwrap(),
            offsets[i].to_string()
        );
    }

    // Every bad input is in the DLQ with its original key, value and headers and the seven
    // reportflow headers.
    assert_eq!(dead.len(), 3);
    for (i, input) in inputs.iter().enumerate() {
        let panic = input.value.starts_with(b"PANIC");
        if !(input.value.starts_with(b"BAD") || panic) {
            continue;
        }
        let m = dead
            .iter()
            .find(|m| rdkafka::Message::key(*m) == Some(input.key.as_bytes()))
            .unwrap_or_else(|| panic!("{} not dead-lettered", input.key));
        assert_eq!(
            rdkafka::Message::payload(m).unwrap(),
            input.value.as_slice()
        );
        let hs = headers(m);
        assert_eq!(
            hs[..input.headers.len()],
            input.headers[..],
            "original headers first"
        );
        for name in DLQ_HEADERS {
            assert!(header(m, name).is_some(), "{} lacks {name}", input.key);
        }
        assert_eq!(hs.len(), input.headers.len() + 7);
        let (stage, kind) = if panic {
            ("upper", "panic")
        } else {
            ("transform", "bad_input")
        };
        assert_eq!(header(m, HEADER_ERROR_STAGE).unwrap(), stage);
        assert_eq!(header(m, HEADER_ERROR_KIND).unwrap(), kind);
        let message = header(m, HEADER_ERROR_MESSAGE).unwrap();
        if panic {
            assert!(message.contains("asked to panic"), "{message}");
        } else {
            assert!(message.contains("BAD"), "{message}");
        }
        assert_eq!(header(m, HEADER_SOURCE_TOPIC).unwrap(), IN);
        assert_eq!(
            header(m, HEADER_SOURCE_PARTITION).unwrap(),
            input.partition.to_string()
        );
        assert_eq!(
            header(m, HEADER_SOURCE_OFFSET).unwrap(),
            offsets[i].to_string()
        );
        assert_eq!(header(m, HEADER_WORKER).unwrap(), WORKER);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_with_the_same_group_processes_nothing_new() {
    let cluster = cluster(2);
    let bootstrap = cluster.bootstrap_servers();
    let inputs: Vec<Input> = (0..10)
        .map(|i| Input::new(i % 2, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&bootstrap, &inputs).await;
    let group = "g-resume";

    let first = Running::start(config(&bootstrap, group), Upper::new()).await;
    assert_eq!(read(&bootstrap, OUT, 2, 10).await.len(), 10);
    let (summary, _) = first.stop().await;
    assert_eq!(summary.messages_in, 10);

    // Same group, nothing new: nothing is processed.
    let second = Running::start(config(&bootstrap, group), Upper::new()).await;
    second.wait_ready().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (summary, _) = second.stop().await;
    assert_eq!(
        summary.messages_in, 0,
        "the second run reprocessed committed messages"
    );

    // New input after that: exactly it is processed.
    let more: Vec<Input> = (10..13)
        .map(|i| Input::new(i % 2, &format!("k{i}"), &format!("v{i}")))
        .collect();
    produce(&bootstrap, &more).await;
    let third = Running::start(config(&bootstrap, group), Upper::new()).await;
    assert_eq!(read(&bootstrap, OUT, 2, 13).await.len(), 13);
    let (summary, _) = third.stop().await;
    assert_eq!(summary.messages_in, 3);
    assert_eq!(summary.messages_out, 3);
    let ends = end_offsets(&bootstrap, 2);
    assert_eq!(
        committed_async(&bootstrap, group, 2).await,
        ends.iter().map(|&e| Some(e)).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_never_pass_a_message_whose_outputs_are_not_acknowledged() {
    let cluster = cluster(2);
    let bootstrap = cluster.bootstrap_servers();
    // Partition 0: offset 2 is held in processing; 3 and 4 finish before it.
    let inputs = vec![
        Input::new(0, "a0", "a0"),
        Input::new(0, "a1", "a1"),
        Input::new(0, "a2", "HOLD a2"),
        Input::new(0, "a3", "a3"),
        Input::new(0, "a4", "a4"),
        Input::new(1, "b0", "b0"),
        Input::new(1, "b1", "b1"),
        Input::new(1, "b2", "b2"),
    ];
    produce(&bootstrap, &inputs).await;
    let group = "g-hold";
    let upper = Upper::new();
    upper.gate.store(false, Ordering::SeqCst);
    let gate = upper.gate.clone();
    let running = Running::start(config(&bootstrap, group), upper).await;

    // Everything but the held message is processed and acknowledged...
    let outputs = read(&bootstrap, OUT, 2, 7).await;
    assert_eq!(outputs.len(), 7);
    // ...partition 1 is committed to its end, partition 0 only up to the held message.
    let b = bootstrap.clone();
    let reached = eventually(Duration::from_secs(10), || {
        committed(&b, group, 2) == vec![Some(2), Some(3)]
    })
    .await;
    assert!(
        reached,
        "committed: {:?}",
        committed_async(&bootstrap, group, 2).await
    );
    // It stays there across many commit intervals while the message is in flight.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            committed_async(&bootstrap, group, 2).await,
            vec![Some(2), Some(3)]
        );
    }
    let (_, metrics) = http_get(running.http, "/metrics");
    assert!(
        metrics.contains("reportflow_in_flight{stage=\"upper\"} 1"),
        "{metrics}"
    );
    // The lag gauge (from librdkafka statistics) counts the uncommitted messages.
    let http = running.http;
    let lag = eventually(Duration::from_secs(5), || {
        http_get(http, "/metrics").1.contains(
            "reportflow_consumer_lag{partition=\"0\",topic=\"reports.raw\",stage=\"upper\"} 3",
        )
    })
    .await;
    assert!(lag, "{}", http_get(http, "/metrics").1);

    // Release it: the watermark jumps to the end.
    gate.store(true, Ordering::SeqCst);
    let b = bootstrap.clone();
    let reached = eventually(Duration::from_secs(10), || {
        committed(&b, group, 2) == vec![Some(5), Some(3)]
    })
    .await;
    assert!(
        reached,
        "committed: {:?}",
        committed_async(&bootstrap, group, 2).await
    );
    let (summary, _) = running.stop().await;
    assert_eq!(summary.messages_out, 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_inputs_are_dead_lettered_with_kind_too_large() {
    let cluster = cluster(1);
    let bootstrap = cluster.bootstrap_servers();
    let big = "x".repeat(200);
    let inputs = vec![
        Input::new(0, "small", "fits"),
        Input::new(0, "big", &big),
        Input::new(0, "after", "fits too"),
    ];
    produce(&bootstrap, &inputs).await;
    let mut cfg = config(&bootstrap, "g-big");
    cfg.max_message_bytes = 64;
    let running = Running::start(cfg, Upper::new()).await;
    let dead = read(&bootstrap, DLQ, 1, 1).await;
    let outputs = read(&bootstrap, OUT, 2, 2).await;
    let (summary, _) = running.stop().await;
    assert_eq!(outputs.len(), 2);
    assert_eq!(dead.len(), 1);
    let m = &dead[0];
    assert_eq!(rdkafka::Message::key(m), Some(&b"big"[..]));
    assert_eq!(rdkafka::Message::payload(m), Some(big.as_bytes()));
    assert_eq!(header(m, HEADER_ERROR_KIND).unwrap(), "too_large");
    assert_eq!(header(m, HEADER_ERROR_STAGE).unwrap(), "intake");
    assert_eq!(header(m, HEADER_SOURCE_OFFSET).unwrap(), "1");
    assert_eq!(summary.dead_lettered, 1);
    assert_eq!(committed_async(&bootstrap, "g-big", 1).await, vec![Some(3)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_over_the_size_limit_are_dead_lettered_too_large_with_size_and_limit() {
    let cluster = cluster(1);
    let bootstrap = cluster.bootstrap_servers();
    let big = "x".repeat(150_000);
    let inputs = vec![Input::new(0, "big", &big), Input::new(0, "after", "fits")];
    produce(&bootstrap, &inputs).await;
    let mut cfg = config(&bootstrap, "g-big-out");
    cfg.kafka_producer
        .insert("message.max.bytes".into(), "100000".into());
    let running = Running::start(cfg, Upper::new()).await;
    let dead = read(&bootstrap, DLQ, 1, 1).await;
    let outputs = read(&bootstrap, OUT, 2, 1).await;
    let (summary, _) = running.stop().await;
    assert_eq!(outputs.len(), 1);
    assert_eq!(dead.len(), 1);
    let m = &dead[0];
    assert_eq!(rdkafka::Message::key(m), Some(&b"big"[..]));
    assert_eq!(header(m, HEADER_ERROR_KIND).unwrap(), "too_large");
    assert_eq!(header(m, HEADER_ERROR_STAGE).unwrap(), "produce");
    let message = header(m, HEADER_ERROR_MESSAGE).unwrap();
    // The output's size (value, key, headers) and the producer's limit.
    assert!(message.contains("is 150"), "{message}");
    assert!(message.contains("message.max.bytes is 100000"), "{message}");
    // The dead letter itself did not fit with the input's value: it went without it.
    assert_eq!(header(m, HEADER_DROPPED).unwrap(), "value");
    assert_eq!(summary.dead_lettered, 1);
    assert_eq!(
        committed_async(&bootstrap, "g-big-out", 1).await,
        vec![Some(2)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_abandons_stuck_work_at_the_deadline_without_committing_it() {
    let cluster = cluster(1);
    let bootstrap = cluster.bootstrap_servers();
    let inputs = vec![
        Input::new(0, "a0", "a0"),
        Input::new(0, "a1", "HOLD forever"),
        Input::new(0, "a2", "a2"),
    ];
    produce(&bootstrap, &inputs).await;
    let group = "g-deadline";
    let mut cfg = config(&bootstrap, group);
    cfg.shutdown_timeout = Duration::from_millis(1000);
    let upper = Upper::new();
    upper.gate.store(false, Ordering::SeqCst);
    let gate = upper.gate.clone();
    let running = Running::start(cfg, upper).await;
    assert_eq!(read(&bootstrap, OUT, 2, 2).await.len(), 2);

    let (summary, took) = running.stop().await;
    gate.store(true, Ordering::SeqCst);
    assert_eq!(summary.abandoned, 1);
    // In-flight work gets three quarters of the deadline, closing the rest.
    assert!(
        took >= Duration::from_millis(700),
        "did not wait for in-flight work: {took:?}"
    );
    assert!(
        took < Duration::from_millis(2500),
        "shutdown overran its deadline: {took:?}"
    );
    // Only the message before the stuck one is committed.
    assert_eq!(committed_async(&bootstrap, group, 1).await, vec![Some(1)]);
}
