//! Fuzz target: reportflow-formats on arbitrary bytes, started from the DOCX fixtures (the
//! seed corpus, see the crate README) so that mutations stay on the DOCX path: no panic, no
//! hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = reportflow_formats::convert(data, None, None);
});
