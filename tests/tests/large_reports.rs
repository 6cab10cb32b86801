//! Large reports on Apache Kafka with the real-cluster default size limit
//! (`message.max.bytes=1048588`, so every topic's `max.message.bytes` is 1 MiB), not the
//! 64 MiB of the other e2e brokers:
//!
//! - a 5 MiB report goes through both stages: its `NormalizedReport` and the extractor's
//!   outputs fit because the workers produce with zstd compression (the broker's limit applies
//!   to the compressed batch);
//! - a 20 MiB report, over the workers' 16 MiB `max_message_bytes`, becomes a `too_large` dead
//!   letter naming its size and the limit, and the dead letter, compressed, keeps its value.
//!
//! The inputs repeat a seed report, so they compress far better than real reports; the test
//! shows the mechanism (compression, the too_large path), not a ratio.

use std::time::{Duration, Instant};

use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::data;
use reportflow_e2e::kafka::{self, Record};
use reportflow_e2e::pipeline::{spawn_worker, Collector, Stage};
use reportflow_e2e::{headers, serial, topics};

#[test]
fn large_reports_on_default_size_limits_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::cluster(1, &["message.max.bytes=1048588"]);
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, 1)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));

    let seeds = data::seeds();
    let text = seeds[0].1.as_bytes();
    let five = data::huge(text, 5 * 1024 * 1024);
    let twenty = data::huge(text, data::HUGE_BYTES);
    let records = vec![
        Record {
            key: b"five".to_vec(),
            value: five.clone(),
            headers: vec![],
        },
        Record {
            key: b"twenty".to_vec(),
            value: twenty.clone(),
            headers: vec![],
        },
    ];
    // Uncompressed, the broker refuses both; compressed they fit.
    assert!(
        kafka::produce(&b, topics::RAW, &records[..1]).is_err(),
        "the broker accepted 5 MiB uncompressed: is its limit the default?"
    );
    kafka::produce_with(&b, topics::RAW, &records, &[("compression.type", "zstd")])
        .unwrap_or_else(|e| panic!("publishing compressed: {e}\n{}", broker.log_tail(40)));

    let dir = tempfile::tempdir().unwrap();
    let mut workers = [
        spawn_worker(Stage::Normalizer, &b, "normalizer-large", dir.path(), &[]),
        spawn_worker(Stage::Extractor, &b, "extractor-large", dir.path(), &[]),
    ];
    let started = Instant::now();
    let mut collector = Collector::new(&b);
    let deadline = started + Duration::from_secs(300);
    loop {
        collector.poll(Duration::from_millis(500));
        for w in workers.iter_mut() {
            if let Some(status) = w.exited() {
                panic!("{} exited with {status}:\n{}", w.name, w.log_tail(40));
            }
        }
        let done = collector.outputs.values().any(|o| {
            o.document.as_ref().is_some_and(|d| {
                d.indicator_count as usize == o.indicators.len()
                    && d.section_count as usize == o.sections.len()
            })
        });
        if done && !collector.dlq.messages.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not done after 300 s: {}\n{}\n{}",
            collector.counts(),
            workers[0].log_tail(30),
            workers[1].log_tail(30)
        );
    }
    let o = collector
        .outputs
        .values()
        .find(|o| o.document.is_some())
        .unwrap();
    let d = o.document.as_ref().unwrap();
    assert!(d.section_count > 0 && d.indicator_count > 0, "{d:?}");
    eprintln!(
        "[large] the 5 MiB report: {} sections, {} indicators, after {:?}",
        d.section_count,
        d.indicator_count,
        started.elapsed()
    );

    assert_eq!(collector.dlq.messages.len(), 1, "{}", collector.counts());
    let m = &collector.dlq.messages[0];
    let h = |name: &str| kafka::header(m, name).unwrap_or_default();
    assert_eq!(rdkafka::Message::key(m), Some(&b"twenty"[..]));
    assert_eq!(h(headers::HEADER_ERROR_KIND), "too_large");
    assert_eq!(h(headers::HEADER_ERROR_STAGE), "intake");
    let message = h(headers::HEADER_ERROR_MESSAGE);
    assert!(
        // Key ("twenty") and value.
        message.contains(&(twenty.len() + 6).to_string()) && message.contains("16777216"),
        "size and limit: {message}"
    );
    assert_eq!(
        rdkafka::Message::payload(m).map(<[u8]>::len),
        Some(twenty.len()),
        "the compressed dead letter keeps the input's value"
    );
    eprintln!("[large] the 20 MiB report: dead letter {message:?}");
}
