//! Exactly-once processing (`processing_guarantee = "exactly_once"`): consume a batch,
//! process it, then write its outputs, its dead letters and its input offsets in one Kafka
//! transaction.
//!
//! The loop is deliberately sequential, simple rather than fast:
//!
//! 1. collect up to `max_in_flight` inputs, for at most `commit_interval` after the first;
//! 2. drop those whose partition was revoked (or revoked and assigned again) meanwhile;
//! 3. `begin_transaction`; process the inputs with the same code as the at-least-once loop
//!    (at most `processing_threads` at once; panics and oversized inputs become dead letters)
//!    and send each input's outputs (or its dead letter) as soon as they exist, waiting for
//!    every acknowledgement;
//! 4. `send_offsets_to_transaction` with the batch's next offsets and the consumer's group
//!    metadata, `commit_transaction`.
//!
//! On any failure of steps 3 and 4 the transaction is aborted (nothing of it becomes visible to
//! a `read_committed` consumer), the consumer is sought back to the batch's first offsets and the
//! batch is redone after a backoff. A record the broker refuses for good (too large) is
//! remembered, so that on the redo its input is dead-lettered instead (the dead letter shrinks
//! like in the at-least-once loop when it is refused in turn).
//!
//! Rebalance callbacks run only inside the consumer poll, which happens only in step 1, when no
//! transaction is open: a revocation therefore never has a transaction of its partitions in
//! flight, and the previous batch's offsets are already committed (or aborted) when the
//! partitions move. The shared consumer context ([`crate::context`]) keeps the assignment
//! table; nothing is ever dispatched in it, so its revocation commits nothing.
//!
//! The producer's `transactional.id` is `<group_id>-<instance_id>` (see
//! [`RuntimeConfig::transactional_id`]): a restarted instance calls `init_transactions` with
//! the same id, which fences its dead predecessor and aborts the predecessor's open
//! transaction, so a `kill -9` in the middle of a transaction leaves nothing visible behind.
//! A fenced producer is fatal: the worker stops with [`Error::ProducerFatal`].

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::{watch, Semaphore};

use crate::config::{ConfigError, RuntimeConfig};
use crate::context::{ProducerCtx, Shared};
use crate::dlq;
use crate::error::Error;
use crate::produce::{classify, Failure, ProduceRecord, Sender};
use crate::record::{InputRecord, Processor, Reject};
use crate::runtime::{
    finish, process_input, refusal_reject, to_input, Consumer_, Counters, RunSummary, Worker,
};

/// Longest wait for one transaction call (init, begin, offsets, commit, abort) and for a seek.
const TXN_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a commit that failed with a retriable error is tried again before the batch is
/// aborted and redone.
const COMMIT_RETRIES: usize = 3;

type Producer_ = FutureProducer<ProducerCtx>;

/// Runs a transaction call on a blocking thread (they block up to their timeout).
async fn blocking<F>(producer: &Producer_, call: F) -> KafkaResult<()>
where
    F: FnOnce(&Producer_) -> KafkaResult<()> + Send + 'static,
{
    let producer = producer.clone();
    tokio::task::spawn_blocking(move || call(&producer))
        .await
        .unwrap_or(Err(KafkaError::Canceled))
}

/// Registers the producer's `transactional.id` with the broker: fences any earlier producer
/// with the same id and aborts its open transaction.
///
/// The embedded broker (librdkafka's mock cluster, recognised by its cluster id) is refused
/// first: it accepts every transaction call, but its `TxnOffsetCommit` stores nothing, so the
/// offsets of committed transactions are lost and every restart would redo everything.
pub(crate) async fn init(producer: &Producer_) -> Result<(), Error> {
    let client = producer.clone();
    // librdkafka's mock cluster names itself `mockCluster…`.
    let mock = tokio::task::spawn_blocking(move || client.client().fetch_cluster_id(TXN_TIMEOUT))
        .await
        .ok()
        .flatten()
        .is_some_and(|id| id.starts_with("mockCluster"));
    if mock {
        return Err(Error::Config(ConfigError::Invalid {
            key: "processing_guarantee".into(),
            message: "`exactly_once` is not supported by the embedded broker (librdkafka's mock \
                      cluster does not store the offsets of transactions); use Apache Kafka, \
                      or `at_least_once`"
                .into(),
        }));
    }
    blocking(producer, |p| p.init_transactions(TXN_TIMEOUT))
        .await
        .map_err(|e| Error::kafka("initialising transactions (processing_guarantee = exactly_once needs a broker with transactions: Apache Kafka, with transaction.state.log.replication.factor and transaction.state.log.min.isr no larger than its broker count)", e))
}

