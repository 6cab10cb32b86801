//! `reportflow demo`: the whole pipeline on one machine, no setup.
//!
//! Starts the embedded broker (librdkafka's mock cluster), creates the topics (3 partitions
//! each), runs a normalizer and an extractor in this process (the same `reportflow_kafka`
//! runtime as the worker binaries, HTTP on 127.0.0.1 with ephemeral ports), publishes the
//! bundled sample reports (the five seed reports, a GBK re-encoding of the first one made at
//! run time, and two inputs that cannot be processed: an empty message and a UTF-16 byte
//! stream of lone surrogates), waits until every good input has its document, sections and
//! indicators and every bad one its dead letter, stops the workers gracefully and prints the
//! headline indicators per report and the message count per topic. A Parquet sink runs beside
//! the workers (the sink binary's own loop, `reportflow_sink_parquet::run_sink`: consumer
//! group, batches, commits after the files are durable) and writes a fresh dataset that then
//! replaces the previous run's under `--parquet-dir` (a new broker puts the same documents at
//! other offsets, so adding them to the old dataset would duplicate its rows).
//!
//! Exits 1 with a message when the pipeline does not finish within `--timeout-secs`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use reportflow_kafka::{Processor, RunSummary, RuntimeConfig, Worker};
use reportflow_proto::{v1, Message as _};
use tokio::sync::oneshot;

use crate::broker;

/// Partitions of every demo topic.
const PARTITIONS: i32 = 3;

/// The bundled seed reports: (file name, bytes).
pub const SEEDS: [(&str, &[u8]); 5] = [
    (
        "000_efee8a99a23e30c8.txt",
        include_bytes!("../../../reportflow-core/test_data/seeds/000_efee8a99a23e30c8.txt"),
    ),
    (
        "001_85ed7cce525b80c5.txt",
        include_bytes!("../../../reportflow-core/test_data/seeds/001_85ed7cce525b80c5.txt"),
    ),
    (
        "002_bdff356f346cc1e3.txt",
        include_bytes!("../../../reportflow-core/test_data/seeds/002_bdff356f346cc1e3.txt"),
    ),
    (
        "003_ceafcb46a5ccc8b5.txt",
        include_bytes!("../../../reportflow-core/test_data/seeds/003_ceafcb46a5ccc8b5.txt"),
    ),
    (
        "004_8de36d65d8a4f08f.txt",
        include_bytes!("../../../reportflow-core/test_data/seeds/004_8de36d65d8a4f08f.txt"),
    ),
];

/// Arguments of `reportflow demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Show the workers' and librdkafka's logs (info level) on stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// Give up when the pipeline has not finished after this many seconds.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub timeout_secs: u64,
    /// Most headline indicators listed per report.
    #[arg(long, default_value_t = 12, value_name = "N")]
    pub max_indicators: usize,
    /// Where the Parquet sink writes the results (documents/, sections/, indicators/); each
    /// run replaces the dataset a previous run left there.
    #[arg(long, default_value = "reportflow-demo-parquet", value_name = "DIR")]
    pub parquet_dir: std::path::PathBuf,
}

/// One demo input.
#[derive(Debug, Clone)]
pub struct DemoInput {
    /// Message key (source id).
    pub key: String,
    /// Message value; `None` for an empty message.
    pub value: Vec<u8>,
    /// `charset` header, if any.
    pub charset: Option<&'static str>,
    /// `content-type` header (`text/plain` when `None`).
    pub content_type: Option<&'static str>,
    /// Whether the pipeline should accept it.
    pub good: bool,
}

/// The first seed as a government-site page in GBK (`reportflow-formats` fixture).
const SEED_HTML: &[u8] =
    include_bytes!("../../../reportflow-formats/test_data/html/000_efee8a99a23e30c8.html");
/// The start of the second seed printed to PDF by Chromium with Noto CJK
/// (`reportflow-formats` fixture; the whole seed is over the embedded broker's 1 MB records).
const SEED_PDF: &[u8] =
    include_bytes!("../../../reportflow-formats/test_data/pdf/excerpt_001_85ed7cce525b80c5.pdf");

