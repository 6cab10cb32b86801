//! Architecture boundaries and hygiene, checked on every `cargo test --workspace`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// What a crate must not depend on. `transitive` rules look through the whole normal
/// (non-dev, non-build) dependency graph; the others only at direct dependencies.
struct Rule {
    krate: &'static str,
    forbidden: &'static [&'static str],
    transitive: bool,
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        krate: "reportflow-core",
        forbidden: &[
            "tokio",
            "rdkafka",
            "rdkafka-sys",
            "prost",
            "serde_json",
            "tracing-subscriber",
            "reportflow-proto",
            "reportflow-kafka",
            "reportflow-cli",
            "reportflow-formats",
            "scraper",
            "html5ever",
            "quick-xml",
            "zip",
            "lopdf",
            "pdf-extract",
        ],
        transitive: true,
        why: "core is pure: bytes in, report out, no I/O, no wire format, no document formats",
    },
    Rule {
        krate: "reportflow-formats",
        forbidden: &[
            "tokio",
            "rdkafka",
            "rdkafka-sys",
            "prost",
            "reportflow-proto",
            "reportflow-kafka",
            "reportflow-cli",
        ],
        transitive: true,
        why: "the formats crate is pure: document bytes in, text out, over the core",
    },
    Rule {
        krate: "reportflow-proto",
        forbidden: &["tokio", "rdkafka", "rdkafka-sys"],
        transitive: true,
        why: "the schema crate does no I/O",
    },
    Rule {
        krate: "reportflow-kafka",
        forbidden: &["reportflow-core", "reportflow-proto"],
        transitive: true,
        why: "the runtime knows only bytes, keys, headers and offsets",
    },
    Rule {
        krate: "reportflow-normalizer",
        forbidden: &["regex", "aho-corasick"],
        transitive: false,
        why: "workers contain no extraction logic",
    },
    Rule {
        krate: "reportflow-extractor",
        forbidden: &["regex", "aho-corasick"],
        transitive: false,
        why: "workers contain no extraction logic",
    },
    Rule {
        krate: "reportflow-sink-postgres",
        forbidden: &["reportflow-core", "regex"],
        transitive: false,
        why: "sinks read the proto messages only",
    },
    Rule {
        krate: "reportflow-sink-parquet",
        forbidden: &["reportflow-core", "regex"],
        transitive: false,
        why: "sinks read the proto messages only",
    },
];

/// The host's target triple, as `rustc -vV` prints it.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// The resolved crate graph for the host platform. `--filter-platform` matters: without it
/// `cargo metadata` wants every platform's packages (android, windows, wasm), which a cache
/// filled by builds alone does not hold, so `--offline` fails on a fresh machine; and the
/// architecture rules are about the code this project builds, which is the host's.
fn metadata() -> Value {
    let host = host_triple();
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(xtask::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

#[test]
fn crate_graph_follows_architecture() {
    let meta = metadata();
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    // Normal dependencies of every package id.
    let mut deps: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let id = node["id"].as_str().unwrap();
        let normal = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null())
            })
            .map(|d| d["pkg"].as_str().unwrap())
            .collect();
        deps.insert(id, normal);
    }
    let mut violations = Vec::new();
    for rule in RULES {
        let Some((root, _)) = names.iter().find(|(_, n)| **n == rule.krate) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([(*root, 0usize)]);
        while let Some((id, depth)) = queue.pop_front() {
            for dep in deps.get(id).into_iter().flatten() {
                if !seen.insert(*dep) {
                    continue;
                }
                let name = names[dep];
                if rule.forbidden.contains(&name) {
                    violations.push(format!(
                        "{} depends on {name} (via {}): {}",
                        rule.krate, names[id], rule.why
                    ));
                }
                if rule.transitive {
                    queue.push_back((dep, depth + 1));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        // Build directories (`target`, and `target-*` beside it, which .gitignore keeps out).
        let name = name.to_string_lossy();
        if (path.is_dir() && name.starts_with("target")) || name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_file_is_documented_and_has_no_stubs() {
    let root = xtask::workspace_root();
    let mut files = Vec::new();
    for dir in ["crates", "tests", "xtask"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let rel = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        if !text.trim_start().starts_with("//!") {
            problems.push(format!("{rel}: does not start with a `//!` doc comment"));
        }
        // The patterns are split so that this file does not match itself.
        for stub in [
            concat!("todo", "!("),
            concat!("unimplemented", "!("),
            concat!("dbg", "!("),
        ] {
            if text.contains(stub) {
                problems.push(format!("{rel}: contains {stub}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The core's layout rule (issue "extraction that generalizes"): small modules named for
/// what they do, no source file over 600 lines.
#[test]
fn no_core_source_file_is_over_600_lines() {
    let root = xtask::workspace_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates/reportflow-core/src"), &mut files);
    assert!(files.len() > 20, "found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > 600).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "{}", long.join("\n"));
}

#[test]
fn every_crate_uses_workspace_lints() {
    let root = xtask::workspace_root();
    let mut manifests = vec![root.join("xtask/Cargo.toml"), root.join("tests/Cargo.toml")];
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        manifests.push(entry.path().join("Cargo.toml"));
    }
    let missing: Vec<String> = manifests
        .iter()
        .filter(|m| m.exists())
        .filter(|m| {
            let text = std::fs::read_to_string(m).unwrap_or_default();
            !text.contains("[lints]\nworkspace = true")
        })
        .map(|m| m.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "crates without `[lints] workspace = true`:\n{}",
        missing.join("\n")
    );
}
