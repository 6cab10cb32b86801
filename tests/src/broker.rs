//! Brokers the tests run against: Apache Kafka (the broker users run: the Maven Central
//! artifact, one KRaft node or a cluster per test on free loopback ports, started through
//! `scripts/kafka.sh`) and the embedded broker of `reportflow dev-broker`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::process::{binary, ChildGuard};

/// A running broker the tests can talk to. Dropping it stops the broker.
pub trait Broker {
    /// `bootstrap.servers` for clients.
    fn bootstrap(&self) -> &str;
    /// Short name for messages (`apache-kafka`, `embedded`).
    fn name(&self) -> &'static str;
    /// Whether the broker stores and serves records over the runtime's 16 MiB limit in a
    /// partition shared with other records (needed for the 20 MiB `too_large` input).
    fn serves_huge_records(&self) -> bool {
        true
    }
}

/// A free TCP port on 127.0.0.1 (bound, then released for the broker to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

/// The workspace's `scripts/kafka.sh`.
pub fn kafka_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scripts")
        .join("kafka.sh")
}

/// Resolves the broker's jars (`scripts/kafka.sh install`: a no-op once done) and returns
/// the Kafka version. Panics with the script's output when that fails: an end-to-end test
/// that cannot get its broker must fail, not skip.
pub fn install_kafka() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            let out = Command::new(kafka_script())
                .arg("install")
                .output()
                .expect("run scripts/kafka.sh install");
            assert!(
                out.status.success(),
                "scripts/kafka.sh install failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let out = Command::new(kafka_script())
                .arg("version")
                .output()
                .expect("run scripts/kafka.sh version");
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        })
        .clone()
}