/// The demo inputs: the seeds, a GBK copy of the first seed, the first seed as an HTML page,
/// the second as a PDF, and two bad inputs.
pub fn inputs() -> Vec<DemoInput> {
    let mut inputs: Vec<DemoInput> = SEEDS
        .iter()
        .map(|(name, bytes)| DemoInput {
            key: format!("seeds/{name}"),
            value: bytes.to_vec(),
            charset: None,
            content_type: None,
            good: true,
        })
        .collect();
    let first = String::from_utf8_lossy(SEEDS[0].1);
    inputs.push(DemoInput {
        key: format!("seeds-gbk/{}", SEEDS[0].0),
        value: encoding_rs::GBK.encode(&first).0.into_owned(),
        charset: Some("GBK"),
        content_type: None,
        good: true,
    });
    inputs.push(DemoInput {
        key: "pages/000_efee8a99a23e30c8.html".into(),
        value: SEED_HTML.to_vec(),
        charset: None,
        content_type: Some("text/html"),
        good: true,
    });
    inputs.push(DemoInput {
        key: "attachments/excerpt_001_85ed7cce525b80c5.pdf".into(),
        value: SEED_PDF.to_vec(),
        charset: None,
        content_type: Some("application/pdf"),
        good: true,
    });
    inputs.push(DemoInput {
        key: "bad/empty.txt".into(),
        value: Vec::new(),
        charset: None,
        content_type: None,
        good: false,
    });
    // A UTF-16LE BOM, then unpaired high surrogates: half of the characters are malformed.
    let mut broken = vec![0xFF, 0xFE];
    for _ in 0..256 {
        broken.extend_from_slice(&[0x00, 0xD8, 0x41, 0x00]);
    }
    inputs.push(DemoInput {
        key: "bad/lone-surrogates.txt".into(),
        value: broken,
        charset: None,
        content_type: None,
        good: false,
    });
    inputs
}

/// Runs the demo.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let filter = if args.verbose {
        "info,librdkafka=warn"
    } else {
        "warn,librdkafka=error"
    };
    // A subscriber may already be installed (tests); the demo works without logs.
    let _ = reportflow_kafka::init_logging(reportflow_kafka::LogFormat::Text, filter);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(demo(args))
}

fn worker_config(bootstrap: &str, stage: &str, input: &str) -> RuntimeConfig {
    let mut c = RuntimeConfig::new(bootstrap, format!("demo-{stage}"), vec![input.to_string()]);
    c.http_addr = "127.0.0.1:0".parse().expect("valid address");
    c.worker_name = format!("demo-{stage}");
    c.commit_interval = Duration::from_millis(200);
    c.shutdown_timeout = Duration::from_secs(10);
    c.stats_interval = Duration::from_secs(1);
    c.processing_threads = 2;
    c.max_in_flight = 8;
    c.kafka_consumer = BTreeMap::from([
        ("session.timeout.ms".to_string(), "6000".to_string()),
        ("heartbeat.interval.ms".to_string(), "500".to_string()),
        ("fetch.wait.max.ms".to_string(), "50".to_string()),
    ]);
    c.kafka_producer = BTreeMap::from([("linger.ms".to_string(), "5".to_string())]);
    c
}

struct Running {
    name: &'static str,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<RunSummary, reportflow_kafka::Error>>,
}

async fn start(
    name: &'static str,
    config: RuntimeConfig,
    processor: Arc<dyn Processor>,
) -> anyhow::Result<Running> {
    let worker = Worker::start(config, processor)
        .await
        .with_context(|| format!("starting the {name}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(async move {
        let _ = stopped.await;
    }));
    Ok(Running { name, stop, task })
}

async fn stop(worker: Running) -> anyhow::Result<RunSummary> {
    let _ = worker.stop.send(());
    let summary = tokio::time::timeout(Duration::from_secs(20), worker.task)
        .await
        .with_context(|| format!("the {} did not stop within 20 s", worker.name))?
        .with_context(|| format!("the {} task failed", worker.name))?
        .with_context(|| format!("the {} failed", worker.name))?;
    Ok(summary)
}

