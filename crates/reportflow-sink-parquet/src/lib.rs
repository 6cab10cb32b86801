//! The Parquet sink: writes `reports.documents`, `reports.sections` and
//! `reports.indicators` as three Parquet datasets (arrow-rs, Snappy-compressed) that DuckDB,
//! Spark, Trino or a warehouse loader read directly.
//!
//! # Layout
//!
//! ```text
//! DIR/documents/year=<year>/part-<topic>-<partition>-<first offset>-<last offset>.parquet
//! DIR/sections/part-<topic>-<partition>-<first offset>-<last offset>.parquet
//! DIR/indicators/year=<year>/part-<topic>-<partition>-<first offset>-<last offset>.parquet
//! ```
//!
//! - `year=` is a Hive-style partition: for documents the year of the report date (else its
//!   first year), for indicators the first year of the period (`2023H1` → `2023`);
//!   `year=unknown` when there is none. Sections carry no year and are not partitioned.
//! - One batch of the sink loop ([`reportflow_kafka::run_sink`]) becomes one file per
//!   dataset, year and source partition, so files roll by records (`batch_max_records`), bytes
//!   (`batch_max_bytes`) and time (`batch_max_ms`). The name holds the Kafka offsets of the
//!   first and last record in it: a replay of the same batch overwrites the same file.
//! - Files appear atomically: written as `….parquet.tmp`, fsynced, renamed, then the directory
//!   is fsynced. Kafka offsets are committed only after every file of the batch is renamed and
//!   durable. Readers must ignore `*.tmp` (a crash can leave one behind; the glob
//!   `*.parquet` does).
//! - Delivery is at-least-once. Within a file, rows are unique by key (`doc_id`;
//!   `(doc_id, section_id)`; `indicator_id`), last record wins. After a crash, the redone
//!   batch may be cut differently than the lost one, so two files can hold the same row:
//!   deduplicate by key when exact counts matter (DuckDB:
//!   `SELECT DISTINCT ON (indicator_id) * FROM read_parquet('DIR/indicators/*/*.parquet',
//!   hive_partitioning = true)`).
//!
//! Columns mirror the PostgreSQL sink's tables: every message field is a typed column (enums as
//! their short lowercase names, `report_date` as `DATE`, `years` as `LIST<INT32>`,
//! `other_growth` as two columns), plus `kafka_partition` and `kafka_offset`.
//!
//! [`ParquetSink::write_batch`] also works without Kafka (the demo writes its results with it).
#![warn(missing_docs, missing_debug_implementations)]

mod columns;

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use reportflow_kafka::sink::{read_sink_file, RawSinkConfig, STAGE_SINK};
use reportflow_kafka::{
    ConfigError, InputRecord, RawConfig, Reject, RunSinkError, RuntimeConfig, Sink, SinkConfig,
    SinkError, SinkSummary,
};
use reportflow_proto::v1;
use reportflow_proto::Message as _;
use serde::Deserialize;

pub use crate::columns::{documents_schema, indicators_schema, sections_schema};

/// Default consumer group of the sink.
pub const DEFAULT_GROUP_ID: &str = "reportflow-sink-parquet";
/// Default most records per batch (and so per file at most) for this sink.
pub const DEFAULT_BATCH_MAX_RECORDS: usize = 100_000;
/// Default longest time a batch stays open for this sink, in milliseconds.
pub const DEFAULT_BATCH_MAX_MS: u64 = 30_000;

/// The topics the sink reads, by message type.
pub use reportflow_proto::topics::DatasetTopics as Topics;

/// Where a row came from.
pub use reportflow_kafka::sink::Origin;

/// The Parquet [`Sink`].
#[derive(Debug)]
pub struct ParquetSink {
    dir: PathBuf,
    topics: Topics,
}

/// What [`ParquetSink::write_batch`] did: the rejects (by index) and the files written.
pub type Written = (Vec<(usize, Reject)>, Vec<PathBuf>);

/// Rows of one file: its directory (relative to the root), topic, partition and rows.
type Groups<T> = BTreeMap<(String, i32), BTreeMap<String, (T, Origin)>>;

impl ParquetSink {
    /// A sink writing below `dir` (created when missing).
    pub fn new(dir: impl Into<PathBuf>, topics: Topics) -> Self {
        ParquetSink {
            dir: dir.into(),
            topics,
        }
    }

