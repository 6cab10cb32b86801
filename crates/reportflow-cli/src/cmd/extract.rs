//! `reportflow extract`: runs both pipeline stages on local files (or standard input) and
//! prints the results as protobuf JSON, JSON lines of indicators, or a readable summary, or
//! writes one HTML review page per input (`--format html`, see [`crate::review`]).
//!
//! Each input is processed on its own: one that cannot be read or holds no usable text gets
//! `error: FILE: reason` on stderr, the others are still printed, and the exit code is 1.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use reportflow_core::Extractor;
use reportflow_proto::{convert, v1};

use crate::review::{self, gold::GoldSet, Gold, Page, Summary};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per input: normalized report, document, sections, indicators.
    Json,
    /// One indicator per line, as protobuf JSON.
    Jsonl,
    /// A readable summary: metadata, section outline, indicator table.
    Text,
    /// One self-contained HTML review page per input, written to `--out-dir` with an
    /// `index.html`: the text with every indicator highlighted, the outline, the indicator
    /// table (and, with `--gold`, the missed and unmatched facts).
    Html,
}

/// Arguments of `reportflow extract`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit status: 0 when every input was processed, 1 when some input failed (each failure is \
reported as `error: FILE: reason` on stderr and the other inputs are still printed), \
2 for usage errors.")]
pub struct Args {
    /// Report files to read; `-` or no file at all reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    /// With `--format json`: print each object on one line instead of pretty-printed.
    #[arg(long)]
    pub compact: bool,

    /// With `--format json`: include the normalized text (left out by default; every span
    /// refers to it).
    #[arg(long)]
    pub with_text: bool,

    /// Encoding hint for the raw bytes (e.g. `GBK`), used when it decodes them cleanly.
    #[arg(long, value_name = "LABEL")]
    pub charset: Option<String>,

    /// Content type of the inputs as the crawler saw it (e.g. `text/html`): a hint for the
    /// document format, which is read from the bytes (HTML, DOCX, PDF or plain text). Without
    /// it, a `.html`/`.htm` file name is the hint.
    #[arg(long, value_name = "MIME")]
    pub content_type: Option<String>,

    /// Write each input's indicators to `DIR/<file name>.jsonl` (one protobuf JSON indicator
    /// per line) instead of printing anything; standard input is written as `stdin.jsonl`.
    /// With `--format html` (where it is required): the pages `DIR/<file name>.html` and
    /// `DIR/index.html`. The directory is created when missing.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// With `--format html`: gold facts (JSONL, the format of
    /// `crates/reportflow-core/test_data/gold/README.md`) to compare each report with, matched
    /// by file name (`doc`); pages then mark missed facts and figures the gold lacks, with
    /// precision and recall. May be given more than once.
    #[arg(long, value_name = "FILE")]
    pub gold: Vec<PathBuf>,
}

/// One input: a file or standard input.
#[derive(Debug)]
enum Input<'a> {
    File(&'a Path),
    Stdin,
}

impl Input<'_> {
    /// How the input is named in messages.
    fn display(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => "<stdin>".to_owned(),
        }
    }

    /// The key recorded as the document's source.
    fn source_key(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => String::new(),
        }
    }

    /// The file name (what gold facts name a document by); `stdin` for standard input.
    fn file_name(&self) -> String {
        match self {
            Input::File(path) => path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            Input::Stdin => "stdin".to_owned(),
        }
    }

    /// Name of the per-input file written with `--out-dir`.
    fn out_name(&self) -> String {
        format!("{}.jsonl", self.file_name())
    }

    fn read(&self) -> anyhow::Result<Vec<u8>> {
        match self {
            Input::File(path) => std::fs::read(path).context("cannot read file"),
            Input::Stdin => {
                let mut buf = Vec::new();
                io::stdin()
                    .lock()
                    .read_to_end(&mut buf)
                    .context("cannot read standard input")?;
                Ok(buf)
            }
        }
    }
}