/// One consumed input and the assignment epoch of its partition when it arrived.
#[derive(Clone)]
struct Item {
    input: Arc<InputRecord>,
    epoch: u64,
}

/// An output or a dead letter of the batch, with the batch index of its input.
struct Planned {
    index: usize,
    record: ProduceRecord,
    /// Set for a dead letter: why its input was refused.
    dead_letter: Option<Reject>,
}

/// An input whose output (or dead letter) the broker refused for good: on the redo it is
/// dead-lettered with `reject`, its dead letter shrunk `shrunk` times.
#[derive(Clone)]
struct Refusal {
    reject: Reject,
    shrunk: usize,
}

type InputKey = (String, i32, i64);

fn key_of(input: &InputRecord) -> InputKey {
    (input.topic.clone(), input.partition, input.offset)
}

/// How a batch ended.
enum Ended {
    /// Committed.
    Committed,
    /// Aborted (or never begun): seek back and redo.
    Redo,
    /// The producer cannot go on (fenced, or another fatal error).
    Fatal(String),
}

/// How collecting a batch ended.
enum Collected {
    Batch(Vec<Item>),
    Shutdown,
    ConsumerFatal(KafkaError),
}

/// The exactly-once loop (see the module docs); called by [`Worker::run`].
pub(crate) async fn run<F>(worker: Worker, shutdown: F) -> Result<RunSummary, Error>
where
    F: Future + Send,
{
    let Worker {
        config,
        processor,
        shared,
        consumer,
        producer,
        http,
        http_stop,
    } = worker;
    // Never set: a batch is either committed or aborted, never abandoned half-way.
    let (_abandon_tx, abandon_rx) = watch::channel(false);
    let mut txn = Transactor {
        sender: Sender::new(producer.clone(), shared.clone(), &config, abandon_rx),
        cpu: Semaphore::new(config.processing_threads),
        counters: Counters::default(),
        refusals: HashMap::new(),
        config,
        processor,
        shared: shared.clone(),
        consumer: consumer.clone(),
        producer: producer.clone(),
    };
    let stage = txn.processor.stage();
    let mut backoff = txn.config.produce_retry_backoff;
    let mut consumer_fatal = None;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        if shared.fatal().is_some() {
            break;
        }
        let batch = match txn.collect(shutdown.as_mut()).await {
            Collected::Batch(batch) => batch,
            Collected::Shutdown => break,
            Collected::ConsumerFatal(err) => {
                tracing::error!(error = %err, "The consumer failed fatally.");
                consumer_fatal = Some(err);
                break;
            }
        };
        let batch = txn.still_owned(batch);
        if batch.is_empty() {
            continue;
        }
        shared
            .metrics
            .messages_in
            .with_label_values(&[stage])
            .inc_by(batch.len() as u64);
        txn.counters
            .messages_in
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        match txn.transact(&batch).await {
            Ended::Committed => backoff = txn.config.produce_retry_backoff,
            Ended::Redo => {
                if let Err(message) = txn.seek_back(&batch).await {
                    shared.set_fatal(message);
                    break;
                }
                tracing::warn!(
                    inputs = batch.len(),
                    backoff_ms = backoff.as_millis() as u64,
                    "The batch's transaction was aborted; the batch will be redone."
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(txn.config.produce_retry_max_backoff);
            }
            Ended::Fatal(message) => {
                tracing::error!(error = %message, "The transactional producer failed fatally (fenced by a newer instance with the same transactional.id, or broken); the open transaction is left to the broker to abort.");
                shared.set_fatal(message);
                break;
            }
        }
    }

    let started = Instant::now();
    shared.shutting_down.store(true, Ordering::SeqCst);
    tracing::info!("The worker is shutting down: no transaction is open.");
    let Transactor {
        counters, sender, ..
    } = txn;
    drop(sender);
    drop(producer);
    let close = tokio::task::spawn_blocking(move || drop(consumer));
    if tokio::time::timeout(TXN_TIMEOUT, close).await.is_err() {
        tracing::warn!("Leaving the consumer group took too long; exiting anyway.");
    }
    finish(
        http,
        http_stop,
        &shared,
        &counters,
        0,
        started,
        consumer_fatal,
    )
    .await
}

