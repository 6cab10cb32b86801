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

use reportflow_core::Extractor;
use reportflow_kafka::{
    ConfigError, Env, InputRecord, OutputRecord, Processor, RawConfig, Reject, RunSummary,
    RuntimeConfig, WorkerArgs,
};
use reportflow_proto::names::{output_headers, TYPE_NORMALIZED_REPORT};
use reportflow_proto::{convert, v1, Message};

pub use reportflow_kafka::WorkerError;
pub use reportflow_proto::names::{HEADER_DOC_ID, HEADER_MESSAGE_TYPE};

/// Stage name: the `stage` of dead letters and the metrics label.
pub const STAGE: &str = "normalize";
/// Default consumer group.
pub const DEFAULT_GROUP_ID: &str = "reportflow-normalizer";
/// Default input topic.
pub const DEFAULT_INPUT_TOPIC: &str = reportflow_proto::topics::DEFAULT_RAW_TOPIC;
/// Logical name of the output topic in the `[topics]` configuration table.
pub const TOPIC_NORMALIZED: &str = "normalized";
/// Default output topic.
pub const DEFAULT_NORMALIZED_TOPIC: &str = reportflow_proto::topics::DEFAULT_NORMALIZED_TOPIC;
/// Input headers copied into [`v1::Source`] (names compared ASCII case-insensitively).
pub const SOURCE_HEADERS: [&str; 5] = [
    "content-type",
    "charset",
    "source-url",
    "source-name",
    "fetched-at",
];
/// Value of [`HEADER_MESSAGE_TYPE`] on this worker's outputs.
pub const MESSAGE_TYPE: &str = TYPE_NORMALIZED_REPORT;

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
            key: doc_id.as_bytes().to_vec(),
            value: report.encode_to_vec(),
            headers: output_headers(&doc_id, MESSAGE_TYPE),
        }])
    }
}

/// Flags of the normalizer worker: the shared [`WorkerArgs`] and its output topic.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The flags every worker has.
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// Topic the NormalizedReport messages go to. [config: topics.normalized; default:
    /// reports.normalized]
    #[arg(long, value_name = "TOPIC")]
    pub normalized_topic: Option<String>,
}

impl Args {
    /// The layered configuration: this worker's defaults < file < `env` < flags. Returns it
    /// with the unrecognised `REPORTFLOW_*` variable names.
    pub fn load(&self, env: &Env) -> Result<(RuntimeConfig, Vec<String>), ConfigError> {
        let own = RawConfig {
            topics: self
                .normalized_topic
                .clone()
                .map(|t| [(TOPIC_NORMALIZED.to_string(), t)].into()),
            ..RawConfig::default()
        };
        self.worker
            .load(DEFAULT_GROUP_ID, DEFAULT_INPUT_TOPIC, own, env)
    }
}

/// The processor for a configuration: output topic `topics.normalized` or the default.
pub fn processor(config: &RuntimeConfig) -> NormalizerProcessor {
    NormalizerProcessor::new(config.topic(TOPIC_NORMALIZED, DEFAULT_NORMALIZED_TOPIC))
}

/// The whole process: loads the configuration from `args` and the process environment, sets
/// up logging, runs the worker until SIGTERM/SIGINT ([`reportflow_kafka::worker_main`]).
pub fn main_with_args(args: Args) -> Result<RunSummary, WorkerError> {
    reportflow_kafka::worker_main(args.load(&Env::process()), processor)
}

#[cfg(test)]
mod tests;