/// Runs `reportflow extract`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let inputs: Vec<Input<'_>> = if args.files.is_empty() {
        vec![Input::Stdin]
    } else {
        args.files
            .iter()
            .map(|p| {
                if p.as_os_str() == "-" {
                    Input::Stdin
                } else {
                    Input::File(p)
                }
            })
            .collect()
    };
    if args.format == Format::Html && args.out_dir.is_none() {
        return Ok(usage_error(
            "--format html writes pages to a directory: give --out-dir DIR",
        ));
    }
    if !args.gold.is_empty() && args.format != Format::Html {
        return Ok(usage_error("--gold is only used with --format html"));
    }
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output directory {}", dir.display()))?;
        if args.format == Format::Html {
            return run_html(args, &inputs, dir);
        }
    }

    let extractor = Extractor::default();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    let mut out_names = HashSet::new();
    for input in &inputs {
        let result = process(&extractor, args, input, &mut out, &mut out_names);
        if let Err(err) = result {
            if super::is_broken_pipe(&err) {
                return Err(err);
            }
            // Keep stdout and stderr in input order when both go to a terminal.
            out.flush()?;
            eprintln!("error: {}: {err:#}", input.display());
            failed += 1;
        }
    }
    out.flush()?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Prints a usage error; the exit code for it.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// `--format html`: one review page per input and the index, in `dir`.
