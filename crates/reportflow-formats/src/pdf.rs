//! PDF: the text layer, through `pdf-extract` (CJK fonts through their ToUnicode maps) with
//! our own layout: glyphs grouped into lines by baseline, lines into paragraphs by vertical
//! gaps and first-line indents, running headers, footers and page numbers removed. A line
//! the renderer wrapped at the right margin is joined to the next here (the layout tells);
//! a line that ends short stays a line break for the core's wrap joiner, and paragraphs are
//! separated by blank lines.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pdf_extract::{Document, MediaBox, OutputDev, OutputError, Transform};
use reportflow_core::Decoded;

use crate::{unicode_info, Error, Format, Limits};

/// Most glyphs read from one document: the work budget that bounds the time a hostile
/// content stream can take.
const MAX_GLYPHS: usize = 4_000_000;

fn broken(detail: impl std::fmt::Display) -> Error {
    Error::Broken {
        format: Format::Pdf,
        detail: detail.to_string(),
    }
}

/// One glyph as placed on the page (PDF user space: y grows upwards).
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

/// A page's glyphs and box.
#[derive(Debug, Default)]
struct Page {
    top: f64,
    bottom: f64,
    glyphs: Vec<Glyph>,
}

/// The [`OutputDev`] that collects glyphs per page, within the glyph budget.
#[derive(Debug, Default)]
struct Collector {
    pages: Vec<Page>,
    glyphs: usize,
    over_budget: bool,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.pages.push(Page {
            top: media_box.ury,
            bottom: media_box.lly,
            glyphs: Vec::new(),
        });
        Ok(())
    }
    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        self.glyphs += 1;
        if self.glyphs > MAX_GLYPHS {
            self.over_budget = true;
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        let scale = (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt();
        let size = if scale.is_finite() && scale > 0.0 {
            font_size * scale
        } else {
            font_size.abs()
        };
        let (x, y) = (trm.m31, trm.m32);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) {
            return Ok(());
        }
        if let Some(page) = self.pages.last_mut() {
            page.glyphs.push(Glyph {
                x,
                y,
                end: x + width * size,
                size,
                text: char.chars().map(fold_radical).collect(),
            });
        }
        Ok(())
    }
    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// A line of text on a page.
#[derive(Debug, Clone)]
struct Line {
    x: f64,
    end: f64,
    y: f64,
    size: f64,
    text: String,
}

/// The text layer of a PDF.
pub(crate) fn to_text(raw: &[u8], limits: &Limits) -> Result<Decoded, Error> {
    if raw.len() > limits.max_pdf_bytes {
        return Err(Error::TooLarge {
            format: Format::Pdf,
            size: raw.len(),
            limit: limits.max_pdf_bytes,
        });
    }
    // The PDF crates are not panic-free on hostile input: a panic inside them is a broken
    // document, not a crash of the worker.
    let pages = catch_unwind(AssertUnwindSafe(|| collect(raw, limits)))
        .map_err(|_| broken("the PDF reader failed on this document"))??;
    let page_count = pages.len();
    let text = layout(pages);
    if !text.chars().any(char::is_alphanumeric) {
        return Err(Error::NoTextLayer { pages: page_count });
    }
    Ok(Decoded {
        text,
        info: unicode_info(),
    })
}

fn collect(raw: &[u8], limits: &Limits) -> Result<Vec<Page>, Error> {
    let mut doc = Document::load_mem(raw).map_err(|e| match e {
        pdf_extract::Error::Decryption(_) => Error::Encrypted(Format::Pdf),
        e => broken(e),
    })?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(Error::Encrypted(Format::Pdf));
    }
    let pages = doc.get_pages();
    if pages.len() > limits.max_pdf_pages {
        return Err(broken(format!(
            "{} pages, over the budget of {}",
            pages.len(),
            limits.max_pdf_pages
        )));
    }
    let mut collector = Collector::default();
    for &number in pages.keys() {
        if let Err(e) = pdf_extract::output_doc_page(&doc, &mut collector, number) {
            if collector.over_budget {
                return Err(broken(format!("more than {MAX_GLYPHS} glyphs")));
            }
            // A page that fails keeps what it gave; the other pages are still read.
            let _ = e;
        }
    }
    Ok(collector.pages)
}