/// Everything read back from the output topics.
#[derive(Debug, Default)]
struct Collected {
    counts: BTreeMap<String, usize>,
    documents: Vec<v1::ReportDocument>,
    indicators: BTreeMap<String, Vec<v1::Indicator>>,
    sections: BTreeMap<String, usize>,
    dead_letters: Vec<(String, String)>,
}

impl Collected {
    fn complete(&self, good: usize, bad: usize) -> bool {
        self.documents.len() >= good
            && self.dead_letters.len() >= bad
            && self.documents.iter().all(|d| {
                self.indicators.get(&d.doc_id).map_or(0, Vec::len) >= d.indicator_count as usize
                    && self.sections.get(&d.doc_id).copied().unwrap_or(0)
                        >= d.section_count as usize
            })
    }

    fn add(&mut self, topic: &str, key: Option<&[u8]>, value: &[u8], dlq_kind: Option<String>) {
        *self.counts.entry(topic.to_string()).or_default() += 1;
        let doc = || String::from_utf8_lossy(key.unwrap_or_default()).into_owned();
        match topic {
            broker::DOCUMENTS => {
                if let Ok(d) = v1::ReportDocument::decode(value) {
                    self.documents.push(d);
                }
            }
            broker::INDICATORS => {
                if let Ok(i) = v1::Indicator::decode(value) {
                    self.indicators.entry(i.doc_id.clone()).or_default().push(i);
                }
            }
            broker::SECTIONS => *self.sections.entry(doc()).or_default() += 1,
            broker::DLQ => self
                .dead_letters
                .push((doc(), dlq_kind.unwrap_or_else(|| "?".into()))),
            _ => {}
        }
    }
}

fn reader(bootstrap: &str) -> anyhow::Result<BaseConsumer> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "demo-reader")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .set("fetch.wait.max.ms", "50")
        .create()
        .context("creating the reader")?;
    let mut tpl = TopicPartitionList::new();
    for topic in broker::TOPICS {
        for p in 0..PARTITIONS {
            tpl.add_partition_offset(topic, p, Offset::Beginning)?;
        }
    }
    consumer.assign(&tpl)?;
    Ok(consumer)
}

async fn publish(bootstrap: &str, inputs: &[DemoInput]) -> anyhow::Result<()> {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .create()
        .context("creating the producer")?;
    // The embedded broker deletes what goes past its per-partition limit: refuse first.
    let sizes: Vec<u64> = inputs
        .iter()
        .map(|i| (i.key.len() + i.value.len()) as u64)
        .collect();
    broker::check_fits(&sizes, PARTITIONS)?;
    for input in inputs {
        let name = input.key.rsplit('/').next().unwrap_or(&input.key);
        let mut headers = OwnedHeaders::new()
            .insert(Header {
                key: "source-name",
                value: Some(name),
            })
            .insert(Header {
                key: "content-type",
                value: Some(input.content_type.unwrap_or("text/plain")),
            });
        if let Some(charset) = input.charset {
            headers = headers.insert(Header {
                key: "charset",
                value: Some(charset),
            });
        }
        producer
            .send(
                FutureRecord::to(broker::RAW)
                    .key(&input.key)
                    .payload(&input.value)
                    .headers(headers),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(err, _)| err)
            .with_context(|| format!("publishing {}", input.key))?;
    }
    Ok(())
}