    /// The root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Decodes `batch` and writes its files durably; returns the rejects and the paths written.
    pub fn write_batch(&self, batch: &[InputRecord]) -> Result<Written, std::io::Error> {
        let mut rejects = Vec::new();
        let mut documents: Groups<v1::ReportDocument> = BTreeMap::new();
        let mut sections: Groups<v1::Section> = BTreeMap::new();
        let mut indicators: Groups<v1::Indicator> = BTreeMap::new();
        for (i, r) in batch.iter().enumerate() {
            let origin = Origin {
                partition: r.partition,
                offset: r.offset,
            };
            let Some(value) = r.value.as_deref() else {
                rejects.push((
                    i,
                    Reject::new(STAGE_SINK, "tombstone", "the record has no value"),
                ));
                continue;
            };
            let bad = |what: &str, e: prost::DecodeError| {
                Reject::new(
                    STAGE_SINK,
                    "undecodable",
                    format!("not a reportflow.v1.{what}: {e}"),
                )
            };
            if r.topic == self.topics.documents {
                match v1::ReportDocument::decode(value) {
                    Ok(d) if !d.doc_id.is_empty() => {
                        let dir = format!("documents/year={}", document_year(&d));
                        documents
                            .entry((dir, r.partition))
                            .or_default()
                            .insert(d.doc_id.clone(), (d, origin));
                    }
                    Ok(_) => rejects.push((i, Reject::new(STAGE_SINK, "invalid", "empty doc_id"))),
                    Err(e) => rejects.push((i, bad("ReportDocument", e))),
                }
            } else if r.topic == self.topics.sections {
                match v1::Section::decode(value) {
                    Ok(s) if !s.doc_id.is_empty() => {
                        let key = format!("{}\u{1f}{:010}", s.doc_id, s.section_id);
                        sections
                            .entry(("sections".into(), r.partition))
                            .or_default()
                            .insert(key, (s, origin));
                    }
                    Ok(_) => rejects.push((i, Reject::new(STAGE_SINK, "invalid", "empty doc_id"))),
                    Err(e) => rejects.push((i, bad("Section", e))),
                }
            } else if r.topic == self.topics.indicators {
                match v1::Indicator::decode(value) {
                    Ok(x) if !x.indicator_id.is_empty() && !x.doc_id.is_empty() => {
                        let dir = format!("indicators/year={}", period_year(&x.period));
                        indicators
                            .entry((dir, r.partition))
                            .or_default()
                            .insert(x.indicator_id.clone(), (x, origin));
                    }
                    Ok(_) => rejects.push((
                        i,
                        Reject::new(STAGE_SINK, "invalid", "empty indicator_id or doc_id"),
                    )),
                    Err(e) => rejects.push((i, bad("Indicator", e))),
                }
            } else {
                rejects.push((
                    i,
                    Reject::new(
                        STAGE_SINK,
                        "unknown_topic",
                        format!("no dataset for topic `{}`", r.topic),
                    ),
                ));
            }
        }
        let mut written = Vec::new();
        for ((dir, partition), rows) in documents {
            let rows: Vec<_> = rows.into_values().collect();
            let batch = columns::documents_batch(&rows).map_err(io_err)?;
            written.push(self.write_file(&dir, &self.topics.documents, partition, &rows, batch)?);
        }
        for ((dir, partition), rows) in sections {
            let rows: Vec<_> = rows.into_values().collect();
            let batch = columns::sections_batch(&rows).map_err(io_err)?;
            written.push(self.write_file(&dir, &self.topics.sections, partition, &rows, batch)?);
        }
        for ((dir, partition), rows) in indicators {
            let rows: Vec<_> = rows.into_values().collect();
            let batch = columns::indicators_batch(&rows).map_err(io_err)?;
            written.push(self.write_file(
                &dir,
                &self.topics.indicators,
                partition,
                &rows,
                batch,
            )?);
        }
        Ok((rejects, written))
    }

