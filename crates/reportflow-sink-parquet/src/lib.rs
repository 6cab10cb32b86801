//! The Parquet sink: writes `reports.documents`, `reports.sections` and
//! `reports.indicators` as three Parquet datasets (arrow-rs, Snappy-compressed) that DuckDB,
//! Spark, Trino or a warehouse loader read directly, without duplicate rows.
//!
//! # Layout
//!
//! ```text
//! DIR/documents/year=<year>/part-<topic>-<partition>-<start>-<end>.parquet
//! DIR/sections/part-<topic>-<partition>-<start>-<end>.parquet
//! DIR/indicators/year=<year>/part-<topic>-<partition>-<start>-<end>.parquet
//! DIR/_reportflow_parquet.toml      the dataset's offsets_per_file
//! DIR/_state/<topic>-<partition>.state   the records of each partition's open range
//! ```
//!
//! - `year=` is a Hive-style partition: for documents the year of the report date (else its
//!   first year), for indicators the first year of the period (`2023H1` → `2023`);
//!   `year=unknown` when there is none. Sections carry no year and are not partitioned.
//! - **Deterministic file boundaries** (as Kafka Connect's S3 sink for exactly-once): a file
//!   holds the records of one offset range `[start, end]` of one source partition, with
//!   `start` a multiple of `offsets_per_file` (default 10000) and
//!   `end = start + offsets_per_file - 1`, in one year directory. The name is derived from
//!   the range only, and the rows (unique by key, the last offset winning, in key order) from
//!   the records in it, so batching and timing never change what a file holds: a replay or
//!   a rerun over the same topic writes byte for byte the same names and contents.
//! - **Provisional files**: a batch that ends inside a range still has to be durable before
//!   its offsets are committed, so the range's files are written with the records so far,
//!   under their final name. Each later batch that adds records to the range writes them
//!   again, whole, and renames them over the previous version; the first record past `end`
//!   completes the range. A reader therefore sees, per range and year, one file: complete, or
//!   a prefix of the range's records, never two versions side by side.
//! - Files appear atomically: written as `….parquet.tmp`, fsynced, renamed over the previous
//!   version, then the directory is fsynced. Readers must ignore `*.tmp` (the glob
//!   `*.parquet` does).
//! - **State**: `DIR/_state/` keeps, per source partition, the first offset of its open range
//!   (everything below is in complete files) and the raw records of that range, written
//!   (atomically) after the range's files and before the batch's offsets are committed.
//!   After a restart the open range is rebuilt from it plus the redelivered records; records
//!   below it are replays of complete files and change nothing.
//! - `DIR/_reportflow_parquet.toml` records `offsets_per_file`: the sink refuses a directory
//!   cut at another size, or one holding files of an older sink (cut by batch) without it.
//!
//! Columns mirror the PostgreSQL sink's tables: every message field is a typed column (enums as
//! their short lowercase names, `report_date` as `DATE`, `years` as `LIST<INT32>`,
//! `other_growth` as two columns), plus `kafka_partition` and `kafka_offset`.
//!
//! [`ParquetSink::write_batch`] also works without Kafka (the demo writes its results with it),
//! and [`check`] reads a dataset back and counts rows against distinct keys.
#![warn(missing_docs, missing_debug_implementations)]

mod check;
mod columns;
pub mod layout;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use reportflow_kafka::sink::{RawSinkConfig, STAGE_SINK};
use reportflow_kafka::{
    ConfigError, Env, InputRecord, Reject, Sink, SinkArgs, SinkError, SinkSetup, SinkSummary,
};
use reportflow_proto::v1;
use reportflow_proto::Message as _;

pub use crate::check::{check, CheckReport, DatasetReport};
pub use crate::columns::{documents_schema, indicators_schema, sections_schema};

