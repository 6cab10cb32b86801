//! Replays, reruns and crashes leave a dataset without duplicate rows, byte for byte the same:
//!
//! - in process: the seed messages written once, and written again in random batches with
//!   simulated crashes (a batch written but its offsets not committed, so redone from the last
//!   commit), give the same files; every intermediate state reads without duplicates;
//! - over Kafka (librdkafka's mock cluster): the sink binary killed with SIGKILL mid-stream
//!   and restarted, then the same topics fed again into the same directory (a new consumer
//!   group), equal a clean run into another directory; rows = distinct keys, read back with
//!   the arrow reader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reportflow_kafka::{InputRecord, Reject, Sink, SinkConfig, SinkError};
use reportflow_proto::{v1, Message as _};
use reportflow_sink_parquet::{check, CheckReport, ParquetSink, Topics};
use reportflow_sink_testkit::*;

const PARTITIONS: i32 = 3;

/// `copies` distinct copies of the seeds' messages (ids suffixed), as (topic, key, value).
fn messages(seeds: &Seeds, topics: &Topics, copies: usize) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    for c in 0..copies {
        let sfx = |s: &str| format!("{s}-{c}");
        let mut s = seeds.clone();
        for d in &mut s.documents {
            d.doc_id = sfx(&d.doc_id);
        }
        for x in &mut s.sections {
            x.doc_id = sfx(&x.doc_id);
        }
        for i in &mut s.indicators {
            i.doc_id = sfx(&i.doc_id);
            i.indicator_id = sfx(&i.indicator_id);
        }
        out.extend(s.messages(topics));
    }
    out
}

/// The messages as records of a topic: each key's messages in one partition, offsets counted
/// per partition, as a broker would assign them.
fn as_records(messages: &[(String, String, Vec<u8>)]) -> Vec<InputRecord> {
    let mut next: BTreeMap<(String, i32), i64> = BTreeMap::new();
    messages
        .iter()
        .map(|(topic, key, value)| {
            let partition = (key.bytes().map(u32::from).sum::<u32>() % PARTITIONS as u32) as i32;
            let offset = next.entry((topic.clone(), partition)).or_default();
            let r = InputRecord {
                topic: topic.clone(),
                partition,
                offset: *offset,
                key: Some(key.clone().into_bytes()),
                value: Some(value.clone()),
                headers: Vec::new(),
                timestamp_ms: None,
            };
            *offset += 1;
            r
        })
        .collect()
}

/// Every file below `dir` except temporary ones, by relative path, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if !p.to_string_lossy().ends_with(".tmp") {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&ta), names(&tb), "the same file names");
    for (name, bytes) in &ta {
        assert!(bytes == &tb[name], "{name} differs");
    }
}

