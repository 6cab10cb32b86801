//! Section hierarchy: finds the numbered headings of a normalized report and nests them.
//!
//! Chinese government reports number their headings with a small set of marker families:
//! `一、`, `(一)`/`（一）`, `1.`/`1、`, `(1)`/`（1）`, `①`, and sometimes `第一部分`/`第一章`.
//! Which family sits at which depth differs between documents (a `1.` may sit directly under
//! `一、` with no `(一)` in between), so levels are not fixed per family: they follow the order
//! in which families first appear along the current path, kept on a stack. When a family that
//! is already on the stack appears again, everything below it is closed.
//!
//! Besides marked headings, a short unpunctuated line that introduces a list starting at 1
//! (e.g. `2019年工作回顾` followed by `一、…`) is a heading with an empty marker: government
//! work reports split into review and plan parts this way, and the split decides whether a
//! figure is an actual or a target.

use crate::dates::is_date_line;
use crate::model::{CharSpan, Section};
use crate::numbers::han_digit;
use crate::places::is_org_line;
use crate::text::{is_han_digit, is_hanzi};

/// Longest heading (in characters, marker excluded) still read as a heading: anything longer
/// is a paragraph that merely starts with a list number.
const MAX_HEADING_CHARS: usize = 60;

/// Longest line read as an unmarked part heading such as `2019年工作回顾`.
const MAX_UNMARKED_CHARS: usize = 25;

/// A family of heading markers; headings of one family are siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// `一、`
    HanComma,
    /// `(一)` or `（一）`
    HanParen,
    /// `1.`, `1、`, `1．`, `⒈`
    ArabicDot,
    /// `(1)`, `（1）`, `⑴`
    ArabicParen,
    /// `①`
    Circled,
    /// `第一部分`, `第一章`, `第一篇`
    Part,
    /// `第一节`
    Chapter,
    /// A short unpunctuated line that opens a numbered list; has no marker.
    Unmarked,
}

impl Family {
    /// The family a damaged marker most likely belongs to: `(7)` after `(六)` is the seventh
    /// `(一)`-style heading typed with the wrong digits, not the start of a new list.
    fn twin(self) -> Option<Family> {
        match self {
            Family::HanParen => Some(Family::ArabicParen),
            Family::ArabicParen => Some(Family::HanParen),
            Family::HanComma => Some(Family::ArabicDot),
            Family::ArabicDot => Some(Family::HanComma),
            _ => None,
        }
    }
}

/// A list marker at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Marker {
    /// Which family the marker belongs to.
    pub(crate) family: Family,
    /// Its number (1 for `一、`, `(1)`, `①`), 0 when it cannot be read.
    pub(crate) ordinal: u32,
    /// Byte length of the marker in the line.
    pub(crate) len: usize,
}

/// A heading line split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeadingLine<'a> {
    /// The marker as written.
    pub(crate) marker: &'a str,
    /// The marker's family and number.
    pub(crate) family: Family,
    /// The marker's number.
    pub(crate) ordinal: u32,
    /// The heading text after the marker, without its closing punctuation.
    pub(crate) heading: &'a str,
    /// Byte offset in the line where the text after the heading starts (the rest of a
    /// `（一）lead sentence。body…` line); the line length for a heading-only line.
    pub(crate) rest: usize,
}

/// Value of a Chinese numeral such as `十二` or `二十三`; 0 when it is not one we read.
fn han_value(s: &str) -> u32 {
    // Called only on runs of `is_han_digit` characters, which hold no `两`: the shared
    // digit values are this function's.
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [a] => han_digit(*a).unwrap_or(if *a == '十' { 10 } else { 0 }),
        ['十', b] => han_digit(*b).map_or(0, |d| 10 + d),
        [a, '十'] => han_digit(*a).map_or(0, |d| d * 10),
        [a, '十', b] => match (han_digit(*a), han_digit(*b)) {
            (Some(x), Some(y)) => x * 10 + y,
            _ => 0,
        },
        _ => 0,
    }
}

