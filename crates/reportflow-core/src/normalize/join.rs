//! Paragraph joining: the third pass of the normalizer.
//!
//! Sources disagree on what a line is. Office conversions put one paragraph on a line and
//! wrap only the centred title block; web pages separate paragraphs by blank lines; PDF
//! conversions hard-wrap every paragraph at the page width, end wrapped lines with a
//! markdown hard break, and even break a paragraph across a blank line at page ends.
//!
//! The rule that works for all three: a line that does not end a sentence (`。`, `；`, `：`
//! …) continues on the next line, unless the next line starts a new unit (a heading marker,
//! a `——` subtitle, a salutation, a speaker line, a bullet) or the line is a unit on its own
//! (a short heading, an organisation name, a date). What decides how far the rule may reach
//! is the layout of the whole document:
//!
//! - a document that is visibly hard-wrapped (markdown hard breaks, or paragraphs that
//!   continue over consecutive lines although it separates paragraphs by blank lines) is
//!   joined across blank lines too;
//! - a document that separates paragraphs by blank lines joins only consecutive lines;
//! - a document with one paragraph per line joins only inside small blocks delimited by
//!   blank lines (the title block of an office conversion).
//!
//! Normalized text has no blank lines and no hard breaks, so none of these rules fires on
//! it again: that is what makes normalizing twice give the same result.

use super::lines::{Line, ROW_UNITS};
use crate::dates::is_date_line;
use crate::places::is_org_line;
use crate::sections::{is_pure_heading, parse_marker};
use crate::text::{is_hanzi, is_release_title};

/// A paragraph being assembled from lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Para {
    /// The text, still with the spaces of the source.
    pub(super) text: String,
    /// The paragraph is a speaker line in `title name` form: its one space is meaningful.
    pub(super) speaker: bool,
    /// The paragraph was a markdown heading: always a unit of its own.
    md_heading: bool,
}

/// Largest block (lines between blank lines) of a one-paragraph-per-line document that is
/// still treated as a wrapped title block.
const TITLE_BLOCK_LINES: usize = 6;

/// Joins cleaned lines into paragraphs.
pub(super) fn join(lines: Vec<Line>) -> Vec<Para> {
    let layout = Layout::of(&lines);
    let mut block_sizes = Vec::with_capacity(lines.len());
    {
        let mut start = 0;
        for i in 1..=lines.len() {
            if i == lines.len() || lines[i].blank_before {
                block_sizes.extend(std::iter::repeat_n(i - start, i - start));
                start = i;
            }
        }
    }
    let blocks = lines.iter().filter(|l| l.blank_before).count() + 1;

    let mut out: Vec<Para> = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        if let Some(last) = out.last_mut() {
            let reach = if line.blank_before {
                layout.wrapped
            } else {
                layout.wrapped
                    || layout.blank_separated
                    || (blocks >= 2 && block_sizes.get(i).is_some_and(|s| *s <= TITLE_BLOCK_LINES))
            };
            // A bare marker (`一、` alone, its heading on the next line) is never a unit: it
            // takes whatever follows unless another marker follows.
            let join = if is_bare_marker(&last.text) {
                parse_marker(&line.text).is_none()
            } else {
                reach
                    && !is_complete(&last.text, last.md_heading, last.speaker)
                    && !starts_unit(&line)
                    && !is_table_row(&last.text)
            };
            if join {
                append(&mut last.text, &line.text);
                continue;
            }
        }
        out.push(Para {
            text: line.text,
            speaker: line.speaker,
            md_heading: line.md_heading,
        });
    }
    out
}

/// How the document lays out its paragraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    /// Paragraphs are separated by blank lines.
    blank_separated: bool,
    /// Paragraphs are hard-wrapped over several lines.
    wrapped: bool,
}

