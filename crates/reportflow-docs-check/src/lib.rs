//! Docs-versus-code check: the operations documentation and the deployment files may only name
//! metrics, `REPORTFLOW_*` environment variables and config keys that exist in the code, and
//! every metric the code registers and every config key it reads must be documented in
//! `docs/operations.md`.
//!
//! What is checked (all by plain string search, no parsing of Rust):
//!
//! - **Metrics named in docs** (`docs/operations.md`, `README.md`, every text file under
//!   `deploy/`): each `reportflow_*` token (crate paths such as `reportflow_kafka` excluded,
//!   histogram suffixes `_bucket`, `_sum`, `_count` stripped) must be a string literal
//!   (`"reportflow_…"`) in the Rust source under `crates/`.
//! - **Environment variables named in docs**: `REPORTFLOW_<KEY>` must be a top-level config
//!   key (a field of `RawConfig` in `crates/reportflow-kafka/src/config/keys.rs`) or appear
//!   literally in the source (e.g. `REPORTFLOW_DATABASE_URL` read by a binary);
//!   `REPORTFLOW_<TABLE>__<NAME>` needs `<table>` to be a table of `RawConfig`, and for
//!   `TOPICS__<NAME>` the logical name as a string literal.
//! - **Config keys named in docs**: `key = …` lines of ```` ```toml ```` blocks must be
//!   `RawConfig` fields (tables: `[kafka]`, `[kafka_consumer]`, `[kafka_producer]`,
//!   `[topics]`, and the sinks' `[sink]`, whose keys must occur in the code); every
//!   backticked `snake_case` word of `docs/operations.md` must occur as a whole word in
//!   `crates/` or `proto/` (so invented keys, fields and labels fail).
//! - **Dead-letter headers** (`reportflow.error.*`, `reportflow.source.*`, `reportflow.worker`,
//!   `reportflow.dlq.*`) named in docs must be string literals in the source.
//! - **Reverse**: every metric registered in non-test source under `crates/*/src` and every
//!   `RawConfig` field must be named in `docs/operations.md`.
//!
//! This crate's own files are never part of "the code", so a name written here proves nothing.
//! Run with `cargo test -p reportflow-docs-check`, or without Cargo:
//! `rustc --edition 2021 --test crates/reportflow-docs-check/src/lib.rs -o /tmp/docs-check &&
//! /tmp/docs-check` from the repository root.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The repository root: two levels above this crate's manifest under Cargo, else the
/// `DOCS_CHECK_ROOT` variable, else the current directory.
pub fn repo_root() -> PathBuf {
    if let Some(dir) = option_env!("CARGO_MANIFEST_DIR") {
        let dir = Path::new(dir);
        if let Some(root) = dir.parent().and_then(Path::parent) {
            return root.to_path_buf();
        }
    }
    std::env::var_os("DOCS_CHECK_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Directory name of this crate (excluded from "the code").
const SELF_DIR: &str = "reportflow-docs-check";

/// Every file under `dir` (recursively) whose name passes `keep`, skipping `target*`, hidden
/// directories and this crate.
fn files(dir: &Path, keep: &dyn Fn(&Path) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("target") || name == SELF_DIR {
            continue;
        }
        if path.is_dir() {
            files(&path, keep, out);
        } else if keep(&path) {
            out.push(path);
        }
    }
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.contains(&e))
}

/// The code: Rust, TOML and proto sources under `crates/`, `proto/` and `tests/` (not this
/// crate).
#[derive(Debug)]
pub struct Code {
    /// Rust sources (path, text).
    pub rust: Vec<(PathBuf, String)>,
    /// Everything: Rust, TOML and proto text concatenated.
    pub all: String,
    /// Names of the workspace's crates with `-` turned into `_` (they are not metrics).
    pub crate_idents: BTreeSet<String>,
    /// Top-level config keys: the fields of `RawConfig`.
    pub config_keys: BTreeSet<String>,
}

