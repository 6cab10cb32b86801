//! Stage one worker: raw report bytes (any encoding) from `reports.raw` become
//! [`v1::NormalizedReport`] messages on `reports.normalized`, keyed by `doc_id`.
//!
//! The worker holds no extraction logic: [`NormalizerProcessor`] calls
//! [`reportflow_proto::convert::normalize_raw`] (the document format read by
//! `reportflow-formats`: HTML pages, DOCX and PDF attachments or plain text, then the core's
//! normalization) and encodes the result with prost; the
//! [`reportflow_kafka`] runtime does the consuming, producing, committing and dead-lettering.
//!
//! - Input: value = raw bytes; key = the producer's source id; optional headers
//!   `content-type`, `charset` (encoding hint), `source-url`, `source-name`, `fetched-at`
//!   (copied, in the order received, into [`v1::Source`] with the key).
//! - Output: one `NormalizedReport` per input on the `normalized` topic, key = `doc_id`, headers
//!   [`HEADER_DOC_ID`] and [`HEADER_MESSAGE_TYPE`]. Deterministic: the same input gives
//!   byte-identical output.
//! - Rejects (dead letters with stage `normalize`): no value → kind `empty`; the core's errors
//!   with their [`reportflow_core::Error::kind`] (`empty`, `undecodable`, `binary`,
//!   `no_text`); documents whose format cannot be read (`unsupported_format` for binary Word,
//!   `broken_document`, `encrypted`, `no_text_layer` for a scanned PDF, `too_large`).
//! - The `content-type` header is the hint for the document format; the output's
//!   `NormalizedReport.format` says which format was read.
//!
//! Run it as the `reportflow-normalizer` binary or `reportflow worker normalizer`; both parse
//! [`Args`] and call [`main_with_args`].
#![warn(missing_docs, missing_debug_implementations)]

use std::path::PathBuf;
use std::sync::Arc;

use reportflow_core::Extractor;
use reportflow_kafka::{
    InputRecord, LogFormat, OutputRecord, ProcessingGuarantee, Processor, RawConfig, Reject,
    RunSummary, RuntimeConfig,
};
use reportflow_proto::{convert, v1, Message};

/// Stage name: the `stage` of dead letters and the metrics label.
pub const STAGE: &str = "normalize";
/// Default consumer group.
pub const DEFAULT_GROUP_ID: &str = "reportflow-normalizer";
/// Default input topic.
pub const DEFAULT_INPUT_TOPIC: &str = "reports.raw";
/// Logical name of the output topic in the `[topics]` configuration table.
pub const TOPIC_NORMALIZED: &str = "normalized";
/// Default output topic.
pub const DEFAULT_NORMALIZED_TOPIC: &str = "reports.normalized";
/// Input headers copied into [`v1::Source`] (names compared ASCII case-insensitively).
pub const SOURCE_HEADERS: [&str; 5] = [
    "content-type",
    "charset",
    "source-url",
    "source-name",
    "fetched-at",
];
/// Output header carrying the document id (also the record key).
pub const HEADER_DOC_ID: &str = "reportflow.doc-id";
/// Output header naming the protobuf message type of the value.
pub const HEADER_MESSAGE_TYPE: &str = "reportflow.message-type";
/// Value of [`HEADER_MESSAGE_TYPE`] on this worker's outputs.
pub const MESSAGE_TYPE: &str = "reportflow.v1.NormalizedReport";

/// The per-message work of stage one.
#[derive(Debug)]
pub struct NormalizerProcessor {
    extractor: Extractor,
    output_topic: String,
}

impl NormalizerProcessor {
    /// A processor writing to `output_topic`, with the core's default extractor.
    pub fn new(output_topic: impl Into<String>) -> Self {
        Self::with_extractor(Extractor::default(), output_topic)
    }

    /// A processor with a given extractor.
    pub fn with_extractor(extractor: Extractor, output_topic: impl Into<String>) -> Self {
        NormalizerProcessor {
            extractor,
            output_topic: output_topic.into(),
        }
    }

    /// The topic outputs go to.
    pub fn output_topic(&self) -> &str {
        &self.output_topic
    }

    /// The [`v1::Source`] of an input: its key (UTF-8, lossy) and the known headers.
    pub fn source(input: &InputRecord) -> v1::Source {
        let key = input
            .key
            .as_deref()
            .map(|k| String::from_utf8_lossy(k).into_owned())
            .unwrap_or_default();
        input
            .headers
            .iter()
            .filter(|(name, _)| SOURCE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)))
            .fold(v1::Source::with_key(key), |source, (name, value)| {
                source.header(name.clone(), String::from_utf8_lossy(value).into_owned())
            })
    }

    /// Normalizes one raw input into its `NormalizedReport` (what [`Processor::process`]
    /// encodes).
    pub fn normalize(&self, input: &InputRecord) -> Result<v1::NormalizedReport, Reject> {
        let raw = input
            .value
            .as_deref()
            .ok_or_else(|| Reject::new(STAGE, "empty", "the record has no value"))?;
        let source = Self::source(input);
        convert::normalize_raw(&self.extractor, raw, source, None)
            .map_err(|err| Reject::new(STAGE, err.kind(), err.to_string()))
    }
}

impl Processor for NormalizerProcessor {
    fn stage(&self) -> &'static str {
        STAGE
    }

    fn process(&self, input: &InputRecord) -> Result<Vec<OutputRecord>, Reject> {
        let report = self.normalize(input)?;
        let doc_id = report.doc_id.clone();
        Ok(vec![OutputRecord {
            topic: self.output_topic.clone(),
            key: doc_id.clone().into_bytes(),
            value: report.encode_to_vec(),
            headers: vec![
                (HEADER_DOC_ID.to_string(), doc_id.into_bytes()),
                (
                    HEADER_MESSAGE_TYPE.to_string(),
                    MESSAGE_TYPE.as_bytes().to_vec(),
                ),
            ],
        }])
    }
}

