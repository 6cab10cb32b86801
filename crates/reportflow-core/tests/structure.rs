//! Golden tests of the structure stages on the five seed reports: the normalized opening
//! lines, the title-block metadata and the section tree of each seed, as reviewed text
//! snapshots, plus the invariants every normalized text must keep.

use std::fmt::Write;
use std::path::PathBuf;

use reportflow_core::{normalize, Extractor, Metadata, Section};

/// The seed reports, sorted by file name: (short name like `000`, text).
fn seeds() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test_data/seeds");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    assert_eq!(
        paths.len(),
        5,
        "expected the five seed reports in {}",
        dir.display()
    );
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.get(..3))
                .expect("seed name")
                .to_string();
            (name, std::fs::read_to_string(&p).expect("seed text"))
        })
        .collect()
}

fn render_metadata(m: &Metadata) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut s = String::new();
    let _ = writeln!(s, "title:         {}", opt(&m.title));
    let _ = writeln!(s, "region:        {}", opt(&m.region));
    let _ = writeln!(s, "kind:          {:?}", m.kind);
    let _ = writeln!(s, "years:         {:?}", m.years);
    let _ = writeln!(s, "meeting:       {}", opt(&m.meeting));
    let _ = writeln!(s, "date:          {}", opt(&m.date));
    let _ = writeln!(s, "speaker_name:  {}", opt(&m.speaker_name));
    let _ = writeln!(s, "speaker_title: {}", opt(&m.speaker_title));
    let _ = writeln!(s, "issuing_body:  {}", opt(&m.issuing_body));
    s
}

/// One line per section, indented by level: marker, heading, span, and the start of the
/// body so that a body that starts in the wrong place shows.
fn render_sections(sections: &[Section]) -> String {
    let mut s = String::new();
    for sec in sections {
        let body: String = sec.body.chars().take(12).collect();
        let _ = writeln!(
            s,
            "{}{} {} [{}..{}) body: {}…",
            "  ".repeat(sec.level.saturating_sub(1) as usize),
            if sec.marker.is_empty() {
                "·"
            } else {
                &sec.marker
            },
            sec.heading,
            sec.span.start,
            sec.span.end,
            body
        );
    }
    s
}

#[test]
fn seed_openings_normalize_as_reviewed() {
    for (name, raw) in seeds() {
        let text = normalize(&raw);
        let head: Vec<&str> = text.lines().take(40).collect();
        insta::assert_snapshot!(format!("{name}_head"), head.join("\n"));
    }
}

#[test]
fn seed_structure_as_reviewed() {
    let extractor = Extractor::default();
    for (name, raw) in seeds() {
        let text = normalize(&raw);
        let analysis = extractor.analyze(&text);
        let rendered = format!(
            "{}\nsections: {}\n{}",
            render_metadata(&analysis.metadata),
            analysis.sections.len(),
            render_sections(&analysis.sections)
        );
        insta::assert_snapshot!(format!("{name}_structure"), rendered);
    }
}

#[test]
fn normalize_is_idempotent_on_seeds() {
    for (name, raw) in seeds() {
        let once = normalize(&raw);
        let twice = normalize(&once);
        if once != twice {
            let diff = once
                .lines()
                .zip(twice.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("{a}\n  vs\n{b}"));
            panic!("seed {name} changes on a second pass: {diff:?}");
        }
    }
}

#[test]
fn normalized_seeds_keep_the_output_shape() {
    for (name, raw) in seeds() {
        let text = normalize(&raw);
        assert!(!text.ends_with('\n'), "{name}: trailing newline");
        for line in text.split('\n') {
            assert!(!line.is_empty(), "{name}: empty line");
            assert_eq!(line, line.trim(), "{name}: untrimmed line");
        }
        for bad in [
            "[bookmark",
            "**",
            "您当前的位置",
            "分享:",
            "字号:",
            "\u{3000}",
            "\u{a0}",
            "\r",
        ] {
            assert!(!text.contains(bad), "{name}: {bad:?} left in the text");
        }
        // Only the full-width forms with an ASCII twin are folded.
        assert!(
            !text.chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c)),
            "{name}"
        );
    }
}

#[test]
fn seed_sections_are_consistent() {
    let extractor = Extractor::default();
    for (name, raw) in seeds() {
        let text = normalize(&raw);
        let total = text.chars().count() as u32;
        let sections = extractor.analyze(&text).sections;
        assert!(!sections.is_empty(), "{name}: no sections");
        for (i, s) in sections.iter().enumerate() {
            assert_eq!(s.index as usize, i);
            assert!(
                s.span.start < s.span.end && s.span.end <= total,
                "{name}: span {s:?}"
            );
            let covered: String = text
                .chars()
                .skip(s.span.start as usize)
                .take((s.span.end - s.span.start) as usize)
                .collect();
            assert!(
                covered.starts_with(&s.marker),
                "{name}: span starts at the heading"
            );
            assert!(covered.contains(&s.body), "{name}: body inside the span");
            match s.parent {
                None => assert_eq!(s.level, 1),
                Some(p) => {
                    let parent = &sections[p as usize];
                    assert_eq!(parent.level + 1, s.level);
                    assert!(parent.span.start < s.span.start && s.span.end <= parent.span.end);
                }
            }
        }
    }
}