/// The record batches of a partition's log segments as `kafka.tools.DumpLogSegments` prints
/// them (`scripts/kafka.sh dump-log`): offsets, sizes and `compresscodec` of every batch.
pub fn dump_log(partition_dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(partition_dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "log"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        return String::new();
    }
    let out = Command::new(kafka_script())
        .arg("dump-log")
        .args(&files)
        .output()
        .expect("run scripts/kafka.sh dump-log");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The line a KRaft node logs once it serves clients.
const STARTED: &str = "Kafka Server started";

/// One node (broker + controller) of an [`ApacheKafka`] cluster.
#[derive(Debug)]
pub struct KafkaNode {
    /// `node.id`.
    pub id: u32,
    /// Client port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    log: PathBuf,
    process: Option<ChildGuard>,
}

impl KafkaNode {
    fn spawn(&mut self) {
        let mut cmd = Command::new(kafka_script());
        cmd.arg("run").arg(&self.dir);
        let name = format!("kafka-{}", self.id);
        self.process =
            Some(ChildGuard::spawn(&name, cmd, Some(&self.log)).expect("spawn the Kafka broker"));
    }

    fn started_count(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches(STARTED)
            .count()
    }

    /// The last `lines` lines of this node's log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// The node's log directory (`log.dirs`): one `<topic>-<partition>` directory each.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Whether the node's process is running.
    pub fn is_running(&mut self) -> bool {
        self.process.as_mut().is_some_and(|p| p.exited().is_none())
    }
}

/// Apache Kafka in KRaft mode on loopback: `n` nodes, each broker and controller, with
/// persistent logs in a temporary directory (a killed node restarts with its data). Dropping
/// it kills every node.
#[derive(Debug)]
pub struct ApacheKafka {
    bootstrap: String,
    /// The nodes, in `node.id` order (ids start at 1).
    pub nodes: Vec<KafkaNode>,
    /// The Kafka version (from `scripts/kafka/pom.xml`).
    pub version: String,
    /// The SASL_SSL listener of [`ApacheKafka::start_sasl_ssl`].
    pub sasl_ssl: Option<SaslSsl>,
    _dir: tempfile::TempDir,
}

/// A SASL_SSL listener (SCRAM-SHA-512 over TLS) and what a client needs to use it.
#[derive(Debug, Clone)]
pub struct SaslSsl {
    /// `bootstrap.servers` of the SASL_SSL listener.
    pub bootstrap: String,
    /// The throw-away CA that signed the broker's certificate (`ssl.ca.location`).
    pub ca: PathBuf,
    /// The SCRAM user created at storage format time.
    pub user: String,
    /// Its password.
    pub password: String,
}

impl SaslSsl {
    /// The librdkafka properties of a client of this listener, with `password`.
    pub fn properties(&self, password: &str) -> Vec<(String, String)> {
        [
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", self.user.as_str()),
            ("sasl.password", password),
            ("ssl.ca.location", &self.ca.to_string_lossy()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

impl ApacheKafka {
    /// One node: replication factor 1 for every internal topic.
    pub fn start() -> ApacheKafka {
        ApacheKafka::cluster(1, &[])
    }

    /// `n` nodes forming one cluster (all of them controllers). With three or more nodes,
    /// topics are created with replication factor 3 and `min.insync.replicas=2`, the
    /// production shape; `extra` are more `server.properties` lines for every node.
    pub fn cluster(n: u32, extra: &[&str]) -> ApacheKafka {
        let dir = tempfile::tempdir().expect("temp dir");
        ApacheKafka::cluster_in(dir, n, extra, &[])
    }

    /// One node with, besides its PLAINTEXT listener ([`Broker::bootstrap`]), a SASL_SSL
    /// listener: SCRAM-SHA-512 user `user`/`password` (created by `kafka-storage format
    /// --add-scram`), TLS with a certificate for 127.0.0.1 signed by a CA made with openssl
    /// now (`scripts/kafka.sh tls`). See [`ApacheKafka::sasl_ssl`].
    pub fn start_sasl_ssl(user: &str, password: &str) -> ApacheKafka {
        let dir = tempfile::tempdir().expect("temp dir");
        let tls = dir.path().join("tls");
        let store_password = "reportflow-test-store";
        let out = Command::new(kafka_script())
            .arg("tls")
            .arg(&tls)
            .arg(store_password)
            .output()
            .expect("run scripts/kafka.sh tls");
        assert!(
            out.status.success(),
            "scripts/kafka.sh tls: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let args: Vec<String> = vec![
            "--sasl-ssl-port".into(),
            port.to_string(),
            "--keystore".into(),
            tls.join("server.p12").to_string_lossy().into_owned(),
            "--keystore-password".into(),
            store_password.into(),
            "--scram".into(),
            format!("{user}={password}"),
        ];
        let mut kafka = ApacheKafka::cluster_in(dir, 1, &[], &args);
        let listener = SaslSsl {
            bootstrap: format!("127.0.0.1:{port}"),
            ca: tls.join("ca.pem"),
            user: user.to_string(),
            password: password.to_string(),
        };
        eprintln!(
            "[broker] Apache Kafka {}: SASL_SSL (SCRAM-SHA-512) listener at {}",
            kafka.version, listener.bootstrap
        );
        kafka.sasl_ssl = Some(listener);
        kafka
    }

    fn cluster_in(dir: tempfile::TempDir, n: u32, extra: &[&str], args: &[String]) -> ApacheKafka {
        let version = install_kafka();
        let ports: Vec<(u16, u16)> = (0..n).map(|_| (free_port(), free_port())).collect();
        let voters = ports
            .iter()
            .enumerate()
            .map(|(i, (_, c))| format!("{}@127.0.0.1:{c}", i + 1))
            .collect::<Vec<_>>()
            .join(",");
        let (rf, min_isr) = if n >= 3 { (3, 2) } else { (n, 1) };
        let mut cluster_id: Option<String> = None;
        let mut nodes = Vec::new();
        for (i, (port, cport)) in ports.iter().enumerate() {
            let id = i as u32 + 1;
            let node_dir = dir.path().join(format!("node-{id}"));
            let mut cmd = Command::new(kafka_script());
            cmd.arg("config").arg(&node_dir).args([
                "--node-id",
                &id.to_string(),
                "--port",
                &port.to_string(),
                "--controller-port",
                &cport.to_string(),
                "--voters",
                &voters,
                "--replication-factor",
                &rf.to_string(),
                "--min-insync",
                &min_isr.to_string(),
            ]);
            if let Some(cid) = &cluster_id {
                cmd.args(["--cluster-id", cid]);
            }
            for kv in extra {
                cmd.args(["--extra", kv]);
            }
            cmd.args(args);
            let out = cmd.output().expect("run scripts/kafka.sh config");
            assert!(
                out.status.success(),
                "scripts/kafka.sh config: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            if cluster_id.is_none() {
                let cid = std::fs::read_to_string(node_dir.join("cluster.id")).expect("cluster.id");
                cluster_id = Some(cid.trim().to_string());
            }
            nodes.push(KafkaNode {
                id,
                port: *port,
                log: dir.path().join(format!("node-{id}.log")),
                dir: node_dir,
                process: None,
            });
        }
        for node in &mut nodes {
            node.spawn();
        }
        let bootstrap = ports
            .iter()
            .map(|(p, _)| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut kafka = ApacheKafka {
            bootstrap,
            nodes,
            version,
            sasl_ssl: None,
            _dir: dir,
        };
        for i in 0..kafka.nodes.len() {
            kafka.wait_started(i, 1);
        }
        eprintln!(
            "[broker] Apache Kafka {} started: {} node(s) at {}",
            kafka.version,
            kafka.nodes.len(),
            kafka.bootstrap
        );
        kafka
    }

    /// Waits until node `i` has logged its `count`-th start; panics with its log after 120 s.
    fn wait_started(&mut self, i: usize, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if self.nodes[i].started_count() >= count {
                return;
            }
            let node = &mut self.nodes[i];
            let running = node.is_running();
            if !running || Instant::now() > deadline {
                panic!(
                    "Apache Kafka node {} did not start (running: {running}):\n{}",
                    node.id,
                    node.log_tail(40)
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// `kill -9` of node `i` (index into [`ApacheKafka::nodes`]).
    pub fn kill9(&mut self, i: usize) {
        if let Some(mut p) = self.nodes[i].process.take() {
            p.kill9();
        }
    }

    /// Restarts node `i` on its data and waits until it serves clients again.
    pub fn restart(&mut self, i: usize) {
        self.kill9(i);
        let before = self.nodes[i].started_count();
        self.nodes[i].spawn();
        self.wait_started(i, before + 1);
    }

    /// Index of the node with `node.id` `id`.
    pub fn index_of(&self, id: i32) -> Option<usize> {
        self.nodes.iter().position(|n| n.id as i32 == id)
    }

    /// The last `lines` lines of every node's log.
    pub fn log_tail(&self, lines: usize) -> String {
        self.nodes
            .iter()
            .map(|n| format!("--- kafka node {} ---\n{}", n.id, n.log_tail(lines)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Broker for ApacheKafka {
    fn bootstrap(&self) -> &str {
        &self.bootstrap
    }
    fn name(&self) -> &'static str {
        "apache-kafka"
    }
}

/// The API keys (with their version ranges) a broker supports, from a raw ApiVersions v0
/// request: the one question librdkafka does not answer, and the one that tells Apache Kafka
/// from a look-alike (transactions are APIs 22 to 28).
pub fn api_versions(addr: &str) -> std::io::Result<Vec<(i16, i16, i16)>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let client_id = b"reportflow-e2e";
    let mut body = Vec::new();
    body.extend_from_slice(&18i16.to_be_bytes()); // ApiVersions
    body.extend_from_slice(&0i16.to_be_bytes()); // version 0
    body.extend_from_slice(&7i32.to_be_bytes()); // correlation id
    body.extend_from_slice(&(client_id.len() as i16).to_be_bytes());
    body.extend_from_slice(client_id);
    stream.write_all(&(body.len() as i32).to_be_bytes())?;
    stream.write_all(&body)?;
    let mut len = [0u8; 4];
    stream.read_exact(&mut len)?;
    let mut resp = vec![0u8; i32::from_be_bytes(len).max(0) as usize];
    stream.read_exact(&mut resp)?;
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let i16_at = |o: usize| -> std::io::Result<i16> {
        resp.get(o..o + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| bad("short ApiVersions response"))
    };
    if resp.len() < 10 || i32::from_be_bytes([resp[0], resp[1], resp[2], resp[3]]) != 7 {
        return Err(bad("unexpected ApiVersions response"));
    }
    let error = i16_at(4)?;
    if error != 0 {
        return Err(bad(&format!("ApiVersions error code {error}")));
    }
    let n = i32::from_be_bytes([resp[6], resp[7], resp[8], resp[9]]).max(0) as usize;
    (0..n)
        .map(|k| {
            let o = 10 + 6 * k;
            Ok((i16_at(o)?, i16_at(o + 2)?, i16_at(o + 4)?))
        })
        .collect()
}

/// The embedded broker of `reportflow dev-broker` (librdkafka's mock cluster in a process).
#[derive(Debug)]
pub struct Embedded {
    bootstrap: String,
    /// The `reportflow dev-broker` process.
    pub process: ChildGuard,
}

impl Embedded {
    /// Spawns `reportflow dev-broker` (which creates the default topics with `partitions`
    /// partitions) and reads the bootstrap address it prints as its first line.
    pub fn start(partitions: i32) -> Embedded {
        let mut cmd = Command::new(binary("reportflow"));
        cmd.args(["dev-broker", "--partitions", &partitions.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // Its stderr is a usage banner only.
            .stderr(Stdio::null());
        let child = cmd.spawn().expect("spawn reportflow dev-broker");
        let mut process = ChildGuard::from_child("reportflow dev-broker", child);
        let stdout = process.child_mut().stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        // The reader keeps draining stdout after the address so the broker never blocks on a
        // full pipe.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent {
                    if let Some(addr) = parse_address(&line) {
                        let _ = tx.send(addr);
                        sent = true;
                    }
                }
            }
        });
        let bootstrap = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("reportflow dev-broker printed no bootstrap address within 30 s");
        Embedded { bootstrap, process }
    }
}

impl Broker for Embedded {
    fn bootstrap(&self) -> &str {
        &self.bootstrap
    }
    fn name(&self) -> &'static str {
        "embedded"
    }
    /// librdkafka's mock cluster accepts a 20 MiB record but, once a partition holds several
    /// large records (e.g. 1 + 8 MiB), fetches of it return nothing and consumers stall
    /// (`embedded_serves_large_records` shows it); a lone 17 or 20 MiB record is served.
    fn serves_huge_records(&self) -> bool {
        false
    }
}

/// The first `host:port[,host:port…]` token of a line (`127.0.0.1:40123`, possibly after a
/// label or a `tcp://` scheme).
pub fn parse_address(line: &str) -> Option<String> {
    line.split(|c: char| c.is_whitespace() || c == '=' || c == '"' || c == '\'')
        .map(|t| {
            t.trim_start_matches("tcp://")
                .trim_end_matches(['.', ',', ';'])
        })
        .find(|t| {
            !t.is_empty()
                && t.split(',').all(|hp| {
                    hp.rsplit_once(':').is_some_and(|(h, p)| {
                        !h.is_empty() && !h.contains('/') && p.parse::<u16>().is_ok()
                    })
                })
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::parse_address;

    #[test]
    fn parses_addresses() {
        assert_eq!(
            parse_address("127.0.0.1:4567").as_deref(),
            Some("127.0.0.1:4567")
        );
        assert_eq!(
            parse_address("bootstrap.servers=localhost:9092").as_deref(),
            Some("localhost:9092")
        );
        assert_eq!(
            parse_address("listening on tcp://127.0.0.1:1,127.0.0.1:2.").as_deref(),
            Some("127.0.0.1:1,127.0.0.1:2")
        );
        assert_eq!(parse_address("no address here: none"), None);
    }
}
