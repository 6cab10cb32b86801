//! No silent loss at the edges of Apache Kafka's limits, with the real-cluster default size
//! limit (`message.max.bytes=1048588`):
//!
//! - `reportflow publish` reads the topic's `max.message.bytes` and refuses a file over it
//!   before sending (the producer does not compress), naming the limit; the other files are
//!   published;
//! - records deleted before they were consumed (here with DeleteRecords; in production by
//!   retention) are a counted, logged skip for the worker whose committed offset they held:
//!   `reportflow_offsets_skipped_total` grows by exactly the records skipped and the log has an
//!   ERROR line with the range.

use std::process::Command;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::kafka::{self, Record};
use reportflow_e2e::pipeline::{spawn_worker_with, Stage, NORMALIZER_GROUP};
use reportflow_e2e::process::{binary, free_http_addr, metric};
use reportflow_e2e::{data, poll_until, serial, topics};

/// The committed offset of the normalizers' group on partition 0 of the raw topic.
fn committed(bootstrap: &str) -> Option<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", NORMALIZER_GROUP)
        .create()
        .ok()?;
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topics::RAW, 0);
    let got = consumer
        .committed_offsets(tpl, Duration::from_secs(5))
        .ok()?;
    match got.find_partition(topics::RAW, 0)?.offset() {
        Offset::Offset(o) => Some(o),
        _ => None,
    }
}

#[test]
fn publish_limits_and_skipped_records_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::cluster(1, &["message.max.bytes=1048588"]);
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, 1)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
    let dir = tempfile::tempdir().unwrap();

    // 1. publish: the 2 MiB file is over the topic's 1 MiB limit and is refused alone.
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("big.txt"), vec![b'x'; 2 << 20]).unwrap();
    let seeds = data::seeds();
    std::fs::write(input.join("small.txt"), &seeds[0].1).unwrap();
    let out = Command::new(binary("reportflow"))
        .args(["publish", "--brokers", &b])
        .arg(&input)
        .env_remove("REPORTFLOW_KAFKA_PRODUCER__COMPRESSION_TYPE")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "publish succeeded: {stdout}{stderr}");
    assert!(
        stderr.contains("big.txt: not sent")
            && stderr.contains("max.message.bytes (1048588 bytes)"),
        "{stderr}"
    );
    assert!(stdout.contains("published 1 files"), "{stdout}{stderr}");

    // 2. The normalizer consumes that one record and commits offset 1.
    let log_dir = dir.path();
    let http = free_http_addr();
    let worker = |name: &str| {
        spawn_worker_with(
            Stage::Normalizer,
            &b,
            name,
            log_dir,
            &[],
            &[],
            &http.to_string(),
        )
    };
    let mut first = worker("normalizer-1");
    let done = poll_until(Duration::from_secs(60), Duration::from_millis(300), || {
        (committed(&b) == Some(1)).then_some(())
    });
    assert!(
        done.is_some(),
        "no commit of offset 1\n{}",
        first.log_tail(30)
    );
    first.kill9();

    // 3. Six more records, of which the first four are deleted before anyone consumed them.
    let records: Vec<Record> = (0..6)
        .map(|i| Record {
            key: format!("more-{i}").into_bytes(),
            value: seeds[i % seeds.len()].1.clone().into_bytes(),
            headers: vec![],
        })
        .collect();
    kafka::produce(&b, topics::RAW, &records).unwrap();
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &b)
        .create()
        .unwrap();
    let mut before = TopicPartitionList::new();
    before
        .add_partition_offset(topics::RAW, 0, Offset::Offset(5))
        .unwrap();
    let deleted = kafka::runtime()
        .block_on(admin.delete_records(&before, &AdminOptions::new()))
        .expect("DeleteRecords");
    assert_eq!(
        deleted.find_partition(topics::RAW, 0).unwrap().offset(),
        Offset::Offset(5)
    );

    // 4. The restarted normalizer resumes at the log start (5): offsets 1..=4 are skipped,
    //    counted and logged; 5 and 6 are processed and committed.
    let second = worker("normalizer-2");
    let started = Instant::now();
    let counted = poll_until(Duration::from_secs(60), Duration::from_millis(300), || {
        let skipped = metric(http, "reportflow_offsets_skipped_total")?;
        (skipped >= 4.0 && committed(&b) == Some(7)).then_some(skipped)
    });
    let log = second.log_tail(60);
    assert_eq!(
        counted,
        Some(4.0),
        "after {:?}: skipped {:?}, committed {:?}\n{log}",
        started.elapsed(),
        metric(http, "reportflow_offsets_skipped_total"),
        committed(&b)
    );
    assert!(
        log.contains("ERROR")
            && log.contains("Records were skipped")
            && log.contains("skipped_from=1")
            && log.contains("skipped_to=4"),
        "{log}"
    );
}
