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
//! 4. [`finish`]: per-paragraph spacing, figures spaced out one character per cell
//!    (`1 9 9 7 年`), thousands separators.
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

use crate::sections::parse_marker;
pub(crate) use join::is_salutation;
pub(crate) use lines::speaker_parts;

/// Normalizes decoded text into paragraphs separated by a single `\n`.
///
/// Pure and total: any input gives an output, and `normalize(&normalize(x)) == normalize(x)`.
/// Builds its character table for this text alone; to normalize many texts, use an
/// [`Extractor`](crate::Extractor), which builds its table once.
pub fn normalize(text: &str) -> String {
    normalize_with(&chars::CharTable::for_text(text), text)
}

/// A normalizer with its character table built once: the same output as [`normalize`],
/// without building a table per text.
#[derive(Debug)]
pub(crate) struct Normalizer {
    chars: chars::CharTable,
}

impl Normalizer {
    /// Builds the character table for every character (a few milliseconds).
    pub(crate) fn new() -> Normalizer {
        Normalizer {
            chars: chars::CharTable::new(),
        }
    }

    /// Normalizes decoded text exactly as [`normalize`] does.
    pub(crate) fn normalize(&self, text: &str) -> String {
        normalize_with(&self.chars, text)
    }
}

fn normalize_with(table: &chars::CharTable, text: &str) -> String {
    let prepared = chars::prepare(text, table);
    let lines = lines::clean_lines(&prepared);
    let paras = join::join(lines);
    let mut kept: Vec<String> = Vec::with_capacity(paras.len());
    for p in paras {
        let text = if p.speaker {
            finish::finish(p.text, true)
        } else {
            finish_paragraph(p.text)
        };
        // A paragraph equal to the previous one (a title printed twice, which only looks
        // identical once spacing is fixed) is dropped. Chrome is checked again on the
        // finished text: line-level checks saw the spacing of the source, and a second
        // normalization must reach the same verdict.
        if text.is_empty()
            || kept
                .last()
                .is_some_and(|prev| lines::is_repeat(&text, prev))
            || lines::is_chrome(&text)
        {
            continue;
        }
        // A bare marker left over (its heading line was dropped) takes the next paragraph,
        // as a second normalization would.
        if let Some(prev) = kept.last_mut() {
            if join::is_bare_marker(prev) && parse_marker(&text).is_none() {
                join::append(prev, &text);
                *prev = finish_paragraph(std::mem::take(prev));
                continue;
            }
        }
        kept.push(text);
    }
    kept.join("\n")
}

