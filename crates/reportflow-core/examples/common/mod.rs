//! What the core's examples share: the bench corpus, and the workers' allocator.

use std::path::Path;

/// The allocator every worker binary and the `reportflow` command run the core with
/// (mimalloc): the core is measured as it runs there. glibc's malloc costs full extraction
/// about a tenth of its throughput on the bench corpus (measured 2026-12-02, alternated).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The seeds and every development-corpus report, as UTF-8 text.
pub fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data");
    let mut texts = Vec::new();
    for dir in ["seeds", "dev"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("corpus directory")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        paths.sort();
        for p in paths {
            texts.push(std::fs::read_to_string(&p).expect("corpus files are UTF-8"));
        }
    }
    texts
}
