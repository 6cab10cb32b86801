//! End-to-end test of the streaming commands as separate processes: `reportflow dev-broker`,
//! `reportflow publish`, `reportflow worker normalizer|extractor` and `reportflow tail`,
//! checked against `reportflow extract` on the same files.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reportflow_kafka::config::DEFAULT_DLQ_TOPIC as DLQ;
use reportflow_kafka::dlq::HEADER_PREFIX;
use reportflow_proto::names::HEADER_DOC_ID;
use reportflow_proto::topics::{
    DEFAULT_DOCUMENTS_TOPIC as DOCUMENTS, DEFAULT_INDICATORS_TOPIC as INDICATORS,
    DEFAULT_NORMALIZED_TOPIC as NORMALIZED, DEFAULT_RAW_TOPIC as RAW,
};
use serde_json::Value;

/// Kills (and reaps) its child when dropped, so a failing test leaves no process behind.
struct Guard {
    name: &'static str,
    child: Child,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("stopped {}", self.name);
    }
}

fn reportflow() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reportflow"));
    cmd.env_remove("RUST_LOG");
    // The workers' configuration comes only from the flags and the variables below.
    for (k, _) in std::env::vars() {
        if k.starts_with("REPORTFLOW_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reportflow-core/test_data/seeds")
}

