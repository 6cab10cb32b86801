//! The consume → process → produce loop.
//!
//! One task polls the consumer and dispatches each message, holding one of `max_in_flight`
//! permits, to a processing task; the permit is released only when the message's outputs (or
//! its dead letter) are acknowledged, so slow acknowledgements (a full or stalled producer)
//! slow consumption instead of dropping anything. Processing itself runs on tokio's blocking
//! pool, at most `processing_threads` at once. A committer task commits the contiguous safe
//! offsets of every assigned partition every `commit_interval`; revocations commit theirs in
//! the rebalance callback (see [`crate::context`]).
//!
//! Shutdown (the caller's future resolves, or a fatal producer error): stop fetching, wait for
//! in-flight work until the deadline, abandon what is left (not committed: it is redone after
//! restart), commit the safe offsets, flush the producer, leave the group.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::Message;
use tokio::sync::{oneshot, watch, Semaphore};

use crate::config::{ProcessingGuarantee, RuntimeConfig};
use crate::context::{ConsumerCtx, ProducerCtx, Shared};
use crate::dlq::{
    self, KIND_OUTPUT_REFUSED, KIND_PANIC, KIND_TOO_LARGE, STAGE_INTAKE, STAGE_PRODUCE,
};
use crate::error::Error;
use crate::http::{self, HttpServer};
use crate::metrics::Metrics;
use crate::partitions::Dispatched;
use crate::produce::{wait_true, ProduceRecord, SendError, Sender};
use crate::record::{InputRecord, Processor, Reject};

/// Largest part of the shutdown deadline kept for the final commit, the producer flush and
/// leaving the group (at most a quarter of the deadline is kept).
const CLOSE_RESERVE: Duration = Duration::from_secs(10);
/// Shortest time each closing step gets, even past the deadline.
const CLOSE_STEP_MIN: Duration = Duration::from_millis(500);

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Messages consumed and dispatched.
    pub messages_in: u64,
    /// Output records acknowledged.
    pub messages_out: u64,
    /// Dead letters acknowledged.
    pub dead_lettered: u64,
    /// Successful offset commits.
    pub commits: u64,
    /// Messages still in flight at the shutdown deadline (not committed; redone later).
    pub abandoned: usize,
    /// Partitions handed over cleanly on rebalances and at shutdown: nothing left in flight,
    /// their progress committed, so the next owner redoes nothing
    /// (`reportflow_partitions_revoked_total`).
    pub partitions_revoked: u64,
    /// Partitions given up without a clean hand-over (assignment lost, revocation commit
    /// failed, or in-flight work abandoned): the next owner redoes their uncommitted messages
    /// (`reportflow_partitions_lost_total`, every reason).
    pub partitions_lost: u64,
}

/// Counters behind [`RunSummary`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub messages_in: AtomicU64,
    pub messages_out: AtomicU64,
    pub dead_lettered: AtomicU64,
    pub in_flight: AtomicUsize,
}

pub(crate) type Consumer_ = StreamConsumer<ConsumerCtx>;

/// A started worker: clients created, subscribed, HTTP server listening. [`Worker::run`] runs
/// the loop.
pub struct Worker {
    pub(crate) config: RuntimeConfig,
    pub(crate) processor: Arc<dyn Processor>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) consumer: Arc<Consumer_>,
    pub(crate) producer: FutureProducer<ProducerCtx>,
    pub(crate) http: HttpServer,
    pub(crate) http_stop: oneshot::Sender<()>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("group_id", &self.config.group_id)
            .field("input_topics", &self.config.input_topics)
            .field("http_addr", &self.http.addr)
            .finish_non_exhaustive()
    }
}

/// Starts a worker and runs it until `shutdown` resolves. See [`Worker`].
pub async fn run<F>(
    config: RuntimeConfig,
    processor: Arc<dyn Processor>,
    shutdown: F,
) -> Result<RunSummary, Error>
where
    F: Future + Send,
{
    Worker::start(config, processor).await?.run(shutdown).await
}