impl Layout {
    fn of(lines: &[Line]) -> Layout {
        let n = lines.len();
        let blank_before = lines.iter().skip(1).filter(|l| l.blank_before).count();
        let blank_separated = n >= 3 && blank_before * 2 >= n - 1;
        // Whether each line is unfinished, decided once: every count below needs it.
        let open: Vec<bool> = lines
            .iter()
            .map(|l| !is_complete(&l.text, l.md_heading, l.speaker))
            .collect();
        // Markdown hard breaks at the end of unfinished sentences.
        let hard_breaks = lines
            .iter()
            .zip(&open)
            .filter(|(l, open)| l.hard_break && **open)
            .count();
        // Unfinished lines continued on the very next line in a blank-line document.
        let continued = lines
            .iter()
            .zip(&open)
            .zip(lines.iter().skip(1))
            .filter(|((_, open), next)| !next.blank_before && **open && !starts_unit(next))
            .count();
        let unfinished = open.iter().filter(|open| **open).count();
        let mostly_unfinished = !blank_separated && n >= 10 && unfinished * 2 >= n;
        let wrapped = hard_breaks >= 3
            || (blank_separated && continued >= 3)
            // A plain-text PDF dump: most lines stop mid-sentence. It must have at least
            // one blank line (a page or section break), or lines cut at one width (a page
            // copied with its wraps): normalized text has neither, and must never be
            // joined again.
            || (mostly_unfinished && (blank_before > 0 || cut_at_one_width(lines, &open)));
        Layout {
            blank_separated,
            wrapped,
        }
    }
}

/// Whether most unfinished lines have one length, give or take two characters: a text
/// hard-wrapped at a fixed width (`单位地区生产总值` / `能耗下降3.2%`). Paragraphs on lines of
/// their own have lengths all over the place.
fn cut_at_one_width(lines: &[Line], open: &[bool]) -> bool {
    let lengths: Vec<usize> = lines
        .iter()
        .zip(open)
        .filter(|(_, open)| **open)
        .map(|(l, _)| l.text.chars().count())
        .collect();
    let mut counts = std::collections::HashMap::new();
    for &len in &lengths {
        *counts.entry(len).or_insert(0usize) += 1;
    }
    // The wrap width: the most common length (the longest of equals, for determinism).
    let Some(width) = counts
        .iter()
        .max_by_key(|(len, count)| (**count, **len))
        .map(|(len, _)| *len)
    else {
        return false;
    };
    let near = lengths
        .iter()
        .filter(|&&len| len + 2 >= width && len <= width + 2)
        .count();
    // Wrapped text has hardly a line longer than its width; paragraphs on their own lines
    // (normalized text) are mostly longer than any such width.
    let longer = lines
        .iter()
        .filter(|l| l.text.chars().count() > width + 2)
        .count();
    width >= 20 && near >= 8 && near * 2 >= lengths.len() && longer * 10 <= lines.len()
}

/// Closing quotes and brackets that may follow the punctuation that ends a sentence.
const CLOSERS: &[char] = &['”', '’', '"', '\'', ')', '）', '】', ']', '》', '」', '』'];

/// Punctuation that ends a sentence or a clause that is a unit (`：` before a list).
const FINALS: &[char] = &['。', '！', '？', '；', '：', '!', '?', ';', ':', '…'];

/// Whether the text ends a sentence, looking past closing quotes and brackets.
fn ends_sentence(text: &str) -> bool {
    let mut it = text
        .trim_end()
        .chars()
        .rev()
        .skip_while(|c| CLOSERS.contains(c));
    match it.next() {
        Some('.') => it.next().is_some_and(|p| !p.is_ascii_digit()),
        Some(c) => FINALS.contains(&c),
        None => false,
    }
}

/// Whether the text visibly stops mid-sentence: after a comma, an opening bracket or quote.
fn ends_open(text: &str) -> bool {
    text.trim_end()
        .chars()
        .next_back()
        .is_some_and(|c| ",，、(（“‘《[【".contains(c))
}

/// Whether a paragraph is finished: it may not be continued by the next line.
pub(super) fn is_complete(text: &str, md_heading: bool, speaker: bool) -> bool {
    if md_heading || speaker {
        return true;
    }
    if ends_open(text) {
        return false;
    }
    // The unit predicates only hold for short lines; checking the byte length first keeps
    // a paragraph that grows line by line from being rescanned each time.
    let short = text.len() <= 240;
    ends_sentence(text)
        || is_subtitle_end(text)
        || (short
            && ((is_pure_heading(text) && text.chars().count() <= 60)
                || is_org_line(text)
                || is_date_line(text)
                || is_numeric_line(text)
                || is_title_line(text)
                || is_table_caption(text)))
}

