//! Child processes: where the built binaries are and a guard that kills a child on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Environment variable naming the directory of the built binaries (default: the directory
/// above the running test executable, i.e. `target/debug` or `target/release`).
pub const BIN_DIR_ENV: &str = "REPORTFLOW_E2E_BIN_DIR";

/// The directory holding the workspace's built binaries.
///
/// `env!("CARGO_BIN_EXE_…")` only covers binaries of the test's own package, so the binaries of
/// the worker and CLI crates are taken from the target directory instead; `cargo build
/// --workspace --bins` must have run first (`scripts/ci-e2e.sh` does it).
pub fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(BIN_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("current executable");
    let mut dir = exe.parent().expect("executable directory").to_path_buf();
    // Test executables live in target/<profile>/deps, binaries in target/<profile>.
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    dir
}

/// Set to `1` to run against binaries older than their sources (see [`binary`]).
pub const ALLOW_STALE_ENV: &str = "REPORTFLOW_E2E_ALLOW_STALE";

/// The source trees binary `name` is built from, relative to the workspace root: its crate
/// and, transitively, the workspace crates among its `[dependencies]` (plus `proto/` for
/// `reportflow-proto`, whose build script compiles it). Read from the manifests, so a new
/// dependency (or a sink's binary) is covered without a list to keep in step.
pub fn sources_of(name: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let krate = if name == "reportflow" {
        "reportflow-cli"
    } else {
        name
    };
    let mut seen: Vec<String> = Vec::new();
    let mut todo = vec![krate.to_string()];
    while let Some(k) = todo.pop() {
        if seen.contains(&k) {
            continue;
        }
        let manifest = root.join("crates").join(&k).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        todo.extend(workspace_dependencies(&text));
        seen.push(k);
    }
    let mut dirs: Vec<String> = seen.iter().map(|k| format!("crates/{k}")).collect();
    if seen.iter().any(|k| k == "reportflow-proto") {
        dirs.push("proto".to_string());
    }
    dirs.sort();
    dirs
}

/// The `reportflow-*` crates named in the `[dependencies]` table of a manifest (either
/// `reportflow-x = { path = … }` or `reportflow-x.workspace = true`).
fn workspace_dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_dependencies = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if !in_dependencies || !line.starts_with("reportflow-") {
            continue;
        }
        let name_end = line
            .find(|c: char| c == '=' || c == '.' || c.is_whitespace())
            .unwrap_or(line.len());
        out.push(line[..name_end].to_string());
    }
    out
}

/// The path of the built binary `name`; panics with instructions when it is missing or older
/// than a source file it is built from.
///
/// The staleness check matters because `cargo test` does not rebuild other packages'
/// binaries: comparing the outputs of a stale worker with a fresh `reportflow extract` fails
/// with confusing differences.
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "binary {} not found: run `cargo build --workspace --bins` first \
         (scripts/ci-e2e.sh does), or set {BIN_DIR_ENV}",
        path.display()
    );
    if std::env::var(ALLOW_STALE_ENV).as_deref() != Ok("1") {
        let built = modified(&path);
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
        for dir in sources_of(name) {
            newest_file(&root.join(dir), &mut newest);
        }
        if let (Some(built), Some((changed, file))) = (built, newest) {
            assert!(
                changed <= built,
                "binary {} is older than {}: run `cargo build --workspace --bins` \
                 (or set {ALLOW_STALE_ENV}=1)",
                path.display(),
                file.display()
            );
        }
    }
    path
}

fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The most recently modified file under `dir` (skipping `target`, hidden directories and
/// what is not built into the binaries).
fn newest_file(dir: &Path, newest: &mut Option<(std::time::SystemTime, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            // Tests, benches and the fuzz crate (whose corpus a running fuzzer keeps
            // writing) are not part of the binaries.
            if ![
                "tests",
                "benches",
                "examples",
                "test_data",
                "snapshots",
                "fuzz",
            ]
            .iter()
            .any(|n| name == *n)
            {
                newest_file(&path, newest);
            }
        } else if path.extension().is_some_and(|e| e == "md") {
            // Documentation: a README edited after the build changes no binary, and cargo
            // does not rebuild for it (none is `include_str!`'d).
            continue;
        } else if let Some(t) = modified(&path) {
            if newest.as_ref().is_none_or(|(n, _)| t > *n) {
                *newest = Some((t, path));
            }
        }
    }
}