pub(crate) fn client_config(props: &std::collections::BTreeMap<String, String>) -> ClientConfig {
    let mut c = ClientConfig::new();
    for (k, v) in props {
        c.set(k, v);
    }
    // librdkafka's own level follows the `log` facade, which may be silent; warnings must
    // always reach the context (offset resets are detected from them, see crate::resets).
    let level = if tracing::enabled!(target: "librdkafka", tracing::Level::DEBUG) {
        RDKafkaLogLevel::Debug
    } else if tracing::enabled!(target: "librdkafka", tracing::Level::INFO) {
        RDKafkaLogLevel::Info
    } else {
        RDKafkaLogLevel::Warning
    };
    c.set_log_level(level);
    c
}

impl Worker {
    /// Validates the configuration, creates the consumer and the producer, subscribes to the
    /// input topics and starts the HTTP server.
    pub async fn start(
        config: RuntimeConfig,
        processor: Arc<dyn Processor>,
    ) -> Result<Self, Error> {
        config.validate()?;
        let metrics = Metrics::new()?;
        let shared = Arc::new(Shared::new(
            metrics,
            config.revoke_timeout,
            config.liveness_timeout,
        ));

        let consumer: Consumer_ = client_config(&config.consumer_properties())
            .create_with_context(ConsumerCtx {
                shared: shared.clone(),
            })
            .map_err(|e| Error::kafka("creating the consumer", e))?;
        let producer: FutureProducer<ProducerCtx> = client_config(&config.producer_properties())
            .create_with_context(ProducerCtx {
                shared: shared.clone(),
            })
            .map_err(|e| Error::kafka("creating the producer", e))?;
        if config.transactional_id().is_some() {
            // Fences an earlier incarnation of this instance and aborts its open transaction,
            // so nothing it wrote but did not commit ever becomes visible.
            crate::transactional::init(&producer).await?;
        }
        let topics: Vec<&str> = config.input_topics.iter().map(String::as_str).collect();
        for topic in &topics {
            // Visible as 0 before the first skip, so that increase() sees the first one.
            shared.metrics.offsets_skipped.with_label_values(&[topic]);
        }
        consumer
            .subscribe(&topics)
            .map_err(|e| Error::kafka("subscribing to the input topics", e))?;

        let (http_stop, http_stopped) = oneshot::channel::<()>();
        let http = http::start(config.http_addr, shared.clone(), async move {
            let _ = http_stopped.await;
        })
        .await?;

        tracing::info!(
            group_id = %config.group_id,
            input_topics = ?config.input_topics,
            dlq_topic = %config.dlq_topic,
            stage = processor.stage(),
            worker = %config.worker_name,
            max_in_flight = config.max_in_flight,
            processing_threads = config.processing_threads,
            processing_guarantee = %config.processing_guarantee,
            "The worker started."
        );
        Ok(Worker {
            config,
            processor,
            shared,
            consumer: Arc::new(consumer),
            producer,
            http,
            http_stop,
        })
    }

    /// The address the HTTP server is bound to (useful with port 0).
    pub fn http_addr(&self) -> SocketAddr {
        self.http.addr
    }

