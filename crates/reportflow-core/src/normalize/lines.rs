//! Line cleaning: the second pass of the normalizer.
//!
//! Each physical line loses what is not report text (office bookmarks, markdown marks, web
//! page chrome, a repeated title) and keeps the layout facts the paragraph joiner needs: was
//! there a blank line before it, did it end in a markdown hard break, was it a markdown
//! heading or a bullet, is it the speaker line.

use super::join;
use crate::sections::{parse_marker, Family};
use crate::text::is_hanzi;

/// A cleaned physical line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// The cleaned text, trimmed; inner spaces are left for the final pass.
    pub(super) text: String,
    /// At least one blank line separates it from the previous kept line.
    pub(super) blank_before: bool,
    /// The raw line ended in two or more spaces (a markdown hard break inside a paragraph).
    pub(super) hard_break: bool,
    /// The raw line was a markdown heading (`# …`).
    pub(super) md_heading: bool,
    /// The raw line was a markdown bullet (`- …`).
    pub(super) bullet: bool,
    /// The line is a speaker line, already rewritten as `title name`.
    pub(super) speaker: bool,
}

/// Units a table row may give in a column of their own (`地区生产总值 亿元 2156.38 7.1`).
pub(super) const ROW_UNITS: &[&str] = &[
    "万亿元",
    "亿元",
    "万元",
    "元",
    "亿美元",
    "万美元",
    "美元",
    "万人",
    "人",
    "万户",
    "户",
    "%",
    "％",
    "万吨",
    "吨",
];

/// A whole table flattened into one line, as a scraper joins a page's cells with spaces
/// (`表3 2023年财政收支情况 指标 绝对数（万元） 比上年增长（％） 一般公共预算收入 86542 6.8
/// 其中：税收收入 52310 4.2 …`): its caption, header and rows, one line each, as the table
/// reader reads them. A row is a name (and a unit cell), then its figures; the header is
/// what stands between `指标` and the first row. `None` for any other line: prose has no
/// spaces between its words, and nothing is split without a header.
fn flattened_table_rows(text: &str) -> Option<Vec<String>> {
    if text.contains('。') {
        return None;
    }
    let cells: Vec<&str> = text.split_whitespace().collect();
    let figures = cells.iter().filter(|c| join::is_figure_cell(c)).count();
    if cells.len() < 8 || figures < 4 {
        return None;
    }
    let header =
        (0..cells.len() - 1).find(|&i| join::opens_table_header(cells[i], cells[i + 1]))?;
    let first_figure = header
        + cells[header..]
            .iter()
            .position(|c| join::is_figure_cell(c))?;
    // The first row's name: the last cell before the first figure that is no unit.
    let first_row = (header + 1..first_figure)
        .rev()
        .find(|&i| !ROW_UNITS.contains(&cells[i]))?;
    if first_row <= header + 1 {
        return None;
    }
    let mut out = Vec::new();
    if header > 0 {
        out.push(cells[..header].join(" "));
    }
    out.push(cells[header..first_row].join(" "));
    let mut row: Vec<&str> = Vec::new();
    for (i, cell) in cells.iter().enumerate().skip(first_row) {
        let after_figure = i > first_row && join::is_figure_cell(cells[i - 1]);
        if after_figure && !join::is_figure_cell(cell) {
            out.push(row.join(" "));
            row.clear();
        }
        row.push(cell);
    }
    out.push(row.join(" "));
    Some(out)
}

/// The pieces of a raw line that glues part headings between paragraphs, as a page that
/// lost its paragraph breaks does (`…提出意见。一、2025年和“十四五”工作回顾 2025年是…`):
/// a heading is a list marker (`一、`) at the line's start or right after a sentence's end,
/// then at most [`GLUED_HEADING_CHARS`] characters without punctuation, ended by the space
/// that replaced the break. The line is cut before and after each; any other line is one
/// piece.
fn glued_heading_pieces(raw: &str) -> Vec<&str> {
    if raw.len() < 200 || !raw.contains('、') || !raw.contains([' ', '\u{3000}']) {
        return vec![raw];
    }
    let mut cuts = Vec::new();
    let mut prev = None;
    for (at, c) in raw.char_indices() {
        let opens = prev.is_none_or(|p| matches!(p, '。' | '！' | '？' | '!' | '?'));
        prev = Some(c);
        if !opens || !crate::text::is_han_digit(c) {
            continue;
        }
        let Some(end) = glued_heading_end(&raw[at..]) else {
            continue;
        };
        cuts.extend([at, at + end]);
    }
    if cuts.is_empty() {
        return vec![raw];
    }
    let mut pieces = Vec::new();
    let mut from = 0;
    for cut in cuts {
        if cut > from {
            pieces.push(&raw[from..cut]);
        }
        from = cut;
    }
    pieces.push(&raw[from..]);
    pieces
}

