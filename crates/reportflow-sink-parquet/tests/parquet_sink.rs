//! End-to-end test of the Parquet sink: the five seed reports, as the extractor publishes
//! them, through a librdkafka mock cluster into Parquet files, read back with the parquet
//! crate's arrow reader and compared with the messages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, UInt32Type};
use arrow_array::{Array, RecordBatch};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use reportflow_kafka::SinkConfig;
use reportflow_proto::v1;
use reportflow_sink_parquet::{period_year, ParquetSink, Topics};
use reportflow_sink_testkit::*;

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.to_string_lossy().ends_with(ext) {
            out.push(p);
        }
    }
}

/// Every batch of every file of `dataset`, with the file's path.
fn read_dataset(root: &Path, dataset: &str) -> Vec<(PathBuf, RecordBatch)> {
    let mut paths = Vec::new();
    files(&root.join(dataset), ".parquet", &mut paths);
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let file = std::fs::File::open(&p).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            out.push((p.clone(), b.unwrap()));
        }
    }
    out
}

fn count(root: &Path, dataset: &str) -> usize {
    read_dataset(root, dataset)
        .iter()
        .map(|(_, b)| b.num_rows())
        .sum()
}

fn s(b: &RecordBatch, col: &str, row: usize) -> Option<String> {
    let a = b.column_by_name(col).unwrap().as_string::<i32>();
    (!a.is_null(row)).then(|| a.value(row).to_string())
}

fn f64_(b: &RecordBatch, col: &str, row: usize) -> Option<f64> {
    let a = b.column_by_name(col).unwrap().as_primitive::<Float64Type>();
    (!a.is_null(row)).then(|| a.value(row))
}

