//! End-to-end test of the whole chain into PostgreSQL: raw report bytes on Apache Kafka →
//! normalizer → extractor → `reportflow-sink-postgres` → the tables `documents`, `sections`,
//! `indicators` and the view `indicator_facts` of a throw-away database.
//!
//! Prerequisites: `cargo build --workspace --bins`, Java 17 and Maven (the harness resolves the
//! broker), and the test PostgreSQL (`scripts/postgres.sh start`: 127.0.0.1:55432, trust auth;
//! `REPORTFLOW_TEST_PG` overrides the admin URL).
//!
//! Every wait polls against a deadline; a test that times out prints the row counts and the
//! processes' logs.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::expect::Expected;
use reportflow_e2e::kafka::{self, Record};
use reportflow_e2e::pipeline::{spawn_worker, Stage};
use reportflow_e2e::postgres::{spawn_sink, Pg, TestDb};
use reportflow_e2e::process::ChildGuard;
use reportflow_e2e::{poll_until, serial, topics};
use reportflow_proto::v1;

/// Partitions of every topic.
const PARTITIONS: i32 = 4;
/// The sink's `--batch-max-ms`: small, so rows appear quickly.
const BATCH_MAX_MS: u64 = 200;
/// Distinct documents published while the sink is killed.
const CRASH_DOCUMENTS: usize = 30;

