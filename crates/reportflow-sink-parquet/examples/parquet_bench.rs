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

use reportflow_kafka::InputRecord;
use reportflow_proto::{convert, v1, Message as _};
use reportflow_sink_parquet::{ParquetSink, Topics};

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

fn main() {
    let mut args = std::env::args().skip(1);
    let copies: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let batch: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let topics = Topics::default();
    let recs = records(copies, &topics);
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
    let secs = start.elapsed().as_secs_f64();
    println!(
        "parquet: {} rows in {:.2} s = {:.0} rows/s (batch {batch}, {files} files)",
        recs.len(),
        secs,
        recs.len() as f64 / secs
    );
    std::fs::remove_dir_all(&root).unwrap();
}
