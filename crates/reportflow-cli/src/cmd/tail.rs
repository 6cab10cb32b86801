//! `reportflow tail`: prints the messages of any reportflow topic as JSON lines.
//!
//! Each line is an envelope `{"topic","partition","offset","key","headers","value"}`: `key`
//! is the key as UTF-8 (lossy; `null` when absent), `headers` an object of header name →
//! value (UTF-8, lossy; a repeated name keeps the last value), and `value` the decoded
//! message in the protobuf JSON mapping (camelCase, enum names). Raw reports and the original
//! values carried by dead letters are printed as `{"bytes": N, "base64": "…"}`; a dead letter
//! also gets `"error": {"stage","kind","message"}` and `"source": {"topic","partition",
//! "offset"}` from its `reportflow.*` headers. A value that does not decode as the expected
//! type is printed as raw bytes with `"decodeError"`.
//!
//! The message type comes from `--type`, by default from the topic name's suffix (`.raw`,
//! `.normalized`, `.documents`, `.sections`, `.indicators`, `.dlq`), else from the
//! `reportflow.message-type` header, else raw.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Message, Offset, TopicPartitionList};
use reportflow_kafka::dlq::{
    HEADER_ERROR_KIND, HEADER_ERROR_MESSAGE, HEADER_ERROR_STAGE, HEADER_SOURCE_OFFSET,
    HEADER_SOURCE_PARTITION, HEADER_SOURCE_TOPIC, HEADER_WORKER,
};
use reportflow_proto::names::{self, HEADER_MESSAGE_TYPE};
use reportflow_proto::v1;

use super::client::{wait_for_cluster, ConnectArgs, Connection, ErrorContext};
use serde_json::{json, Value};

/// How to decode values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Type {
    /// From the topic name suffix, else the `reportflow.message-type` header, else raw.
    Auto,
    /// Raw bytes (base64).
    Raw,
    /// reportflow.v1.NormalizedReport.
    Normalized,
    /// reportflow.v1.ReportDocument.
    Document,
    /// reportflow.v1.Section.
    Section,
    /// reportflow.v1.Indicator.
    Indicator,
    /// A dead letter: error headers plus the original value as base64.
    Dlq,
}

/// Arguments of `reportflow tail`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Output: one JSON object per message, {\"topic\", \"partition\", \"offset\", \"key\", \"headers\", \
\"value\"}; value is the protobuf JSON of the message. Raw reports and the original value of a \
dead letter are {\"bytes\": N, \"base64\": ...}; a dead letter adds \"error\" {stage, kind, \
message}, \"source\" {topic, partition, offset} and \"worker\" from its reportflow.* headers.")]
pub struct Args {
    /// Brokers, `--config`, `--connect-timeout-secs`.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Topic to read.
    #[arg(long)]
    pub topic: String,
    /// Start at the beginning of every partition (`--from-beginning false`: only new
    /// messages).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub from_beginning: bool,
    /// Stop after this many messages.
    #[arg(long, value_name = "N")]
    pub max: Option<u64>,
    /// Stop when no message arrived for this long (default: follow forever).
    #[arg(long, value_name = "MS")]
    pub timeout_ms: Option<u64>,
    /// How to decode values.
    #[arg(long = "type", value_enum, default_value_t = Type::Auto)]
    pub kind: Type,
}

/// The type `auto` resolves to for a topic name (before looking at headers).
pub fn type_for_topic(topic: &str) -> Option<Type> {
    let suffix = topic.rsplit(['.', '-', '_']).next().unwrap_or(topic);
    Some(match suffix {
        "raw" => Type::Raw,
        "normalized" => Type::Normalized,
        "documents" => Type::Document,
        "sections" => Type::Section,
        "indicators" => Type::Indicator,
        "dlq" => Type::Dlq,
        _ => return None,
    })
}

fn type_for_header(name: &str) -> Type {
    match name {
        names::TYPE_NORMALIZED_REPORT => Type::Normalized,
        names::TYPE_REPORT_DOCUMENT => Type::Document,
        names::TYPE_SECTION => Type::Section,
        names::TYPE_INDICATOR => Type::Indicator,
        _ => Type::Raw,
    }
}

