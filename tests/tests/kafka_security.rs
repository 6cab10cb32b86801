//! Apache Kafka with a SASL_SSL listener (SCRAM-SHA-512 over TLS, a CA and certificate made
//! with openssl at test time, the user created by `kafka-storage format --add-scram`): every
//! command reaches it through the same `[kafka]` table of one TOML file (`--config`): the two
//! workers (whose producers compress with zstd), the PostgreSQL sink, `reportflow publish`,
//! `reportflow tail` and `reportflow dlq redrive`. A wrong password fails fast with a clear
//! error (the client commands, a worker and the sink exit instead of retrying forever),
//! and `publish` to an unreachable broker gives up within its connect timeout, naming
//! the address and printing progress meanwhile.
//!
//! Prerequisites: `cargo build --workspace --bins`, Java 17 and Maven (the harness resolves the
//! broker), openssl, and the test PostgreSQL (`scripts/postgres.sh start`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reportflow_e2e::broker::{dump_log, free_port, ApacheKafka, Broker, SaslSsl};
use reportflow_e2e::data::{self, Input};
use reportflow_e2e::expect::Expected;
use reportflow_e2e::kafka;
use reportflow_e2e::pipeline::{Stage, SESSION_TIMEOUT};
use reportflow_e2e::postgres::{Pg, TestDb};
use reportflow_e2e::process::{binary, ChildGuard};
use reportflow_e2e::{poll_until, serial, topics};

const USER: &str = "reportflow";
const PASSWORD: &str = "s3cret-Scram-pw";

/// The output of a command run with a deadline.
struct Ran {
    success: bool,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs `cmd`, killing it after `limit` (then `success` is false and stderr says so).
fn run_bounded(mut cmd: Command, limit: Duration, dir: &Path, name: &str) -> Ran {
    let out = dir.join(format!("{name}.out"));
    let err = dir.join(format!("{name}.err"));
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"));
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn reportflow");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let mut stderr = std::fs::read_to_string(&err).unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!("\n[killed after {limit:?}]"));
    }
    Ran {
        success: status.is_some_and(|s| s.success()),
        stdout: std::fs::read_to_string(&out).unwrap_or_default(),
        stderr,
        elapsed,
    }
}

/// The one TOML file every command uses: `brokers` and the `[kafka]` table of the SASL_SSL
/// listener, zstd for every producer.
fn write_config(path: &Path, sec: &SaslSsl, password: &str) {
    let mut text = format!("brokers = \"{}\"\n\n[kafka]\n", sec.bootstrap);
    for (k, v) in sec.properties(password) {
        text.push_str(&format!("\"{k}\" = \"{v}\"\n"));
    }
    text.push_str("\n[kafka_producer]\n\"compression.type\" = \"zstd\"\n");
    std::fs::write(path, text).expect("write the client config");
}

fn worker(stage: Stage, config: &Path, name: &str, logs: &Path) -> ChildGuard {
    let mut cmd = Command::new(binary(stage.binary()));
    cmd.arg("--config")
        .arg(config)
        .args([
            "--group-id",
            stage.group(),
            "--http-addr",
            "127.0.0.1:0",
            "--log-format",
            "text",
        ])
        .env("REPORTFLOW_WORKER_NAME", name)
        .env("REPORTFLOW_COMMIT_INTERVAL_MS", "200")
        .env(
            "REPORTFLOW_KAFKA_CONSUMER__SESSION_TIMEOUT_MS",
            SESSION_TIMEOUT.as_millis().to_string(),
        )
        .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "100");
    if std::env::var_os("RUST_LOG").is_none() {
        cmd.env("RUST_LOG", "info,librdkafka=warn");
    }
    ChildGuard::spawn(name, cmd, Some(&logs.join(format!("{name}.log"))))
        .unwrap_or_else(|e| panic!("spawn {}: {e}", stage.binary()))
}

fn sink(config: &Path, db_url: &str, logs: &Path) -> ChildGuard {
    let mut cmd = Command::new(binary("reportflow-sink-postgres"));
    cmd.arg("--config")
        .arg(config)
        .args([
            "--database-url",
            db_url,
            "--http-addr",
            "127.0.0.1:0",
            "--batch-max-ms",
            "200",
            "--log-format",
            "text",
        ])
        .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "100")
        .env_remove("REPORTFLOW_DATABASE_URL");
    if std::env::var_os("RUST_LOG").is_none() {
        cmd.env("RUST_LOG", "info,librdkafka=warn");
    }
    ChildGuard::spawn("sink-postgres", cmd, Some(&logs.join("sink-postgres.log")))
        .unwrap_or_else(|e| panic!("spawn reportflow-sink-postgres: {e}"))
}

