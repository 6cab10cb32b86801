//! One stage over the bench corpus, for instruction counts (`perf stat -e instructions:u`),
//! which other load on a shared machine does not disturb, unlike wall time:
//!
//! ```text
//! cargo build --release -p reportflow-core --example stage_probe
//! perf stat -e instructions:u target/release/examples/stage_probe analyze 1
//! ```
//!
//! STAGE is `setup` (corpus loading and the extractor alone: subtract it), `analyze`
//! (normalized text → metadata, sections, indicators), `utf8` or `gbk` (full extraction of the
//! corpus in that encoding), or `gbk-decode`.
mod common;
use common::corpus;

fn main() {
    let mut args = std::env::args().skip(1);
    let stage = args.next().unwrap_or_else(|| "analyze".into());
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let texts = corpus();
    let ex = reportflow_core::Extractor::default();
    // The analysis reads normalized text (kept as `String`s: no UTF-8 check per pass).
    let normalized: Vec<String> = match stage.as_str() {
        "analyze" => texts
            .iter()
            .map(|t| {
                ex.normalize_bytes(t.as_bytes(), None)
                    .expect("decodes")
                    .text
            })
            .collect(),
        _ => Vec::new(),
    };
    let inputs: Vec<Vec<u8>> = match stage.as_str() {
        "gbk" | "gbk-decode" => texts
            .iter()
            .map(|t| encoding_rs::GBK.encode(t).0.into_owned())
            .collect(),
        "utf8" => texts.iter().map(|t| t.clone().into_bytes()).collect(),
        _ => Vec::new(),
    };
    for _ in 0..passes {
        for t in &normalized {
            std::hint::black_box(ex.analyze(t));
        }
        for i in &inputs {
            if stage == "gbk-decode" {
                std::hint::black_box(reportflow_core::decode(i, None));
            } else {
                std::hint::black_box(ex.extract(i, None).ok());
            }
        }
    }
}
