//! Fuzz target: format reading and the core's whole extraction after it, as the normalizer and
//! extractor run them, on arbitrary bytes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use reportflow_core::Extractor;

fuzz_target!(|data: &[u8]| {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    let extractor = EXTRACTOR.get_or_init(Extractor::default);
    let _ = reportflow_formats::extract(extractor, data, None, None);
});
