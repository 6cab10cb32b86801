//! Running the pipeline: worker processes and a collector that reads every output topic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rdkafka::message::OwnedMessage;
use rdkafka::Message;
use reportflow_proto::v1;

use crate::expect::{self, Expected, Outputs};
use crate::kafka::{decode, TopicReader, CLIENT_MAX_BYTES};
use crate::process::{binary, metric, ChildGuard};
use crate::topics;

/// Consumer group of the normalizers.
pub const NORMALIZER_GROUP: &str = "reportflow-normalizer";
/// Consumer group of the extractors.
pub const EXTRACTOR_GROUP: &str = "reportflow-extractor";

/// The two worker stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `reportflow-normalizer`.
    Normalizer,
    /// `reportflow-extractor`.
    Extractor,
}

impl Stage {
    /// The binary's name.
    pub fn binary(self) -> &'static str {
        match self {
            Stage::Normalizer => "reportflow-normalizer",
            Stage::Extractor => "reportflow-extractor",
        }
    }
    /// The consumer group.
    pub fn group(self) -> &'static str {
        match self {
            Stage::Normalizer => NORMALIZER_GROUP,
            Stage::Extractor => EXTRACTOR_GROUP,
        }
    }
}

/// The consumer session timeout of the test workers: a killed member leaves its group
/// after this long.
pub const SESSION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(6);

/// Starts one worker process of `stage` against `bootstrap`, logging to `log_dir`.
///
/// Settings are passed the way operators pass them (flags and `REPORTFLOW_*`), tuned for
/// tests: short session timeout so a killed member's partitions move within seconds, frequent
/// commits, and a producer allowed 32 MiB records so the 20 MiB input's dead letter keeps its
/// value. `producer` are extra librdkafka producer properties, passed as
/// `REPORTFLOW_KAFKA_PRODUCER__*`.
pub fn spawn_worker(
    stage: Stage,
    bootstrap: &str,
    name: &str,
    log_dir: &Path,
    producer: &[(&str, &str)],
) -> ChildGuard {
    spawn_worker_with(
        stage,
        bootstrap,
        name,
        log_dir,
        producer,
        &[],
        "127.0.0.1:0",
    )
}

/// [`spawn_worker`] with extra `REPORTFLOW_*` variables (`env`, e.g. `REPORTFLOW_INSTANCE_ID`
/// for static group membership) and a chosen `--http-addr`.
pub fn spawn_worker_with(
    stage: Stage,
    bootstrap: &str,
    name: &str,
    log_dir: &Path,
    producer: &[(&str, &str)],
    env: &[(&str, &str)],
    http_addr: &str,
) -> ChildGuard {
    let mut cmd = Command::new(binary(stage.binary()));
    cmd.args([
        "--brokers",
        bootstrap,
        "--group-id",
        stage.group(),
        "--http-addr",
        http_addr,
    ])
    .env("REPORTFLOW_WORKER_NAME", name)
    .env("REPORTFLOW_LOG_FORMAT", "text")
    .env("REPORTFLOW_COMMIT_INTERVAL_MS", "200")
    .env("REPORTFLOW_SHUTDOWN_TIMEOUT_MS", "5000")
    .env(
        "REPORTFLOW_KAFKA_CONSUMER__SESSION_TIMEOUT_MS",
        SESSION_TIMEOUT.as_millis().to_string(),
    )
    .env("REPORTFLOW_KAFKA_CONSUMER__HEARTBEAT_INTERVAL_MS", "500")
    .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "100")
    .env(
        "REPORTFLOW_KAFKA_PRODUCER__MESSAGE_MAX_BYTES",
        CLIENT_MAX_BYTES.to_string(),
    );
    for (k, v) in producer {
        cmd.env(
            format!(
                "REPORTFLOW_KAFKA_PRODUCER__{}",
                k.replace('.', "_").to_uppercase()
            ),
            v,
        );
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    if std::env::var_os("RUST_LOG").is_none() {
        cmd.env("RUST_LOG", "info,librdkafka=warn");
    }
    let log: PathBuf = log_dir.join(format!("{name}.log"));
    ChildGuard::spawn(name, cmd, Some(&log))
        .unwrap_or_else(|e| panic!("spawn {}: {e}", stage.binary()))
}

/// Reads every output topic and gathers the outputs by document.
#[derive(Debug)]
pub struct Collector {
    normalized: TopicReader,
    documents: TopicReader,
    sections: TopicReader,
    indicators: TopicReader,
    /// The dead-letter topic.
    pub dlq: TopicReader,
    seen: [usize; 4],
    /// Outputs by doc_id.
    pub outputs: BTreeMap<String, Outputs>,
}

impl Collector {
    /// Readers of the output topics of the default topology, from the beginning.
    pub fn new(bootstrap: &str) -> Collector {
        Collector {
            normalized: TopicReader::new(bootstrap, topics::NORMALIZED),
            documents: TopicReader::new(bootstrap, topics::DOCUMENTS),
            sections: TopicReader::new(bootstrap, topics::SECTIONS),
            indicators: TopicReader::new(bootstrap, topics::INDICATORS),
            dlq: TopicReader::new(bootstrap, topics::DLQ),
            seen: [0; 4],
            outputs: BTreeMap::new(),
        }
    }

