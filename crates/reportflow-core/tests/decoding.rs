//! Decoding of the seed reports in every encoding the pipeline meets, of charset hints that
//! tell the truth or lie, and of malformed input.
//!
//! The seeds are stored as UTF-8; every other encoding is produced here at test time. Texts
//! are compared after [`normalize`] on both sides, so the assertions stay right whatever
//! `normalize` folds (whitespace, full-width forms, Traditional characters).

use std::path::PathBuf;

use encoding_rs::{Encoding, BIG5, GB18030, GBK, UTF_8};
use reportflow_core::{decode, normalize, Decoded, DetectionMethod};

struct Seed {
    name: String,
    text: String,
}

fn seeds() -> Vec<Seed> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    let seeds: Vec<Seed> = paths
        .iter()
        .map(|path| Seed {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            text: std::fs::read_to_string(path).expect("seed is UTF-8"),
        })
        .collect();
    assert_eq!(
        seeds.len(),
        5,
        "expected the five seed reports in {}",
        dir.display()
    );
    seeds
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() * 2 + 2);
    if bom {
        bytes.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

/// Encodes `text` char by char; a character the encoding cannot represent becomes a space
/// when it is whitespace (NBSP, EN SPACE are not in GBK) and is dropped otherwise. Returns
/// the bytes and the text they actually encode.
fn encode_filtered(encoding: &'static Encoding, text: &str) -> (Vec<u8>, String) {
    let mut bytes = Vec::with_capacity(text.len());
    let mut encoded_text = String::with_capacity(text.len());
    let mut buffer = [0u8; 4];
    for ch in text.chars() {
        let (char_bytes, _, unmappable) = encoding.encode(ch.encode_utf8(&mut buffer));
        if !unmappable {
            bytes.extend_from_slice(&char_bytes);
            encoded_text.push(ch);
        } else if ch.is_whitespace() {
            bytes.push(b' ');
            encoded_text.push(' ');
        }
    }
    (bytes, encoded_text)
}

/// Encodes all of `text`, which must be representable.
fn encode_exact(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{} cannot encode the text", encoding.name());
    bytes.into_owned()
}

/// The seed in Traditional characters, filtered to what Big5 encodes, and its Big5 bytes.
fn big5_variant(text: &str) -> (Vec<u8>, String) {
    let traditional = character_converter::simplified_to_traditional(text);
    let changed = text
        .chars()
        .zip(traditional.chars())
        .filter(|(a, b)| a != b)
        .count();
    assert!(
        changed > 200,
        "the Simplified→Traditional conversion changed only {changed} characters"
    );
    let (bytes, encoded) = encode_filtered(BIG5, &traditional);
    let kept = encoded.chars().count() as f64 / traditional.chars().count() as f64;
    let mut dropped: Vec<char> = traditional
        .chars()
        .filter(|&ch| BIG5.encode(ch.encode_utf8(&mut [0; 4])).2)
        .collect();
    dropped.sort_unstable();
    dropped.dedup();
    assert!(
        kept > 0.98,
        "Big5 filtering kept only {kept:.4} of the text; dropped {dropped:?}"
    );
    (bytes, encoded)
}

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

/// Where two strings first differ, with a little context, for failure messages.
fn first_difference(actual: &str, expected: &str) -> String {
    let position = actual
        .chars()
        .zip(expected.chars())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| actual.chars().count().min(expected.chars().count()));
    let around = |s: &str| {
        s.chars()
            .skip(position.saturating_sub(10))
            .take(30)
            .collect::<String>()
    };
    format!(
        "first difference at char {position}: got {:?}, expected {:?} (lengths {} / {})",
        around(actual),
        around(expected),
        actual.chars().count(),
        expected.chars().count()
    )
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

fn first_seed() -> Seed {
    seeds().swap_remove(0)
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

/// The first seed's GBK bytes and the text they encode.
fn gbk_seed() -> (Vec<u8>, String) {
    let seed = first_seed();
    encode_filtered(GBK, &seed.text)
}

/// Byte offsets (into the GBK bytes) of the characters of `text`, which must be what the
/// bytes encode.
fn gbk_char_offsets(text: &str) -> Vec<(usize, char)> {
    let mut offset = 0;
    let mut buffer = [0u8; 4];
    text.chars()
        .map(|ch| {
            let start = offset;
            offset += GBK.encode(ch.encode_utf8(&mut buffer)).0.len();
            (start, ch)
        })
        .collect()
}

/// Checks that `text`'s GBK bytes, cut after the lead byte of the last non-ASCII character,
/// decode as GBK to everything before that character and one U+FFFD.
fn check_truncated_gbk(text: &str) {
    let bytes = encode_exact(GBK, text);
    let offsets = gbk_char_offsets(text);
    let (index, (offset, _)) = offsets
        .iter()
        .enumerate()
        .rev()
        .find(|(_, (_, ch))| !ch.is_ascii())
        .expect("a non-ASCII character");
    let truncated = bytes.get(..offset + 1).unwrap();
    let decoded = decode(truncated, None);
    assert!(
        ["GBK", "gb18030"].contains(&decoded.info.encoding),
        "{:?}",
        decoded.info
    );
    assert_eq!(decoded.info.method, DetectionMethod::Detector);
    assert_eq!(decoded.info.replacement_count, 1);
    let expected: String = text.chars().take(index).chain(['\u{FFFD}']).collect();
    assert_eq!(decoded.text, expected);
}

#[test]
fn truncated_gbk_keeps_everything_but_the_cut_character() {
    let (_, text) = gbk_seed();
    check_truncated_gbk(&text);
    // Short enough for a single detector chunk: only feeding chardetng with `last = false`
    // keeps the cut character from ruling GBK out.
    let short: String = text.chars().take(400).collect();
    check_truncated_gbk(&short);
}

#[test]
fn corrupted_gbk_keeps_the_rest_of_the_text() {
    let (bytes, text) = gbk_seed();
    let offsets = gbk_char_offsets(&text);
    let hanzi: Vec<(usize, usize)> = offsets
        .iter()
        .enumerate()
        .filter(|(_, (_, ch))| ('\u{4E00}'..='\u{9FFF}').contains(ch))
        .map(|(index, (offset, _))| (index, *offset))
        .collect();
    // Three corruptions spread over the text: a trail byte overwritten by ASCII '?' (a lead
    // byte before ASCII disqualifies GBK in chardetng), a character overwritten by 0xFF 0xFF,
    // and a trail byte overwritten by DEL (0x7F, not a GBK trail byte).
    let picks = [hanzi.len() / 5, hanzi.len() / 2, hanzi.len() * 4 / 5];
    let mut corrupt = bytes.clone();
    let mut expected: Vec<String> = text.chars().map(String::from).collect();
    let (i, o) = hanzi[picks[0]];
    corrupt[o + 1] = b'?';
    expected[i] = "\u{FFFD}?".into();
    let (i, o) = hanzi[picks[1]];
    corrupt[o] = 0xFF;
    corrupt[o + 1] = 0xFF;
    expected[i] = "\u{FFFD}\u{FFFD}".into();
    let (i, o) = hanzi[picks[2]];
    corrupt[o + 1] = 0x7F;
    expected[i] = "\u{FFFD}\u{7F}".into();
    let expected: String = expected.concat();

    let decoded = decode(&corrupt, None);
    assert!(
        ["GBK", "gb18030"].contains(&decoded.info.encoding),
        "{:?}",
        decoded.info
    );
    assert_eq!(decoded.info.method, DetectionMethod::Detector);
    assert_eq!(decoded.info.replacement_count, 4);
    assert_eq!(
        decoded.text,
        expected,
        "{}",
        first_difference(&decoded.text, &expected)
    );
}

#[test]
fn corrupted_utf8_is_still_utf8() {
    let seed = first_seed();
    let mut bytes = seed.text.as_bytes().to_vec();
    let middle = bytes.len() / 2;
    // Overwrite the lead byte of the character at `middle`.
    let start = (0..=middle)
        .rev()
        .find(|&i| seed.text.is_char_boundary(i))
        .unwrap();
    let width = seed.text[start..].chars().next().unwrap().len_utf8();
    assert!(
        width > 1,
        "the middle of the seed is ASCII; pick another position"
    );
    bytes[start] = 0xFF;
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.info.encoding, "UTF-8");
    assert_eq!(decoded.info.method, DetectionMethod::Detector);
    // The lead byte and each orphaned continuation byte are malformed.
    assert_eq!(decoded.info.replacement_count as usize, width);
    let expected = format!(
        "{}{}{}",
        &seed.text[..start],
        "\u{FFFD}".repeat(width),
        &seed.text[start + width..]
    );
    assert_eq!(decoded.text, expected);
}

#[test]
fn random_bytes_decode_without_panicking() {
    // A fixed xorshift stream: deterministic, and high bytes in abundance.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for length in [1usize, 2, 3, 7, 64, 1000, 70_000, 200_000] {
        let bytes: Vec<u8> = (0..length)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        for hint in [None, Some("gbk"), Some("utf-16le"), Some("latin1")] {
            let decoded = decode(&bytes, hint);
            assert!(!decoded.text.is_empty(), "length {length}");
            let count = decoded.text.matches('\u{FFFD}').count();
            assert!(
                decoded.info.replacement_count as usize <= count,
                "length {length}"
            );
        }
    }
}

