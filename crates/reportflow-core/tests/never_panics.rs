//! Whatever bytes and charset hint arrive, `Extractor::extract` returns (`Ok` or `Err`) and
//! never panics: one poisoned message must not take down a consumer.
//!
//! Each test builds its [`Extractor`] once and runs a few hundred generated cases against it.

use std::path::PathBuf;
use std::sync::OnceLock;

use encoding_rs::{BIG5, GBK};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use reportflow_core::Extractor;

const CASES: u32 = 256;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // A failure must reproduce from its seed printed in the report, not from files that
        // a run left behind.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("seed directory")
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .collect();
        paths.sort();
        let seeds: Vec<String> = paths
            .iter()
            .map(|path| std::fs::read_to_string(path).expect("seed is UTF-8"))
            .collect();
        assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
        seeds
    })
}

/// A charset hint: none, a real label (right or wrong for the bytes), or any string.
fn hint() -> impl Strategy<Value = Option<String>> {
    const LABELS: &[&str] = &[
        "utf-8",
        "UTF-8",
        "gbk",
        "GB2312",
        "gb18030",
        "big5",
        "utf-16le",
        "utf-16be",
        "utf-16",
        "shift_jis",
        "euc-kr",
        "latin1",
        "windows-1252",
        "x-user-defined",
        "iso-2022-jp",
        "iso-2022-kr",
        "koi8-r",
    ];
    prop_oneof![
        3 => Just(None),
        3 => proptest::sample::select(LABELS).prop_map(|label| Some(label.to_owned())),
        1 => any::<String>().prop_map(Some),
    ]
}

/// A slice of a seed report, cut at character boundaries.
fn seed_fragment() -> impl Strategy<Value = String> {
    (any::<Index>(), any::<Index>(), 1..600usize).prop_map(|(which, start, length)| {
        let seed = which.get(seeds());
        let chars: Vec<char> = seed.chars().collect();
        let start = start.index(chars.len());
        chars.iter().skip(start).take(length).collect()
    })
}

/// One piece of a synthetic report, as bytes.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    const PUNCTUATION: &[&str] = &[
        "，",
        "。",
        "、",
        "；",
        "：",
        "（",
        "）",
        "《",
        "》",
        "“",
        "”",
        "％",
        "—",
        "\u{3000}",
        "\n",
        "\r\n",
        "%",
        ".",
        "亿元",
        "万人",
        "同比增长",
        "下降",
        "个百分点",
        "一、",
        "（二）",
        "3.",
    ];
    prop_oneof![
        4 => seed_fragment().prop_map(String::into_bytes),
        2 => "[0-9]{1,6}(\\.[0-9]{1,3})?".prop_map(String::into_bytes),
        2 => proptest::sample::select(PUNCTUATION).prop_map(|p| p.as_bytes().to_vec()),
        1 => vec(any::<u8>(), 1..8),
    ]
}

/// Pieces joined and then encoded in one of the encodings the pipeline meets (the random
/// bytes inside stay as they are).
fn synthetic_report() -> impl Strategy<Value = Vec<u8>> {
    (vec(piece(), 0..24), 0..5u8).prop_map(|(pieces, encoding)| {
        let bytes = pieces.concat();
        let text = String::from_utf8_lossy(&bytes);
        match encoding {
            0 => bytes,
            1 => GBK.encode(&text).0.into_owned(),
            2 => BIG5.encode(&text).0.into_owned(),
            3 => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            _ => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    })
}

#[test]
fn arbitrary_bytes_never_panic() {
    let extractor = Extractor::default();
    proptest!(config(), |(bytes in vec(any::<u8>(), 0..2048), hint in hint())| {
        let _ = extractor.extract(&bytes, hint.as_deref());
    });
}

#[test]
fn arbitrary_strings_never_panic() {
    let extractor = Extractor::default();
    proptest!(config(), |(text in any::<String>(), hint in hint())| {
        let _ = extractor.extract(text.as_bytes(), hint.as_deref());
    });
}

#[test]
fn report_like_text_never_panics() {
    let extractor = Extractor::default();
    proptest!(config(), |(bytes in synthetic_report(), hint in hint())| {
        let _ = extractor.extract(&bytes, hint.as_deref());
    });
}

#[test]
fn truncated_and_spliced_seeds_never_panic() {
    let extractor = Extractor::default();
    proptest!(config(), |(
        which in any::<Index>(),
        cut in any::<Index>(),
        splice in vec(any::<u8>(), 0..16),
        gbk in any::<bool>(),
        hint in hint(),
    )| {
        let seed = which.get(seeds());
        let mut bytes = if gbk {
            GBK.encode(seed).0.into_owned()
        } else {
            seed.as_bytes().to_vec()
        };
        // Cut anywhere, mid-character included, and splice random bytes in at the cut.
        let at = cut.index(bytes.len() + 1);
        bytes.truncate(at);
        bytes.extend_from_slice(&splice);
        let _ = extractor.extract(&bytes, hint.as_deref());
    });
}