/// A table's caption (`表3 2023年财政收支情况`, `附表1 …`): a line of its own above the
/// table's header, never a sentence wrapped into it.
fn is_table_caption(text: &str) -> bool {
    let t = text.trim_start();
    let t = t.strip_prefix('附').unwrap_or(t);
    t.strip_prefix('表').is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c))
            && rest.chars().count() <= 40
            && !rest.contains(['，', ',', '。', '；', ';'])
    })
}

/// A report's title on a line of its own (`柏溪县2023年国民经济和社会发展统计公报`): it
/// ends with the kind of document and holds no clause punctuation, so it is no sentence
/// wrapped mid-way.
fn is_title_line(text: &str) -> bool {
    const KINDS: &[&str] = &["统计公报", "工作报告", "的报告", "计划草案", "运行情况"];
    let t = text.trim();
    t.chars().count() <= 60
        && !t.contains([',', '，', '。', ';', '；'])
        && (KINDS.iter().any(|k| t.ends_with(k)) || is_release_title(t))
}

/// A line that is only a list marker: `一、`, `(一)`, `1.`.
pub(super) fn is_bare_marker(text: &str) -> bool {
    parse_marker(text).is_some_and(|m| text.get(m.len..).is_some_and(|r| r.trim().is_empty()))
}

/// The `——2021年8月5日在…第四十次会议上` subtitle is complete once it names the meeting.
fn is_subtitle_end(text: &str) -> bool {
    text.starts_with("——") && {
        let t = text.trim_end();
        ["会议上", "大会上", "会上"].iter().any(|e| t.ends_with(e))
    }
}

/// Whether a line starts a new unit, so the previous line cannot continue into it.
fn starts_unit(line: &Line) -> bool {
    let t = line.text.as_str();
    line.md_heading
        || line.bullet
        || line.speaker
        || t.starts_with("——")
        || parse_marker(t).is_some()
        || is_salutation(t)
        || is_org_line(t)
        || is_date_line(t)
        || is_numeric_line(t)
        || is_table_row(t)
        // `注:…为预计数`: a table's note is never the last row's continuation.
        || t.starts_with("注:")
        || t.starts_with("注：")
}

/// A row of a table pasted as text: a name, then at least two figures, all apart
/// (`一般公共预算收入 86542 6.8`, `城镇新增就业 万人 60 68 60以上`), or a short name and
/// one figure (`居民消费价格 0.3`), or its header (`指标 单位 绝对数 比上年增长%`,
/// `指标 比上年上涨(%)`). Prose has no spaces between its words: a line of
/// space-separated figures is no wrapped sentence, and joining rows makes one paragraph of
/// a whole table.
fn is_table_row(text: &str) -> bool {
    // `指标 | 单位 | 2024年计划 | …`: bars separate cells as blanks do.
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '|' || c == '｜')
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() < 2 || text.chars().count() > 80 {
        return false;
    }
    // The unit may head a column of its own or the value column's (`绝对数（万元）`); a
    // row-number column may come first (`序号 指标 单位 …`).
    let header = opens_table_header(tokens[0], tokens[1])
        || (tokens[0] == "序号" && tokens.len() > 2 && opens_table_header(tokens[1], tokens[2]));
    let trailing = tokens
        .iter()
        .rev()
        .take_while(|t| is_figure_cell(t))
        .count();
    // A table of one column (`居民消费价格　0.3`): a short name, then its one figure.
    let one_column = tokens.len() == 2
        && trailing == 1
        && tokens[0].chars().count() <= 16
        && !tokens[0].contains(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    // `14 单位地区生产总值能耗降低 % 2.5 2.9* 完成市下达任务`: a row may end in a note.
    // Its figures stand side by side, then the note (not `2021 年 12 月 15 日在…`).
    let note_trailing = tokens[..tokens.len() - 1]
        .iter()
        .rev()
        .take_while(|t| is_figure_cell(t))
        .count();
    let row_with_note = note_trailing >= 2
        && note_trailing + 1 < tokens.len()
        && !text.contains(['，', ',', '。', '；', ';', '：', ':']);
    // `单位地区生产总值能耗下降 % 完成市下达任务 3.3`: a name, its unit, then cells of
    // figures or short notes in words.
    let unit_row = tokens.len() >= 3
        && ROW_UNITS.contains(&tokens[1])
        && tokens[2..].iter().any(|t| is_figure_cell(t))
        && tokens[2..]
            .iter()
            .all(|t| is_figure_cell(t) || (t.chars().count() <= 10 && t.chars().all(is_hanzi)));
    header || one_column || (trailing >= 2 && trailing < tokens.len()) || row_with_note || unit_row
}

