//! Indicator extraction. PLACEHOLDER: being written.

use crate::model::{Indicator, Metadata, Section};
use crate::taxonomy::Taxonomy;

/// Finds indicators in normalized text.
#[derive(Debug)]
pub struct IndicatorExtractor {}

impl IndicatorExtractor {
    /// Builds the matchers for a taxonomy.
    pub fn new(_taxonomy: &Taxonomy) -> Self {
        IndicatorExtractor {}
    }

    /// Indicators of a text.
    pub fn extract(&self, _text: &str, _sections: &[Section], _metadata: &Metadata) -> Vec<Indicator> {
        Vec::new()
    }
}