/// How many characters a heading glued into a paragraph may have after its marker.
const GLUED_HEADING_CHARS: usize = 40;

/// Where a heading glued before a paragraph ends (the byte offset of the space after it),
/// if `s` opens with one: a `一、` marker of one or two numerals (as the section reader
/// reads markers), then words.
fn glued_heading_end(s: &str) -> Option<usize> {
    let marker = parse_marker(s).filter(|m| {
        m.family == Family::HanComma && m.len <= "十一、".len() && s[..m.len].ends_with('、')
    })?;
    for (n, (at, c)) in s[marker.len..].char_indices().enumerate() {
        if n > GLUED_HEADING_CHARS {
            return None;
        }
        match c {
            ' ' | '\u{3000}' => return (n >= 2).then_some(marker.len + at),
            '。' | '，' | '；' | '：' | ',' | ';' | ':' | '！' | '？' | '!' | '?' => {
                return None
            }
            _ => {}
        }
    }
    None
}

/// Splits prepared text into cleaned lines, dropping chrome and repeated lines.
pub(super) fn clean_lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut blank_pending = false;
    for raw in text.split('\n').flat_map(glued_heading_pieces) {
        let hard_break = raw.ends_with("  ") && !raw.trim().is_empty();
        let no_artifacts = remove_office_artifacts(raw);
        let (text, md_heading, bullet) = strip_markdown(no_artifacts.trim());
        if text.is_empty() || is_rule(&text) {
            blank_pending = true;
            continue;
        }
        if is_chrome(&text) {
            // A page's release date under its title (`发布时间:2025-10-28 来源:…`) dates a
            // release whose title names no year: kept, as a date line of the title block.
            let title_block = out.len() < 6 && out.iter().all(|l| !l.text.ends_with('。'));
            if let Some((y, m, d)) = title_block.then(|| release_date(&text)).flatten() {
                out.push(Line {
                    text: format!("{y}年{m}月{d}日"),
                    blank_before: false,
                    hard_break: false,
                    md_heading: false,
                    bullet: false,
                    speaker: false,
                });
            }
            continue;
        }
        // A title repeated on the next line (web pages print it as page title and again
        // as document title) is one title.
        if out.last().is_some_and(|prev| is_repeat(&text, &prev.text)) {
            continue;
        }
        if let Some(rows) = flattened_table_rows(&text) {
            for (i, row) in rows.into_iter().enumerate() {
                out.push(Line {
                    text: row,
                    blank_before: i == 0 && blank_pending && !out.is_empty(),
                    hard_break: false,
                    md_heading: false,
                    bullet: false,
                    speaker: false,
                });
            }
            blank_pending = false;
            continue;
        }
        let (text, speaker) = match speaker_parts(&text) {
            Some((title, name)) => (format!("{title} {name}"), true),
            None => (text, false),
        };
        out.push(Line {
            text,
            blank_before: blank_pending && !out.is_empty(),
            hard_break,
            md_heading,
            bullet,
            speaker,
        });
        blank_pending = false;
    }
    out
}

/// The date of a `发布时间:…` / `发布日期:…` line.
fn release_date(line: &str) -> Option<(i32, u32, u32)> {
    let t = line.trim_start();
    if !(t.starts_with("发布时间") || t.starts_with("发布日期")) {
        return None;
    }
    crate::dates::find_date(t)
}

/// The text of a line after office artifacts and markdown marks are removed.
pub(super) fn clean_text(line: &str) -> String {
    strip_markdown(&remove_office_artifacts(line)).0
}

/// Whether a line repeats the previous one (equal once spaces are ignored) and is text,
/// not a table cell: two equal figures in a row (`0.5`, `0.5`) are legitimate.
pub(super) fn is_repeat(a: &str, b: &str) -> bool {
    a.chars().filter(|c| is_hanzi(*c)).nth(1).is_some() && same_ignoring_spaces(a, b)
}

/// Whether two lines are equal once spaces are ignored.
fn same_ignoring_spaces(a: &str, b: &str) -> bool {
    a.chars()
        .filter(|c| *c != ' ')
        .eq(b.chars().filter(|c| *c != ' '))
}

