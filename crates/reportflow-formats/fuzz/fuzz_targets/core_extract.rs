//! Fuzz target: the core's whole extraction (decode, normalize, metadata, sections,
//! indicators) on arbitrary bytes must not panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use reportflow_core::Extractor;

fuzz_target!(|data: &[u8]| {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    let extractor = EXTRACTOR.get_or_init(Extractor::default);
    let _ = extractor.extract(data, None);
});
