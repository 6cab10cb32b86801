//! Decoding of the seed reports in every encoding the pipeline meets, of charset hints that
//! tell the truth or lie, and of malformed input.
//!
//! The seeds are stored as UTF-8; every other encoding is produced here at test time. Texts
//! are compared after [`normalize`] on both sides, so the assertions stay right whatever
//! `normalize` folds (whitespace, full-width forms, Traditional characters).

mod reencode;

use encoding_rs::{GB18030, GBK};
use reencode::*;
use reportflow_core::{decode, normalize, Decoded, DetectionMethod};

struct Variant {
    label: &'static str,
    bytes: Vec<u8>,
    original: String,
    encodings: &'static [&'static str],
    method: DetectionMethod,
}

fn variants(text: &str) -> Vec<Variant> {
    let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
    utf8_bom.extend_from_slice(text.as_bytes());
    let (gbk, gbk_text) = encode_filtered(GBK, text);
    let (big5, big5_text) = big5_variant(text);
    let gbk_or_gb18030: &[&str] = &["GBK", "gb18030"];
    let variant = |label, bytes, original: &str, encodings, method| Variant {
        label,
        bytes,
        original: original.to_owned(),
        encodings,
        method,
    };
    vec![
        variant(
            "utf-8",
            text.as_bytes().to_vec(),
            text,
            &["UTF-8"],
            DetectionMethod::Utf8,
        ),
        variant(
            "utf-8 bom",
            utf8_bom,
            text,
            &["UTF-8"],
            DetectionMethod::Bom,
        ),
        variant(
            "gbk",
            gbk,
            &gbk_text,
            gbk_or_gb18030,
            DetectionMethod::Detector,
        ),
        variant(
            "gb18030",
            encode_exact(GB18030, text),
            text,
            gbk_or_gb18030,
            DetectionMethod::Detector,
        ),
        variant(
            "utf-16le bom",
            utf16(text, false, true),
            text,
            &["UTF-16LE"],
            DetectionMethod::Bom,
        ),
        variant(
            "utf-16be bom",
            utf16(text, true, true),
            text,
            &["UTF-16BE"],
            DetectionMethod::Bom,
        ),
        variant(
            "utf-16le",
            utf16(text, false, false),
            text,
            &["UTF-16LE"],
            DetectionMethod::Utf16Heuristic,
        ),
        variant(
            "utf-16be",
            utf16(text, true, false),
            text,
            &["UTF-16BE"],
            DetectionMethod::Utf16Heuristic,
        ),
        variant(
            "big5",
            big5,
            &big5_text,
            &["Big5"],
            DetectionMethod::Detector,
        ),
    ]
}

fn check(label: &str, decoded: &Decoded, variant: &Variant) -> Vec<String> {
    let mut failures = Vec::new();
    let info = &decoded.info;
    if !variant.encodings.contains(&info.encoding) {
        failures.push(format!(
            "{label}: encoding {} not in {:?}",
            info.encoding, variant.encodings
        ));
    }
    if info.method != variant.method {
        failures.push(format!(
            "{label}: method {:?}, expected {:?}",
            info.method, variant.method
        ));
    }
    if info.replacement_count != 0 {
        failures.push(format!("{label}: {} replacements", info.replacement_count));
    }
    let actual = normalize(&decoded.text);
    let expected = normalize(&variant.original);
    if actual != expected {
        failures.push(format!(
            "{label}: text differs, {}",
            first_difference(&actual, &expected)
        ));
    }
    failures
}

#[test]
fn every_seed_decodes_from_every_encoding() {
    let mut failures = Vec::new();
    let mut table = Vec::new();
    for seed in seeds() {
        for variant in variants(&seed.text) {
            let decoded = decode(&variant.bytes, None);
            table.push(format!(
                "{:28} {:13} {:9} {:?}",
                seed.name, variant.label, decoded.info.encoding, decoded.info.method
            ));
            failures.extend(check(
                &format!("{} {}", seed.name, variant.label),
                &decoded,
                &variant,
            ));
        }
    }
    println!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bom_is_stripped_and_the_rest_decoded_exactly() {
    let text = "关于北京市通州区2021年国民经济和社会发展计划";
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(text.as_bytes());
    assert_eq!(decode(&bytes, None).text, text);
    let decoded = decode(&utf16(text, true, true), None);
    assert_eq!(decoded.text, text);
    assert_eq!(decoded.info.encoding, "UTF-16BE");
    // A BOM outranks a hint that names another encoding.
    let decoded = decode(&utf16(text, false, true), Some("gbk"));
    assert_eq!(decoded.text, text);
    assert_eq!(decoded.info.method, DetectionMethod::Bom);
}

#[test]
fn detection_starts_at_the_first_non_ascii_byte_and_covers_long_reports() {
    let all: String = seeds().iter().map(|seed| seed.text.as_str()).collect();
    // 100 KiB of ASCII before the report: more than the detection windows.
    let preamble = "id,value,unit\n2021,607.6,100 million yuan\n".repeat(2500);
    for text in [all.clone(), format!("{preamble}{all}")] {
        let (bytes, encoded) = encode_filtered(GBK, &text);
        assert!(bytes.len() > 100_000);
        let decoded = decode(&bytes, None);
        assert!(
            ["GBK", "gb18030"].contains(&decoded.info.encoding),
            "{:?}",
            decoded.info
        );
        assert_eq!(decoded.info.replacement_count, 0);
        assert_eq!(decoded.text, encoded);
    }
}

#[test]
fn gb18030_four_byte_sequences_decode() {
    // U+00A0, U+2002, CJK Extension A/B and an emoji are outside GBK's two-byte range.
    let text = "规模以上工业增加值\u{a0}增长\u{2002}5.2%，㐀𠀀😀。".repeat(20);
    let bytes = encode_exact(GB18030, &text);
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.text, text);
    assert!(
        ["GBK", "gb18030"].contains(&decoded.info.encoding),
        "{:?}",
        decoded.info
    );
    assert_eq!(decoded.info.replacement_count, 0);
}