/// The test's deadline for one wait in seconds: `default`, or `REPORTFLOW_E2E_TIMEOUT_SECS`.
fn timeout_secs(default: u64) -> u64 {
    std::env::var("REPORTFLOW_E2E_TIMEOUT_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The five seeds as published raw (UTF-8, as on disk): `<seed>.utf8`.
fn seed_inputs() -> Vec<Input> {
    data::seeds()
        .into_iter()
        .map(|(seed, text)| Input {
            name: format!("{seed}.utf8"),
            bytes: text.into_bytes(),
        })
        .collect()
}

fn publish(b: &str, inputs: &[Input]) {
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    kafka::produce(b, topics::RAW, &records).expect("publish");
}

/// Panics (with its log) if a process exited on its own.
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

/// Row counts of documents, sections, indicators (-1 before the sink created the tables).
fn counts(pg: &Pg) -> (i64, i64, i64) {
    (
        pg.count("SELECT count(*) FROM documents"),
        pg.count("SELECT count(*) FROM sections"),
        pg.count("SELECT count(*) FROM indicators"),
    )
}

/// Expected (documents, sections, indicators) row counts.
fn expected_counts(expected: &[&Expected]) -> (i64, i64, i64) {
    let docs = expected.iter().map(|e| e.good.len()).sum::<usize>();
    let sections = expected
        .iter()
        .flat_map(|e| e.good.values())
        .map(|g| g.extraction.sections.len())
        .sum::<usize>();
    let indicators = expected.iter().map(|e| e.indicator_total()).sum::<usize>();
    (docs as i64, sections as i64, indicators as i64)
}

/// Polls the database until the counts are `want`; panics with the logs at the deadline.
fn wait_counts(pg: &Pg, want: (i64, i64, i64), procs: &mut [ChildGuard], what: &str) {
    let limit = timeout_secs(60);
    let mut last = (0, 0, 0);
    let done = poll_until(
        Duration::from_secs(limit),
        Duration::from_millis(250),
        || {
            check_alive(procs);
            last = counts(pg);
            (last == want).then_some(())
        },
    );
    assert!(
        done.is_some(),
        "[{what}] (documents, sections, indicators) = {last:?} after {limit} s, expected \
         {want:?}\n{}",
        logs(procs)
    );
}

/// `(kafka_partition, kafka_offset)` of every row of `table`, by key.
fn origins(pg: &Pg, table: &str, key: &str) -> BTreeMap<String, (i32, i64)> {
    pg.query(&format!(
        "SELECT {key}::text, kafka_partition, kafka_offset FROM {table}"
    ))
    .expect("origins")
    .iter()
    .map(|r| (r.get(0), (r.get(1), r.get(2))))
    .collect()
}

/// Every expected indicator row equals `reportflow extract`'s JSON (code, kind, period,
/// value, unit, yoy_pct) and there are no others; the view has one row per indicator.
fn check_indicators(pg: &Pg, expected: &Expected) {
    let rows = pg
        .query(
            "SELECT indicator_id, doc_id, code, kind, period, value, unit, yoy_pct FROM indicators",
        )
        .expect("indicators");
    let by_id: BTreeMap<String, &tokio_postgres::Row> =
        rows.iter().map(|r| (r.get::<_, String>(0), r)).collect();
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let mut problems = Vec::new();
    let mut want_ids = BTreeSet::new();
    for g in expected.good.values() {
        for ind in &g.extraction.indicators {
            want_ids.insert(ind.indicator_id.clone());
            let Some(r) = by_id.get(&ind.indicator_id) else {
                problems.push(format!("indicator {} missing", ind.indicator_id));
                continue;
            };
            let kind = v1::IndicatorKind::try_from(ind.kind)
                .expect("known kind")
                .short_name();
            let want = (
                ind.doc_id.clone(),
                opt(&ind.code),
                kind.to_string(),
                ind.period.clone(),
                ind.value,
                opt(&ind.unit),
                ind.yoy_pct,
            );
            let have = (
                r.get::<_, String>(1),
                r.get::<_, Option<String>>(2),
                r.get::<_, String>(3),
                r.get::<_, String>(4),
                r.get::<_, Option<f64>>(5),
                r.get::<_, Option<String>>(6),
                r.get::<_, Option<f64>>(7),
            );
            if want != have {
                problems.push(format!(
                    "indicator {} ({}): row {have:?}, expected {want:?}",
                    ind.indicator_id, ind.quote
                ));
            }
        }
    }
    for id in by_id.keys() {
        if !want_ids.contains(id) {
            problems.push(format!("unexpected indicator row {id}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    let facts = pg
        .query("SELECT count(*), count(DISTINCT indicator_id), count(report_kind) FROM indicator_facts")
        .expect("indicator_facts");
    let n = want_ids.len() as i64;
    assert_eq!(
        (
            facts[0].get::<_, i64>(0),
            facts[0].get::<_, i64>(1),
            facts[0].get::<_, i64>(2)
        ),
        (n, n, n),
        "indicator_facts: one row per indicator, each joined to its document"
    );
}

/// Raw seeds on Apache Kafka through 1 normalizer, 1 extractor and the PostgreSQL sink: rows equal
/// `reportflow extract`'s output; publishing the seeds again changes no count; `kill -9` of
/// the sink while 30 more documents stream loses and duplicates no row.
#[test]
fn raw_to_postgres_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::start();
    let started = Instant::now();
    let db = TestDb::create();
    let pg = db.connect();
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, PARTITIONS)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));

    let dir = tempfile::tempdir().expect("temp dir");
    let logs_dir = dir.path().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    let seeds = seed_inputs();
    let expected = Expected::compute(&seeds, dir.path());
    assert!(
        expected.bad.is_empty(),
        "seeds rejected: {:?}",
        expected.bad
    );
    assert_eq!(expected.good.len(), 5, "five distinct seeds");
    let want = expected_counts(&[&expected]);
    eprintln!(
        "[pg] database {}; seeds: (documents, sections, indicators) = {want:?}",
        db.name
    );

    // 1. Publish the seeds raw; start the workers and the sink.
    publish(&b, &seeds);
    let mut procs = vec![
        spawn_worker(Stage::Normalizer, &b, "normalizer-0", &logs_dir, &[]),
        spawn_worker(Stage::Extractor, &b, "extractor-0", &logs_dir, &[]),
        spawn_sink(&b, &db.url, "sink-0", &logs_dir, BATCH_MAX_MS, &[]),
    ];

    // 2. Every row arrives and equals the extraction.
    wait_counts(&pg, want, &mut procs, "seeds");
    check_indicators(&pg, &expected);
    eprintln!(
        "[pg] seeds loaded and checked after {:?}",
        started.elapsed()
    );

    // 3. The same five seeds again: the pipeline publishes every message a second time and
    // the sink upserts each row onto itself. Wait until every row was written by a newer
    // message (its Kafka origin moved), then the counts must be unchanged.
    let docs_before = origins(&pg, "documents", "doc_id");
    let inds_before = origins(&pg, "indicators", "indicator_id");
    publish(&b, &seeds);
    let limit = timeout_secs(60);
    let mut stale = (0, 0);
    let rewritten = poll_until(
        Duration::from_secs(limit),
        Duration::from_millis(250),
        || {
            check_alive(&mut procs);
            let moved = |before: &BTreeMap<String, (i32, i64)>, now: BTreeMap<_, _>| {
                before
                    .iter()
                    .filter(|(k, o)| now.get(*k).is_none_or(|n| n == *o))
                    .count()
            };
            stale = (
                moved(&docs_before, origins(&pg, "documents", "doc_id")),
                moved(&inds_before, origins(&pg, "indicators", "indicator_id")),
            );
            (stale == (0, 0)).then_some(())
        },
    );
    assert!(
        rewritten.is_some(),
        "[replay] (documents, indicators) not rewritten after {limit} s: {stale:?}\n{}",
        logs(&procs)
    );
    assert_eq!(counts(&pg), want, "a replay adds no rows");
    check_indicators(&pg, &expected);
    eprintln!(
        "[pg] replay upserted in place after {:?}",
        started.elapsed()
    );

    // 4. kill -9 the sink while distinct documents stream, restart it.
    let variants = data::variants(CRASH_DOCUMENTS);
    let vdir = dir.path().join("variants");
    std::fs::create_dir_all(&vdir).unwrap();
    let expected_v = Expected::compute(&variants, &vdir);
    assert!(expected_v.bad.is_empty(), "variants rejected");
    assert_eq!(expected_v.good.len(), CRASH_DOCUMENTS, "distinct doc_ids");
    let want_all = expected_counts(&[&expected, &expected_v]);
    let publisher = {
        let b = b.clone();
        std::thread::spawn(move || {
            for batch in variants.chunks(3) {
                publish(&b, batch);
                std::thread::sleep(Duration::from_millis(400));
            }
        })
    };
    let loading = poll_until(
        Duration::from_secs(timeout_secs(60)),
        Duration::from_millis(100),
        || {
            check_alive(&mut procs);
            (counts(&pg).0 >= want.0 + 3).then_some(())
        },
    );
    assert!(
        loading.is_some(),
        "[crash] no new documents: {:?}\n{}",
        counts(&pg),
        logs(&procs)
    );
    let at_kill = counts(&pg);
    let sink = procs.last_mut().expect("the sink");
    eprintln!(
        "[crash] kill -9 {} (pid {}) at {at_kill:?} of {want_all:?}",
        sink.name,
        sink.id()
    );
    sink.kill9();
    procs.pop();
    procs.push(spawn_sink(
        &b,
        &db.url,
        "sink-restarted",
        &logs_dir,
        BATCH_MAX_MS,
        &[],
    ));
    publisher.join().expect("publisher");
    wait_counts(&pg, want_all, &mut procs, "crash");
    // A little longer, so that late duplicates would show.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(counts(&pg), want_all, "rows after the restart");
    let all = merge(&expected, &expected_v);
    check_indicators(&pg, &all);
    let distinct = pg
        .query("SELECT count(*), count(DISTINCT indicator_id) FROM indicators")
        .expect("distinct");
    assert_eq!(
        distinct[0].get::<_, i64>(0),
        distinct[0].get::<_, i64>(1),
        "no duplicate indicators"
    );
    let doc_ids: BTreeSet<String> = pg
        .query("SELECT doc_id FROM documents")
        .expect("doc_ids")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let published: BTreeSet<String> = all.good.keys().cloned().collect();
    assert_eq!(doc_ids, published, "one document row per published doc_id");
    eprintln!(
        "[pg] complete after {:?}: {want_all:?} rows",
        started.elapsed()
    );
}

/// The expectations of two input sets as one.
fn merge(a: &Expected, b: &Expected) -> Expected {
    let mut out = Expected::default();
    for e in [a, b] {
        out.good
            .extend(e.good.iter().map(|(k, g)| (k.clone(), g.clone())));
    }
    out
}
