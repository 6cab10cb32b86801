//! Every seed report as an HTML page, a DOCX and a PDF (fixtures built by
//! `test_data/make_fixtures.py`) gives the same indicators as its plain-text version: same
//! code, kind, period, value and year-on-year growth. A difference fails the test and names
//! the seed, the format and the indicators that differ.

use std::path::PathBuf;

use reportflow_core::{Extractor, Indicator};
use reportflow_formats::Format;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn seeds() -> Vec<PathBuf> {
    let dir = root().join("../reportflow-core/test_data/seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 5, "five seeds in {}", dir.display());
    paths
}

/// What must agree across formats: code, kind, period, value (with unit) and y/y growth.
fn facts(indicators: &[Indicator]) -> Vec<String> {
    indicators
        .iter()
        .map(|i| {
            format!(
                "{} {:?} {} {:?} {:?} ({})",
                i.code.as_deref().unwrap_or("-"),
                i.kind,
                i.period,
                i.quantity,
                i.yoy_pct,
                i.metric
            )
        })
        .collect()
}

/// Lines of `a` missing from `b`, as a multiset difference.
fn missing(a: &[String], b: &[String]) -> Vec<String> {
    let mut b = b.to_vec();
    a.iter()
        .filter(|x| match b.iter().position(|y| y == *x) {
            Some(i) => {
                b.swap_remove(i);
                false
            }
            None => true,
        })
        .cloned()
        .collect()
}

fn check(format: Format, dir: &str, ext: &str, content_type: Option<&str>) {
    let extractor = Extractor::default();
    let mut failures = Vec::new();
    let mut checked = 0;
    for seed in seeds() {
        let stem = seed.file_stem().unwrap().to_string_lossy().into_owned();
        let fixture = root()
            .join("test_data")
            .join(dir)
            .join(format!("{stem}.{ext}"));
        let Ok(raw) = std::fs::read(&fixture) else {
            failures.push(format!("{stem}: missing fixture {}", fixture.display()));
            continue;
        };
        let text = extractor
            .extract(&std::fs::read(&seed).unwrap(), None)
            .expect("seed extracts");
        let (detected, report) =
            match reportflow_formats::extract(&extractor, &raw, content_type, None) {
                Ok(r) => r,
                Err(e) => {
                    failures.push(format!("{stem}.{ext}: rejected ({}): {e}", e.kind()));
                    continue;
                }
            };
        checked += 1;
        if detected != format {
            failures.push(format!("{stem}.{ext}: detected as {detected}"));
        }
        let want = facts(&text.indicators);
        let got = facts(&report.indicators);
        let lost = missing(&want, &got);
        let extra = missing(&got, &want);
        if !lost.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{stem}.{ext}: {} indicators as text, {} as {format}\n  only in text:\n    {}\n  only in {format}:\n    {}",
                want.len(),
                got.len(),
                lost.join("\n    "),
                extra.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{checked} {format} fixtures read; differences:\n{}",
        failures.join("\n")
    );
}

#[test]
fn html_pages_give_the_text_indicators() {
    check(Format::Html, "html", "html", Some("text/html"));
}

#[test]
fn html_pages_are_detected_without_a_content_type() {
    check(Format::Html, "html", "html", None);
}

#[test]
fn docx_files_give_the_text_indicators() {
    check(Format::Docx, "docx", "docx", None);
}

#[test]
fn pdf_files_give_the_text_indicators() {
    check(Format::Pdf, "pdf", "pdf", None);
}
