//! Full extraction (bytes → report) over the seed reports (or every `.txt` file of DIR, e.g.
//! `test_data/dev`), repeated N times, for measuring throughput per core with `perf stat` or
//! `/usr/bin/time` (CPU time is far less sensitive than wall time to other load on a shared
//! machine): `perf stat -e task-clock target/release/examples/throughput 50 [DIR]`.
/// The allocator the workers and the `reportflow` command run the core with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let dir = std::env::args()
        .nth(2)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/seeds").to_string());
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("input directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| std::fs::read(p).expect("input file"))
        .collect();
    seeds.sort();
    let extractor = reportflow_core::Extractor::default();
    let bytes: usize = seeds.iter().map(Vec::len).sum();
    let start = std::time::Instant::now();
    let mut indicators = 0;
    for _ in 0..n {
        for s in &seeds {
            indicators += extractor.extract(s, None).map_or(0, |r| r.indicators.len());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{:.1} MB in {secs:.2} s wall: {:.1} MB/s wall; {indicators} indicators",
        (bytes * n) as f64 / 1e6,
        (bytes * n) as f64 / 1e6 / secs
    );
}
