//! Decoding: charset hints, detection, UTF-16 sniffing, and invariants checked over random bytes.

use super::*;
use proptest::strategy::Strategy;

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|unit| {
            if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn short_chinese_utf16_is_sniffed_in_both_byte_orders() {
    for text in [
        "经济增长",
        "地区生产总值增长5.2%。",
        "北京市通州区",
        "一、总体情况",
    ] {
        let le = utf16(text, false);
        let be = utf16(text, true);
        assert_eq!(sniff_utf16(&le), Some(UTF_16LE), "{text} LE");
        assert_eq!(sniff_utf16(&be), Some(UTF_16BE), "{text} BE");
        let decoded = decode(&le, None);
        assert_eq!(decoded.text, text);
        assert_eq!(decoded.info.method, DetectionMethod::Utf16Heuristic);
        assert_eq!(decoded.info.replacement_count, 0);
        let decoded = decode(&be, None);
        assert_eq!(decoded.text, text);
        assert_eq!(decoded.info.encoding, "UTF-16BE");
    }
}

#[test]
fn ascii_utf16_is_valid_utf8_but_its_nul_bytes_send_it_to_the_sniff() {
    for (text, big_endian, name) in [("GDP", false, "UTF-16LE"), ("GDP 5.2%", true, "UTF-16BE")] {
        let bytes = utf16(text, big_endian);
        assert!(std::str::from_utf8(&bytes).is_ok());
        let decoded = decode(&bytes, None);
        assert_eq!(decoded.text, text);
        assert_eq!(decoded.info.encoding, name);
        assert_eq!(decoded.info.method, DetectionMethod::Utf16Heuristic);
    }
}

#[test]
fn wrong_byte_order_scores_low() {
    let le = utf16("全区地区生产总值完成607.6亿元，同比增长10.4%。", false);
    let right = Utf16Score::of(&le, false);
    let wrong = Utf16Score::of(&le, true);
    assert!(right.is_plausible(1), "{right:?}");
    assert!(!wrong.is_plausible(1), "{wrong:?}");
    assert!(right.good > wrong.good);
}

#[test]
fn eight_bit_text_is_not_taken_for_utf16() {
    // "café au lait" in windows-1252: not UTF-8, and its byte pairs read as CJK.
    let bytes = b"caf\xe9 au lait, cr\xe8me br\xfbl\xe9e";
    assert_eq!(sniff_utf16(bytes), None);
    assert_eq!(decode(bytes, None).info.method, DetectionMethod::Detector);
}

#[test]
fn unpaired_surrogates_and_controls_are_not_utf16() {
    // A lone high surrogate followed by an ideograph, then a low surrogate alone.
    let bytes = [0x00, 0xD8, 0x2D, 0x4E, 0x00, 0xDC, 0x01, 0x00];
    assert_eq!(sniff_utf16(&bytes), None);
    let score = Utf16Score::of(&bytes, false);
    assert_eq!(score.units, 4);
    assert_eq!(score.bad, 3);
}

#[test]
fn surrogate_pairs_count_as_text() {
    let text = "𠀀𠀁经济";
    let score = Utf16Score::of(&utf16(text, false), false);
    assert_eq!(score.bad, 0);
    assert_eq!(score.good, 4);
}

#[test]
fn too_short_for_the_sniff() {
    assert_eq!(sniff_utf16(&[]), None);
    assert_eq!(sniff_utf16(&[0x2D]), None);
    // One code unit without NUL: as likely one GBK character.
    assert_eq!(sniff_utf16(&utf16("经", false)), None);
    assert_eq!(Utf16Score::of(&[0x2D, 0x4E, 0x87], false).units, 1);
}

#[test]
fn odd_length_utf16_counts_the_trailing_byte() {
    let mut bytes = utf16("国民经济和社会发展计划", false);
    bytes.push(0x41);
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.info.encoding, "UTF-16LE");
    assert_eq!(decoded.info.replacement_count, 1);
    assert_eq!(decoded.text, "国民经济和社会发展计划\u{FFFD}");
}