fn bytes_json(bytes: &[u8]) -> Value {
    json!({
        "bytes": bytes.len(),
        "base64": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

fn decode<M: prost::Message + Default + serde::Serialize>(bytes: &[u8]) -> Value {
    match M::decode(bytes) {
        Ok(m) => serde_json::to_value(&m).unwrap_or(Value::Null),
        Err(err) => {
            let mut v = bytes_json(bytes);
            v["decodeError"] = json!(err.to_string());
            v
        }
    }
}

/// Decodes one value.
pub fn decode_value(kind: Type, value: &[u8], headers: &[(String, String)]) -> Value {
    let header = |name: &str| {
        headers
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match kind {
        Type::Auto => {
            let resolved = header(HEADER_MESSAGE_TYPE)
                .map(type_for_header)
                .unwrap_or(Type::Raw);
            decode_value(resolved, value, headers)
        }
        Type::Raw => bytes_json(value),
        Type::Normalized => decode::<v1::NormalizedReport>(value),
        Type::Document => decode::<v1::ReportDocument>(value),
        Type::Section => decode::<v1::Section>(value),
        Type::Indicator => decode::<v1::Indicator>(value),
        Type::Dlq => {
            let mut v = bytes_json(value);
            v["error"] = json!({
                "stage": header(HEADER_ERROR_STAGE),
                "kind": header(HEADER_ERROR_KIND),
                "message": header(HEADER_ERROR_MESSAGE),
            });
            v["source"] = json!({
                "topic": header(HEADER_SOURCE_TOPIC),
                "partition": header(HEADER_SOURCE_PARTITION).and_then(|p| p.parse::<i64>().ok()),
                "offset": header(HEADER_SOURCE_OFFSET).and_then(|p| p.parse::<i64>().ok()),
            });
            v["worker"] = json!(header(HEADER_WORKER));
            v
        }
    }
}

/// The headers of a message as (name, UTF-8 lossy value).
pub fn headers_of(m: &BorrowedMessage<'_>) -> Vec<(String, String)> {
    m.headers()
        .map(|hs| {
            hs.iter()
                .map(|h| {
                    (
                        h.key.to_string(),
                        String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON envelope of one message.
pub fn envelope(m: &BorrowedMessage<'_>, kind: Type) -> Value {
    let headers = headers_of(m);
    let kind = match kind {
        Type::Auto => type_for_topic(m.topic()).unwrap_or(Type::Auto),
        k => k,
    };
    let value = match m.payload() {
        Some(bytes) => decode_value(kind, bytes, &headers),
        None => Value::Null,
    };
    let header_map: BTreeMap<String, String> = headers.into_iter().collect();
    json!({
        "topic": m.topic(),
        "partition": m.partition(),
        "offset": m.offset(),
        "key": m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
        "headers": header_map,
        "value": value,
    })
}

/// A consumer assigned to every partition of `topic` (no group membership, no commits).
pub fn assigned_consumer(
    conn: &Connection,
    topic: &str,
    offset: Offset,
) -> anyhow::Result<(BaseConsumer<ErrorContext>, Vec<i32>)> {
    let context = ErrorContext::default();
    let consumer: BaseConsumer<ErrorContext> = conn
        .consumer_config(&[
            ("group.id", "reportflow-tail".to_string()),
            ("enable.auto.commit", "false".to_string()),
            ("enable.partition.eof", "false".to_string()),
            ("fetch.wait.max.ms", "100".to_string()),
        ])
        .create_with_context(context.clone())
        .context("creating the consumer")?;
    wait_for_cluster(
        consumer.client(),
        &context,
        conn,
        "reading",
        || match consumer.poll(Duration::ZERO) {
            Some(Err(e)) => Some(e.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail)),
            _ => None,
        },
    )?;
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .with_context(|| format!("reading the metadata of {topic}"))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    anyhow::ensure!(!partitions.is_empty(), "topic {topic} has no partitions");
    let mut tpl = TopicPartitionList::new();
    for p in &partitions {
        tpl.add_partition_offset(topic, *p, offset)?;
    }
    consumer.assign(&tpl)?;
    Ok((consumer, partitions))
}

/// Prints messages until `--max` or `--timeout-ms`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let offset = if args.from_beginning {
        Offset::Beginning
    } else {
        Offset::End
    };
    let conn = args.connect.resolve()?;
    let (consumer, _) = assigned_consumer(&conn, &args.topic, offset)?;
    let timeout = args.timeout_ms.map(Duration::from_millis);
    let mut last = Instant::now();
    let mut printed = 0u64;
    let stdout = std::io::stdout();
    loop {
        if args.max.is_some_and(|max| printed >= max) {
            break;
        }
        if timeout.is_some_and(|t| last.elapsed() >= t) {
            break;
        }
        match consumer.poll(Duration::from_millis(100)) {
            None => {}
            Some(Err(err)) => eprintln!("warning: {err}"),
            Some(Ok(m)) => {
                let line = envelope(&m, args.kind);
                let mut out = stdout.lock();
                serde_json::to_writer(&mut out, &line)?;
                out.write_all(b"\n")?;
                out.flush()?;
                printed += 1;
                last = Instant::now();
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_topic_names() {
        assert_eq!(type_for_topic("reports.indicators"), Some(Type::Indicator));
        assert_eq!(type_for_topic("staging.reports.dlq"), Some(Type::Dlq));
        assert_eq!(type_for_topic("reports.raw"), Some(Type::Raw));
        assert_eq!(type_for_topic("other"), None);
    }

    #[test]
    fn dead_letters_show_their_error() {
        let headers = vec![
            (HEADER_ERROR_KIND.to_string(), "empty".to_string()),
            (HEADER_SOURCE_OFFSET.to_string(), "12".to_string()),
        ];
        let v = decode_value(Type::Dlq, b"abc", &headers);
        assert_eq!(v["error"]["kind"], "empty");
        assert_eq!(v["source"]["offset"], 12);
        assert_eq!(v["base64"], "YWJj");
        let v = decode_value(Type::Indicator, &[0xff, 0xff], &[]);
        assert!(v["decodeError"].is_string());
    }
}
