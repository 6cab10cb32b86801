//! The PDF reader comparison recorded in the crate README: for every seed PDF, the time each
//! candidate takes and how many of the text version's indicators (code, kind, period, value,
//! y/y) its text gives. Run in release:
//! `cargo run --release -p reportflow-formats --example pdf_compare`.

use std::path::PathBuf;
use std::time::Instant;

use reportflow_core::{EncodingInfo, Extractor, Indicator};

fn facts(indicators: &[Indicator]) -> Vec<String> {
    indicators
        .iter()
        .map(|i| {
            format!(
                "{:?} {:?} {} {:?} {:?}",
                i.code, i.kind, i.period, i.quantity, i.yoy_pct
            )
        })
        .collect()
}

/// How many of `want` are in `got` (multiset).
fn matched(want: &[String], got: &[String]) -> usize {
    let mut got = got.to_vec();
    want.iter()
        .filter(|w| match got.iter().position(|g| g == *w) {
            Some(i) => {
                got.swap_remove(i);
                true
            }
            None => false,
        })
        .count()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let extractor = Extractor::default();
    let info = EncodingInfo {
        encoding: "UTF-8",
        method: reportflow_core::DetectionMethod::Utf8,
        replacement_count: 0,
    };
    type Reader = fn(&[u8]) -> Result<String, String>;
    let readers: [(&str, Reader); 3] = [
        (
            "reportflow-formats (pdf-extract glyphs + own layout)",
            |raw| {
                reportflow_formats::convert(raw, None, None)
                    .map(|c| c.decoded.map(|d| d.text).unwrap_or_default())
                    .map_err(|e| e.to_string())
            },
        ),
        ("pdf-extract 0.12 extract_text_from_mem", |raw| {
            pdf_extract::extract_text_from_mem(raw).map_err(|e| e.to_string())
        }),
        ("lopdf 0.42 Document::extract_text", |raw| {
            let doc = pdf_extract::Document::load_mem(raw).map_err(|e| e.to_string())?;
            let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
            doc.extract_text(&pages).map_err(|e| e.to_string())
        }),
    ];
    println!("| reader | seed | ms | indicators matched |");
    println!("| --- | --- | ---: | ---: |");
    for (name, read) in readers {
        let (mut total_ms, mut total_match, mut total_want) = (0.0, 0, 0);
        for i in 0..5 {
            let seeds = root.join("../reportflow-core/test_data/seeds");
            let stem = std::fs::read_dir(&seeds)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(&format!("00{i}_"))
                })
                .unwrap();
            let text = std::fs::read(&stem).unwrap();
            let want = facts(&extractor.extract(&text, None).unwrap().indicators);
            let pdf = std::fs::read(
                root.join("test_data/pdf")
                    .join(stem.with_extension("pdf").file_name().unwrap()),
            )
            .unwrap();
            let started = Instant::now();
            let got = read(&pdf);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let got = match got {
                Ok(t) => extractor
                    .normalize_decoded(&pdf, &t, info.clone())
                    .map(|n| facts(&extractor.analyze(&n.text).indicators))
                    .unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            let m = matched(&want, &got);
            println!("| {name} | 00{i} | {ms:.0} | {m}/{} |", want.len());
            total_ms += ms;
            total_match += m;
            total_want += want.len();
        }
        println!("| {name} | all | {total_ms:.0} | {total_match}/{total_want} |");
    }
}