/// A documentation or deployment file, with the text that is checked.
#[derive(Debug)]
pub struct Doc {
    /// Path relative to the repository root.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// Reads the code of the repository at `root`.
pub fn read_code(root: &Path) -> Code {
    let mut paths = Vec::new();
    files(
        &root.join("crates"),
        &|p| has_ext(p, &["rs", "toml", "proto"]),
        &mut paths,
    );
    files(&root.join("proto"), &|p| has_ext(p, &["proto"]), &mut paths);
    // The end-to-end test crate reads a few `REPORTFLOW_E2E_*` variables a README may name.
    files(
        &root.join("tests"),
        &|p| has_ext(p, &["rs", "toml"]),
        &mut paths,
    );
    let mut rust = Vec::new();
    let mut all = String::new();
    let mut crate_idents = BTreeSet::new();
    for path in paths {
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        all.push_str(&text);
        all.push('\n');
        if path.file_name().is_some_and(|n| n == "Cargo.toml") {
            if let Some(name) = package_name(&text) {
                crate_idents.insert(name.replace('-', "_"));
            }
        }
        if has_ext(&path, &["rs"]) {
            rust.push((path, text));
        }
    }
    for manifest in ["tests/Cargo.toml", "xtask/Cargo.toml", "Cargo.toml"] {
        if let Some(name) = fs::read_to_string(root.join(manifest))
            .ok()
            .as_deref()
            .and_then(package_name)
        {
            crate_idents.insert(name.replace('-', "_"));
        }
    }
    crate_idents.insert(SELF_DIR.replace('-', "_"));
    let config_rs = fs::read_to_string(root.join("crates/reportflow-kafka/src/config/keys.rs"))
        .unwrap_or_default();
    let config_keys = raw_config_fields(&config_rs);
    Code {
        rust,
        all,
        crate_idents,
        config_keys,
    }
}

/// `name = "…"` of a manifest's `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?;
    let line = package
        .lines()
        .find(|l| l.trim_start().starts_with("name") && l.contains('='))?;
    Some(line.split('=').nth(1)?.trim().trim_matches('"').to_string())
}

/// The `pub <field>:` names of `pub struct RawConfig { … }`.
pub fn raw_config_fields(config_rs: &str) -> BTreeSet<String> {
    let Some(start) = config_rs.find("pub struct RawConfig") else {
        return BTreeSet::new();
    };
    let body = &config_rs[start..];
    let end = body.find("\n}").unwrap_or(body.len());
    body[..end]
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split_once(':'))
        .map(|(name, _)| name.trim().to_string())
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

/// `docs/operations.md`, `README.md` and every text file under `deploy/`.
pub fn read_docs(root: &Path) -> Vec<Doc> {
    let mut paths = vec![root.join("docs/operations.md"), root.join("README.md")];
    files(&root.join("deploy"), &|_| true, &mut paths);
    paths
        .into_iter()
        .filter_map(|p| {
            let text = fs::read_to_string(&p).ok()?;
            let path = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            Some(Doc { path, text })
        })
        .collect()
}

