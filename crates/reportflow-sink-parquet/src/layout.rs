//! The on-disk layout of a dataset directory: file names derived from offset ranges, the
//! dataset marker, the per-partition state of the open offset range, and atomic durable
//! writes (temporary name, fsync, rename, fsync of the directory).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The dataset marker: records the offset range size the files were cut at.
pub const MARKER: &str = "_reportflow_parquet.toml";
/// Directory of the per-partition state files (the records of each open offset range).
pub const STATE_DIR: &str = "_state";
/// The three dataset directories.
pub const DATASETS: [&str; 3] = ["documents", "sections", "indicators"];

/// Version of the marker's format.
const MARKER_FORMAT: i64 = 1;
/// First bytes of a state file.
const STATE_MAGIC: &[u8] = b"reportflow-parquet-state 1\n";

/// A topic name made safe for a file name (Kafka's legal characters are kept).
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The offset range `[start, end]` (inclusive) of size `size` holding `offset`.
pub fn range_of(offset: i64, size: u64) -> (i64, i64) {
    let size = i64::try_from(size).unwrap_or(i64::MAX).max(1);
    let start = offset.div_euclid(size) * size;
    (start, start.saturating_add(size - 1))
}

/// The name of the file holding the offsets `[start, end]` of `topic`'s `partition`: a
/// function of the range only, never of batching or timing.
pub fn file_name(topic: &str, partition: i32, start: i64, end: i64) -> String {
    format!(
        "part-{}-{partition}-{start:020}-{end:020}.parquet",
        sanitize(topic)
    )
}

/// Parses a [`file_name`]: `(topic, partition, start, end)`.
pub fn parse_file_name(name: &str) -> Option<(String, i32, i64, i64)> {
    let stem = name.strip_prefix("part-")?.strip_suffix(".parquet")?;
    let mut parts = stem.rsplitn(4, '-');
    let end = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    let partition = parts.next()?.parse().ok()?;
    let topic = parts.next()?.to_string();
    Some((topic, partition, start, end))
}

/// Fsyncs a directory, so that the renames and removals in it are durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Writes `dir/name` atomically and durably: `write` fills `dir/<tmp>`, which is fsynced and
/// renamed over `dir/name`. The caller fsyncs `dir` afterwards (once for many files).
pub fn write_atomic(
    dir: &Path,
    name: &str,
    tmp: &str,
    write: impl FnOnce(&File) -> io::Result<()>,
) -> io::Result<PathBuf> {
    let path = dir.join(name);
    let tmp = dir.join(tmp);
    let result = (|| {
        let file = File::create(&tmp)?;
        write(&file)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Reads the dataset marker of `dir`: the offset range size, or `None` when there is none.
pub fn read_marker(dir: &Path) -> io::Result<Option<u64>> {
    let text = match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let bad = |m: String| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {m}", dir.join(MARKER).display()),
        )
    };
    let table: toml::Table = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    match table.get("format").and_then(toml::Value::as_integer) {
        Some(MARKER_FORMAT) => {}
        other => return Err(bad(format!("unknown format {other:?}"))),
    }
    table
        .get("offsets_per_file")
        .and_then(toml::Value::as_integer)
        .and_then(|n| u64::try_from(n).ok())
        .filter(|&n| n > 0)
        .map(Some)
        .ok_or_else(|| bad("no positive `offsets_per_file`".into()))
}

/// Writes the dataset marker of `dir` (atomically; a concurrent writer writes the same text).
pub fn write_marker(dir: &Path, offsets_per_file: u64) -> io::Result<()> {
    let text = format!(
        "# Written by reportflow-sink-parquet. Every file of this dataset holds one range of\n\
         # {offsets_per_file} Kafka offsets of one partition; writing with another size would cut\n\
         # files that overlap these: use a new directory instead.\n\
         format = {MARKER_FORMAT}\n\
         offsets_per_file = {offsets_per_file}\n"
    );
    let tmp = format!("{MARKER}.{}.tmp", std::process::id());
    write_atomic(dir, MARKER, &tmp, |mut f| f.write_all(text.as_bytes()))?;
    sync_dir(dir)
}

/// Whether any `*.parquet` file lies below the dataset directories of `dir`.
pub fn has_parquet_files(dir: &Path) -> bool {
    fn walk(p: &Path) -> bool {
        let Ok(entries) = std::fs::read_dir(p) else {
            return false;
        };
        entries.flatten().any(|e| {
            let path = e.path();
            if path.is_dir() {
                walk(&path)
            } else {
                path.extension().is_some_and(|x| x == "parquet")
            }
        })
    }
    DATASETS.iter().any(|d| walk(&dir.join(d)))
}

/// Whether `dir` holds nothing but a dataset of this sink (its three directories, the state
/// directory and the marker), so that replacing it loses nothing else. An empty directory
/// qualifies.
pub fn is_dataset_dir(dir: &Path) -> io::Result<bool> {
    if !dir.is_dir() {
        return Ok(false);
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let dir_ok =
            entry.file_type()?.is_dir() && (DATASETS.contains(&name.as_str()) || name == STATE_DIR);
        if !(dir_ok || name == MARKER) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The state of one source partition: every offset below `complete_below` is in complete
/// files; `records` are the values of the open range (at or above `complete_below`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PartitionState {
    /// Offsets below this are in files that will not change again.
    pub complete_below: i64,
    /// Raw values of the open range, by offset.
    pub records: BTreeMap<i64, Vec<u8>>,
}

/// Where the state of `topic`'s `partition` lives.
pub fn state_path(dir: &Path, topic: &str, partition: i32) -> PathBuf {
    dir.join(STATE_DIR)
        .join(format!("{}-{partition}.state", sanitize(topic)))
}

/// Reads a state file; `None` when it does not exist.
pub fn read_state(path: &Path) -> io::Result<Option<PartitionState>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let bad = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a valid state file", path.display()),
        )
    };
    let body = bytes.strip_prefix(STATE_MAGIC).ok_or_else(bad)?;
    let mut pos = 0;
    let mut take = |n: usize| -> io::Result<&[u8]> {
        let end = pos + n;
        let head = body.get(pos..end).ok_or_else(bad)?;
        pos = end;
        Ok(head)
    };
    let i64_ = |b: &[u8]| i64::from_le_bytes(b.try_into().expect("8 bytes"));
    let complete_below = i64_(take(8)?);
    let count = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let mut records = BTreeMap::new();
    for _ in 0..count {
        let offset = i64_(take(8)?);
        let len = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes")) as usize;
        records.insert(offset, take(len)?.to_vec());
    }
    if pos != body.len() {
        return Err(bad());
    }
    Ok(Some(PartitionState {
        complete_below,
        records,
    }))
}