    /// The runtime's metrics (and their registry, for application metrics).
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// Runs the loop until `shutdown` resolves (graceful: returns `Ok`) or the producer fails
    /// fatally (returns [`Error::ProducerFatal`] after committing what is safe).
    pub async fn run<F>(self, shutdown: F) -> Result<RunSummary, Error>
    where
        F: Future + Send,
    {
        if self.config.processing_guarantee == ProcessingGuarantee::ExactlyOnce {
            return crate::transactional::run(self, shutdown).await;
        }
        let Worker {
            config,
            processor,
            shared,
            consumer,
            producer,
            http,
            http_stop,
        } = self;
        let config = Arc::new(config);
        let counters = Arc::new(Counters::default());
        let (abandon_tx, abandon_rx) = watch::channel(false);
        let sender = Sender::new(producer.clone(), shared.clone(), &config, abandon_rx);
        let permits = Arc::new(Semaphore::new(config.max_in_flight));
        let cpu = Arc::new(Semaphore::new(config.processing_threads));
        let (stop_committer, committer_stopped) = watch::channel(false);
        let committer = tokio::spawn(commit_loop(
            consumer.clone(),
            shared.clone(),
            config.commit_interval,
            committer_stopped,
        ));

        let stage = processor.stage();
        let messages_in = shared.metrics.messages_in.with_label_values(&[stage]);
        let mut consumer_fatal: Option<KafkaError> = None;
        {
            let mut stream = consumer.stream();
            let mut shutdown = std::pin::pin!(shutdown);
            loop {
                if shared.fatal().is_some() {
                    break;
                }
                let permit = tokio::select! {
                    biased;
                    _ = &mut shutdown => break,
                    _ = shared.fatal_notify.notified() => break,
                    permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                };
                let next = tokio::select! {
                    biased;
                    _ = &mut shutdown => break,
                    _ = shared.fatal_notify.notified() => break,
                    next = stream.next() => next,
                };
                let message = match next {
                    Some(Ok(message)) => message,
                    Some(Err(KafkaError::MessageConsumptionFatal(code))) => {
                        tracing::error!(error = %code, "The consumer failed fatally.");
                        consumer_fatal = Some(KafkaError::MessageConsumptionFatal(code));
                        break;
                    }
                    Some(Err(err)) => {
                        crate::context::log_consumer_error(&shared, &err, "consume");
                        continue;
                    }
                    None => {
                        tracing::error!("The consumer stream ended unexpectedly.");
                        break;
                    }
                };
                let input = to_input(&message);
                drop(message);
                shared
                    .resets
                    .arrived(&shared.metrics, &input.topic, input.partition, input.offset);
                let epoch = match shared.table().dispatch(
                    &input.topic,
                    input.partition,
                    input.offset,
                ) {
                    Dispatched::Tracked(epoch) => epoch,
                    other => {
                        tracing::debug!(topic = %input.topic, partition = input.partition, offset = input.offset, outcome = ?other, "Skipped a message that is already in flight or not assigned.");
                        continue;
                    }
                };
                messages_in.inc();
                counters.messages_in.fetch_add(1, Ordering::Relaxed);
                counters.in_flight.fetch_add(1, Ordering::Relaxed);
                shared.metrics.in_flight.inc();
                let job = Job {
                    input: Arc::new(input),
                    epoch,
                    config: config.clone(),
                    processor: processor.clone(),
                    shared: shared.clone(),
                    sender: sender.clone(),
                    cpu: cpu.clone(),
                    counters: counters.clone(),
                };
                tokio::spawn(async move {
                    job.run().await;
                    drop(permit);
                });
            }
        }

        // Shutdown.
        let started = Instant::now();
        shared
            .shutting_down
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let in_flight = counters.in_flight.load(Ordering::Relaxed);
        tracing::info!(
            in_flight,
            "The worker is shutting down: fetching stopped, finishing in-flight work."
        );

        // In-flight work gets the deadline minus a reserve for committing and closing.
        let all = u32::try_from(config.max_in_flight).unwrap_or(u32::MAX);
        let deadline = started + config.shutdown_timeout;
        let reserve = CLOSE_RESERVE.min(config.shutdown_timeout / 4);
        let drain_for = config.shutdown_timeout - reserve;
        let step_budget = || {
            deadline
                .saturating_duration_since(Instant::now())
                .max(CLOSE_STEP_MIN)
        };
        let drained = tokio::time::timeout(drain_for, permits.acquire_many(all)).await;
        let abandoned = match drained {
            Ok(_) => 0,
            Err(_) => {
                let abandoned = counters.in_flight.load(Ordering::Relaxed);
                tracing::warn!(
                    abandoned,
                    waited_ms = drain_for.as_millis() as u64,
                    "The shutdown deadline passed with work in flight; it is abandoned and will be redone after restart."
                );
                let _ = abandon_tx.send(true);
                abandoned
            }
        };

        let _ = stop_committer.send(true);
        let _ = committer.await;
        let committed = tokio::time::timeout(
            step_budget(),
            commit_now(consumer.clone(), shared.clone(), "shutdown"),
        )
        .await
        .unwrap_or(false);
        if !committed {
            tracing::warn!(
                "The final commit failed; the uncommitted messages will be redone after restart."
            );
        }

        let flush_producer = producer.clone();
        let flush_budget = step_budget();
        let flushed = tokio::task::spawn_blocking(move || flush_producer.flush(flush_budget)).await;
        if let Ok(Err(err)) = flushed {
            tracing::warn!(error = %err, "The producer did not flush completely.");
        }
        drop(sender);
        drop(producer);

        // Leaving the group runs the revocation callback (which commits again, a no-op now).
        let close = tokio::task::spawn_blocking(move || drop(consumer));
        if tokio::time::timeout(step_budget(), close).await.is_err() {
            tracing::warn!("Leaving the consumer group took too long; exiting anyway.");
        }
        finish(
            http,
            http_stop,
            &shared,
            &counters,
            abandoned,
            started,
            consumer_fatal,
        )
        .await
    }
}