/// The lines of one page, top to bottom, each left to right.
fn lines(page: &Page) -> Vec<Line> {
    let mut glyphs: Vec<&Glyph> = page.glyphs.iter().filter(|g| !g.text.is_empty()).collect();
    glyphs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut rows: Vec<Vec<&Glyph>> = Vec::new();
    for g in glyphs {
        match rows.last_mut() {
            Some(row) if (row[0].y - g.y).abs() <= row[0].size.max(g.size) * 0.4 => row.push(g),
            _ => rows.push(vec![g]),
        }
    }
    rows.into_iter()
        .filter_map(|mut row| {
            row.sort_by(|a, b| a.x.total_cmp(&b.x));
            let mut text = String::new();
            let mut last_end: Option<f64> = None;
            let size = row.iter().map(|g| g.size).fold(0.0, f64::max);
            for g in &row {
                if let Some(end) = last_end {
                    if g.x > end + size * 0.25 {
                        text.push(' ');
                    }
                }
                text.push_str(&g.text);
                last_end = Some(g.end.max(g.x));
            }
            let text = text.trim().to_string();
            (!text.is_empty()).then(|| Line {
                x: row[0].x,
                end: last_end.unwrap_or(row[0].x),
                y: row[0].y,
                size,
                text,
            })
        })
        .collect()
}

/// A line's text with digits folded, so that `第1页` and `第2页` look the same.
fn shape(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A page number on its own: `3`, `- 3 -`, `第3页`, `3/12`, `第 3 页 共 12 页`, `Page 3`.
fn is_page_number(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let rest: String = t
        .chars()
        .filter(|c| !c.is_ascii_digit() && !"-—–/第页共()（）Pagepof.".contains(*c))
        .collect();
    rest.is_empty() && t.chars().any(|c| c.is_ascii_digit())
}

/// Pages to text: page furniture dropped, paragraphs separated by blank lines.
fn layout(pages: Vec<Page>) -> String {
    let page_lines: Vec<(f64, f64, Vec<Line>)> =
        pages.iter().map(|p| (p.top, p.bottom, lines(p))).collect();
    // Furniture: in the top or bottom eighth of the page, and a page number or a line whose
    // shape repeats on at least half of the pages (running titles, dates, URLs).
    let mut shapes: HashMap<String, usize> = HashMap::new();
    for (top, bottom, lines) in &page_lines {
        let band = (top - bottom) / 8.0;
        let mut seen = std::collections::HashSet::new();
        for l in lines {
            if (l.y > top - band || l.y < bottom + band) && seen.insert(shape(&l.text)) {
                *shapes.entry(shape(&l.text)).or_default() += 1;
            }
        }
    }
    let repeats = |l: &Line| {
        page_lines.len() >= 2
            && shapes.get(&shape(&l.text)).copied().unwrap_or(0) * 2 >= page_lines.len()
    };
    let mut out = String::new();
    let mut prev: Option<Line> = None;
    // Whether the previous line reached its page's right margin.
    let mut prev_full = false;
    for (top, bottom, lines) in &page_lines {
        let band = (top - bottom) / 8.0;
        let body: Vec<&Line> = lines
            .iter()
            .filter(|l| {
                let margin = l.y > top - band || l.y < bottom + band;
                !(margin && (is_page_number(&l.text) || repeats(l)))
            })
            .collect();
        // The left margin of the page: the most common line start; the right one: the
        // furthest line end; the line pitch: the most common gap between lines.
        let mut starts: HashMap<i64, usize> = HashMap::new();
        // Gaps between consecutive lines of one type size, in units of that size.
        let mut pitches: Vec<f64> = Vec::new();
        for l in &body {
            *starts.entry(l.x.round() as i64).or_default() += 1;
        }
        for pair in body.windows(2) {
            let gap = pair[0].y - pair[1].y;
            let size = pair[0].size;
            if gap > 0.0 && gap < size * 3.0 && (size - pair[1].size).abs() < 0.5 && size > 0.0 {
                pitches.push(gap / size);
            }
        }
        // The line pitch: a low percentile of the gaps, since paragraph gaps may outnumber
        // the gaps between wrapped lines on a page of short paragraphs.
        pitches.sort_by(f64::total_cmp);
        let pitch = pitches.get(pitches.len() / 5).copied();
        let mode = |m: &HashMap<i64, usize>| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(x, _)| *x as f64)
        };
        let left = mode(&starts).unwrap_or(0.0);
        let right = body.iter().map(|l| l.end).fold(f64::MIN, f64::max);
        let mut on_page: Option<&Line> = None;
        for l in body {
            if let Some(p) = &prev {
                let near = |x: f64, y: f64| (x - y).abs() <= l.size * 0.5;
                // A paragraph's first line is indented under a full-width line that ended
                // short (its paragraph's last line), or set off by a wider gap than the
                // page's line pitch, or in another type size (headings).
                let indented =
                    l.x > left + l.size * 0.8 && near(p.x, left) && p.end < right - p.size * 1.5;
                let gapped = match (on_page, pitch) {
                    (Some(above), Some(pitch)) => {
                        let size = l.size.max(above.size).max(1.0);
                        (above.y - l.y) / size > pitch * 1.12 + 0.03
                    }
                    _ => false,
                };
                let new_paragraph = indented || gapped || (l.size - p.size).abs() > 1.0;
                if new_paragraph {
                    out.push_str("\n\n");
                } else if prev_full {
                    // The renderer wrapped the line at the margin: the paragraph goes on.
                    let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                    if ascii(out.chars().last()) && ascii(l.text.chars().next()) {
                        out.push(' ');
                    }
                } else {
                    out.push('\n');
                }
            }
            out.push_str(&l.text);
            prev_full = l.end >= right - l.size * 1.5;
            prev = Some(l.clone());
            on_page = Some(l);
        }
    }
    out
}

