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
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::producer::Producer;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::Semaphore;

use crate::config::ConfigError;
use crate::dlq;
use crate::error::Error;
use crate::produce::{classify, Failure, ProduceRecord};
use crate::record::{InputRecord, Processor, Reject};
use crate::runtime::{finish, process_input, refusal_reject, RunSummary, Worker};
use crate::session::{unsendable, Producer_, Session};

/// Longest wait for one transaction call (init, begin, offsets, commit, abort) and for a seek.
const TXN_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a commit that failed with a retriable error is tried again before the batch is
/// aborted and redone.
const COMMIT_RETRIES: usize = 3;

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

/// An input whose output (or dead letter) the broker refused for good (with `error`): on the
/// redo it is dead-lettered with `reject`, its dead letter shrunk `shrunk` times.
#[derive(Clone)]
struct Refusal {
    reject: Reject,
    shrunk: usize,
    error: String,
}

type InputKey = (String, i32, i64);

/// How the send of one record ended (see [`crate::produce::Sender::try_send`]).
type Sent = Result<KafkaResult<()>, crate::produce::SendError>;

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
    let Worker { session, processor } = worker;
    // The sender's abandon signal is never raised: a batch is either committed or aborted,
    // never abandoned half-way.
    let mut txn = Transactor {
        cpu: Semaphore::new(session.config.processing_threads),
        refusals: HashMap::new(),
        session,
        processor,
    };
    let consumer_fatal = txn.run(shutdown).await;

    let started = Instant::now();
    tracing::info!("The worker is shutting down: no transaction is open.");
    let deadline = started + txn.session.config.shutdown_timeout;
    let closed = txn.session.close(deadline).await;
    finish(closed, 0, started, consumer_fatal)
}

/// The state of the exactly-once loop.
struct Transactor {
    session: Session,
    processor: Arc<dyn Processor>,
    cpu: Semaphore,
    refusals: HashMap<InputKey, Refusal>,
}