/// The last steps of both loops, once the clients are closed: stops the HTTP server, logs
/// what the run did and returns it (or the fatal error that ended it).
pub(crate) async fn finish(
    http: HttpServer,
    http_stop: oneshot::Sender<()>,
    shared: &Shared,
    counters: &Counters,
    abandoned: usize,
    started: Instant,
    consumer_fatal: Option<KafkaError>,
) -> Result<RunSummary, Error> {
    {
        let _ = http_stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(1), http.task).await;

        let summary = RunSummary {
            messages_in: counters.messages_in.load(Ordering::Relaxed),
            messages_out: counters.messages_out.load(Ordering::Relaxed),
            dead_lettered: counters.dead_lettered.load(Ordering::Relaxed),
            commits: shared.metrics.commits.with_label_values(&["ok"]).get(),
            abandoned,
            partitions_revoked: shared.metrics.partitions_revoked.get(),
            partitions_lost: shared.metrics.partitions_lost_total(),
        };
        tracing::info!(
            messages_in = summary.messages_in,
            messages_out = summary.messages_out,
            dead_lettered = summary.dead_lettered,
            commits = summary.commits,
            abandoned = summary.abandoned,
            partitions_revoked = summary.partitions_revoked,
            partitions_lost = summary.partitions_lost,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "The worker stopped."
        );
        if let Some(message) = shared.fatal() {
            return Err(Error::ProducerFatal(message));
        }
        if let Some(err) = consumer_fatal {
            return Err(Error::kafka("consuming", err));
        }
        Ok(summary)
    }
}

