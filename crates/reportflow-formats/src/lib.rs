//! reportflow-formats: the document formats crawlers fetch, turned into text with line
//! structure that the core can read like any plain-text report.
//!
//! - [`Format::Html`]: charset from the BOM, then `<meta charset>` / `http-equiv`, then the
//!   core's detection; parsed by html5ever (through `scraper`); scripts, styles, navigation
//!   and other page chrome dropped; block elements and `<br>` end lines; a table row becomes
//!   one line with its cells separated by tabs.
//! - [`Format::Docx`]: paragraphs and table rows of `word/document.xml` (zip + quick-xml).
//! - [`Format::Pdf`]: the text layer in reading order (see the crate README for the PDF
//!   crate comparison), page furniture removed.
//! - [`Format::Text`]: left to the core's own decoder.
//!
//! The format is decided by magic bytes and structure; the crawler's content type is only a
//! hint (it decides between HTML and text when the bytes alone do not).
//!
//! Pure: no I/O, no global state, deterministic, and never panics. Input it cannot read is an
//! [`Error`] with a stable [`Error::kind`] (the dead-letter kind). Every document has a size
//! budget ([`Limits`]), and the PDF path a work budget, so nothing hangs.
#![warn(missing_docs, missing_debug_implementations)]

mod docx;
mod html;
mod pdf;
mod sniff;

pub use reportflow_core::{Decoded, DetectionMethod, EncodingInfo};
use reportflow_core::{Extractor, NormalizedText, Report};
pub use sniff::detect;

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text in any encoding: the core decodes it.
    Text,
    /// An HTML page.
    Html,
    /// An Office Open XML word-processing document.
    Docx,
    /// A PDF document.
    Pdf,
}

impl Format {
    /// Stable lowercase name: `text`, `html`, `docx`, `pdf`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a document cannot be turned into text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A format reportflow does not read (binary Word `.doc`, a zip that is not a DOCX, …).
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// The document is damaged: a truncated zip, malformed XML, a broken PDF.
    #[error("broken {format} document: {detail}")]
    Broken {
        /// The format it claimed to be.
        format: Format,
        /// What is wrong.
        detail: String,
    },
    /// The PDF is encrypted.
    #[error("encrypted {0} document")]
    Encrypted(Format),
    /// A PDF without a text layer (a scan).
    #[error("no text layer: the PDF has {pages} pages but no extractable text")]
    NoTextLayer {
        /// Pages in the document.
        pages: usize,
    },
    /// The document is larger than the budget.
    #[error("{format} document of {size} bytes is over the budget of {limit} bytes")]
    TooLarge {
        /// Its format.
        format: Format,
        /// Its size.
        size: usize,
        /// The budget.
        limit: usize,
    },
    /// The document parsed but holds no text (e.g. an HTML page of only scripts).
    #[error("no text: the {0} document holds no text")]
    NoText(Format),
}

impl Error {
    /// A short stable machine name, used as the dead-letter kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::UnsupportedFormat(_) => "unsupported_format",
            Error::Broken { .. } => "broken_document",
            Error::Encrypted(_) => "encrypted",
            Error::NoTextLayer { .. } => "no_text_layer",
            Error::TooLarge { .. } => "too_large",
            Error::NoText(_) => "no_text",
        }
    }
}

/// Per-document budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest HTML page, in bytes.
    pub max_html_bytes: usize,
    /// Largest DOCX file, in bytes.
    pub max_docx_bytes: usize,
    /// Largest uncompressed `word/document.xml`, in bytes (zip bombs).
    pub max_docx_xml_bytes: u64,
    /// Largest PDF file, in bytes.
    pub max_pdf_bytes: usize,
    /// Most PDF pages read.
    pub max_pdf_pages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_html_bytes: 32 << 20,
            max_docx_bytes: 32 << 20,
            max_docx_xml_bytes: 64 << 20,
            max_pdf_bytes: 32 << 20,
            max_pdf_pages: 500,
        }
    }
}

/// The outcome of [`convert`]: the detected format and, unless it is plain text, the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The detected format.
    pub format: Format,
    /// The text with line structure (one block per line) and how it was decoded; `None` for
    /// [`Format::Text`], which the core decodes from the raw bytes itself.
    pub decoded: Option<Decoded>,
}

/// Detects the format of `raw` (with the crawler's `content_type` as a hint) and turns it into
/// text, with the default [`Limits`]. `charset_hint` is the transport's charset (a `charset`
/// header), used for HTML pages that declare none.
pub fn convert(
    raw: &[u8],
    content_type: Option<&str>,
    charset_hint: Option<&str>,
) -> Result<Converted, Error> {
    convert_with(raw, content_type, charset_hint, &Limits::default())
}

