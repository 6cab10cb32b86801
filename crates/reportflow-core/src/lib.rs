//! reportflow-core: raw report bytes in, structured report out.
//!
//! The pipeline is `decode` (bytes → text) → `normalize` (text → clean paragraphs) →
//! `metadata`, `sections`, `indicators` (clean text → structure). Every stage is a pure
//! function of its input: no I/O, no clocks, no global state, and no panics on any input.
//!
//! A key design decision: everything that is expensive to build (compiled regexes, the
//! Aho-Corasick automaton of metric aliases, the parsed taxonomy) lives in an [`Extractor`]
//! value that the caller builds once and shares, instead of in process-wide statics. Workers
//! build one per process; tests build their own.
#![warn(missing_docs, missing_debug_implementations)]

mod dates;
mod decode;
mod error;
mod indicators;
mod metadata;
mod model;
mod normalize;
mod numbers;
mod places;
mod sections;
mod taxonomy;
mod text;

pub use crate::decode::{decode, Decoded};
pub use crate::error::{Error, Result};
pub use crate::model::*;
pub use crate::normalize::normalize;
pub use crate::taxonomy::{Metric, Taxonomy, UnitClass};

use sha2::{Digest, Sha256};

/// Version of the extraction logic, stamped on every output so consumers can tell which
/// extractor produced a row. Bump it whenever the output for the same input changes.
pub const EXTRACTOR_VERSION: &str = concat!("reportflow-core/", env!("CARGO_PKG_VERSION"));

/// The decoded and normalized form of one raw document: the output of the first stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedText {
    /// Lowercase hex SHA-256 of the raw bytes.
    pub doc_id: String,
    /// How the bytes were decoded.
    pub encoding: EncodingInfo,
    /// Normalized text: paragraphs separated by a single `\n`.
    pub text: String,
}

/// The structure found in a normalized text: the output of the second stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Title-block metadata.
    pub metadata: Metadata,
    /// Sections in document order.
    pub sections: Vec<Section>,
    /// Indicators in document order.
    pub indicators: Vec<Indicator>,
}

/// Builds once, extracts many times. Cheap to share by reference across threads.
#[derive(Debug)]
pub struct Extractor {
    taxonomy: Taxonomy,
    normalizer: normalize::Normalizer,
    indicators: indicators::IndicatorExtractor,
}

impl Default for Extractor {
    fn default() -> Self {
        let taxonomy = Taxonomy::bundled();
        let indicators = indicators::IndicatorExtractor::new(&taxonomy);
        Extractor {
            taxonomy,
            normalizer: normalize::Normalizer::new(),
            indicators,
        }
    }
}

impl Extractor {
    /// The taxonomy of headline metrics this extractor assigns codes from.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// Stage one: decodes `raw` (honouring a charset hint such as a Kafka `charset` header
    /// when it is valid) and normalizes the text.
    ///
    /// Fails only when the input holds no usable text: empty, mostly undecodable, binary
    /// (control characters), or without a letter or digit.
    pub fn normalize_bytes(
        &self,
        raw: &[u8],
        charset_hint: Option<&str>,
    ) -> Result<NormalizedText> {
        if raw.is_empty() {
            return Err(Error::Empty);
        }
        let (text, encoding) = decode::decode_cow(raw, charset_hint);
        self.normalize_decoded(raw, &text, encoding)
    }

    /// Stage one for text already decoded from `raw` by someone else (a document-format
    /// reader: an HTML page, a DOCX or PDF attachment): the same checks and normalization as
    /// [`normalize_bytes`](Self::normalize_bytes), and the same `doc_id` (of `raw`).
    pub fn normalize_decoded(
        &self,
        raw: &[u8],
        text: &str,
        encoding: EncodingInfo,
    ) -> Result<NormalizedText> {
        if raw.is_empty() {
            return Err(Error::Empty);
        }
        let CharCounts {
            chars: total_chars,
            controls: control_chars,
        } = CharCounts::of(text);
        let replaced = encoding.replacement_count as usize;
        // More than one malformed sequence in twenty characters means the bytes are not
        // text in any encoding we know: extracting from them would only produce noise.
        if replaced * 20 > total_chars.max(1) {
            return Err(Error::Undecodable {
                encoding: encoding.encoding,
                replacement_count: encoding.replacement_count,
                chars: total_chars,
            });
        }
        // Single-byte encodings decode any bytes without error, so random or binary data
        // arrives here as "text"; real documents have next to no control characters, while
        // random bytes decode to about one in eight.
        if control_chars * 100 > total_chars.max(1) {
            return Err(Error::Binary {
                encoding: encoding.encoding,
                control_chars,
                chars: total_chars,
            });
        }
        let text = self.normalizer.normalize(text);
        if !text.chars().any(|c| c.is_alphanumeric()) {
            return Err(Error::NoText);
        }
        Ok(NormalizedText {
            doc_id: doc_id(raw),
            encoding,
            text,
        })
    }