fn check(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn dev_broker() -> (Guard, String) {
    let mut child = reportflow()
        .arg("dev-broker")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn dev-broker");
    let stdout = child.stdout.take().unwrap();
    let guard = Guard {
        name: "dev-broker",
        child,
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("dev-broker prints its address");
    assert!(address.contains(':'), "not an address: {address}");
    (guard, address.trim().to_string())
}

fn worker(stage: &'static str, brokers: &str) -> Guard {
    let child = reportflow()
        .args([
            "worker",
            stage,
            "--brokers",
            brokers,
            "--http-addr",
            "127.0.0.1:0",
            "--log-format",
            "text",
            "--log-level",
            "warn",
        ])
        .env("REPORTFLOW_COMMIT_INTERVAL_MS", "200")
        .env("REPORTFLOW_SHUTDOWN_TIMEOUT_MS", "3000")
        .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "50")
        .env("REPORTFLOW_KAFKA_CONSUMER__SESSION_TIMEOUT_MS", "6000")
        .env("REPORTFLOW_KAFKA_CONSUMER__HEARTBEAT_INTERVAL_MS", "500")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn worker");
    Guard { name: stage, child }
}

/// Lines of `reportflow tail` on `topic` until `expected` lines or no message for 3 s after
/// the deadline.
fn tail(brokers: &str, topic: &str, expected: usize, deadline: Instant) -> Vec<Value> {
    loop {
        let out = reportflow()
            .args([
                "tail",
                "--brokers",
                brokers,
                "--topic",
                topic,
                "--timeout-ms",
                "3000",
            ])
            .output()
            .expect("run tail");
        let stdout = check(&out, "tail");
        let lines: Vec<Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("tail prints JSON lines"))
            .collect();
        if lines.len() >= expected || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn publish_workers_and_tail_agree_with_extract() {
    let started = Instant::now();
    let seeds = seeds_dir();

    // What the offline tool finds, per document id.
    let mut files: Vec<PathBuf> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let out = reportflow()
        .args(["extract", "--format", "json", "--compact"])
        .args(&files)
        .output()
        .unwrap();
    let stdout = check(&out, "extract");
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let doc_id = v["document"]["docId"].as_str().unwrap().to_string();
        let n = v["indicators"].as_array().unwrap().len();
        expected.insert(doc_id, n);
    }
    assert_eq!(expected.len(), files.len());
    let total: usize = expected.values().sum();

    let (_broker, brokers) = dev_broker();
    let out = reportflow()
        .args(["publish", "--brokers", &brokers])
        .arg(&seeds)
        .output()
        .unwrap();
    let summary = check(&out, "publish");
    assert!(
        summary.contains(&format!("published {} files", files.len()))
            && summary.contains("0 failed"),
        "{summary}"
    );

    let _normalizer = worker("normalizer", &brokers);
    let _extractor = worker("extractor", &brokers);

    let deadline = Instant::now() + Duration::from_secs(40);
    let lines = tail(&brokers, INDICATORS, total, deadline);
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for line in &lines {
        assert_eq!(line["topic"], INDICATORS);
        let doc_id = line["key"].as_str().unwrap();
        assert_eq!(line["value"]["docId"], doc_id);
        assert_eq!(line["headers"][HEADER_DOC_ID], doc_id);
        *got.entry(doc_id.to_string()).or_default() += 1;
    }
    assert_eq!(got, expected, "indicators per document: tail vs extract");

    // The documents carry the publish keys (paths relative to the directory).
    let docs = tail(&brokers, DOCUMENTS, files.len(), deadline);
    let mut keys: Vec<String> = docs
        .iter()
        .map(|d| d["value"]["source"]["key"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(keys, names);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn dead_letters_can_be_tailed_and_redriven() {
    let dir = std::env::temp_dir().join(format!("rf-dlq-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("in")).unwrap();
    std::fs::write(dir.join("in/empty.txt"), b"").unwrap();
    std::fs::copy(
        seeds_dir().join("000_efee8a99a23e30c8.txt"),
        dir.join("in/good.txt"),
    )
    .unwrap();

    let (_broker, brokers) = dev_broker();
    let out = reportflow()
        .args(["publish", "--brokers", &brokers])
        .arg(dir.join("in"))
        .output()
        .unwrap();
    check(&out, "publish");
    let _normalizer = worker("normalizer", &brokers);
    let deadline = Instant::now() + Duration::from_secs(30);
    let letters = tail(&brokers, DLQ, 1, deadline);
    assert_eq!(letters.len(), 1, "{letters:?}");
    let letter = &letters[0];
    assert_eq!(letter["key"], "empty.txt");
    assert_eq!(letter["value"]["error"]["stage"], "normalize");
    assert_eq!(letter["value"]["error"]["kind"], "empty");
    assert_eq!(letter["value"]["source"]["topic"], RAW);
    assert_eq!(letter["value"]["bytes"], 0);
    let normalized = tail(&brokers, NORMALIZED, 1, deadline);
    assert_eq!(normalized.len(), 1);
    assert_eq!(normalized[0]["value"]["source"]["key"], "good.txt");

    // A filter that matches nothing redrives nothing.
    let out = reportflow()
        .args([
            "dlq",
            "redrive",
            "--brokers",
            &brokers,
            "--kind",
            "undecodable",
        ])
        .output()
        .unwrap();
    let summary = check(&out, "redrive --kind undecodable");
    assert!(summary.contains("redrove 0 dead letters"), "{summary}");
    assert!(summary.contains("1 did not match"), "{summary}");

    let out = reportflow()
        .args([
            "dlq",
            "redrive",
            "--brokers",
            &brokers,
            "--kind",
            "empty",
            "--stage",
            "normalize",
            "--to",
            "reports.redriven",
        ])
        .output()
        .unwrap();
    let summary = check(&out, "redrive");
    assert!(summary.contains("redrove 1 dead letters"), "{summary}");
    let redriven = tail(&brokers, "reports.redriven", 1, deadline);
    assert_eq!(redriven.len(), 1, "{redriven:?}");
    let r = &redriven[0];
    assert_eq!(r["key"], "empty.txt");
    assert_eq!(r["headers"]["source-name"], "empty.txt");
    assert_eq!(r["headers"]["content-type"], "text/plain");
    let names: Vec<&String> = r["headers"].as_object().unwrap().keys().collect();
    assert!(
        names.iter().all(|n| !n.starts_with(HEADER_PREFIX)),
        "{names:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The embedded broker keeps 5 MiB per partition and deletes the oldest records past that:
/// `publish` refuses what it would drop before sending anything, and says why.
#[test]
fn publish_refuses_what_the_embedded_broker_would_drop() {
    let dir = std::env::temp_dir().join(format!("rf-drop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.txt");
    std::fs::write(&big, vec![b'x'; 6 << 20]).unwrap();
    let small = seeds_dir().join("000_efee8a99a23e30c8.txt");

    let (_broker, brokers) = dev_broker();
    let out = reportflow()
        .args(["publish", "--brokers", &brokers])
        .arg(&big)
        .arg(&small)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "publish succeeded:\n{stderr}");
    assert!(
        stderr.contains("over the embedded broker's 5242880 bytes per partition"),
        "{stderr}"
    );
    // Nothing was sent, not even the small file.
    let deadline = Instant::now() + Duration::from_secs(3);
    assert!(tail(&brokers, RAW, 1, deadline).is_empty());

    // What fits is published.
    let out = reportflow()
        .args(["publish", "--brokers", &brokers])
        .arg(&small)
        .output()
        .unwrap();
    assert!(check(&out, "publish").contains("published 1 files"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Total lag of `group` on the raw topic, as `reportflow lag --format prometheus` says.
fn group_lag(brokers: &str, group: &str) -> i64 {
    let out = reportflow()
        .args(["lag", "--brokers", brokers, "--group", group])
        .args(["--topic", RAW, "--format", "prometheus"])
        .output()
        .unwrap();
    let text = check(&out, "lag");
    let prefix = format!("reportflow_group_lag_total{{group=\"{group}\",topic=\"{RAW}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no total in {text}"))
        .trim()
        .parse()
        .unwrap()
}

/// `reportflow lag` measures a group's lag from its committed offsets, so the lag shows
/// before the group ever had a member and after its last member is gone.
#[test]
fn lag_shows_without_members() {
    let (_broker, brokers) = dev_broker();
    let group = "reportflow-normalizer";
    let out = reportflow()
        .args(["publish", "--brokers", &brokers])
        .arg(seeds_dir())
        .output()
        .unwrap();
    check(&out, "publish");
    let seeds = std::fs::read_dir(seeds_dir()).unwrap().count() as i64;
    assert_eq!(group_lag(&brokers, group), seeds);

    let normalizer = worker("normalizer", &brokers);
    let deadline = Instant::now() + Duration::from_secs(40);
    while group_lag(&brokers, group) > 0 {
        assert!(Instant::now() < deadline, "the normalizer did not catch up");
        std::thread::sleep(Duration::from_millis(300));
    }
    drop(normalizer);

    // No member now: one more report is one record of lag.
    let out = reportflow()
        .args(["publish", "--brokers", &brokers])
        .arg(seeds_dir().join("000_efee8a99a23e30c8.txt"))
        .output()
        .unwrap();
    check(&out, "publish");
    assert_eq!(group_lag(&brokers, group), 1);
}
