//! The librdkafka client contexts: rebalance handling, commits, statistics and log routing.
//!
//! Rebalance callbacks run inside the consumer poll, on the task that dispatches messages, so
//! no message of a revoked partition can be dispatched while its revocation is handled. On
//! revocation the callback first waits (up to `revoke_timeout`) for the partitions' in-flight
//! messages to finish, so that a hand-over normally duplicates nothing; then it commits their
//! safe offsets synchronously (unless the assignment was lost, in which case another member may
//! already own them) and abandons whatever is still in flight: its completions are ignored and
//! those messages will be redelivered to the new owner.
//!
//! Each partition given up is counted once ([`crate::metrics`]): as revoked when the hand-over
//! was clean (nothing abandoned, its progress committed: the new owner redoes nothing), else as
//! lost, by reason: the assignment was lost, the revocation's commit failed (it is not retried:
//! a refusal such as `REBALANCE_IN_PROGRESS` means the group already moved on, and only after
//! this callback returns can the member rejoin), or in-flight work was abandoned. A lost
//! partition's uncommitted messages are redone by the new owner (at-least-once).
//!
//! Every commit (periodic, on revocation, at shutdown) holds `Shared::commit_lock` from the
//! moment it reads the safe offsets until the broker answers, so a periodic commit cannot land
//! after the revocation of the partitions it names.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rdkafka::client::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::statistics::Statistics;
use rdkafka::{Offset, TopicPartitionList};

use crate::liveness::Liveness;
use crate::metrics::{LostReason, Metrics};
use crate::partitions::{PartitionTable, TopicPartition};
use crate::resets::Resets;
use crate::throttle::{LogThrottle, REPEAT_LOG_INTERVAL};

/// State shared by the dispatch loop, the processing tasks, the committer, the HTTP server and
/// the Kafka callbacks.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Assigned partitions and their offset trackers.
    pub table: Mutex<PartitionTable>,
    /// Notified whenever a message completes (paired with `table`).
    pub table_changed: Condvar,
    /// Longest wait for in-flight work of revoked partitions.
    pub revoke_timeout: Duration,
    /// Held across every commit (see the module docs).
    pub commit_lock: Mutex<()>,
    /// The runtime's metrics.
    pub metrics: Metrics,
    /// Set once shutdown starts: `/ready` answers 503 from then on.
    pub shutting_down: AtomicBool,
    /// A fatal client error, if one happened.
    pub fatal: Mutex<Option<String>>,
    /// Woken when `fatal` is set.
    pub fatal_notify: tokio::sync::Notify,
    /// Holds back repeated warnings and errors (see [`crate::throttle`]).
    pub log_throttle: LogThrottle,
    /// Partitions reset after missing data (see [`crate::resets`]).
    pub resets: Resets,
    /// When the loop last made progress: `/health` (see [`crate::liveness`]).
    pub liveness: Liveness,
}

impl Shared {
    pub fn new(metrics: Metrics, revoke_timeout: Duration, stall_after: Option<Duration>) -> Self {
        Shared {
            table: Mutex::new(PartitionTable::default()),
            table_changed: Condvar::new(),
            revoke_timeout,
            commit_lock: Mutex::new(()),
            metrics,
            shutting_down: AtomicBool::new(false),
            fatal: Mutex::new(None),
            fatal_notify: tokio::sync::Notify::new(),
            log_throttle: LogThrottle::new(REPEAT_LOG_INTERVAL),
            resets: Resets::default(),
            liveness: Liveness::new(stall_after),
        }
    }

