//! Exactly-once processing (`processing_guarantee = "exactly_once"`) on Apache Kafka: workers
//! killed with `kill -9` in the middle of their transactions, restarted under the same instance
//! id; a `read_committed` reader of every downstream topic sees each document's messages
//! exactly once. Also the cost: the pipeline's throughput in both modes, as a ratio.
//!
//! Prerequisites as for `e2e.rs`: `cargo build --workspace --bins`, Java 17 and the broker's
//! jars (`scripts/kafka.sh install`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::message::OwnedMessage;
use rdkafka::Message;
use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::expect::Expected;
use reportflow_e2e::kafka::{self, decode, Record, TopicReader};
use reportflow_e2e::pipeline::{check_alive, logs, spawn_worker_with, Collector, Restart, Stage};
use reportflow_e2e::process::{free_http_addr, metric, ChildGuard};
use reportflow_e2e::{headers, serial, topics};
use reportflow_proto::v1;

/// Partitions of every topic: more than workers per group, so both members get work.
const PARTITIONS: i32 = 4;

/// The downstream topics, whose every message must appear exactly once.
const DOWNSTREAM: [&str; 5] = [
    topics::NORMALIZED,
    topics::DOCUMENTS,
    topics::SECTIONS,
    topics::INDICATORS,
    topics::DLQ,
];

/// Starts a worker in `mode` under the static instance id `name`.
fn worker(stage: Stage, b: &str, name: &str, logs: &std::path::Path, mode: &str) -> ChildGuard {
    worker_at(stage, b, name, logs, mode, "127.0.0.1:0")
}

fn worker_at(
    stage: Stage,
    b: &str,
    name: &str,
    logs: &std::path::Path,
    mode: &str,
    http: &str,
) -> ChildGuard {
    spawn_worker_with(
        stage,
        b,
        name,
        logs,
        &[],
        &[
            ("REPORTFLOW_INSTANCE_ID", name),
            ("REPORTFLOW_PROCESSING_GUARANTEE", mode),
        ],
        http,
    )
}

/// The identity of a downstream message: one per document on `reports.normalized` and
/// `reports.documents`, (document, section) and (document, indicator) on the others, the input
/// name (the record key) on the DLQ.
fn identity(topic: &str, m: &OwnedMessage) -> String {
    match topic {
        topics::NORMALIZED => decode::<v1::NormalizedReport>(m).doc_id,
        topics::DOCUMENTS => decode::<v1::ReportDocument>(m).doc_id,
        topics::SECTIONS => {
            let s = decode::<v1::Section>(m);
            format!("{}/{}", s.doc_id, s.section_id)
        }
        topics::INDICATORS => {
            let i = decode::<v1::Indicator>(m);
            format!("{}/{}", i.doc_id, i.indicator_id)
        }
        _ => String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned(),
    }
}

/// Reads a whole topic with `isolation` until `want` messages arrived or nothing new came for
/// 3 s; returns the message count per identity.
fn count(b: &str, topic: &str, isolation: &str, want: usize) -> BTreeMap<String, usize> {
    let mut reader = TopicReader::with_isolation(b, topic, isolation);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut quiet_since = Instant::now();
    while Instant::now() < deadline {
        if reader.poll_for(Duration::from_millis(500)) > 0 {
            quiet_since = Instant::now();
            continue;
        }
        // Past the expected count, 3 quiet seconds show there are no late duplicates; short
        // of it, 10 s show nothing more comes.
        let quiet_for = if reader.messages.len() >= want { 3 } else { 10 };
        if quiet_since.elapsed() > Duration::from_secs(quiet_for) {
            break;
        }
    }
    let mut counts = BTreeMap::new();
    for m in &reader.messages {
        *counts.entry(identity(topic, m)).or_default() += 1;
    }
    counts
}