#[test]
fn a_correct_hint_wins() {
    let seed = first_seed();
    let (gbk, gbk_text) = encode_filtered(GBK, &seed.text);
    let (big5, big5_text) = big5_variant(&seed.text);
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("gbk", gbk.clone(), &gbk_text, "GBK"),
        ("GB2312", gbk.clone(), &gbk_text, "GBK"),
        (" \"GB18030\" ", gbk, &gbk_text, "gb18030"),
        ("big5", big5, &big5_text, "Big5"),
        ("utf-8", seed.text.as_bytes().to_vec(), &seed.text, "UTF-8"),
        (
            "UTF-16LE",
            utf16(&seed.text, false, false),
            &seed.text,
            "UTF-16LE",
        ),
        (
            "utf-16be",
            utf16(&seed.text, true, false),
            &seed.text,
            "UTF-16BE",
        ),
    ];
    for (hint, bytes, text, encoding) in cases {
        let decoded = decode(&bytes, Some(hint));
        assert_eq!(decoded.info.encoding, encoding, "hint {hint}");
        assert_eq!(
            decoded.info.method,
            DetectionMethod::HeaderHint,
            "hint {hint}"
        );
        assert_eq!(decoded.info.replacement_count, 0, "hint {hint}");
        assert_eq!(decoded.text, text, "hint {hint}");
    }
}

#[test]
fn a_correct_hint_decides_short_ambiguous_input() {
    // GBK 学习实施 is D1 A7 CF B0 CA B5 CA A9: valid UTF-8 too (ѧϰʵʩ).
    let bytes = encode_exact(GBK, "学习实施");
    assert_eq!(std::str::from_utf8(&bytes), Ok("ѧϰʵʩ"));
    let decoded = decode(&bytes, Some("gbk"));
    assert_eq!(decoded.text, "学习实施");
    assert_eq!(decoded.info.method, DetectionMethod::HeaderHint);
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.text, "ѧϰʵʩ");
    assert_eq!(decoded.info.method, DetectionMethod::Utf8);
    // From eight multi-byte sequences on, valid UTF-8 outweighs a legacy hint: by chance,
    // legacy text that long is practically never valid UTF-8.
    let bytes = encode_exact(GBK, "学习实施学习实施");
    let decoded = decode(&bytes, Some("gbk"));
    assert_eq!(decoded.info.method, DetectionMethod::Utf8);
}

#[test]
fn a_wrong_hint_does_not_break_decoding() {
    let seed = first_seed();
    let (gbk, gbk_text) = encode_filtered(GBK, &seed.text);
    // GBK bytes: the UTF-16 hints fail the plausibility score, utf-8 and big5 meet malformed
    // sequences, and the single-byte encodings (which decode any bytes cleanly) lose to the
    // detector's clean GBK.
    for hint in [
        "utf-16le",
        "utf-16be",
        "utf-8",
        "big5",
        "iso-8859-1",
        "windows-1252",
    ] {
        let decoded = decode(&gbk, Some(hint));
        assert!(
            ["GBK", "gb18030"].contains(&decoded.info.encoding),
            "hint {hint}: {:?}",
            decoded.info
        );
        assert_eq!(
            decoded.info.method,
            DetectionMethod::Detector,
            "hint {hint}"
        );
        assert_eq!(decoded.info.replacement_count, 0, "hint {hint}");
        assert_eq!(decoded.text, gbk_text, "hint {hint}");
    }
    // UTF-8 bytes: Shift_JIS meets malformed sequences, UTF-16 fails the score, and valid
    // multi-byte UTF-8 outweighs the legacy labels.
    for hint in ["shift_jis", "gbk", "latin1", "utf-16le"] {
        let decoded = decode(seed.text.as_bytes(), Some(hint));
        assert_eq!(decoded.info.encoding, "UTF-8", "hint {hint}");
        assert_eq!(decoded.info.method, DetectionMethod::Utf8, "hint {hint}");
        assert_eq!(decoded.info.replacement_count, 0, "hint {hint}");
        assert_eq!(decoded.text, seed.text, "hint {hint}");
    }
}

#[test]
fn a_wrong_hint_on_utf16_is_ignored() {
    let text = first_seed().text;
    let decoded = decode(&utf16(&text, true, false), Some("utf-16le"));
    assert_eq!(decoded.info.encoding, "UTF-16BE");
    assert_eq!(decoded.info.method, DetectionMethod::Utf16Heuristic);
    assert_eq!(decoded.text, text);
}

#[test]
fn an_unknown_or_empty_hint_is_ignored() {
    let seed = first_seed();
    let (gbk, gbk_text) = encode_filtered(GBK, &seed.text);
    for hint in [
        "x-no-such-charset",
        "",
        "   ",
        "utf-9",
        "gbk\u{0}",
        "中文",
        "iso-2022-kr",
    ] {
        let decoded = decode(&gbk, Some(hint));
        assert_eq!(
            decoded.info.method,
            DetectionMethod::Detector,
            "hint {hint:?}"
        );
        assert!(
            ["GBK", "gb18030"].contains(&decoded.info.encoding),
            "hint {hint:?}"
        );
        assert_eq!(decoded.text, gbk_text, "hint {hint:?}");
        let decoded = decode(seed.text.as_bytes(), Some(hint));
        assert_eq!(decoded.info.method, DetectionMethod::Utf8, "hint {hint:?}");
        assert_eq!(decoded.text, seed.text, "hint {hint:?}");
    }
}