/// Finishes a joined paragraph. Joining can create what line cleaning removes (`*` + `*`
/// is `**`), so cleaning and finishing repeat until the text no longer changes.
fn finish_paragraph(text: String) -> String {
    let mut t = finish::finish(text, false);
    // The usual case: nothing that line cleaning would touch.
    let suspicious = |t: &str| {
        t.contains("**")
            || t.contains("[bookmark:")
            || t.starts_with(['#', '>', '-', '*', '+', '•'])
    };
    if !suspicious(&t) {
        return t;
    }
    for _ in 0..4 {
        let next = finish::finish(lines::clean_text(&t), false);
        if next == t {
            break;
        }
        t = next;
    }
    t
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

    /// Raw lines of national_1998_gov-work-report (a 2006 gov.cn page): every figure is
    /// spaced out, with full-width point and percent sign.
    #[test]
    fn spaced_out_figures_are_joined() {
        assert_eq!(
            normalize("\u{3000}\u{3000}五年来，国家经济实力显著增强。1 9 9 7 年国内生产总值达到7 4 7 7 2 亿元，按可比价格计算，平均每年增长1 1 ％。"),
            "五年来,国家经济实力显著增强。1997年国内生产总值达到74772亿元,按可比价格计算,平均每年增长11%。"
        );
        assert_eq!(
            normalize("去年经济增长8 ．8 ％，商品零售价格涨幅为0 ．8 ％，全社会固定资产投资累计完成近1 0 万亿元。"),
            "去年经济增长8.8%,商品零售价格涨幅为0.8%,全社会固定资产投资累计完成近10万亿元。"
        );
        // Table columns keep their separating space.
        assert_eq!(normalize("8.7 48.5"), "8.7 48.5");
    }

    /// Fragments that exercise every rule: markers, punctuation, spaces, wraps, chrome,
    /// markdown, repeated words, numbers, speaker lines, full-width and Traditional forms.
    const FRAGMENTS: &[&str] = &[
        "一、",
        "(一)",
        "（二）",
        "1.",
        "①",
        "甲乙丙",
        "社会",
        "发展计划",
        "。",
        ",",
        "，",
        ":",
        "各位代表:",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\r\n",
        "——2021年8月5日在",
        "会议上",
        "2021",
        " 年",
        "1,234",
        "56,708.71",
        "PM",
        " 2.5",
        "**",
        "# ",
        "- ",
        "> ",
        "分享:",
        "字号:",
        "区长  张  三",
        "北京市通州区人民政府",
        "\u{3000}",
        "\u{a0}",
        "國民經濟",
        "乾隆",
        "報告",
        "[bookmark: _GoBack]",
        "\u{200b}",
        "2020年2月29日",
        "295.4",
        "”",
        "、",
        "-",
        "#",
        ">",
        "*",
        "a",
        "B",
        "】",
        "打印",
        "主任",
        "委员会",
        "上",
        ";",
        "关于",
        "的报告",
        "!",
        "1 9 9 7 年",
        "8 ．8 ％",
        "7",
        " 4",
        "．",
        "％",
    ];

    proptest::proptest! {
        #[test]
        fn idempotent_and_well_shaped(picks in proptest::collection::vec(0..FRAGMENTS.len(), 0..40)) {
            let input: String = picks.iter().map(|i| FRAGMENTS[*i]).collect();
            let once = normalize(&input);
            proptest::prop_assert_eq!(normalize(&once), once.clone(), "input {:?}", input);
            proptest::prop_assert!(!once.ends_with('\n'));
            for line in once.split('\n') {
                proptest::prop_assert!(!line.is_empty() || once.is_empty());
                proptest::prop_assert_eq!(line, line.trim());
            }
        }
    }

    proptest::proptest! {
        /// Whole documents of up to 30 lines, with and without blank lines between them,
        /// so that the layout decisions (wrapped, blank-separated, title blocks) vary.
        #[test]
        fn idempotent_on_line_documents(
            doc in proptest::collection::vec(
                (proptest::collection::vec(0..FRAGMENTS.len(), 1..6), 0..3usize),
                0..30,
            )
        ) {
            let mut input = String::new();
            for (picks, sep) in &doc {
                for i in picks {
                    input.push_str(&FRAGMENTS[*i].replace(['\n', '\r'], ""));
                }
                input.push_str(["\n", "\n\n", "  \n"][*sep]);
            }
            let once = normalize(&input);
            proptest::prop_assert_eq!(normalize(&once), once.clone(), "input {:?}", input);
        }
    }

    #[test]
    fn idempotent_on_small_inputs() {
        for s in [
            "标题\n\n正文",
            "甲\n乙\n\n丙",
            "一、\n\n甲",
            "# 标题\n\n段落一行  \n续行\n\n段落二行  \n续行  \n再续\n\n三  \n四",
            "a  b\n\n\nc",
            // Cases the property tests once found.
            "一、\n# 甲乙丙",
            "**# [bookmark: _GoBack]",
            "*\n*一、\n\n一、",
            "分享:分享:(一)1,234一、一、。发展计划区长  张  三一、一、# 会议上一、",
            "# 甲乙丙\n会议上一、\n2020年2月29日\n区长  张  三\n*\n一、——2021年8月5日在\n一、\n\
             一、(一)\n一、\n一、(一)\n①\n",
            "一、8 ．8 ％\u{3000}1,234",
        ] {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "{s:?}");
        }
    }
}
