//! `reportflow-bench`: end-to-end throughput and latency of the worker pipeline on Apache Kafka, and in
//! the same run the throughput of a bare consume → produce copy of the same messages, so the
//! pipeline's figure can be read against what the broker and client allow.
//!
//! ```text
//! cargo build --release --workspace --bins && target/release/reportflow-bench [--docs N] [--rate R]
//! ```
//!
//! Without `--rate` all documents are published at once, so latency measures draining a
//! backlog; `--rate R` publishes R documents per second, for latency at a steady load.
//! `--exactly-once` runs the workers with `processing_guarantee = "exactly_once"` (one Kafka
//! transaction per batch) instead of the default at-least-once; `--threads N` with
//! `processing_threads = N` (default: the number of cores).
//!
//! Two more modes measure the workers themselves (module `rounds`, no copy): `--scaling`
//! drains a backlog (`--docs`, default 1000) with 1 and then 2 processing threads per worker
//! and prints documents/s of each and their ratio, both workers running and each alone, next
//! to the core's offline documents/s on one core; `--backlog` publishes 10,000 documents (`--docs`) with 5 (`--huge`) of 20 MiB
//! (`--huge-mb`) among them and prints each worker's resident set idle after the warm-up
//! (VmRSS) and its peak (VmHWM) against the targets (64 / 256 MB). `--env KEY=VALUE` adds
//! worker environment in both (e.g. librdkafka queue sizes, `MALLOC_ARENA_MAX`).
//!
//! What it does: starts a one-node Apache Kafka (KRaft, `scripts/kafka.sh`) on free ports, creates the topics (4 partitions),
//! starts one `reportflow-normalizer` and one `reportflow-extractor` process (the binaries next
//! to this one, so a release bench measures release workers), warms them up with one document,
//! publishes N distinct documents (default 300: the seeds in five encodings with a unique line
//! each) and waits until every document's indicators are all on `reports.indicators`.
//!
//! Latency of a document = timestamp of its last indicator record − timestamp of its raw
//! record. Both are CreateTime (the topics' default): the raw one is set
//! by this program's producer when it sends, the indicator one by the extractor's producer
//! when it hands the record to librdkafka, i.e. just before the broker's acknowledgement (the
//! produce round trip, about a millisecond locally, is not included). Also reported: the time
//! this program's consumer first saw the last indicator (adds up to the fetch wait, 100 ms).
//!
//! Then the copy of **the same records**, without processing: two consume → produce stages
//! like the two workers, with the workers' producer settings (idempotent, `acks=all`),
//! committing after each polled batch once its outputs are acknowledged. The first reads
//! `reports.raw` and for each record produces the `NormalizedReport` the normalizer produced
//! for it (same key, bytes and headers) to `bench.normalized`; the second reads that and
//! produces the document, sections and indicators the extractor produced, to
//! `bench.documents`, `bench.sections` and `bench.indicators`. So the ratio pipeline / copy is
//! the price of the processing itself, not of moving ~90 messages per document.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::FutureRecord;
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::kafka::{self, Record};
use reportflow_e2e::pipeline::{spawn_worker_with, Collector, Stage};
use reportflow_e2e::topics;

/// The workers' allocator, so the core's offline documents/s printed beside the pipeline's
/// are measured as the workers run the core.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod rounds;

/// Output topics of the copy's two stages.
const COPY_NORMALIZED: &str = "bench.normalized";
const COPY_DOCUMENTS: &str = "bench.documents";
const COPY_SECTIONS: &str = "bench.sections";
const COPY_INDICATORS: &str = "bench.indicators";
const PARTITIONS: i32 = 4;
/// Extra librdkafka producer properties for the workers and this program's publisher: none,
/// the bench measures the workers' own defaults.
const PRODUCER_SETTINGS: &[(&str, &str)] = &[];

