//! End-to-end tests of the streaming pipeline: real worker processes against Apache Kafka
//! (the Maven Central broker in KRaft mode, started per test by the harness through
//! `scripts/kafka.sh`) and against the embedded broker of `reportflow dev-broker`.
//!
//! Prerequisites: `cargo build --workspace --bins` (the tests run the built binaries), Java 17
//! and Maven (the harness resolves the broker's jars on first use). `scripts/ci-e2e.sh` runs
//! `cargo test -p reportflow-e2e -- --test-threads=1`.
//!
//! Every wait polls against a deadline; a test that times out prints what arrived and the
//! workers' logs.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use rdkafka::Message;
use reportflow_e2e::broker::{api_versions, ApacheKafka, Broker, Embedded};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::expect::{self, Expected};
use reportflow_e2e::headers::{self, DLQ_HEADERS};
use reportflow_e2e::kafka::{self, Record};
use reportflow_e2e::pipeline::{
    check_alive, logs, spawn_worker, spawn_worker_with, Collector, Restart, Stage,
};
use reportflow_e2e::process::{free_http_addr, ChildGuard};
use reportflow_e2e::{serial, topics};

/// Partitions of every topic: more than workers per group, so both members get work.
const PARTITIONS: i32 = 4;

/// The broker is really Apache Kafka (ApiVersions lists the transaction APIs, which
/// look-alike brokers lack) and serves what the pipeline needs: CreateTopics through the admin
/// API, the idempotent producer, a record over 16 MiB both ways, and multi-record batches.
#[test]
fn apache_kafka_serves_what_the_pipeline_needs() {
    let _serial = serial();
    let broker = ApacheKafka::start();
    let b = broker.bootstrap();
    let apis = api_versions(b).unwrap_or_else(|e| panic!("ApiVersions: {e}"));
    // InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn, TxnOffsetCommit.
    for key in [22, 24, 25, 26, 28] {
        assert!(
            apis.iter().any(|(k, _, _)| *k == key),
            "API {key} (transactions) missing: {apis:?}"
        );
    }
    eprintln!(
        "[apache-kafka] Apache Kafka {} answers ApiVersions with {} APIs, transactions included",
        broker.version,
        apis.len()
    );
    kafka::create_topics(b, &["probe"], PARTITIONS)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
    // `kafka::produce` uses enable.idempotence=true, acks=all like the workers.
    let big = data::huge(b"0123456789abcdef", data::HUGE_BYTES);
    let records = vec![
        Record {
            key: b"small".to_vec(),
            value: b"hello".to_vec(),
            headers: vec![("h".into(), b"v".to_vec())],
        },
        Record {
            key: b"big".to_vec(),
            value: big.clone(),
            headers: vec![],
        },
    ];
    let landed = kafka::produce(b, "probe", &records)
        .unwrap_or_else(|e| panic!("idempotent produce failed: {e}\n{}", broker.log_tail(40)));
    assert_eq!(landed.len(), 2);
    let mut reader = kafka::TopicReader::new(b, "probe");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reader.messages.len() < 2 && Instant::now() < deadline {
        reader.poll_for(Duration::from_millis(200));
    }
    let by_key = kafka::by_key(&reader.messages);
    assert_eq!(by_key["small"][0].payload(), Some(&b"hello"[..]));
    assert_eq!(kafka::header(by_key["small"][0], "h").as_deref(), Some("v"));
    assert_eq!(by_key["big"][0].payload().map(<[u8]>::len), Some(big.len()));

    // Many small records in one produce burst: librdkafka packs them into multi-record
    // batches. Every record must get its own offset and be read back exactly once.
    kafka::create_topics(b, &["probe.batch"], 1).unwrap();
    let small: Vec<Record> = (0..50)
        .map(|i| Record {
            key: format!("k{i}").into_bytes(),
            value: format!("v{i}").into_bytes(),
            headers: vec![],
        })
        .collect();
    let landed = kafka::produce(b, "probe.batch", &small).unwrap();
    let offsets: BTreeSet<i64> = landed.iter().map(|l| l.offset).collect();
    let mut reader = kafka::TopicReader::new(b, "probe.batch");
    let deadline = Instant::now() + Duration::from_secs(20);
    while reader.messages.len() < 50 && Instant::now() < deadline {
        reader.poll_for(Duration::from_millis(200));
    }
    reader.poll_for(Duration::from_millis(500));
    let read: Vec<(i64, String)> = reader
        .messages
        .iter()
        .map(|m| {
            (
                m.offset(),
                String::from_utf8_lossy(m.key().unwrap()).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        (offsets.len(), read.len(), reader.progress()),
        (50, 50, "p0 50/50".to_string()),
        "acknowledged offsets {offsets:?}; read {read:?}"
    );
}

/// Inputs of the pipeline tests: every seed in five encodings plus the malformed inputs (the
/// 20 MiB one only where the broker can serve it; see `Broker::serves_huge_records`).
fn pipeline_inputs(broker: &dyn Broker) -> Vec<Input> {
    let mut inputs = data::encoded_seeds();
    inputs.extend(data::malformed());
    if !broker.serves_huge_records() {
        eprintln!(
            "!!! [{}] leaving out bad.huge: this broker cannot serve a 20 MiB record next to \
             others (pipeline_apache_kafka covers it)",
            broker.name()
        );
        inputs.retain(|i| i.name != "bad.huge");
    }
    inputs
}

#[test]
fn pipeline_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::start();
    run_pipeline(&broker, &|| broker.log_tail(40));
}

#[test]
fn pipeline_embedded() {
    let _serial = serial();
    let broker = Embedded::start(PARTITIONS);
    run_pipeline(&broker, &String::new);
}

/// The test's deadline in seconds: `default`, or `REPORTFLOW_E2E_TIMEOUT_SECS` (slower machines,
/// or quicker failures while debugging).
fn timeout_secs(default: u64) -> u64 {
    std::env::var("REPORTFLOW_E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Starts `n` workers of each stage; names `<stage>-<i>`.
fn start_workers(broker: &dyn Broker, n: usize, dir: &std::path::Path) -> Vec<(Stage, ChildGuard)> {
    let mut workers = Vec::new();
    for stage in [Stage::Normalizer, Stage::Extractor] {
        for i in 0..n {
            let name = format!("{}-{i}", stage.binary());
            let b = broker.bootstrap();
            workers.push((stage, spawn_worker(stage, b, &name, dir, &[])));
        }
    }
    workers
}

/// Publishes the seeds in several encodings and the malformed inputs, runs 2 + 2 workers, and
/// checks every output against `reportflow extract` and every dead letter.
fn run_pipeline(broker: &dyn Broker, broker_log: &dyn Fn() -> String) {
    let started = Instant::now();
    let b = broker.bootstrap();
    kafka::create_topics(b, &topics::ALL, PARTITIONS)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", broker.name(), broker_log()));

    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = pipeline_inputs(broker);
    let expected = Expected::compute(&inputs, dir.path());
    // The computed expectation must at least agree with what is certain.
    for name in ["bad.empty", "bad.random", "bad.random-controls", "bad.huge"] {
        if name == "bad.huge" && !broker.serves_huge_records() {
            continue;
        }
        assert!(
            expected.bad.contains_key(name),
            "{name} is expected to be dead-lettered"
        );
    }
    assert!(expected.good.len() >= 5, "every seed decodes");
    eprintln!(
        "[{}] {} inputs: {} distinct good documents, {} bad ({:?}), expectations in {:?}",
        broker.name(),
        inputs.len(),
        expected.good.len(),
        expected.bad.len(),
        expected.bad.keys().collect::<Vec<_>>(),
        started.elapsed()
    );

    let mut collector = Collector::new(b);
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    kafka::produce(b, topics::RAW, &records)
        .unwrap_or_else(|e| panic!("publish: {e}\n{}", broker_log()));

    let logs_dir = dir.path().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    let mut workers = start_workers(broker, 2, &logs_dir);

    let bad_keys: BTreeSet<String> = expected.bad.keys().cloned().collect();
    let limit = timeout_secs(120);
    let deadline = Instant::now() + Duration::from_secs(limit);
    loop {
        collector.poll(Duration::from_millis(500));
        check_alive(&mut workers);
        let done = expected.good.iter().all(|(id, g)| {
            collector
                .outputs
                .get(id)
                .is_some_and(|o| o.complete(&g.extraction))
        }) && collector.dlq_keys().is_superset(&bad_keys);
        if done {
            break;
        }
        if Instant::now() > deadline {
            let missing: Vec<_> = expected
                .good
                .iter()
                .filter(|(id, g)| {
                    !collector
                        .outputs
                        .get(*id)
                        .is_some_and(|o| o.complete(&g.extraction))
                })
                .map(|(_, g)| g.names.join("="))
                .collect();
            panic!(
                "[{}] timed out after {limit} s: {}\n{}\nincomplete: {missing:?}\nDLQ keys: {:?}\n{}\nbroker:\n{}",
                broker.name(),
                collector.counts(),
                collector.progress(b),
                collector.dlq_keys(),
                logs(&workers),
                broker_log()
            );
        }
    }
    // A little longer, so that unexpected extra outputs or dead letters are seen too.
    collector.poll(Duration::from_secs(2));
    eprintln!(
        "[{}] all outputs after {:?}: {}",
        broker.name(),
        started.elapsed(),
        collector.counts()
    );

    let mut problems = Vec::new();
    for (id, g) in &expected.good {
        let diffs = expect::differences(&g.extraction, &collector.outputs[id]);
        if !diffs.is_empty() {
            problems.push(format!("{}: {}", g.names.join("="), diffs.join("\n    ")));
        }
    }
    for id in collector.outputs.keys() {
        if !expected.good.contains_key(id) {
            problems.push(format!("outputs for an unexpected document {id}"));
        }
    }
    check_dead_letters(&expected, &collector, &mut problems);
    assert!(
        problems.is_empty(),
        "[{}] {} problems:\n{}",
        broker.name(),
        problems.len(),
        problems.join("\n")
    );
}

/// Every expected bad input is on the DLQ with the seven headers and its original key and
/// value (or the `reportflow.dlq.dropped` marker when the broker refused the full size), and
/// nothing else is.
fn check_dead_letters(expected: &Expected, collector: &Collector, problems: &mut Vec<String>) {
    let by_key = kafka::by_key(&collector.dlq.messages);
    for (key, letters) in &by_key {
        let Some(bad) = expected.bad.get(key) else {
            let kinds: Vec<_> = letters
                .iter()
                .map(|m| kafka::header(m, headers::HEADER_ERROR_KIND))
                .collect();
            problems.push(format!("unexpected dead letter {key:?} (kinds {kinds:?})"));
            continue;
        };
        for m in letters {
            let hs = kafka::headers(m);
            for h in DLQ_HEADERS {
                if !hs.iter().any(|(k, _)| k == h) {
                    problems.push(format!("dead letter {key}: header {h} missing"));
                }
            }
            let get = |h: &str| kafka::header(m, h).unwrap_or_default();
            if get(headers::HEADER_SOURCE_TOPIC) != topics::RAW {
                problems.push(format!(
                    "dead letter {key}: source topic {:?}",
                    get(headers::HEADER_SOURCE_TOPIC)
                ));
            }
            if get(headers::HEADER_SOURCE_PARTITION)
                .parse::<i32>()
                .is_err()
                || get(headers::HEADER_SOURCE_OFFSET).parse::<i64>().is_err()
            {
                problems.push(format!(
                    "dead letter {key}: source partition/offset not numbers"
                ));
            }
            if !get(headers::HEADER_WORKER).starts_with("reportflow-normalizer-") {
                problems.push(format!(
                    "dead letter {key}: worker {:?}",
                    get(headers::HEADER_WORKER)
                ));
            }
            if bad.reason == "too_large" && get(headers::HEADER_ERROR_KIND) != "too_large" {
                problems.push(format!(
                    "dead letter {key}: kind {:?}, expected too_large",
                    get(headers::HEADER_ERROR_KIND)
                ));
            }
            match kafka::header(m, headers::HEADER_DROPPED) {
                None => {
                    if m.payload().unwrap_or_default() != bad.input.bytes.as_slice() {
                        problems.push(format!("dead letter {key}: value differs from the input"));
                    }
                }
                Some(dropped) => eprintln!(
                    "note: dead letter {key} lost `{dropped}` (the broker refused its full size)"
                ),
            }
            eprintln!(
                "dead letter {key}: stage {} kind {} ({} bytes): {}",
                get(headers::HEADER_ERROR_STAGE),
                get(headers::HEADER_ERROR_KIND),
                m.payload().map_or(0, <[u8]>::len),
                get(headers::HEADER_ERROR_MESSAGE)
                    .chars()
                    .take(120)
                    .collect::<String>()
            );
        }
    }
    for key in expected.bad.keys() {
        if !by_key.contains_key(key) {
            problems.push(format!("{key} is not on the DLQ"));
        }
    }
}

/// While 200+ documents stream, `kill -9` one normalizer and one extractor, start
/// replacements; in the end every document has all its outputs (duplicates allowed).
#[test]
fn crash_recovery_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::start();
    let started = Instant::now();
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, PARTITIONS)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));

    let dir = tempfile::tempdir().expect("temp dir");
    let inputs = data::variants(225);
    let expected = Expected::compute(&inputs, dir.path());
    assert!(
        expected.bad.is_empty(),
        "variants must all be good: {:?}",
        expected.bad.keys()
    );
    assert_eq!(
        expected.good.len(),
        inputs.len(),
        "variants have distinct doc_ids"
    );
    eprintln!(
        "[crash] {} documents, {} indicators expected; expectations in {:?}",
        inputs.len(),
        expected.indicator_total(),
        started.elapsed()
    );

    let mut collector = Collector::new(&b);
    let logs_dir = dir.path().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    // Static group membership (`REPORTFLOW_INSTANCE_ID` = the worker's name): a replacement
    // started under the killed worker's name takes its partitions back at once instead of
    // waiting for the dead member's session to expire.
    let mut workers = Vec::new();
    for stage in [Stage::Normalizer, Stage::Extractor] {
        for i in 0..2 {
            let name = format!("{}-{i}", stage.binary());
            workers.push((
                stage,
                spawn_worker_with(
                    stage,
                    &b,
                    &name,
                    &logs_dir,
                    &[],
                    &[("REPORTFLOW_INSTANCE_ID", &name)],
                    "127.0.0.1:0",
                ),
            ));
        }
    }

    // Publish in batches while the workers run, so the kill lands mid-stream.
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    let publisher = {
        let b = b.clone();
        std::thread::spawn(move || {
            for batch in records.chunks(15) {
                kafka::produce(&b, topics::RAW, batch).expect("publish");
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };

    // Kill once outputs flow: some documents done, most still to come.
    let deadline = Instant::now() + Duration::from_secs(90);
    while collector
        .outputs
        .values()
        .filter(|o| o.document.is_some())
        .count()
        < 10
    {
        assert!(
            Instant::now() < deadline,
            "no outputs within 90 s: {}\n{}",
            collector.counts(),
            logs(&workers)
        );
        collector.poll(Duration::from_millis(300));
        check_alive(&mut workers);
    }
    let done_at_kill = collector
        .outputs
        .values()
        .filter(|o| o.document.is_some())
        .count();
    let mut victims = Vec::new();
    for stage in [Stage::Normalizer, Stage::Extractor] {
        let (_, victim) = workers
            .iter_mut()
            .find(|(s, _)| *s == stage)
            .expect("a worker of the stage");
        eprintln!("[crash] kill -9 {} (pid {})", victim.name, victim.id());
        victim.kill9();
        victims.push((stage, victim.name.clone()));
    }
    workers.retain_mut(|(_, w)| w.exited().is_none() && w.id() != 0);
    // Replacements start right away under the killed workers' names (and instance ids), while
    // the killed members still count as alive: static membership hands them the partitions
    // at once. Each one's /metrics tells when it joined and when it first committed.
    let mut restarts = Vec::new();
    for (stage, name) in victims {
        let http = free_http_addr();
        workers.push((
            stage,
            spawn_worker_with(
                stage,
                &b,
                &name,
                &logs_dir,
                &[],
                &[("REPORTFLOW_INSTANCE_ID", &name)],
                &http.to_string(),
            ),
        ));
        restarts.push(Restart::watch(name, http));
    }
    eprintln!(
        "[crash] killed with {done_at_kill}/{} documents done; replacements started",
        inputs.len()
    );
    publisher.join().expect("publisher");

    collector.wait_complete(
        &expected,
        &mut workers,
        &b,
        Duration::from_secs(timeout_secs(240)),
        0,
        "crash",
    );
    collector.poll(Duration::from_secs(1));
    let restarts: Vec<Restart> = restarts.into_iter().map(Restart::join).collect();
    for r in &restarts {
        eprintln!(
            "[crash] {} restarted: partitions assigned after {:?}, first commit after {:?} (target < 10 s)",
            r.name, r.assigned, r.committed
        );
    }
    for r in &restarts {
        // A replacement commits only once it processed something; with nothing left to redo
        // on its partitions, getting them back is what counts.
        let took = r.committed.or(r.assigned).unwrap_or_else(|| {
            panic!(
                "{} never got partitions after its restart\n{}",
                r.name,
                logs(&workers)
            )
        });
        assert!(
            took < Duration::from_secs(10),
            "{}: restart to first commit took {took:?} (static membership should hand the partitions back at once)\n{}",
            r.name,
            logs(&workers)
        );
    }

    // Loss is not allowed, duplicates are: count them for the report.
    let mut problems = Vec::new();
    for (id, g) in &expected.good {
        let o = &collector.outputs[id];
        let want = o
            .document
            .as_ref()
            .map(|d| (d.indicator_count as usize, d.section_count as usize));
        if want != Some((g.extraction.indicators.len(), g.extraction.sections.len())) {
            problems.push(format!("{}: document counts {want:?}", g.names[0]));
        }
        let diffs = expect::differences(&g.extraction, o);
        if !diffs.is_empty() {
            problems.push(format!("{}: {}", g.names[0], diffs.join("\n    ")));
        }
    }
    assert!(
        collector.dlq.messages.is_empty(),
        "dead letters: {}",
        collector.counts()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let distinct: usize = collector.outputs.values().map(|o| o.indicators.len()).sum();
    let mut dup = BTreeMap::new();
    dup.insert(
        "indicators",
        collector.indicator_messages().len() - distinct,
    );
    eprintln!(
        "[crash] complete after {:?}: {} (duplicates {dup:?})",
        started.elapsed(),
        collector.counts()
    );
}

/// Pins the limitation behind `Embedded::serves_huge_records`: librdkafka's mock cluster
/// accepts large records but does not serve a partition holding several of them (1 + 8 MiB,
/// 4 + 15 MiB); lone 17 and 20 MiB records are served. Fails today; run it with `--ignored`
/// to see whether a newer librdkafka fixed it.
#[test]
#[ignore = "librdkafka mock cluster: partitions with several large records are not served"]
fn embedded_serves_large_records() {
    let _serial = serial();
    let broker = Embedded::start(PARTITIONS);
    let b = broker.bootstrap();
    let mut sizes = Vec::new();
    for (i, mib) in [1usize, 4, 8, 15, 17, 20].into_iter().enumerate() {
        let record = Record {
            key: format!("big{i}").into_bytes(),
            value: vec![b'x'; mib * 1024 * 1024],
            headers: vec![],
        };
        let landed = kafka::produce(b, topics::NORMALIZED, &[record]).expect("produce");
        sizes.push((mib, landed[0].partition, landed[0].offset));
    }
    let mut reader = kafka::TopicReader::new(b, topics::NORMALIZED);
    let deadline = Instant::now() + Duration::from_secs(30);
    while reader.messages.len() < sizes.len() && Instant::now() < deadline {
        reader.poll_for(Duration::from_millis(200));
    }
    let read: Vec<(String, usize)> = reader
        .messages
        .iter()
        .map(|m| {
            (
                String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned(),
                m.payload().map_or(0, <[u8]>::len) / (1024 * 1024),
            )
        })
        .collect();
    assert_eq!(read.len(), sizes.len(), "produced {sizes:?}, read {read:?}");
}
