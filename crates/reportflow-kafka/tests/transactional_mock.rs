//! `processing_guarantee = "exactly_once"` against librdkafka's mock cluster (the embedded
//! broker of `reportflow dev-broker`). The real test of the mode, with `kill -9` in the middle
//! of transactions, runs on Apache Kafka (`tests/tests/exactly_once.rs`).

mod common;

use common::*;
use reportflow_kafka::{ConfigError, Error, ProcessingGuarantee, RawConfig, Worker};

/// Without an instance id there is no stable `transactional.id`: refused before any client is
/// created, with a message that names the missing setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_without_instance_id_is_refused_at_start() {
    let cluster = cluster(1);
    let mut config = config(&cluster.bootstrap_servers(), "g-eos-no-id");
    config.processing_guarantee = ProcessingGuarantee::ExactlyOnce;
    let err = Worker::start(config, std::sync::Arc::new(Upper::new()))
        .await
        .expect_err("exactly_once without instance_id must not start");
    let message = err.to_string();
    assert!(
        matches!(err, Error::Config(ConfigError::Invalid { ref key, .. }) if key == "processing_guarantee"),
        "{message}"
    );
    assert!(message.contains("instance_id"), "{message}");

    // The same through the layered configuration (what the binaries use).
    let raw = RawConfig {
        brokers: Some("localhost:9092".into()),
        group_id: Some("g".into()),
        input_topics: Some(vec![IN.into()]),
        processing_guarantee: Some(ProcessingGuarantee::ExactlyOnce),
        ..RawConfig::default()
    };
    assert!(raw.clone().into_config().is_err());
    let with_id = RawConfig {
        instance_id: Some("w-0".into()),
        ..raw
    }
    .into_config()
    .expect("valid with an instance id");
    assert_eq!(with_id.transactional_id().as_deref(), Some("g-w-0"));
    assert_eq!(
        with_id.producer_properties()["transactional.id"],
        "g-w-0",
        "the producer is transactional"
    );
}

/// The mock cluster accepts every transaction call, but its `TxnOffsetCommit` stores nothing
/// (a worker run there committed its outputs and never its offsets, so every restart redid
/// everything): exactly_once is refused at start on it, with a message that says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_is_refused_on_the_mock_cluster() {
    let cluster = cluster(1);
    let mut config = config(&cluster.bootstrap_servers(), "g-eos-mock");
    config.processing_guarantee = ProcessingGuarantee::ExactlyOnce;
    config.instance_id = Some("upper-0".into());
    let err = Worker::start(config, std::sync::Arc::new(Upper::new()))
        .await
        .expect_err("exactly_once must not start on the mock cluster");
    let message = err.to_string();
    assert!(
        matches!(err, Error::Config(ConfigError::Invalid { ref key, .. }) if key == "processing_guarantee"),
        "{message}"
    );
    assert!(message.contains("embedded broker"), "{message}");
}
