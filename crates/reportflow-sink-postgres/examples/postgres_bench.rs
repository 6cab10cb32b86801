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

use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};
use reportflow_sink_testkit::bench;

mod common;

#[tokio::main]
async fn main() {
    let (copies, batch) = bench::args(100);
    let db = common::BenchDb::create("reportflow_bench").await;

    let topics = Topics::default();
    let recs = bench::records(copies, &topics);
    let mut sink = PostgresSink::new(PostgresSettings {
        database_url: db.url.clone(),
        topics,
    });
    sink.connect().await.unwrap();
    for pass in ["insert", "replay (upsert of existing rows)"] {
        let start = Instant::now();
        for chunk in recs.chunks(batch) {
            let rejects = sink.write_batch(chunk).await.unwrap();
            assert!(rejects.is_empty());
        }
        bench::print_rate(
            &format!("postgres {pass}"),
            recs.len(),
            start,
            &format!("batch {batch}"),
        );
    }
    drop(sink);
    db.drop_database().await;
}
