//! The modes that measure the workers themselves: `--scaling` (documents/s with 1, then 2
//! processing threads per worker, on the same kind of backlog, against the core's offline
//! documents/s on one core) and `--backlog` (resident memory idle after warm-up and at its
//! peak under a backlog with huge documents among the others).
//!
//! Each round starts a fresh normalizer and extractor (same consumer groups, so a round
//! resumes after the previous one's committed offsets), warms them up with one document,
//! publishes its own distinct documents all at once and waits until both workers have taken
//! in every one and hold nothing in flight (their `/metrics`: `reportflow_messages_in_total`,
//! `reportflow_in_flight`), so the bench itself reads no output topic and takes no CPU
//! from the workers while they drain. Then it stops them with SIGTERM (they leave the group).
//!
//! `--scaling` then measures each worker alone too: the next round's raw documents are
//! published with no worker running, a normalizer alone drains them, then an extractor alone
//! drains what it wrote, each timed from its first input taken in to its last one drained.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use reportflow_e2e::broker::{ApacheKafka, Broker};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::kafka::{self, CLIENT_MAX_BYTES};
use reportflow_e2e::pipeline::{spawn_worker_with, Stage};
use reportflow_e2e::process::{free_http_addr, metric, ChildGuard};
use reportflow_e2e::topics;

use crate::{rss_mb, PARTITIONS, PRODUCER_SETTINGS};

/// The runtime's default `max_message_bytes` (16 MiB): larger inputs are dead-lettered.
const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;
/// The memory targets for one worker, in MB.
const STEADY_TARGET_MB: f64 = 64.0;
const BACKLOG_TARGET_MB: f64 = 256.0;

/// What `--backlog` publishes.
pub struct Backlog {
    /// Documents in all (huge ones included).
    pub docs: usize,
    /// How many of them are huge, spread evenly through the backlog.
    pub huge: usize,
    /// Size of a huge document: a seed with a unique line, repeated to just over this.
    pub huge_bytes: usize,
}