/// Copies a consumed message into an owned [`InputRecord`]. A header without a value becomes
/// an empty one.
pub(crate) fn to_input(m: &BorrowedMessage<'_>) -> InputRecord {
    InputRecord {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers: m
            .headers()
            .map(|hs| {
                hs.iter()
                    .map(|h| {
                        (
                            h.key.to_string(),
                            h.value.map(<[u8]>::to_vec).unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        timestamp_ms: m.timestamp().to_millis(),
    }
}

/// Commits every partition's safe offset, on a blocking thread. Returns whether it succeeded.
async fn commit_now(consumer: Arc<Consumer_>, shared: Arc<Shared>, why: &'static str) -> bool {
    tokio::task::spawn_blocking(move || {
        let _commits = shared.lock_commits();
        let offsets = shared.table().commit_candidates();
        shared.commit_offsets(&*consumer, &offsets, why)
    })
    .await
    .unwrap_or(false)
}

async fn commit_loop(
    consumer: Arc<Consumer_>,
    shared: Arc<Shared>,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = wait_true(&mut stop) => return,
        }
        commit_now(consumer.clone(), shared.clone(), "periodic").await;
    }
}

/// One dispatched message.
struct Job {
    input: Arc<InputRecord>,
    epoch: u64,
    config: Arc<RuntimeConfig>,
    processor: Arc<dyn Processor>,
    shared: Arc<Shared>,
    sender: Sender,
    cpu: Arc<Semaphore>,
    counters: Arc<Counters>,
}

/// How a job ended.
enum Outcome {
    /// Every output (or the dead letter) is acknowledged: the offset is done.
    Done,
    /// Given up (shutdown deadline, fatal producer): the offset stays undone.
    Abandoned,
}

impl Job {
    async fn run(self) {
        let outcome = self.execute().await;
        if let Outcome::Done = outcome {
            let completed = self.shared.table().complete(
                &self.input.topic,
                self.input.partition,
                self.epoch,
                self.input.offset,
            );
            self.shared.table_changed.notify_all();
            if !completed {
                tracing::debug!(topic = %self.input.topic, partition = self.input.partition, offset = self.input.offset, "A message finished after its partition was revoked.");
            }
        }
        self.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.shared.metrics.in_flight.dec();
    }

    async fn execute(&self) -> Outcome {
        let stage = self.processor.stage();
        let result = self.process().await;
        let outputs = match result {
            Ok(outputs) => outputs,
            Err(reject) => return self.dead_letter(&reject).await,
        };
        let records: Vec<ProduceRecord> = outputs.into_iter().map(ProduceRecord::from).collect();
        let results = futures::future::join_all(records.iter().map(|r| self.sender.send(r))).await;
        let mut refused = None;
        let mut abandoned = false;
        for (index, (record, result)) in records.iter().zip(results).enumerate() {
            match result {
                Ok(()) => {
                    self.shared
                        .metrics
                        .messages_out
                        .with_label_values(&[stage, &record.topic])
                        .inc();
                    self.counters.messages_out.fetch_add(1, Ordering::Relaxed);
                }
                Err(SendError::Refused(err)) => {
                    refused.get_or_insert((index, err));
                }
                Err(SendError::Abandoned | SendError::Fatal) => abandoned = true,
            }
        }
        if abandoned {
            return Outcome::Abandoned;
        }
        if let Some((index, err)) = refused {
            let record = &records[index];
            let topic = &record.topic;
            tracing::warn!(error = %err, topic, source_topic = %self.input.topic, partition = self.input.partition, offset = self.input.offset, "The broker refused an output for good; the input is dead-lettered.");
            let reject = refusal_reject(&self.config, record, &err);
            return self.dead_letter(&reject).await;
        }
        Outcome::Done
    }

    /// Runs the processor (see [`process_input`]).
    async fn process(&self) -> Result<Vec<crate::record::OutputRecord>, Reject> {
        process_input(
            &self.config,
            &self.processor,
            &self.shared,
            &self.cpu,
            &self.input,
        )
        .await
    }

    /// Sends the dead letter and waits for its acknowledgement.
    async fn dead_letter(&self, reject: &Reject) -> Outcome {
        let mut record = dlq::dead_letter(
            &self.config.dlq_topic,
            &self.input,
            reject,
            &self.config.worker_name,
        );
        loop {
            match self.sender.send(&record).await {
                Ok(()) => {
                    self.shared
                        .metrics
                        .dead_lettered
                        .with_label_values(&[&reject.stage, &reject.kind])
                        .inc();
                    self.counters.dead_lettered.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(
                        stage = %reject.stage,
                        kind = %reject.kind,
                        error = %reject.message,
                        topic = %self.input.topic,
                        partition = self.input.partition,
                        offset = self.input.offset,
                        "An input was dead-lettered."
                    );
                    return Outcome::Done;
                }
                Err(SendError::Refused(err)) => match dlq::shrink(&record) {
                    Some(smaller) => {
                        tracing::warn!(error = %err, offset = self.input.offset, "The broker refused a dead letter; sending it again without the original payload.");
                        record = smaller;
                    }
                    None => {
                        // Nothing left to drop: never skip, never commit past it.
                        tracing::error!(error = %err, topic = %self.input.topic, partition = self.input.partition, offset = self.input.offset, "The broker refuses even the smallest dead letter; the partition cannot advance past this input.");
                        return Outcome::Abandoned;
                    }
                },
                Err(SendError::Abandoned | SendError::Fatal) => return Outcome::Abandoned,
            }
        }
    }
}

/// The dead-letter reason for an output `record` the broker refused for good with `err`.
pub(crate) fn refusal_reject(
    config: &RuntimeConfig,
    record: &ProduceRecord,
    err: &KafkaError,
) -> Reject {
    let topic = &record.topic;
    let too_large = matches!(
        err.rdkafka_error_code(),
        Some(rdkafka::error::RDKafkaErrorCode::MessageSizeTooLarge)
    );
    if too_large {
        let size = record.key.as_ref().map_or(0, Vec::len)
            + record.value.as_ref().map_or(0, Vec::len)
            + record
                .headers
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>();
        let client_limit = config
            .producer_properties()
            .get("message.max.bytes")
            .cloned()
            .unwrap_or_default();
        Reject::new(
            STAGE_PRODUCE,
            KIND_TOO_LARGE,
            format!(
                "the output record for topic {topic} is {size} bytes (key, value and headers, before compression), over a size limit: the producer's message.max.bytes is {client_limit}, the broker's message.max.bytes and the topic's max.message.bytes (1048588 by default) apply to the compressed batch: {err}"
            ),
        )
    } else {
        Reject::new(
            STAGE_PRODUCE,
            KIND_OUTPUT_REFUSED,
            format!("the broker refused an output record for topic {topic}: {err}"),
        )
    }
}

/// Runs the processor on a blocking thread (after the size check); a panic becomes a reject
/// of kind `panic`. Shared by both processing guarantees.
pub(crate) async fn process_input(
    config: &RuntimeConfig,
    processor: &Arc<dyn Processor>,
    shared: &Shared,
    cpu: &Semaphore,
    input: &Arc<InputRecord>,
) -> Result<Vec<crate::record::OutputRecord>, Reject> {
    let len = input.payload_len();
    if len > config.max_message_bytes {
        return Err(Reject::new(
            STAGE_INTAKE,
            KIND_TOO_LARGE,
            format!(
                "key and value are {len} bytes, over the limit of {} bytes",
                config.max_message_bytes
            ),
        ));
    }
    let _cpu = cpu.acquire().await.expect("the semaphore is never closed");
    let started = Instant::now();
    let joined = {
        let processor = processor.clone();
        let input = input.clone();
        tokio::task::spawn_blocking(move || processor.process(&input)).await
    };
    shared
        .metrics
        .processing_seconds
        .with_label_values(&[processor.stage()])
        .observe(started.elapsed().as_secs_f64());
    match joined {
        Ok(result) => result,
        Err(err) => {
            let message = if err.is_panic() {
                crate::record::panic_text(&*err.into_panic())
                    .unwrap_or_else(|| "the processor panicked".to_string())
            } else {
                format!("the processing task was cancelled: {err}")
            };
            tracing::error!(
                error = %message,
                topic = %input.topic,
                partition = input.partition,
                offset = input.offset,
                "The processor panicked; the input is dead-lettered."
            );
            Err(Reject::new(processor.stage(), KIND_PANIC, message))
        }
    }
}