fn main() {
    let mut docs: Option<usize> = None;
    let mut rate: Option<f64> = None;
    let mut exactly_once = false;
    let mut threads: Option<usize> = None;
    let (mut scaling, mut backlog_mode) = (false, false);
    let (mut huge_count, mut huge_mb) = (5usize, 20usize);
    // `--env KEY=VALUE`: more environment for the workers of `--scaling` and `--backlog`
    // (e.g. `REPORTFLOW_KAFKA_CONSUMER__QUEUED_MAX_MESSAGES_KBYTES=16384`).
    let mut worker_env: Vec<(String, String)> = Vec::new();
    let mut args = std::env::args().skip(1);
    let number = |args: &mut std::iter::Skip<std::env::Args>, what: &str| -> usize {
        args.next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{what}"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--docs" => docs = Some(number(&mut args, "--docs N")),
            "--threads" => threads = Some(number(&mut args, "--threads N")),
            "--scaling" => scaling = true,
            "--backlog" => backlog_mode = true,
            "--huge" => huge_count = number(&mut args, "--huge COUNT"),
            "--huge-mb" => huge_mb = number(&mut args, "--huge-mb MB"),
            "--env" => {
                let kv = args.next().expect("--env KEY=VALUE");
                let (k, v) = kv.split_once('=').expect("--env KEY=VALUE");
                worker_env.push((k.to_string(), v.to_string()));
            }
            "--rate" => {
                rate = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("--rate DOCS_PER_SECOND"),
                );
            }
            "--exactly-once" => exactly_once = true,
            "-h" | "--help" => {
                println!("usage: reportflow-bench [--docs N] [--rate R] [--exactly-once] [--threads N]\n       reportflow-bench --scaling [--docs N]   (1 then 2 processing threads)\n       reportflow-bench --backlog [--docs N] [--huge COUNT] [--huge-mb MB] [--threads N]\n       (both: [--env KEY=VALUE]... more worker environment)\n(needs Java 17 + Maven for the broker and the built worker binaries)");
                return;
            }
            other => panic!("unknown argument {other} (try --help)"),
        }
    }
    let guarantee = if exactly_once {
        "exactly_once"
    } else {
        "at_least_once"
    };
    if scaling {
        return rounds::scaling(docs.unwrap_or(1000), guarantee, &worker_env);
    }
    if backlog_mode {
        let backlog = rounds::Backlog {
            docs: docs.unwrap_or(10_000),
            huge: huge_count,
            huge_bytes: huge_mb * 1024 * 1024,
        };
        return rounds::backlog(&backlog, threads, guarantee, &worker_env);
    }
    let docs = docs.unwrap_or(300);
    let threads_env = threads.map(|t| t.to_string());
    let broker = ApacheKafka::start();
    let b = broker.bootstrap().to_string();
    let overrides = PRODUCER_SETTINGS;
    let mut all_topics = topics::ALL.to_vec();
    all_topics.extend([
        COPY_NORMALIZED,
        COPY_DOCUMENTS,
        COPY_SECTIONS,
        COPY_INDICATORS,
    ]);
    kafka::create_topics(&b, &all_topics, PARTITIONS).expect("create topics");
    println!(
        "Apache Kafka {} on {b}; {docs} documents; workers from {}",
        broker.version,
        reportflow_e2e::process::bin_dir().display()
    );

    let logs = tempfile::tempdir().expect("temp dir");
    // `--exactly-once`: the workers' processing_guarantee, with the stable instance ids it
    // needs (transactional.id); everything downstream reads read_committed either way.
    let worker = |stage: Stage, name: &str| {
        let mut env = vec![
            ("REPORTFLOW_PROCESSING_GUARANTEE", guarantee),
            ("REPORTFLOW_INSTANCE_ID", name),
        ];
        if let Some(t) = &threads_env {
            env.push(("REPORTFLOW_PROCESSING_THREADS", t.as_str()));
        }
        spawn_worker_with(stage, &b, name, logs.path(), overrides, &env, "127.0.0.1:0")
    };
    let normalizer = worker(Stage::Normalizer, "bench-normalizer");
    let extractor = worker(Stage::Extractor, "bench-extractor");
    let mut collector = Collector::new(&b);

    // Warm-up: group join, partition assignment, first fetches are not throughput.
    let warm = Input {
        name: "warm-up".into(),
        bytes: data::encode(&data::seeds()[0].1, "utf8"),
    };
    kafka::produce_with(&b, topics::RAW, &[warm.record()], overrides).expect("publish warm-up");
    let warm_id = reportflow_e2e::poll_until(Duration::from_secs(120), Duration::ZERO, || {
        collector.poll(Duration::from_millis(200));
        collector.outputs.keys().next().cloned()
    })
    .expect("the warm-up document never came out");

    // The measured run.
    let inputs = data::variants(docs);
    let records: Vec<Record> = inputs.iter().map(Input::record).collect();
    let started = Instant::now();
    let mut seen_at: BTreeMap<String, Instant> = BTreeMap::new();
    let landed = match rate {
        None => kafka::produce_with(&b, topics::RAW, &records, overrides).expect("publish"),
        // Paced publishing runs in its own thread while this one watches the outputs.
        Some(r) => {
            let (b2, recs) = (b.clone(), records.clone());
            let publisher = std::thread::spawn(move || paced(&b2, &recs, r, overrides));
            while !publisher.is_finished() {
                collector.poll(Duration::from_millis(100));
                mark_complete(&collector, &warm_id, &mut seen_at);
            }
            publisher.join().expect("publisher")
        }
    };
    let published = started.elapsed();
    let raw_ts: BTreeMap<String, i64> = inputs
        .iter()
        .zip(&landed)
        .map(|(i, l)| {
            (
                reportflow_e2e::expect::doc_id(&i.bytes),
                l.timestamp_ms.unwrap_or(0),
            )
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(600);
    while seen_at.len() < raw_ts.len() {
        assert!(
            Instant::now() < deadline,
            "pipeline incomplete after 600 s: {}",
            collector.counts()
        );
        collector.poll(Duration::from_millis(100));
        mark_complete(&collector, &warm_id, &mut seen_at);
    }
    let pipeline_wall = seen_at
        .values()
        .max()
        .map_or(Duration::ZERO, |t| *t - started);

    // Last indicator record timestamp per document (first copy of each indicator).
    let mut last_ts: BTreeMap<String, i64> = BTreeMap::new();
    let mut first_copy = BTreeSet::new();
    for m in collector.indicator_messages() {
        let doc = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
        let ts = m.timestamp().to_millis().unwrap_or(0);
        let payload = m.payload().unwrap_or_default().to_vec();
        if first_copy.insert(payload) {
            let e = last_ts.entry(doc).or_insert(ts);
            *e = (*e).max(ts);
        }
    }
    let mut latencies: Vec<i64> = raw_ts
        .iter()
        .map(|(id, raw)| last_ts.get(id).copied().unwrap_or(*raw) - raw)
        .collect();
    latencies.sort_unstable();
    let mut observed: Vec<u128> = raw_ts
        .keys()
        .map(|id| {
            let raw = raw_ts[id];
            let first_raw = raw_ts.values().min().copied().unwrap_or(raw);
            // Observed = when this program saw it complete, relative to its raw timestamp.
            (seen_at[id] - started).as_millis() - u128::try_from(raw - first_raw).unwrap_or(0)
        })
        .collect();
    observed.sort_unstable();
    let docs_per_s = docs as f64 / pipeline_wall.as_secs_f64();
    let indicators: usize = collector
        .outputs
        .iter()
        .filter(|(id, _)| **id != warm_id)
        .map(|(_, o)| o.indicators.len())
        .sum();

    // The copy of the same records (warm-up included), without processing.
    let outputs = recorded_outputs(&collector);
    let (copied, copy_wall) = copy(&b, docs + 1, &outputs, overrides);
    let copy_docs_per_s = (docs + 1) as f64 / copy_wall.as_secs_f64();

    println!();
    println!(
        "pipeline (1 normalizer + 1 extractor, Apache Kafka, 4 partitions, {guarantee}, processing_threads {})",
        threads.map_or_else(|| "default (cores)".to_string(), |t| t.to_string())
    );
    println!(
        "  documents            {docs} ({indicators} indicators), published in {published:.2?}"
    );
    println!(
        "  end to end           {pipeline_wall:.2?} from first publish to last document complete"
    );
    println!(
        "  throughput           {docs_per_s:.1} documents/s{}",
        if rate.is_some() {
            " (paced: bounded by --rate)"
        } else {
            ""
        }
    );
    println!(
        "  latency (CreateTime) p50 {} ms  p99 {} ms  max {} ms  (raw produce -> last indicator)",
        pct(&latencies, 50),
        pct(&latencies, 99),
        latencies.last().copied().unwrap_or(0)
    );
    println!(
        "  latency (observed)   p50 {} ms  p99 {} ms  (raw produce -> seen by a consumer)",
        pct(&observed, 50),
        pct(&observed, 99)
    );
    for (name, pid) in [
        ("normalizer", normalizer.id()),
        ("extractor", extractor.id()),
    ] {
        println!(
            "  memory {name:<11}  peak RSS {} MB, now {} MB  (/proc/{pid}/status VmHWM, VmRSS)",
            rss_mb(pid, "VmHWM:"),
            rss_mb(pid, "VmRSS:")
        );
    }
    println!(
        "copy of the same records without processing (two stages, same settings, commit per batch)"
    );
    println!(
        "  messages             {copied} for {} documents in {copy_wall:.2?}",
        docs + 1
    );
    println!("  throughput           {copy_docs_per_s:.1} documents/s");
    println!("ratio pipeline/copy    {:.3}", docs_per_s / copy_docs_per_s);
}

/// Records now as the completion time of every document that just became complete (its
/// document and as many distinct indicators as the document announces).
fn mark_complete(collector: &Collector, warm_id: &str, seen_at: &mut BTreeMap<String, Instant>) {
    let now = Instant::now();
    for (id, o) in &collector.outputs {
        if id == warm_id || seen_at.contains_key(id) {
            continue;
        }
        let complete = o
            .document
            .as_ref()
            .is_some_and(|d| o.indicators.len() >= d.indicator_count as usize);
        if complete {
            seen_at.insert(id.clone(), now);
        }
    }
}

/// Publishes `records` one by one at `rate` per second; returns where each landed.
fn paced(b: &str, records: &[Record], rate: f64, overrides: &[(&str, &str)]) -> Vec<kafka::Landed> {
    let producer = kafka::producer(b, overrides);
    let rt = kafka::runtime();
    let start = Instant::now();
    rt.block_on(async {
        let mut landed = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
            let d = producer
                .send(
                    FutureRecord::to(topics::RAW).key(&r.key).payload(&r.value),
                    Duration::from_secs(30),
                )
                .await
                .expect("paced publish");
            landed.push(kafka::Landed {
                partition: d.partition,
                offset: d.offset,
                timestamp_ms: d.timestamp.to_millis(),
            });
        }
        landed
    })
}

