//! Talking to the broker from the tests: topic creation, producing inputs, reading topics.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::admin::{
    AdminClient, AdminOptions, AlterConfig, NewTopic, ResourceSpecifier, TopicReplication,
};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};

/// Largest record the test clients send and accept: room for the 20 MiB input.
pub const CLIENT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// A single-threaded tokio runtime for the few async rdkafka calls (admin, producer).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("tokio runtime")
}

/// Creates `topics` with `partitions` partitions each and the broker's default replication
/// factor (`default.replication.factor`: 1 on one node, 3 on a three-node cluster, as
/// `scripts/kafka.sh config` sets it); existing topics are fine.
///
/// Topics that already exist with enough partitions are left alone without an admin request:
/// the embedded broker (librdkafka's mock cluster) creates its topics itself and does not
/// answer CreateTopics.
pub fn create_topics(bootstrap: &str, topics: &[&str], partitions: i32) -> Result<(), String> {
    let consumer = reader_consumer(bootstrap)?;
    if topics
        .iter()
        .all(|t| partition_count_of(&consumer, t).is_some_and(|n| n >= partitions))
    {
        return Ok(());
    }
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .map_err(|e| format!("admin client: {e}"))?;
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(-1)))
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = runtime()
        .block_on(admin.create_topics(new.iter(), &opts))
        .map_err(|e| format!("create topics: {e}"))?;
    for result in results {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(format!("create topic {topic}: {code:?}")),
        }
    }
    // Wait until the metadata shows every partition: a producer that asks too early would
    // auto-create or fail.
    let deadline = Instant::now() + Duration::from_secs(20);
    for topic in topics {
        loop {
            let n = partition_count_of(&consumer, topic).unwrap_or(0);
            if n >= partitions {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!("topic {topic} has {n} of {partitions} partitions"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    Ok(())
}

/// Sets one configuration property of `topic` (AlterConfigs: the topic's other dynamic
/// properties go back to the broker defaults).
pub fn set_topic_config(
    bootstrap: &str,
    topic: &str,
    key: &str,
    value: &str,
) -> Result<(), String> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .map_err(|e| format!("admin client: {e}"))?;
    let config = AlterConfig::new(ResourceSpecifier::Topic(topic)).set(key, value);
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = runtime()
        .block_on(admin.alter_configs([&config], &opts))
        .map_err(|e| format!("alter configs: {e}"))?;
    for result in results {
        result.map_err(|(resource, code)| format!("alter {resource:?}: {code:?}"))?;
    }
    Ok(())
}

/// One record to produce.
#[derive(Debug, Clone)]
pub struct Record {
    /// Key.
    pub key: Vec<u8>,
    /// Value.
    pub value: Vec<u8>,
    /// Headers, in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Where a produced record landed.
#[derive(Debug, Clone, Copy)]
pub struct Landed {
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// Record timestamp in milliseconds (CreateTime unless the topic uses LogAppendTime).
    pub timestamp_ms: Option<i64>,
}

/// A producer configured like the workers' (idempotent, `acks=all`) but allowed 32 MiB records,
/// with `extra` librdkafka properties on top.
pub fn producer(bootstrap: &str, extra: &[(&str, &str)]) -> FutureProducer {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "5")
        .set("message.max.bytes", CLIENT_MAX_BYTES.to_string());
    for (k, v) in extra {
        config.set(*k, *v);
    }
    config.create().expect("producer")
}

/// Produces `records` to `topic` (all in flight at once) and waits for every acknowledgement.
pub fn produce(bootstrap: &str, topic: &str, records: &[Record]) -> Result<Vec<Landed>, String> {
    produce_with(bootstrap, topic, records, &[])
}

/// [`produce`] with extra producer properties.
pub fn produce_with(
    bootstrap: &str,
    topic: &str,
    records: &[Record],
    extra: &[(&str, &str)],
) -> Result<Vec<Landed>, String> {
    let producer = producer(bootstrap, extra);
    let rt = runtime();
    rt.block_on(async {
        let mut pending = Vec::with_capacity(records.len());
        for r in records {
            let headers = r.headers.iter().fold(OwnedHeaders::new(), |h, (k, v)| {
                h.insert(Header {
                    key: k,
                    value: Some(v),
                })
            });
            let mut record = FutureRecord::to(topic)
                .key(&r.key)
                .payload(&r.value)
                .headers(headers);
            loop {
                match producer.send_result(record) {
                    Ok(future) => {
                        pending.push(future);
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        record = back;
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    Err((e, _)) => return Err(format!("produce to {topic}: {e}")),
                }
            }
        }
        let mut landed = Vec::with_capacity(pending.len());
        for future in pending {
            let delivery = future
                .await
                .map_err(|_| "producer dropped".to_string())?
                .map_err(|(e, _)| format!("delivery to {topic}: {e}"))?;
            landed.push(Landed {
                partition: delivery.partition,
                offset: delivery.offset,
                timestamp_ms: delivery.timestamp.to_millis(),
            });
        }
        Ok(landed)
    })
}

fn reader_consumer(bootstrap: &str) -> Result<BaseConsumer, String> {
    reader_consumer_with(bootstrap, "read_committed")
}

fn reader_consumer_with(bootstrap: &str, isolation: &str) -> Result<BaseConsumer, String> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set(
            "group.id",
            format!("e2e-reader-{}-{:?}", std::process::id(), Instant::now()),
        )
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .set("auto.offset.reset", "earliest")
        // Like every consumer of the pipeline: what an exactly-once worker aborted (or has not
        // committed yet) is never read. Without transactional producers upstream it changes
        // nothing.
        .set("isolation.level", isolation)
        .set(
            "receive.message.max.bytes",
            (2 * CLIENT_MAX_BYTES).to_string(),
        )
        // librdkafka's mock cluster (the embedded broker) does not return a record larger than
        // the partition fetch size when another record precedes it in the response.
        .set("max.partition.fetch.bytes", CLIENT_MAX_BYTES.to_string())
        .set("fetch.wait.max.ms", "100")
        .create()
        .map_err(|e| format!("consumer: {e}"))
}

fn partition_count_of(consumer: &BaseConsumer, topic: &str) -> Option<i32> {
    let md = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(5))
        .ok()?;
    let t = md.topics().iter().find(|t| t.name() == topic)?;
    if t.error().is_some() {
        return None;
    }
    i32::try_from(t.partitions().len()).ok()
}

/// Reads a topic from the beginning, incrementally: each [`TopicReader::poll_for`] call adds
/// what arrived since the last one to [`TopicReader::messages`].
pub struct TopicReader {
    /// The topic.
    pub topic: String,
    consumer: BaseConsumer,
    /// Every message read so far, in arrival order.
    pub messages: Vec<OwnedMessage>,
}

impl std::fmt::Debug for TopicReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TopicReader")
            .field("topic", &self.topic)
            .field("messages", &self.messages.len())
            .finish()
    }
}

