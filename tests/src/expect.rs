//! What the pipeline must output, computed (never hard-coded) from the inputs: good documents
//! are run through `reportflow extract`, the offline twin of the two workers; inputs it rejects,
//! and inputs over the runtime's size limit, must come out as dead letters.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use reportflow_proto::v1;

use crate::data::Input;
use crate::process::binary;

/// The runtime's default `max_message_bytes` (key + value): larger inputs are dead-lettered
/// as `too_large` before any processing.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// A document the pipeline must process.
#[derive(Debug, Clone)]
pub struct Good {
    /// Names (record keys) of the inputs with these bytes (re-encodings can coincide).
    pub names: Vec<String>,
    /// `reportflow extract --format json --with-text` of the bytes.
    pub extraction: v1::Extraction,
}

/// An input the pipeline must dead-letter.
#[derive(Debug, Clone)]
pub struct Bad {
    /// The input.
    pub input: Input,
    /// Why it is expected in the dead-letter queue (`too_large`, or the CLI's error).
    pub reason: String,
}

/// The expected outcome of a set of inputs.
#[derive(Debug, Default)]
pub struct Expected {
    /// Good documents by doc_id.
    pub good: BTreeMap<String, Good>,
    /// Bad inputs by name (= record key).
    pub bad: BTreeMap<String, Bad>,
}

impl Expected {
    /// Runs `reportflow extract` on every input that fits the size limit (files written to
    /// `dir`) and sorts the inputs into good and bad.
    pub fn compute(inputs: &[Input], dir: &Path) -> Expected {
        let mut expected = Expected::default();
        let mut files = Vec::new();
        let mut by_path = BTreeMap::new();
        for input in inputs {
            if input.name.len() + input.bytes.len() > MAX_MESSAGE_BYTES {
                expected.bad.insert(
                    input.name.clone(),
                    Bad {
                        input: input.clone(),
                        reason: "too_large".into(),
                    },
                );
                continue;
            }
            let path = dir.join(&input.name);
            std::fs::write(&path, &input.bytes).expect("write input file");
            by_path.insert(path.display().to_string(), input);
            files.push(path);
        }
        let mut extracted = BTreeMap::new();
        let mut stderr = String::new();
        // Batches keep the command line short; one process per batch keeps it fast.
        for chunk in files.chunks(64) {
            let out = Command::new(binary("reportflow"))
                .args(["extract", "--format", "json", "--compact", "--with-text"])
                .args(chunk)
                .output()
                .expect("run reportflow extract");
            stderr.push_str(&String::from_utf8_lossy(&out.stderr));
            for line in String::from_utf8(out.stdout).expect("UTF-8 JSON").lines() {
                let x: v1::Extraction = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("reportflow extract printed bad JSON: {e}"));
                let key = x
                    .normalized
                    .as_ref()
                    .and_then(|n| n.source.as_ref())
                    .map(|s| s.key.clone())
                    .expect("the CLI records the file path as source key");
                extracted.insert(key, x);
            }
        }
        for (path, input) in by_path {
            match extracted.remove(&path) {
                Some(x) => {
                    let doc_id = reportflow_core::doc_id(&input.bytes);
                    let got = x.document.as_ref().map(|d| d.doc_id.clone());
                    assert_eq!(got.as_deref(), Some(doc_id.as_str()), "doc_id of {path}");
                    expected
                        .good
                        .entry(doc_id)
                        .or_insert_with(|| Good {
                            names: Vec::new(),
                            extraction: x,
                        })
                        .names
                        .push(input.name.clone());
                }
                None => {
                    let reason = stderr
                        .lines()
                        .find(|l| l.contains(&path))
                        .unwrap_or("rejected by reportflow extract")
                        .to_string();
                    expected.bad.insert(
                        input.name.clone(),
                        Bad {
                            input: input.clone(),
                            reason,
                        },
                    );
                }
            }
        }
        expected
    }

    /// Total number of distinct (document, indicator) facts expected.
    pub fn indicator_total(&self) -> usize {
        self.good
            .values()
            .map(|g| g.extraction.indicators.len())
            .sum()
    }
}

/// The document id of raw bytes (lowercase hex SHA-256), as the pipeline computes it.
pub fn doc_id(raw: &[u8]) -> String {
    reportflow_core::doc_id(raw)
}

/// The pipeline's outputs of one document, collected from the topics (duplicates removed).
#[derive(Debug, Default, Clone)]
pub struct Outputs {
    /// From `reports.normalized`.
    pub normalized: Option<v1::NormalizedReport>,
    /// From `reports.documents`.
    pub document: Option<v1::ReportDocument>,
    /// From `reports.sections`, by section_id.
    pub sections: BTreeMap<u32, v1::Section>,
    /// From `reports.indicators`, by indicator_id.
    pub indicators: BTreeMap<String, v1::Indicator>,
    /// Duplicates that differ from the first copy (must stay empty: outputs are deterministic).
    pub conflicts: Vec<String>,
}

impl Outputs {
    /// Whether every expected output has arrived.
    pub fn complete(&self, x: &v1::Extraction) -> bool {
        self.normalized.is_some()
            && self.document.is_some()
            && self.sections.len() >= x.sections.len()
            && self.indicators.len() >= x.indicators.len()
    }
}

