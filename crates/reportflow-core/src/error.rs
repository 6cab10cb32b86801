//! Why a raw document was rejected. Rejection is rare: only input with no usable text.

/// A raw document the core cannot turn into text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input has no bytes.
    #[error("empty input")]
    Empty,
    /// Too many malformed byte sequences for any encoding tried.
    #[error(
        "undecodable: {replacement_count} malformed sequences in {chars} characters as {encoding}"
    )]
    Undecodable {
        /// The best encoding found.
        encoding: &'static str,
        /// Malformed sequences replaced by U+FFFD.
        replacement_count: u32,
        /// Characters decoded.
        chars: usize,
    },
    /// The bytes decode, but to control characters rather than text: binary data.
    #[error("binary: {control_chars} control characters in {chars} characters as {encoding}")]
    Binary {
        /// The encoding the detector chose.
        encoding: &'static str,
        /// Control characters (other than tab, line breaks and form feed) decoded.
        control_chars: usize,
        /// Characters decoded.
        chars: usize,
    },
    /// Decoding succeeded but left no letters or digits.
    #[error("no text: the decoded document holds no letters or digits")]
    NoText,
}

impl Error {
    /// A short stable machine name for the error, used as the DLQ `error.kind` header.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Empty => "empty",
            Error::Undecodable { .. } => "undecodable",
            Error::Binary { .. } => "binary",
            Error::NoText => "no_text",
        }
    }
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
