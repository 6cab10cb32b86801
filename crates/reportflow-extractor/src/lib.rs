//! Stage two worker: [`v1::NormalizedReport`] messages from `reports.normalized` become one
//! [`v1::ReportDocument`] on `reports.documents`, one [`v1::Section`] per section on
//! `reports.sections` and one [`v1::Indicator`] per indicator on `reports.indicators`.
//!
//! The worker holds no extraction logic: [`ExtractorProcessor`] decodes the message with
//! prost, calls [`reportflow_core::Extractor::analyze`] and converts with
//! [`reportflow_proto::convert::extraction_from_analysis`]; the [`reportflow_kafka`] runtime
//! does the rest.
//!
//! - Every output is keyed by `doc_id` (so all of a document's messages share a partition)
//!   and carries the headers [`HEADER_DOC_ID`] and [`HEADER_MESSAGE_TYPE`]
//!   (`reportflow.v1.ReportDocument`, `reportflow.v1.Section`, `reportflow.v1.Indicator`).
//! - Outputs are produced in a fixed order: the document, then sections and indicators in
//!   document order. Deterministic: the same input gives byte-identical outputs.
//! - Rejects (dead letters with stage `extract`): no value → kind `empty`; a value that is
//!   not a `NormalizedReport` → kind `decode`; a message without a `doc_id` → kind
//!   `missing_doc_id`.
//!
//! Run it as the `reportflow-extractor` binary or `reportflow worker extractor`; both parse
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
pub const STAGE: &str = "extract";
/// Default consumer group.
pub const DEFAULT_GROUP_ID: &str = "reportflow-extractor";
/// Default input topic.
pub const DEFAULT_INPUT_TOPIC: &str = "reports.normalized";
/// Logical name of the documents topic in the `[topics]` configuration table.
pub const TOPIC_DOCUMENTS: &str = "documents";
/// Logical name of the sections topic in the `[topics]` configuration table.
pub const TOPIC_SECTIONS: &str = "sections";
/// Logical name of the indicators topic in the `[topics]` configuration table.
pub const TOPIC_INDICATORS: &str = "indicators";
pub use reportflow_proto::topics::{
    DEFAULT_DOCUMENTS_TOPIC, DEFAULT_INDICATORS_TOPIC, DEFAULT_SECTIONS_TOPIC,
};
/// Output header carrying the document id (also the record key).
pub const HEADER_DOC_ID: &str = "reportflow.doc-id";
/// Output header naming the protobuf message type of the value.
pub const HEADER_MESSAGE_TYPE: &str = "reportflow.message-type";

/// Where the three kinds of output go: the topics the sinks read.
pub type OutputTopics = reportflow_proto::topics::DatasetTopics;

/// The output topics of a configuration: `topics.{documents,sections,indicators}` or the
/// defaults.
pub fn output_topics(config: &RuntimeConfig) -> OutputTopics {
    OutputTopics {
        documents: config.topic(TOPIC_DOCUMENTS, DEFAULT_DOCUMENTS_TOPIC),
        sections: config.topic(TOPIC_SECTIONS, DEFAULT_SECTIONS_TOPIC),
        indicators: config.topic(TOPIC_INDICATORS, DEFAULT_INDICATORS_TOPIC),
    }
}

/// The per-message work of stage two.
#[derive(Debug)]
pub struct ExtractorProcessor {
    extractor: Extractor,
    topics: OutputTopics,
}

impl ExtractorProcessor {
    /// A processor writing to `topics`, with the core's default extractor.
    pub fn new(topics: OutputTopics) -> Self {
        Self::with_extractor(Extractor::default(), topics)
    }

    /// A processor with a given extractor.
    pub fn with_extractor(extractor: Extractor, topics: OutputTopics) -> Self {
        ExtractorProcessor { extractor, topics }
    }

    /// The topics outputs go to.
    pub fn topics(&self) -> &OutputTopics {
        &self.topics
    }