    /// Locks the partition table. A panic while holding it cannot leave it inconsistent (every
    /// method is a single map operation), so poisoning is ignored.
    pub fn table(&self) -> MutexGuard<'_, PartitionTable> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn lock_commits(&self) -> MutexGuard<'_, ()> {
        self.commit_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Ready: joined the group, holds at least one partition, not shutting down.
    pub fn is_ready(&self) -> bool {
        !self.shutting_down.load(Ordering::SeqCst) && self.table().len() > 0
    }

    /// Records a fatal error (the first one wins) and wakes the runtime.
    pub fn set_fatal(&self, message: String) {
        let mut fatal = self.fatal.lock().unwrap_or_else(PoisonError::into_inner);
        if fatal.is_none() {
            *fatal = Some(message);
        }
        drop(fatal);
        self.fatal_notify.notify_waiters();
        self.fatal_notify.notify_one();
    }

    pub fn fatal(&self) -> Option<String> {
        self.fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Commits `offsets` synchronously (the caller holds the commit lock) and records the
    /// result in the table and the metrics. Returns whether the commit succeeded.
    pub fn commit_offsets<C: Consumer<X>, X: ConsumerContext>(
        &self,
        consumer: &C,
        offsets: &[(TopicPartition, i64)],
        why: &'static str,
    ) -> bool {
        if offsets.is_empty() {
            return true;
        }
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), offset) in offsets {
            if let Err(err) = tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset)) {
                tracing::error!(error = %err, topic, partition, "Could not build the commit list.");
                return false;
            }
        }
        match consumer.commit(&tpl, CommitMode::Sync) {
            Ok(()) => {
                self.metrics.commit(true);
                self.liveness.progressed();
                let mut table = self.table();
                for ((topic, partition), offset) in offsets {
                    table.mark_committed(topic, *partition, *offset);
                }
                drop(table);
                tracing::debug!(reason = why, partitions = offsets.len(), offsets = ?offsets, "Committed offsets.");
                true
            }
            Err(err) => {
                self.metrics.commit(false);
                use rdkafka::error::RDKafkaErrorCode as Code;
                let rebalancing = matches!(
                    err.rdkafka_error_code(),
                    Some(
                        Code::RebalanceInProgress | Code::IllegalGeneration | Code::UnknownMemberId
                    )
                );
                // What becomes of the offsets (the revocation's caller counts its partitions as
                // lost, the runtime warns when the shutdown commit fails).
                let then = match why {
                    "periodic" => "retried at the next interval",
                    "batch" => "retried with the next batch",
                    "shutdown" => "retried once, when leaving the group",
                    _ => "not retried",
                };
                if rebalancing {
                    tracing::info!(error = %err, reason = why, then, offsets = ?offsets, "An offset commit crossed a rebalance.");
                } else {
                    tracing::warn!(error = %err, reason = why, then, offsets = ?offsets, "Offset commit failed.");
                }
                false
            }
        }
    }
}

/// Routes a librdkafka log line to tracing; warnings and errors repeated within the throttle's
/// interval are logged once, with `repeated` = how many were held back.
fn log_to_tracing(
    shared: &Shared,
    client: &'static str,
    level: RDKafkaLogLevel,
    fac: &str,
    message: &str,
) {
    let severe = matches!(
        level,
        RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error
            | RDKafkaLogLevel::Warning
    );
    let repeated = if severe {
        match shared
            .log_throttle
            .check(&format!("log:{client}:{fac}:{message}"))
        {
            Some(n) => n,
            None => return,
        }
    } else {
        0
    };
    match level {
        RDKafkaLogLevel::Emerg
        | RDKafkaLogLevel::Alert
        | RDKafkaLogLevel::Critical
        | RDKafkaLogLevel::Error => {
            tracing::error!(target: "librdkafka", client, facility = fac, repeated, "{message}")
        }
        RDKafkaLogLevel::Warning => {
            tracing::warn!(target: "librdkafka", client, facility = fac, repeated, "{message}")
        }
        RDKafkaLogLevel::Notice | RDKafkaLogLevel::Info => {
            tracing::info!(target: "librdkafka", client, facility = fac, "{message}")
        }
        RDKafkaLogLevel::Debug => {
            tracing::debug!(target: "librdkafka", client, facility = fac, "{message}")
        }
    }
}

/// Logs a non-fatal consumer error (from the error callback or the consumer stream, which
/// often report the same failure) once per throttle interval and error code.
pub(crate) fn log_consumer_error(shared: &Shared, error: &KafkaError, reason: &str) {
    let key = match error.rdkafka_error_code() {
        Some(code) => format!("consumer-error:{code:?}"),
        None => format!("consumer-error:{error}"),
    };
    if let Some(repeated) = shared.log_throttle.check(&key) {
        tracing::warn!(target: "librdkafka", client = "consumer", error = %error, reason, repeated, "The consumer reported an error; consuming goes on.");
    }
}

/// Context of the consumer.
pub(crate) struct ConsumerCtx {
    pub shared: Arc<Shared>,
}