fn logs(procs: &mut [ChildGuard]) -> String {
    procs
        .iter_mut()
        .map(|p| {
            let status = p
                .exited()
                .map(|s| format!(" (exited: {s})"))
                .unwrap_or_default();
            format!("--- {}{status} ---\n{}", p.name, p.log_tail(20))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn reportflow(config: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(binary("reportflow"));
    cmd.args(args)
        .arg("--config")
        .arg(config)
        .env_remove("REPORTFLOW_BROKERS");
    cmd
}

/// The whole pipeline, the sink and the three client commands through SASL_SSL with one
/// config file; then a wrong password.
#[test]
fn sasl_ssl_scram_every_command_apache_kafka() {
    let _serial = serial();
    let broker = ApacheKafka::start_sasl_ssl(USER, PASSWORD);
    let sec = broker.sasl_ssl.clone().expect("SASL_SSL listener");
    // Topics through the PLAINTEXT listener (an administrator's job, not the commands').
    kafka::create_topics(broker.bootstrap(), &topics::ALL, 2)
        .unwrap_or_else(|e| panic!("{e}\n{}", broker.log_tail(40)));
    let dir = tempfile::tempdir().expect("temp dir");
    let logs_dir = dir.path().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    let config = dir.path().join("client.toml");
    write_config(&config, &sec, PASSWORD);

    // The inputs: the five seeds and one empty file (a dead letter).
    let mut inputs: Vec<Input> = data::seeds()
        .into_iter()
        .map(|(seed, text)| Input {
            name: format!("{seed}.txt"),
            bytes: text.into_bytes(),
        })
        .collect();
    inputs.push(Input {
        name: "bad.empty".into(),
        bytes: Vec::new(),
    });
    let expected = Expected::compute(&inputs, dir.path());
    assert_eq!((expected.good.len(), expected.bad.len()), (5, 1));
    let reports = dir.path().join("reports");
    std::fs::create_dir_all(&reports).unwrap();
    for input in &inputs {
        std::fs::write(reports.join(&input.name), &input.bytes).unwrap();
    }

    let db = TestDb::create();
    let pg: Pg = db.connect();
    let started = Instant::now();
    let mut procs = vec![
        worker(Stage::Normalizer, &config, "normalizer-sasl", &logs_dir),
        worker(Stage::Extractor, &config, "extractor-sasl", &logs_dir),
        sink(&config, &db.url, &logs_dir),
    ];

    // publish through SASL_SSL.
    let reports_arg = reports.to_string_lossy().into_owned();
    let ran = run_bounded(
        reportflow(&config, &["publish", &reports_arg]),
        Duration::from_secs(60),
        dir.path(),
        "publish",
    );
    assert!(
        ran.success && ran.stdout.contains("published 6 files"),
        "publish over SASL_SSL: {}\n{}",
        ran.stdout,
        ran.stderr
    );
    eprintln!(
        "[sasl] Apache Kafka SASL_SSL: publish took {:.1} s: {}",
        ran.elapsed.as_secs_f64(),
        ran.stdout.trim()
    );

    // The workers (zstd producers) and the sink load every document.
    let want_docs = expected.good.len() as i64;
    let want_inds = expected.indicator_total() as i64;
    let mut last = (0, 0);
    let loaded = poll_until(Duration::from_secs(90), Duration::from_millis(250), || {
        for p in procs.iter_mut() {
            if p.exited().is_some() {
                return Some(false);
            }
        }
        last = (
            pg.count("SELECT count(*) FROM documents"),
            pg.count("SELECT count(*) FROM indicators"),
        );
        (last == (want_docs, want_inds)).then_some(true)
    });
    assert_eq!(
        loaded,
        Some(true),
        "(documents, indicators) = {last:?}, expected {:?}\n{}",
        (want_docs, want_inds),
        logs(&mut procs)
    );
    eprintln!(
        "[sasl] Apache Kafka SASL_SSL: zstd workers and the PostgreSQL sink loaded \
         {want_docs} documents, {want_inds} indicators in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The normalizer's batches are stored zstd-compressed (librdkafka built with zstd).
    let dumps: String = (0..2)
        .map(|p| {
            dump_log(
                &broker.nodes[0]
                    .data_dir()
                    .join(format!("{}-{p}", topics::NORMALIZED)),
            )
        })
        .collect();
    let zstd = dumps.matches("compresscodec: zstd").count();
    assert!(
        zstd > 0 && !dumps.contains("compresscodec: none"),
        "reports.normalized batches are not all zstd:\n{dumps}"
    );
    eprintln!(
        "[sasl] Apache Kafka stores {zstd} zstd batches of the normalizer on reports.normalized"
    );

    // tail reads the indicators and the dead letter through SASL_SSL.
    let ran = run_bounded(
        reportflow(
            &config,
            &[
                "tail",
                "--topic",
                topics::INDICATORS,
                "--timeout-ms",
                "3000",
            ],
        ),
        Duration::from_secs(60),
        dir.path(),
        "tail-indicators",
    );
    assert!(ran.success, "tail: {}", ran.stderr);
    assert_eq!(
        ran.stdout.lines().count() as i64,
        want_inds,
        "tail printed every indicator"
    );
    let ran = run_bounded(
        reportflow(&config, &["tail", "--topic", topics::DLQ, "--max", "1"]),
        Duration::from_secs(60),
        dir.path(),
        "tail-dlq",
    );
    assert!(
        ran.success && ran.stdout.contains("\"kind\":\"empty\""),
        "the dead letter: {}\n{}",
        ran.stdout,
        ran.stderr
    );

    // dlq redrive through SASL_SSL, to a topic of its own; tail it back.
    let ran = run_bounded(
        reportflow(&config, &["dlq", "redrive", "--to", "reports.redriven"]),
        Duration::from_secs(60),
        dir.path(),
        "redrive",
    );
    assert!(
        ran.success && ran.stdout.contains("redrove 1 dead letters"),
        "dlq redrive: {}\n{}",
        ran.stdout,
        ran.stderr
    );
    let ran = run_bounded(
        reportflow(
            &config,
            &[
                "tail",
                "--topic",
                "reports.redriven",
                "--max",
                "1",
                "--timeout-ms",
                "20000",
            ],
        ),
        Duration::from_secs(60),
        dir.path(),
        "tail-redriven",
    );
    assert!(
        ran.success && ran.stdout.contains("\"key\":\"bad.empty\""),
        "the redriven letter: {}\n{}",
        ran.stdout,
        ran.stderr
    );
    eprintln!("[sasl] Apache Kafka SASL_SSL: tail and dlq redrive through --config");

    // A wrong password: publish fails fast and says why.
    let wrong = dir.path().join("wrong.toml");
    write_config(&wrong, &sec, "not-the-password");
    let ran = run_bounded(
        reportflow(&wrong, &["publish", &reports_arg]),
        Duration::from_secs(30),
        dir.path(),
        "publish-wrong",
    );
    assert!(!ran.success, "publish with a wrong password succeeded");
    assert!(
        ran.elapsed < Duration::from_secs(15)
            && ran.stderr.contains(&sec.bootstrap)
            && ran.stderr.to_lowercase().contains("authentication"),
        "a wrong password must fail fast with a clear error ({:.1} s): {}",
        ran.elapsed.as_secs_f64(),
        ran.stderr
    );
    eprintln!(
        "[sasl] Apache Kafka SASL_SSL: wrong password refused after {:.1} s: {}",
        ran.elapsed.as_secs_f64(),
        ran.stderr.lines().last().unwrap_or_default()
    );
    let ran = run_bounded(
        reportflow(&wrong, &["tail", "--topic", topics::DLQ, "--max", "1"]),
        Duration::from_secs(30),
        dir.path(),
        "tail-wrong",
    );
    assert!(
        !ran.success
            && ran.elapsed < Duration::from_secs(15)
            && ran.stderr.to_lowercase().contains("authentication"),
        "tail with a wrong password ({:.1} s): {}",
        ran.elapsed.as_secs_f64(),
        ran.stderr
    );
    // A worker and the PostgreSQL sink with the wrong password exit at once instead of
    // retrying forever.
    exits_refused(
        worker(Stage::Normalizer, &wrong, "normalizer-wrong", &logs_dir),
        "a worker",
    );
    exits_refused(sink(&wrong, &db.url, &logs_dir), "the sink");
    drop(procs);
}

/// Waits for `process`, started with a wrong password, to exit with a clear refusal.
fn exits_refused(mut process: ChildGuard, what: &str) {
    let at = Instant::now();
    let status = poll_until(Duration::from_secs(40), Duration::from_millis(100), || {
        process.exited()
    });
    let log = process.log_tail(400);
    assert!(
        status.is_some_and(|s| !s.success()) && log.contains("refused the connection"),
        "{what} with a wrong password must exit with a clear error ({status:?} after {:.1} s):\n{log}",
        at.elapsed().as_secs_f64()
    );
    eprintln!(
        "[sasl] Apache Kafka SASL_SSL: {what} with a wrong password exited after {:.1} s: {}",
        at.elapsed().as_secs_f64(),
        log.lines()
            .find(|l| l.contains("refused the connection"))
            .unwrap_or_default()
    );
}

/// `reportflow publish` to a port nobody listens on: fails after `--connect-timeout-secs`,
/// naming the address, with progress lines meanwhile.
#[test]
fn publish_to_unreachable_broker_fails_in_bounded_time() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file: PathBuf = dir.path().join("r.txt");
    std::fs::write(&file, "2024年国内生产总值增长5%。").unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(binary("reportflow"));
    cmd.args(["publish", "--brokers", &addr, "--connect-timeout-secs", "6"])
        .arg(&file)
        .env_remove("REPORTFLOW_BROKERS");
    let ran = run_bounded(cmd, Duration::from_secs(30), dir.path(), "publish");
    assert!(!ran.success, "publish to nowhere succeeded: {}", ran.stdout);
    assert!(
        ran.elapsed >= Duration::from_secs(5) && ran.elapsed < Duration::from_secs(12),
        "publish gave up after {:.1} s, expected about 6 s: {}",
        ran.elapsed.as_secs_f64(),
        ran.stderr
    );
    assert!(
        ran.stderr.contains(&addr) && ran.stderr.contains("within 6 s"),
        "the error names the address and the timeout: {}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("waiting for Kafka at"),
        "progress while waiting: {}",
        ran.stderr
    );
    eprintln!(
        "[publish] unreachable broker: gave up after {:.1} s: {}",
        ran.elapsed.as_secs_f64(),
        ran.stderr.lines().last().unwrap_or_default()
    );
}
