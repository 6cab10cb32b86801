//! Prometheus metrics of the runtime, in a registry of their own (not the process-global one,
//! so that several runtimes, e.g. in tests, do not collide).
//!
//! Every metric of the registry carries the constant label `stage`: the process's stage (the
//! processor's stage, or the sink's name), set on the whole registry by
//! [`Metrics::for_stage`], so that dashboards and alerts group by `stage` whatever scrape job
//! the process is in. The labels below are the metrics' own, besides `stage`:
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `reportflow_messages_in_total` | counter | |
//! | `reportflow_messages_out_total` | counter | `topic` |
//! | `reportflow_messages_dead_lettered_total` | counter | `rejected_by`, `kind` |
//! | `reportflow_processing_seconds` | histogram | |
//! | `reportflow_in_flight` | gauge | |
//! | `reportflow_assigned_partitions` | gauge | |
//! | `reportflow_consumer_lag` | gauge | `topic`, `partition` |
//! | `reportflow_commits_total` | counter | `result` (`ok`, `error`) |
//! | `reportflow_produce_retries_total` | counter | `reason` (`queue_full`, `delivery_failed`) |
//! | `reportflow_partitions_revoked_total` | counter | |
//! | `reportflow_partitions_lost_total` | counter | `reason` (`assignment_lost`, `commit_failed`, `in_flight_abandoned`) |
//! | `reportflow_offsets_skipped_total` | counter | `topic` |
//!
//! `offsets_skipped_total` counts the records a consumer skipped because its position was no
//! longer in the log (offset out of range: deleted by retention, or by the embedded broker's
//! size cap) and librdkafka reset it to the log start (or end).
//!
//! In `dead_lettered_total`, `rejected_by` is the stage that rejected the input (the
//! `reportflow.error.stage` header: the processor's, or the runtime's own `intake` and
//! `produce`).
//!
//! Every partition this worker stops owning counts once, in `partitions_revoked_total` when it
//! was handed over cleanly (nothing left in flight, its progress committed: the next owner
//! redoes nothing) or in `partitions_lost_total` when it was not, by the first of these reasons
//! that applies (the next owner redoes its uncommitted messages): `assignment_lost` (librdkafka
//! reported the assignment lost: the session expired or the member was fenced),
//! `commit_failed` (revoked, but the commit of its progress was refused, e.g. because the group
//! had already started another rebalance), `in_flight_abandoned` (revoked with work still in
//! flight when `revoke_timeout` passed).

use std::collections::HashMap;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Buckets of the processing-latency histogram, in seconds.
const PROCESSING_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Why a partition was given up without a clean hand-over (the `reason` label of
/// `reportflow_partitions_lost_total`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LostReason {
    /// librdkafka reported the assignment lost (session expired, member fenced).
    AssignmentLost,
    /// Revoked, but the commit of the partition's progress failed.
    CommitFailed,
    /// Revoked with work still in flight when the revoke timeout passed.
    InFlightAbandoned,
}

impl LostReason {
    const ALL: [LostReason; 3] = [
        LostReason::AssignmentLost,
        LostReason::CommitFailed,
        LostReason::InFlightAbandoned,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            LostReason::AssignmentLost => "assignment_lost",
            LostReason::CommitFailed => "commit_failed",
            LostReason::InFlightAbandoned => "in_flight_abandoned",
        }
    }
}

/// The runtime's metrics. Cheap to clone (every metric is reference-counted).
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Messages consumed and dispatched (no labels of its own).
    pub messages_in: IntCounterVec,
    /// Output records acknowledged by the broker, by topic.
    pub messages_out: IntCounterVec,
    /// Dead letters acknowledged by the broker, by rejecting stage (`rejected_by`) and kind.
    pub dead_lettered: IntCounterVec,
    /// Time spent in `Processor::process` (no labels of its own).
    pub processing_seconds: HistogramVec,
    /// Messages consumed and not yet fully acknowledged.
    pub in_flight: IntGauge,
    /// Partitions currently assigned to this worker.
    pub assigned_partitions: IntGauge,
    /// High watermark minus committed offset, per assigned partition.
    pub consumer_lag: IntGaugeVec,
    /// Offset commits, by result.
    pub commits: IntCounterVec,
    /// Records re-sent by the runtime, by reason.
    pub produce_retries: IntCounterVec,
    /// Partitions handed over cleanly (see the module docs).
    pub partitions_revoked: IntCounter,
    /// Partitions given up without a clean hand-over, by reason (see the module docs).
    pub partitions_lost: IntCounterVec,
    /// Records skipped by offset resets after missing data, by topic.
    pub offsets_skipped: IntCounterVec,
    /// Convenience handle: retries after a failed delivery.
    retries_delivery: IntCounter,
    /// Convenience handle: retries after a full producer queue.
    retries_queue_full: IntCounter,
}