/// Rows = distinct keys in every dataset, and the expected counts.
fn assert_unique(report: &CheckReport, want: (u64, u64, u64)) {
    assert!(report.is_ok(), "{report}");
    let rows = |n: &str| report.dataset(n).unwrap().rows;
    assert_eq!(
        (rows("documents"), rows("sections"), rows("indicators")),
        want,
        "{report}"
    );
    for d in &report.datasets {
        assert!(d.overlapping.is_empty(), "{report}");
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reportflow-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A small deterministic pseudo-random generator (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn replays_in_any_batching_and_crashes_write_the_same_files() {
    let seeds = Seeds::load();
    let topics = Topics::default();
    let mut msgs = messages(&seeds, &topics, 2);
    // One record the sink rejects (dead-lettered), in the middle of a partition.
    msgs.insert(300, (topics.sections.clone(), "x".into(), vec![0xff; 4]));
    let records = as_records(&msgs);
    let want = (
        2 * seeds.documents.len() as u64,
        2 * seeds.sections.len() as u64,
        2 * seeds.indicators.len() as u64,
    );
    let per_file = 37;

    // Reference: everything in one batch.
    let a = temp_dir("parquet-replay-a");
    let sink_a = ParquetSink::new(&a, topics.clone()).with_offsets_per_file(per_file);
    let (rejects, _) = sink_a.write_batch(&records).unwrap();
    assert_eq!(rejects.len(), 1);
    assert_unique(&check(&a).unwrap(), want);

    // The same records per partition in order, partitions interleaved at random, in random
    // batches; a third of the batches "crash" after the write and before the commit, so the
    // next batch starts again at the last commit (a restart: a new sink, nothing in memory).
    let mut by_partition: BTreeMap<(String, i32), Vec<&InputRecord>> = BTreeMap::new();
    for r in &records {
        by_partition
            .entry((r.topic.clone(), r.partition))
            .or_default()
            .push(r);
    }
    let queues: Vec<Vec<&InputRecord>> = by_partition.into_values().collect();
    let b = temp_dir("parquet-replay-b");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut committed = vec![0usize; queues.len()];
    let mut crashes = 0;
    let mut batches = 0;
    while committed.iter().zip(&queues).any(|(c, q)| *c < q.len()) {
        let mut read = committed.clone();
        let mut batch = Vec::new();
        for _ in 0..1 + rng.below(60) {
            let q = rng.below(queues.len());
            if read[q] < queues[q].len() {
                batch.push(queues[q][read[q]].clone());
                read[q] += 1;
            }
        }
        let sink = ParquetSink::new(&b, topics.clone()).with_offsets_per_file(per_file);
        sink.write_batch(&batch).unwrap();
        batches += 1;
        // What a reader sees between any two batches: no key twice, no overlapping files.
        let report = check(&b).unwrap();
        assert!(report.is_ok(), "after batch {batches}:\n{report}");
        if rng.below(3) == 0 {
            crashes += 1;
        } else {
            committed = read;
        }
    }
    assert!(
        crashes > 10 && batches > 50,
        "{crashes} crashes, {batches} batches"
    );
    assert_unique(&check(&b).unwrap(), want);
    assert_same_tree(&a, &b);

    // Feeding the whole topic again (a rerun from the beginning) changes nothing.
    for chunk in records.chunks(101) {
        sink_a.write_batch(chunk).unwrap();
    }
    assert_same_tree(&a, &b);

    // Another offsets_per_file in the same directory is refused.
    let other = ParquetSink::new(&a, topics.clone()).with_offsets_per_file(per_file + 1);
    let err = other.write_batch(&records[..1]).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn a_range_whose_rows_move_to_another_year_leaves_no_stale_file() {
    // The same indicator id twice in one range, with periods of different years: the last
    // record wins, and the file written for the first one's year is removed.
    let topics = Topics::default();
    let dir = temp_dir("parquet-stale-year");
    let sink = ParquetSink::new(&dir, topics.clone()).with_offsets_per_file(10);
    let indicator = |period: &str| v1::Indicator {
        indicator_id: "i1".into(),
        doc_id: "d1".into(),
        metric: "GDP".into(),
        period: period.into(),
        ..Default::default()
    };
    let record = |offset: i64, period: &str| InputRecord {
        topic: topics.indicators.clone(),
        partition: 0,
        offset,
        key: None,
        value: Some(indicator(period).encode_to_vec()),
        headers: Vec::new(),
        timestamp_ms: None,
    };
    sink.write_batch(&[record(0, "2022")]).unwrap();
    assert!(dir.join("indicators/year=2022").read_dir().unwrap().count() == 1);
    sink.write_batch(&[record(1, "2023")]).unwrap();
    let report = check(&dir).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!(report.dataset("indicators").unwrap().rows, 1);
    assert_eq!(
        dir.join("indicators/year=2022").read_dir().unwrap().count(),
        0
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The sink, counting the records of its successful writes.
struct Counting {
    inner: ParquetSink,
    records: Arc<AtomicUsize>,
}

impl Sink for Counting {
    fn name(&self) -> &'static str {
        "parquet"
    }

    async fn write(&mut self, batch: &[InputRecord]) -> Result<Vec<(usize, Reject)>, SinkError> {
        let rejects = self.inner.write(batch).await?;
        self.records.fetch_add(batch.len(), Ordering::SeqCst);
        Ok(rejects)
    }
}

/// Runs the sink in this process with a new consumer group until it has written `total`
/// records.
async fn feed(bootstrap: &str, group: &str, dir: &Path, per_file: u64, total: usize) {
    let records = Arc::new(AtomicUsize::new(0));
    let sink = Counting {
        inner: ParquetSink::new(dir, Topics::default()).with_offsets_per_file(per_file),
        records: records.clone(),
    };
    let config = SinkConfig {
        batch_max_records: 500,
        batch_max: Duration::from_millis(200),
        ..SinkConfig::default()
    };
    let (stop, task) = run_sink_task(runtime_config(bootstrap, group), config, sink);
    let start = Instant::now();
    while records.load(Ordering::SeqCst) < total {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{group}: {} of {total} records written",
            records.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(()).unwrap();
    task.await.unwrap().expect("clean stop");
}

/// A child process killed with SIGKILL (`Child::kill`) when dropped, also when a test fails.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The sink binary on `dir`, in the consumer group `group`.
fn spawn_sink(bootstrap: &str, group: &str, dir: &Path, per_file: u64) -> Killed {
    let child = Command::new(env!("CARGO_BIN_EXE_reportflow-sink-parquet"))
        .args(["--brokers", bootstrap, "--group-id", group])
        .args(["--http-addr", "127.0.0.1:0", "--log-format", "text"])
        .args(["--batch-max-records", "40", "--batch-max-ms", "100"])
        .arg("--offsets-per-file")
        .arg(per_file.to_string())
        .arg("--dir")
        .arg(dir)
        .env("REPORTFLOW_DLQ_TOPIC", DLQ)
        .env("REPORTFLOW_KAFKA_CONSUMER__SESSION_TIMEOUT_MS", "6000")
        .env("REPORTFLOW_KAFKA_CONSUMER__HEARTBEAT_INTERVAL_MS", "500")
        .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "50")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start reportflow-sink-parquet");
    Killed(child)
}

/// Indicator rows readable below `dir` now (0 while nothing is there).
fn indicator_rows(dir: &Path) -> u64 {
    check(dir)
        .ok()
        .and_then(|r| r.dataset("indicators").map(|d| d.rows))
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sink_and_a_second_feed_leave_the_files_of_a_clean_run() {
    let seeds = Seeds::load();
    let topics = Topics::default();
    let copies = 6;
    let msgs = messages(&seeds, &topics, copies);
    let want = (
        (copies * seeds.documents.len()) as u64,
        (copies * seeds.sections.len()) as u64,
        (copies * seeds.indicators.len()) as u64,
    );
    let cluster = cluster();
    let bootstrap = cluster.bootstrap_servers();
    produce(&bootstrap, &msgs).await;
    let per_file = 50;

    // The sink binary, killed with SIGKILL once some files are there, then restarted.
    let a = temp_dir("parquet-kill-a");
    let child = spawn_sink(&bootstrap, "sink-kill", &a, per_file);
    let start = Instant::now();
    while indicator_rows(&a) == 0 {
        assert!(start.elapsed() < Duration::from_secs(60), "no files");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(child);
    let at_kill = indicator_rows(&a);
    eprintln!("killed with {at_kill} of {} indicator rows written", want.2);
    assert!(at_kill < want.2, "killed mid-stream");
    let report = check(&a).unwrap();
    assert!(report.is_ok(), "right after the kill:\n{report}");

    let child = spawn_sink(&bootstrap, "sink-kill", &a, per_file);
    let start = Instant::now();
    loop {
        let report = check(&a).unwrap();
        assert!(report.is_ok(), "while catching up:\n{report}");
        if report.dataset("indicators").unwrap().rows == want.2
            && report.dataset("sections").unwrap().rows == want.1
            && report.dataset("documents").unwrap().rows == want.0
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the restarted sink did not catch up:\n{report}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(child);
    assert_unique(&check(&a).unwrap(), want);

    // The same topics a second time into the same directory (a new group reads from the
    // beginning), and once into a fresh directory: the same files, byte for byte.
    feed(&bootstrap, "sink-again", &a, per_file, msgs.len()).await;
    let b = temp_dir("parquet-kill-b");
    feed(&bootstrap, "sink-clean", &b, per_file, msgs.len()).await;
    let report = check(&a).unwrap();
    eprintln!("{report}");
    assert_unique(&report, want);
    assert_same_tree(&a, &b);
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}