    /// Decodes and analyses one input into its [`v1::Extraction`] (what
    /// [`Processor::process`] splits into records).
    pub fn extract(&self, input: &InputRecord) -> Result<v1::Extraction, Reject> {
        let value = input
            .value
            .as_deref()
            .ok_or_else(|| Reject::new(STAGE, "empty", "the record has no value"))?;
        let normalized = v1::NormalizedReport::decode(value).map_err(|err| {
            Reject::new(
                STAGE,
                "decode",
                format!("the value is not a reportflow.v1.NormalizedReport: {err}"),
            )
        })?;
        if normalized.doc_id.is_empty() {
            return Err(Reject::new(
                STAGE,
                "missing_doc_id",
                "the NormalizedReport has no doc_id",
            ));
        }
        let analysis = self.extractor.analyze(&normalized.text);
        Ok(convert::extraction_from_analysis(&normalized, &analysis))
    }
}

fn record(topic: &str, doc_id: &str, message_type: &str, value: Vec<u8>) -> OutputRecord {
    OutputRecord {
        topic: topic.to_string(),
        key: doc_id.as_bytes().to_vec(),
        value,
        headers: vec![
            (HEADER_DOC_ID.to_string(), doc_id.as_bytes().to_vec()),
            (
                HEADER_MESSAGE_TYPE.to_string(),
                message_type.as_bytes().to_vec(),
            ),
        ],
    }
}

impl Processor for ExtractorProcessor {
    fn stage(&self) -> &'static str {
        STAGE
    }

    fn process(&self, input: &InputRecord) -> Result<Vec<OutputRecord>, Reject> {
        let extraction = self.extract(input)?;
        let document = extraction.document.unwrap_or_default();
        let doc_id = document.doc_id.clone();
        let mut out =
            Vec::with_capacity(1 + extraction.sections.len() + extraction.indicators.len());
        out.push(record(
            &self.topics.documents,
            &doc_id,
            "reportflow.v1.ReportDocument",
            document.encode_to_vec(),
        ));
        out.extend(extraction.sections.iter().map(|s| {
            record(
                &self.topics.sections,
                &doc_id,
                "reportflow.v1.Section",
                s.encode_to_vec(),
            )
        }));
        out.extend(extraction.indicators.iter().map(|i| {
            record(
                &self.topics.indicators,
                &doc_id,
                "reportflow.v1.Indicator",
                i.encode_to_vec(),
            )
        }));
        Ok(out)
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

/// Flags of the extractor worker. Every flag overrides the config file and the `REPORTFLOW_*`
/// environment (see `crates/reportflow-kafka/config.example.toml` for every key).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// TOML configuration file (layering: file < REPORTFLOW_* environment < flags).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Kafka bootstrap servers, host:port[,host:port]. [config: brokers]
    #[arg(long, value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// Consumer group id. [config: group_id; default: reportflow-extractor]
    #[arg(long, value_name = "ID")]
    pub group_id: Option<String>,
    /// Topic of NormalizedReport messages to consume. [config: input_topics; default:
    /// reports.normalized]
    #[arg(long, value_name = "TOPIC")]
    pub input_topic: Option<String>,
    /// Topic of ReportDocument messages. [config: topics.documents; default:
    /// reports.documents]
    #[arg(long, value_name = "TOPIC")]
    pub documents_topic: Option<String>,
    /// Topic of Section messages. [config: topics.sections; default: reports.sections]
    #[arg(long, value_name = "TOPIC")]
    pub sections_topic: Option<String>,
    /// Topic of Indicator messages. [config: topics.indicators; default: reports.indicators]
    #[arg(long, value_name = "TOPIC")]
    pub indicators_topic: Option<String>,
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
        let topics: std::collections::BTreeMap<String, String> = [
            (TOPIC_DOCUMENTS, &self.documents_topic),
            (TOPIC_SECTIONS, &self.sections_topic),
            (TOPIC_INDICATORS, &self.indicators_topic),
        ]
        .into_iter()
        .filter_map(|(name, topic)| Some((name.to_string(), topic.clone()?)))
        .collect();
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
            topics: (!topics.is_empty()).then_some(topics),
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

/// The processor for a configuration (output topics from `[topics]` or the defaults).
pub fn processor(config: &RuntimeConfig) -> ExtractorProcessor {
    ExtractorProcessor::new(output_topics(config))
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
