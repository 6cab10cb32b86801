//! Fuzz target: format reading and the core's whole extraction after it, as the normalizer and
//! extractor run them, on arbitrary bytes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use reportflow_core::Extractor;

fuzz_target!(|data: &[u8]| {
    // reportflow-formats catches panics of the PDF crates (a broken document); libfuzzer-sys's
    // panic hook would abort on those caught panics too. Its own catch_unwind around this
    // closure still aborts on any panic that escapes.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    let extractor = EXTRACTOR.get_or_init(Extractor::default);
    let _ = reportflow_formats::extract(extractor, data, None, None);
});
