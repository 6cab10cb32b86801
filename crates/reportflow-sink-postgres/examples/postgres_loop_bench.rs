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

use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};
use reportflow_sink_testkit::bench;
use tokio_postgres::NoTls;

mod common;

#[tokio::main]
async fn main() {
    let _ = reportflow_kafka::init_logging(reportflow_kafka::LogFormat::Text, "warn");
    let (copies, batch) = bench::args(30);
    let db = common::BenchDb::create("reportflow_loop_bench").await;
    let sink = PostgresSink::new(PostgresSettings {
        database_url: db.url.clone(),
        topics: Topics::default(),
    });
    let (pg, conn) = tokio_postgres::connect(&db.url, NoTls).await.unwrap();
    tokio::spawn(conn);
    let client = &pg;
    bench::sink_loop(
        "postgres sink loop (mock Kafka → PostgreSQL, commit per batch)",
        copies,
        batch,
        sink,
        || async move {
            client
                .query_one(
                    "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM sections)
                      + (SELECT count(*) FROM indicators)",
                    &[],
                )
                .await
                .map(|r| r.get(0))
                .unwrap_or(0)
        },
    )
    .await;
    drop(pg);
    db.drop_database().await;
}
