//! Test helpers the two worker stages share (dev-dependency of `reportflow-normalizer` and
//! `reportflow-extractor`): the seed reports' files.

use std::path::PathBuf;

/// The five seed reports (`*.txt` in the core's `test_data/seeds`) as (file name, bytes), by
/// file name.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reportflow-core/test_data/seeds");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("seed dir")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "five seeds in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}
