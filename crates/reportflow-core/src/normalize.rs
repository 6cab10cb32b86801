//! Text normalization. PLACEHOLDER: being replaced by the full normalizer.

/// Normalizes decoded text into paragraphs separated by a single `\n`.
pub fn normalize(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}
