//! End-to-end tests of `reportflow extract`: the real binary on the seed reports.
//!
//! These assert the shape of the output, not how many indicators are found (that is the
//! extractor's business and has its own golden tests).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reportflow-core/test_data/seeds")
}

fn seeds() -> Vec<PathBuf> {
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    assert!(
        !seeds.is_empty(),
        "no seed reports in {}",
        seeds_dir().display()
    );
    seeds
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_sha(path: &Path) -> String {
    sha256_hex(&std::fs::read(path).unwrap())
}

fn reportflow(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reportflow"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs the reportflow binary");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("extract-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// All JSON values in a stream of (pretty or compact) JSON objects.
fn json_stream(stdout: &[u8]) -> Vec<Value> {
    serde_json::Deserializer::from_slice(stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("stdout is a stream of JSON values")
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Checks one protobuf JSON indicator.
fn check_indicator(ind: &Value, doc_id: &str) {
    assert_eq!(ind["docId"], doc_id, "{ind}");
    assert!(is_hex(ind["indicatorId"].as_str().unwrap(), 32), "{ind}");
    assert!(
        ind["kind"].as_str().unwrap().starts_with("INDICATOR_KIND_"),
        "{ind}"
    );
    assert!(!ind["metric"].as_str().unwrap().is_empty(), "{ind}");
    assert!(!ind["quote"].as_str().unwrap().is_empty(), "{ind}");
    assert!(ind["span"].is_object(), "{ind}");
    assert!(ind.get("yoy_pct").is_none(), "JSON uses camelCase: {ind}");
    assert!(
        ind.get("value").is_some()
            || ind.get("yoyPct").is_some()
            || ind.get("ppChange").is_some()
            || ind.get("otherGrowth").is_some(),
        "an indicator states a value or a change: {ind}"
    );
}

/// Checks one `--format json` object for the file with this doc id.
fn check_extraction(obj: &Value, doc_id: &str) {
    let normalized = &obj["normalized"];
    assert_eq!(normalized["docId"], doc_id);
    assert!(normalized["encoding"]["name"].is_string(), "{normalized}");
    assert!(
        normalized["encoding"]["method"]
            .as_str()
            .unwrap()
            .starts_with("DETECTION_METHOD_"),
        "{normalized}"
    );
    assert!(
        normalized.get("text").is_none(),
        "text only with --with-text"
    );

    let document = &obj["document"];
    assert_eq!(document["docId"], doc_id);
    assert!(
        document["metadata"]["kind"]
            .as_str()
            .unwrap()
            .starts_with("REPORT_KIND_"),
        "{document}"
    );
    assert!(document["extractorVersion"]
        .as_str()
        .unwrap()
        .starts_with("reportflow-core/"));

    let sections = obj["sections"].as_array().expect("sections is an array");
    let indicators = obj["indicators"]
        .as_array()
        .expect("indicators is an array");
    assert_eq!(
        document["sectionCount"].as_u64().unwrap_or(0),
        sections.len() as u64
    );
    assert_eq!(
        document["indicatorCount"].as_u64().unwrap_or(0),
        indicators.len() as u64
    );
    for (i, sec) in sections.iter().enumerate() {
        assert_eq!(sec["docId"], doc_id);
        // proto3 JSON omits zero values, so section 0 has no `sectionId`.
        assert_eq!(sec["sectionId"].as_u64().unwrap_or(0), i as u64, "{sec}");
        assert!(sec["level"].as_u64().unwrap() >= 1, "{sec}");
        assert!(sec["span"].is_object(), "{sec}");
    }
    for ind in indicators {
        check_indicator(ind, doc_id);
    }
}

#[test]
fn json_prints_one_object_per_file() {
    let seeds = seeds();
    let args: Vec<&str> = ["extract", "--format", "json"]
        .into_iter()
        .chain(seeds.iter().map(|p| s(p)))
        .collect();
    let out = reportflow(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let objects = json_stream(&out.stdout);
    assert_eq!(objects.len(), seeds.len());
    for (obj, seed) in objects.iter().zip(&seeds) {
        check_extraction(obj, &file_sha(seed));
        assert_eq!(obj["normalized"]["source"]["key"], s(seed));
    }
}

#[test]
fn json_is_the_default_and_compact_is_one_line_per_file() {
    let seeds = seeds();
    let seed = s(&seeds[0]);
    let pretty = reportflow(&["extract", seed], None);
    assert!(pretty.status.success());
    let compact = reportflow(&["extract", "--compact", seed], None);
    assert!(compact.status.success());
    let text = String::from_utf8(compact.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    let a: Value = serde_json::from_slice(&pretty.stdout).unwrap();
    let b: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(a, b);
}

#[test]
fn output_is_deterministic() {
    let seeds = seeds();
    let seed = s(&seeds[1]);
    let a = reportflow(&["extract", "--with-text", seed], None);
    let b = reportflow(&["extract", "--with-text", seed], None);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn with_text_includes_the_text_all_spans_refer_to() {
    let seeds = seeds();
    let out = reportflow(&["extract", "--with-text", s(&seeds[0])], None);
    assert!(out.status.success());
    let obj: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = obj["normalized"]["text"].as_str().expect("text is present");
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(
        obj["document"]["textChars"].as_u64().unwrap(),
        chars.len() as u64
    );
    for ind in obj["indicators"].as_array().unwrap() {
        let start = ind["span"]["start"].as_u64().unwrap_or(0) as usize;
        let end = ind["span"]["end"].as_u64().unwrap_or(0) as usize;
        let quoted: String = chars[start..end].iter().collect();
        assert_eq!(quoted, ind["quote"].as_str().unwrap());
    }
}

#[test]
fn jsonl_prints_one_indicator_per_line() {
    let seeds = seeds();
    let args: Vec<&str> = ["extract", "--format", "jsonl"]
        .into_iter()
        .chain(seeds.iter().map(|p| s(p)))
        .collect();
    let out = reportflow(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc_ids: Vec<String> = seeds.iter().map(|p| file_sha(p)).collect();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        let ind: Value = serde_json::from_str(line).expect("each line is JSON");
        let doc_id = ind["docId"].as_str().unwrap().to_owned();
        assert!(doc_ids.contains(&doc_id), "{line}");
        check_indicator(&ind, &doc_id);
    }
}

#[test]
fn text_prints_a_summary_per_file() {
    let seeds = seeds();
    let out = reportflow(&["extract", "-f", "text", s(&seeds[0]), s(&seeds[2])], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for seed in [&seeds[0], &seeds[2]] {
        assert!(text.contains(&format!("== {}", s(seed))), "{text}");
        assert!(text.contains(&file_sha(seed)), "{text}");
    }
    for label in [
        "title ",
        "region ",
        "kind ",
        "date ",
        "speaker ",
        "sections (",
        "indicators (",
    ] {
        assert!(text.contains(label), "{label} missing in {text}");
    }
}

#[test]
fn bad_files_are_reported_and_the_others_still_printed() {
    let dir = scratch("bad-files");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.join("missing.txt");
    let seeds = seeds();
    let good = &seeds[0];

    let out = reportflow(&["extract", s(&missing), s(good), s(&empty)], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("error: {}: ", s(&missing))),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {}: empty input", s(&empty))),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    let objects = json_stream(&out.stdout);
    assert_eq!(objects.len(), 1);
    check_extraction(&objects[0], &file_sha(good));
}

#[test]
fn a_directory_or_binary_noise_is_an_error_too() {
    let dir = scratch("noise");
    let noise = dir.join("noise.bin");
    // Bytes no text encoding makes sense of.
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i * 7919 % 251) as u8 | 0x80)
        .collect();
    std::fs::write(&noise, &bytes).unwrap();
    let out = reportflow(&["extract", "-f", "jsonl", s(&dir)], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with(&format!("error: {}: ", s(&dir))));
    // Noise either fails cleanly or yields a (possibly empty) result: never a crash.
    let out = reportflow(&["extract", s(&noise)], None);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
}

#[test]
fn stdin_is_read_without_files_or_with_dash() {
    let seeds = seeds();
    let bytes = std::fs::read(&seeds[3]).unwrap();
    let doc_id = sha256_hex(&bytes);
    for args in [&["extract"][..], &["extract", "-"][..]] {
        let out = reportflow(args, Some(&bytes));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let obj: Value = serde_json::from_slice(&out.stdout).unwrap();
        check_extraction(&obj, &doc_id);
    }
    let out = reportflow(&["extract"], Some(b""));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: <stdin>: empty input"));
}

#[test]
fn out_dir_writes_one_jsonl_file_per_input() {
    let dir = scratch("out-dir");
    let out_dir = dir.join("pred");
    let seeds = seeds();
    let missing = dir.join("missing.txt");
    let mut args = vec!["extract", "--out-dir", s(&out_dir), s(&missing)];
    args.extend(seeds.iter().map(|p| s(p)));
    let out = reportflow(&args, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));
    for seed in &seeds {
        let name = format!("{}.jsonl", seed.file_name().unwrap().to_str().unwrap());
        let path = out_dir.join(&name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let doc_id = file_sha(seed);
        for line in text.lines() {
            check_indicator(&serde_json::from_str(line).unwrap(), &doc_id);
        }
    }
    assert!(!out_dir.join("missing.txt.jsonl").exists());
}

#[test]
fn usage_errors_exit_with_2() {
    let out = reportflow(&["extract", "--format", "xml", "x.txt"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out.stderr.is_empty());
    let out = reportflow(&["no-such-command"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = reportflow(&["extract", "--help"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("--format"));
}
