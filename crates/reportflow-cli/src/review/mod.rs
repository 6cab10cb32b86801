//! Review pages: one self-contained HTML page per report with every extracted figure marked
//! in place, and an index of the reports (`reportflow extract --format html`).
//!
//! A page has the metadata, the section outline, the normalized text with each indicator's
//! span highlighted (coloured by kind, flagged without a taxonomy code) and a sortable,
//! filterable indicator table linked both ways to the highlights. Given gold facts it also
//! marks the missed facts and the extracted figures the gold lacks, with the report's
//! precision and recall. Pages load nothing: CSS and JavaScript are inline and a
//! Content-Security-Policy forbids any fetch, so they work from `file://`.

pub mod gold;
mod html;
mod index;
mod page;
mod paint;

pub use index::render_index;
pub use page::{render_page, Gold, Page};

use gold::Counts;

/// What the index shows of one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The input as named on the command line.
    pub input: String,
    /// File name of its page in the output directory; empty when the input failed.
    pub page: String,
    /// Why the input failed, when it did.
    pub error: Option<String>,
    /// Document id.
    pub doc_id: String,
    /// Title, or empty.
    pub title: String,
    /// Region, or empty.
    pub region: String,
    /// Report kind (short name).
    pub kind: String,
    /// Years covered, comma-separated.
    pub years: String,
    /// Number of sections.
    pub sections: usize,
    /// Number of indicators.
    pub indicators: usize,
    /// Indicators by kind: actual, target, forecast.
    pub by_kind: [usize; 3],
    /// Indicators without a taxonomy code.
    pub no_code: usize,
    /// Against gold, when the gold has the document: atoms, atoms with period, missed
    /// facts, indicators none of whose atoms is in the gold.
    pub gold: Option<GoldSummary>,
}

/// The gold line of a report in the index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoldSummary {
    /// Counts over atoms.
    pub atoms: Counts,
    /// Counts over atoms with the period.
    pub with_period: Counts,
    /// Gold facts with an atom that was not extracted.
    pub missed: usize,
    /// Indicators none of whose atoms is in the gold.
    pub extra: usize,
}

impl Summary {
    /// The index line of an input that could not be processed.
    pub fn failed(input: String, error: String) -> Self {
        Summary {
            input,
            page: String::new(),
            error: Some(error),
            doc_id: String::new(),
            title: String::new(),
            region: String::new(),
            kind: String::new(),
            years: String::new(),
            sections: 0,
            indicators: 0,
            by_kind: [0; 3],
            no_code: 0,
            gold: None,
        }
    }
}