/// Default consumer group of the sink.
pub const DEFAULT_GROUP_ID: &str = "reportflow-sink-parquet";
/// Default most records per batch for this sink.
pub const DEFAULT_BATCH_MAX_RECORDS: usize = 100_000;
/// Default longest time a batch stays open for this sink, in milliseconds.
pub const DEFAULT_BATCH_MAX_MS: u64 = 30_000;
/// Default number of Kafka offsets of one partition a file covers.
pub const DEFAULT_OFFSETS_PER_FILE: u64 = 10_000;

/// The topics the sink reads, by message type.
pub use reportflow_proto::topics::DatasetTopics as Topics;

/// Where a row came from.
pub use reportflow_kafka::sink::Origin;

/// The Parquet [`Sink`].
#[derive(Debug, Clone)]
pub struct ParquetSink {
    dir: PathBuf,
    topics: Topics,
    offsets_per_file: u64,
}

/// What [`ParquetSink::write_batch`] did: the rejects (by index) and the files written.
pub type Written = (Vec<(usize, Reject)>, Vec<PathBuf>);

/// The three datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dataset {
    Documents,
    Sections,
    Indicators,
}

/// A decoded, valid message.
enum Row {
    Document(v1::ReportDocument),
    Section(v1::Section),
    Indicator(v1::Indicator),
}

impl Dataset {
    /// Decodes a value of this dataset's topic and checks its ids.
    fn decode(self, value: &[u8]) -> Result<Row, Reject> {
        let bad = |what: &str, e: prost::DecodeError| {
            Reject::new(
                STAGE_SINK,
                "undecodable",
                format!("not a reportflow.v1.{what}: {e}"),
            )
        };
        let invalid = |m: &str| Reject::new(STAGE_SINK, "invalid", m);
        match self {
            Dataset::Documents => match v1::ReportDocument::decode(value) {
                Ok(d) if !d.doc_id.is_empty() => Ok(Row::Document(d)),
                Ok(_) => Err(invalid("empty doc_id")),
                Err(e) => Err(bad("ReportDocument", e)),
            },
            Dataset::Sections => match v1::Section::decode(value) {
                Ok(s) if !s.doc_id.is_empty() => Ok(Row::Section(s)),
                Ok(_) => Err(invalid("empty doc_id")),
                Err(e) => Err(bad("Section", e)),
            },
            Dataset::Indicators => match v1::Indicator::decode(value) {
                Ok(x) if !x.indicator_id.is_empty() && !x.doc_id.is_empty() => {
                    Ok(Row::Indicator(x))
                }
                Ok(_) => Err(invalid("empty indicator_id or doc_id")),
                Err(e) => Err(bad("Indicator", e)),
            },
        }
    }
}

/// Rows of one offset range, unique by key (the last offset wins), by directory below the root.
#[derive(Default)]
struct RangeRows {
    documents: BTreeMap<String, (v1::ReportDocument, Origin)>,
    sections: BTreeMap<(String, u32), (v1::Section, Origin)>,
    indicators: BTreeMap<String, (v1::Indicator, Origin)>,
}

impl RangeRows {
    fn add(&mut self, row: Row, origin: Origin) {
        match row {
            Row::Document(d) => {
                self.documents.insert(d.doc_id.clone(), (d, origin));
            }
            Row::Section(s) => {
                self.sections
                    .insert((s.doc_id.clone(), s.section_id), (s, origin));
            }
            Row::Indicator(x) => {
                self.indicators.insert(x.indicator_id.clone(), (x, origin));
            }
        }
    }

    /// One Arrow batch per directory (relative to the root), rows in key order.
    fn batches(self) -> Result<BTreeMap<String, RecordBatch>, std::io::Error> {
        fn split<K, T>(
            rows: BTreeMap<K, (T, Origin)>,
            dir: impl Fn(&T) -> String,
        ) -> BTreeMap<String, Vec<(T, Origin)>> {
            let mut out: BTreeMap<String, Vec<(T, Origin)>> = BTreeMap::new();
            for (_, (row, origin)) in rows {
                out.entry(dir(&row)).or_default().push((row, origin));
            }
            out
        }
        let mut out = BTreeMap::new();
        for (dir, rows) in split(self.documents, |d| {
            format!("documents/year={}", document_year(d))
        }) {
            out.insert(dir, columns::documents_batch(&rows).map_err(encode_err)?);
        }
        for (dir, rows) in split(self.sections, |_| "sections".to_string()) {
            out.insert(dir, columns::sections_batch(&rows).map_err(encode_err)?);
        }
        for (dir, rows) in split(self.indicators, |x| {
            format!("indicators/year={}", period_year(&x.period))
        }) {
            out.insert(dir, columns::indicators_batch(&rows).map_err(encode_err)?);
        }
        Ok(out)
    }
}

