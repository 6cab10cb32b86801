//! `reportflow extract --format html` without a browser: every highlight of every seed and
//! development-corpus page is exactly its indicator's span, pages are self-contained and
//! small, and the command's usage errors, failures and name clashes.
//!
//! Failure messages name documents and indicator ordinals only, never extracted text: the
//! development corpus holds test documents whose extractions nobody reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn core_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reportflow-core/test_data")
}

fn txt_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

fn reportflow(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reportflow"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("runs the reportflow binary")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("review-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text block of a page read back: its plain text, and the text of the pieces of each
/// `data-q` id, in document order.
fn read_text_block(html: &str) -> (String, BTreeMap<usize, String>) {
    let open = "<div id=\"text\" lang=\"zh-CN\">";
    let start = html.find(open).expect("a text block") + open.len();
    let end = start + html[start..].find("</div>").expect("the text block ends");
    let block = &html[start..end];
    let mut plain = String::new();
    let mut pieces: BTreeMap<usize, String> = BTreeMap::new();
    let mut owners: Vec<usize> = Vec::new();
    let mut rest = block;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            let t = unescape(rest);
            for id in &owners {
                pieces.entry(*id).or_default().push_str(&t);
            }
            plain.push_str(&t);
            break;
        };
        let t = unescape(&rest[..lt]);
        for id in &owners {
            pieces.entry(*id).or_default().push_str(&t);
        }
        plain.push_str(&t);
        let gt = lt + rest[lt..].find('>').unwrap();
        let tag = &rest[lt..=gt];
        rest = &rest[gt + 1..];
        if tag.starts_with("</") {
            owners.clear();
        } else if let Some(a) = tag.find("data-q=\"") {
            let v = &tag[a + 8..];
            owners = v[..v.find('"').unwrap()]
                .split(' ')
                .map(|i| i.parse().unwrap())
                .collect();
        } else {
            owners.clear();
        }
    }
    (plain, pieces)
}