#[test]
fn replacement_count_is_exact_when_input_encodes_u_fffd() {
    // A real U+FFFD in UTF-16 is not a malformed sequence; the trailing lone surrogate is.
    let mut bytes = utf16("经济\u{FFFD}增长", true);
    bytes.extend_from_slice(&[0xD8, 0x00]);
    let (text, count) = decode_counting(UTF_16BE, &bytes);
    assert_eq!(text, "经济\u{FFFD}增长\u{FFFD}");
    assert_eq!(count, 1);
}

proptest::proptest! {
    /// The fast validator agrees with the standard library, also on the malformed
    /// sequences it is strict about: overlong forms, surrogates, code points past
    /// U+10FFFF, truncated and stray continuation bytes.
    #[test]
    fn as_utf8_agrees_with_std(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::arbitrary::any::<u8>().prop_map(|b| vec![b]),
                proptest::arbitrary::any::<char>().prop_map(|c| c.to_string().into_bytes()),
                proptest::sample::select(vec![
                    vec![0xC0, 0x80], vec![0xC1, 0xBF], vec![0xE0, 0x80, 0x80],
                    vec![0xE0, 0x9F, 0xBF], vec![0xED, 0xA0, 0x80], vec![0xED, 0xBF, 0xBF],
                    vec![0xF0, 0x80, 0x80, 0x80], vec![0xF4, 0x90, 0x80, 0x80],
                    vec![0xF5, 0x80, 0x80, 0x80], vec![0xE4, 0xB8], vec![0xF0, 0xA0, 0x80],
                    vec![0x80], vec![0xBF], vec![0xFE], vec![0xFF],
                ]),
                "[a-z经济增长，。]{0,40}".prop_map(String::into_bytes),
            ],
            0..24,
        )
    ) {
        let bytes = parts.concat();
        proptest::prop_assert_eq!(as_utf8(&bytes), std::str::from_utf8(&bytes).ok());
    }
}

/// The sniff as it was before the early exit: both byte orders scored over the whole window.
fn sniff_utf16_full(raw: &[u8]) -> Option<&'static Encoding> {
    let min_units = if raw.contains(&0) {
        1
    } else {
        UTF16_MIN_UNITS_WITHOUT_NUL
    };
    let le = Utf16Score::of(raw, false);
    let be = Utf16Score::of(raw, true);
    match (le.is_plausible(min_units), be.is_plausible(min_units)) {
        (true, true) if be.good > le.good => Some(UTF_16BE),
        (true, _) => Some(UTF_16LE),
        (false, true) => Some(UTF_16BE),
        (false, false) => None,
    }
}

/// UTF-16 text with some noise: the inputs where the early exit has to hold its fire.
fn mostly_utf16() -> impl Strategy<Value = Vec<u8>> {
    (
        proptest::collection::vec(proptest::arbitrary::any::<char>(), 0..2600),
        proptest::arbitrary::any::<bool>(),
        proptest::collection::vec(
            (
                proptest::arbitrary::any::<usize>(),
                proptest::arbitrary::any::<u8>(),
            ),
            0..40,
        ),
    )
        .prop_map(|(chars, big_endian, noise)| {
            let text: String = chars
                .into_iter()
                .map(|c| match u32::from(c) % 8 {
                    0 => c,
                    1..=3 => char::from_u32(0x4E00 + u32::from(c) % 0x5000).unwrap_or(c),
                    _ => char::from_u32(0x20 + u32::from(c) % 0x5F).unwrap_or(c),
                })
                .collect();
            let mut bytes = utf16(&text, big_endian);
            for (at, b) in noise {
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] = b;
                }
            }
            bytes
        })
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

    /// The early exit of the UTF-16 sniff only skips work: same answer as scoring the
    /// whole window, on arbitrary bytes and on noisy UTF-16.
    #[test]
    fn early_exit_sniff_equals_full_score(
        bytes in proptest::prop_oneof![
            proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..5000),
            mostly_utf16(),
        ]
    ) {
        proptest::prop_assert_eq!(sniff_utf16(&bytes), sniff_utf16_full(&bytes));
        for big_endian in [false, true] {
            let full = Utf16Score::of(&bytes, big_endian);
            for min_units in [1, 2] {
                let fast = Utf16Score::plausible(&bytes, big_endian, min_units);
                proptest::prop_assert_eq!(fast, full.is_plausible(min_units).then_some(full));
            }
        }
    }
}