fn run_html(args: &Args, inputs: &[Input<'_>], dir: &Path) -> anyhow::Result<ExitCode> {
    let gold = if args.gold.is_empty() {
        None
    } else {
        Some(review::gold::load(&args.gold)?)
    };
    let extractor = Extractor::default();
    // The index is written last; no page may take its name.
    let mut names = HashSet::from(["index.html".to_owned()]);
    let mut summaries = Vec::new();
    let mut failed = 0usize;
    for input in inputs {
        match write_page(&extractor, args, input, dir, gold.as_ref(), &mut names) {
            Ok(summary) => summaries.push(summary),
            Err(err) => {
                eprintln!("error: {}: {err:#}", input.display());
                summaries.push(Summary::failed(input.display(), format!("{err:#}")));
                failed += 1;
            }
        }
    }
    let index = dir.join("index.html");
    std::fs::write(&index, review::render_index(&summaries))
        .with_context(|| format!("cannot write {}", index.display()))?;
    eprintln!(
        "wrote {} page(s) and {}",
        summaries.len() - failed,
        index.display()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Extracts one input and writes its review page; returns its index line.
fn write_page(
    extractor: &Extractor,
    args: &Args,
    input: &Input<'_>,
    dir: &Path,
    gold: Option<&GoldSet>,
    names: &mut HashSet<String>,
) -> anyhow::Result<Summary> {
    let name = format!("{}.html", input.file_name());
    anyhow::ensure!(
        names.insert(name.clone()),
        "output file {name} was already written for an earlier input with the same name"
    );
    let raw = input.read()?;
    let source = source(args, input);
    let normalized = convert::normalize_raw(extractor, &raw, source, args.charset.as_deref())?;
    let extraction = convert::extract_normalized(extractor, &normalized);
    let facts = match (gold, input) {
        (None, _) => Gold::Off,
        (Some(g), Input::File(_)) => g
            .get(&input.file_name())
            .map_or(Gold::Absent, |f| Gold::Facts(f)),
        (Some(_), Input::Stdin) => Gold::Absent,
    };
    let display = input.display();
    let (html, summary) = review::render_page(&Page {
        input: &display,
        page: &name,
        extraction: &extraction,
        taxonomy: extractor.taxonomy(),
        gold: facts,
    });
    let path = dir.join(&name);
    std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(summary)
}

/// The source of an input: its key, and the content type (`--content-type`, or `text/html`
/// for a `.html`/`.htm` file) as the `content-type` header.
fn source(args: &Args, input: &Input<'_>) -> v1::Source {
    let source = v1::Source::with_key(input.source_key());
    let by_name = || {
        let name = input.file_name().to_ascii_lowercase();
        (name.ends_with(".html") || name.ends_with(".htm")).then(|| "text/html".to_owned())
    };
    match args.content_type.clone().or_else(by_name) {
        Some(ct) => source.header("content-type", ct),
        None => source,
    }
}

/// Extracts one input and writes its output.
fn process(
    extractor: &Extractor,
    args: &Args,
    input: &Input<'_>,
    out: &mut impl Write,
    out_names: &mut HashSet<String>,
) -> anyhow::Result<()> {
    let raw = input.read()?;
    let source = source(args, input);
    let normalized = convert::normalize_raw(extractor, &raw, source, args.charset.as_deref())?;
    let mut extraction = convert::extract_normalized(extractor, &normalized);

    if let Some(dir) = &args.out_dir {
        let name = input.out_name();
        anyhow::ensure!(
            out_names.insert(name.clone()),
            "output file {name} was already written for an earlier input with the same name"
        );
        let path = dir.join(&name);
        let mut buf = Vec::new();
        write_jsonl(&mut buf, &extraction)?;
        std::fs::write(&path, buf).with_context(|| format!("cannot write {}", path.display()))?;
        return Ok(());
    }

    match args.format {
        Format::Json => {
            if !args.with_text {
                if let Some(n) = extraction.normalized.as_mut() {
                    n.text.clear();
                }
            }
            let json = ExtractionJson::from(&extraction);
            if args.compact {
                serde_json::to_writer(&mut *out, &json)?;
            } else {
                serde_json::to_writer_pretty(&mut *out, &json)?;
            }
            writeln!(out)?;
        }
        Format::Jsonl => write_jsonl(out, &extraction)?,
        Format::Text => out.write_all(render_text(input, &extraction).as_bytes())?,
        Format::Html => anyhow::bail!("--format html needs --out-dir"),
    }
    Ok(())
}

/// The protobuf JSON of a `reportflow.v1.Extraction`, field for field, except that
/// `sections` and `indicators` are always present (the mapping omits empty lists by default;
/// parsers accept them either way), so readers of the command's output need not special-case
/// documents without findings.
#[derive(serde::Serialize)]
struct ExtractionJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    normalized: Option<&'a v1::NormalizedReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    document: Option<&'a v1::ReportDocument>,
    sections: &'a [v1::Section],
    indicators: &'a [v1::Indicator],
}

impl<'a> From<&'a v1::Extraction> for ExtractionJson<'a> {
    fn from(x: &'a v1::Extraction) -> Self {
        ExtractionJson {
            normalized: x.normalized.as_ref(),
            document: x.document.as_ref(),
            sections: &x.sections,
            indicators: &x.indicators,
        }
    }
}

/// One protobuf JSON indicator per line.
fn write_jsonl(out: &mut impl Write, extraction: &v1::Extraction) -> anyhow::Result<()> {
    for indicator in &extraction.indicators {
        serde_json::to_writer(&mut *out, indicator)?;
        writeln!(out)?;
    }
    Ok(())
}

/// The readable summary of one extraction.
fn render_text(input: &Input<'_>, x: &v1::Extraction) -> String {
    let mut s = String::new();
    let default_doc = v1::ReportDocument::default();
    let doc = x.document.as_ref().unwrap_or(&default_doc);
    let default_meta = v1::ReportMetadata::default();
    let meta = doc.metadata.as_ref().unwrap_or(&default_meta);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());

    let _ = writeln!(s, "== {}", input.display());
    let _ = writeln!(s, "doc_id     {}", doc.doc_id);
    if let Some(n) = x.normalized.as_ref() {
        let format = n
            .format()
            .as_str_name()
            .trim_start_matches("DOCUMENT_FORMAT_")
            .to_ascii_lowercase();
        let _ = writeln!(s, "format     {format}");
    }
    if let Some(enc) = x.normalized.as_ref().and_then(|n| n.encoding.as_ref()) {
        let method = enc
            .method()
            .as_str_name()
            .trim_start_matches("DETECTION_METHOD_")
            .to_ascii_lowercase();
        let _ = writeln!(
            s,
            "encoding   {} (by {method}, {} replaced)",
            enc.name, enc.replacement_count
        );
    }
    let _ = writeln!(s, "title      {}", opt(&meta.title));
    let _ = writeln!(s, "region     {}", opt(&meta.region));
    let _ = writeln!(s, "kind       {}", meta.kind().short_name());
    let years: Vec<String> = meta.years.iter().map(ToString::to_string).collect();
    let _ = writeln!(
        s,
        "years      {}",
        if years.is_empty() {
            "-".to_owned()
        } else {
            years.join(", ")
        }
    );
    let _ = writeln!(s, "meeting    {}", opt(&meta.meeting));
    let _ = writeln!(s, "date       {}", opt(&meta.date));
    let speaker = [&meta.speaker_title, &meta.speaker_name]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>();
    let _ = writeln!(
        s,
        "speaker    {}",
        if speaker.is_empty() {
            "-".to_owned()
        } else {
            speaker.join(" ")
        }
    );
    let _ = writeln!(s, "issued by  {}", opt(&meta.issuing_body));

    let _ = writeln!(s, "\nsections ({})", x.sections.len());
    for sec in &x.sections {
        let indent = "  ".repeat(sec.level.max(1) as usize);
        let _ = writeln!(s, "{indent}{}{}", sec.marker, sec.heading);
    }

    let _ = writeln!(s, "\nindicators ({})", x.indicators.len());
    if !x.indicators.is_empty() {
        let mut rows = vec![[
            "code".to_owned(),
            "metric".to_owned(),
            "kind".to_owned(),
            "period".to_owned(),
            "value".to_owned(),
            "yoy %".to_owned(),
        ]];
        for ind in &x.indicators {
            let value = match ind.value {
                Some(v) => format!("{v}{}", ind.unit),
                None => "-".to_owned(),
            };
            let mut yoy = ind
                .yoy_pct
                .map_or_else(|| "-".to_owned(), |p| format!("{p:+}"));
            if let Some(g) = &ind.other_growth {
                let _ = write!(yoy, " ({} {:+})", g.basis, g.pct);
            }
            rows.push([
                if ind.code.is_empty() {
                    "-".to_owned()
                } else {
                    ind.code.clone()
                },
                truncate_to_width(&ind.metric, METRIC_COLUMNS),
                ind.kind().short_name().to_owned(),
                ind.period.clone(),
                value,
                yoy,
            ]);
        }
        let widths: Vec<usize> = (0..6)
            .map(|c| rows.iter().map(|r| display_width(&r[c])).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let mut line = String::from("  ");
            for (c, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if c + 1 < row.len() {
                    line.push_str(&" ".repeat(widths[c] - display_width(cell) + 2));
                }
            }
            let _ = writeln!(s, "{}", line.trim_end());
        }
    }
    s.push('\n');
    s
}