#[test]
fn every_highlight_is_the_exact_text_at_its_span_on_seeds_and_the_dev_corpus() {
    let mut files = txt_files(&core_data().join("seeds"));
    files.extend(txt_files(&core_data().join("dev")));
    assert!(files.len() > 30, "seeds and dev corpus: {}", files.len());
    let dir = scratch("spans");
    let mut args = vec!["extract", "--format", "html", "--out-dir", s(&dir)];
    args.extend(files.iter().map(|f| s(f)));
    let out = reportflow(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut args = vec!["extract", "--format", "json", "--with-text", "--compact"];
    args.extend(files.iter().map(|f| s(f)));
    let out = reportflow(&args);
    assert!(out.status.success());
    let extractions: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(extractions.len(), files.len());

    let mut checked = 0;
    let mut problems = Vec::new();
    for (file, x) in files.iter().zip(&extractions) {
        let name = file.file_name().unwrap().to_str().unwrap();
        let page = dir.join(format!("{name}.html"));
        let html = std::fs::read_to_string(&page).unwrap();
        let size = html.len();
        assert!(size < 2 * 1024 * 1024, "{name}: page of {size} bytes");
        let text = x["normalized"]["text"].as_str().unwrap();
        let chars: Vec<char> = text.chars().collect();
        let (plain, pieces) = read_text_block(&html);
        if plain != text {
            problems.push(format!(
                "{name}: the page's text is not the normalized text"
            ));
        }
        for (i, ind) in x["indicators"].as_array().unwrap().iter().enumerate() {
            let start = ind["span"]["start"].as_u64().unwrap_or(0) as usize;
            let end = ind["span"]["end"].as_u64().unwrap_or(0) as usize;
            let at_span: String = chars[start.min(chars.len())..end.min(chars.len())]
                .iter()
                .collect();
            let highlighted = pieces.get(&i).map_or("", String::as_str);
            if highlighted != at_span {
                problems.push(format!("{name}: indicator {i}: highlight is not its span"));
            }
            if highlighted != ind["quote"].as_str().unwrap_or_default() {
                problems.push(format!("{name}: indicator {i}: highlight is not its quote"));
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked > 1000, "only {checked} indicators checked");
}

#[test]
fn pages_are_self_contained() {
    let dir = scratch("self-contained");
    let seed = core_data().join("seeds/001_85ed7cce525b80c5.txt");
    let out = reportflow(&[
        "extract",
        "--format",
        "html",
        "--out-dir",
        s(&dir),
        s(&seed),
    ]);
    assert!(out.status.success());
    for name in ["001_85ed7cce525b80c5.txt.html", "index.html"] {
        let html = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        for external in [" src=", "http://", "https://", "@import", "url("] {
            assert!(
                !html.contains(external),
                "{name} refers to something outside: {external}"
            );
        }
    }
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(index.contains("href=\"001_85ed7cce525b80c5.txt.html\""));
}

#[test]
fn gold_mode_marks_missed_facts_and_scores_the_report() {
    let dir = scratch("gold");
    let seed = core_data().join("seeds/000_efee8a99a23e30c8.txt");
    // Gold made from the extraction itself (so the test does not depend on how well the
    // extractor does), less the fact of one indicator, plus a fact that is not extracted.
    let out = reportflow(&["extract", "--format", "jsonl", s(&seed)]);
    let indicators: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let coded: Vec<&Value> = indicators
        .iter()
        .filter(|i| i["code"].is_string())
        .collect();
    let kind = |i: &Value| {
        i["kind"]
            .as_str()
            .unwrap()
            .trim_start_matches("INDICATOR_KIND_")
            .to_lowercase()
    };
    let removed = coded
        .iter()
        .copied()
        .find(|i| {
            i["value"].is_number()
                && coded
                    .iter()
                    .filter(|j| j["code"] == i["code"] && kind(j) == kind(i))
                    .count()
                    == 1
        })
        .expect("an indicator alone with its code and kind");
    let mut lines: Vec<String> = coded
        .iter()
        .filter(|i| !std::ptr::eq(**i, removed))
        .map(|i| {
            serde_json::json!({
                "doc": "000_efee8a99a23e30c8.txt", "code": i["code"], "metric": i["metric"],
                "kind": kind(i), "period": i["period"], "value": i["value"], "unit": i["unit"],
                "yoy_pct": i["yoyPct"], "other_growth": null, "qualifier": null,
                "quote": i["quote"],
            })
            .to_string()
        })
        .collect();
    let first = removed;
    lines.push(
        r#"{"doc": "000_efee8a99a23e30c8.txt", "code": "gdp", "metric": "地区生产总值", "kind": "actual", "period": "2021H1", "value": 9999.5, "unit": "亿元", "yoy_pct": null, "other_growth": null, "qualifier": null, "quote": "区级收入55.6亿元"}"#
            .to_owned(),
    );
    let gold_file = dir.join("gold.jsonl");
    std::fs::write(&gold_file, lines.join("\n")).unwrap();
    let out = reportflow(&[
        "extract",
        "--format",
        "html",
        "--out-dir",
        s(&dir),
        "--gold",
        s(&gold_file),
        s(&seed),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("000_efee8a99a23e30c8.txt.html")).unwrap();
    // The added fact is missed, placed in the text; the removed one's indicator is extra.
    assert!(html.contains("<b id=\"g-missed\">1</b>"), "one missed fact");
    assert_eq!(html.matches("data-status=\"missed\"").count(), 1);
    assert!(html.contains("data-g=\"") && html.contains("<mark class=\"q k-actual f g\""));
    assert!(
        html.contains("<b id=\"g-extra\">1</b>"),
        "one extra indicator"
    );
    assert!(html.contains(&format!(
        "data-code=\"{}\"",
        first["code"].as_str().unwrap()
    )));
    assert!(html.contains("<span id=\"g-fn\">1</span>"));
    assert!(!html.contains("<b id=\"g-precision\">1.000</b>"));
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(index.contains("id=\"g-precision\""));

    // A document the gold does not cover says so.
    let other = core_data().join("seeds/001_85ed7cce525b80c5.txt");
    let out = reportflow(&[
        "extract",
        "--format",
        "html",
        "--out-dir",
        s(&dir),
        "--gold",
        s(&gold_file),
        s(&other),
    ]);
    assert!(out.status.success());
    let html = std::fs::read_to_string(dir.join("001_85ed7cce525b80c5.txt.html")).unwrap();
    assert!(html.contains("The gold files have no facts for this document."));
}

#[test]
fn usage_errors_failures_and_name_clashes() {
    let dir = scratch("errors");
    let seed = core_data().join("seeds/000_efee8a99a23e30c8.txt");
    let out = reportflow(&["extract", "--format", "html", s(&seed)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out-dir"));
    let out = reportflow(&["extract", "--gold", s(&seed), s(&seed)]);
    assert_eq!(out.status.code(), Some(2));

    // A gold file that is not gold is an error naming the line.
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"doc\": \"a\", \"code\": \"gdp\"}\nnot json\n").unwrap();
    let out = reportflow(&[
        "extract",
        "--format",
        "html",
        "--out-dir",
        s(&dir),
        "--gold",
        s(&bad),
        s(&seed),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.jsonl:2"));

    // An empty input fails, a file named like the index clashes; the rest is written and
    // the index lists the failures.
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let index_named = dir.join("index");
    std::fs::copy(&seed, &index_named).unwrap();
    let out_dir = dir.join("out");
    let out = reportflow(&[
        "extract",
        "--format",
        "html",
        "--out-dir",
        s(&out_dir),
        s(&empty),
        s(&index_named),
        s(&seed),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("empty.txt"), "{stderr}");
    assert!(
        stderr.contains("index.html was already written"),
        "{stderr}"
    );
    assert!(out_dir.join("000_efee8a99a23e30c8.txt.html").exists());
    let index = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert_eq!(index.matches("class=\"failed\"").count(), 2);
    assert_eq!(index.matches("<tr data-doc=").count(), 1);
}
