//! Title-block metadata. PLACEHOLDER: being written.

use crate::model::Metadata;

/// Metadata of a normalized text.
pub fn extract(_text: &str) -> Metadata {
    Metadata::default()
}