/// A table cell holding a figure: `86542`, `６．８`, `-1.2`, `—`, `60以上`, `≤3.5`, `4.5*`
/// (a mark for an estimate).
pub(super) fn is_figure_cell(t: &str) -> bool {
    let t = t.trim_start_matches(['≥', '≤', '<', '>', '＜', '＞']);
    t.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '-' || c == '—')
        && t.chars().all(|c| {
            c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || ".．%％-—+*＊".contains(c)
                || "左右以上以内下".contains(c)
        })
}

/// Whether a table cell is a table header's first (`指标`) and the next names the units
/// (`单位`, `绝对数（万元）`).
pub(super) fn opens_table_header(first: &str, second: &str) -> bool {
    matches!(first, "指标" | "指标名称" | "项目")
        && [
            "单位",
            "绝对数",
            "绝对值",
            "增长",
            "上涨",
            "涨跌",
            "比上年",
            "%",
            "％",
        ]
        .iter()
        .any(|w| second.contains(w))
}

/// `各位代表：`, `主任、各位副主任、各位委员：`, `同志们:`.
pub(crate) fn is_salutation(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 30
        && (t.ends_with(':') || t.ends_with('：'))
        && [
            "代表", "委员", "同志", "主任", "各位", "朋友", "领导", "来宾",
        ]
        .iter()
        .any(|w| t.contains(w))
}

/// A line of figures only (a table cell): `295.4`, `6.5%`, `-3.2`.
fn is_numeric_line(text: &str) -> bool {
    // `all` first: it stops at the first hanzi of an ordinary line.
    text.chars()
        .all(|c| c.is_ascii_digit() || " .,%-+".contains(c))
        && text.chars().any(|c| c.is_ascii_digit())
}

/// Appends a wrapped continuation, dropping a word the converter repeated across the wrap
/// (`国民经济和社会` + `社会发展计划`) and keeping a space between two ASCII words.
pub(super) fn append(a: &mut String, b: &str) {
    let b = b.trim();
    let skip = repeated_prefix(a, b);
    let b = b.get(skip..).unwrap_or(b);
    let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if ascii_word(a.chars().next_back()) && ascii_word(b.chars().next()) {
        a.push(' ');
    }
    a.push_str(b);
}

/// Byte length of the start of `b` that repeats the end of `a`: the longest common run of
/// 2 to 8 hanzi. Single characters repeat legitimately (`人人`), longer runs at a wrap point
/// are converter noise.
pub(super) fn repeated_prefix(a: &str, b: &str) -> usize {
    let tail: Vec<char> = {
        let mut t: Vec<char> = a.chars().rev().take(8).collect();
        t.reverse();
        t
    };
    let head: Vec<char> = b.chars().take(8).collect();
    for k in (2..=8).rev() {
        if tail.len() < k || head.len() < k {
            continue;
        }
        let end = &tail[tail.len() - k..];
        if end == &head[..k] && end.iter().all(|c| is_hanzi(*c)) {
            return head[..k].iter().map(|c| c.len_utf8()).sum();
        }
    }
    0
}

#[cfg(test)]
mod tests;
