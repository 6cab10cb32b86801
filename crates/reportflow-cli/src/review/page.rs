//! The review page of one report.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use reportflow_core::Taxonomy;
use reportflow_proto::v1;

use super::gold::{self, Comparison, GoldFact, Status};
use super::html::{esc, num, signed, Esc};
use super::paint::{self, find_number, Look, Marks, QuoteFinder, Range};
use super::{GoldSummary, Summary};

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Loads nothing from anywhere: everything a page needs is inline.
pub(super) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
    script-src 'unsafe-inline'; img-src data:";

/// The gold facts a page is compared with.
#[derive(Debug, Clone, Copy)]
pub enum Gold<'a> {
    /// No gold was given: no comparison.
    Off,
    /// Gold was given but has no facts for this document.
    Absent,
    /// The document's gold facts.
    Facts(&'a [GoldFact]),
}

/// One report to render.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    /// The input as named on the command line.
    pub input: &'a str,
    /// File name of the page (for the index).
    pub page: &'a str,
    /// Everything extracted, with the normalized text.
    pub extraction: &'a v1::Extraction,
    /// The taxonomy the codes come from.
    pub taxonomy: &'a Taxonomy,
    /// Gold facts to compare with.
    pub gold: Gold<'a>,
}

/// The kinds in the order pages list them.
const KINDS: [&str; 3] = ["actual", "target", "forecast"];

fn kind_name(ind: &v1::Indicator) -> &'static str {
    match ind.kind() {
        v1::IndicatorKind::Target => "target",
        v1::IndicatorKind::Forecast => "forecast",
        _ => "actual",
    }
}

/// Character ranges of an indicator's figures (level, growth, change) in the text.
fn figures(ind: &v1::Indicator, start: u32) -> Vec<(u32, u32)> {
    let q = &ind.quote;
    let from = match ind.metric.is_empty() {
        true => 0,
        false => q.find(&ind.metric).map_or(0, |b| b + ind.metric.len()),
    };
    let mut found = Vec::new();
    if let Some(v) = ind.value {
        found.extend(find_number(q, v, &ind.unit, from));
    }
    if let Some(y) = ind.yoy_pct {
        found.extend(find_number(q, y.abs(), "%", from));
    }
    if let Some(g) = &ind.other_growth {
        found.extend(find_number(q, g.pct.abs(), "%", from));
    }
    if let Some(pp) = ind.pp_change {
        found.extend(find_number(q, pp.abs(), "个百分点", from));
    }
    found.sort_unstable();
    found.dedup();
    found
        .into_iter()
        .map(|(s, e)| (start + s, start + e))
        .collect()
}

/// Character position of the end of the line starting at `start`, at most `end`.
fn line_end(text: &str, start: u32, end: u32) -> u32 {
    let mut at = start;
    for c in text.chars().skip(start as usize) {
        if at >= end || c == '\n' {
            break;
        }
        at += 1;
    }
    at
}

/// One table row and where it sorts by default (text position).
struct Row {
    pos: (u32, u32, u32),
    html: String,
}

