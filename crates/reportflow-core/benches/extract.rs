//! Throughput of decoding and of the whole extraction over the seed reports, as UTF-8 and as
//! GBK (which goes through the statistical detector).
//!
//! `cargo bench -p reportflow-core --bench extract`; criterion prints MB/s for each input.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use encoding_rs::GBK;
use reportflow_core::{decode, Extractor};

/// The allocator the workers and the `reportflow` command run the core with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Input {
    /// Short name: the seed's number and the encoding, e.g. `000/gbk`.
    name: String,
    bytes: Vec<u8>,
}

/// Every seed as UTF-8 and as GBK.
fn inputs() -> Vec<Input> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    let mut inputs = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("seed is UTF-8");
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        let number = stem.split('_').next().unwrap_or(&stem).to_owned();
        inputs.push(Input {
            name: format!("{number}/gbk"),
            bytes: GBK.encode(&text).0.into_owned(),
        });
        inputs.push(Input {
            name: format!("{number}/utf8"),
            bytes: text.into_bytes(),
        });
    }
    inputs
}

fn bench_decode(c: &mut Criterion) {
    let inputs = inputs();
    let mut group = c.benchmark_group("decode");
    for input in &inputs {
        group.throughput(Throughput::Bytes(input.bytes.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(&input.name),
            &input.bytes,
            |b, bytes| b.iter(|| decode(black_box(bytes), None)),
        );
    }
    group.finish();
}

fn bench_extract(c: &mut Criterion) {
    let inputs = inputs();
    let extractor = Extractor::default();
    let mut group = c.benchmark_group("extract");
    for encoding in ["utf8", "gbk"] {
        let batch: Vec<&[u8]> = inputs
            .iter()
            .filter(|input| input.name.ends_with(encoding))
            .map(|input| input.bytes.as_slice())
            .collect();
        let total: usize = batch.iter().map(|bytes| bytes.len()).sum();
        group.throughput(Throughput::Bytes(total as u64));
        group.bench_with_input(
            BenchmarkId::new("all_seeds", encoding),
            &batch,
            |b, batch| {
                b.iter(|| {
                    for bytes in batch {
                        let _ = black_box(extractor.extract(black_box(bytes), None));
                    }
                })
            },
        );
    }
    group.finish();
}

/// One endless sentence (no `。`) with a figure every few characters: the cost must stay
/// linear in the input (it was quadratic once), so MB/s here should be close to the seeds'.
fn bench_adversarial(c: &mut Criterion) {
    let extractor = Extractor::default();
    let text = format!(
        "社会消费品零售总额{}",
        "同比增长1%,两年平均增长2%,".repeat(20_000)
    );
    let mut group = c.benchmark_group("adversarial");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    group.bench_function("one_sentence_many_figures", |b| {
        b.iter(|| extractor.extract(black_box(text.as_bytes()), None))
    });
    group.finish();
}

criterion_group!(benches, bench_decode, bench_extract, bench_adversarial);
criterion_main!(benches);
