//! Throughput of each extraction stage over the bench corpus: the seeds and the whole
//! development corpus (`test_data/dev`), each re-encoded as UTF-8, GBK, GB18030 and UTF-16LE.
//! A profiling aid and the per-encoding figures of the README:
//!
//! ```text
//! cargo run --release -p reportflow-core --example stage_times [PASSES]
//! ```
//!
//! For each encoding it prints MB/s of input bytes (one thread, wall time, best of PASSES
//! passes, so other load on a shared machine disturbs it less) for decoding, decoding +
//! normalization, and the whole extraction, plus the analysis alone (normalized text →
//! metadata, sections, indicators) as MB/s of UTF-8 text.
use std::time::Instant;

use encoding_rs::{Encoding, GB18030, GBK, UTF_16LE};

mod common;
use common::corpus;

/// `text` in `encoding` (UTF-16LE without a BOM: encoding_rs encodes UTF-16 as UTF-8, so it is
/// written by hand).
fn encode(text: &str, encoding: &'static Encoding) -> Vec<u8> {
    if encoding == UTF_16LE {
        return text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    }
    encoding.encode(text).0.into_owned()
}

/// Best MB/s of `passes` passes of `f` over `inputs`.
fn best<T: AsRef<[u8]>>(passes: usize, inputs: &[T], mut f: impl FnMut(&[u8])) -> f64 {
    let bytes: usize = inputs.iter().map(|i| i.as_ref().len()).sum();
    let mut best = f64::INFINITY;
    for _ in 0..passes {
        let t = Instant::now();
        for i in inputs {
            f(i.as_ref());
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    bytes as f64 / 1e6 / best
}

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let texts = corpus();
    let ex = reportflow_core::Extractor::default();
    let normalized: Vec<String> = texts
        .iter()
        .map(|t| {
            ex.normalize_bytes(t.as_bytes(), None)
                .expect("corpus decodes")
                .text
        })
        .collect();
    let analyze = best(passes, &normalized, |t| {
        std::hint::black_box(ex.analyze(std::str::from_utf8(t).expect("UTF-8")));
    });
    println!(
        "{} reports, {:.2} MB as UTF-8; analysis alone {analyze:.1} MB/s of text",
        texts.len(),
        texts.iter().map(String::len).sum::<usize>() as f64 / 1e6
    );
    println!("encoding   MB  decode  +normalize  extract (MB/s of input bytes, one thread)");
    for (name, encoding) in [
        ("UTF-8", encoding_rs::UTF_8),
        ("GBK", GBK),
        ("GB18030", GB18030),
        ("UTF-16LE", UTF_16LE),
    ] {
        let inputs: Vec<Vec<u8>> = texts.iter().map(|t| encode(t, encoding)).collect();
        let mb = inputs.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
        let decode = best(passes, &inputs, |b| {
            std::hint::black_box(reportflow_core::decode(b, None));
        });
        let normalize = best(passes, &inputs, |b| {
            std::hint::black_box(ex.normalize_bytes(b, None).ok());
        });
        let extract = best(passes, &inputs, |b| {
            std::hint::black_box(ex.extract(b, None).ok());
        });
        println!("{name:<9} {mb:>4.2} {decode:>7.1} {normalize:>11.1} {extract:>8.1}");
    }
}
