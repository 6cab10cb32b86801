//! Scoring the extractor against hand-checked gold facts, shared by `gold.rs` (the seeds)
//! and `dev_gold.rs` (the development corpus).
//!
//! Same atoms as `tests/score-indicators.py` (see `test_data/gold/README.md`): a fact
//! becomes `(code, kind, value in base units)` and `(code, kind, yoy_pct)` atoms; precision
//! and recall are counted over distinct atoms per document, for taxonomy codes only. The
//! stricter line also requires the period.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use reportflow_core::{Extractor, Indicator, IndicatorKind};
use serde_json::Value;

/// (code, kind, period or empty, "value" | "yoy", number × 10⁴).
type Atom = (String, String, String, &'static str, i64);

/// Rounds to 4 decimals, as the scoring script does, and keeps an integer key.
fn key(x: f64) -> i64 {
    (x * 10_000.0).round() as i64
}

fn base_value(value: f64, unit: &str) -> f64 {
    for (prefix, m) in [("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3)] {
        if let Some(rest) = unit.strip_prefix(prefix) {
            if !rest.is_empty() {
                return value * m;
            }
        }
    }
    value
}

fn gold_atoms(fact: &Value, with_period: bool) -> Vec<Atom> {
    let code = fact["code"].as_str().unwrap_or_default().to_string();
    let kind = fact["kind"].as_str().unwrap_or("actual").to_string();
    let period = match with_period {
        true => fact["period"].as_str().unwrap_or("unknown").to_string(),
        false => String::new(),
    };
    let mut out = Vec::new();
    if let Some(v) = fact["value"].as_f64() {
        let unit = fact["unit"].as_str().unwrap_or_default();
        let v = key(base_value(v, unit));
        out.push((code.clone(), kind.clone(), period.clone(), "value", v));
    }
    if let Some(y) = fact["yoy_pct"].as_f64() {
        out.push((code, kind, period, "yoy", key(y)));
    }
    out
}

fn predicted_atoms(ind: &Indicator, with_period: bool) -> Vec<Atom> {
    let Some(code) = ind.code.clone() else {
        return Vec::new();
    };
    let kind = match ind.kind {
        IndicatorKind::Actual => "actual",
        IndicatorKind::Target => "target",
        IndicatorKind::Forecast => "forecast",
    }
    .to_string();
    let period = match with_period {
        true => ind.period.clone(),
        false => String::new(),
    };
    let mut out = Vec::new();
    if let Some(q) = &ind.quantity {
        let v = key(base_value(q.value, &q.unit));
        out.push((code.clone(), kind.clone(), period.clone(), "value", v));
    }
    if let Some(y) = ind.yoy_pct {
        out.push((code, kind, period, "yoy", key(y)));
    }
    out
}

/// Precision, recall and a listing of the differences.
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    /// `precision … recall … (tp fp fn)`.
    pub line: String,
    /// Every missed and extra atom.
    pub report: String,
}

/// Scores the documents of `gold` (by file name, read from `docs`).
pub fn score(
    extractor: &Extractor,
    docs: &Path,
    gold: &BTreeMap<String, Vec<Value>>,
    with_period: bool,
) -> Score {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut report = String::new();
    for (doc, facts) in gold {
        let expected: BTreeSet<Atom> = facts
            .iter()
            .flat_map(|f| gold_atoms(f, with_period))
            .collect();
        let raw = std::fs::read(docs.join(doc)).unwrap();
        let extracted = extractor.extract(&raw, None).unwrap();
        let predicted: BTreeSet<Atom> = extracted
            .indicators
            .iter()
            .flat_map(|i| predicted_atoms(i, with_period))
            .collect();
        tp += expected.intersection(&predicted).count();
        for a in expected.difference(&predicted) {
            fn_ += 1;
            report.push_str(&format!("  missed {doc} {a:?}\n"));
        }
        for a in predicted.difference(&expected) {
            fp += 1;
            let source = extracted
                .indicators
                .iter()
                .find(|i| predicted_atoms(i, with_period).contains(a))
                .map_or(String::new(), |i| i.quote.clone());
            report.push_str(&format!("  extra  {doc} {a:?} <- {source}\n"));
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    let line = format!("precision {precision:.3} recall {recall:.3} (tp {tp} fp {fp} fn {fn_})");
    Score {
        precision,
        recall,
        line,
        report,
    }
}

/// Gold facts of JSONL files, by document.
pub fn load_gold(files: &[std::path::PathBuf]) -> BTreeMap<String, Vec<Value>> {
    let mut gold: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let fact: Value = serde_json::from_str(line).unwrap();
            let doc = fact["doc"].as_str().unwrap().to_string();
            gold.entry(doc).or_default().push(fact);
        }
    }
    gold
}
