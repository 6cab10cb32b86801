//! Fuzz target: reportflow-formats on arbitrary bytes, started from the PDF fixtures (the
//! seed corpus, see the crate README) so that mutations stay on the PDF path: no panic, no
//! hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // reportflow-formats catches panics of the PDF crates (a broken document); libfuzzer-sys's
    // panic hook would abort on those caught panics too. Its own catch_unwind around this
    // closure still aborts on any panic that escapes.
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = reportflow_formats::convert(data, Some("application/pdf"), None);
});