/// While 240 documents and 3 bad inputs stream through two normalizers and two extractors in
/// exactly-once mode, one worker of each stage is killed with `kill -9` five times and
/// restarted at once under its instance id. Afterwards a `read_committed` reader of every
/// downstream topic sees each message exactly once; a `read_uncommitted` reader shows what the
/// killed transactions had written and the restarted instances aborted.
#[test]
fn exactly_once_survives_kill9_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::start();
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, PARTITIONS)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut inputs = data::variants(240);
    // Dead letters go through the transactions too (the 20 MiB input is left to e2e.rs).
    inputs.extend(
        data::malformed()
            .into_iter()
            .filter(|i| i.name != "bad.huge" && i.name != "bad.truncated-gbk"),
    );
    let expected = Expected::compute(&inputs, dir.path());
    assert!(
        !expected.bad.is_empty(),
        "some inputs must be dead-lettered"
    );
    let want: BTreeMap<&str, usize> = [
        (topics::NORMALIZED, expected.good.len()),
        (topics::DOCUMENTS, expected.good.len()),
        (
            topics::SECTIONS,
            expected
                .good
                .values()
                .map(|g| g.extraction.sections.len())
                .sum(),
        ),
        (topics::INDICATORS, expected.indicator_total()),
        (topics::DLQ, expected.bad.len()),
    ]
    .into_iter()
    .collect();
    eprintln!(
        "[eos] {} inputs ({} good, {} bad); expected messages {want:?}",
        inputs.len(),
        expected.good.len(),
        expected.bad.len()
    );

    let logs_dir = dir.path().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    let mut workers = Vec::new();
    for stage in [Stage::Normalizer, Stage::Extractor] {
        for i in 0..2 {
            let name = format!("{}-{i}", stage.binary());
            workers.push((stage, worker(stage, &b, &name, &logs_dir, "exactly_once")));
        }
    }
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    let publisher = {
        let b = b.clone();
        std::thread::spawn(move || {
            for batch in records.chunks(12) {
                kafka::produce(&b, topics::RAW, batch).expect("publish");
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };

    let mut collector = Collector::new(&b);
    let mut restarts = Vec::new();
    // The HTTP address of each worker restarted so far, by name.
    let mut restarted_at: BTreeMap<String, std::net::SocketAddr> = BTreeMap::new();
    // Five rounds of kill -9, at growing numbers of finished documents: the inputs are
    // published faster than they are processed, so the workers are busy (a transaction is
    // open while a batch is processed and produced) and most kills land inside one.
    for (round, threshold) in [10usize, 50, 90, 130, 170].into_iter().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(120);
        while collector
            .outputs
            .values()
            .filter(|o| o.document.is_some())
            .count()
            < threshold
        {
            assert!(
                Instant::now() < deadline,
                "[eos] fewer than {threshold} documents within 120 s: {}\n{}",
                collector.counts(),
                logs(&workers)
            );
            collector.poll(Duration::from_millis(200));
            check_alive(&mut workers);
        }
        for stage in [Stage::Normalizer, Stage::Extractor] {
            let name = format!("{}-{}", stage.binary(), round % 2);
            // A restart is measured until it holds partitions again: killing it before
            // (two rounds can pass in a second while its group rebalances) would leave
            // nothing to measure, so the next kill of the same worker waits for that.
            if let Some(&http) = restarted_at.get(&name) {
                let deadline = Instant::now() + Duration::from_secs(30);
                while Instant::now() < deadline
                    && !metric(http, "reportflow_assigned_partitions").is_some_and(|v| v > 0.0)
                {
                    collector.poll(Duration::from_millis(100));
                    check_alive(&mut workers);
                }
            }
            let at = workers
                .iter()
                .position(|(s, w)| *s == stage && w.name == name)
                .expect("the worker");
            let (_, mut victim) = workers.remove(at);
            eprintln!(
                "[eos] round {round}: kill -9 {name} (pid {}) with {} documents done",
                victim.id(),
                collector
                    .outputs
                    .values()
                    .filter(|o| o.document.is_some())
                    .count()
            );
            victim.kill9();
            let http = free_http_addr();
            workers.push((
                stage,
                worker_at(
                    stage,
                    &b,
                    &name,
                    &logs_dir,
                    "exactly_once",
                    &http.to_string(),
                ),
            ));
            restarts.push(Restart::watch(format!("{name} (round {round})"), http));
            restarted_at.insert(name, http);
        }
    }
    publisher.join().expect("publisher");

    collector.wait_complete(
        &expected,
        &mut workers,
        &b,
        Duration::from_secs(240),
        expected.bad.len(),
        "eos",
    );
    for r in restarts.into_iter().map(Restart::join) {
        eprintln!(
            "[eos] {} restarted: partitions after {:?}, first committed transaction after {:?}",
            r.name, r.assigned, r.committed
        );
        let took = r
            .committed
            .or(r.assigned)
            .unwrap_or_else(|| panic!("{} never got partitions back\n{}", r.name, logs(&workers)));
        assert!(
            took < Duration::from_secs(15),
            "{}: restart to first transaction took {took:?}",
            r.name
        );
    }

    // Every downstream topic, read_committed: each message exactly once, nothing missing.
    let mut problems = Vec::new();
    let mut aborted_total = 0;
    for topic in DOWNSTREAM {
        let committed = count(&b, topic, "read_committed", want[topic]);
        let total: usize = committed.values().sum();
        let duplicates = total - committed.len();
        let uncommitted: usize = count(&b, topic, "read_uncommitted", want[topic])
            .values()
            .sum();
        aborted_total += uncommitted.saturating_sub(total);
        eprintln!(
            "[eos] {topic}: read_committed {total} messages, {} distinct, {duplicates} duplicates (expected {}); read_uncommitted {uncommitted} (aborted writes of killed workers: {})",
            committed.len(),
            want[topic],
            uncommitted.saturating_sub(total)
        );
        if duplicates > 0 {
            let dup: Vec<_> = committed.iter().filter(|(_, n)| **n > 1).take(5).collect();
            problems.push(format!("{topic}: {duplicates} duplicates, e.g. {dup:?}"));
        }
        if committed.len() != want[topic] {
            problems.push(format!(
                "{topic}: {} distinct messages, expected {}",
                committed.len(),
                want[topic]
            ));
        }
    }
    for key in expected.bad.keys() {
        if !collector
            .dlq
            .messages
            .iter()
            .any(|m| m.key() == Some(key.as_bytes()))
        {
            problems.push(format!("{key} is not on the DLQ"));
        }
    }
    eprintln!("[eos] aborted records seen only read_uncommitted: {aborted_total}");
    assert!(
        problems.is_empty(),
        "[eos] {problems:#?}\n{}",
        logs(&workers)
    );
}

/// How long a backlog took to drain.
struct Drain {
    /// From the workers' start until every output was read (includes joining the groups and,
    /// in exactly_once mode, `init_transactions`).
    wall: Duration,
    /// From the first to the last indicator record's CreateTime (the extractor's producer sets
    /// it): the steady-state part, without start-up.
    span: Duration,
}

/// Runs the already-published backlog through one normalizer and one extractor in `mode`.
fn drain(b: &str, expected: &Expected, mode: &str, logs_dir: &std::path::Path) -> Drain {
    let started = Instant::now();
    let mut workers = vec![
        (
            Stage::Normalizer,
            worker(Stage::Normalizer, b, "normalizer-0", logs_dir, mode),
        ),
        (
            Stage::Extractor,
            worker(Stage::Extractor, b, "extractor-0", logs_dir, mode),
        ),
    ];
    let mut collector = Collector::new(b);
    let deadline = Instant::now() + Duration::from_secs(300);
    while !collector.missing(expected).is_empty() {
        assert!(
            Instant::now() < deadline,
            "[eos-cost] {mode}: not done in 300 s: {}\n{}",
            collector.counts(),
            logs(&workers)
        );
        collector.poll(Duration::from_millis(100));
        check_alive(&mut workers);
    }
    let wall = started.elapsed();
    let stamps: Vec<i64> = collector
        .indicator_messages()
        .iter()
        .filter_map(|m| m.timestamp().to_millis())
        .collect();
    let first = stamps.iter().min().copied().unwrap_or(0);
    let last = stamps.iter().max().copied().unwrap_or(0);
    Drain {
        wall,
        span: Duration::from_millis(u64::try_from(last - first).unwrap_or(0)),
    }
}

/// The cost of exactly-once: the same backlog drained by one normalizer and one extractor in
/// each mode, each on a fresh broker, in one run. Prints the throughput ratio. Run it against
/// release workers for the documented figure:
/// `REPORTFLOW_E2E_BIN_DIR=target/release cargo test -p reportflow-e2e --test exactly_once --
/// --nocapture exactly_once_cost`. `REPORTFLOW_EOS_COST_DOCS` sets the backlog (default 300).
#[test]
fn exactly_once_cost_apache_kafka() {
    let _serial = serial();
    let dir = tempfile::tempdir().expect("temp dir");
    let docs = std::env::var("REPORTFLOW_EOS_COST_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let inputs = data::variants(docs);
    let expected = Expected::compute(&inputs, dir.path());
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    let mut times = BTreeMap::new();
    for mode in ["at_least_once", "exactly_once"] {
        let broker = ApacheKafka::start();
        let b = broker.bootstrap().to_string();
        kafka::create_topics(&b, &topics::ALL, PARTITIONS)
            .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
        for batch in records.chunks(50) {
            kafka::produce(&b, topics::RAW, batch).expect("publish");
        }
        let logs_dir = dir.path().join(mode);
        std::fs::create_dir_all(&logs_dir).unwrap();
        let d = drain(&b, &expected, mode, &logs_dir);
        eprintln!(
            "[eos-cost] {mode}: {} documents ({} indicators): {:?} from start to the last output, {:?} first to last indicator ({:.0} documents/s)",
            inputs.len(),
            expected.indicator_total(),
            d.wall,
            d.span,
            inputs.len() as f64 / d.span.as_secs_f64().max(0.001)
        );
        times.insert(mode, d);
    }
    let (alo, eos) = (&times["at_least_once"], &times["exactly_once"]);
    eprintln!(
        "[eos-cost] throughput exactly_once / at_least_once: {:.2} steady state (first to last indicator), {:.2} from start",
        alo.span.as_secs_f64() / eos.span.as_secs_f64().max(0.001),
        alo.wall.as_secs_f64() / eos.wall.as_secs_f64()
    );
}

/// A refused output fails its transaction: `reports.normalized` takes no record over 2000 bytes
/// (every normalized report is larger, even compressed), so each batch's transaction is
/// aborted, the batch is redone from its first offset, and its inputs are dead-lettered
/// instead, in a transaction that commits. Each input's dead letter is on the DLQ exactly once
/// (`read_committed`), nothing is on `reports.normalized`, and the worker goes on.
#[test]
fn exactly_once_dead_letters_refused_outputs_after_an_abort_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::start();
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, PARTITIONS)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
    kafka::set_topic_config(&b, topics::NORMALIZED, "max.message.bytes", "2000")
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
    let inputs = data::variants(6);
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    kafka::produce(&b, topics::RAW, &records).expect("publish");

    let dir = tempfile::tempdir().expect("temp dir");
    let name = "reportflow-normalizer-0";
    let mut workers = vec![(
        Stage::Normalizer,
        worker(Stage::Normalizer, &b, name, dir.path(), "exactly_once"),
    )];
    let mut dlq = TopicReader::new(&b, topics::DLQ);
    let deadline = Instant::now() + Duration::from_secs(90);
    while dlq.messages.len() < inputs.len() {
        assert!(
            Instant::now() < deadline,
            "{} of {} dead letters after 90 s\n{}",
            dlq.messages.len(),
            inputs.len(),
            logs(&workers)
        );
        dlq.poll_for(Duration::from_millis(300));
        check_alive(&mut workers);
    }
    let dead = count(&b, topics::DLQ, "read_committed", inputs.len());
    let normalized = count(&b, topics::NORMALIZED, "read_committed", 0);
    let aborted_outputs: usize = count(&b, topics::NORMALIZED, "read_uncommitted", 0)
        .values()
        .sum();
    eprintln!(
        "[eos-refused] DLQ read_committed {dead:?}; reports.normalized read_committed {} messages, read_uncommitted {aborted_outputs} (a refused record is never written)",
        normalized.len()
    );
    let kinds: Vec<String> = dlq
        .messages
        .iter()
        .filter_map(|m| kafka::header(m, headers::HEADER_ERROR_KIND))
        .collect();
    let log = workers[0].1.log_tail(400);
    assert!(
        dead.len() == inputs.len() && dead.values().all(|n| *n == 1),
        "every input dead-lettered exactly once: {dead:?}"
    );
    assert!(
        normalized.is_empty(),
        "nothing committed on reports.normalized"
    );
    assert!(
        kinds.iter().all(|k| k == "too_large"),
        "kinds {kinds:?}\n{log}"
    );
    assert!(
        log.contains("aborted; the batch will be redone"),
        "the first attempt's transaction was aborted:\n{log}"
    );
}