/// Kangxi Radicals (U+2F00–U+2FD5) and CJK Radicals Supplement characters that stand for a
/// whole character, with that character. CJK fonts (Noto CJK among them) map some glyphs to
/// these code points in their ToUnicode tables (`⼀` for `一`, `⺠` for `民`), which no
/// matcher downstream expects. The Kangxi part is Unicode's NFKC mapping (generated with
/// Python's `unicodedata.normalize("NFKC", …)`); the supplement part, which NFKC leaves
/// alone except for two characters, is the simplified forms by name.
const RADICALS: &[(char, char)] = &[
    ('\u{2F00}', '一'),
    ('\u{2F01}', '丨'),
    ('\u{2F02}', '丶'),
    ('\u{2F03}', '丿'),
    ('\u{2F04}', '乙'),
    ('\u{2F05}', '亅'),
    ('\u{2F06}', '二'),
    ('\u{2F07}', '亠'),
    ('\u{2F08}', '人'),
    ('\u{2F09}', '儿'),
    ('\u{2F0A}', '入'),
    ('\u{2F0B}', '八'),
    ('\u{2F0C}', '冂'),
    ('\u{2F0D}', '冖'),
    ('\u{2F0E}', '冫'),
    ('\u{2F0F}', '几'),
    ('\u{2F10}', '凵'),
    ('\u{2F11}', '刀'),
    ('\u{2F12}', '力'),
    ('\u{2F13}', '勹'),
    ('\u{2F14}', '匕'),
    ('\u{2F15}', '匚'),
    ('\u{2F16}', '匸'),
    ('\u{2F17}', '十'),
    ('\u{2F18}', '卜'),
    ('\u{2F19}', '卩'),
    ('\u{2F1A}', '厂'),
    ('\u{2F1B}', '厶'),
    ('\u{2F1C}', '又'),
    ('\u{2F1D}', '口'),
    ('\u{2F1E}', '囗'),
    ('\u{2F1F}', '土'),
    ('\u{2F20}', '士'),
    ('\u{2F21}', '夂'),
    ('\u{2F22}', '夊'),
    ('\u{2F23}', '夕'),
    ('\u{2F24}', '大'),
    ('\u{2F25}', '女'),
    ('\u{2F26}', '子'),
    ('\u{2F27}', '宀'),
    ('\u{2F28}', '寸'),
    ('\u{2F29}', '小'),
    ('\u{2F2A}', '尢'),
    ('\u{2F2B}', '尸'),
    ('\u{2F2C}', '屮'),
    ('\u{2F2D}', '山'),
    ('\u{2F2E}', '巛'),
    ('\u{2F2F}', '工'),
    ('\u{2F30}', '己'),
    ('\u{2F31}', '巾'),
    ('\u{2F32}', '干'),
    ('\u{2F33}', '幺'),
    ('\u{2F34}', '广'),
    ('\u{2F35}', '廴'),
    ('\u{2F36}', '廾'),
    ('\u{2F37}', '弋'),
    ('\u{2F38}', '弓'),
    ('\u{2F39}', '彐'),
    ('\u{2F3A}', '彡'),
    ('\u{2F3B}', '彳'),
    ('\u{2F3C}', '心'),
    ('\u{2F3D}', '戈'),
    ('\u{2F3E}', '戶'),
    ('\u{2F3F}', '手'),
    ('\u{2F40}', '支'),
    ('\u{2F41}', '攴'),
    ('\u{2F42}', '文'),
    ('\u{2F43}', '斗'),
    ('\u{2F44}', '斤'),
    ('\u{2F45}', '方'),
    ('\u{2F46}', '无'),
    ('\u{2F47}', '日'),
    ('\u{2F48}', '曰'),
    ('\u{2F49}', '月'),
    ('\u{2F4A}', '木'),
    ('\u{2F4B}', '欠'),
    ('\u{2F4C}', '止'),
    ('\u{2F4D}', '歹'),
    ('\u{2F4E}', '殳'),
    ('\u{2F4F}', '毋'),
    ('\u{2F50}', '比'),
    ('\u{2F51}', '毛'),
    ('\u{2F52}', '氏'),
    ('\u{2F53}', '气'),
    ('\u{2F54}', '水'),
    ('\u{2F55}', '火'),
    ('\u{2F56}', '爪'),
    ('\u{2F57}', '父'),
    ('\u{2F58}', '爻'),
    ('\u{2F59}', '爿'),
    ('\u{2F5A}', '片'),
    ('\u{2F5B}', '牙'),
    ('\u{2F5C}', '牛'),
    ('\u{2F5D}', '犬'),
    ('\u{2F5E}', '玄'),
    ('\u{2F5F}', '玉'),
    ('\u{2F60}', '瓜'),
    ('\u{2F61}', '瓦'),
    ('\u{2F62}', '甘'),
    ('\u{2F63}', '生'),
    ('\u{2F64}', '用'),
    ('\u{2F65}', '田'),
    ('\u{2F66}', '疋'),
    ('\u{2F67}', '疒'),
    ('\u{2F68}', '癶'),
    ('\u{2F69}', '白'),
    ('\u{2F6A}', '皮'),
    ('\u{2F6B}', '皿'),
    ('\u{2F6C}', '目'),
    ('\u{2F6D}', '矛'),
    ('\u{2F6E}', '矢'),
    ('\u{2F6F}', '石'),
    ('\u{2F70}', '示'),
    ('\u{2F71}', '禸'),
    ('\u{2F72}', '禾'),
    ('\u{2F73}', '穴'),
    ('\u{2F74}', '立'),
    ('\u{2F75}', '竹'),
    ('\u{2F76}', '米'),
    ('\u{2F77}', '糸'),
    ('\u{2F78}', '缶'),
    ('\u{2F79}', '网'),
    ('\u{2F7A}', '羊'),
    ('\u{2F7B}', '羽'),
    ('\u{2F7C}', '老'),
    ('\u{2F7D}', '而'),
    ('\u{2F7E}', '耒'),
    ('\u{2F7F}', '耳'),
    ('\u{2F80}', '聿'),
    ('\u{2F81}', '肉'),
    ('\u{2F82}', '臣'),
    ('\u{2F83}', '自'),
    ('\u{2F84}', '至'),
    ('\u{2F85}', '臼'),
    ('\u{2F86}', '舌'),
    ('\u{2F87}', '舛'),
    ('\u{2F88}', '舟'),
    ('\u{2F89}', '艮'),
    ('\u{2F8A}', '色'),
    ('\u{2F8B}', '艸'),
    ('\u{2F8C}', '虍'),
    ('\u{2F8D}', '虫'),
    ('\u{2F8E}', '血'),
    ('\u{2F8F}', '行'),
    ('\u{2F90}', '衣'),
    ('\u{2F91}', '襾'),
    ('\u{2F92}', '見'),
    ('\u{2F93}', '角'),
    ('\u{2F94}', '言'),
    ('\u{2F95}', '谷'),
    ('\u{2F96}', '豆'),
    ('\u{2F97}', '豕'),
    ('\u{2F98}', '豸'),
    ('\u{2F99}', '貝'),
    ('\u{2F9A}', '赤'),
    ('\u{2F9B}', '走'),
    ('\u{2F9C}', '足'),
    ('\u{2F9D}', '身'),
    ('\u{2F9E}', '車'),
    ('\u{2F9F}', '辛'),
    ('\u{2FA0}', '辰'),
    ('\u{2FA1}', '辵'),
    ('\u{2FA2}', '邑'),
    ('\u{2FA3}', '酉'),
    ('\u{2FA4}', '釆'),
    ('\u{2FA5}', '里'),
    ('\u{2FA6}', '金'),
    ('\u{2FA7}', '長'),
    ('\u{2FA8}', '門'),
    ('\u{2FA9}', '阜'),
    ('\u{2FAA}', '隶'),
    ('\u{2FAB}', '隹'),
    ('\u{2FAC}', '雨'),
    ('\u{2FAD}', '靑'),
    ('\u{2FAE}', '非'),
    ('\u{2FAF}', '面'),
    ('\u{2FB0}', '革'),
    ('\u{2FB1}', '韋'),
    ('\u{2FB2}', '韭'),
    ('\u{2FB3}', '音'),
    ('\u{2FB4}', '頁'),
    ('\u{2FB5}', '風'),
    ('\u{2FB6}', '飛'),
    ('\u{2FB7}', '食'),
    ('\u{2FB8}', '首'),
    ('\u{2FB9}', '香'),
    ('\u{2FBA}', '馬'),
    ('\u{2FBB}', '骨'),
    ('\u{2FBC}', '高'),
    ('\u{2FBD}', '髟'),
    ('\u{2FBE}', '鬥'),
    ('\u{2FBF}', '鬯'),
    ('\u{2FC0}', '鬲'),
    ('\u{2FC1}', '鬼'),
    ('\u{2FC2}', '魚'),
    ('\u{2FC3}', '鳥'),
    ('\u{2FC4}', '鹵'),
    ('\u{2FC5}', '鹿'),
    ('\u{2FC6}', '麥'),
    ('\u{2FC7}', '麻'),
    ('\u{2FC8}', '黃'),
    ('\u{2FC9}', '黍'),
    ('\u{2FCA}', '黑'),
    ('\u{2FCB}', '黹'),
    ('\u{2FCC}', '黽'),
    ('\u{2FCD}', '鼎'),
    ('\u{2FCE}', '鼓'),
    ('\u{2FCF}', '鼠'),
    ('\u{2FD0}', '鼻'),
    ('\u{2FD1}', '齊'),
    ('\u{2FD2}', '齒'),
    ('\u{2FD3}', '龍'),
    ('\u{2FD4}', '龜'),
    ('\u{2FD5}', '龠'),
    ('\u{2E9F}', '母'),
    ('\u{2EF3}', '龟'),
];

