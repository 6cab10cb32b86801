//! HTML pages: charset, html5ever parse, page chrome dropped, blocks and table rows as lines.

use reportflow_core::{decode, Decoded};
use scraper::node::Element;
use scraper::{Html, Node};

use crate::{Error, Format, Limits, LineWriter};

/// How far into the page the `<meta>` charset declaration is looked for. WHATWG says 1024
/// bytes; government pages often have long `<head>`s of scripts and keywords first.
const PRESCAN_BYTES: usize = 8192;

/// Elements whose whole subtree is never text of the report.
const DROPPED: &[&str] = &[
    "head", "script", "style", "noscript", "template", "nav", "aside", "footer", "form", "button",
    "select", "option", "textarea", "input", "iframe", "object", "embed", "svg", "canvas", "audio",
    "video", "map", "dialog", "title", "menu",
];

/// `class` or `id` words that mark page chrome (navigation, breadcrumbs, sharing, footers).
const CHROME_WORDS: &[&str] = &[
    "header",
    "top",
    "topnav",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menus",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "footer",
    "sidebar",
    "share",
    "toolbar",
    "copyright",
    "search",
    "login",
    "topbar",
    "skip",
    "position",
    "location",
    "dh",
    "banner",
];

/// Chrome words that name a part of an article too when inside one.
const PAGE_WORDS: &[&str] = &["header", "top"];

/// ARIA roles of page chrome.
const CHROME_ROLES: &[&str] = &["navigation", "banner", "contentinfo", "search", "menu"];

/// Elements that start and end a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "caption",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
    "body",
    "html",
    "legend",
];

/// Decodes and flattens an HTML page.
pub(crate) fn to_text(
    raw: &[u8],
    charset_hint: Option<&str>,
    limits: &Limits,
) -> Result<Decoded, Error> {
    if raw.len() > limits.max_html_bytes {
        return Err(Error::TooLarge {
            format: Format::Html,
            size: raw.len(),
            limit: limits.max_html_bytes,
        });
    }
    // The page's own declaration first, then the transport's; the core's decoder still
    // lets a BOM win and ignores a declaration that does not decode the bytes cleanly
    // (falling back to UTF-8 and detection). `HeaderHint` then means "as declared".
    let meta = meta_charset(&raw[..raw.len().min(PRESCAN_BYTES)]);
    let decoded = decode(raw, meta.as_deref().or(charset_hint));
    let text = flatten(&decoded.text);
    Ok(Decoded {
        text,
        info: decoded.info,
    })
}

