//! The batch loop behind [`run_sink`]: the storage consumers' front end over a
//! [`Session`] (see the [`crate::sink`] docs for its rules).
//!
//! A batch is flushed in named steps: [`Loop::track`] (its offsets, leaving out records of
//! revoked partitions and inputs over the size limit), [`Loop::write_with_retry`] (or one
//! [`Loop::write`] at shutdown), [`Loop::dead_letter`] and [`Loop::complete_and_commit`].

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, Opts};
use rdkafka::consumer::Consumer;
use rdkafka::TopicPartitionList;

use super::{RunSinkError, Sink, SinkConfig, SinkError, SinkSummary};
use crate::config::RuntimeConfig;
use crate::error::Error;
use crate::metrics::Metrics;
use crate::record::{InputRecord, Reject};
use crate::session::Session;

/// Runs `sink` as a consumer-group member until `shutdown` resolves. See the module docs.
///
/// Returns after a graceful shutdown, or with an error when the sink fails fatally, the
/// dead-letter producer fails fatally, or the consumer fails fatally.
pub async fn run_sink<S, F>(
    config: RuntimeConfig,
    sink_config: SinkConfig,
    sink: S,
    shutdown: F,
) -> Result<SinkSummary, RunSinkError>
where
    S: Sink,
    F: Future + Send,
{
    config.validate()?;
    crate::preflight::refuse_bad_credentials(
        config.consumer_properties(),
        crate::preflight::CHECK_LIMIT,
    )
    .await?;
    let metrics = Metrics::for_stage(sink.name())?;
    let sink_metrics = SinkMetrics::new(&metrics, sink.name())?;
    // HTTP first: `/health` answers while the store is readied, `/ready` stays 503 until a
    // partition is assigned, which happens only after the store is ready.
    let session = Session::open(config, metrics, sink.name()).await?;
    let mut state = Loop {
        session,
        sink_config,
        sink,
        metrics: sink_metrics,
        summary: SinkSummary::default(),
        pending: Pending::default(),
    };
    let mut shutdown = std::pin::pin!(shutdown);
    let prepared = state.prepare(shutdown.as_mut()).await;
    if !matches!(prepared, Ok(true)) {
        // The store never got ready (shutdown, or a store that refuses for good).
        state.session.close(Instant::now()).await;
        return prepared.map(|_| SinkSummary::default());
    }
    state.session.subscribe()?;
    state.log_start();
    let result = state.consume(shutdown.as_mut()).await;
    let started = Instant::now();
    if let Ok(Stopped::Shutdown) = result {
        state.flush_pending().await;
    }
    state.close(started, result).await
}

/// The sink loop's own metrics, registered next to the runtime's.
#[derive(Clone)]
struct SinkMetrics {
    retries: IntCounter,
    batches: IntCounter,
    written: IntCounter,
    write_seconds: Histogram,
}

