//! Full extraction (bytes → report) over the seed reports, repeated N times, for measuring
//! throughput per core with `perf stat` (CPU time is far less sensitive than wall time to
//! other load on a shared machine): `perf stat -e task-clock target/release/examples/throughput 50`.
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test_data/seeds");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .expect("seed directory")
        .map(|e| std::fs::read(e.expect("entry").path()).expect("seed"))
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