/// `--scaling`: the same kind of backlog (`docs` distinct documents) drained by workers with
/// 1 and then 2 processing threads.
pub fn scaling(docs: usize, guarantee: &str, extra: &[(String, String)]) {
    let (broker, b) = start_broker();
    let logs = tempfile::tempdir().expect("temp dir");
    let rounds: Vec<(usize, Vec<Input>)> = [1usize, 2]
        .iter()
        .map(|&t| (t, documents(&format!("t{t}"), docs, &[], 0)))
        .collect();
    let (core_docs, core_mb) = core_per_core(&rounds[0].1);
    println!(
        "Apache Kafka {} on {b}; {docs} documents per round; {guarantee}; workers from {}",
        broker.version,
        reportflow_e2e::process::bin_dir().display()
    );
    let mut results = Vec::new();
    for (threads, inputs) in &rounds {
        let t = threads.to_string();
        let mut env = vec![
            ("REPORTFLOW_PROCESSING_GUARANTEE", guarantee),
            ("REPORTFLOW_PROCESSING_THREADS", t.as_str()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let r = round(&b, logs.path(), &format!("t{threads}"), &env, inputs);
        print_round(&format!("processing_threads {threads}"), &r, docs);
        results.push(r);
    }
    let per_s = |r: &Round| docs as f64 / r.done[1].as_secs_f64();
    println!(
        "scaling               2 threads / 1 thread: {:.2}  ({:.1} -> {:.1} documents/s; the normalizer's drain time 1 thread / 2 threads: {:.2})",
        per_s(&results[1]) / per_s(&results[0]),
        per_s(&results[0]),
        per_s(&results[1]),
        results[0].done[0].as_secs_f64() / results[1].done[0].as_secs_f64()
    );
    // Each worker alone on the machine (with the broker): its input backlog is published
    // before it starts, and timed from its first input taken in to the last one drained.
    let mut alone = Vec::new();
    for threads in [1usize, 2] {
        let tag = format!("alone-t{threads}");
        let inputs = documents(&tag, docs, &[], 0);
        let records: Vec<kafka::Record> = inputs.iter().map(Input::record).collect();
        kafka::produce_with(&b, topics::RAW, &records, PRODUCER_SETTINGS).expect("publish");
        let t = threads.to_string();
        let mut env = vec![
            ("REPORTFLOW_PROCESSING_GUARANTEE", guarantee),
            ("REPORTFLOW_PROCESSING_THREADS", t.as_str()),
        ];
        env.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let rates = [Stage::Normalizer, Stage::Extractor]
            .map(|stage| drain_alone(&b, logs.path(), stage, &tag, &env, docs as u64));
        println!(
            "alone, processing_threads {threads}: normalizer {:.1} documents/s, extractor {:.1} documents/s",
            rates[0], rates[1]
        );
        alone.push(rates);
    }
    println!(
        "scaling alone         2 threads / 1 thread: normalizer {:.2}, extractor {:.2}",
        alone[1][0] / alone[0][0],
        alone[1][1] / alone[0][1]
    );
    println!(
        "core offline          {core_docs:.1} documents/s on one core ({core_mb:.1} MB/s; reportflow_core::Extractor::extract on the 1-thread round's documents, in this process)"
    );
}

/// `--backlog`: `spec.docs` documents with `spec.huge` huge ones among them, drained once.
pub fn backlog(
    spec: &Backlog,
    threads: Option<usize>,
    guarantee: &str,
    extra: &[(String, String)],
) {
    let (broker, b) = start_broker();
    let logs = tempfile::tempdir().expect("temp dir");
    let at: Vec<usize> = (1..=spec.huge)
        .map(|k| k * spec.docs / (spec.huge + 1))
        .collect();
    let inputs = documents("backlog", spec.docs, &at, spec.huge_bytes);
    let total: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let t = threads.map(|t| t.to_string());
    let mut env = vec![("REPORTFLOW_PROCESSING_GUARANTEE", guarantee)];
    if let Some(t) = &t {
        env.push(("REPORTFLOW_PROCESSING_THREADS", t.as_str()));
    }
    // A huge document over the runtime's default limit would be dead-lettered unread; raise
    // the limit (like the test clients', 32 MiB) so it is processed. The broker takes 64 MiB.
    let limit = CLIENT_MAX_BYTES.to_string();
    let raised = spec.huge_bytes + 1024 > DEFAULT_MAX_MESSAGE_BYTES;
    if raised {
        env.push(("REPORTFLOW_MAX_MESSAGE_BYTES", limit.as_str()));
    }
    env.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    println!(
        "Apache Kafka {} on {b}; backlog of {} documents ({:.0} MB), {} of them {:.1} MiB (a seed repeated); {guarantee}; processing_threads {}; max_message_bytes {}",
        broker.version,
        spec.docs,
        total as f64 / 1e6,
        at.len(),
        spec.huge_bytes as f64 / 1048576.0,
        t.as_deref().unwrap_or("default (cores)"),
        if raised { "33554432 (raised from 16 MiB)" } else { "16777216 (default)" },
    );
    if !extra.is_empty() {
        println!("worker environment added: {extra:?}");
    }
    let r = round(&b, logs.path(), "backlog", &env, &inputs);
    print_round("backlog", &r, spec.docs);
    for (i, name) in ["normalizer", "extractor"].iter().enumerate() {
        let verdict = |mb: &str, target: f64| match mb.parse::<f64>() {
            Ok(v) if v <= target => "meets",
            Ok(_) => "MISSES",
            Err(_) => "?",
        };
        println!(
            "  target {name:<11}  steady {} MB <= 64: {}; under the backlog {} MB <= 256: {}",
            r.steady[i],
            verdict(&r.steady[i], STEADY_TARGET_MB),
            r.peak[i],
            verdict(&r.peak[i], BACKLOG_TARGET_MB)
        );
    }
}

fn start_broker() -> (ApacheKafka, String) {
    let broker = ApacheKafka::start();
    let b = broker.bootstrap().to_string();
    kafka::create_topics(&b, &topics::ALL, PARTITIONS).expect("create topics");
    (broker, b)
}

/// `n` distinct documents tagged `tag` (the seeds in every encoding with a unique closing
/// line, like `data::variants`); those at the positions `huge` are UTF-8 and repeated to just
/// over `huge_bytes`.
fn documents(tag: &str, n: usize, huge: &[usize], huge_bytes: usize) -> Vec<Input> {
    let seeds = data::seeds();
    (0..n)
        .map(|i| {
            let (seed, text) = &seeds[i % seeds.len()];
            let varied = format!("{text}\n（本文档为测试副本，{tag}，编号{i}）\n");
            if huge.contains(&i) {
                Input {
                    name: format!("{tag}.{i:05}.{seed}.huge"),
                    bytes: data::huge(varied.as_bytes(), huge_bytes),
                }
            } else {
                let enc = data::ENCODINGS[(i / seeds.len()) % data::ENCODINGS.len()];
                Input {
                    name: format!("{tag}.{i:05}.{seed}.{enc}"),
                    bytes: data::encode(&varied, enc),
                }
            }
        })
        .collect()
}

/// The core alone on `inputs`, single-threaded in this process: documents/s and MB/s.
fn core_per_core(inputs: &[Input]) -> (f64, f64) {
    let extractor = reportflow_core::Extractor::default();
    let bytes: usize = inputs.iter().map(|i| i.bytes.len()).sum();
    let started = Instant::now();
    let mut indicators = 0usize;
    for input in inputs {
        if let Ok(report) = extractor.extract(&input.bytes, None) {
            indicators += report.indicators.len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    std::hint::black_box(indicators);
    (inputs.len() as f64 / secs, bytes as f64 / 1e6 / secs)
}

/// What one round measured.
struct Round {
    /// When the normalizer and the extractor had drained the backlog, from the first publish.
    done: [Duration; 2],
    /// Resident set idle after the warm-up (VmRSS), MB.
    steady: [String; 2],
    /// Peak resident set (VmHWM) at the end of the round, MB.
    peak: [String; 2],
    /// Resident set at the end of the round (VmRSS), MB.
    after: [String; 2],
}

fn print_round(label: &str, r: &Round, docs: usize) {
    println!("{label}");
    for (i, name) in ["normalizer", "extractor"].iter().enumerate() {
        println!(
            "  {name:<11}  drained in {:>8.2?} ({:.1} documents/s)  RSS steady {} MB, peak {} MB, after {} MB",
            r.done[i],
            docs as f64 / r.done[i].as_secs_f64(),
            r.steady[i],
            r.peak[i],
            r.after[i]
        );
    }
}

/// One round: fresh workers with `env`, warm-up, idle sample, `inputs` published at once,
/// drained, peak sample, workers stopped.
fn round(b: &str, logs: &Path, tag: &str, env: &[(&str, &str)], inputs: &[Input]) -> Round {
    let mut pair = Pair::spawn(b, logs, tag, env);
    let warm = documents(&format!("{tag}-warm-up"), 1, &[], 0);
    kafka::produce_with(b, topics::RAW, &[warm[0].record()], PRODUCER_SETTINGS)
        .expect("publish warm-up");
    pair.wait_drained(1, Instant::now(), Duration::from_secs(180));
    // Idle after the warm-up: the steady resident set.
    std::thread::sleep(Duration::from_secs(3));
    let steady = pair.pids().map(|p| rss_mb(p, "VmRSS:"));
    let records: Vec<kafka::Record> = inputs.iter().map(Input::record).collect();
    let started = Instant::now();
    let publisher = {
        let b = b.to_string();
        std::thread::spawn(move || {
            kafka::produce_with(&b, topics::RAW, &records, PRODUCER_SETTINGS).expect("publish")
        })
    };
    let done = pair.wait_drained(1 + inputs.len() as u64, started, Duration::from_secs(1800));
    publisher.join().expect("publisher");
    let pids = pair.pids();
    let r = Round {
        done,
        steady,
        peak: pids.map(|p| rss_mb(p, "VmHWM:")),
        after: pids.map(|p| rss_mb(p, "VmRSS:")),
    };
    pair.stop();
    r
}

/// A worker of `stage` for round `tag`, with its own instance id and `/metrics` address.
fn spawn_bench_worker(
    b: &str,
    logs: &Path,
    stage: Stage,
    tag: &str,
    env: &[(&str, &str)],
) -> (ChildGuard, SocketAddr) {
    let http = free_http_addr();
    let name = format!("bench-{tag}-{}", stage.binary());
    let mut env = env.to_vec();
    env.push(("REPORTFLOW_INSTANCE_ID", name.as_str()));
    let w = spawn_worker_with(
        stage,
        b,
        &name,
        logs,
        PRODUCER_SETTINGS,
        &env,
        &http.to_string(),
    );
    (w, http)
}

/// One worker of `stage` alone, started on a backlog of `n` inputs already published: its
/// documents/s from its first input taken in to the last one drained.
fn drain_alone(b: &str, logs: &Path, stage: Stage, tag: &str, env: &[(&str, &str)], n: u64) -> f64 {
    let (mut w, http) = spawn_bench_worker(b, logs, stage, tag, env);
    let name = w.name.clone();
    let limit = Instant::now() + Duration::from_secs(600);
    let mut first: Option<Instant> = None;
    let rate = loop {
        if let Some(status) = w.exited() {
            panic!("{} exited with {status}:\n{}", w.name, w.log_tail(30));
        }
        let taken = metric(http, "reportflow_messages_in_total").unwrap_or(0.0);
        if first.is_none() && taken >= 1.0 {
            first = Some(Instant::now());
        }
        if taken >= n as f64 && metric(http, "reportflow_in_flight") == Some(0.0) {
            let since = first.map_or(Duration::ZERO, |f| f.elapsed());
            break (n - 1) as f64 / since.as_secs_f64();
        }
        assert!(Instant::now() < limit, "{name}: {taken} of {n} after 600 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    stop(&mut [w]);
    rate
}

/// SIGTERM to every worker and waits (at most 15 s) for them to leave their groups;
/// whatever is left is killed when dropped.
fn stop(workers: &mut [ChildGuard]) {
    for w in workers.iter() {
        let _ = Command::new("kill")
            .args(["-TERM", &w.id().to_string()])
            .status();
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    for w in workers.iter_mut() {
        while w.exited().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The two workers of one round, with the addresses of their `/metrics`.
struct Pair {
    workers: [(ChildGuard, SocketAddr); 2],
}

impl Pair {
    fn spawn(b: &str, logs: &Path, tag: &str, env: &[(&str, &str)]) -> Pair {
        let one = |stage| spawn_bench_worker(b, logs, stage, tag, env);
        Pair {
            workers: [one(Stage::Normalizer), one(Stage::Extractor)],
        }
    }

    fn pids(&self) -> [u32; 2] {
        [self.workers[0].0.id(), self.workers[1].0.id()]
    }

    /// Waits until the normalizer has taken in `n` messages and the extractor `n` less the
    /// normalizer's dead letters, each with nothing in flight; returns when each got there,
    /// from `started`. Panics after `limit`, or if a worker exits.
    fn wait_drained(&mut self, n: u64, started: Instant, limit: Duration) -> [Duration; 2] {
        let mut done: [Option<Duration>; 2] = [None, None];
        let mut want = [n as f64, f64::INFINITY];
        loop {
            for (i, (w, http)) in self.workers.iter_mut().enumerate() {
                if let Some(status) = w.exited() {
                    panic!("{} exited with {status}:\n{}", w.name, w.log_tail(30));
                }
                if done[i].is_none()
                    && metric(*http, "reportflow_messages_in_total").is_some_and(|v| v >= want[i])
                    && metric(*http, "reportflow_in_flight") == Some(0.0)
                {
                    done[i] = Some(started.elapsed());
                    if i == 0 {
                        let dead =
                            metric(*http, "reportflow_messages_dead_lettered_total").unwrap_or(0.0);
                        want[1] = n as f64 - dead;
                    }
                }
            }
            if let [Some(a), Some(b)] = done {
                return [a, b];
            }
            assert!(
                started.elapsed() < limit,
                "not drained after {limit:?}: {} of 2 workers took in {n} messages",
                done.iter().filter(|d| d.is_some()).count()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops both workers (SIGTERM, see [`stop`]).
    fn stop(self) {
        let [(a, _), (b, _)] = self.workers;
        stop(&mut [a, b]);
    }
}