/// The charset a page declares in `<meta charset=…>` or
/// `<meta http-equiv="Content-Type" content="…; charset=…">`, by a byte scan of the prescan
/// window (the encoding must be known before the bytes can be parsed as text).
pub(crate) fn meta_charset(head: &[u8]) -> Option<String> {
    let mut rest = head;
    while let Some(at) = find_ci(rest, b"<meta") {
        let tag_start = at + 5;
        let tag_end = memchr::memchr(b'>', &rest[tag_start..])
            .map(|e| tag_start + e)
            .unwrap_or(rest.len());
        let tag = &rest[tag_start..tag_end];
        if let Some(c) = find_ci(tag, b"charset") {
            let mut value = &tag[c + 7..];
            value = trim_start(value);
            if let Some(v) = value.strip_prefix(b"=") {
                let v = trim_start(v);
                let v = v
                    .strip_prefix(b"\"")
                    .or_else(|| v.strip_prefix(b"'"))
                    .unwrap_or(v);
                let end = v
                    .iter()
                    .position(|&b| {
                        matches!(b, b'"' | b'\'' | b';' | b'/' | b'>') || b.is_ascii_whitespace()
                    })
                    .unwrap_or(v.len());
                let label = &v[..end];
                if !label.is_empty() && label.len() <= 40 && label.is_ascii() {
                    let label = String::from_utf8_lossy(label).to_ascii_lowercase();
                    // WHATWG: a page that declares UTF-16 in ASCII-compatible bytes is UTF-8.
                    return Some(if label.starts_with("utf-16") {
                        "utf-8".to_string()
                    } else {
                        label
                    });
                }
            }
        }
        rest = &rest[tag_end.min(rest.len())..];
        if rest.is_empty() {
            break;
        }
    }
    None
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether an element is page chrome: a dropped element, a chrome role, a chrome word in its
/// class or id, or hidden.
fn is_chrome(el: &Element, in_article: bool) -> bool {
    let name = el.name();
    if DROPPED.contains(&name) {
        return true;
    }
    // A page's <header> is chrome; an article's <header> holds its title.
    if name == "header" && !in_article {
        return true;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let style: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    if el
        .attr("role")
        .is_some_and(|r| CHROME_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    let words = |value: &str| {
        value.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
            let w = w.to_ascii_lowercase();
            // An article's header holds its title: page-level words only outside articles.
            CHROME_WORDS.contains(&w.as_str()) && !(in_article && PAGE_WORDS.contains(&w.as_str()))
        })
    };
    el.attr("class").is_some_and(words) || el.attr("id").is_some_and(words)
}

fn is_cell(name: &str) -> bool {
    matches!(name, "td" | "th")
}

/// Whether a table row holds data (written as one line, cells separated by tabs) rather than
/// page layout (old sites put the whole article in a table cell): no nested table or
/// heading, few blocks, little text.
fn is_data_row(row: ego_tree::NodeRef<'_, Node>) -> bool {
    const MAX_BLOCKS: usize = 12;
    const MAX_CHARS: usize = 600;
    let mut blocks = 0;
    let mut chars = 0;
    for node in row.descendants().skip(1) {
        match node.value() {
            Node::Element(el) => {
                let name = el.name();
                if matches!(
                    name,
                    "table" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                ) {
                    return false;
                }
                if name == "br" || (BLOCKS.contains(&name) && !is_cell(name)) {
                    blocks += 1;
                }
            }
            Node::Text(text) => chars += text.chars().count(),
            _ => {}
        }
        if blocks > MAX_BLOCKS || chars > MAX_CHARS {
            return false;
        }
    }
    true
}

/// The text of a page: one line per block, one line per table row (cells tab-separated).
pub(crate) fn flatten(source: &str) -> String {
    let document = Html::parse_document(source);
    let mut out = LineWriter::default();
    let mut skip: Option<ego_tree::NodeId> = None;
    let mut article_depth = 0usize;
    let mut pre_depth = 0usize;
    // The table row being written as one line, if any.
    let mut data_row: Option<ego_tree::NodeId> = None;
    for edge in document.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(text) => {
                        if pre_depth > 0 {
                            out.pre(text);
                        } else {
                            out.text(text);
                        }
                    }
                    Node::Element(el) => {
                        if is_chrome(el, article_depth > 0) {
                            skip = Some(node.id());
                            continue;
                        }
                        let name = el.name();
                        match name {
                            "article" | "main" => article_depth += 1,
                            "pre" | "textarea" => pre_depth += 1,
                            _ => {}
                        }
                        if data_row.is_some() {
                            match name {
                                "td" | "th" => out.cell(),
                                "br" => out.text(" "),
                                _ if BLOCKS.contains(&name) => out.text(" "),
                                _ => {}
                            }
                        } else if name == "tr" && is_data_row(node) {
                            out.paragraph();
                            data_row = Some(node.id());
                        } else if name == "br" {
                            out.line_break();
                        } else if BLOCKS.contains(&name) || is_cell(name) {
                            out.paragraph();
                        }
                    }
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(node) => {
                if let Some(id) = skip {
                    if id == node.id() {
                        skip = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    let name = el.name();
                    match name {
                        "article" | "main" => article_depth = article_depth.saturating_sub(1),
                        "pre" | "textarea" => pre_depth = pre_depth.saturating_sub(1),
                        _ => {}
                    }
                    if data_row == Some(node.id()) {
                        data_row = None;
                        out.paragraph();
                    } else if data_row.is_some() {
                        if BLOCKS.contains(&name) {
                            out.text(" ");
                        }
                    } else if BLOCKS.contains(&name) || is_cell(name) {
                        out.paragraph();
                    }
                }
            }
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_charset_in_both_forms() {
        assert_eq!(
            meta_charset(b"<html><head><META CHARSET='GB2312'>").as_deref(),
            Some("gb2312")
        );
        assert_eq!(
            meta_charset(
                b"<meta name=x><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\" />"
            )
            .as_deref(),
            Some("gbk")
        );
        assert_eq!(meta_charset(b"<meta name=charset>"), None);
        assert_eq!(
            meta_charset(b"<meta charset=utf-16le>").as_deref(),
            Some("utf-8")
        );
    }

    #[test]
    fn chrome_dropped_blocks_and_rows_are_lines() {
        let page = "<!DOCTYPE html><html><head><title>网站</title><script>var a='增长5%';</script>\
            <style>p{}</style></head><body><div class=\"top-nav\"><a href=/>首页</a></div>\
            <div class=\"breadcrumb\">当前位置：首页 &gt; 政务公开</div>\
            <article><h1>关于2021年计划执行情况的报告</h1><p>地区生产总值增长&#56;.5%，<b>同比</b>\
            提高&nbsp;1个百分点。</p><p>第一行<br>第二行</p>\
            <table><tr><th>指标</th><th>数值</th></tr><tr><td>地区生产总值</td><td><p>1000亿元</p></td></tr></table>\
            </article><footer>版权所有</footer><div id=\"footer\">联系我们</div></body></html>";
        assert_eq!(
            flatten(page),
            "关于2021年计划执行情况的报告\n\n地区生产总值增长8.5%，同比提高 1个百分点。\n\n第一行\n第二行\n\n指标\t数值\n\n地区生产总值\t1000亿元"
        );
    }

    #[test]
    fn a_page_of_scripts_is_empty() {
        assert_eq!(
            flatten(
                "<html><head><script>x()</script></head><body><script>y()</script></body></html>"
            ),
            ""
        );
    }
}