/// Writes a state file atomically and durably (including its directory).
pub fn write_state(path: &Path, state: &PartitionState) -> io::Result<()> {
    let dir = path.parent().expect("a state file has a directory");
    std::fs::create_dir_all(dir)?;
    let mut bytes = Vec::with_capacity(
        STATE_MAGIC.len() + 16 + state.records.values().map(|v| 12 + v.len()).sum::<usize>(),
    );
    bytes.extend_from_slice(STATE_MAGIC);
    bytes.extend_from_slice(&state.complete_below.to_le_bytes());
    bytes.extend_from_slice(&(state.records.len() as u64).to_le_bytes());
    for (offset, value) in &state.records {
        let len = u32::try_from(value.len())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a record over 4 GiB"))?;
        bytes.extend_from_slice(&offset.to_le_bytes());
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(value);
    }
    let name = path
        .file_name()
        .expect("a state file has a name")
        .to_string_lossy()
        .into_owned();
    write_atomic(dir, &name, &format!("{name}.tmp"), |mut f| {
        f.write_all(&bytes)
    })?;
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_ranges_and_parse_back() {
        assert_eq!(range_of(0, 100), (0, 99));
        assert_eq!(range_of(99, 100), (0, 99));
        assert_eq!(range_of(100, 100), (100, 199));
        assert_eq!(range_of(7, 1), (7, 7));
        let name = file_name("reports.indicators", 2, 100, 199);
        assert_eq!(
            name,
            "part-reports.indicators-2-00000000000000000100-00000000000000000199.parquet"
        );
        assert_eq!(
            parse_file_name(&name),
            Some(("reports.indicators".into(), 2, 100, 199))
        );
        assert_eq!(
            parse_file_name(&file_name("my-topic", 0, 0, 9)),
            Some(("my-topic".into(), 0, 0, 9))
        );
        assert_eq!(parse_file_name("part-x.parquet"), None);
        assert_eq!(sanitize("a/b"), "a_b");
    }

    #[test]
    fn state_files_round_trip_and_refuse_garbage() {
        let dir = std::env::temp_dir().join(format!("rf-pq-state-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = state_path(&dir, "reports.sections", 1);
        assert_eq!(read_state(&path).unwrap(), None);
        let state = PartitionState {
            complete_below: 200,
            records: BTreeMap::from([(200, vec![1, 2, 3]), (205, vec![]), (250, vec![9; 70])]),
        };
        write_state(&path, &state).unwrap();
        assert_eq!(read_state(&path).unwrap(), Some(state));
        std::fs::write(&path, b"reportflow-parquet-state 1\n\x01").unwrap();
        assert_eq!(
            read_state(&path).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_marker_round_trips() {
        let dir = std::env::temp_dir().join(format!("rf-pq-marker-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(read_marker(&dir).unwrap(), None);
        assert!(is_dataset_dir(&dir).unwrap());
        write_marker(&dir, 5000).unwrap();
        assert_eq!(read_marker(&dir).unwrap(), Some(5000));
        assert!(is_dataset_dir(&dir).unwrap());
        std::fs::write(dir.join("notes.txt"), "mine").unwrap();
        assert!(!is_dataset_dir(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
