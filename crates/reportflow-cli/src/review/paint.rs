//! The report text of a review page with its highlights.
//!
//! Highlights may nest or overlap (two indicators read from one sentence, a missed gold fact
//! in an extracted sentence), so the text is cut at every highlight boundary and each piece
//! is written once, as an element naming every highlight it belongs to: `data-q` the
//! indicators whose span covers it, `data-f` those whose figure it is, `data-g` the missed
//! gold facts. The pieces of one indicator, in order, are exactly the characters of its span.

use std::fmt::Write as _;

use super::html::{esc, num};

/// A half-open range of character offsets into the text, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First character.
    pub start: u32,
    /// One past the last character.
    pub end: u32,
    /// Index of the indicator, gold fact or section.
    pub id: usize,
}

/// How an indicator's pieces look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// `actual`, `target` or `forecast`.
    pub kind: &'static str,
    /// It has no taxonomy code.
    pub no_code: bool,
    /// Compared with gold, none of its atoms is there.
    pub extra: bool,
}

/// Everything that is marked in the text.
#[derive(Debug, Default)]
pub struct Marks {
    /// Indicator spans (`id`: indicator index).
    pub quotes: Vec<Range>,
    /// Figures inside indicator spans (`id`: indicator index).
    pub figures: Vec<Range>,
    /// Missed gold facts (`id`: fact index).
    pub gold: Vec<Range>,
    /// Heading lines (`id`: section level).
    pub headings: Vec<Range>,
    /// Section starts, where an anchor `s<id>` goes (`start`: position, `id`: section id).
    pub anchors: Vec<Range>,
}

/// Writes `text` with its marks as HTML (to go inside a `white-space: pre-wrap` block).
pub fn paint(out: &mut String, text: &str, marks: &Marks, looks: &[Look]) {
    let n = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    let clamp = |ranges: &[Range]| -> Vec<Range> {
        let mut v: Vec<Range> = ranges
            .iter()
            .map(|r| Range {
                start: r.start.min(n),
                end: r.end.min(n),
                id: r.id,
            })
            .filter(|r| r.start < r.end)
            .collect();
        v.sort_by_key(|r| (r.start, r.end, r.id));
        v
    };
    let kinds = [
        clamp(&marks.quotes),
        clamp(&marks.figures),
        clamp(&marks.gold),
        clamp(&marks.headings),
    ];
    let mut anchors: Vec<Range> = marks
        .anchors
        .iter()
        .filter(|a| a.start <= n)
        .copied()
        .collect();
    anchors.sort_by_key(|a| (a.start, a.id));

    let mut cuts: Vec<u32> = vec![0, n];
    for r in kinds.iter().flatten() {
        cuts.push(r.start);
        cuts.push(r.end);
    }
    cuts.extend(anchors.iter().map(|a| a.start));
    cuts.sort_unstable();
    cuts.dedup();

    // Byte offset of every cut, in one pass over the text.
    let mut bytes = Vec::with_capacity(cuts.len());
    let mut chars = text
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()));
    let mut at = 0u32;
    let mut byte = chars.next().unwrap_or(0);
    for &cut in &cuts {
        while at < cut {
            byte = chars.next().unwrap_or(text.len());
            at += 1;
        }
        bytes.push(byte);
    }

    let mut next = [0usize; 4];
    let mut active: [Vec<Range>; 4] = Default::default();
    let mut anchor = 0;
    for (w, pair) in cuts.windows(2).enumerate() {
        let a = pair[0];
        while anchor < anchors.len() && anchors[anchor].start == a {
            let _ = write!(
                out,
                "<a class=\"anchor\" id=\"s{}\"></a>",
                anchors[anchor].id
            );
            anchor += 1;
        }
        for k in 0..4 {
            active[k].retain(|r| r.end > a);
            while next[k] < kinds[k].len() && kinds[k][next[k]].start == a {
                active[k].push(kinds[k][next[k]]);
                next[k] += 1;
            }
        }
        let piece = &text[bytes[w]..bytes[w + 1]];
        write_piece(out, piece, &active, looks);
    }
    while anchor < anchors.len() {
        let _ = write!(
            out,
            "<a class=\"anchor\" id=\"s{}\"></a>",
            anchors[anchor].id
        );
        anchor += 1;
    }
}

/// Ids of the ranges, ascending and distinct, space-separated.
fn ids(ranges: &[Range]) -> String {
    let mut v: Vec<usize> = ranges.iter().map(|r| r.id).collect();
    v.sort_unstable();
    v.dedup();
    let mut s = String::new();
    for (i, id) in v.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{id}");
    }
    s
}