impl ParquetSink {
    /// A sink writing below `dir` (created when missing), with files of
    /// [`DEFAULT_OFFSETS_PER_FILE`] offsets.
    pub fn new(dir: impl Into<PathBuf>, topics: Topics) -> Self {
        ParquetSink {
            dir: dir.into(),
            topics,
            offsets_per_file: DEFAULT_OFFSETS_PER_FILE,
        }
    }

    /// The same sink with files of `n` offsets (at least 1). A dataset keeps the size it was
    /// started with (its marker file); writing with another one fails.
    pub fn with_offsets_per_file(mut self, n: u64) -> Self {
        self.offsets_per_file = n.max(1);
        self
    }

    /// The root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many offsets of a partition one file covers.
    pub fn offsets_per_file(&self) -> u64 {
        self.offsets_per_file
    }

    /// Creates the root directory and checks (or, for a new dataset, writes) its marker.
    /// Fails with [`std::io::ErrorKind::InvalidInput`] when the dataset was cut at another
    /// offset range size, or holds files of an older sink (cut by batch) without a marker.
    pub fn prepare(&self) -> Result<(), std::io::Error> {
        std::fs::create_dir_all(&self.dir)?;
        match layout::read_marker(&self.dir)? {
            Some(n) if n == self.offsets_per_file => Ok(()),
            Some(n) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} holds files of {n} offsets each (offsets_per_file = {n} in {}), not {}: \
                     use the same offsets_per_file or a new directory",
                    self.dir.display(),
                    layout::MARKER,
                    self.offsets_per_file
                ),
            )),
            None if layout::has_parquet_files(&self.dir) => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} holds Parquet files but no {}: an older reportflow-sink-parquet cut \
                     them by batch, and files cut by offset range would overlap them; write to \
                     a new directory",
                    self.dir.display(),
                    layout::MARKER
                ),
            )),
            None => layout::write_marker(&self.dir, self.offsets_per_file),
        }
    }

    fn dataset_of(&self, topic: &str) -> Option<Dataset> {
        if topic == self.topics.documents {
            Some(Dataset::Documents)
        } else if topic == self.topics.sections {
            Some(Dataset::Sections)
        } else if topic == self.topics.indicators {
            Some(Dataset::Indicators)
        } else {
            None
        }
    }

    /// Decodes `batch` and writes the files of every offset range it touches, durably; returns
    /// the rejects and the paths written. Records below a partition's complete ranges (a
    /// replay) change nothing.
    pub fn write_batch(&self, batch: &[InputRecord]) -> Result<Written, std::io::Error> {
        self.prepare()?;
        let mut rejects = Vec::new();
        let mut fresh: BTreeMap<(Dataset, String, i32), BTreeMap<i64, Vec<u8>>> = BTreeMap::new();
        for (i, r) in batch.iter().enumerate() {
            let Some(dataset) = self.dataset_of(&r.topic) else {
                rejects.push((
                    i,
                    Reject::new(
                        STAGE_SINK,
                        "unknown_topic",
                        format!("no dataset for topic `{}`", r.topic),
                    ),
                ));
                continue;
            };
            let Some(value) = r.value.as_deref() else {
                rejects.push((
                    i,
                    Reject::new(STAGE_SINK, "tombstone", "the record has no value"),
                ));
                continue;
            };
            match dataset.decode(value) {
                Ok(_) => {
                    fresh
                        .entry((dataset, r.topic.clone(), r.partition))
                        .or_default()
                        .insert(r.offset, value.to_vec());
                }
                Err(reject) => rejects.push((i, reject)),
            }
        }
        let mut written = Vec::new();
        for ((dataset, topic, partition), records) in fresh {
            written.extend(self.write_partition(dataset, &topic, partition, records)?);
        }
        Ok((rejects, written))
    }

    /// Merges `records` into the partition's open range, writes every range they touch (the
    /// ranges before the last one are complete, the last one is provisional), then the
    /// partition's state.
    fn write_partition(
        &self,
        dataset: Dataset,
        topic: &str,
        partition: i32,
        records: BTreeMap<i64, Vec<u8>>,
    ) -> Result<Vec<PathBuf>, std::io::Error> {
        let state_path = layout::state_path(&self.dir, topic, partition);
        let mut state = layout::read_state(&state_path)?.unwrap_or_default();
        let mut changed = false;
        for (offset, value) in records {
            if offset >= state.complete_below && state.records.get(&offset) != Some(&value) {
                state.records.insert(offset, value);
                changed = true;
            }
        }
        if !changed {
            // A replay of what the files already hold.
            return Ok(Vec::new());
        }
        let mut ranges: BTreeMap<(i64, i64), BTreeMap<i64, Vec<u8>>> = BTreeMap::new();
        for (offset, value) in std::mem::take(&mut state.records) {
            ranges
                .entry(layout::range_of(offset, self.offsets_per_file))
                .or_default()
                .insert(offset, value);
        }
        let mut written = Vec::new();
        for (&range, records) in &ranges {
            written.extend(self.write_range(dataset, topic, partition, range, records)?);
        }
        let (&last, _) = ranges.last_key_value().expect("at least one record");
        state.complete_below = last.0;
        state.records = ranges.remove(&last).unwrap_or_default();
        layout::write_state(&state_path, &state)?;
        Ok(written)
    }

    /// Writes the files of one offset range (one per year directory), replacing earlier
    /// versions of them, and removes versions left in year directories it no longer has rows
    /// for.
    fn write_range(
        &self,
        dataset: Dataset,
        topic: &str,
        partition: i32,
        (start, end): (i64, i64),
        records: &BTreeMap<i64, Vec<u8>>,
    ) -> Result<Vec<PathBuf>, std::io::Error> {
        let mut rows = RangeRows::default();
        for (&offset, value) in records {
            let row = dataset.decode(value).map_err(|r| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "a stored record of {topic}/{partition}@{offset}: {}",
                        r.message
                    ),
                )
            })?;
            rows.add(row, Origin { partition, offset });
        }
        let name = layout::file_name(topic, partition, start, end);
        let tmp = format!("{name}.tmp");
        let batches = rows.batches()?;
        let mut written = Vec::new();
        for (sub, batch) in &batches {
            let dir = self.dir.join(sub);
            std::fs::create_dir_all(&dir)?;
            written.push(layout::write_atomic(&dir, &name, &tmp, |file| {
                write_parquet(file, batch)
            })?);
            layout::sync_dir(&dir)?;
        }
        if dataset != Dataset::Sections {
            let root = self.dir.join(match dataset {
                Dataset::Documents => "documents",
                _ => "indicators",
            });
            for entry in std::fs::read_dir(&root)?.flatten() {
                let sub = entry.path();
                let rel = sub
                    .strip_prefix(&self.dir)
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                if batches.contains_key(&rel) || !sub.is_dir() {
                    continue;
                }
                match std::fs::remove_file(sub.join(&name)) {
                    Ok(()) => layout::sync_dir(&sub)?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(written)
    }
}

/// Writes `batch` as Snappy Parquet into `file` (deterministic: same rows, same bytes).
fn write_parquet(file: &File, batch: &RecordBatch) -> Result<(), std::io::Error> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!(
            "reportflow-sink-parquet {}",
            env!("CARGO_PKG_VERSION")
        ))
        .build();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).map_err(io_err)?;
    writer.write(batch).map_err(io_err)?;
    writer.close().map_err(io_err)?;
    Ok(())
}