/// Removes `[bookmark: _GoBack]`-style anchors that office-to-text converters leave.
fn remove_office_artifacts(line: &str) -> std::borrow::Cow<'_, str> {
    const OPEN: &str = "[bookmark:";
    if !line.contains(OPEN) {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        match after.find(']') {
            Some(j) => rest = &after[j + 1..],
            None => {
                // An unclosed anchor is left alone: it is not what we think it is.
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Strips markdown marks: leading `#`s of headings, `> ` quote marks, bullets and `**`.
/// Returns the text and whether the line was a heading or a bullet.
fn strip_markdown(line: &str) -> (String, bool, bool) {
    let (mut heading, mut bullet) = (false, false);
    let mut text = line.trim().to_string();
    // Removing `**` can expose a prefix (`**# x`) and stripping a prefix can expose `**`:
    // repeat until nothing changes, so that a second normalization finds nothing left.
    loop {
        let before = text.len();
        if text.contains("**") {
            text = text.replace("**", "").trim().to_string();
        }
        let (rest, h, b) = strip_prefixes(&text);
        heading |= h;
        bullet |= b;
        if rest.len() != text.len() {
            text = rest.to_string();
        }
        if text.len() == before {
            return (text, heading, bullet);
        }
    }
}

/// Strips leading `#`s, `> ` and bullet marks; returns the rest and whether a heading mark
/// or a bullet was seen.
fn strip_prefixes(line: &str) -> (&str, bool, bool) {
    let mut s = line;
    let (mut heading, mut bullet) = (false, false);
    loop {
        let hashes = s.len() - s.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) && s[hashes..].chars().next().is_none_or(|c| c == ' ') {
            s = s[hashes..].trim_start();
            // Closing hashes of `## title ##`.
            s = s.trim_end_matches('#').trim_end();
            heading = true;
            continue;
        }
        if let Some(r) = s.strip_prefix('>') {
            if r.is_empty() || r.starts_with(' ') {
                s = r.trim_start();
                continue;
            }
        }
        let mut cs = s.chars();
        if let (Some(b @ ('-' | '*' | '+' | '•')), Some(' ')) = (cs.next(), cs.next()) {
            s = s[b.len_utf8()..].trim_start();
            bullet = true;
            continue;
        }
        return (s, heading, bullet);
    }
}

/// A markdown horizontal rule (`---`, `***`, `___`) separates paragraphs like a blank line.
fn is_rule(s: &str) -> bool {
    if !s.starts_with(['-', '*', '_', '=']) {
        return false;
    }
    let t: String = s.chars().filter(|c| *c != ' ').collect();
    t.chars().count() >= 3
        && t.chars()
            .all(|c| c == t.chars().next().unwrap_or('-') && matches!(c, '-' | '*' | '_' | '='))
}

/// Widget words of web pages that may make up a whole line, longest first so that
/// `关闭窗口` is not read as `关闭` + leftovers.
const CHROME_WORDS: &[&str] = &[
    "用手机扫描二维码",
    "在手机上查看",
    "打印本页",
    "关闭本页",
    "关闭窗口",
    "打印此页",
    "返回顶部",
    "返回首页",
    "相关解读",
    "相关链接",
    "相关新闻",
    "手机扫一扫",
    "扫一扫",
    "上一篇",
    "下一篇",
    "分享到",
    "打印",
    "关闭",
    "收藏",
    "纠错",
    "返回",
    "分享",
    "微信",
    "微博",
    "字号",
];

/// Whether a whole line is web page chrome: breadcrumbs, share and font-size widgets,
/// print/close links, page statistics.
pub(super) fn is_chrome(line: &str) -> bool {
    let t = line.trim();
    // Chrome lines are short; most lines are long paragraphs and leave here.
    if t.len() > 600 {
        return false;
    }
    if t.len() <= 40 && is_page_mark(t) {
        return true;
    }
    let n = t.chars().count();
    let colon_follows = |p: &str| {
        t.strip_prefix(p)
            .and_then(|r| r.trim_start().chars().next())
            .is_some_and(|c| c == ':' || c == '：')
    };
    // Breadcrumbs: `您当前的位置:首页>>…`, `当前位置：…`, `首页 > 政务公开 > …`.
    const CRUMBS: &[&str] = &[
        "您当前的位置",
        "您现在的位置",
        "您的位置",
        "当前位置",
        "所在位置",
    ];
    if n <= 200 && CRUMBS.iter().any(|p| colon_follows(p)) {
        return true;
    }
    if n <= 200 && t.starts_with("首页") && (t.contains('>') || t.contains('»') || t.contains('›'))
    {
        return true;
    }
    // `字号:大 中 小`, `分享:` followed by icon names, page statistics.
    if n <= 40 && (colon_follows("字号") || t == "字号") {
        return true;
    }
    if n <= 40 && (t == "分享" || colon_follows("分享") || t.starts_with("分享到")) {
        return true;
    }
    const STATS: &[&str] = &[
        "发布时间",
        "发布日期",
        "浏览次数",
        "点击数",
        "阅读次数",
        "访问量",
        "来源",
    ];
    if n <= 60 && STATS.iter().any(|p| colon_follows(p)) {
        return true;
    }
    // Site footers: `主办:…承办:…网站标识码…京ICP备…号`, `版权所有 …`.
    const FOOTER_WORDS: &[&str] = &["ICP备", "公网安备", "网站标识码"];
    if n <= 300
        && (colon_follows("主办")
            || colon_follows("承办")
            || ["版权所有", "Copyright", "©"]
                .iter()
                .any(|p| t.starts_with(p))
            || FOOTER_WORDS.iter().any(|w| t.contains(w)))
    {
        return true;
    }
    // A line made only of widget words and separators: `【打印】【关闭】`, `打印 | 关闭窗口`.
    let mut rest = t;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ' ' || "|/·:：【】[]()<>-_".contains(c));
        if rest.is_empty() {
            return true;
        }
        match CHROME_WORDS.iter().find(|w| rest.starts_with(**w)) {
            Some(w) => rest = &rest[w.len()..],
            None => return false,
        }
    }
}