/// The partition bookkeeping metrics: assigned partitions, lag, clean and skipped hand-overs.
fn partition_metrics(
    r: &Registry,
) -> Result<(IntGauge, IntGaugeVec, IntCounter, IntCounterVec), prometheus::Error> {
    let assigned_partitions = register(
        r,
        IntGauge::new(
            "reportflow_assigned_partitions",
            "Partitions currently assigned to this worker.",
        )?,
    )?;
    let consumer_lag = register(
        r,
        IntGaugeVec::new(
            Opts::new(
                "reportflow_consumer_lag",
                "High watermark minus committed offset of each assigned partition.",
            ),
            &["topic", "partition"],
        )?,
    )?;
    let partitions_revoked = register(
        r,
        IntCounter::new(
            "reportflow_partitions_revoked_total",
            "Partitions handed over cleanly: nothing left in flight, progress committed.",
        )?,
    )?;
    let offsets_skipped = counters(
        r,
        "reportflow_offsets_skipped_total",
        "Records skipped because the consumer's offset was out of range (data deleted before it was consumed), by topic.",
        &["topic"],
    )?;
    Ok((
        assigned_partitions,
        consumer_lag,
        partitions_revoked,
        offsets_skipped,
    ))
}

/// Registers `metric` in `registry` and hands it back.
fn register<M>(registry: &Registry, metric: M) -> Result<M, prometheus::Error>
where
    M: prometheus::core::Collector + Clone + 'static,
{
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

/// A registered counter family.
fn counters(
    registry: &Registry,
    name: &str,
    help: &str,
    labels: &[&str],
) -> Result<IntCounterVec, prometheus::Error> {
    register(registry, IntCounterVec::new(Opts::new(name, help), labels)?)
}

impl Metrics {
    /// Creates and registers every metric, without a `stage` label (tests).
    pub fn new() -> Result<Self, prometheus::Error> {
        Self::with_registry(Registry::new())
    }

    /// Creates and registers every metric in a registry whose every series carries the label
    /// `stage` = `stage` (the processor's stage or the sink's name).
    pub fn for_stage(stage: &str) -> Result<Self, prometheus::Error> {
        let labels = HashMap::from([("stage".to_string(), stage.to_string())]);
        Self::with_registry(Registry::new_custom(None, Some(labels))?)
    }

    fn with_registry(registry: Registry) -> Result<Self, prometheus::Error> {
        let r = &registry;
        let commits = counters(
            r,
            "reportflow_commits_total",
            "Offset commits, by result.",
            &["result"],
        )?;
        let produce_retries = counters(
            r,
            "reportflow_produce_retries_total",
            "Records the runtime re-sent (never dropped), by reason.",
            &["reason"],
        )?;
        let partitions_lost = counters(
            r,
            "reportflow_partitions_lost_total",
            "Partitions given up without a clean hand-over (the next owner redoes their uncommitted messages), by reason.",
            &["reason"],
        )?;
        // Make the commit results and retry reasons visible (as 0) before the first event.
        commits.with_label_values(&["ok"]);
        commits.with_label_values(&["error"]);
        for reason in LostReason::ALL {
            partitions_lost.with_label_values(&[reason.label()]);
        }
        let (assigned_partitions, consumer_lag, partitions_revoked, offsets_skipped) =
            partition_metrics(r)?;
        Ok(Metrics {
            messages_in: counters(
                r,
                "reportflow_messages_in_total",
                "Messages consumed and dispatched for processing.",
                &[],
            )?,
            messages_out: counters(
                r,
                "reportflow_messages_out_total",
                "Output records acknowledged by the broker.",
                &["topic"],
            )?,
            dead_lettered: counters(
                r,
                "reportflow_messages_dead_lettered_total",
                "Inputs sent to the dead-letter topic and acknowledged, by rejecting stage and kind.",
                &["rejected_by", "kind"],
            )?,
            processing_seconds: register(
                r,
                HistogramVec::new(
                    HistogramOpts::new(
                        "reportflow_processing_seconds",
                        "Time spent processing one input.",
                    )
                    .buckets(PROCESSING_BUCKETS.to_vec()),
                    &[],
                )?,
            )?,
            in_flight: register(
                r,
                IntGauge::new(
                    "reportflow_in_flight",
                    "Messages consumed and not yet fully acknowledged downstream.",
                )?,
            )?,
            assigned_partitions,
            consumer_lag,
            partitions_revoked,
            offsets_skipped,
            retries_delivery: produce_retries.with_label_values(&["delivery_failed"]),
            retries_queue_full: produce_retries.with_label_values(&["queue_full"]),
            commits,
            produce_retries,
            partitions_lost,
            registry,
        })
    }

    /// Counts a re-send after a failed delivery.
    pub(crate) fn retry_after_delivery_failure(&self) {
        self.retries_delivery.inc();
    }

    /// Counts a re-send after a full producer queue.
    pub(crate) fn retry_after_queue_full(&self) {
        self.retries_queue_full.inc();
    }

    /// Counts a commit.
    pub(crate) fn commit(&self, ok: bool) {
        self.commits
            .with_label_values(&[if ok { "ok" } else { "error" }])
            .inc();
    }

    /// Counts partitions handed over cleanly.
    pub(crate) fn partitions_revoked(&self, count: usize) {
        self.partitions_revoked.inc_by(count as u64);
    }

    /// Counts partitions given up without a clean hand-over.
    pub(crate) fn partitions_lost(&self, reason: LostReason, count: usize) {
        self.partitions_lost
            .with_label_values(&[reason.label()])
            .inc_by(count as u64);
    }

    /// Partitions lost so far, every reason together.
    pub(crate) fn partitions_lost_total(&self) -> u64 {
        LostReason::ALL
            .iter()
            .map(|r| self.partitions_lost.with_label_values(&[r.label()]).get())
            .sum()
    }

    /// Sets (or, with `None`, removes) the lag gauge of one partition.
    pub(crate) fn set_lag(&self, topic: &str, partition: i32, lag: Option<i64>) {
        let partition = partition.to_string();
        match lag {
            Some(lag) => self
                .consumer_lag
                .with_label_values(&[topic, &partition])
                .set(lag),
            None => {
                let _ = self.consumer_lag.remove_label_values(&[topic, &partition]);
            }
        }
    }

    /// The consumer lag of every assigned partition together (0 when statistics are off).
    pub(crate) fn total_lag(&self) -> i64 {
        use prometheus::core::Collector as _;
        self.consumer_lag
            .collect()
            .iter()
            .flat_map(|family| family.get_metric())
            .map(|m| m.get_gauge().get_value() as i64)
            .filter(|lag| *lag > 0)
            .sum()
    }

    /// The registry, to add application metrics next to the runtime's.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Renders every metric in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let families = self.registry.gather();
        if let Err(err) = TextEncoder::new().encode(&families, &mut buf) {
            tracing::error!(error = %err, "Could not encode the metrics.");
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_metric_name_with_the_stage() {
        let m = Metrics::for_stage("extract").unwrap();
        m.messages_in.with_label_values::<&str>(&[]).inc();
        m.messages_out.with_label_values(&["reports.parsed"]).inc();
        m.dead_lettered
            .with_label_values(&["decode", "undecodable"])
            .inc();
        m.processing_seconds
            .with_label_values::<&str>(&[])
            .observe(0.01);
        m.in_flight.set(3);
        m.set_lag("reports.raw", 0, Some(7));
        m.commit(true);
        m.retry_after_delivery_failure();
        m.partitions_revoked(2);
        m.partitions_lost(LostReason::CommitFailed, 1);
        assert_eq!(m.partitions_lost_total(), 1);
        let text = m.render();
        for name in [
            "reportflow_messages_in_total{stage=\"extract\"} 1",
            "reportflow_messages_out_total{topic=\"reports.parsed\",stage=\"extract\"} 1",
            "reportflow_messages_dead_lettered_total{kind=\"undecodable\",rejected_by=\"decode\",stage=\"extract\"} 1",
            "reportflow_processing_seconds_bucket",
            "reportflow_in_flight{stage=\"extract\"} 3",
            "reportflow_assigned_partitions{stage=\"extract\"} 0",
            "reportflow_consumer_lag{partition=\"0\",topic=\"reports.raw\",stage=\"extract\"} 7",
            "reportflow_commits_total{result=\"ok\",stage=\"extract\"} 1",
            "reportflow_commits_total{result=\"error\",stage=\"extract\"} 0",
            "reportflow_produce_retries_total{reason=\"delivery_failed\",stage=\"extract\"} 1",
            "reportflow_partitions_revoked_total{stage=\"extract\"} 2",
            "reportflow_partitions_lost_total{reason=\"assignment_lost\",stage=\"extract\"} 0",
            "reportflow_partitions_lost_total{reason=\"commit_failed\",stage=\"extract\"} 1",
            "reportflow_partitions_lost_total{reason=\"in_flight_abandoned\",stage=\"extract\"} 0",
        ] {
            assert!(text.contains(name), "missing {name} in\n{text}");
        }
        // Every series has the stage: a metric registered later too.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            assert!(line.contains("stage=\"extract\""), "{line}");
        }
        m.set_lag("reports.raw", 0, None);
        assert!(!m.render().contains("reportflow_consumer_lag{"));
    }
}