fn io_err(e: impl std::error::Error + Send + Sync + 'static) -> std::io::Error {
    std::io::Error::other(e)
}

/// Arrow could not build the columns of some records: the data, not the disk, so writing
/// the same records again cannot succeed ([`SinkError::Permanent`]: the loop isolates them).
/// Errors of the Parquet writer itself stay [`io_err`]s: they may be a full disk.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode the records as Arrow columns: {0}")]
struct EncodeError(String);

fn encode_err(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(EncodeError(e.to_string()))
}

/// How the batch loop should treat a failed write (see [`Sink::write`]).
fn classify(dir: &Path, e: &std::io::Error) -> SinkError {
    if e.get_ref().is_some_and(|inner| inner.is::<EncodeError>()) {
        return SinkError::Permanent(e.to_string());
    }
    match e.kind() {
        // A dataset cut at another size, or a damaged state file: retrying cannot help.
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
            SinkError::Fatal(format!("{}: {e}", dir.display()))
        }
        _ => SinkError::Transient(format!("cannot write below {}: {e}", dir.display())),
    }
}

/// The partition year of a document: its date's year, else its first year.
pub fn document_year(d: &v1::ReportDocument) -> String {
    let m = d.metadata.clone().unwrap_or_default();
    if let Some(y) = m
        .date
        .as_deref()
        .and_then(|s| s.get(..4))
        .filter(|y| is_year(y))
    {
        return y.to_string();
    }
    m.years
        .first()
        .map_or_else(|| "unknown".to_string(), i32::to_string)
}

