//! Golden tests of the indicators of the five seed reports: every indicator, coded or
//! not, as one reviewed line of a text snapshot, so that any change in what the extractor
//! reads shows up in review. The gold score (`gold.rs`) checks the headline metrics against
//! hand-checked facts; these snapshots pin everything else too (uncoded metrics, baselines,
//! qualifiers, ranks, quotes and spans).

use std::fmt::Write;
use std::path::PathBuf;

use reportflow_core::{Extractor, Indicator};

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 5, "expected the five seed reports");
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy()[..3].to_string();
            (name, std::fs::read(&p).expect("seed bytes"))
        })
        .collect()
}

fn render(ind: &Indicator) -> String {
    let mut line = format!(
        "{} | {} | {:?} | {}",
        ind.code.as_deref().unwrap_or("-"),
        ind.metric,
        ind.kind,
        ind.period
    );
    if let Some(q) = &ind.quantity {
        let _ = write!(
            line,
            " | {}{} = {} {}",
            q.value, q.unit, q.base_value, q.base_unit
        );
    }
    if let Some(y) = ind.yoy_pct {
        let _ = write!(line, " | yoy {y}");
    }
    if let Some(o) = &ind.other_growth {
        let _ = write!(line, " | {} {}", o.basis, o.pct);
    }
    if let Some(pp) = ind.pp_change {
        let _ = write!(line, " | pp {pp}");
    }
    if let Some(q) = &ind.qualifier {
        let _ = write!(line, " | {q}");
    }
    if let Some(r) = &ind.rank {
        let _ = write!(line, " | rank {r}");
    }
    let _ = write!(
        line,
        "\n    § {} @{}..{} «{}»",
        ind.section.map_or("-".to_string(), |s| s.to_string()),
        ind.span.start,
        ind.span.end,
        ind.quote
    );
    line
}

#[test]
fn indicators_of_each_seed() {
    let extractor = Extractor::default();
    for (name, raw) in seeds() {
        let report = extractor.extract(&raw, None).expect("seed extracts");
        // Every quote is the text at its span, and every span lies in its section.
        for ind in &report.indicators {
            let at_span: String = report
                .text
                .chars()
                .skip(ind.span.start as usize)
                .take((ind.span.end - ind.span.start) as usize)
                .collect();
            assert_eq!(at_span, ind.quote, "{name}: span of {:?}", ind.metric);
            assert!(ind.quote.chars().count() <= 120, "{name}: long quote");
            if let Some(s) = ind.section {
                let section = &report.sections[s as usize];
                assert!(section.span.start <= ind.span.start && ind.span.start < section.span.end);
            }
        }
        let rendered: Vec<String> = report.indicators.iter().map(render).collect();
        insta::assert_snapshot!(format!("indicators_{name}"), rendered.join("\n"));
    }
}
