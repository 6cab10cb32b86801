//! Repository checks that run under `cargo test` (rust-analyzer's `tidy` idea): the crate
//! graph of ARCHITECTURE.md and basic hygiene are tests, so CI needs no extra step.
//!
//! The checks themselves live in `tests/tidy.rs`; this library only locates the workspace.

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
