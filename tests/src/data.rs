//! Test inputs, generated at run time from the seed reports of `reportflow-core`: the seeds in
//! several encodings, malformed inputs, and many distinct variants for the crash test.

use std::path::PathBuf;

use crate::kafka::Record;

/// One raw document to publish.
#[derive(Debug, Clone)]
pub struct Input {
    /// Unique name; also the record key, so dead letters (which keep the key) can be matched.
    pub name: String,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

impl Input {
    /// The record published for this input: key = name, a `source-url` header. No `charset`
    /// header, so the pipeline decodes exactly as `reportflow extract` without `--charset`.
    pub fn record(&self) -> Record {
        Record {
            key: self.name.clone().into_bytes(),
            value: self.bytes.clone(),
            headers: vec![(
                "source-url".to_string(),
                format!("e2e://{}", self.name).into_bytes(),
            )],
        }
    }
}

/// The directory of the seed reports.
pub fn seeds_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/reportflow-core/test_data/seeds")
}

/// The seed reports (short name, UTF-8 text), sorted by file name.
pub fn seeds() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(seeds_dir())
        .expect("seed directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 5, "expected five seed reports");
    paths
        .iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy();
            let short = stem.split('_').next().unwrap_or(&stem).to_string();
            (short, std::fs::read_to_string(p).expect("seed is UTF-8"))
        })
        .collect()
}

/// Names of the encodings [`encode`] produces.
pub const ENCODINGS: [&str; 5] = ["utf8", "utf8bom", "gbk", "gb18030", "utf16le"];

/// `text` in the encoding `name` (one of [`ENCODINGS`]).
pub fn encode(text: &str, name: &str) -> Vec<u8> {
    match name {
        "utf8" => text.as_bytes().to_vec(),
        "utf8bom" => [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(),
        // encoding_rs writes characters GBK lacks as numeric character references; the
        // expectations are computed from the same bytes, so that is fine.
        "gbk" => encoding_rs::GBK.encode(text).0.into_owned(),
        "gb18030" => encoding_rs::GB18030.encode(text).0.into_owned(),
        "utf16le" => {
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        }
        other => panic!("unknown encoding {other}"),
    }
}

/// Every seed in every encoding: `<seed>.<encoding>`.
pub fn encoded_seeds() -> Vec<Input> {
    let mut out = Vec::new();
    for (seed, text) in seeds() {
        for enc in ENCODINGS {
            out.push(Input {
                name: format!("{seed}.{enc}"),
                bytes: encode(&text, enc),
            });
        }
    }
    out
}

/// Size of the oversized input: over the runtime's default 16 MiB `max_message_bytes`.
pub const HUGE_BYTES: usize = 20 * 1024 * 1024;

/// Malformed inputs: random bytes (fixed seed), random control bytes, empty, GBK truncated in
/// the middle of a double-byte character, and a 20 MiB document (a seed repeated).
///
/// Whether each is dead-lettered is computed like for every input (`expect`). Since core
/// commit 032c9b5 the core rejects input full of control characters as `binary`, so both random
/// inputs are dead letters (before it, uniform random bytes decoded as windows-1252 "text").
/// Truncated GBK decodes with one replacement character and is a good document by design.
pub fn malformed() -> Vec<Input> {
    let seeds = seeds();
    let text = &seeds[0].1;
    vec![
        Input {
            name: "bad.random".into(),
            bytes: random_bytes(0x0005_EED0_FBAD, 64 * 1024),
        },
        Input {
            name: "bad.random-controls".into(),
            bytes: random_bytes(0x0C04_7201, 4096)
                .into_iter()
                .map(|b| b & 0x1F)
                .collect(),
        },
        Input {
            name: "bad.empty".into(),
            bytes: Vec::new(),
        },
        Input {
            name: "bad.truncated-gbk".into(),
            bytes: truncated_gbk(text, 3000),
        },
        Input {
            name: "bad.huge".into(),
            bytes: huge(text.as_bytes(), HUGE_BYTES),
        },
    ]
}

/// `len` pseudo-random bytes from `seed` (xorshift64*: reproducible without a dependency).
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.max(1);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend(x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// The GBK encoding of `text` cut after roughly `approx` bytes, in the middle of a
/// double-byte character (after its lead byte).
pub fn truncated_gbk(text: &str, approx: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, _) = encoding_rs::GBK.encode(c.encode_utf8(&mut buf));
        if out.len() >= approx && bytes.len() == 2 {
            out.push(bytes[0]);
            return out;
        }
        out.extend_from_slice(&bytes);
    }
    panic!("no double-byte character after {approx} bytes");
}

/// `unit` repeated (separated by newlines) to just over `len` bytes.
pub fn huge(unit: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + unit.len() + 1);
    while out.len() <= len {
        out.extend_from_slice(unit);
        out.push(b'\n');
    }
    out
}

/// `n` distinct documents (different doc_ids): the seeds in every encoding, each with a unique
/// closing line, cycling until `n`. Named `v<i>.<seed>.<encoding>`.
pub fn variants(n: usize) -> Vec<Input> {
    let seeds = seeds();
    let mut out = Vec::with_capacity(n);
    let mut i = 0usize;
    while out.len() < n {
        let (seed, text) = &seeds[i % seeds.len()];
        let enc = ENCODINGS[(i / seeds.len()) % ENCODINGS.len()];
        // A line with a number and no metric, so the document differs but reads the same.
        let varied = format!("{text}\n（本文档为测试副本，编号{i}）\n");
        out.push(Input {
            name: format!("v{i:04}.{seed}.{enc}"),
            bytes: encode(&varied, enc),
        });
        i += 1;
    }
    out
}
