//! The records the runtime hands to a [`Processor`] and gets back from it.
//!
//! The runtime knows only bytes, keys, headers and offsets: what the bytes mean is the
//! processor's business.

/// One consumed message, owned, as handed to [`Processor::process`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    /// The topic it was consumed from.
    pub topic: String,
    /// Its partition.
    pub partition: i32,
    /// Its offset within the partition.
    pub offset: i64,
    /// The message key, if any.
    pub key: Option<Vec<u8>>,
    /// The message value; `None` for a tombstone.
    pub value: Option<Vec<u8>>,
    /// The message headers, in order; a header without a value has an empty one.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The message timestamp (create or log-append time) in milliseconds since the epoch.
    pub timestamp_ms: Option<i64>,
}

impl InputRecord {
    /// Size of the key plus the value in bytes: what `max_message_bytes` limits.
    pub fn payload_len(&self) -> usize {
        self.key.as_ref().map_or(0, Vec::len) + self.value.as_ref().map_or(0, Vec::len)
    }

    /// The first header with this name, if any.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }
}

/// One message to produce downstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRecord {
    /// Destination topic.
    pub topic: String,
    /// Message key (the partitioner hashes it to choose the partition).
    pub key: Vec<u8>,
    /// Message value.
    pub value: Vec<u8>,
    /// Message headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Why an input cannot be processed; the runtime turns it into a dead letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The stage that refused the input (`decode`, `extract`, `encode`, …): the
    /// `reportflow.error.stage` header and the `stage` label of the dead-letter metric.
    pub stage: String,
    /// A short, stable, low-cardinality reason (`undecodable`, `too_large`, `panic`, …): the
    /// `reportflow.error.kind` header and the `kind` label of the dead-letter metric.
    pub kind: String,
    /// A human-readable description: the `reportflow.error.message` header.
    pub message: String,
}

impl Reject {
    /// A reject from `stage` of kind `kind`.
    pub fn new(
        stage: impl Into<String>,
        kind: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            stage: stage.into(),
            kind: kind.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}: {}", self.stage, self.kind, self.message)
    }
}

/// The per-message work a worker does: bytes in, records out (or a reject).
///
/// `process` runs on a blocking thread, bounded by `processing_threads`, so it may be CPU-heavy;
/// it must be deterministic enough that processing the same input twice (after a crash or a
/// rebalance: delivery is at-least-once) is harmless. A panic inside `process` is caught and
/// dead-lettered with kind `panic`.
pub trait Processor: Send + Sync + 'static {
    /// The stage name used as the `stage` label of the runtime's metrics.
    fn stage(&self) -> &'static str;

    /// Processes one input into zero or more outputs, or rejects it.
    fn process(&self, input: &InputRecord) -> Result<Vec<OutputRecord>, Reject>;
}

/// The message of a panic's payload (a `&str` or `String`, as `panic!` makes them), if it has
/// one.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> Option<String> {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
}