/// The state of the exactly-once loop.
struct Transactor {
    config: RuntimeConfig,
    processor: Arc<dyn Processor>,
    shared: Arc<Shared>,
    consumer: Arc<Consumer_>,
    producer: Producer_,
    sender: Sender,
    cpu: Semaphore,
    counters: Counters,
    refusals: HashMap<InputKey, Refusal>,
}

impl Transactor {
    /// Collects up to `max_in_flight` inputs, for at most `commit_interval` after the first.
    async fn collect<F: Future>(&self, mut shutdown: std::pin::Pin<&mut F>) -> Collected {
        let mut batch = Vec::new();
        let mut deadline = Instant::now();
        while batch.len() < self.config.max_in_flight {
            let until = tokio::time::Instant::from_std(deadline);
            let next = tokio::select! {
                biased;
                _ = &mut shutdown => return Collected::Shutdown,
                _ = self.shared.fatal_notify.notified() => return Collected::Shutdown,
                _ = tokio::time::sleep_until(until), if !batch.is_empty() => break,
                next = self.consumer.recv() => next,
            };
            let message = match next {
                Ok(message) => message,
                Err(KafkaError::MessageConsumptionFatal(code)) => {
                    return Collected::ConsumerFatal(KafkaError::MessageConsumptionFatal(code))
                }
                Err(err) => {
                    crate::context::log_consumer_error(&self.shared, &err, "consume");
                    continue;
                }
            };
            let input = to_input(&message);
            drop(message);
            self.shared.resets.arrived(
                &self.shared.metrics,
                &input.topic,
                input.partition,
                input.offset,
            );
            let Some(epoch) = self.shared.table().epoch(&input.topic, input.partition) else {
                tracing::debug!(topic = %input.topic, partition = input.partition, offset = input.offset, "Skipped a message of a partition that is not assigned.");
                continue;
            };
            if batch.is_empty() {
                deadline = Instant::now() + self.config.commit_interval;
            }
            batch.push(Item {
                input: Arc::new(input),
                epoch,
            });
        }
        Collected::Batch(batch)
    }

