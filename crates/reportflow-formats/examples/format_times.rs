//! Full extraction (format reading, decoding, normalization, analysis) of the five seeds as
//! plain text, GBK HTML page, DOCX and PDF, one thread, best of PASSES passes: documents per
//! second, MB/s of input bytes and the time per document relative to plain text. Run by
//! `scripts/bench-core.sh` next to the core's per-encoding figures:
//!
//! ```text
//! cargo run --release -p reportflow-formats --example format_times [PASSES]
//! ```
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds = root.join("../reportflow-core/test_data/seeds");
    let mut stems: Vec<String> = std::fs::read_dir(&seeds)
        .expect("seed directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    stems.sort();
    let extractor = reportflow_core::Extractor::default();
    println!("format  docs    MB  docs/s   MB/s  time per doc vs text");
    let mut text_secs = None;
    for (format, dir, ext) in [
        ("text", seeds.clone(), "txt"),
        ("html", root.join("test_data/html"), "html"),
        ("docx", root.join("test_data/docx"), "docx"),
        ("pdf", root.join("test_data/pdf"), "pdf"),
    ] {
        let inputs: Vec<Vec<u8>> = stems
            .iter()
            .map(|s| std::fs::read(dir.join(format!("{s}.{ext}"))).expect("fixture"))
            .collect();
        let bytes: usize = inputs.iter().map(Vec::len).sum();
        let mut best = f64::INFINITY;
        for _ in 0..passes {
            let t = Instant::now();
            for raw in &inputs {
                let result = reportflow_formats::extract(&extractor, raw, None, None);
                std::hint::black_box(result.is_ok());
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        let base = *text_secs.get_or_insert(best);
        println!(
            "{format:<6} {:>5} {:>5.2} {:>7.1} {:>6.1}  {:.1}x",
            inputs.len(),
            bytes as f64 / 1e6,
            inputs.len() as f64 / best,
            bytes as f64 / 1e6 / best,
            best / base
        );
    }
}