/// The partition year of an indicator: the first year of its period.
pub fn period_year(period: &str) -> String {
    period
        .get(..4)
        .filter(|y| is_year(y))
        .map_or_else(|| "unknown".to_string(), str::to_string)
}

fn is_year(s: &str) -> bool {
    s.len() == 4
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s.starts_with("19") || s.starts_with("20"))
}

impl Sink for ParquetSink {
    fn name(&self) -> &'static str {
        "parquet"
    }

    async fn write(&mut self, batch: &[InputRecord]) -> Result<Vec<(usize, Reject)>, SinkError> {
        let sink = self.clone();
        let batch = batch.to_vec();
        let result = match tokio::task::spawn_blocking(move || sink.write_batch(&batch)).await {
            Ok(result) => result,
            // A panicking writer is permanent for this batch: the loop isolates the record.
            Err(e) if e.is_panic() => {
                return Err(SinkError::Permanent(format!(
                    "the Parquet writer panicked: {e}"
                )))
            }
            Err(e) => return Err(SinkError::Transient(format!("the writer task failed: {e}"))),
        };
        match result {
            Ok((rejects, files)) => {
                tracing::debug!(files = files.len(), "Wrote Parquet files.");
                Ok(rejects)
            }
            Err(e) => Err(classify(&self.dir, &e)),
        }
    }
}

/// Environment variable of the root directory.
pub const ENV_DIR: &str = "REPORTFLOW_PARQUET_DIR";
/// Environment variable of the offsets per file.
pub const ENV_OFFSETS_PER_FILE: &str = "REPORTFLOW_PARQUET_OFFSETS_PER_FILE";

/// Flags of `reportflow-sink-parquet` and `reportflow sink parquet`: the root directory, the
/// shared [`SinkArgs`] and the file size.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Root directory of the datasets (or `dir` in `[sink]`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The flags every sink has.
    #[command(flatten)]
    pub sink: SinkArgs,
    /// Kafka offsets per file (default 10000): files cover fixed offset ranges of one
    /// partition. Fixed for the life of a dataset directory.
    #[arg(long, value_name = "N")]
    pub offsets_per_file: Option<u64>,
}

