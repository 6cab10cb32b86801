//! The session every loop runs in: the worker's per-record loop ([`crate::runtime`]), the
//! exactly-once loop ([`crate::transactional`]) and the sink's batch loop ([`crate::sink`]) are
//! front ends over one [`Session`].
//!
//! A session owns what the at-least-once and shutdown rules need, written once:
//!
//! - the clients: the consumer (with the rebalance context, [`crate::context`]) and the
//!   producer, created from the configuration, and the subscription;
//! - the shared state ([`Shared`]: the partition table with its offset trackers, metrics,
//!   liveness) and the HTTP server reading it (`/metrics`, `/health`, `/ready`);
//! - reading inputs ([`Session::recv`]), tracking them in the partition table and marking them
//!   done ([`Session::track`], [`Session::complete`]);
//! - the [`Sender`] (produce with acknowledgement) and the abandon signal that ends its retries;
//! - the one dead-letter delivery path ([`Session::dead_letter`]): send, shrink when the broker
//!   refuses, and an error when even the smallest dead letter is refused;
//! - offset commits of the contiguous safe offsets ([`Session::commit`], [`Committer`]);
//! - [`Session::close`]: the final commit, the producer flush and leaving the group, each
//!   within what is left of the shutdown budget, then the HTTP server stops.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::Message;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::config::RuntimeConfig;
use crate::context::{ConsumerCtx, ProducerCtx, Shared};
use crate::dlq::{self, KIND_TOO_LARGE, STAGE_INTAKE};
use crate::error::Error;
use crate::http::{self, HttpServer};
use crate::metrics::Metrics;
use crate::partitions::Dispatched;
use crate::produce::{wait_true, SendError, Sender};
use crate::record::{InputRecord, Reject};

pub(crate) type Consumer_ = StreamConsumer<ConsumerCtx>;
pub(crate) type Producer_ = FutureProducer<ProducerCtx>;

/// Shortest time each closing step gets, even past the deadline.
const CLOSE_STEP_MIN: Duration = Duration::from_millis(500);
/// How long the HTTP server gets to stop.
const HTTP_STOP: Duration = Duration::from_secs(1);

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

/// A closed session: what it did, and the fatal producer error that ended it, if any.
pub(crate) struct Closed {
    pub summary: RunSummary,
    pub fatal: Option<String>,
}

/// The clients, the shared state, HTTP, the sender and the commits of one run (see the
/// module docs). Dereferences to its [`Handle`].
pub(crate) struct Session {
    handle: Handle,
    pub consumer: Arc<Consumer_>,
    pub producer: Producer_,
    abandon: watch::Sender<bool>,
    http: HttpServer,
    http_stop: oneshot::Sender<()>,
}

impl std::ops::Deref for Session {
    type Target = Handle;

    fn deref(&self) -> &Handle {
        &self.handle
    }
}

/// The part of a [`Session`] that tasks of the loop hold: the configuration, the shared
/// state, the sender and the counters, with the tracking and dead-letter steps over them.
#[derive(Clone)]
pub(crate) struct Handle {
    pub config: Arc<RuntimeConfig>,
    /// The `stage` label of the run's metrics: the processor's stage or the sink's name.
    pub stage: &'static str,
    pub shared: Arc<Shared>,
    pub sender: Sender,
    pub counters: Arc<Counters>,
}