/// A memory figure of a process in MB (`field` of `/proc/PID/status`, e.g. `VmHWM:`, the peak
/// resident set), or `?` where /proc does not tell.
fn rss_mb(pid: u32, field: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with(field))?;
            let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.0}", kb / 1024.0))
        })
        .unwrap_or_else(|| "?".to_string())
}

/// The `p`th percentile (nearest rank) of sorted values.
fn pct<T: Copy + Default>(sorted: &[T], p: usize) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// One output record the workers produced: topic, key, value, headers.
type Out = (&'static str, Vec<u8>, Vec<u8>, Vec<(&'static str, Vec<u8>)>);

/// What the workers produced, re-encoded (prost's encoding is deterministic, so these are the
/// bytes the workers wrote), by doc_id: the normalizer's record, and the extractor's records.
struct Recorded {
    normalized: BTreeMap<String, Out>,
    extracted: BTreeMap<String, Vec<Out>>,
}

fn recorded_outputs(collector: &Collector) -> Recorded {
    use reportflow_proto::names;
    use reportflow_proto::Message as _;
    let headers = |id: &str, kind: &str| {
        vec![
            (names::HEADER_DOC_ID, id.as_bytes().to_vec()),
            (names::HEADER_MESSAGE_TYPE, kind.as_bytes().to_vec()),
        ]
    };
    let mut normalized = BTreeMap::new();
    let mut extracted = BTreeMap::new();
    for (id, o) in &collector.outputs {
        let key = id.as_bytes().to_vec();
        if let Some(n) = &o.normalized {
            let h = headers(id, names::TYPE_NORMALIZED_REPORT);
            normalized.insert(
                id.clone(),
                (COPY_NORMALIZED, key.clone(), n.encode_to_vec(), h),
            );
        }
        let mut out: Vec<Out> = Vec::new();
        if let Some(d) = &o.document {
            let h = headers(id, names::TYPE_REPORT_DOCUMENT);
            out.push((COPY_DOCUMENTS, key.clone(), d.encode_to_vec(), h));
        }
        for s in o.sections.values() {
            let h = headers(id, names::TYPE_SECTION);
            out.push((COPY_SECTIONS, key.clone(), s.encode_to_vec(), h));
        }
        for i in o.indicators.values() {
            let h = headers(id, names::TYPE_INDICATOR);
            out.push((COPY_INDICATORS, key.clone(), i.encode_to_vec(), h));
        }
        extracted.insert(id.clone(), out);
    }
    Recorded {
        normalized,
        extracted,
    }
}

