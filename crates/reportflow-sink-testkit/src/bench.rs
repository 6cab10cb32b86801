//! What the sinks' benchmark examples share: the seed reports multiplied into many distinct
//! documents, as `(topic, key, value)` messages or as input records, and the whole sink loop
//! (`run_sink` against a mock cluster) timed from the first message produced until every row
//! is stored.

use std::future::Future;
use std::time::{Duration, Instant};

use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;
use reportflow_kafka::{InputRecord, RuntimeConfig, Sink, SinkConfig};
use reportflow_proto::topics::DatasetTopics as Topics;
use reportflow_proto::{v1, Message as _};

/// The bench's `[copies] [batch]` arguments: `default_copies` and 5000 where absent.
pub fn args(default_copies: usize) -> (usize, usize) {
    let mut args = std::env::args().skip(1);
    let copies: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(default_copies);
    let batch: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    (copies, batch)
}

/// The messages of one seed's extraction `x` as `(topic, key, value)`, the document first,
/// with `suffix` appended to the document id (and the indicator ids).
pub fn report_messages(
    x: &v1::Extraction,
    suffix: &str,
    topics: &Topics,
) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut d = x.document.clone().unwrap();
    d.doc_id.push_str(suffix);
    out.push((
        topics.documents.clone(),
        d.doc_id.clone(),
        d.encode_to_vec(),
    ));
    for s in &x.sections {
        let mut s = s.clone();
        s.doc_id.push_str(suffix);
        out.push((topics.sections.clone(), s.doc_id.clone(), s.encode_to_vec()));
    }
    for i in &x.indicators {
        let mut i = i.clone();
        i.doc_id.push_str(suffix);
        i.indicator_id.push_str(suffix);
        out.push((
            topics.indicators.clone(),
            i.doc_id.clone(),
            i.encode_to_vec(),
        ));
    }
    out
}

/// The seeds' messages (source key `bench`) multiplied into `copies` distinct documents (ids
/// suffixed `-0`, `-1`, …), seed by seed, as `(topic, key, value)`.
pub fn messages(copies: usize, topics: &Topics) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    for x in crate::extractions(|_| v1::Source::with_key("bench")) {
        for c in 0..copies {
            out.extend(report_messages(&x, &format!("-{c}"), topics));
        }
    }
    out
}

/// `(topic, value)` pairs as the records of one partition: offsets from 0, no key, headers or
/// timestamp.
pub fn input_records(messages: impl IntoIterator<Item = (String, Vec<u8>)>) -> Vec<InputRecord> {
    messages
        .into_iter()
        .enumerate()
        .map(|(offset, (topic, value))| InputRecord {
            topic,
            partition: 0,
            offset: offset as i64,
            key: None,
            value: Some(value),
            headers: vec![],
            timestamp_ms: None,
        })
        .collect()
}

/// [`messages`] as input records (see [`input_records`]).
pub fn records(copies: usize, topics: &Topics) -> Vec<InputRecord> {
    input_records(messages(copies, topics).into_iter().map(|(t, _, v)| (t, v)))
}

/// Prints `{label}: {rows} rows in … s = … rows/s ({detail})`, the time since `start`.
pub fn print_rate(label: &str, rows: usize, start: Instant, detail: &str) {
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{label}: {rows} rows in {secs:.2} s = {:.0} rows/s ({detail})",
        rows as f64 / secs
    );
}

/// Times the whole loop of `sink` (which reads the default topics): starts `run_sink` on a
/// mock cluster ([`crate::cluster`]) with batches of `batch` records, waits until a warm-up
/// document is stored (group joined, connected, migrated), then produces [`messages`]`(copies)`
/// and measures until `rows()` counts every one of them: produce + consume + write + commit.
/// Prints `{label}: … rows/s`.
pub async fn sink_loop<S, R, F>(label: &str, copies: usize, batch: usize, sink: S, mut rows: R)
where
    S: Sink + Sync + 'static,
    R: FnMut() -> F,
    F: Future<Output = i64>,
{
    let topics = Topics::default();
    let cluster = crate::cluster();
    let bootstrap = cluster.bootstrap_servers();
    let msgs = messages(copies, &topics);
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("linger.ms", "20")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .unwrap();
    let mut runtime = RuntimeConfig::new(&bootstrap, "bench", topics.all());
    runtime.http_addr = "127.0.0.1:0".parse().unwrap();
    runtime.log_level = "warn".into();
    let sink_config = SinkConfig {
        batch_max_records: batch,
        batch_max: Duration::from_millis(500),
        ..SinkConfig::default()
    };
    let (stop, task) = crate::run_sink_task(runtime, sink_config, sink);
    // Warm up: one document through the loop (group join, connection, migrations).
    let mut warm = v1::ReportDocument {
        doc_id: "warm-up".into(),
        ..Default::default()
    };
    warm.section_count = 0;
    producer
        .send(
            FutureRecord::to(&topics.documents)
                .key("warm-up")
                .payload(&warm.encode_to_vec()),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    while rows().await <= 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let start = Instant::now();
    let mut pending = Vec::new();
    for (t, k, v) in &msgs {
        pending.push(
            producer
                .send_result(FutureRecord::to(t).key(k).payload(v))
                .map_err(|(e, _)| e)
                .unwrap(),
        );
    }
    for p in pending {
        p.await.unwrap().unwrap();
    }

    let total = msgs.len() as i64 + 1;
    loop {
        let n = rows().await;
        if n >= total {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            eprintln!("gave up at {n} of {total} rows");
            print_progress(&bootstrap, &topics);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    print_rate(label, total as usize, start, &format!("batch {batch}"));
    stop.send(()).unwrap();
    let _ = task.await;
}

/// Prints the watermarks and the `bench` group's committed offset of every partition.
fn print_progress(bootstrap: &str, topics: &Topics) {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "bench")
        .create()
        .unwrap();
    for t in topics.all() {
        for p in 0..3 {
            let (lo, hi) = c.fetch_watermarks(&t, p, Duration::from_secs(5)).unwrap();
            let mut tpl = rdkafka::TopicPartitionList::new();
            tpl.add_partition(&t, p);
            let committed = c.committed_offsets(tpl, Duration::from_secs(5)).unwrap();
            eprintln!(
                "{t}/{p}: [{lo}, {hi}) committed {:?}",
                committed.elements()[0].offset()
            );
        }
    }
}
