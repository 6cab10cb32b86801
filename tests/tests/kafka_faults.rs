//! A three-broker Apache Kafka cluster under faults: three KRaft nodes on loopback
//! (replication factor 3, `min.insync.replicas=2`; the workers' producers use `acks=all`),
//! the normalizer, the extractor and the PostgreSQL sink running while documents stream in.
//!
//! 1. `kill -9` of the leader of the busiest `reports.raw` partition (found with rdkafka's
//!    `fetch_metadata`), then its restart;
//! 2. `kill -9` of the normalizer group's coordinator, then its restart. rdkafka 0.39's admin
//!    API has no FindCoordinator/DescribeConsumerGroups, so the coordinator is found the way
//!    the broker assigns it: the leader of `__consumer_offsets` partition
//!    `abs(javaHashCode(group.id)) % offsets.topic.num.partitions` (4, `scripts/kafka.sh
//!    config`), read with `fetch_metadata`;
//! 3. a rolling restart of all three nodes (`kill -9` and start, one at a time, waiting for
//!    every partition's ISR to be complete again before the next).
//!
//! After each fault the test prints how long until the pipeline moved again (three more
//! documents in PostgreSQL, counted from the kill, while the node is still down) and fails
//! beyond 90 s. At the end: no document lost, no duplicate row (row counts =
//! distinct ids = the expected counts of `reportflow extract`), every published doc_id loaded.
//!
//! Prerequisites: `cargo build --workspace --bins`, Java 17 and Maven, the test PostgreSQL
//! (`scripts/postgres.sh start`).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::expect::Expected;
use reportflow_e2e::kafka::{self, Record};
use reportflow_e2e::pipeline::{spawn_worker, Stage, NORMALIZER_GROUP};
use reportflow_e2e::postgres::{spawn_sink, Pg, TestDb};
use reportflow_e2e::process::ChildGuard;
use reportflow_e2e::{poll_until, serial, topics};

/// Partitions of every topic.
const PARTITIONS: i32 = 4;
/// `offsets.topic.num.partitions` as `scripts/kafka.sh config` writes it.
const OFFSETS_PARTITIONS: i32 = 4;
/// Distinct documents available to the publisher (it stops earlier when told to).
const POOL: usize = 400;
/// The pipeline must move again within this long after each fault.
const RECOVERY_LIMIT: Duration = Duration::from_secs(90);

/// Java's `String.hashCode` (UTF-16 code units), which Kafka uses to place a group.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(c as i32))
}

/// The `__consumer_offsets` partition of `group` (Kafka's `Utils.abs(hash) % n`).
fn offsets_partition(group: &str) -> i32 {
    (java_hash(group) & 0x7fff_ffff) % OFFSETS_PARTITIONS
}

fn metadata_consumer(bootstrap: &str) -> BaseConsumer {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("topic.metadata.refresh.interval.ms", "1000")
        .create()
        .expect("metadata consumer")
}

/// `(partition, leader, isr)` of every partition of `topic`, from a fresh metadata request.
fn partitions(c: &BaseConsumer, topic: &str) -> Vec<(i32, i32, Vec<i32>)> {
    let Ok(md) = c.fetch_metadata(Some(topic), Duration::from_secs(5)) else {
        return Vec::new();
    };
    md.topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| {
            t.partitions()
                .iter()
                .map(|p| (p.id(), p.leader(), p.isr().to_vec()))
        })
        .collect()
}

/// The leader of the `reports.raw` partition holding the most records.
fn busiest_raw_leader(c: &BaseConsumer) -> (i32, i32) {
    let parts = partitions(c, topics::RAW);
    let (p, leader, _) = parts
        .iter()
        .max_by_key(|(p, _, _)| {
            c.fetch_watermarks(topics::RAW, *p, Duration::from_secs(5))
                .map(|(_, high)| high)
                .unwrap_or(0)
        })
        .cloned()
        .expect("reports.raw has partitions");
    (p, leader)
}

/// Waits until every partition of every pipeline topic and of `__consumer_offsets` has a
/// leader and a full ISR (3 replicas); returns how long it took.
fn wait_isr_complete(c: &BaseConsumer, kafka: &ApacheKafka) -> Duration {
    let started = Instant::now();
    let mut last = String::new();
    let done = poll_until(Duration::from_secs(120), Duration::from_millis(500), || {
        for topic in topics::ALL.iter().chain(["__consumer_offsets"].iter()) {
            let parts = partitions(c, topic);
            if parts.is_empty() {
                last = format!("{topic}: no metadata");
                return None;
            }
            if let Some((p, leader, isr)) = parts.iter().find(|(_, l, isr)| *l < 0 || isr.len() < 3)
            {
                last = format!("{topic}/{p}: leader {leader}, isr {isr:?}");
                return None;
            }
        }
        Some(())
    });
    assert!(
        done.is_some(),
        "the ISR did not recover within 120 s ({last})\n{}",
        kafka.log_tail(20)
    );
    started.elapsed()
}

