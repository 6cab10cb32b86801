//! Scores the extractor against the blind gold of the development corpus
//! (`test_data/gold/dev/`, labelled without seeing the extractor's output), per split.
//!
//! The **test** split (`test_data/gold/dev/SPLIT.md`) is never tuned on: this test prints
//! only its score lines, never its missed or extra atoms. The train split's differences are
//! printed in full (`cargo test -p reportflow-core --test dev_gold -- --nocapture`), and
//! `scripts/score-dev.sh train --verbose` shows them through the shared scorer.
//!
//! The test split's floors are the generalization issue's targets (atoms precision 0.95 /
//! recall 0.85, with the period 0.90 / 0.80): the test fails below them. The train split's
//! are regression guards at the level reached so far.

mod scoring;

use std::path::{Path, PathBuf};

use reportflow_core::Extractor;

/// Minimum (precision, recall) of the test split: atoms, then atoms with the period.
const TEST_FLOOR: [(f64, f64); 2] = TARGET;
/// The same for the train split.
const TRAIN_FLOOR: [(f64, f64); 2] = [(0.99, 0.975), (0.975, 0.96)];
/// The targets, printed for comparison.
const TARGET: [(f64, f64); 2] = [(0.95, 0.85), (0.90, 0.80)];

#[test]
fn extractor_meets_the_dev_gold_floors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let gold_dir = root.join("gold").join("dev");
    let split = std::fs::read_to_string(gold_dir.join("SPLIT.md")).unwrap();
    let test_docs: Vec<&str> = split
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(str::trim)
        .collect();
    assert!(test_docs.len() >= 4, "the test split names {test_docs:?}");
    let (mut train, mut test): (Vec<PathBuf>, Vec<PathBuf>) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(&gold_dir).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "jsonl") {
            if test_docs.contains(&stem) {
                test.push(path);
            } else {
                train.push(path);
            }
        }
    }
    assert_eq!(test.len(), test_docs.len(), "every test document has gold");
    let extractor = Extractor::default();
    let docs = root.join("dev");
    let mut failures = Vec::new();
    for (name, files, floors, details) in [
        ("train", &train, TRAIN_FLOOR, true),
        ("test", &test, TEST_FLOOR, false),
    ] {
        let gold = scoring::load_gold(files);
        let facts: usize = gold.values().map(Vec::len).sum();
        for (i, with_period) in [false, true].into_iter().enumerate() {
            let s = scoring::score(&extractor, &docs, &gold, with_period);
            let label = if with_period { "atoms+period" } else { "atoms" };
            println!(
                "{name} ({} documents, {facts} facts) {label}: {} [floor {:?}, target {:?}]",
                gold.len(),
                s.line,
                floors[i],
                TARGET[i]
            );
            if details && !with_period {
                println!("{}", s.report);
            }
            if s.precision < floors[i].0 || s.recall < floors[i].1 {
                failures.push(format!("{name} {label}: {} below {:?}", s.line, floors[i]));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
