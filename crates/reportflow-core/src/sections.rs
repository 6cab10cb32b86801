//! Section hierarchy. PLACEHOLDER: being written.

use crate::model::Section;

/// Sections of a normalized text.
pub fn extract(_text: &str) -> Vec<Section> {
    Vec::new()
}