impl SinkMetrics {
    fn new(metrics: &Metrics, name: &'static str) -> Result<Self, prometheus::Error> {
        let counter =
            |metric: &str, help: &str| IntCounterVec::new(Opts::new(metric, help), &["sink"]);
        let retries = counter(
            "reportflow_sink_retries_total",
            "Batch writes retried after a transient sink error.",
        )?;
        let batches = counter(
            "reportflow_sink_batches_total",
            "Batches written durably by the sink.",
        )?;
        let written = counter(
            "reportflow_sink_records_written_total",
            "Records written durably by the sink.",
        )?;
        let write_seconds = prometheus::HistogramVec::new(
            HistogramOpts::new(
                "reportflow_sink_write_seconds",
                "Time of one successful batch write.",
            )
            .buckets(vec![
                0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["sink"],
        )?;
        let registry = metrics.registry();
        registry.register(Box::new(retries.clone()))?;
        registry.register(Box::new(batches.clone()))?;
        registry.register(Box::new(written.clone()))?;
        registry.register(Box::new(write_seconds.clone()))?;
        Ok(SinkMetrics {
            retries: retries.with_label_values(&[name]),
            batches: batches.with_label_values(&[name]),
            written: written.with_label_values(&[name]),
            write_seconds: write_seconds.with_label_values(&[name]),
        })
    }
}

/// How a batch flush ended.
enum Flushed {
    /// Written, dead letters acknowledged, offsets marked done.
    Done,
    /// Shutdown (or a fatal producer error) came first: nothing of the batch is done.
    Interrupted,
}

/// How consuming ended.
enum Stopped {
    /// Shutdown: the pending batch gets one write attempt.
    Shutdown,
    /// A fatal producer error, or a batch interrupted: nothing more is written.
    Interrupted,
}

/// The records gathered for the next batch.
#[derive(Default)]
struct Pending {
    records: Vec<InputRecord>,
    bytes: usize,
    /// When the batch's first record arrived.
    opened: Option<Instant>,
}

impl Pending {
    fn push(&mut self, input: InputRecord) {
        self.bytes += input.payload_len();
        self.records.push(input);
        self.opened.get_or_insert_with(Instant::now);
    }

    fn take(&mut self) -> Vec<InputRecord> {
        self.bytes = 0;
        self.opened = None;
        std::mem::take(&mut self.records)
    }

    fn full(&self, config: &SinkConfig) -> bool {
        self.records.len() >= config.batch_max_records || self.bytes >= config.batch_max_bytes
    }
}

/// A batch whose offsets are tracked: its records, their assignment epochs, the records the
/// loop refuses itself (over the size limit) and the rest, which the sink writes.
struct Batch {
    records: Vec<InputRecord>,
    epochs: Vec<u64>,
    rejects: Vec<(usize, Reject)>,
    writable: Vec<InputRecord>,
    /// The index in `records` of each writable record.
    writable_index: Vec<usize>,
}

/// The loop's state.
struct Loop<S: Sink> {
    session: Session,
    sink_config: SinkConfig,
    sink: S,
    metrics: SinkMetrics,
    /// Written records, batches and retries (the rest comes from the session).
    summary: SinkSummary,
    pending: Pending,
}

impl<S: Sink> Loop<S> {
    /// Readies the store ([`Sink::prepare`]), retrying transient errors with backoff. False
    /// when shutdown came first.
    async fn prepare<F: Future>(
        &mut self,
        mut shutdown: Pin<&mut F>,
    ) -> Result<bool, RunSinkError> {
        let mut backoff = self.sink_config.retry_backoff;
        loop {
            let prepared = tokio::select! {
                biased;
                _ = shutdown.as_mut() => return Ok(false),
                prepared = self.sink.prepare() => prepared,
            };
            let err = match prepared {
                Ok(()) => return Ok(true),
                Err(SinkError::Transient(err)) => err,
                // A store that refuses for good before any record is read cannot start.
                Err(SinkError::Fatal(err) | SinkError::Permanent(err)) => {
                    return Err(RunSinkError::Sink(err))
                }
            };
            self.metrics.retries.inc();
            tracing::warn!(sink = self.sink.name(), error = %err, backoff_ms = backoff.as_millis() as u64, "The sink's store is not available yet; retrying before consuming (/health answers, /ready stays 503).");
            tokio::select! {
                biased;
                _ = shutdown.as_mut() => return Ok(false),
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(self.sink_config.retry_max_backoff);
        }
    }

    fn log_start(&self) {
        let config = &self.session.config;
        tracing::info!(
            sink = self.sink.name(),
            group_id = %config.group_id,
            input_topics = ?config.input_topics,
            dlq_topic = %config.dlq_topic,
            batch_max_records = self.sink_config.batch_max_records,
            batch_max_ms = self.sink_config.batch_max.as_millis() as u64,
            "The sink started."
        );
    }

    /// Takes a consumed record into the pending batch.
    fn take_in(&mut self, input: InputRecord) {
        self.session.count_in(1);
        self.pending.push(input);
    }

    /// Gathers records into batches and flushes each when it is full or due, until shutdown,
    /// a fatal error or an interrupted batch.
    async fn consume<F: Future>(
        &mut self,
        mut shutdown: Pin<&mut F>,
    ) -> Result<Stopped, RunSinkError> {
        loop {
            if self.session.shared.fatal().is_some() {
                return Ok(Stopped::Interrupted);
            }
            let batch_max = self.sink_config.batch_max;
            let deadline = self
                .pending
                .opened
                .map(|t| tokio::time::Instant::from_std(t + batch_max));
            let input = tokio::select! {
                biased;
                _ = shutdown.as_mut() => return Ok(Stopped::Shutdown),
                _ = self.session.failed() => return Ok(Stopped::Interrupted),
                _ = async { tokio::time::sleep_until(deadline.expect("guarded")).await }, if deadline.is_some() => None,
                input = self.session.recv() => Some(input.map_err(|err| Error::kafka("consuming", err))?),
            };
            let due = input.is_none();
            if let Some(input) = input {
                self.take_in(input);
            }
            if (due || self.pending.full(&self.sink_config)) && !self.pending.records.is_empty() {
                let records = self.pending.take();
                if let Flushed::Interrupted = self.flush(records, shutdown.as_mut()).await? {
                    self.session.abandon();
                    return Ok(Stopped::Interrupted);
                }
                // Records that arrived while the batch was retried start the next batch.
                if !self.pending.records.is_empty() {
                    self.pending.opened = Some(Instant::now());
                }
            }
        }
    }

    /// Graceful shutdown: one write attempt (no retries) at the pending batch, within half the
    /// shutdown budget.
    async fn flush_pending(&mut self) {
        let records = self.pending.take();
        if records.is_empty() {
            return;
        }
        let budget = self.session.config.shutdown_timeout / 2;
        let attempt = tokio::time::timeout(budget, self.flush_once(records)).await;
        if !matches!(attempt, Ok(Ok(Flushed::Done))) {
            self.session.abandon();
            tracing::warn!(
                "The pending batch was not written at shutdown; it will be redone after restart."
            );
        }
    }

    /// Closes the session within what is left of the shutdown budget that began at `started`
    /// and returns what the run did (or the error that ended it).
    async fn close(
        self,
        started: Instant,
        result: Result<Stopped, RunSinkError>,
    ) -> Result<SinkSummary, RunSinkError> {
        let deadline = started + self.session.config.shutdown_timeout;
        let closed = self.session.close(deadline).await;
        let summary = SinkSummary {
            records_in: closed.summary.messages_in,
            dead_lettered: closed.summary.dead_lettered,
            commits: closed.summary.commits,
            ..self.summary
        };
        // The session's closing line has the records in, dead letters and commits.
        tracing::info!(
            records_written = summary.records_written,
            batches = summary.batches,
            retries = summary.retries,
            "The sink stopped."
        );
        result?;
        if let Some(message) = closed.fatal {
            return Err(Error::ProducerFatal(message).into());
        }
        Ok(summary)
    }

    /// Flushes one batch, retrying transient write errors until shutdown.
    async fn flush<F: Future>(
        &mut self,
        records: Vec<InputRecord>,
        shutdown: Pin<&mut F>,
    ) -> Result<Flushed, RunSinkError> {
        let Some(batch) = self.track(records) else {
            return Ok(Flushed::Done);
        };
        match self.write_with_retry(&batch, shutdown).await? {
            Some(rejects) => {
                self.finish(batch, rejects).await;
                Ok(Flushed::Done)
            }
            None => Ok(Flushed::Interrupted),
        }
    }

    /// Flushes one batch with a single write: a transient error interrupts it.
    async fn flush_once(&mut self, records: Vec<InputRecord>) -> Result<Flushed, RunSinkError> {
        let Some(batch) = self.track(records) else {
            return Ok(Flushed::Done);
        };
        match self.write(&batch).await {
            Ok(rejects) => {
                self.finish(batch, rejects).await;
                Ok(Flushed::Done)
            }
            Err(SinkError::Transient(_)) => Ok(Flushed::Interrupted),
            Err(SinkError::Fatal(message) | SinkError::Permanent(message)) => {
                Err(self.sink_failed(message))
            }
        }
    }

    /// Step 1: tracks the offsets of `records`. Records of partitions revoked meanwhile (or
    /// duplicates of a redelivery in the same batch) leave the batch; inputs over the size
    /// limit are refused without being written. `None` when nothing is left.
    fn track(&self, records: Vec<InputRecord>) -> Option<Batch> {
        let mut batch = Batch {
            records: Vec::with_capacity(records.len()),
            epochs: Vec::with_capacity(records.len()),
            rejects: Vec::new(),
            writable: Vec::with_capacity(records.len()),
            writable_index: Vec::with_capacity(records.len()),
        };
        for r in records {
            let Some(epoch) = self.session.track(&r) else {
                continue;
            };
            let index = batch.records.len();
            match self.session.oversized(&r) {
                Some(reject) => batch.rejects.push((index, reject)),
                None => {
                    batch.writable.push(r.clone());
                    batch.writable_index.push(index);
                }
            }
            batch.epochs.push(epoch);
            batch.records.push(r);
        }
        (!batch.records.is_empty()).then_some(batch)
    }

    /// Step 2, once: writes the batch's writable records (narrowing a permanent refusal down
    /// to the refused records, [`crate::isolate`]); returns the sink's rejects by index into
    /// the batch.
    async fn write(&mut self, batch: &Batch) -> Result<Vec<(usize, Reject)>, SinkError> {
        let started = Instant::now();
        let rejects = if batch.writable.is_empty() {
            Vec::new()
        } else {
            crate::isolate::write_isolating(&mut self.sink, &batch.writable).await?
        };
        self.metrics
            .write_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(rejects
            .into_iter()
            .filter_map(|(i, reject)| batch.writable_index.get(i).map(|&orig| (orig, reject)))
            .collect())
    }

    /// Step 2: writes the batch, again and again with capped exponential backoff while the
    /// store fails transiently; consumption is paused meanwhile, the consumer still served.
    /// `None` when shutdown came first.
    async fn write_with_retry<F: Future>(
        &mut self,
        batch: &Batch,
        mut shutdown: Pin<&mut F>,
    ) -> Result<Option<Vec<(usize, Reject)>>, RunSinkError> {
        let mut backoff = self.sink_config.retry_backoff;
        let mut paused: Option<TopicPartitionList> = None;
        let outcome = loop {
            let message = match self.write(batch).await {
                Ok(rejects) => break Ok(Some(rejects)),
                // write_isolating resolves every permanent error into rejects.
                Err(SinkError::Fatal(message) | SinkError::Permanent(message)) => {
                    break Err(self.sink_failed(message))
                }
                Err(SinkError::Transient(message)) => message,
            };
            self.metrics.retries.inc();
            self.summary.retries += 1;
            // Retrying an unavailable store is the loop working, not stuck: a restart would
            // only retry the same way.
            self.session.shared.liveness.progressed();
            tracing::warn!(
                sink = self.sink.name(),
                error = %message,
                backoff_ms = backoff.as_millis() as u64,
                records = batch.writable.len(),
                "A batch write failed; consumption is paused and the batch will be written again."
            );
            if paused.is_none() {
                paused = self.pause();
            }
            if self.wait_serving(backoff, shutdown.as_mut()).await {
                break Ok(None);
            }
            backoff = (backoff * 2).min(self.sink_config.retry_max_backoff);
        };
        if let Some(paused) = paused {
            self.resume(&paused);
        }
        outcome
    }

    /// Waits out `backoff` while serving the consumer (heartbeats, rebalances); records that
    /// still arrive join the next batch. True when shutdown came first.
    async fn wait_serving<F: Future>(
        &mut self,
        backoff: Duration,
        mut shutdown: Pin<&mut F>,
    ) -> bool {
        let until = tokio::time::Instant::now() + backoff;
        loop {
            let input = tokio::select! {
                biased;
                _ = shutdown.as_mut() => return true,
                _ = tokio::time::sleep_until(until) => return false,
                input = self.session.recv() => input,
            };
            match input {
                Ok(input) => self.take_in(input),
                // A failed consumer has nothing more to serve: wait out the backoff.
                Err(_) => {
                    return tokio::select! {
                        biased;
                        _ = shutdown.as_mut() => true,
                        _ = tokio::time::sleep_until(until) => false,
                    }
                }
            }
        }
    }

    /// Steps 3 and 4 for a written batch, `rejects` being the sink's.
    async fn finish(&mut self, mut batch: Batch, rejects: Vec<(usize, Reject)>) {
        batch.rejects.extend(rejects);
        let undone = self.dead_letter(&batch).await;
        self.complete_and_commit(&batch, &undone).await;
    }

    /// Step 3: dead-letters the batch's rejects. Returns which records stay undone: a record
    /// is done only once its dead letter is acknowledged.
    async fn dead_letter(&self, batch: &Batch) -> Vec<bool> {
        let mut undone = vec![false; batch.records.len()];
        for (i, reject) in &batch.rejects {
            if !self.session.dead_letter(&batch.records[*i], reject).await {
                undone[*i] = true;
            }
        }
        undone
    }

    /// Step 4: counts the batch, marks its offsets done (but the `undone` ones) and commits.
    async fn complete_and_commit(&mut self, batch: &Batch, undone: &[bool]) {
        let written = (batch.records.len() - batch.rejects.len()) as u64;
        self.summary.records_written += written;
        self.summary.batches += 1;
        self.metrics.written.inc_by(written);
        self.metrics.batches.inc();
        for ((r, epoch), undone) in batch.records.iter().zip(&batch.epochs).zip(undone) {
            if !undone {
                self.session.complete(r, *epoch);
            }
        }
        self.session.commit("batch").await;
    }

    /// The error that ends the loop when the sink fails fatally.
    fn sink_failed(&self, message: String) -> RunSinkError {
        tracing::error!(sink = self.sink.name(), error = %message, "The sink failed fatally; stopping.");
        RunSinkError::Sink(message)
    }

    /// Pauses every assigned partition; the paused ones, if that worked.
    fn pause(&self) -> Option<TopicPartitionList> {
        let consumer = &self.session.consumer;
        let assignment = consumer.assignment().ok()?;
        consumer.pause(&assignment).ok()?;
        Some(assignment)
    }

    /// Resumes what is still assigned of `paused` (a rebalance may have taken some away).
    fn resume(&self, paused: &TopicPartitionList) {
        let consumer = &self.session.consumer;
        let Ok(assignment) = consumer.assignment() else {
            return;
        };
        let mut resume = TopicPartitionList::new();
        for e in paused.elements() {
            if assignment
                .find_partition(e.topic(), e.partition())
                .is_some()
            {
                resume.add_partition(e.topic(), e.partition());
            }
        }
        if let Err(err) = consumer.resume(&resume) {
            tracing::warn!(error = %err, "Could not resume the paused partitions.");
        }
    }
}