/// The client configuration for librdkafka from `props`, with its log level.
fn client_config(props: &BTreeMap<String, String>) -> ClientConfig {
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

impl Session {
    /// Creates the consumer and the producer (not subscribed yet) and starts the HTTP server.
    /// The configuration is validated by the caller.
    pub async fn open(
        config: RuntimeConfig,
        metrics: Metrics,
        stage: &'static str,
    ) -> Result<Session, Error> {
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
        let producer: Producer_ = client_config(&config.producer_properties())
            .create_with_context(ProducerCtx {
                shared: shared.clone(),
            })
            .map_err(|e| Error::kafka("creating the producer", e))?;
        for topic in &config.input_topics {
            // Visible as 0 before the first skip, so that increase() sees the first one.
            shared.metrics.offsets_skipped.with_label_values(&[topic]);
        }
        let (http_stop, http_stopped) = oneshot::channel::<()>();
        let http = http::start(config.http_addr, shared.clone(), async move {
            let _ = http_stopped.await;
        })
        .await?;
        let (abandon, abandon_rx) = watch::channel(false);
        let sender = Sender::new(producer.clone(), shared.clone(), &config, abandon_rx);
        Ok(Session {
            handle: Handle {
                config: Arc::new(config),
                stage,
                shared,
                sender,
                counters: Arc::new(Counters::default()),
            },
            consumer: Arc::new(consumer),
            producer,
            abandon,
            http,
            http_stop,
        })
    }

    /// Subscribes to the input topics: the consumer joins its group.
    pub fn subscribe(&self) -> Result<(), Error> {
        let topics: Vec<&str> = self
            .config
            .input_topics
            .iter()
            .map(String::as_str)
            .collect();
        self.consumer
            .subscribe(&topics)
            .map_err(|e| Error::kafka("subscribing to the input topics", e))
    }

    /// The address the HTTP server is bound to.
    pub fn http_addr(&self) -> SocketAddr {
        self.http.addr
    }

    /// Resolves when the producer failed fatally (see [`Shared::set_fatal`]).
    pub async fn failed(&self) {
        if self.shared.fatal().is_none() {
            self.shared.fatal_notify.notified().await;
        }
    }

    /// The next input, after noting its arrival for offset-reset detection. Consumer errors
    /// are logged and skipped; a fatal one is returned (and logged).
    pub async fn recv(&self) -> Result<InputRecord, KafkaError> {
        loop {
            match self.consumer.recv().await {
                Ok(message) => {
                    let input = to_input(&message);
                    drop(message);
                    self.shared.resets.arrived(
                        &self.shared.metrics,
                        &input.topic,
                        input.partition,
                        input.offset,
                    );
                    return Ok(input);
                }
                Err(KafkaError::MessageConsumptionFatal(code)) => {
                    tracing::error!(error = %code, "The consumer failed fatally.");
                    return Err(KafkaError::MessageConsumptionFatal(code));
                }
                Err(err) => crate::context::log_consumer_error(&self.shared, &err, "consume"),
            }
        }
    }

    /// A clone of the session's [`Handle`], for the loop's tasks.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Ends every retry of the sender: what is not acknowledged yet stays undone.
    pub fn abandon(&self) {
        let _ = self.abandon.send(true);
    }

    /// Marks the start of the shutdown: `/ready` answers 503 from now on.
    pub fn begin_shutdown(&self) {
        self.shared.shutting_down.store(true, Ordering::SeqCst);
    }

    /// Commits every partition's safe offset, on a blocking thread. Returns whether it
    /// succeeded.
    pub async fn commit(&self, why: &'static str) -> bool {
        commit_now(self.consumer.clone(), self.shared.clone(), why).await
    }

    /// Starts committing the safe offsets every `commit_interval`, until [`Committer::stop`].
    pub fn spawn_committer(&self) -> Committer {
        let (stop, mut stopped) = watch::channel(false);
        let consumer = self.consumer.clone();
        let shared = self.shared.clone();
        let interval = self.config.commit_interval;
        let task = tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = wait_true(&mut stopped) => return,
                }
                commit_now(consumer.clone(), shared.clone(), "periodic").await;
            }
        });
        Committer { stop, task }
    }

    /// Closes the session by `deadline`: commits the safe offsets, flushes the producer,
    /// leaves the group (each step gets what is left of the deadline, at least
    /// [`CLOSE_STEP_MIN`]) and stops the HTTP server.
    pub async fn close(self, deadline: Instant) -> Closed {
        let budget = || {
            deadline
                .saturating_duration_since(Instant::now())
                .max(CLOSE_STEP_MIN)
        };
        self.begin_shutdown();
        let committed = tokio::time::timeout(budget(), self.commit("shutdown"))
            .await
            .unwrap_or(false);
        if !committed {
            tracing::warn!(
                "The final commit failed; the uncommitted messages will be redone after restart."
            );
        }
        let Session {
            handle,
            consumer,
            producer,
            http,
            http_stop,
            ..
        } = self;
        let Handle {
            shared,
            sender,
            counters,
            stage,
            ..
        } = handle;
        if producer.in_flight_count() > 0 {
            let flush_budget = budget();
            let flush_producer = producer.clone();
            let flushed =
                tokio::task::spawn_blocking(move || flush_producer.flush(flush_budget)).await;
            if let Ok(Err(err)) = flushed {
                tracing::warn!(error = %err, "The producer did not flush completely.");
            }
        }
        drop(sender);
        drop(producer);
        // Leaving the group runs the revocation callback (which commits again, a no-op now).
        let close = tokio::task::spawn_blocking(move || drop(consumer));
        if tokio::time::timeout(budget(), close).await.is_err() {
            tracing::warn!("Leaving the consumer group took too long; exiting anyway.");
        }
        let _ = http_stop.send(());
        let _ = tokio::time::timeout(HTTP_STOP, http.task).await;
        let summary = RunSummary {
            messages_in: counters.messages_in.load(Ordering::Relaxed),
            messages_out: counters.messages_out.load(Ordering::Relaxed),
            dead_lettered: counters.dead_lettered.load(Ordering::Relaxed),
            commits: shared.metrics.commits.with_label_values(&["ok"]).get(),
            abandoned: 0,
            partitions_revoked: shared.metrics.partitions_revoked.get(),
            partitions_lost: shared.metrics.partitions_lost_total(),
        };
        tracing::info!(
            stage,
            messages_in = summary.messages_in,
            messages_out = summary.messages_out,
            dead_lettered = summary.dead_lettered,
            commits = summary.commits,
            partitions_revoked = summary.partitions_revoked,
            partitions_lost = summary.partitions_lost,
            "The session closed: final commit, producer flush, group left, HTTP stopped."
        );
        Closed {
            summary,
            fatal: shared.fatal(),
        }
    }
}