/// [`convert`] with explicit budgets.
pub fn convert_with(
    raw: &[u8],
    content_type: Option<&str>,
    charset_hint: Option<&str>,
    limits: &Limits,
) -> Result<Converted, Error> {
    let format = detect(raw, content_type)?;
    let decoded = match format {
        Format::Text => None,
        Format::Html => Some(html::to_text(raw, charset_hint, limits)?),
        Format::Docx => Some(docx::to_text(raw, limits)?),
        Format::Pdf => Some(pdf::to_text(raw, limits)?),
    };
    if let Some(decoded) = &decoded {
        if !decoded.text.chars().any(char::is_alphanumeric) {
            return Err(Error::NoText(format));
        }
    }
    Ok(Converted { format, decoded })
}

/// Why a raw document was rejected by stage one: its format could not be read, or the core
/// found no usable text in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The document format could not be read.
    #[error(transparent)]
    Format(#[from] Error),
    /// The core rejected the text.
    #[error(transparent)]
    Core(#[from] reportflow_core::Error),
}

impl Rejection {
    /// The dead-letter kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Rejection::Format(e) => e.kind(),
            Rejection::Core(e) => e.kind(),
        }
    }
}

/// Stage one for any format: detects and reads the document, then decodes (plain text) and
/// normalizes it with the core. The `doc_id` is that of `raw`, whatever its format.
pub fn normalize(
    extractor: &Extractor,
    raw: &[u8],
    content_type: Option<&str>,
    charset_hint: Option<&str>,
) -> Result<(Format, NormalizedText), Rejection> {
    if raw.is_empty() {
        return Err(reportflow_core::Error::Empty.into());
    }
    let converted = convert(raw, content_type, charset_hint)?;
    let normalized = match converted.decoded {
        None => extractor.normalize_bytes(raw, charset_hint)?,
        Some(decoded) => extractor.normalize_decoded(raw, &decoded.text, decoded.info)?,
    };
    Ok((converted.format, normalized))
}

/// Both stages for any format: the full report and the detected format.
pub fn extract(
    extractor: &Extractor,
    raw: &[u8],
    content_type: Option<&str>,
    charset_hint: Option<&str>,
) -> Result<(Format, Report), Rejection> {
    let (format, normalized) = normalize(extractor, raw, content_type, charset_hint)?;
    Ok((format, extractor.report(normalized)))
}

/// The encoding record of text that came out of a container as Unicode (DOCX, PDF).
pub(crate) fn unicode_info() -> EncodingInfo {
    EncodingInfo {
        encoding: "UTF-8",
        method: DetectionMethod::Utf8,
        replacement_count: 0,
    }
}

/// Collects text into lines: runs of whitespace inside a line become one space, line breaks
/// are explicit, empty lines are dropped.
#[derive(Debug, Default)]
pub(crate) struct LineWriter {
    out: String,
    /// Whether a space is pending before the next visible character of the line.
    space: bool,
}

impl LineWriter {
    /// Appends inline text, collapsing whitespace.
    pub(crate) fn text(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() || c == '\u{a0}' {
                self.space = true;
            } else {
                if self.space && !self.at_line_start() && !self.out.ends_with('\t') {
                    self.out.push(' ');
                }
                self.space = false;
                self.out.push(c);
            }
        }
    }

    /// Appends preformatted text: line breaks kept.
    pub(crate) fn pre(&mut self, s: &str) {
        for (i, line) in s.split('\n').enumerate() {
            if i > 0 {
                self.newline();
            }
            self.text(line);
        }
    }

    /// A separator between table cells (a tab, unless the line is still empty).
    pub(crate) fn cell(&mut self) {
        self.space = false;
        if !self.at_line_start() && !self.out.ends_with('\t') {
            self.out.push('\t');
        }
    }

    /// Ends the current line (a no-op on an empty line).
    pub(crate) fn newline(&mut self) {
        self.space = false;
        while self.out.ends_with('\t') || self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.at_line_start() {
            self.out.push('\n');
        }
    }

    /// A line break inside a paragraph (`<br>`, `<w:br/>`): a second one in a row leaves a
    /// blank line, as a blank line in a text file.
    pub(crate) fn line_break(&mut self) {
        self.space = false;
        while self.out.ends_with('\t') || self.out.ends_with(' ') {
            self.out.pop();
        }
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// Ends the current paragraph: a blank line follows it, as between the paragraphs of a
    /// plain-text page (the core's paragraph joiner reads blank lines as paragraph breaks,
    /// single line breaks as possible hard wraps).
    pub(crate) fn paragraph(&mut self) {
        self.newline();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// The text, without a trailing newline.
    pub(crate) fn finish(mut self) -> String {
        self.newline();
        while self.out.ends_with('\n') {
            self.out.pop();
        }
        self.out
    }
}
