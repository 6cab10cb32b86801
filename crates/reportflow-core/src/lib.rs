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

mod decode;
mod error;
mod indicators;
mod metadata;
mod model;
mod normalize;
mod numbers;
mod sections;
mod taxonomy;

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
    indicators: indicators::IndicatorExtractor,
}

impl Default for Extractor {
    fn default() -> Self {
        let taxonomy = Taxonomy::bundled();
        let indicators = indicators::IndicatorExtractor::new(&taxonomy);
        Extractor {
            taxonomy,
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
        let decoded = decode(raw, charset_hint);
        let total_chars = decoded.text.chars().count();
        let replaced = decoded.info.replacement_count as usize;
        // More than one malformed sequence in twenty characters means the bytes are not
        // text in any encoding we know: extracting from them would only produce noise.
        if replaced * 20 > total_chars.max(1) {
            return Err(Error::Undecodable {
                encoding: decoded.info.encoding,
                replacement_count: decoded.info.replacement_count,
                chars: total_chars,
            });
        }
        // Single-byte encodings decode any bytes without error, so random or binary data
        // arrives here as "text"; real documents have next to no control characters, while
        // random bytes decode to about one in eight.
        let control_chars = decoded
            .text
            .chars()
            .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}'))
            .count();
        if control_chars * 100 > total_chars.max(1) {
            return Err(Error::Binary {
                encoding: decoded.info.encoding,
                control_chars,
                chars: total_chars,
            });
        }
        let text = normalize(&decoded.text);
        if !text.chars().any(|c| c.is_alphanumeric()) {
            return Err(Error::NoText);
        }
        Ok(NormalizedText {
            doc_id: doc_id(raw),
            encoding: decoded.info,
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
        let analysis = self.analyze(&normalized.text);
        Ok(Report {
            doc_id: normalized.doc_id,
            encoding: normalized.encoding,
            text: normalized.text,
            metadata: analysis.metadata,
            sections: analysis.sections,
            indicators: analysis.indicators,
        })
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
