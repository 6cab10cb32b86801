//! Brokers the tests run against: Tansu (a Kafka-compatible broker, spawned per test on a free
//! port with in-memory storage) and the embedded broker of `reportflow dev-broker`.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::process::{binary, ChildGuard};

/// A running broker the tests can talk to. Dropping it stops the broker.
pub trait Broker {
    /// `bootstrap.servers` for clients.
    fn bootstrap(&self) -> &str;
    /// Short name for messages (`tansu`, `embedded`).
    fn name(&self) -> &'static str;
    /// Whether the broker stores and serves records over the runtime's 16 MiB limit in a
    /// partition shared with other records (needed for the 20 MiB `too_large` input).
    fn serves_huge_records(&self) -> bool {
        true
    }
    /// librdkafka producer properties every producer (tests and workers) needs on this broker.
    fn producer_overrides(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
}

/// Tansu 0.6.0 advances a partition's high watermark by one per record *batch*, not per record
/// (records get correct offsets, but ListOffsets/Fetch report e.g. 1 after one 50-record
/// batch), so consumers stall once their position passes the reported watermark. One record per
/// batch keeps the watermark right. `tansu_accepts_what_the_pipeline_needs` pins this.
pub const TANSU_PRODUCER_OVERRIDES: &[(&str, &str)] = &[("batch.num.messages", "1")];

/// Set to `1` to skip the Tansu tests (with a loud message) when Tansu is not installed.
pub const SKIP_TANSU_ENV: &str = "REPORTFLOW_E2E_SKIP_TANSU";
/// Path of the `tansu` binary (default: `tansu` on `PATH`, then `~/.cargo/bin/tansu`).
pub const TANSU_BIN_ENV: &str = "REPORTFLOW_TANSU";

/// A Tansu broker with in-memory storage on a free local port, killed on drop.
#[derive(Debug)]
pub struct Tansu {
    bootstrap: String,
    /// The broker process (its output goes to `log`).
    pub process: ChildGuard,
    _dir: tempfile::TempDir,
}

/// Finds the `tansu` executable.
pub fn tansu_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(TANSU_BIN_ENV) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    std::env::split_paths(&path)
        .chain(home.map(|h| h.join("bin")))
        .map(|dir| dir.join("tansu"))
        .find(|p| p.is_file())
}

/// A free TCP port on 127.0.0.1 (bound, then released for the broker to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind an ephemeral port")
        .port()
}

impl Tansu {
    /// Starts Tansu, or returns `None` (after printing why) when it is not installed and
    /// `REPORTFLOW_E2E_SKIP_TANSU=1`. Without that variable a missing Tansu fails the test: a
    /// silently skipped end-to-end test is worse than none.
    pub fn start() -> Option<Tansu> {
        let Some(bin) = tansu_binary() else {
            if std::env::var(SKIP_TANSU_ENV).as_deref() == Ok("1") {
                eprintln!(
                    "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                     !!! SKIPPED: tansu is not installed and {SKIP_TANSU_ENV}=1.\n\
                     !!! Install it with `scripts/tansu.sh install`.\n\
                     !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                );
                return None;
            }
            panic!(
                "tansu is not installed (not on PATH, not in ~/.cargo/bin, {TANSU_BIN_ENV} unset). \
                 Install it with `scripts/tansu.sh install` \
                 (cargo install tansu@0.6.0 --locked --features dynostore,postgres), \
                 or set {SKIP_TANSU_ENV}=1 to skip the Tansu tests."
            );
        };
        Some(Tansu::start_with(&bin))
    }

    /// Starts the given `tansu` executable on a free port and waits until it answers.
    pub fn start_with(bin: &std::path::Path) -> Tansu {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("tansu.log");
        // A port can be taken between `free_port` and the broker's bind; retry a few times.
        for attempt in 0..3 {
            let port = free_port();
            let url = format!("tcp://127.0.0.1:{port}");
            let mut cmd = Command::new(bin);
            cmd.args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ]);
            let mut process = ChildGuard::spawn("tansu", cmd, Some(&log)).expect("spawn tansu");
            let addr = format!("127.0.0.1:{port}");
            if wait_accepting(&addr, &mut process, Duration::from_secs(30)) {
                return Tansu {
                    bootstrap: addr,
                    process,
                    _dir: dir,
                };
            }
            eprintln!(
                "tansu attempt {attempt} on {addr} failed:\n{}",
                process.log_tail(20)
            );
        }
        panic!("tansu did not start (log above)");
    }

    /// The broker's log so far (for failure messages).
    pub fn log_tail(&self, lines: usize) -> String {
        self.process.log_tail(lines)
    }
}

impl Broker for Tansu {
    fn bootstrap(&self) -> &str {
        &self.bootstrap
    }
    fn name(&self) -> &'static str {
        "tansu"
    }
    fn producer_overrides(&self) -> &'static [(&'static str, &'static str)] {
        TANSU_PRODUCER_OVERRIDES
    }
}

/// Waits until `addr` accepts TCP connections; false if the process died or time ran out.
fn wait_accepting(addr: &str, process: &mut ChildGuard, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if process.exited().is_some() {
            return false;
        }
        let sock = addr.parse().expect("socket address");
        if TcpStream::connect_timeout(&sock, Duration::from_millis(200)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
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