    /// Writes one file atomically and durably: `.tmp`, fsync, rename, fsync the directory.
    fn write_file<T>(
        &self,
        dir: &str,
        topic: &str,
        partition: i32,
        rows: &[(T, Origin)],
        batch: RecordBatch,
    ) -> Result<PathBuf, std::io::Error> {
        let first = rows.iter().map(|(_, o)| o.offset).min().unwrap_or(0);
        let last = rows.iter().map(|(_, o)| o.offset).max().unwrap_or(0);
        let dir = self.dir.join(dir);
        std::fs::create_dir_all(&dir)?;
        let name = format!(
            "part-{}-{partition}-{first:020}-{last:020}.parquet",
            sanitize(topic)
        );
        let path = dir.join(&name);
        let tmp = dir.join(format!("{name}.tmp"));
        {
            let file = File::create(&tmp)?;
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_created_by(format!(
                    "reportflow-sink-parquet {}",
                    env!("CARGO_PKG_VERSION")
                ))
                .build();
            let mut writer =
                ArrowWriter::try_new(&file, batch.schema(), Some(props)).map_err(io_err)?;
            writer.write(&batch).map_err(io_err)?;
            writer.close().map_err(io_err)?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        File::open(&dir)?.sync_all()?;
        Ok(path)
    }
}

fn io_err(e: impl std::error::Error + Send + Sync + 'static) -> std::io::Error {
    std::io::Error::other(e)
}

/// A topic name made safe for a file name.
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
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
        let dir = self.dir.clone();
        let topics = self.topics.clone();
        let batch = batch.to_vec();
        let result =
            tokio::task::spawn_blocking(move || ParquetSink::new(dir, topics).write_batch(&batch))
                .await
                .map_err(|e| SinkError::Transient(format!("the writer task failed: {e}")))?;
        match result {
            Ok((rejects, files)) => {
                tracing::debug!(files = files.len(), "Wrote Parquet files.");
                Ok(rejects)
            }
            Err(e) => Err(SinkError::Transient(format!(
                "cannot write below {}: {e}",
                self.dir.display()
            ))),
        }
    }
}

/// Flags of `reportflow-sink-parquet` and `reportflow sink parquet`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Root directory of the datasets (or `dir` in `[sink]`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// TOML configuration file: the runtime keys plus a `[sink]` table.
    #[arg(long, short = 'c', value_name = "FILE", env = "REPORTFLOW_CONFIG")]
    pub config: Option<PathBuf>,
    /// Kafka bootstrap servers (env REPORTFLOW_BROKERS).
    #[arg(long, value_name = "HOST:PORT,…")]
    pub brokers: Option<String>,
    /// Consumer group (default `reportflow-sink-parquet`).
    #[arg(long, value_name = "GROUP")]
    pub group_id: Option<String>,
    /// Address of `/metrics`, `/health`, `/ready` (default `0.0.0.0:9100`).
    #[arg(long, value_name = "ADDR")]
    pub http_addr: Option<String>,
    /// Most records per batch, i.e. per file at most (default 100000).
    #[arg(long, value_name = "N")]
    pub batch_max_records: Option<usize>,
    /// Longest time a batch (file) stays open, in milliseconds (default 30000).
    #[arg(long, value_name = "MS")]
    pub batch_max_ms: Option<u64>,
    /// Log format: `json` or `text`.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

/// The `[sink]` keys this crate reads, as written.
#[derive(Debug, Clone, Default, Deserialize)]
struct RawParquet {
    dir: Option<PathBuf>,
    documents_topic: Option<String>,
    sections_topic: Option<String>,
    indicators_topic: Option<String>,
}

/// The full configuration of a run.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The runtime's configuration.
    pub runtime: RuntimeConfig,
    /// Batch and retry settings.
    pub sink: SinkConfig,
    /// Root directory.
    pub dir: PathBuf,
    /// Topics by message type.
    pub topics: Topics,
    /// `REPORTFLOW_*` variables nobody recognised.
    pub unrecognized_env: Vec<String>,
}