impl Transactor {
    /// Collects, processes and commits batches until `shutdown` resolves or a fatal error;
    /// returns the consumer's fatal error, if that ended it.
    async fn run<F: Future>(&mut self, shutdown: F) -> Option<KafkaError> {
        let mut backoff = self.session.config.produce_retry_backoff;
        let mut shutdown = std::pin::pin!(shutdown);
        while self.session.shared.fatal().is_none() {
            let batch = match self.collect(shutdown.as_mut()).await {
                Collected::Batch(batch) => self.still_owned(batch),
                Collected::Shutdown => return None,
                Collected::ConsumerFatal(err) => return Some(err),
            };
            if batch.is_empty() {
                continue;
            }
            self.session.count_in(batch.len() as u64);
            let ended = self.transact(&batch).await;
            let config = &self.session.config;
            match ended {
                Ended::Committed => backoff = config.produce_retry_backoff,
                Ended::Redo => {
                    if let Err(message) = self.seek_back(&batch).await {
                        self.session.shared.set_fatal(message);
                        return None;
                    }
                    tracing::warn!(
                        inputs = batch.len(),
                        backoff_ms = backoff.as_millis() as u64,
                        "The batch's transaction was aborted; the batch will be redone."
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(config.produce_retry_max_backoff);
                }
                Ended::Fatal(message) => {
                    tracing::error!(error = %message, "The transactional producer failed fatally (fenced by a newer instance with the same transactional.id, or broken); the open transaction is left to the broker to abort.");
                    self.session.shared.set_fatal(message);
                    return None;
                }
            }
        }
        None
    }

    /// Collects up to `max_in_flight` inputs, for at most `commit_interval` after the first.
    async fn collect<F: Future>(&self, mut shutdown: std::pin::Pin<&mut F>) -> Collected {
        let session = &self.session;
        let mut batch = Vec::new();
        let mut deadline = Instant::now();
        while batch.len() < session.config.max_in_flight {
            let until = tokio::time::Instant::from_std(deadline);
            let input = tokio::select! {
                biased;
                _ = &mut shutdown => return Collected::Shutdown,
                _ = session.failed() => return Collected::Shutdown,
                _ = tokio::time::sleep_until(until), if !batch.is_empty() => break,
                input = session.recv() => match input {
                    Ok(input) => input,
                    Err(err) => return Collected::ConsumerFatal(err),
                },
            };
            let Some(epoch) = session.shared.table().epoch(&input.topic, input.partition) else {
                tracing::debug!(topic = %input.topic, partition = input.partition, offset = input.offset, "Skipped a message of a partition that is not assigned.");
                continue;
            };
            if batch.is_empty() {
                deadline = Instant::now() + session.config.commit_interval;
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
        let table = self.session.shared.table();
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
            None => process_input(&self.session, &self.processor, &self.cpu, &item.input)
                .await
                .map_err(|reject| Refusal {
                    reject,
                    shrunk: 0,
                    error: String::new(),
                }),
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
            Err(Refusal {
                reject,
                shrunk,
                error,
            }) => {
                let config = &self.session.config;
                let input = &item.input;
                let mut record =
                    dlq::dead_letter(&config.dlq_topic, input, &reject, &config.worker_name);
                for _ in 0..shrunk {
                    record = dlq::shrink(&record).ok_or_else(|| {
                        unsendable(input, &error);
                        format!(
                            "the broker refuses even the smallest dead letter of {}/{} offset {}: the partition cannot advance past this input",
                            input.topic, input.partition, input.offset
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
        if let Err(err) = blocking(&self.session.producer, |p| p.begin_transaction()).await {
            return self.abort(err, "beginning the transaction").await;
        }
        let (planned, sent) = match self.produce(batch).await {
            Ok(produced) => produced,
            Err(message) => return Ended::Fatal(message),
        };
        if let Some(err) = self.note_refusals(batch, &planned, sent) {
            return self.abort(err, "producing the batch").await;
        }
        if let Err((err, doing)) = self.commit(batch).await {
            return self.abort(err, doing).await;
        }
        self.session.shared.liveness.progressed();
        self.committed(batch, &planned);
        Ended::Committed
    }

    /// Processes every input of the batch and sends its records; returns them with how their
    /// sends ended. An error is fatal: a dead letter that cannot be sent at all.
    async fn produce(&self, batch: &[Item]) -> Result<(Vec<Planned>, Vec<Sent>), String> {
        let results =
            futures::future::join_all(batch.iter().enumerate().map(|(index, item)| async move {
                let planned = self.plan(index, item).await?;
                let sent = futures::future::join_all(
                    planned
                        .iter()
                        .map(|p| self.session.sender.try_send(&p.record)),
                )
                .await;
                Ok::<_, String>(planned.into_iter().zip(sent))
            }))
            .await;
        let mut planned = Vec::new();
        let mut sent = Vec::new();
        for records in results {
            for (p, s) in records? {
                planned.push(p);
                sent.push(s);
            }
        }
        Ok((planned, sent))
    }

    /// The first failed send of the batch, if any; every record the broker refused for good
    /// is remembered, so that on the redo its input is dead-lettered (or its dead letter
    /// shrunk).
    fn note_refusals(
        &mut self,
        batch: &[Item],
        planned: &[Planned],
        sent: Vec<Sent>,
    ) -> Option<KafkaError> {
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
                        error: err.to_string(),
                    },
                    None => Refusal {
                        reject: refusal_reject(&self.session.config, &p.record, &err),
                        shrunk: 0,
                        error: err.to_string(),
                    },
                };
                tracing::warn!(error = %err, topic = %p.record.topic, source_topic = %input.topic, partition = input.partition, offset = input.offset, "The broker refused a record for good; after the abort its input is dead-lettered.");
                self.refusals.insert(key_of(input), refusal);
            }
            failed.get_or_insert(err);
        }
        failed
    }

    /// Adds the batch's offsets to the open transaction and commits it (retrying a
    /// retriable commit error a few times); the error and what failed otherwise.
    async fn commit(&self, batch: &[Item]) -> Result<(), (KafkaError, &'static str)> {
        let offsets = next_offsets(batch);
        let Some(group) = self.session.consumer.group_metadata() else {
            return Err((KafkaError::Canceled, "reading the consumer group metadata"));
        };
        blocking(&self.session.producer, move |p| {
            p.send_offsets_to_transaction(&offsets, &group, TXN_TIMEOUT)
        })
        .await
        .map_err(|err| (err, "adding the offsets to the transaction"))?;
        let mut attempt = 0;
        loop {
            match blocking(&self.session.producer, |p| {
                p.commit_transaction(TXN_TIMEOUT)
            })
            .await
            {
                Ok(()) => return Ok(()),
                Err(err) if retriable(&err) && attempt < COMMIT_RETRIES => {
                    attempt += 1;
                    tracing::info!(error = %err, attempt, "Committing the transaction failed; trying again.");
                }
                Err(err) => return Err((err, "committing the transaction")),
            }
        }
    }

    /// Counts a committed batch.
    fn committed(&mut self, batch: &[Item], planned: &[Planned]) {
        self.session.shared.metrics.commit(true);
        for p in planned {
            match &p.dead_letter {
                None => self.session.count_output(&p.record.topic),
                Some(reject) => self.session.dead_lettered(&batch[p.index].input, reject),
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
        self.session.shared.metrics.commit(false);
        if fatal(&err) {
            return Ended::Fatal(format!("{doing}: {err}"));
        }
        tracing::warn!(error = %err, doing, "A transaction failed; aborting it.");
        match blocking(&self.session.producer, |p| p.abort_transaction(TXN_TIMEOUT)).await {
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
        let consumer = self.session.consumer.clone();
        let sought =
            tokio::task::spawn_blocking(move || consumer.seek_partitions(tpl, TXN_TIMEOUT))
                .await
                .unwrap_or(Err(KafkaError::Canceled))
                .map_err(|e| format!("seeking back to the aborted batch: {e}"))?;
        for elem in sought.elements() {
            if let Err(err) = elem.error() {
                let owned = self
                    .session
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
