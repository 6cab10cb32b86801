//! The seed reports, their re-encodings and a reproducible byte stream, shared by
//! `decoding.rs`, `malformed_bytes.rs` and `encoding_invariance.rs`.
#![allow(dead_code)] // each test file uses a part

use std::path::PathBuf;

use encoding_rs::{Encoding, BIG5};

pub struct Seed {
    pub name: String,
    pub text: String,
}

pub fn seeds() -> Vec<Seed> {
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

pub fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
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
pub fn encode_filtered(encoding: &'static Encoding, text: &str) -> (Vec<u8>, String) {
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
pub fn encode_exact(encoding: &'static Encoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding.encode(text);
    assert!(!unmappable, "{} cannot encode the text", encoding.name());
    bytes.into_owned()
}

/// The seed in Traditional characters, filtered to what Big5 encodes, and its Big5 bytes.
pub fn big5_variant(text: &str) -> (Vec<u8>, String) {
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

pub fn first_seed() -> Seed {
    seeds().swap_remove(0)
}

/// Where two strings first differ, with a little context, for failure messages.
pub fn first_difference(actual: &str, expected: &str) -> String {
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

/// `length` reproducible pseudo-random bytes from a xorshift64 stream started at `state`,
/// which is advanced so that successive calls continue the stream. Fixed seeds keep the
/// tests deterministic; the stream yields high bytes in abundance, which is what decoders
/// find hard.
pub fn xorshift_bytes(state: &mut u64, length: usize) -> Vec<u8> {
    (0..length)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            (*state >> 24) as u8
        })
        .collect()
}
