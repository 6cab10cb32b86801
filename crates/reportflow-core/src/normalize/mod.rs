//! Text normalization: decoded text in, clean paragraphs out.
//!
//! Four passes, each linear in the text:
//!
//! 1. [`chars`]: per-character folding (line endings, full-width ASCII, spaces, invisible
//!    characters, Traditional → Simplified);
//! 2. [`lines`]: per-line cleaning (office bookmarks, markdown marks, web chrome, a repeated
//!    title, the speaker line);
//! 3. [`join`]: lines → paragraphs (hard-wrapped lines joined, words repeated across a wrap
//!    dropped);
//! 4. [`finish`]: per-paragraph spacing and thousands separators.
//!
//! The output has one paragraph per line, every line trimmed and non-empty, no trailing
//! newline, and normalizing it again changes nothing. CJK punctuation is kept as written
//! except the full-width twins of ASCII (`（），：；！？％`), which become ASCII so that
//! downstream matchers only have to handle one form. Damaged figures (`增?.2%`) and
//! footnote markers (`GDP)[2]13507.69`) are kept as they are: deciding what they mean is the
//! indicator extractor's business, and dropping them here would hide the damage.

mod chars;
mod finish;
mod join;
mod lines;

pub(crate) use join::is_salutation;
pub(crate) use lines::speaker_parts;

/// Normalizes decoded text into paragraphs separated by a single `\n`.
///
/// Pure and total: any input gives an output, and `normalize(&normalize(x)) == normalize(x)`.
pub fn normalize(text: &str) -> String {
    let prepared = chars::prepare(text);
    let lines = lines::clean_lines(&prepared);
    let paras = join::join(lines);
    let mut out = String::with_capacity(prepared.len());
    let mut prev = String::new();
    for p in paras {
        let text = finish::finish(&p.text, p.speaker);
        // A paragraph equal to the previous one (a title printed twice, which only looks
        // identical once spacing is fixed) is dropped.
        if text.is_empty() || text == prev {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&text);
        prev = text;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn output_shape() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("\n\n  \r\n"), "");
        assert_eq!(normalize("  甲。 \r\n\r\n\r\n乙。\n"), "甲。\n乙。");
    }

    #[test]
    fn whole_pipeline_on_a_small_web_page() {
        let input = "您当前的位置:首页>>人大刊物\n\n關於朝陽區2021年國民經濟和社會發展計劃上半年執行情況的報告\n\n\
                     关于朝阳区2021年国民经济和社会发展计划上半年执行情况的报告\n\n\
                     ——2021年8月10日在朝阳区第十六届人民代表大会常务委员会第三十九次会议上\n\n\
                     朝阳区发展和改革委员会主任 \u{a0}李 \u{a0}欣\n\n主任、各位副主任、各位委员：\n\n\
                     \u{a0}一、上半年计划执行情况\n\n\u{a0}（一）强化大区责任担当\n\n地区生产总值 56,708.71 亿元，增长 6.5%。";
        assert_eq!(
            normalize(input),
            "关于朝阳区2021年国民经济和社会发展计划上半年执行情况的报告\n\
             ——2021年8月10日在朝阳区第十六届人民代表大会常务委员会第三十九次会议上\n\
             朝阳区发展和改革委员会主任 李欣\n\
             主任、各位副主任、各位委员:\n\
             一、上半年计划执行情况\n\
             (一)强化大区责任担当\n\
             地区生产总值56708.71亿元,增长6.5%。"
        );
    }

    #[test]
    fn damaged_figures_and_footnotes_are_kept() {
        assert_eq!(
            normalize("地区生产总?264.6亿元，增?.2%\n生产总值（GDP）[2]13507.69亿元"),
            "地区生产总?264.6亿元,增?.2%\n生产总值(GDP)[2]13507.69亿元"
        );
    }

    #[test]
    fn idempotent_on_small_inputs() {
        for s in [
            "标题\n\n正文",
            "甲\n乙\n\n丙",
            "一、\n\n甲",
            "# 标题\n\n段落一行  \n续行\n\n段落二行  \n续行  \n再续\n\n三  \n四",
            "a  b\n\n\nc",
        ] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }
}