/// Tokens of `text` that start with `prefix` (at a word boundary) and continue with chars
/// accepted by `cont`; returns (token, text right after it).
fn tokens<'a>(text: &'a str, prefix: &str, cont: fn(char) -> bool) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find(prefix) {
        let start = from + i;
        let boundary_ok = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        let mut end = start + prefix.len();
        for c in text[end..].chars() {
            if cont(c) {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        if boundary_ok {
            out.push((&text[start..end], &text[end..]));
        }
        from = end.max(start + 1);
    }
    out
}

fn is_snake(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
}

fn is_env(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'
}

/// Whether `word` occurs in `haystack` with no identifier character on either side.
fn has_word(haystack: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    haystack.match_indices(word).any(|(i, _)| {
        let before = haystack[..i].chars().next_back();
        let after = haystack[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// Metric names (`reportflow_*`) mentioned in `text`, histogram series suffixes stripped.
pub fn metrics_in(text: &str, code: &Code) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (tok, rest) in tokens(text, "reportflow_", is_snake) {
        let tok = tok.trim_end_matches('_');
        if rest.starts_with("::") || rest.starts_with('-') || code.crate_idents.contains(tok) {
            continue;
        }
        let base = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| tok.strip_suffix(s))
            .unwrap_or(tok);
        out.insert(base.to_string());
    }
    out
}

/// Metric names registered in non-test Rust source under `crates/*/src`: string literals that
/// are exactly a `reportflow_*` name (crate names excluded), before any `#[cfg(test)]`.
pub fn registered_metrics(code: &Code) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, text) in &code.rust {
        let in_src = path.components().any(|c| c.as_os_str() == "src");
        if !in_src {
            continue;
        }
        let text = text.split("#[cfg(test)]").next().unwrap_or(text);
        for (tok, rest) in tokens(text, "\"reportflow_", is_snake) {
            let name = &tok[1..];
            if rest.starts_with('"') && !code.crate_idents.contains(name) {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// A problem found by [`check`].
pub type Problems = Vec<String>;

/// Runs every check on the repository at `root`.
pub fn check(root: &Path) -> Problems {
    let code = read_code(root);
    let docs = read_docs(root);
    let mut problems = Vec::new();
    if code.config_keys.len() < 5 {
        problems.push(format!(
            "found only {:?} as RawConfig fields in crates/reportflow-kafka/src/config/keys.rs",
            code.config_keys
        ));
    }
    let quoted = |s: &str| code.all.contains(&format!("\"{s}\""));

    for doc in &docs {
        let p = &doc.path;
        for metric in metrics_in(&doc.text, &code) {
            if !quoted(&metric) {
                problems.push(format!(
                    "{p}: metric `{metric}` is not registered in the code (no \"{metric}\" under crates/)"
                ));
            }
        }
        for (tok, _) in tokens(&doc.text, "REPORTFLOW_", is_env) {
            let name = tok.trim_end_matches('_');
            let rest = &name["REPORTFLOW".len()..].trim_start_matches('_');
            if rest.is_empty() {
                continue; // `REPORTFLOW_<KEY>`, `REPORTFLOW_*`: the prefix itself
            }
            if let Some(i) = tok.find("__") {
                let table_prefix = &tok["REPORTFLOW_".len()..i + 2];
                let table = table_prefix.trim_end_matches('_').to_ascii_lowercase();
                if !code.config_keys.contains(&table) {
                    problems.push(format!(
                        "{p}: `{tok}`: the code maps no `REPORTFLOW_{table_prefix}<NAME>` variables"
                    ));
                }
                let item = tok[i + 2..].trim_end_matches('_').to_ascii_lowercase();
                if table_prefix == "TOPICS__" && !item.is_empty() && !quoted(&item) {
                    problems.push(format!(
                        "{p}: `{tok}`: no worker reads the output topic name \"{item}\""
                    ));
                }
                continue;
            }
            let key = rest.to_ascii_lowercase();
            if !code.config_keys.contains(&key) && !code.all.contains(name) {
                problems.push(format!(
                    "{p}: `{name}` is neither a config key (`{key}` in RawConfig) nor read anywhere in crates/"
                ));
            }
        }
        for (tok, _) in tokens(&doc.text, "reportflow.", |c| is_snake(c) || c == '.') {
            let tok = tok.trim_end_matches('.');
            let header = ["error", "source", "dlq", "worker"]
                .iter()
                .any(|h| tok.starts_with(&format!("reportflow.{h}")));
            if header && !quoted(tok) {
                problems.push(format!("{p}: header `{tok}` is not written by the code"));
            }
        }
        if p.ends_with(".md") {
            problems.extend(check_toml_blocks(p, &doc.text, &code));
        }
        if p == "docs/operations.md" {
            for (tok, rest) in tokens(&doc.text, "`", is_snake) {
                let word = &tok[1..];
                let looks_like_key = rest.starts_with('`')
                    && word.contains('_')
                    && word.starts_with(|c: char| c.is_ascii_lowercase())
                    && !word.ends_with('_');
                if looks_like_key && !has_word(&code.all, word) {
                    problems.push(format!(
                        "{p}: `{word}` occurs nowhere in crates/ or proto/ (invented key, field or label?)"
                    ));
                }
            }
        }
    }

    let ops = docs
        .iter()
        .find(|d| d.path == "docs/operations.md")
        .map(|d| d.text.as_str());
    let Some(ops) = ops else {
        problems.push("docs/operations.md is missing".into());
        return problems;
    };
    let registered = registered_metrics(&code);
    if registered.len() < 5 {
        problems.push(format!(
            "found only {registered:?} as registered metrics under crates/*/src"
        ));
    }
    for metric in &registered {
        if !has_word(ops, metric) {
            problems.push(format!(
                "docs/operations.md: metric `{metric}` (registered in the code) is not documented"
            ));
        }
    }
    for key in &code.config_keys {
        if !has_word(ops, key) {
            problems.push(format!(
                "docs/operations.md: config key `{key}` (RawConfig) is not documented"
            ));
        }
    }
    problems
}

/// Checks the `key = value` lines and `[table]` headers of the ```` ```toml ```` blocks.
fn check_toml_blocks(path: &str, text: &str, code: &Code) -> Problems {
    // `[sink]` is read by the sinks (`reportflow_kafka::sink`), not by `RawConfig`.
    let tables = [
        "kafka",
        "kafka_consumer",
        "kafka_producer",
        "topics",
        "sink",
    ];
    let mut problems = Vec::new();
    let mut in_toml = false;
    let mut table: Option<String> = None;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_toml = !in_toml && t == "```toml";
            table = None;
            continue;
        }
        if !in_toml || t.starts_with('#') || t.is_empty() {
            continue;
        }
        if let Some(name) = t.strip_prefix('[').and_then(|s| s.split(']').next()) {
            if !tables.contains(&name) || (name != "sink" && !code.config_keys.contains(name)) {
                problems.push(format!(
                    "{path}: TOML table `[{name}]` is not a config table"
                ));
            }
            table = Some(name.to_string());
            continue;
        }
        let Some((key, _)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim().trim_matches('"');
        match table.as_deref() {
            None if !code.config_keys.contains(key) => {
                problems.push(format!(
                    "{path}: TOML key `{key}` is not a config key (RawConfig)"
                ));
            }
            Some("sink") if !has_word(&code.all, key) => {
                problems.push(format!("{path}: `[sink] {key}` is read by no sink"));
            }
            Some("topics") if !code.all.contains(&format!("\"{key}\"")) => {
                problems.push(format!("{path}: `[topics] {key}` is read by no worker"));
            }
            _ => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_and_deploy_name_only_what_the_code_has_and_document_all_of_it() {
        let root = repo_root();
        let problems = check(&root);
        assert!(
            problems.is_empty(),
            "docs and code disagree ({} problems; fix the docs, or the code they describe):\n  - {}",
            problems.len(),
            problems.join("\n  - ")
        );
    }

    #[test]
    fn extraction_rules() {
        let code = Code {
            rust: vec![(
                PathBuf::from("crates/x/src/m.rs"),
                "let c = Opts::new(\"reportflow_a_total\", \"\"); use reportflow_kafka::run;\n#[cfg(test)]\n\"reportflow_only_in_tests\"".into(),
            )],
            all: String::new(),
            crate_idents: BTreeSet::from(["reportflow_kafka".to_string()]),
            config_keys: BTreeSet::new(),
        };
        let text = "see `reportflow_a_total`, reportflow_h_seconds_bucket{le=\"1\"}, \
                    reportflow_kafka::run and reportflow_kafka, reportflow-cli";
        assert_eq!(
            metrics_in(text, &code),
            BTreeSet::from(["reportflow_a_total".into(), "reportflow_h_seconds".into()])
        );
        assert_eq!(
            registered_metrics(&code),
            BTreeSet::from(["reportflow_a_total".to_string()])
        );
        assert!(has_word("a commit_interval_ms b", "commit_interval_ms"));
        assert!(!has_word("commit_interval_ms", "commit_interval"));
        let fields = raw_config_fields(
            "pub struct RawConfig {\n    /// x\n    pub brokers: Option<String>,\n    #[serde(default)]\n    pub kafka: Option<X>,\n}\npub struct Other {\n    pub nope: u8,\n}",
        );
        assert_eq!(fields, BTreeSet::from(["brokers".into(), "kafka".into()]));
    }
}