    /// The inputs whose partition is still assigned under the epoch they arrived in.
    fn still_owned_items<'a>(&self, batch: &'a [Item]) -> Vec<&'a Item> {
        let table = self.shared.table();
        batch
            .iter()
            .filter(|item| table.epoch(&item.input.topic, item.input.partition) == Some(item.epoch))
            .collect()
    }

    /// Keeps the inputs whose partition is still assigned under the epoch they arrived in.
    fn still_owned(&self, batch: Vec<Item>) -> Vec<Item> {
        let kept: Vec<Item> = self
            .still_owned_items(&batch)
            .into_iter()
            .cloned()
            .collect();
        if kept.len() < batch.len() {
            tracing::info!(
                dropped = batch.len() - kept.len(),
                "Inputs of partitions revoked while the batch was collected are left to their new owner."
            );
        }
        kept
    }

    /// Processes one input of the batch (at `index`) into its outputs, or its dead letter.
    async fn plan(&self, index: usize, item: &Item) -> Result<Vec<Planned>, String> {
        let result = match self.refusals.get(&key_of(&item.input)) {
            Some(refusal) => Err(refusal.clone()),
            None => process_input(
                &self.config,
                &self.processor,
                &self.shared,
                &self.cpu,
                &item.input,
            )
            .await
            .map_err(|reject| Refusal { reject, shrunk: 0 }),
        };
        match result {
            Ok(outputs) => Ok(outputs
                .into_iter()
                .map(|o| Planned {
                    index,
                    record: ProduceRecord::from(o),
                    dead_letter: None,
                })
                .collect()),
            Err(Refusal { reject, shrunk }) => {
                let mut record = dlq::dead_letter(
                    &self.config.dlq_topic,
                    &item.input,
                    &reject,
                    &self.config.worker_name,
                );
                for _ in 0..shrunk {
                    record = dlq::shrink(&record).ok_or_else(|| {
                        format!(
                            "the broker refuses even the smallest dead letter of {}/{} offset {}: the partition cannot advance past this input",
                            item.input.topic, item.input.partition, item.input.offset
                        )
                    })?;
                }
                Ok(vec![Planned {
                    index,
                    record,
                    dead_letter: Some(reject),
                }])
            }
        }
    }

    /// Processes the batch and writes it in one transaction. The transaction is open while
    /// the batch is processed: each input's records are sent as soon as they exist, so
    /// processing and producing overlap.
    async fn transact(&mut self, batch: &[Item]) -> Ended {
        if let Err(err) = blocking(&self.producer, |p| p.begin_transaction()).await {
            return self.abort(err, "beginning the transaction").await;
        }
        let this = &*self;
        let results =
            futures::future::join_all(batch.iter().enumerate().map(|(index, item)| async move {
                let planned = this.plan(index, item).await?;
                let sent = futures::future::join_all(
                    planned.iter().map(|p| this.sender.try_send(&p.record)),
                )
                .await;
                Ok::<_, String>(planned.into_iter().zip(sent))
            }))
            .await;
        let mut planned = Vec::new();
        let mut sent = Vec::new();
        for result in results {
            match result {
                Ok(records) => {
                    for (p, s) in records {
                        planned.push(p);
                        sent.push(s);
                    }
                }
                Err(message) => return Ended::Fatal(message),
            }
        }
        let mut failed = None;
        for (p, result) in planned.iter().zip(sent) {
            let err = match result {
                Ok(Ok(())) => continue,
                Ok(Err(err)) => err,
                // The abandon signal is never raised in this loop.
                Err(_) => KafkaError::Canceled,
            };
            if classify(&err) == Failure::Refused {
                let input = &batch[p.index].input;
                let refusal = match &p.dead_letter {
                    Some(reject) => Refusal {
                        reject: reject.clone(),
                        shrunk: self.refusals.get(&key_of(input)).map_or(0, |r| r.shrunk) + 1,
                    },
                    None => Refusal {
                        reject: refusal_reject(&self.config, &p.record, &err),
                        shrunk: 0,
                    },
                };
                tracing::warn!(error = %err, topic = %p.record.topic, source_topic = %input.topic, partition = input.partition, offset = input.offset, "The broker refused a record for good; after the abort its input is dead-lettered.");
                self.refusals.insert(key_of(input), refusal);
            }
            failed.get_or_insert(err);
        }
        if let Some(err) = failed {
            return self.abort(err, "producing the batch").await;
        }
        let offsets = next_offsets(batch);
        let Some(group) = self.consumer.group_metadata() else {
            return self
                .abort(KafkaError::Canceled, "reading the consumer group metadata")
                .await;
        };
        let sent_offsets = blocking(&self.producer, move |p| {
            p.send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT)
        })
        .await;
        if let Err(err) = sent_offsets {
            return self
                .abort(err, "adding the offsets to the transaction")
                .await;
        }
        let mut attempt = 0;
        loop {
            match blocking(&self.producer, |p| p.commit_transaction(TXN_TIMEOUT)).await {
                Ok(()) => break,
                Err(err) if retriable(&err) && attempt < COMMIT_RETRIES => {
                    attempt += 1;
                    tracing::info!(error = %err, attempt, "Committing the transaction failed; trying again.");
                }
                Err(err) => return self.abort(err, "committing the transaction").await,
            }
        }
        self.shared.liveness.progressed();
        self.committed(batch, &planned);
        Ended::Committed
    }

    /// Counts a committed batch.
    fn committed(&mut self, batch: &[Item], planned: &[Planned]) {
        let stage = self.processor.stage();
        let metrics = &self.shared.metrics;
        metrics.commit(true);
        for p in planned {
            match &p.dead_letter {
                None => {
                    metrics
                        .messages_out
                        .with_label_values(&[stage, &p.record.topic])
                        .inc();
                    self.counters.messages_out.fetch_add(1, Ordering::Relaxed);
                }
                Some(reject) => {
                    metrics
                        .dead_lettered
                        .with_label_values(&[&reject.stage, &reject.kind])
                        .inc();
                    self.counters.dead_lettered.fetch_add(1, Ordering::Relaxed);
                    let input = &batch[p.index].input;
                    tracing::info!(stage = %reject.stage, kind = %reject.kind, error = %reject.message, topic = %input.topic, partition = input.partition, offset = input.offset, "An input was dead-lettered.");
                }
            }
        }
        for item in batch {
            self.refusals.remove(&key_of(&item.input));
        }
        tracing::debug!(
            inputs = batch.len(),
            records = planned.len(),
            "Committed a transaction."
        );
    }

    /// Aborts the open transaction after `err`; fatal errors end the worker instead.
    async fn abort(&self, err: KafkaError, doing: &'static str) -> Ended {
        self.shared.metrics.commit(false);
        if fatal(&err) {
            return Ended::Fatal(format!("{doing}: {err}"));
        }
        tracing::warn!(error = %err, doing, "A transaction failed; aborting it.");
        match blocking(&self.producer, |p| p.abort_transaction(TXN_TIMEOUT)).await {
            Ok(()) => Ended::Redo,
            // Nothing open (begin failed): nothing to abort.
            Err(abort) if !fatal(&abort) && doing == "beginning the transaction" => Ended::Redo,
            Err(abort) => Ended::Fatal(format!(
                "{doing}: {err}; aborting the transaction failed too: {abort}"
            )),
        }
    }

    /// Seeks every still-owned partition of the batch back to its first offset in the batch,
    /// so the next batches read it again. A failed seek of a partition still owned is fatal:
    /// reading on past inputs that were never written would lose them.
    async fn seek_back(&self, batch: &[Item]) -> Result<(), String> {
        let mut first: BTreeMap<(String, i32), i64> = BTreeMap::new();
        for item in self.still_owned_items(batch) {
            let offset = first
                .entry((item.input.topic.clone(), item.input.partition))
                .or_insert(item.input.offset);
            *offset = (*offset).min(item.input.offset);
        }
        if first.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), offset) in &first {
            tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset))
                .map_err(|e| format!("building the seek list: {e}"))?;
        }
        let consumer = self.consumer.clone();
        let sought =
            tokio::task::spawn_blocking(move || consumer.seek_partitions(tpl, TXN_TIMEOUT))
                .await
                .unwrap_or(Err(KafkaError::Canceled))
                .map_err(|e| format!("seeking back to the aborted batch: {e}"))?;
        for elem in sought.elements() {
            if let Err(err) = elem.error() {
                let owned = self
                    .shared
                    .table()
                    .epoch(elem.topic(), elem.partition())
                    .is_some();
                if owned {
                    return Err(format!(
                        "seeking {}/{} back to the aborted batch: {err}",
                        elem.topic(),
                        elem.partition()
                    ));
                }
            }
        }
        tracing::debug!(partitions = ?first, "Sought back to the aborted batch.");
        Ok(())
    }
}

/// The offsets to commit for a batch: per partition, one past its last input.
fn next_offsets(batch: &[Item]) -> TopicPartitionList {
    let mut next: BTreeMap<(&str, i32), i64> = BTreeMap::new();
    for item in batch {
        let offset = next
            .entry((item.input.topic.as_str(), item.input.partition))
            .or_insert(0);
        *offset = (*offset).max(item.input.offset + 1);
    }
    let mut tpl = TopicPartitionList::new();
    for ((topic, partition), offset) in next {
        // Offsets come from consumed messages, so they are always valid.
        let _ = tpl.add_partition_offset(topic, partition, Offset::Offset(offset));
    }
    tpl
}

/// Whether a transaction call's error leaves the producer unusable.
fn fatal(err: &KafkaError) -> bool {
    match err {
        KafkaError::Transaction(e) => e.is_fatal(),
        other => classify(other) == Failure::Fatal,
    }
}

/// Whether the same transaction call may simply be made again.
fn retriable(err: &KafkaError) -> bool {
    matches!(err, KafkaError::Transaction(e) if e.is_retriable() && !e.txn_requires_abort())
}