/// Runs the copy's two stages side by side until the second has handled `n` documents: how
/// many messages they produced, and the time from the first raw record polled to the last
/// commit of the second stage.
fn copy(b: &str, n: usize, recorded: &Recorded, overrides: &[(&str, &str)]) -> (usize, Duration) {
    let started = std::sync::Mutex::new(None::<Instant>);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            copy_stage(
                b,
                "bench-copy-normalize",
                topics::RAW,
                n,
                overrides,
                &started,
                |m| {
                    let id = reportflow_e2e::expect::doc_id(m.payload().unwrap_or_default());
                    recorded.normalized.get(&id).cloned().into_iter().collect()
                },
            )
        });
        let second = scope.spawn(|| {
            copy_stage(
                b,
                "bench-copy-extract",
                COPY_NORMALIZED,
                n,
                overrides,
                &started,
                |m| {
                    let id = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
                    recorded.extracted.get(&id).cloned().unwrap_or_default()
                },
            )
        });
        let produced =
            first.join().expect("first copy stage") + second.join().expect("second copy stage");
        let began = started
            .lock()
            .expect("start time")
            .unwrap_or_else(Instant::now);
        (produced, began.elapsed())
    })
}

/// One copy stage: consumes `n` records of `from` (group `group`) and produces for each what
/// `outputs` gives, committing each polled batch once its outputs are acknowledged. Returns
/// the messages produced; notes in `started` when the first stage polled its first record.
fn copy_stage(
    b: &str,
    group: &str,
    from: &str,
    n: usize,
    overrides: &[(&str, &str)],
    started: &std::sync::Mutex<Option<Instant>>,
    outputs: impl Fn(&rdkafka::message::OwnedMessage) -> Vec<Out>,
) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", b)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("partition.assignment.strategy", "cooperative-sticky")
        .set("fetch.wait.max.ms", "100")
        .create()
        .expect("copy consumer");
    consumer.subscribe(&[from]).expect("subscribe");
    let producer = kafka::producer(b, overrides);
    let rt = kafka::runtime();
    let (mut consumed, mut produced) = (0usize, 0usize);
    let deadline = Instant::now() + Duration::from_secs(300);
    while consumed < n {
        assert!(
            Instant::now() < deadline,
            "copy of {from} incomplete: {consumed}/{n}"
        );
        // One batch: what arrives within a short poll, up to 100 records.
        let mut batch = Vec::new();
        while batch.len() < 100 {
            let timeout = if batch.is_empty() { 500 } else { 5 };
            match consumer.poll(Duration::from_millis(timeout)) {
                Some(Ok(m)) => batch.push(m.detach()),
                Some(Err(e)) => eprintln!("copy consumer: {e}"),
                None => break,
            }
        }
        if batch.is_empty() {
            continue;
        }
        if from == topics::RAW {
            started
                .lock()
                .expect("start time")
                .get_or_insert_with(Instant::now);
        }
        rt.block_on(async {
            let mut pending = Vec::new();
            for m in &batch {
                for (topic, key, value, headers) in outputs(m) {
                    let headers =
                        headers
                            .iter()
                            .fold(rdkafka::message::OwnedHeaders::new(), |h, (k, v)| {
                                h.insert(rdkafka::message::Header {
                                    key: k,
                                    value: Some(v),
                                })
                            });
                    let mut record = FutureRecord::to(topic)
                        .key(&key)
                        .payload(&value)
                        .headers(headers);
                    loop {
                        match producer.send_result(record) {
                            Ok(f) => {
                                pending.push(f);
                                break;
                            }
                            Err((_, back)) => {
                                record = back;
                                tokio::time::sleep(Duration::from_millis(5)).await;
                            }
                        }
                    }
                }
            }
            produced += pending.len();
            for f in pending {
                f.await.expect("producer alive").expect("copy delivered");
            }
        });
        // Commit the next offset of every partition in the batch, after the acks.
        let mut next: BTreeMap<i32, i64> = BTreeMap::new();
        for m in &batch {
            let e = next.entry(m.partition()).or_insert(0);
            *e = (*e).max(m.offset() + 1);
        }
        let mut tpl = TopicPartitionList::new();
        for (p, o) in next {
            tpl.add_partition_offset(from, p, Offset::Offset(o))
                .expect("tpl");
        }
        consumer.commit(&tpl, CommitMode::Sync).expect("commit");
        consumed += batch.len();
    }
    produced
}
