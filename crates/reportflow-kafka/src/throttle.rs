//! Log throttling: a repeated error is logged once, then at most once per interval with the
//! number of repetitions it stands for.
//!
//! A worker whose broker is down sees the same failure many times a second, from several
//! sources (librdkafka's log and error callbacks, the consumer stream). Each source asks
//! [`LogThrottle::check`] with a key naming the error (digits removed, so "after 120ms" and
//! "after 130ms" are one error); the first occurrence is logged, the following ones only
//! counted until the interval has passed, when the next occurrence is logged with
//! `repeated` = the occurrences suppressed in between.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often one repeated error is logged at most.
pub(crate) const REPEAT_LOG_INTERVAL: Duration = Duration::from_secs(10);
/// Keys remembered at most (older ones are forgotten when full).
const MAX_KEYS: usize = 256;

#[derive(Debug)]
struct Entry {
    logged_at: Instant,
    suppressed: u64,
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct LogThrottle {
    interval: Duration,
    seen: Mutex<HashMap<String, Entry>>,
}

impl LogThrottle {
    pub fn new(interval: Duration) -> Self {
        LogThrottle {
            interval,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Whether to log an occurrence of the error `key` now: `Some(n)` to log it, `n` being the
    /// occurrences suppressed since it was last logged; `None` to suppress it (it is counted).
    pub fn check(&self, key: &str) -> Option<u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Option<u64> {
        let key = normalize(key);
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(entry) = seen.get_mut(&key) {
            if now.saturating_duration_since(entry.logged_at) < self.interval {
                entry.suppressed += 1;
                return None;
            }
            let suppressed = entry.suppressed;
            entry.logged_at = now;
            entry.suppressed = 0;
            return Some(suppressed);
        }
        if seen.len() >= MAX_KEYS {
            let interval = self.interval;
            seen.retain(|_, e| now.saturating_duration_since(e.logged_at) < interval);
            if seen.len() >= MAX_KEYS {
                seen.clear();
            }
        }
        seen.insert(
            key,
            Entry {
                logged_at: now,
                suppressed: 0,
            },
        );
        Some(0)
    }
}

/// The key without its digits (counters, durations, ports vary between repetitions).
fn normalize(key: &str) -> String {
    key.chars().filter(|c| !c.is_ascii_digit()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_once_per_interval_with_the_count() {
        let t = LogThrottle::new(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(t.check_at("broker down after 12ms", start), Some(0));
        for i in 1..=45 {
            let at = start + Duration::from_millis(i * 100);
            assert_eq!(t.check_at(&format!("broker down after {i}ms"), at), None);
        }
        // Another error is not held back by the first.
        assert_eq!(t.check_at("other", start + Duration::from_secs(1)), Some(0));
        assert_eq!(
            t.check_at("broker down after 7ms", start + Duration::from_secs(10)),
            Some(45)
        );
        assert_eq!(
            t.check_at("broker down after 7ms", start + Duration::from_secs(11)),
            None
        );
    }

    #[test]
    fn bounded_memory() {
        let t = LogThrottle::new(Duration::from_secs(10));
        let now = Instant::now();
        for i in 0..1000 {
            let key: String =
                std::iter::repeat_n('x', i % 7 + 1).collect::<String>() + &"y".repeat(i);
            t.check_at(&key, now);
        }
        assert!(t.seen.lock().unwrap().len() <= MAX_KEYS);
    }
}
