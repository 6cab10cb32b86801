//! Throughput benchmark of the PostgreSQL sink's write path (not a timed test).
//!
//! Builds the seed reports' messages with the core, multiplies them into `--copies` distinct
//! documents (ids suffixed), and hands them to [`PostgresSink::write_batch`] in batches of
//! `--batch` records, as the sink loop does: decode, one transaction of `unnest` upserts per
//! batch. Kafka is not involved. A first pass inserts, a second pass re-writes the same rows
//! (the replay case). Prints rows/s for both.
//!
//! `cargo run --release -p reportflow-sink-postgres --example postgres_bench -- [copies] [batch]`
//! against `postgres://postgres@127.0.0.1:55432/postgres` (`REPORTFLOW_TEST_PG` overrides); it
//! creates and drops a `reportflow_bench_<pid>` database.

use std::time::Instant;

use reportflow_kafka::InputRecord;
use reportflow_proto::{convert, v1, Message as _};
use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};
use tokio_postgres::NoTls;

fn records(copies: usize, topics: &Topics) -> Vec<InputRecord> {
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
    let mut offset = 0i64;
    let mut push = |topic: &str, value: Vec<u8>| {
        out.push(InputRecord {
            topic: topic.to_string(),
            partition: 0,
            offset,
            key: None,
            value: Some(value),
            headers: vec![],
            timestamp_ms: None,
        });
        offset += 1;
    };
    for path in files {
        let raw = std::fs::read(&path).unwrap();
        let report = extractor.extract(&raw, None).unwrap();
        let x = convert::extraction_from_report(&report, v1::Source::with_key("bench"), raw.len());
        for c in 0..copies {
            let sfx = format!("-{c}");
            let mut d = x.document.clone().unwrap();
            d.doc_id.push_str(&sfx);
            push(&topics.documents, d.encode_to_vec());
            for s in &x.sections {
                let mut s = s.clone();
                s.doc_id.push_str(&sfx);
                push(&topics.sections, s.encode_to_vec());
            }
            for i in &x.indicators {
                let mut i = i.clone();
                i.doc_id.push_str(&sfx);
                i.indicator_id.push_str(&sfx);
                push(&topics.indicators, i.encode_to_vec());
            }
        }
    }
    out
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let copies: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let batch: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let admin_url = std::env::var("REPORTFLOW_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:55432/postgres".into());
    let name = format!("reportflow_bench_{}", std::process::id());
    let (admin, conn) = tokio_postgres::connect(&admin_url, NoTls).await.unwrap();
    tokio::spawn(conn);
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);

    let topics = Topics::default();
    let recs = records(copies, &topics);
    let mut sink = PostgresSink::new(PostgresSettings {
        database_url: url,
        topics,
    });
    sink.connect().await.unwrap();
    for pass in ["insert", "replay (upsert of existing rows)"] {
        let start = Instant::now();
        for chunk in recs.chunks(batch) {
            let rejects = sink.write_batch(chunk).await.unwrap();
            assert!(rejects.is_empty());
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "postgres {pass}: {} rows in {:.2} s = {:.0} rows/s (batch {batch})",
            recs.len(),
            secs,
            recs.len() as f64 / secs
        );
    }
    drop(sink);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}