impl Handle {
    /// Counts `n` inputs taken into the loop.
    pub fn count_in(&self, n: u64) {
        self.shared
            .metrics
            .messages_in
            .with_label_values::<&str>(&[])
            .inc_by(n);
        self.counters.messages_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts an acknowledged output record for `topic`.
    pub fn count_output(&self, topic: &str) {
        self.shared
            .metrics
            .messages_out
            .with_label_values(&[topic])
            .inc();
        self.counters.messages_out.fetch_add(1, Ordering::Relaxed);
    }

    /// Starts tracking `input` in its partition's offset tracker: the assignment epoch, or
    /// `None` (logged) when its partition is not assigned or the offset is already in flight
    /// (a redelivery): such an input is left alone.
    pub fn track(&self, input: &InputRecord) -> Option<u64> {
        let dispatched = self
            .shared
            .table()
            .dispatch(&input.topic, input.partition, input.offset);
        match dispatched {
            Dispatched::Tracked(epoch) => Some(epoch),
            other => {
                tracing::debug!(topic = %input.topic, partition = input.partition, offset = input.offset, outcome = ?other, "Skipped a message that is already in flight or whose partition is not assigned.");
                None
            }
        }
    }

    /// Marks `input` (tracked under `epoch`) done. False when its partition was revoked since
    /// (the completion is ignored).
    pub fn complete(&self, input: &InputRecord, epoch: u64) -> bool {
        let completed =
            self.shared
                .table()
                .complete(&input.topic, input.partition, epoch, input.offset);
        self.shared.table_changed.notify_all();
        completed
    }

    /// The dead-letter reason for an input over `max_message_bytes`, if it is.
    pub fn oversized(&self, input: &InputRecord) -> Option<Reject> {
        let len = input.payload_len();
        let max = self.config.max_message_bytes;
        (len > max).then(|| {
            Reject::new(
                STAGE_INTAKE,
                KIND_TOO_LARGE,
                format!("key and value are {len} bytes, over the limit of {max} bytes"),
            )
        })
    }

    /// Sends `input`'s dead letter and waits for its acknowledgement; a dead letter the broker
    /// refuses is sent again smaller ([`dlq::shrink`]). True once acknowledged (and counted);
    /// false when abandoned, after a fatal producer error or when even the smallest dead letter
    /// is refused: the input must then stay undone.
    pub async fn dead_letter(&self, input: &InputRecord, reject: &Reject) -> bool {
        let mut record = dlq::dead_letter(
            &self.config.dlq_topic,
            input,
            reject,
            &self.config.worker_name,
        );
        loop {
            match self.sender.send(&record).await {
                Ok(()) => {
                    self.dead_lettered(input, reject);
                    return true;
                }
                Err(SendError::Refused(err)) => match dlq::shrink(&record) {
                    Some(smaller) => {
                        tracing::warn!(error = %err, topic = %input.topic, partition = input.partition, offset = input.offset, "The broker refused a dead letter; sending it again without the original payload.");
                        record = smaller;
                    }
                    None => {
                        unsendable(input, &err);
                        return false;
                    }
                },
                Err(SendError::Abandoned | SendError::Fatal) => return false,
            }
        }
    }

    /// Counts and logs an acknowledged (or committed) dead letter of `input`.
    pub fn dead_lettered(&self, input: &InputRecord, reject: &Reject) {
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
            topic = %input.topic,
            partition = input.partition,
            offset = input.offset,
            "An input was dead-lettered."
        );
    }
}

/// Logs that the broker refuses even the smallest dead letter of `input` (`err`): the input
/// stays undone, so its partition cannot advance past it. Every loop logs it the same way.
pub(crate) fn unsendable(input: &InputRecord, err: &dyn std::fmt::Display) {
    tracing::error!(error = %err, topic = %input.topic, partition = input.partition, offset = input.offset, "The broker refuses even the smallest dead letter; the partition cannot advance past this input.");
}

/// The periodic committer of [`Session::spawn_committer`].
pub(crate) struct Committer {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Committer {
    /// Stops committing (a commit under way finishes first).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
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

/// Copies a consumed message into an owned [`InputRecord`]. A header without a value becomes
/// an empty one.
fn to_input(m: &BorrowedMessage<'_>) -> InputRecord {
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