    /// Polls every topic for about `d` in total and folds new messages into `outputs`.
    pub fn poll(&mut self, d: Duration) {
        let slice = d / 5;
        self.normalized.poll_for(slice);
        self.documents.poll_for(slice);
        self.sections.poll_for(slice);
        self.indicators.poll_for(slice);
        self.dlq.poll_for(slice);
        let out = &mut self.outputs;
        for m in &self.normalized.messages[self.seen[0]..] {
            expect::collect_normalized(out, decode::<v1::NormalizedReport>(m));
        }
        for m in &self.documents.messages[self.seen[1]..] {
            expect::collect_document(out, decode::<v1::ReportDocument>(m));
        }
        for m in &self.sections.messages[self.seen[2]..] {
            expect::collect_section(out, decode::<v1::Section>(m));
        }
        for m in &self.indicators.messages[self.seen[3]..] {
            expect::collect_indicator(out, decode::<v1::Indicator>(m));
        }
        self.seen = [
            self.normalized.messages.len(),
            self.documents.messages.len(),
            self.sections.messages.len(),
            self.indicators.messages.len(),
        ];
    }

    /// The names of the expected good documents whose outputs are not all in yet.
    pub fn missing(&self, expected: &Expected) -> Vec<String> {
        expected
            .good
            .iter()
            .filter(|(id, g)| {
                !self
                    .outputs
                    .get(*id)
                    .is_some_and(|o| o.complete(&g.extraction))
            })
            .flat_map(|(_, g)| g.names.iter().cloned())
            .collect()
    }

    /// Polls until every expected good document is complete and at least `dead_letters`
    /// dead letters arrived, checking that the workers live; panics with what is missing, the
    /// topics' progress and the workers' logs after `limit`. `tag` prefixes the message.
    pub fn wait_complete(
        &mut self,
        expected: &Expected,
        workers: &mut [(Stage, ChildGuard)],
        bootstrap: &str,
        limit: Duration,
        dead_letters: usize,
        tag: &str,
    ) {
        let deadline = Instant::now() + limit;
        loop {
            self.poll(Duration::from_millis(500));
            check_alive(workers);
            let missing = self.missing(expected);
            if missing.is_empty() && self.dlq.messages.len() >= dead_letters {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "[{tag}] {} documents incomplete after {limit:?} (e.g. {:?}): {}\n{}\n{}",
                missing.len(),
                &missing[..missing.len().min(10)],
                self.counts(),
                self.progress(bootstrap),
                logs(workers)
            );
        }
    }

    /// The indicator messages read so far (with duplicates), for timestamps.
    pub fn indicator_messages(&self) -> &[OwnedMessage] {
        &self.indicators.messages
    }

    /// Message counts per topic, for progress messages.
    pub fn counts(&self) -> String {
        format!(
            "normalized {} documents {} sections {} indicators {} dlq {}",
            self.normalized.messages.len(),
            self.documents.messages.len(),
            self.sections.messages.len(),
            self.indicators.messages.len(),
            self.dlq.messages.len()
        )
    }

    /// Per-partition read/high-watermark of every topic (and of `raw`), for timeouts.
    pub fn progress(&self, bootstrap: &str) -> String {
        let raw = TopicReader::new(bootstrap, topics::RAW);
        [
            &raw,
            &self.normalized,
            &self.documents,
            &self.sections,
            &self.indicators,
            &self.dlq,
        ]
        .iter()
        .map(|r| format!("{}: {}", r.topic, r.progress()))
        .collect::<Vec<_>>()
        .join("\n")
    }

    /// Distinct keys on the dead-letter topic.
    pub fn dlq_keys(&self) -> std::collections::BTreeSet<String> {
        self.dlq
            .messages
            .iter()
            .map(|m| String::from_utf8_lossy(m.key().unwrap_or_default()).into_owned())
            .collect()
    }
}

/// A replacement worker: how long after its start it held partitions and first committed,
/// watched on a thread of its own (every 50 ms, for at most 60 s).
pub struct Restart {
    /// The worker's name.
    pub name: String,
    /// When it first held partitions (after [`Restart::join`]).
    pub assigned: Option<Duration>,
    /// When it first committed (after [`Restart::join`]).
    pub committed: Option<Duration>,
    watcher: Option<std::thread::JoinHandle<(Option<Duration>, Option<Duration>)>>,
}

impl Restart {
    /// Starts watching the worker whose HTTP server is `http`, started just now.
    pub fn watch(name: String, http: std::net::SocketAddr) -> Restart {
        let started = Instant::now();
        let watcher = std::thread::spawn(move || {
            let (mut assigned, mut committed) = (None, None);
            while committed.is_none() && started.elapsed() < Duration::from_secs(60) {
                if assigned.is_none()
                    && metric(http, "reportflow_assigned_partitions").is_some_and(|v| v > 0.0)
                {
                    assigned = Some(started.elapsed());
                }
                if metric(http, "reportflow_commits_total{result=\"ok\",").is_some_and(|v| v > 0.0)
                {
                    committed = Some(started.elapsed());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            (assigned, committed)
        });
        Restart {
            name,
            assigned: None,
            committed: None,
            watcher: Some(watcher),
        }
    }

    /// Waits for the watcher (at most 60 s after the start).
    pub fn join(mut self) -> Restart {
        if let Some(w) = self.watcher.take() {
            (self.assigned, self.committed) = w.join().expect("watcher");
        }
        self
    }
}

/// Panics (with its log) if a worker exited on its own.
pub fn check_alive(workers: &mut [(Stage, ChildGuard)]) {
    for (_, w) in workers.iter_mut() {
        if let Some(status) = w.exited() {
            panic!(
                "worker {} exited with {status}:\n{}",
                w.name,
                w.log_tail(40)
            );
        }
    }
}

/// The last lines of every worker's log, for failure messages.
pub fn logs(workers: &[(Stage, ChildGuard)]) -> String {
    workers
        .iter()
        .map(|(_, w)| format!("--- {} ---\n{}", w.name, w.log_tail(15)))
        .collect::<Vec<_>>()
        .join("\n")
}