/// Supplement radicals that are whole simplified characters (`CJK RADICAL C-SIMPLIFIED …`).
const SUPPLEMENT: &[(char, char)] = &[
    ('\u{2EA0}', '民'),
    ('\u{2EC4}', '西'),
    ('\u{2EC5}', '见'),
    ('\u{2EC6}', '角'),
    ('\u{2EC9}', '贝'),
    ('\u{2ECB}', '车'),
    ('\u{2ED1}', '長'),
    ('\u{2ED3}', '长'),
    ('\u{2ED4}', '门'),
    ('\u{2ED7}', '雨'),
    ('\u{2ED8}', '青'),
    ('\u{2ED9}', '韦'),
    ('\u{2EDA}', '页'),
    ('\u{2EDB}', '风'),
    ('\u{2EDC}', '飞'),
    ('\u{2EDD}', '食'),
    ('\u{2EE1}', '首'),
    ('\u{2EE2}', '马'),
    ('\u{2EE3}', '骨'),
    ('\u{2EE4}', '鬼'),
    ('\u{2EE5}', '鱼'),
    ('\u{2EE6}', '鸟'),
    ('\u{2EE7}', '卤'),
    ('\u{2EE8}', '麦'),
    ('\u{2EE9}', '黄'),
    ('\u{2EEA}', '黾'),
    ('\u{2EEC}', '齐'),
    ('\u{2EEE}', '齿'),
    ('\u{2EF0}', '龙'),
    ('\u{2EC1}', '虎'),
];

/// `c` as a unified ideograph when it is a radical code point standing for one.
pub(crate) fn fold_radical(c: char) -> char {
    if !('\u{2E80}'..='\u{2FDF}').contains(&c) {
        return c;
    }
    RADICALS
        .iter()
        .chain(SUPPLEMENT)
        .find(|(r, _)| *r == c)
        .map_or(c, |(_, u)| *u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radicals_fold_to_ideographs() {
        let s: String = "⼀⺠⻓⾏⽉中".chars().map(fold_radical).collect();
        assert_eq!(s, "一民长行月中");
    }
}