fn write_piece(out: &mut String, piece: &str, active: &[Vec<Range>; 4], looks: &[Look]) {
    let [quotes, figures, gold, headings] = active;
    if quotes.is_empty() && figures.is_empty() && gold.is_empty() && headings.is_empty() {
        out.push_str(&esc(piece));
        return;
    }
    let mut class = String::new();
    if let Some(h) = headings.iter().map(|r| r.id).min() {
        let _ = write!(class, "h h{}", h.clamp(1, 4));
    }
    // The indicators the piece stands for: the figure's, or else every covering span's.
    let owners: Vec<Look> = if figures.is_empty() { quotes } else { figures }
        .iter()
        .filter_map(|r| looks.get(r.id).copied())
        .collect();
    if !quotes.is_empty() {
        class.push_str(if class.is_empty() { "q" } else { " q" });
        let kind = match owners.first() {
            Some(first) if owners.iter().all(|o| o.kind == first.kind) => first.kind,
            _ => "mixed",
        };
        let _ = write!(class, " k-{kind}");
        if !figures.is_empty() {
            class.push_str(" f");
        }
        if !owners.is_empty() && owners.iter().all(|o| o.no_code) {
            class.push_str(" nc");
        }
        if !owners.is_empty() && owners.iter().all(|o| o.extra) {
            class.push_str(" x");
        }
    }
    if !gold.is_empty() {
        class.push_str(if class.is_empty() { "g" } else { " g" });
    }
    let tag = if quotes.is_empty() && gold.is_empty() {
        "span"
    } else {
        "mark"
    };
    let _ = write!(out, "<{tag} class=\"{class}\"");
    if !quotes.is_empty() {
        let _ = write!(out, " data-q=\"{}\"", ids(quotes));
    }
    if !figures.is_empty() {
        let _ = write!(out, " data-f=\"{}\"", ids(figures));
    }
    if !gold.is_empty() {
        let _ = write!(out, " data-g=\"{}\"", ids(gold));
    }
    let _ = write!(out, ">{}</{tag}>", esc(piece));
}

/// Character offset of byte offset `b` of `s`.
fn char_at(s: &str, b: usize) -> u32 {
    u32::try_from(s[..b].chars().count()).unwrap_or(u32::MAX)
}

/// Where a figure is written in a quote: the character range of `x` (as digits, followed by
/// `unit` when it is), searched after `from` (a byte offset) first. A match must not be part
/// of a longer number.
pub fn find_number(quote: &str, x: f64, unit: &str, from: usize) -> Option<(u32, u32)> {
    let digits = num(x);
    let with_unit = format!("{digits}{unit}");
    let candidates: &[&str] = if unit.is_empty() {
        &[&digits]
    } else {
        &[&with_unit, &digits]
    };
    let is_num = |c: char| c.is_ascii_digit() || c == '.';
    for candidate in candidates {
        for start in [from.min(quote.len()), 0] {
            if !quote.is_char_boundary(start) {
                continue;
            }
            for (b, _) in quote[start..].match_indices(candidate) {
                let b = start + b;
                let before = quote[..b].chars().next_back();
                let after = quote[b + digits.len()..].chars().next();
                if before.is_some_and(is_num) || after.is_some_and(is_num) {
                    continue;
                }
                return Some((char_at(quote, b), char_at(quote, b + candidate.len())));
            }
        }
    }
    None
}

/// A character folded for finding a quote: full-width ASCII to ASCII, white space dropped.
fn fold(c: char) -> Option<char> {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    };
    (!c.is_whitespace()).then_some(c)
}

/// Finds quotes (e.g. of gold facts, taken from the raw document) in a normalized text.
pub struct QuoteFinder<'a> {
    text: &'a str,
    /// The folded text.
    folded: String,
    /// Character offset in `text` of each character of `folded`.
    positions: Vec<u32>,
}

