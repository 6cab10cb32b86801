//! `reportflow dlq redrive`: re-publishes dead letters after a fix.
//!
//! Reads the dead-letter topic from the beginning up to its end offsets captured at start (so
//! letters that fail again are not redriven twice in one run), keeps those matching `--kind`
//! and `--stage`, and publishes each with its original key, value and headers (without the
//! `reportflow.*` ones) to its source topic (header `reportflow.source.topic`) or `--to`.
//! Prints a summary; the dead-letter topic itself is left unchanged.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::consumer::Consumer;
use rdkafka::message::{Header, Headers, OwnedHeaders};
use rdkafka::producer::FutureRecord;
use rdkafka::{Message, Offset};

use reportflow_kafka::dlq::{
    HEADER_ERROR_KIND, HEADER_ERROR_STAGE, HEADER_PREFIX, HEADER_SOURCE_TOPIC,
};

use super::client::ConnectArgs;
use super::tail::{assigned_consumer, headers_of};

/// Arguments of `reportflow dlq`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: DlqCommand,
}

/// Dead-letter operations.
#[derive(Debug, clap::Subcommand)]
pub enum DlqCommand {
    /// Re-publish dead letters to their source topic (or --to).
    Redrive(RedriveArgs),
}

/// Arguments of `reportflow dlq redrive`.
#[derive(Debug, clap::Args)]
pub struct RedriveArgs {
    /// Brokers, `--config`, `--connect-timeout-secs`.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The dead-letter topic.
    #[arg(long, default_value = reportflow_kafka::config::DEFAULT_DLQ_TOPIC)]
    pub dlq_topic: String,
    /// Only letters of this error kind (header reportflow.error.kind), e.g. `undecodable`.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only letters of this stage (header reportflow.error.stage), e.g. `normalize`.
    #[arg(long)]
    pub stage: Option<String>,
    /// Publish to this topic instead of each letter's source topic.
    #[arg(long, value_name = "TOPIC")]
    pub to: Option<String>,
}

/// Runs a dead-letter operation.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        DlqCommand::Redrive(a) => redrive(a),
    }
}

fn redrive(args: &RedriveArgs) -> anyhow::Result<ExitCode> {
    let conn = args.connect.resolve()?;
    let (consumer, partitions) = assigned_consumer(&conn, &args.dlq_topic, Offset::Beginning)?;
    // End offsets at start: stop there.
    let mut remaining: BTreeMap<i32, i64> = BTreeMap::new();
    for p in &partitions {
        let (low, high) = consumer
            .fetch_watermarks(&args.dlq_topic, *p, Duration::from_secs(10))
            .with_context(|| format!("reading the end offset of {}/{p}", args.dlq_topic))?;
        if high > low {
            remaining.insert(*p, high);
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let producer = super::publish::producer(&conn)?;
    let started = Instant::now();
    let (mut redriven, mut skipped, mut failed) = (0u64, 0u64, 0u64);
    let mut by_topic: BTreeMap<String, u64> = BTreeMap::new();
    let mut idle = Instant::now();
    while !remaining.is_empty() {
        anyhow::ensure!(
            idle.elapsed() < Duration::from_secs(30),
            "no dead letter arrived for 30 s before the end offsets {remaining:?} were reached"
        );
        let Some(result) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let m = result.context("reading the dead-letter topic")?;
        idle = Instant::now();
        let (partition, offset) = (m.partition(), m.offset());
        match remaining.get(&partition) {
            Some(end) if offset < *end => {}
            _ => continue,
        }
        if remaining
            .get(&partition)
            .is_some_and(|end| offset + 1 >= *end)
        {
            remaining.remove(&partition);
        }
        let headers = headers_of(&m);
        let header = |name: &str| {
            headers
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let matches = args
            .kind
            .as_deref()
            .is_none_or(|k| header(HEADER_ERROR_KIND) == Some(k))
            && args
                .stage
                .as_deref()
                .is_none_or(|s| header(HEADER_ERROR_STAGE) == Some(s));
        if !matches {
            skipped += 1;
            continue;
        }
        let Some(target) = args
            .to
            .clone()
            .or_else(|| header(HEADER_SOURCE_TOPIC).map(str::to_string))
        else {
            eprintln!(
                "error: {}/{partition}@{offset}: no reportflow.source.topic header and no --to",
                args.dlq_topic
            );
            failed += 1;
            continue;
        };
        // Original headers, raw bytes, without the runtime's own.
        let mut out_headers = OwnedHeaders::new();
        if let Some(hs) = m.headers() {
            for h in hs.iter().filter(|h| !h.key.starts_with(HEADER_PREFIX)) {
                out_headers = out_headers.insert(Header {
                    key: h.key,
                    value: h.value,
                });
            }
        }
        let mut record = FutureRecord::to(&target).headers(out_headers);
        if let Some(key) = m.key() {
            record = record.key(key);
        }
        if let Some(value) = m.payload() {
            record = record.payload(value);
        }
        match runtime.block_on(producer.send(record, Duration::from_secs(30))) {
            Ok(_) => {
                redriven += 1;
                *by_topic.entry(target).or_default() += 1;
            }
            Err((err, _)) => {
                eprintln!("error: {}/{partition}@{offset}: {err}", args.dlq_topic);
                failed += 1;
            }
        }
    }
    let targets = by_topic
        .iter()
        .map(|(t, n)| format!("{n} to {t}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "redrove {redriven} dead letters from {}{}{}; {skipped} did not match; {failed} failed ({:.1} s)",
        args.dlq_topic,
        if targets.is_empty() { "" } else { ": " },
        targets,
        started.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
