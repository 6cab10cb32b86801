//! Prints the time each extraction stage takes over the seed reports (a profiling aid).
use std::time::Instant;

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/seeds");
    let seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    let total: usize = seeds.iter().map(Vec::len).sum();
    let ex = reportflow_core::Extractor::default();
    let n = 20;
    let texts: Vec<String> = seeds
        .iter()
        .map(|s| ex.normalize_bytes(s, None).unwrap().text)
        .collect();
    let t = Instant::now();
    for _ in 0..n {
        for s in &seeds {
            std::hint::black_box(reportflow_core::decode(s, None));
        }
    }
    let decode = t.elapsed().as_secs_f64() / n as f64;
    let t = Instant::now();
    for _ in 0..n {
        for s in &seeds {
            std::hint::black_box(ex.normalize_bytes(s, None).unwrap());
        }
    }
    let norm = t.elapsed().as_secs_f64() / n as f64;
    let t = Instant::now();
    for _ in 0..n {
        for s in &texts {
            std::hint::black_box(ex.analyze(s));
        }
    }
    let analyze = t.elapsed().as_secs_f64() / n as f64;
    let mb = total as f64 / 1e6;
    println!(
        "decode {:.1} MB/s, decode+normalize {:.1} MB/s, analyze {:.1} MB/s",
        mb / decode,
        mb / norm,
        mb / analyze
    );
}
