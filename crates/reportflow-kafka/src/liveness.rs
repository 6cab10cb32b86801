//! Liveness that tells the truth: `/health` fails when the consume loop is stuck, not only
//! when the process is gone.
//!
//! Progress is an offset commit that went through (at-least-once loops and sinks) or a
//! committed transaction (exactly-once). The process is *stalled* when it holds partitions,
//! input is waiting (consumer lag, or inputs taken and not finished), and nothing progressed for `liveness_timeout_ms`:
//! a processor caught in an endless loop, a sink waiting on a lock forever, a wedged client.
//! An idle worker (no lag) and one without partitions are live whatever the time since their
//! last commit; so is one whose lag is unknown (statistics off).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// When the loop last made progress, and how long without it means stalled.
#[derive(Debug)]
pub(crate) struct Liveness {
    last_progress: Mutex<Instant>,
    /// `None`: never stalled (liveness reflects only that the process serves requests).
    stall_after: Option<Duration>,
}

impl Liveness {
    /// A liveness that calls the loop stalled after `stall_after` without progress.
    pub fn new(stall_after: Option<Duration>) -> Self {
        Liveness {
            last_progress: Mutex::new(Instant::now()),
            stall_after,
        }
    }

    /// Notes progress now.
    pub fn progressed(&self) {
        *self
            .last_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
    }

    /// How long the loop has been stalled with `assigned` partitions and `pending` records of
    /// consumer lag, if it is (see the module docs).
    pub fn stalled(&self, assigned: i64, pending: i64) -> Option<Duration> {
        let limit = self.stall_after?;
        let since = self
            .last_progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed();
        (assigned > 0 && pending > 0 && since > limit).then_some(since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stalled_only_with_partitions_pending_input_and_no_progress() {
        let live = Liveness::new(Some(Duration::from_millis(20)));
        assert_eq!(live.stalled(1, 5), None, "fresh");
        std::thread::sleep(Duration::from_millis(40));
        assert!(live.stalled(1, 5).is_some());
        assert_eq!(live.stalled(0, 5), None, "no partitions");
        assert_eq!(live.stalled(1, 0), None, "nothing pending");
        live.progressed();
        assert_eq!(live.stalled(1, 5), None, "just progressed");
        let off = Liveness::new(None);
        std::thread::sleep(Duration::from_millis(25));
        assert_eq!(off.stalled(1, 5), None, "disabled");
    }
}
