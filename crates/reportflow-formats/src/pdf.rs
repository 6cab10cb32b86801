//! PDF: the text layer.

use reportflow_core::Decoded;

use crate::{Error, Format, Limits};

/// The text layer of a PDF.
pub(crate) fn to_text(raw: &[u8], limits: &Limits) -> Result<Decoded, Error> {
    if raw.len() > limits.max_pdf_bytes {
        return Err(Error::TooLarge {
            format: Format::Pdf,
            size: raw.len(),
            limit: limits.max_pdf_bytes,
        });
    }
    Err(Error::UnsupportedFormat("PDF".into()))
}
