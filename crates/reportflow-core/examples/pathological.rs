//! Times extraction of adversarial inputs, one endless sentence each (no `。`), to show the
//! cost stays linear in the input: `cargo run --release -p reportflow-core --example pathological`.
fn main() {
    let extractor = reportflow_core::Extractor::default();
    let shapes: [(&str, &str); 5] = [
        ("metric and growth", "地区生产总值增长1%,"),
        ("time phrases", "2021年1-3季度增长1%,"),
        ("respectively list", "、1%"),
        ("continuations", "同比增长1%,两年平均增长2%,增速全市第一,"),
        ("digits without units", "1-3-5-7 2021 "),
    ];
    for (name, unit) in shapes {
        for mb in [1usize, 4] {
            let n = mb * 1_000_000 / unit.len();
            let text = format!("社会消费品零售总额分别为{}", unit.repeat(n));
            let t = std::time::Instant::now();
            let r = extractor
                .extract(text.as_bytes(), None)
                .map(|r| r.indicators.len());
            println!(
                "{name:<22} {mb} MB: {:?} indicators in {:.2} s",
                r,
                t.elapsed().as_secs_f64()
            );
        }
    }
}
