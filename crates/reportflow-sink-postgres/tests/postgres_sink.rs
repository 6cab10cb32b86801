//! End-to-end tests of the PostgreSQL sink: the five seed reports, as the extractor publishes
//! them, through a librdkafka mock cluster into the machine's real PostgreSQL (a throw-away
//! database per test): rows equal the messages, replays change no count, a database outage
//! loses nothing, and `kill -9` of the sink process mid-stream loses and duplicates nothing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use reportflow_kafka::SinkConfig;
use reportflow_proto::v1;
use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};

fn expected(seeds: &Seeds) -> (i64, i64, i64) {
    (
        seeds.documents.len() as i64,
        seeds.sections.len() as i64,
        seeds.indicators.len() as i64,
    )
}

/// Every indicator row equals its message, every document row its message, and the view
/// joins them.
async fn assert_rows_equal_messages(db: &TestDb, seeds: &Seeds) {
    let c = db.client().await;
    let rows = c
        .query(
            "SELECT indicator_id, doc_id, section_id, metric, code, kind, period, value, unit,
                    base_value, base_unit, yoy_pct, other_growth::text, pp_change, qualifier,
                    rank, quote, span_start, span_end, ordinal
             FROM indicators",
            &[],
        )
        .await
        .unwrap();
    let by_id: BTreeMap<String, &tokio_postgres::Row> =
        rows.iter().map(|r| (r.get::<_, String>(0), r)).collect();
    assert_eq!(by_id.len(), seeds.indicators.len());
    for ind in &seeds.indicators {
        let r = by_id
            .get(&ind.indicator_id)
            .unwrap_or_else(|| panic!("missing indicator {}", ind.indicator_id));
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        assert_eq!(r.get::<_, String>(1), ind.doc_id);
        assert_eq!(r.get::<_, Option<i32>>(2), ind.section_id.map(|v| v as i32));
        assert_eq!(r.get::<_, String>(3), ind.metric);
        assert_eq!(r.get::<_, Option<String>>(4), opt(&ind.code));
        let kind = v1::IndicatorKind::try_from(ind.kind).unwrap().short_name();
        assert_eq!(r.get::<_, String>(5), kind);
        assert_eq!(r.get::<_, String>(6), ind.period);
        assert_eq!(r.get::<_, Option<f64>>(7), ind.value, "{}", ind.quote);
        assert_eq!(r.get::<_, Option<String>>(8), opt(&ind.unit));
        assert_eq!(r.get::<_, Option<f64>>(9), ind.base_value);
        assert_eq!(r.get::<_, Option<String>>(10), opt(&ind.base_unit));
        assert_eq!(r.get::<_, Option<f64>>(11), ind.yoy_pct);
        let growth: Option<serde_json::Value> = r
            .get::<_, Option<String>>(12)
            .map(|s| serde_json::from_str(&s).unwrap());
        assert_eq!(
            growth,
            ind.other_growth
                .as_ref()
                .map(|g| serde_json::json!({"basis": g.basis, "pct": g.pct}))
        );
        assert_eq!(r.get::<_, Option<f64>>(13), ind.pp_change);
        assert_eq!(r.get::<_, Option<String>>(14), opt(&ind.qualifier));
        assert_eq!(r.get::<_, Option<String>>(15), opt(&ind.rank));
        assert_eq!(r.get::<_, String>(16), ind.quote);
        let span = ind.span.unwrap();
        assert_eq!(r.get::<_, Option<i32>>(17), Some(span.start as i32));
        assert_eq!(r.get::<_, Option<i32>>(18), Some(span.end as i32));
        assert_eq!(r.get::<_, i32>(19), ind.ordinal as i32);
    }

    for d in &seeds.documents {
        let r = c
            .query_one(
                "SELECT title, region, report_kind, report_date::text, years, section_count,
                        indicator_count, source_key
                 FROM documents WHERE doc_id = $1",
                &[&d.doc_id],
            )
            .await
            .unwrap();
        let m = d.metadata.clone().unwrap();
        assert_eq!(r.get::<_, Option<String>>(0), m.title);
        assert_eq!(r.get::<_, Option<String>>(1), m.region);
        let kind = v1::ReportKind::try_from(m.kind).unwrap().short_name();
        assert_eq!(r.get::<_, String>(2), kind);
        assert_eq!(r.get::<_, Option<String>>(3), m.date);
        assert_eq!(r.get::<_, Vec<i32>>(4), m.years);
        assert_eq!(r.get::<_, i32>(5) as u32, d.section_count);
        assert_eq!(r.get::<_, i32>(6) as u32, d.indicator_count);
        assert_eq!(
            r.get::<_, Option<String>>(7),
            d.source.as_ref().map(|s| s.key.clone())
        );
    }

    let sections: i64 = c
        .query_one(
            "SELECT count(*) FROM sections s JOIN documents d USING (doc_id)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(sections, seeds.sections.len() as i64);
    let facts: i64 = c
        .query_one(
            "SELECT count(*) FROM indicator_facts WHERE report_kind IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        facts,
        seeds.indicators.len() as i64,
        "the view joins every indicator"
    );

    // The view links every row back to its place in the report (docs/review-pages.md).
    let sources: BTreeMap<&str, Option<String>> = seeds
        .documents
        .iter()
        .map(|d| (d.doc_id.as_str(), d.source.as_ref().map(|s| s.key.clone())))
        .collect();
    for ind in &seeds.indicators {
        let r = c
            .query_one(
                "SELECT doc_id, span_start, span_end, ordinal, source_key
                 FROM indicator_facts WHERE indicator_id = $1",
                &[&ind.indicator_id],
            )
            .await
            .unwrap();
        let span = ind.span.unwrap();
        assert_eq!(r.get::<_, String>(0), ind.doc_id);
        assert_eq!(r.get::<_, Option<i32>>(1), Some(span.start as i32));
        assert_eq!(r.get::<_, Option<i32>>(2), Some(span.end as i32));
        assert_eq!(r.get::<_, i32>(3), ind.ordinal as i32);
        assert_eq!(
            r.get::<_, Option<String>>(4),
            sources[ind.doc_id.as_str()]
                .clone()
                .filter(|k| !k.is_empty())
        );
    }
}

/// Waits until every row of the three tables was (re)written after `since`.
async fn wait_all_rewritten(db: &TestDb, since: &str, total: i64, timeout: Duration) -> i64 {
    let c = db.client().await;
    let start = std::time::Instant::now();
    loop {
        let n: i64 = c
            .query_one(
                "SELECT (SELECT count(*) FROM documents WHERE loaded_at > $1::text::timestamptz)
                      + (SELECT count(*) FROM sections WHERE loaded_at > $1::text::timestamptz)
                      + (SELECT count(*) FROM indicators WHERE loaded_at > $1::text::timestamptz)",
                &[&since],
            )
            .await
            .map(|r| r.get(0))
            .unwrap_or(-1);
        if n == total || start.elapsed() > timeout {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn db_now(db: &TestDb) -> String {
    db.client()
        .await
        .query_one("SELECT now()::text", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loads_the_seeds_idempotently_and_rides_out_an_outage() {
    let seeds = Seeds::load();
    let want = expected(&seeds);
    let total = want.0 + want.1 + want.2;
    let topics = Topics::default();
    let cluster = cluster();
    let bootstrap = cluster.bootstrap_servers();
    let db = TestDb::create().await;

    let mut messages = seeds.messages(&topics);
    messages.push((
        topics.indicators.clone(),
        "garbage".into(),
        vec![0xff, 0xff, 0xff, 0xff],
    ));
    produce(&bootstrap, &messages).await;

    let settings = PostgresSettings {
        database_url: format!("{}?application_name=reportflow_sink_test", db.url),
        topics: topics.clone(),
    };
    let sink_config = SinkConfig {
        batch_max_records: 100,
        batch_max: Duration::from_millis(200),
        retry_backoff: Duration::from_millis(50),
        retry_max_backoff: Duration::from_millis(400),
        ..SinkConfig::default()
    };
    let runtime = runtime_config(&bootstrap, "sink-pg-1");
    let (stop, task) = run_sink_task(runtime, sink_config, PostgresSink::new(settings));

    let got = db.wait_counts(want, Duration::from_secs(60)).await;
    assert_eq!(got, want, "every seed message became one row");
    assert_rows_equal_messages(&db, &seeds).await;

    // Replay: everything published a second time rewrites the same rows, adds none.
    let t1 = db_now(&db).await;
    produce(&bootstrap, &seeds.messages(&topics)).await;
    let rewritten = wait_all_rewritten(&db, &t1, total, Duration::from_secs(60)).await;
    assert_eq!(rewritten, total, "the replay reached every row");
    assert_eq!(db.counts().await, want, "a replay changes no row count");

    // Outage: the table disappears and the sink's connections are killed while a third copy
    // arrives; the sink pauses and retries, then catches up once the database is back.
    let admin = db.client().await;
    admin
        .batch_execute("ALTER TABLE indicators RENAME TO indicators_away")
        .await
        .unwrap();
    let t2 = db_now(&db).await;
    produce(&bootstrap, &seeds.messages(&topics)).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = 'reportflow_sink_test'",
            &[],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    admin
        .batch_execute("ALTER TABLE indicators_away RENAME TO indicators")
        .await
        .unwrap();
    let rewritten = wait_all_rewritten(&db, &t2, total, Duration::from_secs(60)).await;
    assert_eq!(rewritten, total, "nothing was skipped during the outage");
    assert_eq!(db.counts().await, want);
    assert_rows_equal_messages(&db, &seeds).await;

    stop.send(()).unwrap();
    let summary = task.await.unwrap().expect("the sink stops cleanly");
    assert!(
        summary.retries > 0,
        "the outage caused retries: {summary:?}"
    );
    assert_eq!(summary.dead_lettered, 1, "{summary:?}");
    assert_eq!(summary.records_in, 3 * total as u64 + 1, "{summary:?}");
    assert!(summary.commits > 0);
}

fn spawn_sink(bootstrap: &str, url: &str, group: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reportflow-sink-postgres"))
        .args([
            "--brokers",
            bootstrap,
            "--database-url",
            url,
            "--group-id",
            group,
            "--http-addr",
            "127.0.0.1:0",
            "--batch-max-records",
            "7",
            "--batch-max-ms",
            "50",
            "--log-format",
            "text",
        ])
        .env("REPORTFLOW_DLQ_TOPIC", DLQ)
        .env("REPORTFLOW_KAFKA_CONSUMER__SESSION_TIMEOUT_MS", "6000")
        .env("REPORTFLOW_KAFKA_CONSUMER__HEARTBEAT_INTERVAL_MS", "500")
        .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "50")
        .env("REPORTFLOW_LOG_LEVEL", "warn")
        .env_remove("REPORTFLOW_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("RUST_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("spawn the sink binary")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_dash_nine_mid_stream_loses_and_duplicates_nothing() {
    let seeds = Seeds::load();
    let want = expected(&seeds);
    let topics = Topics::default();
    let cluster = cluster();
    let bootstrap = cluster.bootstrap_servers();
    let db = TestDb::create().await;
    produce(&bootstrap, &seeds.messages(&topics)).await;

    let mut child = spawn_sink(&bootstrap, &db.url, "sink-pg-kill");
    // Wait until the sink is part-way through, then kill it without warning.
    let start = std::time::Instant::now();
    let mut at_kill = (0, 0, 0);
    while start.elapsed() < Duration::from_secs(60) {
        at_kill = db.counts().await;
        if at_kill.2 > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().expect("kill -9");
    child.wait().unwrap();
    assert!(at_kill.2 > 0, "the sink wrote something before the kill");
    eprintln!("killed the sink at {at_kill:?} of {want:?}");

    let mut child = spawn_sink(&bootstrap, &db.url, "sink-pg-kill");
    let got = db.wait_counts(want, Duration::from_secs(90)).await;
    // SIGTERM: graceful stop.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit: {status:?}");
    assert_eq!(
        got, want,
        "no missing and no duplicate rows after kill -9 and restart"
    );

    let c = db.client().await;
    let ids: BTreeSet<String> = c
        .query("SELECT indicator_id FROM indicators", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let expected_ids: BTreeSet<String> = seeds
        .indicators
        .iter()
        .map(|i| i.indicator_id.clone())
        .collect();
    assert_eq!(ids, expected_ids);
    assert_rows_equal_messages(&db, &seeds).await;
}

/// A row the database refuses for good costs one dead letter, kind `rejected`, with
/// PostgreSQL's reason; every other row of its batch is stored and the sink goes on (it
/// retried the whole batch forever before). The sink already cleans what it knows PostgreSQL
/// refuses (NUL characters, impossible dates), so the refusal here is one a database owner
/// adds: a CHECK constraint (SQLSTATE 23514).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_the_database_refuses_is_dead_lettered_and_the_rest_stored() {
    let seeds = Seeds::load();
    let want = expected(&seeds);
    let topics = Topics::default();
    let cluster = cluster();
    let bootstrap = cluster.bootstrap_servers();
    let db = TestDb::create().await;
    // The sink's own migrations run at its start; the constraint comes after them.
    let admin = db.client().await;

    let mut poisoned = seeds.indicators[0].clone();
    poisoned.indicator_id = format!("{}-refused", poisoned.indicator_id);
    poisoned.metric = "refused by a CHECK constraint".into();
    let mut messages = seeds.messages(&topics);
    // In the middle of the indicators, so it shares its batch with good rows.
    let at = messages.len() - seeds.indicators.len() / 2;
    messages.insert(
        at,
        (
            topics.indicators.clone(),
            poisoned.doc_id.clone(),
            reportflow_proto::Message::encode_to_vec(&poisoned),
        ),
    );
    let settings = PostgresSettings {
        database_url: db.url.clone(),
        topics: topics.clone(),
    };
    let sink_config = SinkConfig {
        batch_max_records: 500,
        batch_max: Duration::from_millis(200),
        retry_backoff: Duration::from_millis(50),
        retry_max_backoff: Duration::from_millis(400),
        ..SinkConfig::default()
    };
    let (stop, task) = run_sink_task(
        runtime_config(&bootstrap, "sink-pg-poison"),
        sink_config,
        PostgresSink::new(settings),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while admin
        .batch_execute(
            "ALTER TABLE indicators ADD CONSTRAINT no_refused_metric \
             CHECK (metric <> 'refused by a CHECK constraint')",
        )
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the sink never migrated"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    produce(&bootstrap, &messages).await;
    let got = db.wait_counts(want, Duration::from_secs(60)).await;
    assert_eq!(got, want, "every good row is stored");
    assert_rows_equal_messages(&db, &seeds).await;
    stop.send(()).unwrap();
    let summary = task.await.unwrap().expect("the sink stops cleanly");
    assert_eq!(summary.dead_lettered, 1, "{summary:?}");
    assert_eq!(
        summary.retries, 0,
        "a permanent refusal is not retried: {summary:?}"
    );
    let letters = dead_letters(&bootstrap, 1).await;
    assert_eq!(letters.len(), 1);
    let (kind, message) = &letters[0];
    assert_eq!(kind, "rejected");
    assert!(message.contains("PostgreSQL refuses the rows"), "{message}");
}