async fn demo(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cluster = broker::start(1, PARTITIONS)?;
    let bootstrap = cluster.bootstrap_servers();
    eprintln!(
        "embedded broker on {bootstrap}; topics: {}",
        broker::TOPICS.join(", ")
    );

    let normalizer = start(
        "normalizer",
        worker_config(&bootstrap, "normalizer", broker::RAW),
        Arc::new(reportflow_normalizer::NormalizerProcessor::new(
            broker::NORMALIZED,
        )),
    )
    .await?;
    let extractor = start(
        "extractor",
        worker_config(&bootstrap, "extractor", broker::NORMALIZED),
        Arc::new(reportflow_extractor::ExtractorProcessor::new(
            reportflow_extractor::OutputTopics::default(),
        )),
    )
    .await?;

    let staging = staging_dir(&args.parquet_dir)?;
    let sink = start_sink(&bootstrap, &staging)?;

    let inputs = inputs();
    let good = inputs.iter().filter(|i| i.good).count();
    let bad = inputs.len() - good;
    publish(&bootstrap, &inputs).await?;
    eprintln!(
        "published {} reports to {} ({good} good, {bad} bad); waiting for the workers…",
        inputs.len(),
        broker::RAW
    );

    // Read every topic back until the pipeline is complete (or the deadline passes).
    let deadline = Duration::from_secs(args.timeout_secs);
    let bootstrap_reader = bootstrap.clone();
    let collected = tokio::task::spawn_blocking(move || -> anyhow::Result<(Collected, bool)> {
        let consumer = reader(&bootstrap_reader)?;
        let mut collected = Collected::default();
        let mut done_at: Option<Instant> = None;
        loop {
            if done_at.is_none() && collected.complete(good, bad) {
                done_at = Some(Instant::now());
            }
            // After completion, keep reading briefly to count stragglers.
            if done_at.is_some_and(|t| t.elapsed() > Duration::from_millis(300)) {
                return Ok((collected, true));
            }
            if started.elapsed() > deadline {
                return Ok((collected, false));
            }
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(50)) {
                let kind = m.headers().and_then(|hs| {
                    use rdkafka::message::Headers as _;
                    hs.iter()
                        .find(|h| h.key == reportflow_kafka::dlq::HEADER_ERROR_KIND)
                        .map(|h| String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned())
                });
                collected.add(m.topic(), m.key(), m.payload().unwrap_or_default(), kind);
            }
        }
    })
    .await??;
    let (collected, finished) = collected;

    let n = stop(normalizer).await?;
    let x = stop(extractor).await?;
    // The sink has stored everything once its group's committed offsets reach the end of
    // every output topic.
    let sink_caught_up = finished && wait_for_sink(&bootstrap, started, deadline).await;
    let written = stop_sink(sink).await?;
    drop(cluster);

    if !finished {
        anyhow::bail!(
            "the pipeline did not finish within {} s: {} of {good} documents and {} of {bad} \
             dead letters arrived (rerun with --verbose to see the workers' logs)",
            args.timeout_secs,
            collected.documents.len(),
            collected.dead_letters.len()
        );
    }
    anyhow::ensure!(
        sink_caught_up,
        "the Parquet sink did not store every output within {} s",
        args.timeout_secs
    );
    print!("{}", report(&collected, &inputs, args.max_indicators));
    let replaced = swap_in(&staging, &args.parquet_dir)
        .with_context(|| format!("moving the dataset to {}", args.parquet_dir.display()))?;
    println!(
        "parquet: {} files ({} records, {} dead-lettered) written by the Parquet sink under {}, {}",
        parquet_files(&args.parquet_dir),
        written.records_written,
        written.dead_lettered,
        args.parquet_dir.display(),
        if replaced {
            "replacing the previous demo's dataset (each run writes a fresh one)"
        } else {
            "a fresh dataset"
        }
    );
    println!(
        "workers: normalizer {} in / {} out / {} dead letters; extractor {} in / {} out / {} dead letters",
        n.messages_in, n.messages_out, n.dead_lettered, x.messages_in, x.messages_out, x.dead_lettered
    );
    println!(
        "done in {:.1} s: {good} reports extracted, {} dead letters for {bad} bad inputs",
        started.elapsed().as_secs_f64(),
        collected.dead_letters.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Consumer group of the demo's Parquet sink.
const SINK_GROUP: &str = "demo-sink-parquet";

/// Where the sink writes this run's dataset: a fresh directory beside `dir`. Refuses a `dir`
/// that holds anything but a sink's dataset (the demo replaces it on every run).
fn staging_dir(dir: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let name = dir
        .file_name()
        .with_context(|| format!("{} has no directory name", dir.display()))?
        .to_string_lossy()
        .into_owned();
    if dir.exists() && !reportflow_sink_parquet::layout::is_dataset_dir(dir)? {
        anyhow::bail!(
            "{} holds other files than a Parquet dataset; the demo replaces its dataset on \
             every run, so choose another --parquet-dir",
            dir.display()
        );
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    Ok(staging)
}

/// A running sink task.
struct RunningSink {
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<
        Result<reportflow_kafka::SinkSummary, reportflow_sink_parquet::Error>,
    >,
}

/// Starts the Parquet sink's loop on the output topics, writing to `dir`.
fn start_sink(bootstrap: &str, dir: &std::path::Path) -> anyhow::Result<RunningSink> {
    let topics = reportflow_sink_parquet::Topics::default();
    let mut runtime = worker_config(bootstrap, "sink-parquet", broker::DOCUMENTS);
    runtime.group_id = SINK_GROUP.to_string();
    runtime.input_topics = vec![
        broker::DOCUMENTS.to_string(),
        broker::SECTIONS.to_string(),
        broker::INDICATORS.to_string(),
    ];
    let sink = reportflow_kafka::SinkConfig {
        batch_max: Duration::from_millis(200),
        ..reportflow_kafka::SinkConfig::default()
    };
    let loaded = reportflow_sink_parquet::Loaded {
        runtime,
        sink,
        own: reportflow_sink_parquet::ParquetSettings {
            dir: dir.to_path_buf(),
            topics,
            offsets_per_file: reportflow_sink_parquet::DEFAULT_OFFSETS_PER_FILE,
        },
        unrecognized_env: Vec::new(),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(reportflow_sink_parquet::run_sink(loaded, async move {
        let _ = stopped.await;
    }));
    Ok(RunningSink { stop, task })
}

/// Waits until the sink's group has committed the end of every output topic.
async fn wait_for_sink(bootstrap: &str, started: Instant, deadline: Duration) -> bool {
    let bootstrap = bootstrap.to_string();
    tokio::task::spawn_blocking(move || {
        let Ok(consumer) = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", SINK_GROUP)
            .set("enable.auto.commit", "false")
            .create_with_context(super::client::ErrorContext::default())
        else {
            return false;
        };
        let topics = [broker::DOCUMENTS, broker::SECTIONS, broker::INDICATORS].map(String::from);
        while started.elapsed() < deadline {
            let lags = super::lag::measure(&consumer, &topics, Duration::from_secs(5));
            if lags.is_ok_and(|l| l.iter().all(|p| p.lag() == 0)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    })
    .await
    .unwrap_or(false)
}

async fn stop_sink(sink: RunningSink) -> anyhow::Result<reportflow_kafka::SinkSummary> {
    let _ = sink.stop.send(());
    tokio::time::timeout(Duration::from_secs(20), sink.task)
        .await
        .context("the Parquet sink did not stop within 20 s")?
        .context("the Parquet sink task failed")?
        .context("the Parquet sink failed")
}

/// Moves the sink's fresh dataset at `staging` to `dir`, replacing the one a previous demo
/// left there (whether it did is returned).
fn swap_in(staging: &std::path::Path, dir: &std::path::Path) -> anyhow::Result<bool> {
    let exists = dir.exists();
    if exists {
        let old = staging.with_extension("old");
        std::fs::rename(dir, &old)?;
        std::fs::rename(staging, dir)?;
        std::fs::remove_dir_all(&old)?;
    } else {
        std::fs::rename(staging, dir)?;
    }
    Ok(exists)
}

/// Parquet files under `dir`, recursively.
fn parquet_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| e.path())
        .map(|p| {
            if p.is_dir() {
                parquet_files(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "parquet"))
            }
        })
        .sum()
}

/// Terminal width of a string: CJK and full-width characters count two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

/// `s` cut to `max` columns (with `…`) and padded to `max` columns.
fn cell(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut w = 0;
    let total = width(s);
    for c in s.chars() {
        let cw = width(c.encode_utf8(&mut [0; 4]));
        if total > max && w + cw > max.saturating_sub(1) {
            out.push('…');
            w += 1;
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push_str(&" ".repeat(max.saturating_sub(w)));
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The printed report: one table of headline indicators per document, then topic counts.
fn report(c: &Collected, inputs: &[DemoInput], max_indicators: usize) -> String {
    let mut s = String::new();
    let order: BTreeMap<&str, usize> = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| (input.key.as_str(), i))
        .collect();
    let mut docs: Vec<&v1::ReportDocument> = c.documents.iter().collect();
    let key_of =
        |d: &v1::ReportDocument| d.source.as_ref().map(|s| s.key.clone()).unwrap_or_default();
    docs.sort_by_key(|d| {
        (
            order.get(key_of(d).as_str()).copied().unwrap_or(usize::MAX),
            d.doc_id.clone(),
        )
    });
    docs.dedup_by(|a, b| a.doc_id == b.doc_id);
    for (n, d) in docs.iter().enumerate() {
        let m = d.metadata.clone().unwrap_or_default();
        let kind = v1::ReportKind::try_from(m.kind)
            .unwrap_or(v1::ReportKind::Unspecified)
            .short_name();
        let _ = writeln!(
            s,
            "\n[{}] {}\n    region: {}   kind: {kind}   source: {}   doc: {}…\n    {} sections, {} indicators",
            n + 1,
            m.title.as_deref().unwrap_or("(untitled)"),
            m.region.as_deref().unwrap_or("-"),
            key_of(d),
            &d.doc_id[..d.doc_id.len().min(12)],
            d.section_count,
            d.indicator_count,
        );
        let empty = Vec::new();
        let coded: Vec<&v1::Indicator> = c
            .indicators
            .get(&d.doc_id)
            .unwrap_or(&empty)
            .iter()
            .filter(|i| !i.code.is_empty())
            .collect();
        let mut coded = coded;
        coded.sort_by_key(|i| i.ordinal);
        if coded.is_empty() {
            let _ = writeln!(s, "    (no headline indicators)");
            continue;
        }
        let _ = writeln!(
            s,
            "    {} {} {} {} {} yoy",
            cell("code", 26),
            cell("metric", 24),
            cell("kind", 8),
            cell("period", 12),
            cell("value", 18),
        );
        for i in coded.iter().take(max_indicators) {
            let kind = v1::IndicatorKind::try_from(i.kind)
                .unwrap_or(v1::IndicatorKind::Unspecified)
                .short_name();
            let value = i
                .value
                .map(|v| format!("{} {}", number(v), i.unit))
                .unwrap_or_else(|| "-".into());
            let yoy = i
                .yoy_pct
                .map(|y| format!("{y:+}%"))
                .unwrap_or_else(|| "-".into());
            let _ = writeln!(
                s,
                "    {} {} {} {} {} {}",
                cell(&i.code, 26),
                cell(&i.metric, 24),
                cell(kind, 8),
                cell(&i.period, 12),
                cell(value.trim(), 18),
                yoy
            );
        }
        if coded.len() > max_indicators {
            let _ = writeln!(
                s,
                "    … {} more headline indicators",
                coded.len() - max_indicators
            );
        }
    }
    if !c.dead_letters.is_empty() {
        let _ = writeln!(s, "\ndead letters:");
        for (key, kind) in &c.dead_letters {
            let _ = writeln!(s, "    {} {kind}", cell(key, 30));
        }
    }
    let _ = writeln!(s, "\nmessages per topic:");
    for topic in broker::TOPICS {
        let _ = writeln!(
            s,
            "    {} {:>6}",
            cell(topic, 22),
            c.counts.get(topic).copied().unwrap_or(0)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_and_padded_by_columns() {
        assert_eq!(width("GDP增长"), 7);
        assert_eq!(cell("ab", 4), "ab  ");
        assert_eq!(width(&cell("地区生产总值增长速度", 8)), 8);
        assert_eq!(number(5.0), "5");
        assert_eq!(number(5.25), "5.25");
    }

    #[test]
    fn inputs_are_the_seeds_a_gbk_copy_a_page_a_pdf_and_two_bad_ones() {
        let inputs = inputs();
        assert_eq!(inputs.len(), 10);
        assert_eq!(inputs.iter().filter(|i| !i.good).count(), 2);
        let extractor = reportflow_core::Extractor::default();
        for input in &inputs {
            let mut source = reportflow_proto::v1::Source::with_key(input.key.clone());
            if let Some(ct) = input.content_type {
                source = source.header("content-type", ct);
            }
            let ok = reportflow_proto::convert::normalize_raw(
                &extractor,
                &input.value,
                source,
                input.charset,
            )
            .is_ok();
            assert_eq!(ok, input.good, "{}", input.key);
        }
    }
}
