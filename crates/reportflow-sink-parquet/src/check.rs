//! Verifying a dataset directory as its readers see it: every `*.parquet` file of the three
//! datasets read back with the arrow reader, rows counted against distinct keys
//! (`reportflow parquet check DIR` prints the result).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::UInt32Type;
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use crate::layout;

/// A file's offset range: start, end, path.
type Span<'a> = (i64, i64, &'a PathBuf);

/// Most example duplicates kept per dataset.
const EXAMPLES: usize = 5;

/// One dataset of a [`CheckReport`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetReport {
    /// `documents`, `sections` or `indicators`.
    pub name: &'static str,
    /// The key its rows are unique by.
    pub key: &'static str,
    /// `*.parquet` files read.
    pub files: usize,
    /// Rows in them.
    pub rows: u64,
    /// Distinct keys among the rows.
    pub distinct: u64,
    /// A few keys found more than once, with two files holding them.
    pub examples: Vec<(String, PathBuf, PathBuf)>,
    /// Files of one partition's offsets in one directory whose ranges overlap (files written
    /// with another `offsets_per_file`, or by an older sink that cut files by batch).
    pub overlapping: Vec<(PathBuf, PathBuf)>,
}

impl DatasetReport {
    /// Rows beyond the first of their key.
    pub fn duplicate_rows(&self) -> u64 {
        self.rows - self.distinct
    }
}

/// What [`check`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The dataset directory.
    pub dir: PathBuf,
    /// The offset range size of its marker, if it has one.
    pub offsets_per_file: Option<u64>,
    /// Documents, sections, indicators.
    pub datasets: Vec<DatasetReport>,
    /// Source partitions with an open (provisional) last range.
    pub open_partitions: usize,
    /// Leftover temporary files (a crash mid-write); readers ignore them.
    pub temporary_files: Vec<PathBuf>,
}

impl CheckReport {
    /// Whether every row of every dataset is unique by its key.
    pub fn is_ok(&self) -> bool {
        self.datasets.iter().all(|d| d.rows == d.distinct)
    }

    /// The dataset called `name`.
    pub fn dataset(&self, name: &str) -> Option<&DatasetReport> {
        self.datasets.iter().find(|d| d.name == name)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offsets_per_file {
            Some(n) => writeln!(
                f,
                "{}: files of {n} offsets per partition; {} partitions with an open range",
                self.dir.display(),
                self.open_partitions
            )?,
            None => writeln!(
                f,
                "{}: no {} (not written by this version of the sink)",
                self.dir.display(),
                layout::MARKER
            )?,
        }
        writeln!(
            f,
            "{:<11} {:>7} {:>10} {:>10} {:>10}  key",
            "dataset", "files", "rows", "distinct", "duplicate"
        )?;
        for d in &self.datasets {
            writeln!(
                f,
                "{:<11} {:>7} {:>10} {:>10} {:>10}  {}",
                d.name,
                d.files,
                d.rows,
                d.distinct,
                d.duplicate_rows(),
                d.key
            )?;
        }
        for d in &self.datasets {
            for (key, a, b) in &d.examples {
                writeln!(
                    f,
                    "duplicate {} {key}: in {} and {}",
                    d.key,
                    a.display(),
                    b.display()
                )?;
            }
            for (a, b) in d.overlapping.iter().take(EXAMPLES) {
                writeln!(
                    f,
                    "overlapping offset ranges: {} and {}",
                    a.display(),
                    b.display()
                )?;
            }
        }
        if !self.temporary_files.is_empty() {
            writeln!(
                f,
                "{} leftover temporary files (ignored by readers of *.parquet)",
                self.temporary_files.len()
            )?;
        }
        if self.is_ok() {
            writeln!(f, "ok: every row is unique by its key")
        } else {
            let dup: u64 = self
                .datasets
                .iter()
                .map(DatasetReport::duplicate_rows)
                .sum();
            writeln!(
                f,
                "NOT OK: {dup} rows repeat a key; readers counting rows count them twice"
            )
        }
    }
}

