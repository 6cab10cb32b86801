//! Malformed bytes: truncated and corrupted GBK, corrupted UTF-8, random bytes, empty and
//! one-byte input, odd-length UTF-16, and windows of every seed detected in GBK and Big5.

mod reencode;

use encoding_rs::{BIG5, GBK, UTF_8};
use reencode::*;
use reportflow_core::{decode, DetectionMethod};

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
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for length in [1usize, 2, 3, 7, 64, 1000, 70_000, 200_000] {
        let bytes = xorshift_bytes(&mut state, length);
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
