//! The names the pipeline's messages travel with, defined once: the headers every worker
//! output carries and the message-type names they hold. The topics are in [`crate::topics`].

/// Output header carrying the document id (also the record key).
pub const HEADER_DOC_ID: &str = "reportflow.doc-id";
/// Output header naming the protobuf message type of the value.
pub const HEADER_MESSAGE_TYPE: &str = "reportflow.message-type";

/// [`HEADER_MESSAGE_TYPE`] of a `NormalizedReport`.
pub const TYPE_NORMALIZED_REPORT: &str = "reportflow.v1.NormalizedReport";
/// [`HEADER_MESSAGE_TYPE`] of a `ReportDocument`.
pub const TYPE_REPORT_DOCUMENT: &str = "reportflow.v1.ReportDocument";
/// [`HEADER_MESSAGE_TYPE`] of a `Section`.
pub const TYPE_SECTION: &str = "reportflow.v1.Section";
/// [`HEADER_MESSAGE_TYPE`] of an `Indicator`.
pub const TYPE_INDICATOR: &str = "reportflow.v1.Indicator";

/// The headers of a worker output: [`HEADER_DOC_ID`] and [`HEADER_MESSAGE_TYPE`].
pub fn output_headers(doc_id: &str, message_type: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        (HEADER_DOC_ID.to_string(), doc_id.as_bytes().to_vec()),
        (
            HEADER_MESSAGE_TYPE.to_string(),
            message_type.as_bytes().to_vec(),
        ),
    ]
}