impl ClientContext for ConsumerCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        if (level as i32) <= RDKafkaLogLevel::Warning as i32 {
            self.shared.resets.on_log(fac, log_message);
        }
        log_to_tracing(&self.shared, "consumer", level, fac, log_message);
    }

    fn stats(&self, statistics: Statistics) {
        let assigned = self.shared.table().partitions();
        for (topic, partition) in assigned {
            let lag = statistics
                .topics
                .get(&topic)
                .and_then(|t| t.partitions.get(&partition))
                .and_then(|p| {
                    if p.consumer_lag >= 0 {
                        Some(p.consumer_lag)
                    } else if p.hi_offset >= 0 && p.app_offset >= 0 {
                        Some((p.hi_offset - p.app_offset).max(0))
                    } else {
                        None
                    }
                });
            self.shared.metrics.set_lag(&topic, partition, lag);
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        log_consumer_error(&self.shared, &error, reason);
    }
}

impl ConsumerContext for ConsumerCtx {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => self.on_revoke(consumer, tpl),
            Rebalance::Assign(_) => {}
            Rebalance::Error(err) => {
                tracing::warn!(error = %err, "The consumer group rebalance failed.")
            }
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            let _commits = self.shared.lock_commits();
            let mut table = self.shared.table();
            for elem in tpl.elements() {
                table.assign(elem.topic(), elem.partition());
            }
            let total = table.len();
            drop(table);
            self.shared.metrics.assigned_partitions.set(total as i64);
            let added: Vec<String> = tpl
                .elements()
                .iter()
                .map(|e| format!("{}/{}", e.topic(), e.partition()))
                .collect();
            tracing::info!(
                added = ?added,
                assigned = total,
                "Partitions assigned."
            );
        }
    }

    fn commit_callback(&self, result: KafkaResult<()>, _offsets: &TopicPartitionList) {
        if let Err(err) = result {
            tracing::debug!(error = %err, "An asynchronous commit failed.");
        }
    }
}