/// Every file below `dir` whose name ends in `suffix`, sorted.
fn files(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, suffix, out)?;
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
    out.sort();
    Ok(())
}

/// The key of every row of `batch`.
fn keys(dataset: &str, batch: &RecordBatch) -> io::Result<Vec<String>> {
    let bad = |m: &str| io::Error::new(io::ErrorKind::InvalidData, m.to_string());
    let string_col = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_string_opt::<i32>())
            .ok_or_else(|| bad(&format!("no string column `{name}`")))
    };
    Ok(match dataset {
        "sections" => {
            let doc = string_col("doc_id")?;
            let section = batch
                .column_by_name("section_id")
                .and_then(|c| c.as_primitive_opt::<UInt32Type>())
                .ok_or_else(|| bad("no UInt32 column `section_id`"))?;
            (0..batch.num_rows())
                .map(|i| format!("({}, {})", doc.value(i), section.value(i)))
                .collect()
        }
        "documents" => {
            let doc = string_col("doc_id")?;
            (0..doc.len()).map(|i| doc.value(i).to_string()).collect()
        }
        _ => {
            let id = string_col("indicator_id")?;
            (0..id.len()).map(|i| id.value(i).to_string()).collect()
        }
    })
}

/// Reads every `*.parquet` file of the three datasets below `dir` (key columns only) and
/// counts rows, distinct keys and files; also lists overlapping offset ranges, leftover
/// temporary files and open ranges.
pub fn check(dir: &Path) -> io::Result<CheckReport> {
    if !dir.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{} is not a directory", dir.display()),
        ));
    }
    let mut report = CheckReport {
        dir: dir.to_path_buf(),
        offsets_per_file: layout::read_marker(dir)?,
        ..CheckReport::default()
    };
    for (name, key, columns) in [
        ("documents", "doc_id", &["doc_id"][..]),
        (
            "sections",
            "(doc_id, section_id)",
            &["doc_id", "section_id"][..],
        ),
        ("indicators", "indicator_id", &["indicator_id"][..]),
    ] {
        let mut paths = Vec::new();
        files(&dir.join(name), ".parquet", &mut paths)?;
        let mut d = DatasetReport {
            name,
            key,
            ..DatasetReport::default()
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (index, path) in paths.iter().enumerate() {
            let file = match File::open(path) {
                Ok(f) => f,
                // Removed by a sink writing meanwhile (a stale copy in another year directory).
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            d.files += 1;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            })?;
            let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
            let reader = builder
                .with_projection(mask)
                .build()
                .map_err(io::Error::other)?;
            for batch in reader {
                let batch = batch.map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                for key in keys(name, &batch)? {
                    d.rows += 1;
                    if let Some(&first) = seen.get(&key) {
                        if d.examples.len() < EXAMPLES {
                            d.examples.push((key, paths[first].clone(), path.clone()));
                        }
                    } else {
                        seen.insert(key, index);
                    }
                }
            }
        }
        d.distinct = seen.len() as u64;
        // Overlapping ranges among the files of one directory and source partition.
        let mut by_partition: BTreeMap<(PathBuf, String, i32), Vec<Span<'_>>> = BTreeMap::new();
        for path in &paths {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if let Some((topic, partition, start, end)) = layout::parse_file_name(&name) {
                let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
                by_partition
                    .entry((parent, topic, partition))
                    .or_default()
                    .push((start, end, path));
            }
        }
        for ranges in by_partition.values_mut() {
            ranges.sort();
            for pair in ranges.windows(2) {
                if pair[1].0 <= pair[0].1 {
                    d.overlapping.push((pair[0].2.clone(), pair[1].2.clone()));
                }
            }
        }
        report.datasets.push(d);
    }
    let mut tmp = Vec::new();
    for name in layout::DATASETS.iter().chain([&layout::STATE_DIR]) {
        files(&dir.join(name), ".tmp", &mut tmp)?;
    }
    report.temporary_files = tmp;
    let mut states = Vec::new();
    files(&dir.join(layout::STATE_DIR), ".state", &mut states)?;
    report.open_partitions = states.len();
    Ok(report)
}
