//! Throughput of the whole PostgreSQL sink loop (not a timed test): consume from an
//! in-process librdkafka mock cluster → batch → upsert transaction → offset commit.
//!
//! Starts `run_sink`, waits until a warm-up document is stored (group joined, connected,
//! migrated), then produces the seeds' messages multiplied into `COPIES` distinct documents
//! (default 30; the mock broker drops old segments of large topics beyond that) to the three
//! topics (3 partitions each) and measures until every row is in the database: produce +
//! consume + upsert + commit. Prints rows/s.
//!
//! `cargo run --release -p reportflow-sink-postgres --example postgres_loop_bench -- [copies] [batch]`

use std::time::{Duration, Instant};

use rdkafka::mocking::MockCluster;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use reportflow_kafka::{RuntimeConfig, SinkConfig};
use reportflow_proto::{convert, v1, Message as _};
use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};
use tokio_postgres::NoTls;

fn messages(copies: usize, topics: &Topics) -> Vec<(String, String, Vec<u8>)> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../reportflow-core/test_data/seeds"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let extractor = reportflow_core::Extractor::default();
    let mut out = Vec::new();
    for path in files {
        let raw = std::fs::read(&path).unwrap();
        let report = extractor.extract(&raw, None).unwrap();
        let x = convert::extraction_from_report(&report, v1::Source::with_key("bench"), raw.len());
        for c in 0..copies {
            let sfx = format!("-{c}");
            let mut d = x.document.clone().unwrap();
            d.doc_id.push_str(&sfx);
            out.push((
                topics.documents.clone(),
                d.doc_id.clone(),
                d.encode_to_vec(),
            ));
            for s in &x.sections {
                let mut s = s.clone();
                s.doc_id.push_str(&sfx);
                out.push((topics.sections.clone(), s.doc_id.clone(), s.encode_to_vec()));
            }
            for i in &x.indicators {
                let mut i = i.clone();
                i.doc_id.push_str(&sfx);
                i.indicator_id.push_str(&sfx);
                out.push((
                    topics.indicators.clone(),
                    i.doc_id.clone(),
                    i.encode_to_vec(),
                ));
            }
        }
    }
    out
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let _ = reportflow_kafka::init_logging(reportflow_kafka::LogFormat::Text, "warn");
    let copies: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(30);
    let batch: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let admin_url = std::env::var("REPORTFLOW_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:55432/postgres".into());
    let name = format!("reportflow_loop_bench_{}", std::process::id());
    let (admin, conn) = tokio_postgres::connect(&admin_url, NoTls).await.unwrap();
    tokio::spawn(conn);
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);

    let topics = Topics::default();
    let cluster = MockCluster::new(1).unwrap();
    for t in topics.all() {
        cluster.create_topic(&t, 3, 1).unwrap();
    }
    cluster
        .create_topic(reportflow_kafka::config::DEFAULT_DLQ_TOPIC, 1, 1)
        .unwrap();
    let bootstrap = cluster.bootstrap_servers();
    let msgs = messages(copies, &topics);
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("linger.ms", "20")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .unwrap();
    let mut runtime = RuntimeConfig::new(&bootstrap, "bench", topics.all());
    runtime.http_addr = "127.0.0.1:0".parse().unwrap();
    runtime.log_level = "warn".into();
    let sink_config = SinkConfig {
        batch_max_records: batch,
        batch_max: Duration::from_millis(500),
        ..SinkConfig::default()
    };
    let sink = PostgresSink::new(PostgresSettings {
        database_url: url.clone(),
        topics: topics.clone(),
    });
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(reportflow_kafka::run_sink(
        runtime,
        sink_config,
        sink,
        async move {
            let _ = stopped.await;
        },
    ));
    let (client, conn) = tokio_postgres::connect(&url, NoTls).await.unwrap();
    tokio::spawn(conn);
    // Warm up: one document through the loop (group join, connection, migrations).
    let mut warm = v1::ReportDocument {
        doc_id: "warm-up".into(),
        ..Default::default()
    };
    warm.section_count = 0;
    producer
        .send(
            FutureRecord::to(&topics.documents)
                .key("warm-up")
                .payload(&warm.encode_to_vec()),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    loop {
        let n = client
            .query_one("SELECT count(*) FROM documents", &[])
            .await
            .map(|r| r.get::<_, i64>(0))
            .unwrap_or(0);
        if n > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let start = Instant::now();
    let mut pending = Vec::new();
    for (t, k, v) in &msgs {
        pending.push(
            producer
                .send_result(FutureRecord::to(t).key(k).payload(v))
                .map_err(|(e, _)| e)
                .unwrap(),
        );
    }
    for p in pending {
        p.await.unwrap().unwrap();
    }

    let total = msgs.len() as i64 + 1;
    loop {
        let n: i64 = client
            .query_one(
                "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM sections)
                      + (SELECT count(*) FROM indicators)",
                &[],
            )
            .await
            .map(|r| r.get(0))
            .unwrap_or(0);
        if n >= total {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            eprintln!("gave up at {n} of {total} rows");
            use rdkafka::consumer::{BaseConsumer, Consumer};
            let c: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &bootstrap)
                .set("group.id", "bench")
                .create()
                .unwrap();
            for t in topics.all() {
                for p in 0..3 {
                    let (lo, hi) = c.fetch_watermarks(&t, p, Duration::from_secs(5)).unwrap();
                    let mut tpl = rdkafka::TopicPartitionList::new();
                    tpl.add_partition(&t, p);
                    let committed = c.committed_offsets(tpl, Duration::from_secs(5)).unwrap();
                    eprintln!(
                        "{t}/{p}: [{lo}, {hi}) committed {:?}",
                        committed.elements()[0].offset()
                    );
                }
            }
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "postgres sink loop (mock Kafka → PostgreSQL, commit per batch): {total} rows in {secs:.2} s = {:.0} rows/s (batch {batch})",
        total as f64 / secs
    );
    stop.send(()).unwrap();
    let _ = task.await;
    drop(client);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
