//! Fixtures of the reportflow end-to-end tests, shared with `reportflow-bench`.
//!
//! The tests run the real binaries (`reportflow-normalizer`, `reportflow-extractor`,
//! `reportflow`) as child processes against a real broker, because what they check (consumer
//! groups, rebalancing after `kill -9`, dead letters with headers, 20 MiB records) lives in the
//! interaction of processes and a broker, not in any one function.
//!
//! - [`broker`]: the [`broker::Broker`] fixture with two implementations,
//!   [`broker::ApacheKafka`] (one node or a cluster) and [`broker::Embedded`]
//!   (`reportflow dev-broker`);
//! - [`process`]: locating the built binaries and a guard that kills a child on drop;
//! - [`kafka`]: topic creation, producing inputs, reading topics back and decoding them;
//! - [`data`]: the test inputs, generated from the seed reports at run time;
//! - [`expect`]: what the pipeline must output, computed with `reportflow extract`;
//! - [`pipeline`]: worker processes and a collector of every output topic;
//! - [`postgres`]: a throw-away PostgreSQL database and the PostgreSQL sink process.

pub mod broker;
pub mod data;
pub mod expect;
pub mod kafka;
pub mod pipeline;
pub mod postgres;
pub mod process;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Topic names the workers use by default (defined in `reportflow_proto::topics` and, for
/// the dead letters, `reportflow_kafka::config`).
/// Header names the workers write: the dead letters' (`reportflow_kafka::dlq`) and the
/// outputs' (`reportflow_proto::names`).
pub mod headers {
    pub use reportflow_kafka::dlq::{
        DLQ_HEADERS, HEADER_DROPPED, HEADER_ERROR_KIND, HEADER_ERROR_MESSAGE, HEADER_ERROR_STAGE,
        HEADER_PREFIX, HEADER_SOURCE_OFFSET, HEADER_SOURCE_PARTITION, HEADER_SOURCE_TOPIC,
        HEADER_WORKER,
    };
    pub use reportflow_proto::names::{HEADER_DOC_ID, HEADER_MESSAGE_TYPE};
}

pub mod topics {
    pub use reportflow_kafka::config::DEFAULT_DLQ_TOPIC as DLQ;
    pub use reportflow_proto::topics::{
        DEFAULT_DOCUMENTS_TOPIC as DOCUMENTS, DEFAULT_INDICATORS_TOPIC as INDICATORS,
        DEFAULT_NORMALIZED_TOPIC as NORMALIZED, DEFAULT_RAW_TOPIC as RAW,
        DEFAULT_SECTIONS_TOPIC as SECTIONS,
    };
    /// Every topic of the pipeline.
    pub const ALL: [&str; 6] = [RAW, NORMALIZED, DOCUMENTS, SECTIONS, INDICATORS, DLQ];
}

/// Serialises the end-to-end tests of one process: each starts a broker and four workers, and
/// on two cores running them side by side only makes every deadline flaky.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    // A failed (panicked) test poisons the lock; the next test can still run.
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Calls `f` every `every` until it returns `Some` or `timeout` passes.
pub fn poll_until<T>(
    timeout: Duration,
    every: Duration,
    mut f: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(every);
    }
}
