//! Throughput of the whole Parquet sink loop (not a timed test): consume from an in-process
//! librdkafka mock cluster → batch → Parquet files (tmp, fsync, rename) → offset commit.
//!
//! Starts `run_sink`, waits until a warm-up document is stored (group joined), then produces the seeds' messages multiplied into `COPIES` distinct documents
//! (default 30; the mock broker drops old segments of large topics beyond that) to the three
//! topics (3 partitions each) and measures until every row is in a Parquet file (footer row
//! counts): produce + consume + write + commit. Prints rows/s.
//!
//! `cargo run --release -p reportflow-sink-parquet --example parquet_loop_bench -- [copies] [batch]`

use parquet::file::reader::{FileReader, SerializedFileReader};
use reportflow_sink_parquet::{ParquetSink, Topics};
use reportflow_sink_testkit::bench;

/// Rows in every `*.parquet` file below `dir`.
fn rows(dir: &std::path::Path) -> i64 {
    let mut n = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            n += rows(&p);
        } else if p.extension().is_some_and(|x| x == "parquet") {
            if let Ok(r) = std::fs::File::open(&p).map(SerializedFileReader::new) {
                n += r.map_or(0, |r| r.metadata().file_metadata().num_rows());
            }
        }
    }
    n
}

#[tokio::main]
async fn main() {
    let _ = reportflow_kafka::init_logging(reportflow_kafka::LogFormat::Text, "warn");
    let (copies, batch) = bench::args(30);
    let root = std::env::temp_dir().join(format!(
        "reportflow-parquet-loop-bench-{}",
        std::process::id()
    ));
    let sink = ParquetSink::new(&root, Topics::default());
    bench::sink_loop(
        "parquet sink loop (mock Kafka → Parquet files, commit per batch)",
        copies,
        batch,
        sink,
        || std::future::ready(rows(&root)),
    )
    .await;
    std::fs::remove_dir_all(&root).unwrap();
}
