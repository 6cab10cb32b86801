//! The structure extracted from a report does not depend on how its bytes were encoded:
//! GBK, GB18030 and UTF-16 give exactly the same metadata, sections and indicators as
//! UTF-8, and a Traditional-character Big5 edition gives the same headline indicators.

mod reencode;

use std::collections::BTreeSet;
use std::path::Path;

use encoding_rs::{BIG5, GB18030, GBK};
use reencode::xorshift_bytes;
use reportflow_core::{Extractor, Report};

fn seeds() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Encodes what the encoding can represent, dropping the rest (NBSP in GBK, rare variants
/// in Big5), and returns the bytes and the text they stand for.
fn encode(encoding: &'static encoding_rs::Encoding, text: &str) -> (Vec<u8>, String) {
    let kept: String = text
        .chars()
        .filter(|c| !encoding.encode(c.encode_utf8(&mut [0; 4])).2)
        .collect();
    let (bytes, _, errors) = encoding.encode(&kept);
    assert!(!errors);
    (bytes.into_owned(), kept)
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

/// Headline atoms: code, kind, period, value, yoy.
fn atoms(report: &Report) -> BTreeSet<String> {
    report
        .indicators
        .iter()
        .filter_map(|i| {
            let code = i.code.as_deref()?;
            Some(format!(
                "{code} {:?} {} {:?} {:?}",
                i.kind,
                i.period,
                i.quantity.as_ref().map(|q| q.base_value),
                i.yoy_pct
            ))
        })
        .collect()
}

#[test]
fn gbk_gb18030_and_utf16_give_the_same_structure() {
    let extractor = Extractor::default();
    for (name, text) in seeds() {
        let (gbk, kept) = encode(GBK, &text);
        let reference = extractor.extract(kept.as_bytes(), None).unwrap();
        let (gb18030, _) = encode(GB18030, &kept);
        for (label, bytes) in [
            ("GBK", gbk),
            ("GB18030", gb18030),
            ("UTF-16LE", utf16le(&kept)),
        ] {
            let report = extractor.extract(&bytes, None).unwrap();
            assert_eq!(report.text, reference.text, "{name} as {label}: text");
            assert_eq!(
                report.metadata, reference.metadata,
                "{name} as {label}: metadata"
            );
            assert_eq!(
                report.sections, reference.sections,
                "{name} as {label}: sections"
            );
            assert_eq!(
                report.indicators, reference.indicators,
                "{name} as {label}: indicators"
            );
        }
        assert!(!reference.indicators.is_empty(), "{name}: no indicators");
    }
}

#[test]
fn traditional_big5_edition_gives_the_same_headline_indicators() {
    let extractor = Extractor::default();
    for (name, text) in seeds() {
        let reference = atoms(&extractor.extract(text.as_bytes(), None).unwrap());
        let traditional = character_converter::simplified_to_traditional(&text);
        // The converter maps some characters to rare variants Big5 lacks (和 → 咊, 额 → 頟);
        // a real Big5 edition writes the standard form, so use it, or the original character
        // where that is in Big5 too.
        let in_big5 = |c: char| !BIG5.encode(c.encode_utf8(&mut [0; 4])).2;
        let standard = |c: char| match c {
            '頟' => '額',
            '咊' => '和',
            c => c,
        };
        let traditional: String = if traditional.chars().count() == text.chars().count() {
            text.chars()
                .zip(traditional.chars().map(standard))
                .map(|(s, t)| if in_big5(t) { t } else { s })
                .collect()
        } else {
            traditional.into_owned()
        };
        let (big5, _) = encode(BIG5, &traditional);
        let report = extractor.extract(&big5, None).unwrap();
        assert_eq!(report.encoding.encoding, "Big5", "{name}");
        let found = atoms(&report);
        let missing: Vec<_> = reference.difference(&found).collect();
        let extra: Vec<_> = found.difference(&reference).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{name}: missing {missing:#?}\nextra {extra:#?}"
        );
    }
}

#[test]
fn random_and_binary_bytes_are_rejected_and_text_is_not() {
    let extractor = Extractor::default();
    let random = xorshift_bytes(&mut 0x2545_f491_4f6c_dd1d_u64, 4096);
    let err = extractor.extract(&random, None).unwrap_err();
    assert!(matches!(err.kind(), "binary" | "undecodable"), "{err}");
    let mut elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec();
    elf.extend_from_slice(&[0u8; 64]);
    assert!(extractor.extract(&elf, None).is_err());
    for (name, text) in seeds() {
        assert!(extractor.extract(text.as_bytes(), None).is_ok(), "{name}");
    }
}