reportflow_kafka::config_keys! {
    /// The `[sink]` keys of this sink besides the batch keys, as written (`config.example.toml`
    /// shows each; a test keeps it in step).
    pub struct ParquetKeys {
        /// Root directory of the datasets. Required: here, in `REPORTFLOW_PARQUET_DIR` or with
        /// `--dir`.
        pub dir: PathBuf,
        /// Kafka offsets of one partition a file covers; fixed for the life of a dataset
        /// directory. Also `REPORTFLOW_PARQUET_OFFSETS_PER_FILE`, `--offsets-per-file`.
        pub offsets_per_file: u64 = DEFAULT_OFFSETS_PER_FILE,
        /// Topic of the `ReportDocument` messages (the `documents` dataset).
        pub documents_topic: String = reportflow_proto::topics::DEFAULT_DOCUMENTS_TOPIC,
        /// Topic of the `Section` messages (the `sections` dataset).
        pub sections_topic: String = reportflow_proto::topics::DEFAULT_SECTIONS_TOPIC,
        /// Topic of the `Indicator` messages (the `indicators` dataset).
        pub indicators_topic: String = reportflow_proto::topics::DEFAULT_INDICATORS_TOPIC,
    }
    tables {}
}

impl ParquetKeys {
    /// The topics the keys name, by dataset.
    pub fn topics(&self) -> Topics {
        let [documents, sections, indicators] = [
            &self.documents_topic,
            &self.sections_topic,
            &self.indicators_topic,
        ]
        .map(|t| t.clone().unwrap_or_default());
        Topics {
            documents,
            sections,
            indicators,
        }
    }
}

/// The sink's own settings (the `[sink]` table minus the batch keys).
#[derive(Debug, Clone)]
pub struct ParquetSettings {
    /// Root directory.
    pub dir: PathBuf,
    /// Topics by message type.
    pub topics: Topics,
    /// Kafka offsets per file.
    pub offsets_per_file: u64,
}

/// The full configuration of a run: the runtime's, the batch loop's and [`ParquetSettings`].
pub type Loaded = SinkSetup<ParquetSettings>;

/// This sink's batch defaults, where they differ from the runtime's: larger, rarer batches
/// (every batch rewrites the open range's provisional files).
pub fn batch_defaults() -> RawSinkConfig {
    RawSinkConfig {
        batch_max_records: Some(DEFAULT_BATCH_MAX_RECORDS),
        batch_max_ms: Some(DEFAULT_BATCH_MAX_MS),
        ..RawSinkConfig::default()
    }
}

/// Layers defaults < file < `env` < flags.
pub fn load(args: &Args, env: &Env) -> Result<Loaded, ConfigError> {
    // A shared environment of both sinks names the database too.
    let own_env = [ENV_DIR, ENV_OFFSETS_PER_FILE, "REPORTFLOW_DATABASE_URL"];
    let setup = args.sink.load::<ParquetKeys>(
        env,
        DEFAULT_GROUP_ID,
        batch_defaults(),
        |keys| keys.topics().all(),
        &own_env,
    )?;
    let keys = &setup.own;
    let dir = args
        .dir
        .clone()
        .or_else(|| env.get(ENV_DIR).map(PathBuf::from))
        .or_else(|| keys.dir.clone())
        .ok_or(ConfigError::Missing("dir"))?;
    let env_offsets = env
        .get(ENV_OFFSETS_PER_FILE)
        .map(|v| {
            v.trim().parse::<u64>().map_err(|e| ConfigError::Env {
                name: ENV_OFFSETS_PER_FILE.into(),
                message: format!("expected a positive integer: {e}"),
            })
        })
        .transpose()?;
    let offsets_per_file = args
        .offsets_per_file
        .or(env_offsets)
        .or(keys.offsets_per_file)
        .unwrap_or(DEFAULT_OFFSETS_PER_FILE);
    if offsets_per_file == 0 {
        return Err(ConfigError::Invalid {
            key: "sink.offsets_per_file".into(),
            message: "must be at least 1".into(),
        });
    }
    let topics = keys.topics();
    Ok(setup.with(ParquetSettings {
        dir,
        topics,
        offsets_per_file,
    }))
}