impl<'a> QuoteFinder<'a> {
    /// Prepares `text` for finding quotes in it.
    pub fn new(text: &'a str) -> Self {
        let mut folded = String::with_capacity(text.len());
        let mut positions = Vec::new();
        for (i, c) in text.chars().enumerate() {
            if let Some(f) = fold(c) {
                folded.push(f);
                positions.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        QuoteFinder {
            text,
            folded,
            positions,
        }
    }

    /// The character range of the first place `quote` is written in the text: as is, or
    /// else with full-width ASCII folded and white space ignored.
    pub fn find(&self, quote: &str) -> Option<(u32, u32)> {
        if quote.trim().is_empty() {
            return None;
        }
        if let Some(b) = self.text.find(quote) {
            let start = char_at(self.text, b);
            return Some((start, start + char_at(quote, quote.len())));
        }
        let q: String = quote.chars().filter_map(fold).collect();
        let b = self.folded.find(&q)?;
        let first = self.folded[..b].chars().count();
        let last = first + q.chars().count() - 1;
        Some((self.positions[first], self.positions[last] + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(kind: &'static str) -> Look {
        Look {
            kind,
            no_code: false,
            extra: false,
        }
    }

    /// The characters of every element carrying `attr~=id`, in order (entities undone).
    fn pieces(html: &str, attr: &str, id: usize) -> String {
        let mut out = String::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            let close = rest[open..].find('>').unwrap() + open;
            let tag = &rest[open..=close];
            rest = &rest[close + 1..];
            if tag.starts_with("</") {
                continue;
            }
            let needle = format!("{attr}=\"");
            let Some(a) = tag.find(&needle) else { continue };
            let value = &tag[a + needle.len()..];
            let value = &value[..value.find('"').unwrap()];
            if value.split(' ').any(|v| v == id.to_string()) {
                let end = rest.find('<').unwrap_or(rest.len());
                out.push_str(&rest[..end]);
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn overlapping_and_nested_spans_each_read_back_whole() {
        let text = "一、回顾\nGDP<1>增长8.1%,税收&收入增长5%。";
        let r = |start, end, id| Range { start, end, id };
        let marks = Marks {
            quotes: vec![r(5, 17, 0), r(9, 27, 1), r(5, 28, 2)],
            figures: vec![r(13, 17, 0)],
            gold: vec![r(18, 23, 0)],
            headings: vec![r(0, 4, 1)],
            anchors: vec![r(0, 0, 7)],
        };
        let mut html = String::new();
        paint(
            &mut html,
            text,
            &marks,
            &[look("actual"), look("target"), look("actual")],
        );
        let chars: Vec<char> = text.chars().collect();
        for q in &marks.quotes {
            let expected: String = chars[q.start as usize..q.end as usize].iter().collect();
            assert_eq!(pieces(&html, "data-q", q.id), expected, "{html}");
        }
        assert_eq!(pieces(&html, "data-f", 0), "8.1%");
        assert_eq!(pieces(&html, "data-g", 0), "税收&收入");
        assert!(
            html.starts_with(
                "<a class=\"anchor\" id=\"s7\"></a><span class=\"h h1\">一、回顾</span>\n"
            ),
            "{html}"
        );
        assert!(html.contains("GDP&lt;") && html.contains("1&gt;") && !html.contains("<1>"));
        assert!(html.contains("class=\"q k-mixed\""), "{html}");
        // Stripping the tags gives the text back.
        let mut plain = String::new();
        let mut inside = false;
        for c in html.chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                c if !inside => plain.push(c),
                _ => {}
            }
        }
        assert_eq!(
            plain
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
            text
        );
    }

    #[test]
    fn out_of_range_and_empty_spans_are_ignored() {
        let mut html = String::new();
        let marks = Marks {
            quotes: vec![
                Range {
                    start: 2,
                    end: 99,
                    id: 0,
                },
                Range {
                    start: 1,
                    end: 1,
                    id: 1,
                },
            ],
            ..Default::default()
        };
        paint(&mut html, "abc", &marks, &[look("actual"), look("actual")]);
        assert_eq!(html, "ab<mark class=\"q k-actual\" data-q=\"0\">c</mark>");
    }

    #[test]
    fn figures_are_found_after_the_metric_and_not_inside_longer_numbers() {
        let q = "固定资产投资、建安投资总量全市双第一,同比分别增长9%、0.4%";
        assert_eq!(find_number(q, 9.0, "%", 0), Some((25, 27)));
        assert_eq!(find_number(q, 0.4, "%", 0), Some((28, 32)));
        let q = "实现各项税收收入152.8亿元,同比增长21.4%";
        assert_eq!(find_number(q, 152.8, "亿元", 0), Some((8, 15)));
        assert_eq!(find_number(q, 1.4, "%", 0), None);
        assert_eq!(find_number(q, 52.8, "", 0), None);
        // After the metric first: the second 5% belongs to 税收.
        let q = "地区生产总值增长5%,税收增长5%";
        let from = q.find("税收").unwrap() + "税收".len();
        assert_eq!(find_number(q, 5.0, "%", from), Some((15, 17)));
    }

    #[test]
    fn quotes_are_found_with_full_width_punctuation_and_spaces_folded() {
        let text = "一、总体\n固定资产投资、建安投资总量全市双第一,同比分别增长9%、0.4%。";
        let finder = QuoteFinder::new(text);
        let quote = "建安投资总量全市双第一，同比分别增长９%";
        let (s, e) = finder.find(quote).unwrap();
        let found: String = text
            .chars()
            .skip(s as usize)
            .take((e - s) as usize)
            .collect();
        assert_eq!(found, "建安投资总量全市双第一,同比分别增长9%");
        assert_eq!(finder.find("同比分别"), Some((24, 28)));
        assert_eq!(finder.find("没有"), None);
        assert_eq!(finder.find(" "), None);
    }
}
