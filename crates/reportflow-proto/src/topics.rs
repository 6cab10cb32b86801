//! The topics the pipeline's messages travel on, one per message type.
//!
//! Part of the contract next to the messages themselves: the crawlers write raw reports to
//! [`DEFAULT_RAW_TOPIC`], the normalizer `NormalizedReport` messages to
//! [`DEFAULT_NORMALIZED_TOPIC`], the extractor `ReportDocument`, `Section` and `Indicator`
//! messages to the three dataset topics and every sink reads them from there, so the names and
//! their defaults are defined once, here (the dead-letter topic, which the runtime writes, is
//! `reportflow_kafka::config::DEFAULT_DLQ_TOPIC`).

/// Default topic of the raw report bytes (the normalizer's input).
pub const DEFAULT_RAW_TOPIC: &str = "reports.raw";
/// Default topic of `NormalizedReport` messages (the normalizer's output, the extractor's
/// input).
pub const DEFAULT_NORMALIZED_TOPIC: &str = "reports.normalized";
/// Default topic of `ReportDocument` messages.
pub const DEFAULT_DOCUMENTS_TOPIC: &str = "reports.documents";
/// Default topic of `Section` messages.
pub const DEFAULT_SECTIONS_TOPIC: &str = "reports.sections";
/// Default topic of `Indicator` messages.
pub const DEFAULT_INDICATORS_TOPIC: &str = "reports.indicators";

/// The topic of each extracted message type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetTopics {
    /// Topic of `ReportDocument` messages.
    pub documents: String,
    /// Topic of `Section` messages.
    pub sections: String,
    /// Topic of `Indicator` messages.
    pub indicators: String,
}

impl Default for DatasetTopics {
    fn default() -> Self {
        DatasetTopics {
            documents: DEFAULT_DOCUMENTS_TOPIC.into(),
            sections: DEFAULT_SECTIONS_TOPIC.into(),
            indicators: DEFAULT_INDICATORS_TOPIC.into(),
        }
    }
}

impl DatasetTopics {
    /// The three topics, in the order documents, sections, indicators.
    pub fn all(&self) -> Vec<String> {
        vec![
            self.documents.clone(),
            self.sections.clone(),
            self.indicators.clone(),
        ]
    }
}
