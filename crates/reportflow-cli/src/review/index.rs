//! The index page: every report of a run with its counts (and gold scores), linking to the
//! report pages; `index.html#doc=<doc_id>&i=<indicator_id>` forwards to a report's page.

use std::fmt::Write as _;

use super::gold::Counts;
use super::html::Esc;
use super::page::CSP;
use super::Summary;

const CSS: &str = include_str!("page.css");
const JS: &str = include_str!("page.js");

/// Renders the index of `reports`, in the given order.
pub fn render_index(reports: &[Summary]) -> String {
    let with_gold = reports.iter().any(|r| r.gold.is_some());
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>reportflow review · {} reports</title>\n<style>\n{CSS}</style>\n</head>\n\
         <body class=\"index\">\n<header id=\"top\">\n<h1>reportflow review · {} reports</h1>\n",
        reports.len(),
        reports.len(),
    );
    let failed = reports.iter().filter(|r| r.error.is_some()).count();
    let indicators: usize = reports.iter().map(|r| r.indicators).sum();
    let _ = writeln!(
        h,
        "<p class=\"counts\"><b>{}</b> pages, <b>{indicators}</b> indicators{}.</p>",
        reports.len() - failed,
        if failed > 0 {
            format!(", <b>{failed}</b> inputs failed")
        } else {
            String::new()
        }
    );
    if with_gold {
        let mut atoms = Counts::default();
        let mut with_period = Counts::default();
        let mut n = 0;
        for g in reports.iter().filter_map(|r| r.gold) {
            atoms.add(g.atoms);
            with_period.add(g.with_period);
            n += 1;
        }
        let _ = writeln!(
            h,
            "<p id=\"score\" class=\"score\">Gold, over the {n} reports it covers: precision \
             <b id=\"g-precision\">{:.3}</b> recall <b id=\"g-recall\">{:.3}</b> <small>(tp {}, fp {}, \
             fn {})</small> · with period: precision {:.3} recall {:.3} <small>(tp {}, fp {}, fn {})\
             </small></p>",
            atoms.precision(),
            atoms.recall(),
            atoms.tp,
            atoms.fp,
            atoms.fn_,
            with_period.precision(),
            with_period.recall(),
            with_period.tp,
            with_period.fp,
            with_period.fn_,
        );
    }
    h.push_str(
        "<p class=\"legend\">Click a column to sort. A warehouse row links here as \
         <code>index.html#doc=&lt;doc_id&gt;&amp;i=&lt;indicator_id&gt;</code> (or \
         <code>&amp;span=&lt;start&gt;-&lt;end&gt;</code>).</p>\n</header>\n<main class=\"index\">\n\
         <table id=\"reports\">\n<thead><tr>",
    );
    let mut headers = vec![
        ("report", "text"),
        ("title", "text"),
        ("region", "text"),
        ("kind", "text"),
        ("years", "text"),
        ("sections", "num"),
        ("indicators", "num"),
        ("actual", "num"),
        ("target", "num"),
        ("forecast", "num"),
        ("no code", "num"),
    ];
    if with_gold {
        headers.extend([
            ("precision", "num"),
            ("recall", "num"),
            ("missed", "num"),
            ("not in gold", "num"),
        ]);
    }
    for (name, sort) in headers {
        let _ = write!(
            h,
            "<th data-sort=\"{sort}\" tabindex=\"0\" aria-sort=\"none\">{name}</th>"
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in reports {
        if let Some(err) = &r.error {
            let _ = writeln!(
                h,
                "<tr class=\"failed\"><td>{}</td><td colspan=\"{}\">failed: {}</td></tr>",
                Esc(&r.input),
                if with_gold { 14 } else { 10 },
                Esc(err)
            );
            continue;
        }
        let _ = write!(
            h,
            "<tr data-doc=\"{}\" data-page=\"{}\"><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td>",
            Esc(&r.doc_id),
            Esc(&r.page),
            Esc(&url_path(&r.page)),
            Esc(&r.input),
            Esc(&r.title),
            Esc(&r.region),
            Esc(&r.kind),
            Esc(&r.years),
        );
        for n in [
            r.sections,
            r.indicators,
            r.by_kind[0],
            r.by_kind[1],
            r.by_kind[2],
            r.no_code,
        ] {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        if with_gold {
            match r.gold {
                Some(g) => {
                    let _ = write!(
                        h,
                        "<td class=\"n\">{:.3}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td>\
                         <td class=\"n\">{}</td>",
                        g.atoms.precision(),
                        g.atoms.recall(),
                        g.missed,
                        g.extra
                    );
                }
                None => h.push_str("<td colspan=\"4\" class=\"empty\">no gold</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</main>\n<script>\n");
    h.push_str(JS);
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

/// A file name as a relative URL: everything but unreserved characters percent-encoded.
fn url_path(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_are_percent_encoded() {
        assert_eq!(url_path("a b#1.txt.html"), "a%20b%231.txt.html");
        assert_eq!(url_path("报告.html"), "%E6%8A%A5%E5%91%8A.html");
    }

    #[test]
    fn failed_inputs_are_listed() {
        let html = render_index(&[Summary::failed("x<.txt".into(), "no usable text".into())]);
        assert!(html.contains("x&lt;.txt"));
        assert!(html.contains("failed: no usable text"));
    }
}
