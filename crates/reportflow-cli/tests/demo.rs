//! End-to-end test of `reportflow demo`: the real binary, its embedded broker and in-process
//! workers; checks the printed report table and the per-topic message counts, and that a
//! second run in the same directory leaves a Parquet dataset without duplicate rows
//! (`reportflow parquet check`, and DuckDB when its Python package is installed).

use std::process::Command;
use std::time::Instant;

use reportflow_core::Extractor;
use reportflow_kafka::config::DEFAULT_DLQ_TOPIC as DLQ;
use reportflow_proto::topics::{
    DEFAULT_DOCUMENTS_TOPIC as DOCUMENTS, DEFAULT_INDICATORS_TOPIC as INDICATORS,
    DEFAULT_NORMALIZED_TOPIC as NORMALIZED, DEFAULT_RAW_TOPIC as RAW,
    DEFAULT_SECTIONS_TOPIC as SECTIONS,
};

/// The count printed for `topic` in the "messages per topic" table.
fn topic_count(stdout: &str, topic: &str) -> usize {
    let table = stdout
        .split("messages per topic:")
        .nth(1)
        .expect("a messages-per-topic table");
    table
        .lines()
        .find_map(|line| {
            let mut parts = line.split_whitespace();
            (parts.next() == Some(topic)).then(|| parts.next()?.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no count for {topic} in:\n{table}"))
}

#[test]
fn demo_runs_the_pipeline_and_prints_the_report() {
    let started = Instant::now();
    let parquet_dir =
        std::env::temp_dir().join(format!("reportflow-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&parquet_dir);
    let out = Command::new(env!("CARGO_BIN_EXE_reportflow"))
        .args(["demo", "--timeout-secs", "50", "--parquet-dir"])
        .arg(&parquet_dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run reportflow demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    eprintln!("demo took {:.1} s", started.elapsed().as_secs_f64());

    // Every seed's title and region, as the core reads them.
    let extractor = Extractor::default();
    let seeds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../reportflow-core/test_data/seeds");
    let mut files: Vec<_> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    let mut indicators = 0;
    let mut sections = 0;
    for file in &files {
        let report = extractor
            .extract(&std::fs::read(file).unwrap(), None)
            .unwrap();
        let title = report.metadata.title.expect("seed has a title");
        let region = report.metadata.region.expect("seed has a region");
        assert!(stdout.contains(&title), "{title} missing:\n{stdout}");
        assert!(stdout.contains(&region), "{region} missing:\n{stdout}");
        let name = file.file_name().unwrap().to_string_lossy();
        assert!(stdout.contains(name.as_ref()), "{name} missing");
        indicators += report.indicators.len();
        sections += report.sections.len();
    }
    // Headline codes appear in the tables.
    for code in ["gdp", "retail_sales", "general_budget_revenue"] {
        assert!(
            stdout.lines().any(|l| l.trim_start().starts_with(code)),
            "{code} missing:\n{stdout}"
        );
    }

    // Topic counts: 10 inputs, 8 good (five seeds, a GBK copy, an HTML page, a PDF), 2 dead
    // letters.
    assert_eq!(topic_count(&stdout, RAW), 10);
    assert_eq!(topic_count(&stdout, NORMALIZED), 8);
    assert_eq!(topic_count(&stdout, DOCUMENTS), 8);
    assert_eq!(topic_count(&stdout, DLQ), 2);
    // The seeds' own sections and indicators, plus the GBK copy's.
    assert!(topic_count(&stdout, SECTIONS) > sections);
    assert!(topic_count(&stdout, INDICATORS) > indicators);
    assert!(stdout.contains("bad/empty.txt"), "{stdout}");
    assert!(stdout.contains("undecodable"), "{stdout}");
    assert!(
        stdout.contains("2 dead letters for 2 bad inputs"),
        "{stdout}"
    );
    // The results were written by the Parquet sink, in its dataset layout.
    assert!(
        stdout.contains("written by the Parquet sink under"),
        "{stdout}"
    );
    for dataset in ["documents", "sections", "indicators"] {
        let dir = parquet_dir.join(dataset);
        let mut files = 0;
        let mut stack = vec![dir.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "parquet") {
                    files += 1;
                }
            }
        }
        assert!(files > 0, "no Parquet files under {}", dir.display());
    }
    assert!(stdout.contains("a fresh dataset"), "{stdout}");
    // The sink's loop stored every output record (it commits only what is durable, and the
    // demo waited for its commits to reach the end of every output topic).
    let outputs: usize = [DOCUMENTS, SECTIONS, INDICATORS]
        .iter()
        .map(|t| topic_count(&stdout, t))
        .sum();
    assert!(
        stdout.contains(&format!(
            "({outputs} records, 0 dead-lettered) written by the Parquet sink"
        )),
        "{stdout}"
    );
    let indicator_messages = topic_count(&stdout, INDICATORS);

    // A second run in the same directory replaces the dataset: no row twice.
    let out = Command::new(env!("CARGO_BIN_EXE_reportflow"))
        .args(["demo", "--timeout-secs", "50", "--parquet-dir"])
        .arg(&parquet_dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run reportflow demo again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("replacing the previous demo's dataset"),
        "{stdout}"
    );
    let check = Command::new(env!("CARGO_BIN_EXE_reportflow"))
        .args(["parquet", "check"])
        .arg(&parquet_dir)
        .output()
        .expect("run reportflow parquet check");
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{report}");
    let counts = |dataset: &str| -> Vec<usize> {
        let line = report
            .lines()
            .find(|l| l.starts_with(dataset))
            .unwrap_or_else(|| panic!("no {dataset} line in:\n{report}"));
        line.split_whitespace()
            .skip(1)
            .take(4)
            .map(|n| n.parse().unwrap())
            .collect()
    };
    // files, rows, distinct, duplicate rows
    let indicators = counts("indicators");
    assert_eq!(indicators[1], indicator_messages, "{report}");
    assert_eq!(indicators[1], indicators[2], "{report}");
    assert_eq!(indicators[3], 0, "{report}");
    assert!(
        report.contains("ok: every row is unique by its key"),
        "{report}"
    );

    // As an analyst reads it, when DuckDB's Python package is installed (`pip install duckdb`).
    let query = format!(
        "import duckdb; print(*duckdb.sql(\"select count(*), count(distinct indicator_id) \
         from read_parquet('{}/indicators/**/*.parquet', hive_partitioning = true)\").fetchall()[0])",
        parquet_dir.display()
    );
    match Command::new("python3").args(["-c", &query]).output() {
        Ok(o) if o.status.success() => {
            let got = String::from_utf8_lossy(&o.stdout).trim().to_string();
            assert_eq!(got, format!("{0} {0}", indicator_messages), "DuckDB");
        }
        _ => eprintln!("DuckDB (Python) not available; checked with the arrow reader only"),
    }
    let _ = std::fs::remove_dir_all(&parquet_dir);
}
