//! Schema-compatibility guard: committed encodings of every message type still decode.
//!
//! `tests/fixtures/v1/<Message>.bin` holds the binary encoding and `<Message>.json` the
//! protobuf JSON of the frozen samples in `tests/common`. A missing fixture is written by this
//! test the first time it runs (outside CI; commit the new files); `REPORTFLOW_BLESS=1`
//! rewrites all of them, which is only legitimate when adding a new message type.
//!
//! If this test fails after a `.proto` edit, the edit broke wire or JSON compatibility
//! (renumbered, retyped or renamed a field): revert it and add a new field instead.

mod common;

use std::path::PathBuf;

use prost::Message;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1")
}

/// Reads `name` from the fixture directory, writing `make()` there first when it is missing
/// (or when blessing). Fails instead of writing on CI, where a missing fixture is a mistake.
fn fixture(name: &str, make: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    let path = fixture_dir().join(name);
    let bless = std::env::var_os("REPORTFLOW_BLESS").is_some();
    if bless || !path.exists() {
        assert!(
            std::env::var_os("CI").is_none() || bless,
            "fixture {} is missing: run the tests locally and commit it",
            path.display()
        );
        std::fs::create_dir_all(fixture_dir()).unwrap();
        std::fs::write(&path, make()).unwrap();
    }
    std::fs::read(&path).unwrap()
}

fn check<M>(name: &str, sample: M)
where
    M: Message
        + Default
        + PartialEq
        + std::fmt::Debug
        + serde::Serialize
        + serde::de::DeserializeOwned,
{
    let bin = fixture(&format!("{name}.bin"), || sample.encode_to_vec());
    let decoded = M::decode(bin.as_slice()).unwrap_or_else(|e| panic!("{name}.bin: {e}"));
    assert_eq!(decoded, sample, "{name}.bin decodes to a different message");
    // prost drops unknown fields, so a field removed from the schema shows up here.
    assert_eq!(
        decoded.encode_to_vec(),
        bin,
        "{name}.bin does not re-encode identically"
    );

    let json = fixture(&format!("{name}.json"), || {
        let mut s = serde_json::to_string_pretty(&sample).unwrap();
        s.push('\n');
        s.into_bytes()
    });
    let decoded: M = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    assert_eq!(
        decoded, sample,
        "{name}.json decodes to a different message"
    );
}

#[test]
fn committed_fixtures_still_decode() {
    check("NormalizedReport", common::normalized());
    check("ReportDocument", common::document());
    check("Section", common::section());
    check("Indicator", common::indicator());
    check("Extraction", common::extraction());
    check("DeadLetter", common::dead_letter());
}