/// Renders the page of one report; also returns its index line.
pub fn render_page(p: &Page<'_>) -> (String, Summary) {
    let x = p.extraction;
    let text = x.normalized.as_ref().map_or("", |n| n.text.as_str());
    let default_doc = v1::ReportDocument::default();
    let doc = x.document.as_ref().unwrap_or(&default_doc);
    let default_meta = v1::ReportMetadata::default();
    let meta = doc.metadata.as_ref().unwrap_or(&default_meta);
    let codes: HashSet<&str> = p.taxonomy.metrics.iter().map(|m| m.code.as_str()).collect();
    let facts: &[GoldFact] = match p.gold {
        Gold::Facts(f) => f,
        _ => &[],
    };
    let cmp: Option<Comparison> = match p.gold {
        Gold::Facts(f) => Some(gold::compare(&x.indicators, f, &codes)),
        _ => None,
    };

    // What is marked in the text.
    let looks: Vec<Look> = x
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| Look {
            kind: kind_name(ind),
            no_code: ind.code.is_empty(),
            extra: cmp
                .as_ref()
                .is_some_and(|c| c.indicators[i].status == Status::Extra),
        })
        .collect();
    let mut marks = Marks::default();
    for (i, ind) in x.indicators.iter().enumerate() {
        let Some(span) = ind.span else { continue };
        marks.quotes.push(Range {
            start: span.start,
            end: span.end,
            id: i,
        });
        for (start, end) in figures(ind, span.start) {
            marks.figures.push(Range { start, end, id: i });
        }
    }
    let finder = QuoteFinder::new(text);
    let mut fact_spans: Vec<Option<(u32, u32)>> = vec![None; facts.len()];
    if let Some(c) = &cmp {
        for (k, fact) in facts.iter().enumerate() {
            if c.facts[k].missed() {
                fact_spans[k] = finder.find(&fact.quote);
                if let Some((start, end)) = fact_spans[k] {
                    marks.gold.push(Range { start, end, id: k });
                }
            }
        }
    }
    for s in &x.sections {
        let Some(span) = s.span else { continue };
        marks.anchors.push(Range {
            start: span.start,
            end: span.start,
            id: s.section_id as usize,
        });
        marks.headings.push(Range {
            start: span.start,
            end: line_end(text, span.start, span.end),
            id: s.level as usize,
        });
    }

    let title = meta
        .title
        .clone()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| p.input.to_owned());
    let mut by_kind = [0usize; 3];
    for ind in &x.indicators {
        by_kind[KINDS.iter().position(|k| *k == kind_name(ind)).unwrap_or(0)] += 1;
    }
    let no_code = x.indicators.iter().filter(|i| i.code.is_empty()).count();
    let missed: Vec<usize> = cmp.as_ref().map_or_else(Vec::new, |c| {
        (0..facts.len()).filter(|&k| c.facts[k].missed()).collect()
    });
    let extra = cmp.as_ref().map_or(0, |c| {
        c.indicators
            .iter()
            .filter(|i| i.status == Status::Extra)
            .count()
    });

    let mut h = String::with_capacity(text.len() * 2 + 64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"reportflow {}\">\n\
         <title>{} · reportflow review</title>\n<style>\n{CSS}</style>\n</head>\n\
         <body data-doc=\"{}\"{}>\n",
        env!("CARGO_PKG_VERSION"),
        Esc(&title),
        Esc(&doc.doc_id),
        if cmp.is_some() { " class=\"gold\"" } else { "" },
    );

    // Header: metadata, counts, gold score, legend.
    let _ = write!(
        h,
        "<header id=\"top\">\n<div class=\"crumbs\"><a href=\"index.html\">All reports</a> · \
         <span class=\"file\" title=\"{}\">{}</span></div>\n<h1>{}</h1>\n<dl class=\"meta\">",
        Esc(p.input),
        Esc(file_name(p.input)),
        Esc(&title),
    );
    let mut field = |name: &str, value: &str| {
        if !value.is_empty() {
            let _ = write!(
                h,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                Esc(name),
                Esc(value)
            );
        }
    };
    let years: Vec<String> = meta.years.iter().map(ToString::to_string).collect();
    let speaker: Vec<&str> = [&meta.speaker_title, &meta.speaker_name]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let encoding = x.normalized.as_ref().and_then(|n| n.encoding.as_ref());
    field("kind", meta.kind().short_name());
    field("region", meta.region.as_deref().unwrap_or_default());
    field("years", &years.join(", "));
    field("date", meta.date.as_deref().unwrap_or_default());
    field("meeting", meta.meeting.as_deref().unwrap_or_default());
    field("speaker", &speaker.join(" "));
    field(
        "issued by",
        meta.issuing_body.as_deref().unwrap_or_default(),
    );
    field("encoding", encoding.map_or("", |e| e.name.as_str()));
    field("characters", &doc.text_chars.to_string());
    field("extractor", &doc.extractor_version);
    field("doc_id", &doc.doc_id);
    h.push_str("</dl>\n");
    let _ = writeln!(
        h,
        "<p class=\"counts\"><b id=\"n-sections\">{}</b> sections · <b id=\"n-indicators\">{}</b> \
         indicators: <span class=\"sw k-actual\"></span>{} actual, <span class=\"sw k-target\">\
         </span>{} target, <span class=\"sw k-forecast\"></span>{} forecast; \
         <span class=\"sw nc\"></span><b id=\"n-nocode\">{no_code}</b> without a taxonomy code</p>",
        x.sections.len(),
        x.indicators.len(),
        by_kind[0],
        by_kind[1],
        by_kind[2],
    );
    match (&p.gold, &cmp) {
        (Gold::Absent, _) => {
            h.push_str("<p id=\"score\" class=\"score\">The gold files have no facts for this document.</p>\n");
        }
        (Gold::Facts(_), Some(c)) => {
            let _ = writeln!(
                h,
                "<p id=\"score\" class=\"score\">Gold ({} facts): precision <b id=\"g-precision\">{:.3}\
                 </b> recall <b id=\"g-recall\">{:.3}</b> <small>(atoms: tp <span id=\"g-tp\">{}</span>, \
                 fp <span id=\"g-fp\">{}</span>, fn <span id=\"g-fn\">{}</span>)</small> · with period: \
                 precision {:.3} recall {:.3} <small>(tp {}, fp {}, fn {})</small> · \
                 <span class=\"sw g\"></span><b id=\"g-missed\">{}</b> facts missed · \
                 <span class=\"sw x\"></span><b id=\"g-extra\">{extra}</b> indicators not in the gold</p>",
                facts.len(),
                c.atoms.precision(),
                c.atoms.recall(),
                c.atoms.tp,
                c.atoms.fp,
                c.atoms.fn_,
                c.with_period.precision(),
                c.with_period.recall(),
                c.with_period.tp,
                c.with_period.fp,
                c.with_period.fn_,
                missed.len(),
            );
        }
        _ => {}
    }
    h.push_str(
        "<p class=\"legend\">Click a table row to find its figure in the text; click a highlight \
         to find its row. Highlights: the sentence a figure was read from, the figure itself \
         in bold; <span class=\"nc-demo\">wavy underline</span>: no taxonomy code.",
    );
    if cmp.is_some() {
        h.push_str(
            " <mark class=\"g\">dashed red</mark>: a gold fact that was missed; \
             <span class=\"x-demo\">red bar</span>: extracted, not in the gold.",
        );
    }
    h.push_str("</p>\n</header>\n<main>\n");

    // Outline.
    let mut per_section: BTreeMap<u32, usize> = BTreeMap::new();
    for ind in &x.indicators {
        if let Some(s) = ind.section_id {
            *per_section.entry(s).or_default() += 1;
        }
    }
    h.push_str("<nav id=\"outline\" aria-label=\"Sections\">\n<h2>Sections</h2>\n");
    if x.sections.is_empty() {
        h.push_str("<p class=\"empty\">No headings found.</p>\n");
    } else {
        write_outline(&mut h, &x.sections, &per_section);
    }
    h.push_str("</nav>\n");

    // Text.
    h.push_str("<article id=\"text-pane\">\n<div id=\"text\" lang=\"zh-CN\">");
    paint::paint(&mut h, text, &marks, &looks);
    h.push_str("</div>\n</article>\n");

    // Table.
    let mut rows: Vec<Row> = Vec::new();
    for (i, ind) in x.indicators.iter().enumerate() {
        rows.push(indicator_row(i, ind, cmp.as_ref().map(|c| c.indicators[i])));
    }
    for &k in &missed {
        let check = cmp.as_ref().map(|c| c.facts[k]);
        rows.push(fact_row(k, &facts[k], fact_spans[k], check));
    }
    rows.sort_by_key(|r| r.pos);
    let mut row_codes: BTreeSet<&str> = x.indicators.iter().map(|i| i.code.as_str()).collect();
    row_codes.extend(missed.iter().map(|&k| facts[k].code.as_str()));
    h.push_str("<section id=\"table-pane\" aria-label=\"Indicators\">\n<div class=\"filters\">");
    h.push_str("<label>code <select id=\"f-code\"><option value=\"*\">all</option>");
    for code in &row_codes {
        if code.is_empty() {
            h.push_str("<option value=\"\">(no code)</option>");
        } else {
            let name = p.taxonomy.get(code).map_or("", |m| m.name_zh.as_str());
            let _ = write!(
                h,
                "<option value=\"{0}\">{0}{1}{2}</option>",
                Esc(code),
                if name.is_empty() { "" } else { " · " },
                Esc(name)
            );
        }
    }
    h.push_str(
        "</select></label> <label>kind <select id=\"f-kind\"><option value=\"*\">all</option>",
    );
    for k in KINDS {
        let _ = write!(h, "<option>{k}</option>");
    }
    h.push_str("</select></label>");
    if cmp.is_some() {
        h.push_str("<label>gold <select id=\"f-status\"><option value=\"*\">all</option>");
        for s in ["match", "partial", "extra", "unscored", "missed"] {
            let _ = write!(h, "<option>{s}</option>");
        }
        h.push_str("</select></label>");
    }
    h.push_str(
        " <input id=\"f-text\" type=\"search\" placeholder=\"filter: metric, period, quote…\" \
         aria-label=\"filter rows\"> <span id=\"f-count\"></span></div>\n<div id=\"table-wrap\">\n<table id=\"ind\">\n<thead><tr>",
    );
    let mut headers = vec![
        ("#", "num"),
        ("code", "text"),
        ("metric", "text"),
        ("kind", "text"),
        ("period", "text"),
        ("value", "num"),
        ("unit", "text"),
        ("yoy %", "num"),
        ("qualifier", "text"),
    ];
    if cmp.is_some() {
        headers.push(("gold", "text"));
    }
    for (name, sort) in headers {
        let _ = write!(
            h,
            "<th data-sort=\"{sort}\" tabindex=\"0\" aria-sort=\"none\">{name}</th>"
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in &rows {
        h.push_str(&r.html);
    }
    h.push_str("</tbody>\n</table>\n");
    if rows.is_empty() {
        h.push_str("<p class=\"empty\">No indicators.</p>\n");
    }
    h.push_str("</div>\n");
    h.push_str("</section>\n</main>\n<script>\n");
    h.push_str(JS);
    h.push_str("</script>\n</body>\n</html>\n");

    let summary = Summary {
        input: p.input.to_owned(),
        page: p.page.to_owned(),
        error: None,
        doc_id: doc.doc_id.clone(),
        title: meta.title.clone().unwrap_or_default(),
        region: meta.region.clone().unwrap_or_default(),
        kind: meta.kind().short_name().to_owned(),
        years: years.join(", "),
        sections: x.sections.len(),
        indicators: x.indicators.len(),
        by_kind,
        no_code,
        gold: cmp.as_ref().map(|c| GoldSummary {
            atoms: c.atoms,
            with_period: c.with_period,
            missed: missed.len(),
            extra,
        }),
    };
    (h, summary)
}

/// The section tree as nested lists; a section with children can be folded.
fn write_outline(h: &mut String, sections: &[v1::Section], per_section: &BTreeMap<u32, usize>) {
    let ids: HashSet<u32> = sections.iter().map(|s| s.section_id).collect();
    let mut children: BTreeMap<Option<u32>, Vec<&v1::Section>> = BTreeMap::new();
    for s in sections {
        // Only a parent before the child counts: a malformed tree cannot loop.
        let parent = s.parent_id.filter(|p| ids.contains(p) && *p < s.section_id);
        children.entry(parent).or_default().push(s);
    }
    // Indicators in each section and the sections below it.
    let mut totals: BTreeMap<u32, usize> = BTreeMap::new();
    for s in sections.iter().rev() {
        let own = per_section.get(&s.section_id).copied().unwrap_or(0);
        let below: usize = children.get(&Some(s.section_id)).map_or(0, |c| {
            c.iter()
                .map(|c| totals.get(&c.section_id).copied().unwrap_or(0))
                .sum()
        });
        totals.insert(s.section_id, own + below);
    }
    // Iterative walk: (section, closing markup still to write).
    h.push_str("<ul class=\"tree\">");
    let mut stack: Vec<Result<&v1::Section, &'static str>> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|s| Ok(*s)).collect())
        .unwrap_or_default();
    while let Some(item) = stack.pop() {
        let s = match item {
            Ok(s) => s,
            Err(close) => {
                h.push_str(close);
                continue;
            }
        };
        let n = totals.get(&s.section_id).copied().unwrap_or(0);
        let count = if n > 0 {
            format!(" <span class=\"cnt\" title=\"indicators\">{n}</span>")
        } else {
            String::new()
        };
        let link = format!(
            "<a href=\"#s{}\" data-s=\"{}\">{}{}</a>{count}",
            s.section_id,
            s.section_id,
            Esc(&s.marker),
            Esc(&s.heading)
        );
        match children.get(&Some(s.section_id)) {
            Some(kids) => {
                let _ = write!(h, "<li><details open><summary>{link}</summary><ul>");
                stack.push(Err("</ul></details></li>"));
                stack.extend(kids.iter().rev().map(|k| Ok(*k)));
            }
            None => {
                let _ = write!(h, "<li>{link}</li>");
            }
        }
    }
    h.push_str("</ul>\n");
}

/// The last component of a path as given (`/` or `\\` separated).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A taxonomy code, escaped, with a line-break opportunity after each `_`.
fn code_cell(code: &str) -> String {
    esc(code).replace('_', "_<wbr>")
}

/// `class="…"` for a cell whose atom the gold has (`ok`) or lacks (`bad`).
fn atom_class(found: Option<bool>, bad: &'static str) -> &'static str {
    match found {
        Some(true) => " class=\"n ok\"",
        Some(false) => bad,
        None => " class=\"n\"",
    }
}

fn number_cell(h: &mut String, x: Option<f64>, shown: &str, class: &str, extra: &str) {
    let v = x.map_or_else(String::new, num);
    let _ = write!(h, "<td{class} data-v=\"{v}\">{}{extra}</td>", Esc(shown));
}

fn indicator_row(i: usize, ind: &v1::Indicator, check: Option<gold::IndicatorCheck>) -> Row {
    let span = ind.span.unwrap_or_default();
    let kind = kind_name(ind);
    let status = check.map(|c| c.status.name()).unwrap_or("");
    let mut h = String::new();
    let _ = write!(
        h,
        "<tr id=\"r{i}\" data-i=\"{i}\" data-id=\"{}\" data-code=\"{}\" data-kind=\"{kind}\" \
         data-status=\"{status}\" data-span=\"{}-{}\" title=\"{}\"{}>",
        Esc(&ind.indicator_id),
        Esc(&ind.code),
        span.start,
        span.end,
        Esc(&ind.quote),
        if status.is_empty() {
            String::new()
        } else {
            format!(" class=\"st-{status}\"")
        },
    );
    let _ = write!(
        h,
        "<td class=\"n\" data-v=\"{}\">{}</td>",
        span.start, ind.ordinal
    );
    if ind.code.is_empty() {
        h.push_str("<td class=\"nocode\" title=\"no taxonomy code\">—</td>");
    } else {
        let _ = write!(h, "<td class=\"c\">{}</td>", code_cell(&ind.code));
    }
    let _ = write!(
        h,
        "<td class=\"m\">{}</td><td class=\"k k-{kind}\">{kind}</td>",
        Esc(&ind.metric)
    );
    let period_class = match check.and_then(|c| c.period) {
        Some(false) => " class=\"bad\" title=\"the gold has another period\"",
        _ => "",
    };
    let _ = write!(h, "<td{period_class}>{}</td>", Esc(&ind.period));
    let bad = " class=\"n bad\" title=\"not in the gold\"";
    let value_class = check.map_or(" class=\"n\"", |c| atom_class(c.value, bad));
    number_cell(
        &mut h,
        ind.value,
        &ind.value.map(num).unwrap_or_default(),
        value_class,
        "",
    );
    let _ = write!(h, "<td>{}</td>", Esc(&ind.unit));
    let mut more = String::new();
    if let Some(g) = &ind.other_growth {
        let _ = write!(more, " <small>{} {}</small>", Esc(&g.basis), signed(g.pct));
    }
    if let Some(pp) = ind.pp_change {
        let _ = write!(more, " <small>{} pp</small>", signed(pp));
    }
    let yoy_class = check.map_or(" class=\"n\"", |c| atom_class(c.yoy, bad));
    number_cell(
        &mut h,
        ind.yoy_pct,
        &ind.yoy_pct.map(signed).unwrap_or_default(),
        yoy_class,
        &more,
    );
    let _ = write!(h, "<td>{}</td>", Esc(&ind.qualifier));
    if let Some(c) = check {
        let label = match c.status {
            Status::Match => "✓ match",
            Status::Partial => "partial",
            Status::Extra => "✗ not in gold",
            Status::Unscored => "–",
        };
        let _ = write!(h, "<td class=\"st\">{label}</td>");
    }
    h.push_str("</tr>\n");
    Row {
        pos: (span.start, 0, ind.ordinal),
        html: h,
    }
}

fn fact_row(
    k: usize,
    fact: &GoldFact,
    span: Option<(u32, u32)>,
    check: Option<gold::FactCheck>,
) -> Row {
    let mut h = String::new();
    let kind = if KINDS.contains(&fact.kind.as_str()) {
        fact.kind.as_str()
    } else {
        "actual"
    };
    let (start, span_attr) = match span {
        Some((s, e)) => (s, format!(" data-span=\"{s}-{e}\"")),
        None => (u32::MAX, String::new()),
    };
    let _ = write!(
        h,
        "<tr id=\"g{k}\" data-g=\"{k}\" data-code=\"{}\" data-kind=\"{kind}\" data-status=\"missed\"{span_attr} \
         class=\"st-missed{}\" title=\"{}\">",
        Esc(&fact.code),
        if span.is_none() { " unplaced" } else { "" },
        Esc(&fact.quote),
    );
    let _ = write!(h, "<td class=\"n\" data-v=\"{start}\">g{}</td>", k + 1);
    let _ = write!(
        h,
        "<td class=\"c\">{}</td><td class=\"m\">{}</td><td class=\"k k-{kind}\">{}</td><td>{}</td>",
        code_cell(&fact.code),
        Esc(&fact.metric),
        Esc(&fact.kind),
        Esc(&fact.period)
    );
    let miss = " class=\"n miss\" title=\"missed\"";
    let value_class = check.map_or(" class=\"n\"", |c| atom_class(c.value, miss));
    number_cell(
        &mut h,
        fact.value,
        &fact.value.map(num).unwrap_or_default(),
        value_class,
        "",
    );
    let _ = write!(h, "<td>{}</td>", Esc(&fact.unit));
    let more = fact
        .other_growth
        .as_ref()
        .map_or_else(String::new, |(basis, pct)| {
            format!(" <small>{} {}</small>", Esc(basis), signed(*pct))
        });
    let yoy_class = check.map_or(" class=\"n\"", |c| atom_class(c.yoy, miss));
    number_cell(
        &mut h,
        fact.yoy_pct,
        &fact.yoy_pct.map(signed).unwrap_or_default(),
        yoy_class,
        &more,
    );
    let _ = write!(h, "<td>{}</td>", Esc(&fact.qualifier));
    let place = if span.is_none() {
        " <small>(quote not found in the text)</small>"
    } else {
        ""
    };
    let _ = writeln!(h, "<td class=\"st\">missed{place}</td></tr>");
    Row {
        pos: (start, 1, u32::try_from(k).unwrap_or(u32::MAX)),
        html: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_cover_value_and_growth() {
        let ind = v1::Indicator {
            metric: "各项税收收入".into(),
            value: Some(152.8),
            unit: "亿元".into(),
            yoy_pct: Some(21.4),
            quote: "实现各项税收收入152.8亿元,同比增长21.4%".into(),
            ..Default::default()
        };
        assert_eq!(figures(&ind, 100), vec![(108, 115), (120, 125)]);
    }

    #[test]
    fn codes_may_break_after_underscores() {
        assert_eq!(
            code_cell("general_budget_revenue"),
            "general_<wbr>budget_<wbr>revenue"
        );
        assert_eq!(code_cell("a<b"), "a&lt;b");
        assert_eq!(file_name("dir/sub/a.txt"), "a.txt");
        assert_eq!(file_name("a.txt"), "a.txt");
    }

    #[test]
    fn heading_lines_end_at_the_newline() {
        assert_eq!(line_end("一、回顾\n正文", 0, 7), 4);
        assert_eq!(line_end("一、回顾\n正文", 0, 2), 2);
    }

    #[test]
    fn untrusted_strings_are_escaped_everywhere() {
        let evil = "<script>alert(1)</script>\"'&";
        let x = v1::Extraction {
            normalized: Some(v1::NormalizedReport {
                text: format!("{evil}\n增长5%"),
                ..Default::default()
            }),
            document: Some(v1::ReportDocument {
                doc_id: evil.into(),
                metadata: Some(v1::ReportMetadata {
                    title: Some(evil.into()),
                    region: Some(evil.into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            sections: vec![v1::Section {
                heading: evil.into(),
                marker: evil.into(),
                span: Some(v1::CharSpan { start: 0, end: 3 }),
                level: 1,
                ..Default::default()
            }],
            indicators: vec![v1::Indicator {
                metric: evil.into(),
                code: evil.into(),
                period: evil.into(),
                unit: evil.into(),
                qualifier: evil.into(),
                quote: "增长5%".into(),
                indicator_id: evil.into(),
                span: Some(v1::CharSpan { start: 29, end: 33 }),
                other_growth: Some(v1::OtherGrowth {
                    basis: evil.into(),
                    pct: 1.0,
                }),
                ..Default::default()
            }],
        };
        let taxonomy = Taxonomy::bundled();
        let fact = GoldFact {
            code: "gdp".into(),
            metric: evil.into(),
            kind: evil.into(),
            period: evil.into(),
            value: Some(1.0),
            unit: evil.into(),
            yoy_pct: None,
            other_growth: Some((evil.into(), 1.0)),
            qualifier: evil.into(),
            quote: evil.into(),
        };
        let facts = [fact];
        for gold in [Gold::Off, Gold::Facts(&facts)] {
            let (html, _) = render_page(&Page {
                input: evil,
                page: "p.html",
                extraction: &x,
                taxonomy: &taxonomy,
                gold,
            });
            assert!(!html.contains("<script>alert"), "{html}");
            assert!(
                !html.contains("\"'&"),
                "an unescaped quote or ampersand: {html}"
            );
            assert_eq!(html.matches("<script>").count(), 1);
        }
    }
}