/// A child process that is killed (SIGKILL) and reaped when the guard is dropped, so a failing
/// test never leaves brokers or workers behind.
#[derive(Debug)]
pub struct ChildGuard {
    /// What the child is, for messages.
    pub name: String,
    /// Where its standard error goes (if redirected to a file).
    pub log: Option<PathBuf>,
    child: Option<Child>,
}

impl ChildGuard {
    /// Spawns `cmd` with stdin closed and stdout/stderr appended to `log` (when given).
    pub fn spawn(name: &str, mut cmd: Command, log: Option<&Path>) -> std::io::Result<ChildGuard> {
        cmd.stdin(Stdio::null());
        if let Some(log) = log {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)?;
            cmd.stdout(file.try_clone()?);
            cmd.stderr(file);
        }
        let child = cmd.spawn()?;
        Ok(ChildGuard {
            name: name.to_string(),
            log: log.map(Path::to_path_buf),
            child: Some(child),
        })
    }

    /// Wraps an already spawned child.
    pub fn from_child(name: &str, child: Child) -> ChildGuard {
        ChildGuard {
            name: name.to_string(),
            log: None,
            child: Some(child),
        }
    }

    /// The operating-system process id.
    pub fn id(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// The child, for reading its pipes.
    pub fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("child not yet killed")
    }

    /// `kill -9`: `Child::kill` sends SIGKILL on Unix (no graceful shutdown, no final commit).
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the child has exited (and with what), without waiting.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// The last `lines` lines of the log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let Some(log) = &self.log else {
            return String::new();
        };
        let text = std::fs::read(log).unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// A free loopback address for a worker's HTTP server.
pub fn free_http_addr() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

/// A value of the worker's `/metrics`, the sum over its label sets (None: unreachable).
pub fn metric(addr: std::net::SocketAddr, name: &str) -> Option<f64> {
    use std::io::{Read, Write};
    let mut s =
        std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .ok()?;
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    let mut total = None;
    for line in body.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        // `name{label="v",` matches the series whose labels start with those (the process's
        // `stage` label follows a metric's own).
        if !(rest.starts_with(' ') || rest.starts_with('{') || name.ends_with(',')) {
            continue;
        }
        let v: f64 = rest.rsplit(' ').next()?.parse().ok()?;
        *total.get_or_insert(0.0) += v;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::sources_of;

    #[test]
    fn binaries_are_checked_against_their_own_sources() {
        let normalizer = sources_of("reportflow-normalizer");
        for dir in [
            "crates/reportflow-normalizer",
            "crates/reportflow-core",
            "crates/reportflow-kafka",
            "crates/reportflow-proto",
            "proto",
        ] {
            assert!(normalizer.iter().any(|d| d == dir), "{dir}: {normalizer:?}");
        }
        // A sink is built from its own crate and the runtime, not from the workers.
        let sink = sources_of("reportflow-sink-postgres");
        assert!(sink.iter().any(|d| d == "crates/reportflow-sink-postgres"));
        assert!(sink.iter().any(|d| d == "crates/reportflow-kafka"));
        assert!(
            !sink.iter().any(|d| d == "crates/reportflow-normalizer"),
            "{sink:?}"
        );
        // The CLI embeds every stage and sink.
        let cli = sources_of("reportflow");
        for dir in [
            "crates/reportflow-cli",
            "crates/reportflow-extractor",
            "crates/reportflow-sink-parquet",
        ] {
            assert!(cli.iter().any(|d| d == dir), "{dir}: {cli:?}");
        }
    }
}