/// Reads a list marker at the very start of `line`.
///
/// Rejects the look-alikes that open ordinary sentences: `1.5%` (a decimal), `1、2月份`
/// (an enumeration of months), `一、二季度`, `295.4` (a table figure).
pub(crate) fn parse_marker(line: &str) -> Option<Marker> {
    let mut it = line.char_indices().peekable();
    let (_, first) = *it.peek()?;
    let next_after = |end: usize| line.get(end..).and_then(|s| s.chars().next());

    // ①..⑳, ⑴..⒇, ⒈..⒛: one character carries the whole marker.
    let code = first as u32;
    let single = match code {
        0x2460..=0x2473 => Some((Family::Circled, code - 0x245F)),
        0x2474..=0x2487 => Some((Family::ArabicParen, code - 0x2473)),
        0x2488..=0x249B => Some((Family::ArabicDot, code - 0x2487)),
        _ => None,
    };
    if let Some((family, ordinal)) = single {
        return Some(Marker {
            family,
            ordinal,
            len: first.len_utf8(),
        });
    }

    // (一) / （一） / (1) / （1）
    if first == '(' || first == '（' {
        it.next();
        let start = first.len_utf8();
        let mut end = start;
        let mut han = true;
        let mut count = 0;
        while let Some(&(i, c)) = it.peek() {
            if is_han_digit(c) || c.is_ascii_digit() {
                han = is_han_digit(c);
                end = i + c.len_utf8();
                count += 1;
                it.next();
            } else {
                break;
            }
        }
        let (_, close) = *it.peek()?;
        if count == 0 || count > 3 || !(close == ')' || close == '）') {
            return None;
        }
        let inner = line.get(start..end)?;
        if inner.chars().any(|c| is_han_digit(c) != han) {
            return None;
        }
        let mut len = end + close.len_utf8();
        // `(一)、` is a common variant: the comma belongs to the marker.
        if next_after(len) == Some('、') {
            len += '、'.len_utf8();
        }
        let (family, ordinal) = if han {
            (Family::HanParen, han_value(inner))
        } else {
            (Family::ArabicParen, inner.parse().unwrap_or(0))
        };
        return Some(Marker {
            family,
            ordinal,
            len,
        });
    }

    // 第一部分 / 第一章 / 第一节
    if first == '第' {
        let rest = line.get(first.len_utf8()..)?;
        let num_len: usize = rest
            .chars()
            .take_while(|c| is_han_digit(*c))
            .map(char::len_utf8)
            .sum();
        if num_len == 0 {
            return None;
        }
        let after = rest.get(num_len..)?;
        let ordinal = han_value(rest.get(..num_len)?);
        let base = first.len_utf8() + num_len;
        for (word, family) in [
            ("部分", Family::Part),
            ("章", Family::Part),
            ("篇", Family::Part),
            ("节", Family::Chapter),
        ] {
            if after.starts_with(word) {
                return Some(Marker {
                    family,
                    ordinal,
                    len: base + word.len(),
                });
            }
        }
        return None;
    }

    // 一、 / 1. / 1、 / 1．
    let han = is_han_digit(first);
    if !han && !first.is_ascii_digit() {
        return None;
    }
    let mut end = 0;
    let mut count = 0;
    while let Some(&(i, c)) = it.peek() {
        let same = if han {
            is_han_digit(c)
        } else {
            c.is_ascii_digit()
        };
        if !same {
            break;
        }
        end = i + c.len_utf8();
        count += 1;
        it.next();
    }
    // More than two Arabic digits is a figure (`295.4`, `2021.`), not a list number.
    if count > if han { 3 } else { 2 } {
        return None;
    }
    let (_, sep) = *it.peek()?;
    let ok_sep = if han {
        matches!(sep, '、' | '.' | '．')
    } else {
        matches!(sep, '.' | '、' | '．')
    };
    if !ok_sep {
        return None;
    }
    let len = end + sep.len_utf8();
    // A numeral of the same script right after the separator makes it a decimal or an
    // enumeration: `1.5%`, `1、2月份`, `一、二季度`. `一、2021年…` is a heading.
    if let Some(n) = next_after(len) {
        let enumeration = if han {
            is_han_digit(n)
        } else {
            n.is_ascii_digit() || n == '%'
        };
        if enumeration {
            return None;
        }
    }
    let digits = line.get(..end)?;
    let (family, ordinal) = if han {
        (Family::HanComma, han_value(digits))
    } else {
        (Family::ArabicDot, digits.parse().unwrap_or(0))
    };
    Some(Marker {
        family,
        ordinal,
        len,
    })
}