fn u32_(b: &RecordBatch, col: &str, row: usize) -> Option<u32> {
    let a = b.column_by_name(col).unwrap().as_primitive::<UInt32Type>();
    (!a.is_null(row)).then(|| a.value(row))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_the_seeds_as_parquet_that_reads_back_equal() {
    let seeds = Seeds::load();
    let topics = Topics::default();
    let cluster = cluster();
    let bootstrap = cluster.bootstrap_servers();
    let root = std::env::temp_dir().join(format!("reportflow-parquet-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);

    let mut messages = seeds.messages(&topics);
    messages.push((topics.sections.clone(), "garbage".into(), vec![0xff; 4]));
    produce(&bootstrap, &messages).await;

    let sink_config = SinkConfig {
        batch_max_records: 150,
        batch_max: Duration::from_millis(300),
        ..SinkConfig::default()
    };
    let (stop, task) = run_sink_task(
        runtime_config(&bootstrap, "sink-parquet-1"),
        sink_config,
        ParquetSink::new(&root, topics.clone()),
    );
    let start = Instant::now();
    let want = (
        seeds.documents.len(),
        seeds.sections.len(),
        seeds.indicators.len(),
    );
    let mut got = (0, 0, 0);
    while start.elapsed() < Duration::from_secs(60) {
        got = (
            count(&root, "documents"),
            count(&root, "sections"),
            count(&root, "indicators"),
        );
        if got == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.send(()).unwrap();
    let summary = task.await.unwrap().expect("clean stop");
    assert_eq!(
        got, want,
        "every message is one row (each message read once)"
    );
    assert_eq!(summary.dead_lettered, 1);

    // No temporary file is left; every file is in the documented layout.
    let mut tmp = Vec::new();
    files(&root, ".tmp", &mut tmp);
    assert!(tmp.is_empty(), "{tmp:?}");

    // Indicators equal their messages.
    let by_id: BTreeMap<&str, &v1::Indicator> = seeds
        .indicators
        .iter()
        .map(|i| (i.indicator_id.as_str(), i))
        .collect();
    let mut seen = 0;
    for (path, b) in read_dataset(&root, "indicators") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("part-reports.indicators-"), "{name}");
        let year_dir = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for row in 0..b.num_rows() {
            let id = s(&b, "indicator_id", row).unwrap();
            let ind = by_id[id.as_str()];
            seen += 1;
            assert_eq!(year_dir, format!("year={}", period_year(&ind.period)));
            let opt = |x: &str| (!x.is_empty()).then(|| x.to_string());
            assert_eq!(s(&b, "doc_id", row).unwrap(), ind.doc_id);
            assert_eq!(u32_(&b, "section_id", row), ind.section_id);
            assert_eq!(s(&b, "metric", row).unwrap(), ind.metric);
            assert_eq!(s(&b, "code", row), opt(&ind.code));
            let kind = v1::IndicatorKind::try_from(ind.kind).unwrap().short_name();
            assert_eq!(s(&b, "kind", row).as_deref(), Some(kind));
            assert_eq!(s(&b, "period", row).unwrap(), ind.period);
            assert_eq!(f64_(&b, "value", row), ind.value);
            assert_eq!(s(&b, "unit", row), opt(&ind.unit));
            assert_eq!(f64_(&b, "base_value", row), ind.base_value);
            assert_eq!(s(&b, "base_unit", row), opt(&ind.base_unit));
            assert_eq!(f64_(&b, "yoy_pct", row), ind.yoy_pct);
            assert_eq!(
                f64_(&b, "other_growth_pct", row),
                ind.other_growth.as_ref().map(|g| g.pct)
            );
            assert_eq!(
                s(&b, "other_growth_basis", row),
                ind.other_growth.as_ref().map(|g| g.basis.clone())
            );
            assert_eq!(f64_(&b, "pp_change", row), ind.pp_change);
            assert_eq!(s(&b, "qualifier", row), opt(&ind.qualifier));
            assert_eq!(s(&b, "rank", row), opt(&ind.rank));
            assert_eq!(s(&b, "quote", row).unwrap(), ind.quote);
            assert_eq!(u32_(&b, "span_start", row), ind.span.map(|x| x.start));
            assert_eq!(u32_(&b, "span_end", row), ind.span.map(|x| x.end));
            assert_eq!(u32_(&b, "ordinal", row), Some(ind.ordinal));
        }
    }
    assert_eq!(seen, seeds.indicators.len());

    // Documents equal their messages.
    let docs: BTreeMap<&str, &v1::ReportDocument> = seeds
        .documents
        .iter()
        .map(|d| (d.doc_id.as_str(), d))
        .collect();
    for (_, b) in read_dataset(&root, "documents") {
        for row in 0..b.num_rows() {
            let d = docs[s(&b, "doc_id", row).unwrap().as_str()];
            let m = d.metadata.clone().unwrap();
            assert_eq!(s(&b, "title", row), m.title);
            assert_eq!(s(&b, "region", row), m.region);
            let kind = v1::ReportKind::try_from(m.kind).unwrap().short_name();
            assert_eq!(s(&b, "report_kind", row).as_deref(), Some(kind));
            let years = b
                .column_by_name("years")
                .unwrap()
                .as_list::<i32>()
                .value(row);
            let years: Vec<i32> = years.as_primitive::<Int32Type>().values().to_vec();
            assert_eq!(years, m.years);
            let dates = b.column_by_name("report_date").unwrap();
            assert_eq!(dates.is_null(row), m.date.is_none());
            assert_eq!(u32_(&b, "section_count", row), Some(d.section_count));
            assert_eq!(u32_(&b, "indicator_count", row), Some(d.indicator_count));
        }
    }

    // Sections: every (doc_id, section_id) once, with its heading.
    let mut sections = BTreeMap::new();
    for (_, b) in read_dataset(&root, "sections") {
        for row in 0..b.num_rows() {
            let key = (
                s(&b, "doc_id", row).unwrap(),
                u32_(&b, "section_id", row).unwrap(),
            );
            assert!(sections
                .insert(key, s(&b, "heading", row).unwrap())
                .is_none());
        }
    }
    for sec in &seeds.sections {
        assert_eq!(
            sections.get(&(sec.doc_id.clone(), sec.section_id)),
            Some(&sec.heading)
        );
    }
    std::fs::remove_dir_all(&root).unwrap();
}