/// Keeps the first copy; records a conflict when a later copy differs.
fn keep<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    map: &mut BTreeMap<K, V>,
    key: K,
    v: V,
    conflicts: &mut Vec<String>,
) {
    match map.get(&key) {
        Some(old) if *old != v => conflicts.push(format!("{key:?}: {old:?} vs {v:?}")),
        Some(_) => {}
        None => {
            map.insert(key, v);
        }
    }
}

/// Keeps the first copy of a one-per-document output; records a conflict when a later differs.
fn keep_one<V: PartialEq + std::fmt::Debug>(
    slot: &mut Option<V>,
    v: V,
    conflicts: &mut Vec<String>,
) {
    match slot {
        Some(old) if *old != v => conflicts.push(format!("{old:?} vs {v:?}")),
        Some(_) => {}
        None => *slot = Some(v),
    }
}

/// Adds a decoded normalized report to the per-document outputs.
pub fn collect_normalized(all: &mut BTreeMap<String, Outputs>, mut m: v1::NormalizedReport) {
    // Identical bytes published under two keys legitimately differ in `source` only.
    m.source = None;
    let o = all.entry(m.doc_id.clone()).or_default();
    keep_one(&mut o.normalized, m, &mut o.conflicts);
}

/// Adds a decoded document message.
pub fn collect_document(all: &mut BTreeMap<String, Outputs>, mut m: v1::ReportDocument) {
    m.source = None;
    let o = all.entry(m.doc_id.clone()).or_default();
    keep_one(&mut o.document, m, &mut o.conflicts);
}

/// Adds a decoded section message.
pub fn collect_section(all: &mut BTreeMap<String, Outputs>, m: v1::Section) {
    let o = all.entry(m.doc_id.clone()).or_default();
    keep(&mut o.sections, m.section_id, m, &mut o.conflicts);
}

/// Adds a decoded indicator message.
pub fn collect_indicator(all: &mut BTreeMap<String, Outputs>, m: v1::Indicator) {
    let o = all.entry(m.doc_id.clone()).or_default();
    keep(
        &mut o.indicators,
        m.indicator_id.clone(),
        m,
        &mut o.conflicts,
    );
}

/// Differences between the pipeline's outputs and `reportflow extract`'s for one document.
///
/// `source` is left out of the comparison on purpose: the CLI records the file path as the
/// source key, the pipeline the Kafka record key and headers. Everything else (doc_id, the
/// normalized text and encoding, metadata, counts, every section and indicator field) must be
/// equal.
pub fn differences(x: &v1::Extraction, got: &Outputs) -> Vec<String> {
    let mut diffs = got.conflicts.clone();
    let json = |v: &dyn erased::Json| v.json();
    match (&x.normalized, &got.normalized) {
        (Some(want), Some(have)) => {
            let (mut want, mut have) = (want.clone(), have.clone());
            want.source = None;
            have.source = None;
            if want != have {
                diffs.push(format!(
                    "normalized differs:\n  extract:  {}\n  pipeline: {}",
                    json(&want),
                    json(&have)
                ));
            }
        }
        (_, None) => diffs.push("no normalized report".into()),
        (None, Some(_)) => diffs.push("extract printed no normalized report".into()),
    }
    match (&x.document, &got.document) {
        (Some(want), Some(have)) => {
            let (mut want, mut have) = (want.clone(), have.clone());
            want.source = None;
            have.source = None;
            if want != have {
                diffs.push(format!(
                    "document differs:\n  extract:  {}\n  pipeline: {}",
                    json(&want),
                    json(&have)
                ));
            }
        }
        (_, None) => diffs.push("no document".into()),
        (None, Some(_)) => diffs.push("extract printed no document".into()),
    }
    let want_sections: BTreeMap<u32, &v1::Section> =
        x.sections.iter().map(|s| (s.section_id, s)).collect();
    if want_sections.len() != got.sections.len() {
        diffs.push(format!(
            "{} sections, expected {}",
            got.sections.len(),
            want_sections.len()
        ));
    }
    for (id, want) in &want_sections {
        match got.sections.get(id) {
            Some(have) if have == *want => {}
            Some(have) => diffs.push(format!(
                "section {id} differs:\n  extract:  {}\n  pipeline: {}",
                json(*want),
                json(have)
            )),
            None => diffs.push(format!("section {id} missing")),
        }
    }
    let want_indicators: BTreeMap<&str, &v1::Indicator> = x
        .indicators
        .iter()
        .map(|i| (i.indicator_id.as_str(), i))
        .collect();
    if want_indicators.len() != got.indicators.len() {
        diffs.push(format!(
            "{} indicators, expected {}",
            got.indicators.len(),
            want_indicators.len()
        ));
    }
    for (id, want) in &want_indicators {
        match got.indicators.get(*id) {
            Some(have) if have == *want => {}
            Some(have) => diffs.push(format!(
                "indicator {id} differs:\n  extract:  {}\n  pipeline: {}",
                json(*want),
                json(have)
            )),
            None => diffs.push(format!("indicator {id} missing")),
        }
    }
    diffs
}

/// Protobuf JSON of any message, for readable failure messages.
mod erased {
    /// A message that prints as protobuf JSON.
    pub trait Json {
        /// The JSON text (cut to 2000 characters).
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            let s = serde_json::to_string(self).unwrap_or_default();
            s.chars().take(2000).collect()
        }
    }
}
