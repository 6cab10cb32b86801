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

use reportflow_core::Extractor;
use reportflow_kafka::{
    ConfigError, Env, InputRecord, OutputRecord, Processor, RawConfig, Reject, RunSummary,
    RuntimeConfig, WorkerArgs,
};
use reportflow_proto::names::{output_headers, TYPE_INDICATOR, TYPE_REPORT_DOCUMENT, TYPE_SECTION};
use reportflow_proto::{convert, v1, Message};

pub use reportflow_kafka::WorkerError;
pub use reportflow_proto::names::{HEADER_DOC_ID, HEADER_MESSAGE_TYPE};

/// Stage name: the `stage` of dead letters and the metrics label.
pub const STAGE: &str = "extract";
/// Default consumer group.
pub const DEFAULT_GROUP_ID: &str = "reportflow-extractor";
/// Default input topic.
pub const DEFAULT_INPUT_TOPIC: &str = reportflow_proto::topics::DEFAULT_NORMALIZED_TOPIC;
/// Logical name of the documents topic in the `[topics]` configuration table.
pub const TOPIC_DOCUMENTS: &str = "documents";
/// Logical name of the sections topic in the `[topics]` configuration table.
pub const TOPIC_SECTIONS: &str = "sections";
/// Logical name of the indicators topic in the `[topics]` configuration table.
pub const TOPIC_INDICATORS: &str = "indicators";
pub use reportflow_proto::topics::{
    DEFAULT_DOCUMENTS_TOPIC, DEFAULT_INDICATORS_TOPIC, DEFAULT_SECTIONS_TOPIC,
};

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

    /// Decodes and analyses one input into its [`v1::Extraction`] (the records
    /// [`Processor::process`] produces hold the same messages).
    pub fn extract(&self, input: &InputRecord) -> Result<v1::Extraction, Reject> {
        let normalized = decode(input)?;
        let analysis = self.extractor.analyze(&normalized.text);
        Ok(convert::extraction_from_analysis(&normalized, &analysis))
    }
}

/// The input's [`v1::NormalizedReport`], or the reason it is rejected.
fn decode(input: &InputRecord) -> Result<v1::NormalizedReport, Reject> {
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
    Ok(normalized)
}

fn record(topic: &str, doc_id: &str, message_type: &str, value: Vec<u8>) -> OutputRecord {
    OutputRecord {
        topic: topic.to_string(),
        key: doc_id.as_bytes().to_vec(),
        value,
        headers: output_headers(doc_id, message_type),
    }
}

impl Processor for ExtractorProcessor {
    fn stage(&self) -> &'static str {
        STAGE
    }

    /// The same messages as [`ExtractorProcessor::extract`], built one at a time: the text is
    /// dropped once analysed and each section and indicator once encoded, so a huge document
    /// is held about twice (analysis, then records) rather than four times.
    fn process(&self, input: &InputRecord) -> Result<Vec<OutputRecord>, Reject> {
        let v1::NormalizedReport {
            doc_id,
            text,
            source,
            ..
        } = decode(input)?;
        let analysis = self.extractor.analyze(&text);
        let text_chars = text.chars().count();
        drop(text);
        let document = convert::document(&doc_id, &analysis, source, text_chars);
        let mut out = Vec::with_capacity(1 + analysis.sections.len() + analysis.indicators.len());
        out.push(record(
            &self.topics.documents,
            &doc_id,
            TYPE_REPORT_DOCUMENT,
            document.encode_to_vec(),
        ));
        out.extend(analysis.sections.into_iter().map(|s| {
            let message = convert::section(&doc_id, &s);
            record(
                &self.topics.sections,
                &doc_id,
                TYPE_SECTION,
                message.encode_to_vec(),
            )
        }));
        out.extend(
            analysis
                .indicators
                .into_iter()
                .enumerate()
                .map(|(ordinal, ind)| {
                    let message = convert::indicator(&doc_id, &ind, ordinal);
                    record(
                        &self.topics.indicators,
                        &doc_id,
                        TYPE_INDICATOR,
                        message.encode_to_vec(),
                    )
                }),
        );
        Ok(out)
    }
}

/// Flags of the extractor worker: the shared [`WorkerArgs`] and its three output topics.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The flags every worker has.
    #[command(flatten)]
    pub worker: WorkerArgs,
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
}

impl Args {
    /// The layered configuration: this worker's defaults < file < `env` < flags. Returns it
    /// with the unrecognised `REPORTFLOW_*` variable names.
    pub fn load(&self, env: &Env) -> Result<(RuntimeConfig, Vec<String>), ConfigError> {
        let topics: std::collections::BTreeMap<String, String> = [
            (TOPIC_DOCUMENTS, &self.documents_topic),
            (TOPIC_SECTIONS, &self.sections_topic),
            (TOPIC_INDICATORS, &self.indicators_topic),
        ]
        .into_iter()
        .filter_map(|(name, topic)| Some((name.to_string(), topic.clone()?)))
        .collect();
        let own = RawConfig {
            topics: (!topics.is_empty()).then_some(topics),
            ..RawConfig::default()
        };
        self.worker
            .load(DEFAULT_GROUP_ID, DEFAULT_INPUT_TOPIC, own, env)
    }
}

/// The processor for a configuration (output topics from `[topics]` or the defaults).
pub fn processor(config: &RuntimeConfig) -> ExtractorProcessor {
    ExtractorProcessor::new(output_topics(config))
}

/// The whole process: loads the configuration from `args` and the process environment, sets
/// up logging, runs the worker until SIGTERM/SIGINT ([`reportflow_kafka::worker_main`]).
pub fn main_with_args(args: Args) -> Result<RunSummary, WorkerError> {
    reportflow_kafka::worker_main(args.load(&Env::process()), processor)
}

#[cfg(test)]
mod tests;