impl TopicReader {
    /// A reader of every partition of `topic` from offset 0.
    pub fn new(bootstrap: &str, topic: &str) -> TopicReader {
        TopicReader::with_isolation(bootstrap, topic, "read_committed")
    }

    /// A reader with the given `isolation.level`: `read_uncommitted` also sees the records of
    /// aborted transactions (what a crashed exactly-once worker wrote and never committed).
    pub fn with_isolation(bootstrap: &str, topic: &str, isolation: &str) -> TopicReader {
        let consumer = reader_consumer_with(bootstrap, isolation).expect("reader consumer");
        let partitions = partition_count_of(&consumer, topic)
            .unwrap_or_else(|| panic!("topic {topic} does not exist"));
        let mut tpl = TopicPartitionList::new();
        for p in 0..partitions {
            tpl.add_partition_offset(topic, p, Offset::Beginning)
                .expect("partition");
        }
        consumer.assign(&tpl).expect("assign");
        TopicReader {
            topic: topic.to_string(),
            consumer,
            messages: Vec::new(),
        }
    }

    /// High watermarks of every partition, and how many messages of each were read, as text:
    /// tells a stuck pipeline from a stuck reader.
    pub fn progress(&self) -> String {
        let mut read: BTreeMap<i32, usize> = BTreeMap::new();
        for m in &self.messages {
            *read.entry(m.partition()).or_default() += 1;
        }
        let partitions = partition_count_of(&self.consumer, &self.topic).unwrap_or(0);
        (0..partitions)
            .map(|p| {
                let high = self
                    .consumer
                    .fetch_watermarks(&self.topic, p, Duration::from_secs(5))
                    .map_or(-1, |(_, h)| h);
                format!("p{p} {}/{high}", read.get(&p).copied().unwrap_or(0))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads whatever arrives within `d`; returns how many messages were new.
    pub fn poll_for(&mut self, d: Duration) -> usize {
        let before = self.messages.len();
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self
                .consumer
                .poll(Timeout::After(left.min(Duration::from_millis(100))))
            {
                Some(Ok(m)) => self.messages.push(m.detach()),
                Some(Err(e)) => eprintln!("reader {}: {e}", self.topic),
                None => {}
            }
        }
        self.messages.len() - before
    }
}

/// Decodes a protobuf message value.
pub fn decode<M: reportflow_proto::Message + Default>(m: &OwnedMessage) -> M {
    M::decode(m.payload().unwrap_or_default()).unwrap_or_else(|e| {
        panic!(
            "undecodable message on {} p{} o{}: {e}",
            m.topic(),
            m.partition(),
            m.offset()
        )
    })
}

/// Every header of `m`, in order (valueless headers as empty).
pub fn headers(m: &OwnedMessage) -> Vec<(String, Vec<u8>)> {
    m.headers()
        .map(|hs| {
            hs.iter()
                .map(|h| (h.key.to_string(), h.value.unwrap_or_default().to_vec()))
                .collect()
        })
        .unwrap_or_default()
}

/// The last value of header `name`, as text (the last one wins for a dead letter of a dead
/// letter, as `reportflow_kafka::dlq` documents).
pub fn header(m: &OwnedMessage, name: &str) -> Option<String> {
    headers(m)
        .into_iter()
        .rfind(|(k, _)| k == name)
        .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
}

/// Messages grouped by key (as lossy text).
pub fn by_key(messages: &[OwnedMessage]) -> BTreeMap<String, Vec<&OwnedMessage>> {
    let mut out: BTreeMap<String, Vec<&OwnedMessage>> = BTreeMap::new();
    for m in messages {
        let key = String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned();
        out.entry(key).or_default().push(m);
    }
    out
}