#[test]
fn empty_input_is_empty_utf8() {
    let decoded = decode(&[], None);
    assert_eq!(decoded.text, "");
    assert_eq!(decoded.info.encoding, "UTF-8");
    assert_eq!(decoded.info.method, DetectionMethod::Utf8);
    assert_eq!(decoded.info.replacement_count, 0);
    for hint in ["gbk", "utf-16le", "nonsense"] {
        let decoded = decode(&[], Some(hint));
        assert_eq!(decoded.text, "", "hint {hint}");
        assert_eq!(decoded.info.replacement_count, 0, "hint {hint}");
    }
}

#[test]
fn single_bytes_decode_to_at_most_one_character() {
    for byte in 0..=255u8 {
        let decoded = decode(&[byte], None);
        assert_eq!(
            decoded.text.chars().count(),
            1,
            "byte {byte:#04x}: {decoded:?}"
        );
        if byte.is_ascii() {
            assert_eq!(decoded.text, char::from(byte).to_string());
            assert_eq!(decoded.info.method, DetectionMethod::Utf8);
        }
        assert!(decoded.info.replacement_count <= 1);
    }
}

#[test]
fn odd_length_utf16_decodes_with_one_replacement() {
    let text = first_seed().text;
    for big_endian in [false, true] {
        let mut bytes = utf16(&text, big_endian, false);
        bytes.pop();
        let decoded = decode(&bytes, None);
        let name = if big_endian { "UTF-16BE" } else { "UTF-16LE" };
        assert_eq!(decoded.info.encoding, name);
        assert_eq!(decoded.info.method, DetectionMethod::Utf16Heuristic);
        assert_eq!(decoded.info.replacement_count, 1);
        let mut expected: String = text.chars().take(text.chars().count() - 1).collect();
        expected.push('\u{FFFD}');
        assert_eq!(decoded.text, expected);
    }
}