fn doc_count(pg: &Pg) -> i64 {
    pg.count("SELECT count(*) FROM documents")
}

fn check_alive(procs: &mut [ChildGuard]) {
    for p in procs.iter_mut() {
        if let Some(status) = p.exited() {
            panic!("{} exited with {status}:\n{}", p.name, p.log_tail(40));
        }
    }
}

fn logs(procs: &[ChildGuard]) -> String {
    procs
        .iter()
        .map(|p| format!("--- {} ---\n{}", p.name, p.log_tail(15)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// After a fault at `at` with `before` documents loaded: waits until three more documents
/// are in PostgreSQL and returns the time since the fault.
fn wait_moving(
    pg: &Pg,
    before: i64,
    at: Instant,
    procs: &mut [ChildGuard],
    what: &str,
) -> Duration {
    let moved = poll_until(RECOVERY_LIMIT, Duration::from_millis(100), || {
        check_alive(procs);
        (doc_count(pg) >= before + 3).then_some(())
    });
    assert!(
        moved.is_some(),
        "[{what}] the pipeline did not move within {RECOVERY_LIMIT:?}: {} documents, {before} at \
         the fault\n{}",
        doc_count(pg),
        logs(procs)
    );
    at.elapsed()
}

#[test]
fn three_brokers_kill_leader_coordinator_rolling_restart_apache_kafka() {
    let _serial = serial();
    let started = Instant::now();
    let mut kafka = ApacheKafka::cluster(3, &[]);
    let b = kafka.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, PARTITIONS)
        .unwrap_or_else(|e| panic!("{e}\n{}", kafka.log_tail(40)));
    let meta = metadata_consumer(&b);
    let db = TestDb::create();
    let pg = db.connect();
    let dir = tempfile::tempdir().expect("temp dir");
    let logs_dir = dir.path().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    eprintln!(
        "[faults] Apache Kafka {}: 3 nodes at {b} (RF 3, min.insync.replicas 2) in {:.1} s",
        kafka.version,
        started.elapsed().as_secs_f64()
    );

    let mut procs = vec![
        spawn_worker(Stage::Normalizer, &b, "normalizer-0", &logs_dir, &[]),
        spawn_worker(Stage::Extractor, &b, "extractor-0", &logs_dir, &[]),
        spawn_sink(&b, &db.url, "sink-0", &logs_dir, 200, &[]),
    ];

    // A publisher streams distinct documents (acks=all, idempotent) until told to stop.
    let pool = data::variants(POOL);
    let published: Arc<Mutex<Vec<Input>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let publisher = {
        let (b, published, stop) = (b.clone(), published.clone(), stop.clone());
        std::thread::spawn(move || {
            for input in pool {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let record: Record = input.record();
                kafka::produce(&b, topics::RAW, &[record]).expect("publish (acks=all)");
                published.lock().unwrap().push(input);
                std::thread::sleep(Duration::from_millis(300));
            }
        })
    };
    let flowing = poll_until(Duration::from_secs(120), Duration::from_millis(200), || {
        check_alive(&mut procs);
        (doc_count(&pg) >= 5).then_some(())
    });
    assert!(flowing.is_some(), "no documents loaded\n{}", logs(&procs));
    eprintln!(
        "[faults] streaming: {} documents in PostgreSQL after {:.1} s",
        doc_count(&pg),
        started.elapsed().as_secs_f64()
    );
    let mut report = Vec::new();

    // 1. kill -9 the leader of the busiest reports.raw partition.
    let (p, leader) = busiest_raw_leader(&meta);
    let i = kafka.index_of(leader).expect("leader is a node");
    let before = doc_count(&pg);
    let at = Instant::now();
    kafka.kill9(i);
    eprintln!(
        "[faults] kill -9 node {leader}, leader of {}/{p}, at {before} documents",
        topics::RAW
    );
    let moving = wait_moving(&pg, before, at, &mut procs, "partition leader");
    let new_leader = partitions(&meta, topics::RAW)
        .iter()
        .find(|(q, _, _)| *q == p)
        .map(|(_, l, _)| *l);
    report.push(format!(
        "kill -9 of the {}/{p} leader (node {leader}): moving again after {:.1} s (new leader {new_leader:?})",
        topics::RAW,
        moving.as_secs_f64()
    ));
    eprintln!("[faults] {}", report.last().unwrap());
    let t = Instant::now();
    kafka.restart(i);
    let isr = wait_isr_complete(&meta, &kafka);
    eprintln!(
        "[faults] node {leader} restarted in {:.1} s, ISR complete {:.1} s later",
        (t.elapsed() - isr).as_secs_f64(),
        isr.as_secs_f64()
    );

    // 2. kill -9 the normalizer group's coordinator.
    let op = offsets_partition(NORMALIZER_GROUP);
    let coordinator = partitions(&meta, "__consumer_offsets")
        .iter()
        .find(|(q, _, _)| *q == op)
        .map(|(_, l, _)| *l)
        .expect("__consumer_offsets metadata");
    let i = kafka.index_of(coordinator).expect("coordinator is a node");
    let before = doc_count(&pg);
    let at = Instant::now();
    kafka.kill9(i);
    eprintln!(
        "[faults] kill -9 node {coordinator}, coordinator of group {NORMALIZER_GROUP} \
         (leader of __consumer_offsets/{op}), at {before} documents"
    );
    let moving = wait_moving(&pg, before, at, &mut procs, "group coordinator");
    report.push(format!(
        "kill -9 of the {NORMALIZER_GROUP} coordinator (node {coordinator}, __consumer_offsets/{op}): \
         moving again after {:.1} s",
        moving.as_secs_f64()
    ));
    eprintln!("[faults] {}", report.last().unwrap());
    kafka.restart(i);
    wait_isr_complete(&meta, &kafka);

    // 3. Rolling restart of all three nodes: each is killed, the pipeline must move on the
    // other two, then the node comes back and the ISR fills up before the next.
    for i in 0..kafka.nodes.len() {
        let id = kafka.nodes[i].id;
        let before = doc_count(&pg);
        let at = Instant::now();
        kafka.kill9(i);
        let moving = wait_moving(&pg, before, at, &mut procs, "rolling restart");
        let t = Instant::now();
        kafka.restart(i);
        let back = t.elapsed();
        let isr = wait_isr_complete(&meta, &kafka);
        report.push(format!(
            "rolling restart, node {id} down: moving again after {:.1} s; node started in \
             {:.1} s, ISR complete {:.1} s later",
            moving.as_secs_f64(),
            back.as_secs_f64(),
            isr.as_secs_f64()
        ));
        eprintln!("[faults] {}", report.last().unwrap());
    }

    // Stop publishing; every published document must arrive exactly once.
    stop.store(true, Ordering::SeqCst);
    publisher.join().expect("publisher");
    let published = published.lock().unwrap().clone();
    let edir = dir.path().join("expected");
    std::fs::create_dir_all(&edir).unwrap();
    let expected = Expected::compute(&published, &edir);
    assert!(expected.bad.is_empty(), "variants rejected");
    let want = (
        expected.good.len() as i64,
        expected
            .good
            .values()
            .map(|g| g.extraction.sections.len())
            .sum::<usize>() as i64,
        expected.indicator_total() as i64,
    );
    let counts = |pg: &Pg| {
        (
            doc_count(pg),
            pg.count("SELECT count(*) FROM sections"),
            pg.count("SELECT count(*) FROM indicators"),
        )
    };
    let drained_at = Instant::now();
    let mut last = (0, 0, 0);
    let done = poll_until(Duration::from_secs(180), Duration::from_millis(250), || {
        check_alive(&mut procs);
        last = counts(&pg);
        (last == want).then_some(())
    });
    assert!(
        done.is_some(),
        "(documents, sections, indicators) = {last:?}, expected {want:?}\n{}",
        logs(&procs)
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(counts(&pg), want, "no late duplicates");
    let distinct = pg
        .query(
            "SELECT (SELECT count(DISTINCT doc_id) FROM documents), \
             (SELECT count(DISTINCT indicator_id) FROM indicators)",
        )
        .expect("distinct ids");
    assert_eq!(
        (distinct[0].get::<_, i64>(0), distinct[0].get::<_, i64>(1)),
        (want.0, want.2),
        "row counts = distinct ids"
    );
    let loaded: BTreeSet<String> = pg
        .query("SELECT doc_id FROM documents")
        .expect("doc_ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let sent: BTreeSet<String> = expected.good.keys().cloned().collect();
    assert_eq!(
        loaded, sent,
        "every published document loaded, nothing else"
    );
    eprintln!(
        "[faults] Apache Kafka 3-node cluster: {} documents published under faults, 0 lost, \
         0 duplicate rows ({want:?} rows; drained {:.1} s after the last fault; {:.1} s in all)",
        published.len(),
        drained_at.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    for line in &report {
        eprintln!("[faults] recovery: {line}");
    }
    drop(procs);
}
