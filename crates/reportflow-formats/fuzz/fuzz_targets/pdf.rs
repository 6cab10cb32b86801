//! Fuzz target: reportflow-formats on arbitrary bytes, started from the PDF fixtures (the
//! seed corpus, see the crate README) so that mutations stay on the PDF path: no panic, no
//! hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = reportflow_formats::convert(data, Some("application/pdf"), None);
});