/// Punctuation that ends the lead sentence of a heading line.
fn is_lead_end(c: char) -> bool {
    matches!(c, '。' | '!' | '?' | ';' | ':' | '！' | '？' | '；' | '：')
}

/// Splits a line into marker, heading and rest when it is a heading.
///
/// Two shapes are headings: a short line that starts with a marker (`（一）经济运行稳中向好`),
/// and the lead-sentence style where a short first sentence after the marker is the heading
/// and the paragraph continues on the same line
/// (`（一）对照全年目标任务，稳增长各项工作还需进一步加大力度。一是…`).
pub(crate) fn parse_heading(line: &str) -> Option<HeadingLine<'_>> {
    let m = parse_marker(line)?;
    let marker = line.get(..m.len)?;
    let after_marker = line.get(m.len..)?;
    let trimmed = after_marker.trim_start();
    let head_start = m.len + (after_marker.len() - trimmed.len());
    let first = trimmed.chars().next()?;
    // `一、，` or `1.)` are damaged text, not headings.
    if matches!(first, ',' | '，' | '、' | '.' | ')' | '）' | '%') || is_lead_end(first) {
        return None;
    }
    let (lead_len, rest_rel) = match trimmed.char_indices().find(|(_, c)| is_lead_end(*c)) {
        Some((i, c)) => (i, i + c.len_utf8()),
        None => (trimmed.len(), trimmed.len()),
    };
    let heading = trimmed.get(..lead_len)?.trim_end();
    let n = heading.chars().count();
    if n == 0 || n > MAX_HEADING_CHARS || !heading.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(HeadingLine {
        marker,
        family: m.family,
        ordinal: m.ordinal,
        heading,
        rest: head_start + rest_rel,
    })
}

/// Whether the line is a heading and nothing else (no paragraph text after the heading):
/// such a line is a complete unit that never continues on the next line.
pub(crate) fn is_pure_heading(line: &str) -> bool {
    match parse_heading(line) {
        Some(h) => line.get(h.rest..).is_none_or(|r| r.trim().is_empty()),
        None => false,
    }
}

/// Whether the line could be an unmarked part heading such as `2019年工作回顾`: short,
/// no punctuation at all, mostly hanzi. Whether it really is one depends on what follows.
fn is_unmarked_candidate(line: &str) -> bool {
    // Counting stops past the limit: most lines are long paragraphs.
    let n = line.chars().take(MAX_UNMARKED_CHARS + 1).count();
    if !(4..=MAX_UNMARKED_CHARS).contains(&n) {
        return false;
    }
    // Table and figure captions, notes and boxes are short unpunctuated lines too.
    if ["表", "图", "注", "专栏", "附件", "附表", "资料来源"]
        .iter()
        .any(|p| line.starts_with(p))
    {
        return false;
    }
    let hanzi = line.chars().filter(|c| is_hanzi(*c)).count();
    hanzi >= 4
        && line
            .chars()
            .all(|c| is_hanzi(c) || c.is_ascii_alphanumeric() || c == ' ')
        && !is_org_line(line)
        && !is_date_line(line)
}

/// One line of the text with its offsets.
struct LineInfo<'a> {
    text: &'a str,
    byte: usize,
    char_start: usize,
}

/// A heading found in the text, before the tree is built.
struct Found<'a> {
    line: usize,
    marker: &'a str,
    family: Family,
    ordinal: u32,
    heading: &'a str,
    /// Byte offset in the text where the body starts.
    body_byte: usize,
}