impl ConsumerCtx {
    /// Waits until the partitions have nothing in flight, or the revoke timeout passes.
    /// Returns how many messages are still in flight.
    fn drain(&self, partitions: &[TopicPartition]) -> usize {
        let deadline = Instant::now() + self.shared.revoke_timeout;
        let wait = || {
            let mut table = self.shared.table();
            loop {
                let left = table.in_flight_of(partitions);
                let now = Instant::now();
                if left == 0 || now >= deadline {
                    return left;
                }
                table = self
                    .shared
                    .table_changed
                    .wait_timeout(table, deadline - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
        };
        // The callback runs inside the consumer poll, usually on a runtime worker thread: let
        // the runtime move its other tasks (the in-flight work we wait for) elsewhere.
        match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
            _ => wait(),
        }
    }

    fn on_revoke(&self, consumer: &BaseConsumer<Self>, tpl: &TopicPartitionList) {
        let partitions: Vec<TopicPartition> = tpl
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        let lost = consumer.assignment_lost();
        // At shutdown the runtime already waited for in-flight work (what is left was
        // abandoned at the deadline and will not finish).
        if !lost && !self.shared.shutting_down.load(Ordering::SeqCst) {
            let started = Instant::now();
            let left = self.drain(&partitions);
            tracing::debug!(
                waited_ms = started.elapsed().as_millis() as u64,
                still_in_flight = left,
                "Waited for the in-flight work of revoked partitions."
            );
        }
        let _commits = self.shared.lock_commits();
        let (commits, abandoned, total) = self.untrack(&partitions);
        if lost {
            self.shared
                .metrics
                .partitions_lost(LostReason::AssignmentLost, partitions.len());
            tracing::warn!(
                partitions = ?names(&partitions),
                uncommitted = ?commits,
                abandoned = abandoned.iter().map(|(_, n)| n).sum::<usize>(),
                assigned = total,
                "Partitions were lost (the assignment was lost: the session expired or the member was fenced); their progress since the last commit will be redone by the new owner."
            );
            return;
        }
        let committed = self.shared.commit_offsets(consumer, &commits, "revoke");
        self.count_revoked(&partitions, &commits, committed, &abandoned, total);
    }

    /// Stops tracking the revoked `partitions`: their safe offsets to commit, their in-flight
    /// messages abandoned, and how many partitions are still assigned.
    fn untrack(&self, partitions: &[TopicPartition]) -> RevokedParts {
        let mut commits = Vec::new();
        let mut abandoned = Vec::new();
        let mut table = self.shared.table();
        for (topic, partition) in partitions {
            if let Some(revoked) = table.revoke(topic, *partition) {
                if revoked.abandoned > 0 {
                    abandoned.push(((topic.clone(), *partition), revoked.abandoned));
                }
                if let Some(offset) = revoked.commit {
                    commits.push(((topic.clone(), *partition), offset));
                }
            }
            self.shared.metrics.set_lag(topic, *partition, None);
            self.shared.resets.forget(topic, *partition);
        }
        let total = table.len();
        drop(table);
        self.shared.metrics.assigned_partitions.set(total as i64);
        (commits, abandoned, total)
    }

    /// Counts and logs each revoked partition once: commit failure first, then abandoned
    /// work, else clean.
    fn count_revoked(
        &self,
        partitions: &[TopicPartition],
        commits: &[(TopicPartition, i64)],
        committed: bool,
        abandoned: &[(TopicPartition, usize)],
        total: usize,
    ) {
        let mut commit_failed = Vec::new();
        let mut left_in_flight = Vec::new();
        let mut clean = Vec::new();
        for tp in partitions {
            if !committed && commits.iter().any(|(c, _)| c == tp) {
                commit_failed.push(tp);
            } else if abandoned.iter().any(|(a, _)| a == tp) {
                left_in_flight.push(tp);
            } else {
                clean.push(tp);
            }
        }
        let metrics = &self.shared.metrics;
        metrics.partitions_revoked(clean.len());
        metrics.partitions_lost(LostReason::CommitFailed, commit_failed.len());
        metrics.partitions_lost(LostReason::InFlightAbandoned, left_in_flight.len());
        if commit_failed.is_empty() && left_in_flight.is_empty() {
            tracing::info!(
                partitions = ?names(partitions),
                committed = ?commits,
                assigned = total,
                "Partitions revoked."
            );
        } else {
            tracing::warn!(
                partitions = ?names(partitions),
                clean = ?names(clean),
                commit_failed = ?names(commit_failed),
                in_flight_abandoned = ?names(left_in_flight),
                committed = ?if committed { commits.to_vec() } else { Vec::new() },
                uncommitted = ?if committed { Vec::new() } else { commits.to_vec() },
                abandoned = ?abandoned,
                assigned = total,
                "Partitions revoked without a clean hand-over; the new owner will redo their uncommitted messages."
            );
        }
    }
}

/// What [`ConsumerCtx::untrack`] gives: the offsets to commit, the in-flight messages
/// abandoned per partition, and how many partitions stay assigned.
type RevokedParts = (
    Vec<(TopicPartition, i64)>,
    Vec<(TopicPartition, usize)>,
    usize,
);

/// `topic/partition` names, for logs.
fn names<'a>(tps: impl IntoIterator<Item = &'a TopicPartition>) -> Vec<String> {
    tps.into_iter().map(|(t, p)| format!("{t}/{p}")).collect()
}

/// Context of the producer: log routing and fatal-error detection.
pub(crate) struct ProducerCtx {
    pub shared: Arc<Shared>,
}

impl ClientContext for ProducerCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        log_to_tracing(&self.shared, "producer", level, fac, log_message);
    }

    fn stats(&self, _statistics: Statistics) {}

    fn error(&self, error: KafkaError, reason: &str) {
        let fatal = matches!(
            error.rdkafka_error_code(),
            Some(rdkafka::error::RDKafkaErrorCode::Fatal)
        );
        if fatal {
            tracing::error!(error = %error, reason, "The producer failed fatally.");
            self.shared.set_fatal(format!("{error}: {reason}"));
        } else {
            let key = match error.rdkafka_error_code() {
                Some(code) => format!("producer-error:{code:?}"),
                None => format!("producer-error:{error}"),
            };
            if let Some(repeated) = self.shared.log_throttle.check(&key) {
                tracing::warn!(target: "librdkafka", client = "producer", error = %error, reason, repeated, "The producer reported an error.");
            }
        }
    }
}
