//! Golden tests of the indicators of the five seed reports and of the development corpus:
//! every indicator, coded or not, as one reviewed line of a text snapshot, so that any
//! change in what the extractor reads shows up in review as a diff on real documents. The
//! gold scores (`gold.rs`, `dev_gold.rs`) check the headline metrics against hand-checked
//! facts; these snapshots pin everything else too (uncoded metrics, baselines, qualifiers,
//! ranks, quotes and spans).
//!
//! The dev documents of the gold test split (`test_data/gold/dev/SPLIT.md`) have no
//! snapshot: reviewing their output diff by diff would tune the extractor to them.

use std::fmt::Write;
use std::path::PathBuf;

use reportflow_core::{Extractor, Indicator};

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 5, "expected the five seed reports");
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy()[..3].to_string();
            (name, std::fs::read(&p).expect("seed bytes"))
        })
        .collect()
}

fn render(ind: &Indicator) -> String {
    let mut line = format!(
        "{} | {} | {:?} | {}",
        ind.code.as_deref().unwrap_or("-"),
        ind.metric,
        ind.kind,
        ind.period
    );
    if let Some(q) = &ind.quantity {
        let _ = write!(
            line,
            " | {}{} = {} {}",
            q.value, q.unit, q.base_value, q.base_unit
        );
    }
    if let Some(y) = ind.yoy_pct {
        let _ = write!(line, " | yoy {y}");
    }
    if let Some(o) = &ind.other_growth {
        let _ = write!(line, " | {} {}", o.basis, o.pct);
    }
    if let Some(pp) = ind.pp_change {
        let _ = write!(line, " | pp {pp}");
    }
    if let Some(q) = &ind.qualifier {
        let _ = write!(line, " | {q}");
    }
    if let Some(r) = &ind.rank {
        let _ = write!(line, " | rank {r}");
    }
    let _ = write!(
        line,
        "\n    § {} @{}..{} «{}»",
        ind.section.map_or("-".to_string(), |s| s.to_string()),
        ind.span.start,
        ind.span.end,
        ind.quote
    );
    line
}

/// The development corpus less the gold test split, as (file stem, bytes).
fn dev_documents() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let split = std::fs::read_to_string(root.join("gold/dev/SPLIT.md")).expect("SPLIT.md");
    let held_out: Vec<&str> = split.lines().filter_map(|l| l.strip_prefix("- ")).collect();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("dev"))
        .expect("dev corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter(|p| {
            !held_out
                .iter()
                .any(|h| p.file_stem().is_some_and(|s| s == *h))
        })
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 30,
        "the dev corpus: {} documents",
        paths.len()
    );
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("dev document bytes"))
        })
        .collect()
}

#[test]
fn indicators_of_each_dev_document() {
    check_and_snapshot(dev_documents(), "dev");
}

#[test]
fn indicators_of_each_seed() {
    check_and_snapshot(seeds(), "indicators");
}

fn check_and_snapshot(documents: Vec<(String, Vec<u8>)>, prefix: &str) {
    let extractor = Extractor::default();
    for (name, raw) in documents {
        let report = extractor.extract(&raw, None).expect("seed extracts");
        // Every quote is the text at its span, and every span lies in its section.
        for ind in &report.indicators {
            let at_span: String = report
                .text
                .chars()
                .skip(ind.span.start as usize)
                .take((ind.span.end - ind.span.start) as usize)
                .collect();
            assert_eq!(at_span, ind.quote, "{name}: span of {:?}", ind.metric);
            assert!(ind.quote.chars().count() <= 120, "{name}: long quote");
            if let Some(s) = ind.section {
                let section = &report.sections[s as usize];
                assert!(section.span.start <= ind.span.start && ind.span.start < section.span.end);
            }
        }
        let rendered: Vec<String> = report.indicators.iter().map(render).collect();
        insta::assert_snapshot!(format!("{prefix}_{name}"), rendered.join("\n"));
    }
}
