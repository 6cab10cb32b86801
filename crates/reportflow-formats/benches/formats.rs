//! Throughput of every format path next to plain text: bytes → full extraction (format
//! reading, decoding, normalization, analysis) of each seed as text, HTML page, DOCX and PDF.
//! It lives here rather than in the core's bench because the core never depends on formats.
//!
//! `cargo bench -p reportflow-formats --bench formats`; criterion prints MB/s of raw input
//! (a PDF is larger than its text, so compare the times as well).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reportflow_core::Extractor;

fn bench(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let extractor = Extractor::default();
    let mut group = c.benchmark_group("extract_by_format");
    group.sample_size(10);
    let stems = ["000_efee8a99a23e30c8", "003_ceafcb46a5ccc8b5"];
    for stem in stems {
        let number = &stem[..3];
        let inputs = [
            (
                "text",
                root.join("../reportflow-core/test_data/seeds")
                    .join(format!("{stem}.txt")),
            ),
            (
                "html",
                root.join("test_data/html").join(format!("{stem}.html")),
            ),
            (
                "docx",
                root.join("test_data/docx").join(format!("{stem}.docx")),
            ),
            (
                "pdf",
                root.join("test_data/pdf").join(format!("{stem}.pdf")),
            ),
        ];
        for (format, path) in inputs {
            let raw = std::fs::read(&path).expect("fixture");
            group.throughput(Throughput::Bytes(raw.len() as u64));
            group.bench_with_input(BenchmarkId::new(format, number), &raw, |b, raw| {
                b.iter(|| reportflow_formats::extract(&extractor, black_box(raw), None, None))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