#[test]
fn utf8_is_the_answer_for_ascii() {
    let decoded = decode(b"GDP 5.2%\n", Some("utf-8"));
    assert_eq!(decoded.info.method, DetectionMethod::HeaderHint);
    let decoded = decode(b"GDP 5.2%\n", None);
    assert_eq!(decoded.info.encoding, UTF_8.name());
    assert_eq!(decoded.info.method, DetectionMethod::Utf8);
}

/// The detector stops early once its guesses agree (see `decode::detect`): windows of every
/// seed, from short ones that end before the second guess to ones longer than the whole
/// detection window, taken at many positions, are all detected as what they are.
#[test]
fn windows_of_every_seed_are_detected_in_gbk_and_big5() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for seed in seeds() {
        let (_, gbk_text) = encode_filtered(GBK, &seed.text);
        let (_, big5_text) = big5_variant(&seed.text);
        for (text, encoding, accepted) in [
            (&gbk_text, GBK, &["GBK", "gb18030"][..]),
            (&big5_text, BIG5, &["Big5"][..]),
        ] {
            let chars: Vec<char> = text.chars().collect();
            for window in [400, 700, 1_200, 3_000] {
                for start in (0..chars.len().saturating_sub(window)).step_by(2_500) {
                    let piece: String = chars[start..start + window].iter().collect();
                    let (bytes, _) = encode_filtered(encoding, &piece);
                    let decoded = decode(&bytes, None);
                    checked += 1;
                    if !accepted.contains(&decoded.info.encoding) {
                        failures.push(format!(
                            "{} {} chars {start}+{window}: {}",
                            seed.name,
                            encoding.name(),
                            decoded.info.encoding
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} windows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