    /// Stage two: metadata, sections and indicators of a normalized text. Never fails: an
    /// unusual text yields fewer findings, not an error.
    pub fn analyze(&self, text: &str) -> Analysis {
        let metadata = metadata::extract(text);
        let sections = sections::extract(text);
        let indicators = self.indicators.extract(text, &sections, &metadata);
        Analysis {
            metadata,
            sections,
            indicators,
        }
    }

    /// Both stages: raw bytes to the full report.
    pub fn extract(&self, raw: &[u8], charset_hint: Option<&str>) -> Result<Report> {
        let normalized = self.normalize_bytes(raw, charset_hint)?;
        Ok(self.report(normalized))
    }

    /// Stage two on the output of stage one: the full report.
    pub fn report(&self, normalized: NormalizedText) -> Report {
        let analysis = self.analyze(&normalized.text);
        Report {
            doc_id: normalized.doc_id,
            encoding: normalized.encoding,
            text: normalized.text,
            metadata: analysis.metadata,
            sections: analysis.sections,
            indicators: analysis.indicators,
        }
    }
}

/// How many characters a decoded text has, and how many of them are control characters
/// other than `\n`, `\r`, `\t` and form feed: what tells binary data from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CharCounts {
    chars: usize,
    controls: usize,
}

impl CharCounts {
    /// Counts in one pass over the UTF-8 bytes instead of decoding every character: a
    /// character starts at every byte that is not a continuation byte (`10xxxxxx`); C0
    /// controls and DEL are single bytes, and the C1 controls U+0080–U+009F are `C2 80` to
    /// `C2 9F`.
    fn of(text: &str) -> CharCounts {
        let bytes = text.as_bytes();
        let Some((&first, rest)) = bytes.split_first() else {
            return CharCounts {
                chars: 0,
                controls: 0,
            };
        };
        let starts_char = |b: u8| (b as i8) >= -0x40;
        let is_control = |prev: u8, b: u8| {
            (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r'))
                || b == 0x7F
                || (prev == 0xC2 && (0x80..=0x9F).contains(&b))
        };
        // Each byte after the first with the byte before it. Counting into `u8`s per chunk
        // of at most 255 bytes (they cannot overflow) lets the compiler compare and add 16
        // bytes at a time: four times faster than two loops over chars.
        let count_chunk = |(chunk, prevs): (&[u8], &[u8])| {
            chunk
                .iter()
                .zip(prevs)
                .fold((0u8, 0u8), |(chars, controls), (&b, &prev)| {
                    (
                        chars + u8::from(starts_char(b)),
                        controls + u8::from(is_control(prev, b)),
                    )
                })
        };
        rest.chunks(255)
            .zip(bytes.chunks(255))
            .map(count_chunk)
            .fold(
                CharCounts {
                    chars: 1, // the first byte starts a character in valid UTF-8
                    controls: usize::from(is_control(0, first)),
                },
                |counts, (chars, controls)| CharCounts {
                    chars: counts.chars + usize::from(chars),
                    controls: counts.controls + usize::from(controls),
                },
            )
    }
}

/// The document id of raw bytes: lowercase hex SHA-256.
pub fn doc_id(raw: &[u8]) -> String {
    hex(&Sha256::digest(raw))
}

/// A deterministic id for the `ordinal`-th indicator of a document: the same document and
/// extractor version always give the same ids, which makes downstream upserts idempotent.
pub fn indicator_id(doc_id: &str, indicator: &Indicator, ordinal: usize) -> String {
    let mut h = Sha256::new();
    h.update(doc_id.as_bytes());
    h.update(indicator.span.start.to_le_bytes());
    h.update(indicator.metric.as_bytes());
    h.update((ordinal as u64).to_le_bytes());
    hex(&h.finalize()[..16])
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::CharCounts;

    /// The definition [`CharCounts::of`] must agree with, character by character.
    fn reference(text: &str) -> CharCounts {
        CharCounts {
            chars: text.chars().count(),
            controls: text
                .chars()
                .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
                .count(),
        }
    }

    #[test]
    fn char_counts_of_every_control_and_neighbours() {
        let text: String = (0..0x800).filter_map(char::from_u32).collect();
        assert_eq!(CharCounts::of(&text), reference(&text));
        assert_eq!(reference(&text).controls, 0x20 + 0x21 - 4);
        // `Â` is `C3 82`: its second byte is no C1 control.
        let tricky = "\u{c2}\u{80}\u{9f}\u{a0}\u{7f}\u{0}\u{c}";
        assert_eq!(CharCounts::of(tricky), reference(tricky));
        assert_eq!(CharCounts::of(""), reference(""));
    }

    proptest::proptest! {
        #[test]
        fn char_counts_equal_the_char_by_char_definition(text in "(?s).{0,64}") {
            proptest::prop_assert_eq!(CharCounts::of(&text), reference(&text));
        }

        #[test]
        fn char_counts_on_controls_and_latin(
            chars in proptest::collection::vec(0u32..0x200, 0..64)
        ) {
            let text: String = chars.into_iter().filter_map(char::from_u32).collect();
            proptest::prop_assert_eq!(CharCounts::of(&text), reference(&text));
        }
    }
}