/// Whether a line is only a page's mark, printed or copied into the text: `第3页 共8页`,
/// `共8页 第3页`, `第3页`, `- 3 -`, `—3—`. A wrapped paragraph runs on across it.
fn is_page_mark(t: &str) -> bool {
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    fn digits(s: &str) -> Option<&str> {
        let n = s
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || ('０'..='９').contains(c)))
            .map_or(s.len(), |(i, _)| i);
        (n > 0).then(|| &s[n..])
    }
    // `- 3 -`, `—3—`: a number between dashes.
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－');
    if let Some(inner) = compact
        .strip_prefix(dashes)
        .and_then(|r| r.strip_suffix(dashes))
    {
        let inner = inner.trim_matches(dashes);
        return digits(inner).is_some_and(str::is_empty);
    }
    // `第3页`, `共8页`, in any order, with a separator between them.
    let mut rest = compact.as_str();
    let mut marks = 0;
    while !rest.is_empty() {
        rest = rest.trim_start_matches([',', '，', '/', '／', '|', '、']);
        let Some(after) = rest.strip_prefix('第').or_else(|| rest.strip_prefix('共')) else {
            return false;
        };
        let Some(after) = digits(after).and_then(|r| r.strip_prefix('页')) else {
            return false;
        };
        rest = after;
        marks += 1;
    }
    marks > 0
}

/// Endings of a position title on a speaker line (`副区长`, `主任`, `书记`, ...).
const TITLE_ENDINGS: &[&str] = &[
    "长",
    "主任",
    "书记",
    "委员",
    "主席",
    "专员",
    "巡视员",
    "负责人",
    "总监",
    "经理",
];

/// Splits a speaker line, `北京市通州区人民政府副区长   吴孔安` or
/// `朝阳区发展和改革委员会主任  李  欣`, into title and name (2-4 hanzi), both without
/// inner spaces. Only lines where whitespace separates title and name qualify: without the
/// gap the boundary between title and name cannot be told. The title may itself contain a
/// gap (`北京市通州区 副区长 吴孔安`): the first gap after which the title is complete wins.
pub(crate) fn speaker_parts(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.len() > 160 || line.chars().count() > 40 {
        return None;
    }
    if !line.chars().all(|c| c == ' ' || is_hanzi(c) || c == '·') {
        return None;
    }
    let no_space = |s: &str| s.chars().filter(|c| *c != ' ').collect::<String>();
    for (gap, _) in line.match_indices(' ') {
        // Only the first space of a run is a split point.
        if line[..gap].ends_with(' ') {
            continue;
        }
        let title = no_space(&line[..gap]);
        let name = no_space(&line[gap..]);
        if title.chars().count() >= 2
            && !title.contains('·')
            && TITLE_ENDINGS.iter().any(|e| title.ends_with(e))
            // Transliterated names (`阿不都·热合曼`) are longer than Han names.
            && (2..=if name.contains('·') { 10 } else { 4 }).contains(&name.chars().count())
        {
            return Some((title, name));
        }
    }
    None
}

#[cfg(test)]
mod tests;