/// Layers defaults < file < environment < flags.
pub fn load(args: &Args) -> Result<Loaded, ConfigError> {
    let (file_raw, sink_table) = read_sink_file(args.config.as_deref())?;
    let pq: RawParquet =
        toml::Value::Table(sink_table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Parse {
                path: "[sink]".into(),
                message: e.to_string(),
            })?;
    let d = Topics::default();
    let topics = Topics {
        documents: pq.documents_topic.unwrap_or(d.documents),
        sections: pq.sections_topic.unwrap_or(d.sections),
        indicators: pq.indicators_topic.unwrap_or(d.indicators),
    };
    let defaults = RawConfig {
        group_id: Some(DEFAULT_GROUP_ID.into()),
        input_topics: Some(topics.all()),
        ..RawConfig::default()
    };
    let (env, unrecognized) = RawConfig::from_env()?;
    let flags = RawConfig {
        brokers: args.brokers.clone(),
        group_id: args.group_id.clone(),
        http_addr: args.http_addr.clone(),
        log_format: match &args.log_format {
            Some(f) => Some(f.parse().map_err(|message| ConfigError::Invalid {
                key: "log_format".into(),
                message,
            })?),
            None => None,
        },
        ..RawConfig::default()
    };
    let runtime = defaults
        .merge(file_raw)
        .merge(env)
        .merge(flags)
        .into_config()?;
    let sink_defaults = RawSinkConfig {
        batch_max_records: Some(DEFAULT_BATCH_MAX_RECORDS),
        batch_max_ms: Some(DEFAULT_BATCH_MAX_MS),
        ..RawSinkConfig::default()
    };
    let sink = sink_defaults
        .merge(RawSinkConfig::from_table(&sink_table)?)
        .merge(RawSinkConfig::from_env()?)
        .merge(RawSinkConfig {
            batch_max_records: args.batch_max_records,
            batch_max_ms: args.batch_max_ms,
            ..RawSinkConfig::default()
        })
        .into_config()?;
    let dir = args
        .dir
        .clone()
        .or_else(|| std::env::var_os("REPORTFLOW_PARQUET_DIR").map(PathBuf::from))
        .or(pq.dir)
        .ok_or(ConfigError::Missing("dir"))?;
    let unrecognized_env = unrecognized
        .into_iter()
        .filter(|v| {
            v != "REPORTFLOW_PARQUET_DIR"
                && v != "REPORTFLOW_CONFIG"
                && v != "REPORTFLOW_DATABASE_URL"
                && !v.starts_with("REPORTFLOW_BATCH_")
                && !v.starts_with("REPORTFLOW_SINK_")
        })
        .collect();
    Ok(Loaded {
        runtime,
        sink,
        dir,
        topics,
        unrecognized_env,
    })
}

/// Errors of [`run`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Logging could not be set up.
    #[error(transparent)]
    Runtime(#[from] reportflow_kafka::Error),
    /// The directory cannot be created.
    #[error("cannot create {0}: {1}")]
    Dir(PathBuf, #[source] std::io::Error),
    /// The sink loop stopped with an error.
    #[error(transparent)]
    Sink(#[from] RunSinkError),
}

/// Runs the sink with `loaded` until `shutdown` resolves.
pub async fn run_sink<F>(loaded: Loaded, shutdown: F) -> Result<SinkSummary, Error>
where
    F: std::future::Future + Send,
{
    std::fs::create_dir_all(&loaded.dir).map_err(|e| Error::Dir(loaded.dir.clone(), e))?;
    tracing::info!(dir = %loaded.dir.display(), "Writing Parquet datasets.");
    let sink = ParquetSink::new(loaded.dir, loaded.topics);
    Ok(reportflow_kafka::run_sink(loaded.runtime, loaded.sink, sink, shutdown).await?)
}

/// Loads the configuration from `args`, sets up logging and runs until SIGTERM/SIGINT.
pub async fn run(args: &Args) -> Result<SinkSummary, Error> {
    let loaded = load(args)?;
    reportflow_kafka::init_logging(loaded.runtime.log_format, &loaded.runtime.log_level)?;
    for name in &loaded.unrecognized_env {
        tracing::warn!(variable = %name, "Ignoring an unrecognised REPORTFLOW_* variable.");
    }
    run_sink(loaded, reportflow_kafka::shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_names() {
        assert_eq!(period_year("2023H1"), "2023");
        assert_eq!(period_year("2021-2025"), "2021");
        assert_eq!(period_year("unknown"), "unknown");
        assert_eq!(sanitize("reports.indicators"), "reports.indicators");
        assert_eq!(sanitize("a/b"), "a_b");
    }

    #[test]
    fn the_example_configuration_loads() {
        let args = Args {
            config: Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/config.example.toml"
            ))),
            ..Args::default()
        };
        let loaded = load(&args).unwrap();
        assert_eq!(loaded.runtime.input_topics.len(), 3);
        assert_eq!(loaded.dir, PathBuf::from("/var/lib/reportflow/parquet"));
        assert_eq!(loaded.sink.batch_max_records, 100_000);
    }
}