/// Errors of [`run`]: the configuration, logging, the sink loop or the [`DirError`].
pub type Error = reportflow_kafka::SinkMainError<DirError>;

/// The directory cannot be created or is not a dataset this sink can go on writing.
#[derive(Debug, thiserror::Error)]
#[error("cannot write a dataset in {0}: {1}")]
pub struct DirError(pub PathBuf, #[source] pub std::io::Error);

/// Runs the sink with `loaded` until `shutdown` resolves.
pub async fn run_sink<F>(loaded: Loaded, shutdown: F) -> Result<SinkSummary, Error>
where
    F: std::future::Future + Send,
{
    let own = &loaded.own;
    let sink = ParquetSink::new(own.dir.clone(), own.topics.clone())
        .with_offsets_per_file(own.offsets_per_file);
    sink.prepare()
        .map_err(|e| Error::Own(DirError(own.dir.clone(), e)))?;
    tracing::info!(
        dir = %own.dir.display(),
        offsets_per_file = own.offsets_per_file,
        "Writing Parquet datasets."
    );
    Ok(reportflow_kafka::run_sink(loaded.runtime, loaded.sink, sink, shutdown).await?)
}

/// Loads the configuration from `args` and the process environment, sets up logging and runs
/// until SIGTERM/SIGINT.
pub async fn run(args: &Args) -> Result<SinkSummary, Error> {
    let loaded = load(args, &Env::process())?;
    reportflow_kafka::start_logging(&loaded.runtime, &loaded.unrecognized_env)?;
    run_sink(loaded, reportflow_kafka::shutdown_signal()).await
}

#[cfg(test)]
mod tests {

    #[test]
    fn encoding_errors_are_permanent_disk_errors_transient_layout_errors_fatal() {
        let dir = Path::new("/data/pq");
        assert!(matches!(
            classify(dir, &encode_err("list too long")),
            SinkError::Permanent(m) if m.contains("Arrow columns: list too long")
        ));
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left");
        assert!(matches!(classify(dir, &full), SinkError::Transient(_)));
        assert!(matches!(
            classify(dir, &io_err(std::io::Error::other("parquet writer"))),
            SinkError::Transient(_)
        ));
        let cut = std::io::Error::new(std::io::ErrorKind::InvalidInput, "cut at 5000");
        assert!(matches!(classify(dir, &cut), SinkError::Fatal(_)));
    }

    use super::*;

    #[test]
    fn years_and_names() {
        assert_eq!(period_year("2023H1"), "2023");
        assert_eq!(period_year("2021-2025"), "2021");
        assert_eq!(period_year("unknown"), "unknown");
        assert_eq!(layout::sanitize("reports.indicators"), "reports.indicators");
    }

    #[test]
    fn the_example_configuration_loads() {
        let mut args = Args::default();
        args.sink.config = Some(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml").into());
        let loaded = load(&args, &Env::default()).unwrap();
        assert_eq!(loaded.runtime.input_topics.len(), 3);
        assert_eq!(loaded.own.dir, PathBuf::from("/var/lib/reportflow/parquet"));
        assert_eq!(loaded.sink.batch_max_records, 100_000);
        assert_eq!(loaded.own.offsets_per_file, DEFAULT_OFFSETS_PER_FILE);
        let env = Env::from_vars([(ENV_OFFSETS_PER_FILE.to_string(), "500".to_string())]);
        assert_eq!(load(&args, &env).unwrap().own.offsets_per_file, 500);
        args.offsets_per_file = Some(0);
        assert!(load(&args, &env).is_err());
    }

    #[test]
    fn the_example_shows_every_sink_key_with_its_default() {
        let text = include_str!("../config.example.toml");
        let problems =
            reportflow_kafka::config::example::sink_problems::<ParquetKeys>(text, batch_defaults());
        assert!(problems.is_empty(), "config.example.toml: {problems:?}");
    }
}
