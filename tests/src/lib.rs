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

/// Topic names the workers use by default.
pub mod topics {
    /// Raw report bytes.
    pub const RAW: &str = "reports.raw";
    /// `NormalizedReport` messages.
    pub const NORMALIZED: &str = "reports.normalized";
    /// `ReportDocument` messages.
    pub const DOCUMENTS: &str = "reports.documents";
    /// `Section` messages.
    pub const SECTIONS: &str = "reports.sections";
    /// `Indicator` messages.
    pub const INDICATORS: &str = "reports.indicators";
    /// Dead letters.
    pub const DLQ: &str = "reports.dlq";
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