/// Widest metric phrase shown in the text table, in terminal columns; longer ones are cut.
const METRIC_COLUMNS: usize = 24;

/// `s` cut to at most `max` terminal columns, with `…` marking a cut.
fn truncate_to_width(s: &str, max: usize) -> String {
    if display_width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut width = 0;
    for c in s.chars() {
        let w = if is_wide(c) { 2 } else { 1 };
        if width + w > max - 1 {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

/// Terminal columns a string takes: East Asian wide and fullwidth characters take two.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(display_width("gdp"), 3);
        assert_eq!(display_width("地区生产总值"), 12);
        assert_eq!(display_width("（一）"), 6);
    }

    #[test]
    fn long_metrics_are_cut_to_the_column_width() {
        assert_eq!(truncate_to_width("gdp", 24), "gdp");
        let cut = truncate_to_width("规模以上工业企业高技术制造业增加值占比", 24);
        assert_eq!(cut, "规模以上工业企业高技术…");
        assert!(display_width(&cut) <= 24);
    }

    #[test]
    fn out_names_keep_the_file_name() {
        let p = PathBuf::from("some/dir/000_efee8a99a23e30c8.txt");
        assert_eq!(Input::File(&p).out_name(), "000_efee8a99a23e30c8.txt.jsonl");
        assert_eq!(Input::Stdin.out_name(), "stdin.jsonl");
    }

    #[test]
    fn text_summary_lists_indicators() {
        let extraction = v1::Extraction {
            document: Some(v1::ReportDocument {
                doc_id: "abc".into(),
                metadata: Some(v1::ReportMetadata {
                    title: Some("标题".into()),
                    kind: v1::ReportKind::GovernmentWorkReport.into(),
                    years: vec![2021, 2022],
                    ..Default::default()
                }),
                ..Default::default()
            }),
            sections: vec![v1::Section {
                level: 1,
                marker: "一、".into(),
                heading: "回顾".into(),
                ..Default::default()
            }],
            indicators: vec![v1::Indicator {
                code: "gdp".into(),
                metric: "地区生产总值".into(),
                kind: v1::IndicatorKind::Target.into(),
                period: "2022".into(),
                yoy_pct: Some(6.0),
                ..Default::default()
            }],
            ..Default::default()
        };
        let p = PathBuf::from("x.txt");
        let text = render_text(&Input::File(&p), &extraction);
        assert!(text.contains("title      标题"), "{text}");
        assert!(text.contains("kind       government_work_report"), "{text}");
        assert!(text.contains("years      2021, 2022"), "{text}");
        assert!(text.contains("  一、回顾"), "{text}");
        assert!(text.contains("gdp   地区生产总值  target  2022"), "{text}");
        assert!(text.contains("+6"), "{text}");
    }
}
