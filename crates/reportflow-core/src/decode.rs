//! Bytes → text. PLACEHOLDER: being replaced by the full detector (BOM, UTF-8, UTF-16, chardetng).

use crate::model::{DetectionMethod, EncodingInfo};

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text, malformed sequences replaced by U+FFFD.
    pub text: String,
    /// Encoding, method and replacement count.
    pub info: EncodingInfo,
}

/// Decodes raw bytes.
pub fn decode(raw: &[u8], _charset_hint: Option<&str>) -> Decoded {
    let text = String::from_utf8_lossy(raw).into_owned();
    Decoded {
        info: EncodingInfo {
            encoding: "UTF-8",
            method: DetectionMethod::Utf8,
            replacement_count: text.matches('\u{FFFD}').count() as u32,
        },
        text,
    }
}