/// A problem starting or running the worker.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] reportflow_kafka::ConfigError),
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] reportflow_kafka::Error),
    /// The async runtime could not be built.
    #[error("cannot start the async runtime: {0}")]
    Io(#[from] std::io::Error),
}

/// Flags of the normalizer worker. Every flag overrides the config file and the `REPORTFLOW_*`
/// environment (see `crates/reportflow-kafka/config.example.toml` for every key).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// TOML configuration file (layering: file < REPORTFLOW_* environment < flags).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Kafka bootstrap servers, host:port[,host:port]. [config: brokers]
    #[arg(long, value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// Consumer group id. [config: group_id; default: reportflow-normalizer]
    #[arg(long, value_name = "ID")]
    pub group_id: Option<String>,
    /// Topic of raw reports to consume. [config: input_topics; default: reports.raw]
    #[arg(long, value_name = "TOPIC")]
    pub input_topic: Option<String>,
    /// Topic the NormalizedReport messages go to. [config: topics.normalized; default:
    /// reports.normalized]
    #[arg(long, value_name = "TOPIC")]
    pub normalized_topic: Option<String>,
    /// Dead-letter topic. [config: dlq_topic; default: reports.dlq]
    #[arg(long, value_name = "TOPIC")]
    pub dlq_topic: Option<String>,
    /// Address of the /metrics, /health and /ready server; port 0 picks one. [config:
    /// http_addr; default: 0.0.0.0:9100]
    #[arg(long, value_name = "IP:PORT")]
    pub http_addr: Option<String>,
    /// Log format, json or text. [config: log_format; default: json]
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log filter when RUST_LOG is unset. [config: log_level; default: info]
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,
    /// Static group membership: this instance's stable name in the consumer group (pod or
    /// container name), so that a restarted instance takes its partitions back at once.
    /// [config: instance_id; default: unset]
    #[arg(long, value_name = "NAME")]
    pub instance_id: Option<String>,
    /// at_least_once, or exactly_once: outputs, dead letters and offsets in one Kafka
    /// transaction per batch (needs --instance-id and Apache Kafka, not the embedded broker).
    /// [config: processing_guarantee; default: at_least_once]
    #[arg(long, value_name = "GUARANTEE")]
    pub processing_guarantee: Option<ProcessingGuarantee>,
}

impl Args {
    /// The flags as a configuration layer.
    pub fn to_raw(&self) -> RawConfig {
        RawConfig {
            brokers: self.brokers.clone(),
            group_id: self.group_id.clone(),
            input_topics: self.input_topic.clone().map(|t| vec![t]),
            dlq_topic: self.dlq_topic.clone(),
            http_addr: self.http_addr.clone(),
            log_format: self.log_format,
            log_level: self.log_level.clone(),
            instance_id: self.instance_id.clone(),
            processing_guarantee: self.processing_guarantee,
            topics: self
                .normalized_topic
                .clone()
                .map(|t| [(TOPIC_NORMALIZED.to_string(), t)].into()),
            ..RawConfig::default()
        }
    }

    /// The layered configuration: this worker's defaults < file < environment < flags.
    /// Returns it with the unrecognised `REPORTFLOW_*` variable names.
    pub fn load(&self) -> Result<(RuntimeConfig, Vec<String>), WorkerError> {
        let defaults = RawConfig {
            group_id: Some(DEFAULT_GROUP_ID.to_string()),
            input_topics: Some(vec![DEFAULT_INPUT_TOPIC.to_string()]),
            ..RawConfig::default()
        };
        let file = match &self.config {
            Some(path) => RawConfig::from_file(path)?,
            None => RawConfig::default(),
        };
        let (env, unrecognized) = RawConfig::from_env()?;
        let config = defaults
            .merge(file)
            .merge(env)
            .merge(self.to_raw())
            .into_config()?;
        Ok((config, unrecognized))
    }
}

/// The processor for a configuration: output topic `topics.normalized` or the default.
pub fn processor(config: &RuntimeConfig) -> NormalizerProcessor {
    NormalizerProcessor::new(config.topic(TOPIC_NORMALIZED, DEFAULT_NORMALIZED_TOPIC))
}

/// Runs the worker until SIGTERM/SIGINT, with logging already set up by the caller.
pub async fn run_worker(config: RuntimeConfig) -> Result<RunSummary, WorkerError> {
    // On a secured cluster, refused credentials end the worker at once instead of leaving it
    // retrying forever (see reportflow_kafka::preflight).
    reportflow_kafka::preflight::refuse_bad_credentials(
        config.consumer_properties(),
        reportflow_kafka::preflight::CHECK_LIMIT,
    )
    .await?;
    let processor = processor(&config);
    Ok(reportflow_kafka::run(
        config,
        Arc::new(processor),
        reportflow_kafka::shutdown_signal(),
    )
    .await?)
}

/// The whole process: loads the configuration, sets up logging, runs the worker on a
/// multi-threaded tokio runtime until SIGTERM/SIGINT.
pub fn main_with_args(args: Args) -> Result<RunSummary, WorkerError> {
    let (config, unrecognized) = args.load()?;
    reportflow_kafka::init_logging(config.log_format, &config.log_level)?;
    for name in unrecognized {
        eprintln!("warning: ignoring unknown environment variable {name}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_worker(config))
}

#[cfg(test)]
mod tests;