/// Sections of a normalized text, in document order.
///
/// Spans are character offsets: from the start of the heading line to the start of the next
/// heading at the same or a higher level (so a span covers its subsections), or the end of
/// the text. `body` is the text up to the next heading of any level.
pub fn extract(text: &str) -> Vec<Section> {
    let mut lines = Vec::new();
    let (mut byte, mut chars) = (0usize, 0usize);
    for line in text.split('\n') {
        lines.push(LineInfo {
            text: line,
            byte,
            char_start: chars,
        });
        byte += line.len() + 1;
        chars += line.chars().count() + 1;
    }
    // Every line was counted with its line break, and the last one has none.
    let total_chars = chars.saturating_sub(1);

    let found = find_headings(&lines);

    // Build the tree: a stack of (family, section index, ordinal) along the current path.
    let mut stack: Vec<(Family, usize, u32)> = Vec::new();
    let mut levels = Vec::with_capacity(found.len());
    let mut parents = Vec::with_capacity(found.len());
    for (idx, f) in found.iter().enumerate() {
        let mut family = f.family;
        if !stack.iter().any(|e| e.0 == family) {
            if let Some(twin) = family.twin() {
                if f.ordinal >= 2 && stack.iter().any(|e| e.0 == twin && e.2 + 1 == f.ordinal) {
                    family = twin;
                }
            }
        }
        if let Some(p) = stack.iter().position(|e| e.0 == family) {
            stack.truncate(p);
        }
        parents.push(stack.last().map(|e| e.1));
        levels.push(stack.len() + 1);
        stack.push((family, idx, f.ordinal));
    }

    // A section ends where the next heading at its level or above starts: one pass with a
    // stack of open sections.
    let mut ends = vec![total_chars; found.len()];
    let mut open: Vec<usize> = Vec::new();
    for (idx, f) in found.iter().enumerate() {
        while let Some(&top) = open.last() {
            if levels[top] < levels[idx] {
                break;
            }
            ends[top] = lines[f.line].char_start;
            open.pop();
        }
        open.push(idx);
    }

    let mut out = Vec::with_capacity(found.len());
    for (idx, f) in found.iter().enumerate() {
        let level = levels[idx];
        let start = lines[f.line].char_start;
        let end = ends[idx];
        let body_end = found
            .get(idx + 1)
            .map_or(text.len(), |g| lines[g.line].byte);
        let body = text
            .get(f.body_byte..body_end.max(f.body_byte))
            .unwrap_or("")
            .trim();
        out.push(Section {
            index: to_u32(idx),
            parent: parents[idx].map(to_u32),
            level: to_u32(level),
            marker: f.marker.to_string(),
            heading: f.heading.to_string(),
            body: body.to_string(),
            span: CharSpan {
                start: to_u32(start),
                end: to_u32(end.min(total_chars)),
            },
        });
    }
    out
}

/// Offsets beyond `u32` cannot be represented in [`CharSpan`]; saturate instead of panicking.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Marked headings, plus unmarked part headings that open a list numbered from 1.
fn find_headings<'a>(lines: &[LineInfo<'a>]) -> Vec<Found<'a>> {
    enum Kind<'a> {
        Marked(HeadingLine<'a>, usize),
        Unmarked(&'a str, usize),
    }
    let mut kinds = Vec::new();
    // Unmarked headings only count once the opening (title block, salutation) is over: the
    // title itself is a short unpunctuated line too.
    let mut in_body = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.text.trim();
        if let Some(h) = parse_heading(l.text.trim_start()) {
            kinds.push(Kind::Marked(h, i));
            in_body = true;
        } else if in_body && is_unmarked_candidate(t) {
            kinds.push(Kind::Unmarked(t, i));
        }
        if ends_opening(t) {
            in_body = true;
        }
    }
    let mut out = Vec::new();
    for (k, kind) in kinds.iter().enumerate() {
        match kind {
            Kind::Marked(h, i) => {
                let l = &lines[*i];
                let lead_ws = l.text.len() - l.text.trim_start().len();
                out.push(Found {
                    line: *i,
                    marker: h.marker,
                    family: h.family,
                    ordinal: h.ordinal,
                    heading: h.heading,
                    body_byte: l.byte + lead_ws + h.rest,
                });
            }
            Kind::Unmarked(t, i) => {
                // It is a heading only if the next heading-like line opens a list at 1.
                let opens_list =
                    matches!(kinds.get(k + 1), Some(Kind::Marked(h, _)) if h.ordinal == 1);
                if opens_list {
                    let l = &lines[*i];
                    out.push(Found {
                        line: *i,
                        marker: "",
                        family: Family::Unmarked,
                        ordinal: 0,
                        heading: t,
                        body_byte: l.byte + l.text.len(),
                    });
                }
            }
        }
    }
    out
}

/// Whether a line ends the opening of a report: a salutation (`各位代表:`) or a body
/// paragraph (a sentence ending in `。`).
fn ends_opening(line: &str) -> bool {
    let long = line.chars().nth(40).is_some();
    (!long && (line.ends_with(':') || line.ends_with('：')) && !line.starts_with("——"))
        || (long && line.contains('。'))
}

#[cfg(test)]
mod tests;
