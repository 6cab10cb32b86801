//! Throughput benchmark of the Parquet sink's write path (not a timed test).
//!
//! Builds the seed reports' messages with the core, multiplies them into `--copies` distinct
//! documents (ids suffixed), and hands them to [`ParquetSink::write_batch`] in batches of
//! `--batch` records, as the sink loop does: decode, build Arrow batches, write Snappy Parquet
//! to `.tmp`, fsync, rename, fsync the directory. Kafka is not involved. Prints rows/s.
//!
//! `cargo run --release -p reportflow-sink-parquet --example parquet_bench -- [copies] [batch]`
//! (writes below a temporary directory it removes).

use std::time::Instant;

use reportflow_sink_parquet::{ParquetSink, Topics};
use reportflow_sink_testkit::bench;

fn main() {
    let (copies, batch) = bench::args(100);
    let topics = Topics::default();
    let recs = bench::records(copies, &topics);
    let root =
        std::env::temp_dir().join(format!("reportflow-parquet-bench-{}", std::process::id()));
    let sink = ParquetSink::new(&root, topics);
    let start = Instant::now();
    let mut files = 0;
    for chunk in recs.chunks(batch) {
        let (rejects, written) = sink.write_batch(chunk).unwrap();
        assert!(rejects.is_empty());
        files += written.len();
    }
    bench::print_rate(
        "parquet",
        recs.len(),
        start,
        &format!("batch {batch}, {files} files"),
    );
    std::fs::remove_dir_all(&root).unwrap();
}
