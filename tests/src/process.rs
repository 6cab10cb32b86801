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

/// The path of the built binary `name`; panics with instructions when it is missing.
pub fn binary(name: &str) -> PathBuf {
    let path = bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "binary {} not found: run `cargo build --workspace --bins` first \
         (scripts/ci-e2e.sh does), or set {BIN_DIR_ENV}",
        path.display()
    );
    path
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
