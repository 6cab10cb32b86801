//! Line cleaning on small inputs: page chrome and page marks, bookmarks and markdown
//! marks, release dates, titles repeated.

use super::*;

fn texts(s: &str) -> Vec<String> {
    clean_lines(s).into_iter().map(|l| l.text).collect()
}

#[test]
fn web_chrome_lines_are_dropped() {
    let input = "您当前的位置:首页>>人大刊物>>常委会会刊\n分享:\n字号:  大 中 小\n\
                 【打印】【关闭】\n打印 | 关闭窗口\n扫一扫\n当前位置：首页 > 政务公开\n\
                 正文。\n发布时间:2021-08-20\n相关解读\n\
                 主办:北京市通州区人民政府 承办:办公室 政府网站标识码:1101120001 京ICP备20015255号-1\n\
                 版权所有 北京市通州区人民政府";
    assert_eq!(texts(input), vec!["正文。"]);
}

#[test]
fn a_release_date_under_the_title_is_kept_as_a_date() {
    assert_eq!(
        texts("前三季度全区经济运行稳中有进\n发布时间:2025-10-28 来源:澄江区统计局\n正文。"),
        vec!["前三季度全区经济运行稳中有进", "2025年10月28日", "正文。"]
    );
}

#[test]
fn page_marks_go_and_a_wrapped_sentence_runs_on_across_them() {
    for mark in [
        "第3页 共8页",
        "共8页 第3页",
        "第 12 页",
        "第３页／共８页",
        "- 3 -",
        "—12—",
    ] {
        assert!(is_page_mark(mark), "{mark}");
    }
    for text in [
        "第3页",
        "共8页",
        "第三页",
        "第3章",
        "3",
        "--",
        "第3页的内容",
        "共建共享",
    ] {
        assert_eq!(
            is_page_mark(text),
            text == "第3页" || text == "共8页",
            "{text}"
        );
    }
    assert_eq!(
        texts("城镇新增就业1.35万人,城镇调查\n第3页 共8页\n失业率控制在5.1%。"),
        vec!["城镇新增就业1.35万人,城镇调查", "失业率控制在5.1%。"]
    );
}

#[test]
fn chrome_words_inside_text_are_kept() {
    assert!(!is_chrome("打印机产业加快发展。"));
    assert!(!is_chrome("分享经济快速发展,分享平台增加。"));
    assert!(!is_chrome("中"));
    assert!(!is_chrome("主办单位积极参与。"));
}

#[test]
fn office_bookmarks_and_markdown_marks_go() {
    assert_eq!(
        texts("[bookmark: _GoBack]关于报告\n## **(二)聚焦承载**\n> 引文\n- 增长6%;\n---\n**一是质量。**正文"),
        vec!["关于报告", "(二)聚焦承载", "引文", "增长6%;", "一是质量。正文"]
    );
    let lines = clean_lines("# 标题\n- 条目");
    assert!(lines[0].md_heading && !lines[0].bullet);
    assert!(lines[1].bullet && !lines[1].md_heading);
    assert_eq!(texts("[bookmark: 未闭合"), vec!["[bookmark: 未闭合"]);
}

#[test]
fn repeated_title_is_dropped_once() {
    assert_eq!(
        texts("关于朝阳区的报告\n\n关于朝阳区的报告\n\n——2021年"),
        vec!["关于朝阳区的报告", "——2021年"]
    );
}

#[test]
fn repeated_figures_are_not_a_repeated_title() {
    assert_eq!(texts("0.5\n0.5\n甲乙\n甲 乙"), vec!["0.5", "0.5", "甲乙"]);
}

#[test]
fn blank_lines_and_hard_breaks_are_recorded() {
    let lines = clean_lines("\n甲  \n乙\n\n丙");
    assert_eq!(
        lines
            .iter()
            .map(|l| (l.blank_before, l.hard_break))
            .collect::<Vec<_>>(),
        vec![(false, true), (false, false), (true, false)]
    );
}

#[test]
fn a_table_flattened_into_one_line_is_split_into_its_rows() {
    assert_eq!(
        texts(
            "表３　２０２３年财政收支情况  指标 绝对数（万元） 比上年增长（％） \
             一般公共预算收入 ８６５４２ ６．８ 其中：税收收入 ５２３１０ ４．２ \
             一般公共预算支出 ３５６２１８ ３．５\n全年金融业增加值９．８６亿元。"
        ),
        [
            "表３ ２０２３年财政收支情况",
            "指标 绝对数（万元） 比上年增长（％）",
            "一般公共预算收入 ８６５４２ ６．８",
            "其中：税收收入 ５２３１０ ４．２",
            "一般公共预算支出 ３５６２１８ ３．５",
            "全年金融业增加值９．８６亿元。",
        ]
    );
    // With a unit column.
    assert_eq!(
        texts(
            "指标 单位 绝对数 增长% 地区生产总值 亿元 2156.38 7.1 一般公共预算收入 亿元 158.6 3.7"
        ),
        [
            "指标 单位 绝对数 增长%",
            "地区生产总值 亿元 2156.38 7.1",
            "一般公共预算收入 亿元 158.6 3.7",
        ]
    );
    // Figures in prose, or without a header, are left alone.
    let prose = "全年地区生产总值 2156.38 亿元 增长 7.1 % 其中 第一产业 12.3 亿元 增长 3.2 %";
    assert_eq!(texts(prose), [prose]);
}

#[test]
fn speaker_lines() {
    assert_eq!(
        speaker_parts("北京市通州区人民政府副区长   吴孔安"),
        Some(("北京市通州区人民政府副区长".into(), "吴孔安".into()))
    );
    assert_eq!(
        speaker_parts("朝阳区发展和改革委员会主任  李  欣"),
        Some(("朝阳区发展和改革委员会主任".into(), "李欣".into()))
    );
    assert_eq!(
        speaker_parts("通州区区长 赵磊"),
        Some(("通州区区长".into(), "赵磊".into()))
    );
    assert_eq!(
        speaker_parts("北京市通州区 副区长  吴孔安"),
        Some(("北京市通州区副区长".into(), "吴孔安".into()))
    );
    assert_eq!(
        speaker_parts("区长 欧阳·娜娜"),
        Some(("区长".into(), "欧阳·娜娜".into()))
    );
    assert_eq!(speaker_parts("北京市通州区人民政府副区长吴孔安"), None);
    assert_eq!(speaker_parts("增长 6.5%左右"), None);
    assert_eq!(speaker_parts("发展和改革委员会 2021年"), None);
    assert_eq!(texts("区长  张  三  "), vec!["区长 张三"]);
}

#[test]
fn part_headings_glued_between_paragraphs_get_lines_of_their_own() {
    // A page that lost its paragraph breaks: the heading sits between two sentences, a space
    // where the break was.
    let filler = "全区经济社会发展取得新成效，".repeat(8);
    let line = format!(
        "各位代表：现在，我代表区人民政府，向大会报告工作。一、2025年和“十四五”工作回顾 \
         2025年是极不平凡的一年。{filler}地区生产总值增长5.9%。二、2026年主要目标 今年\
         地区生产总值增长5.5%以上。"
    );
    let lines = texts(&line);
    assert!(
        lines.contains(&"一、2025年和“十四五”工作回顾".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"二、2026年主要目标".to_string()),
        "{lines:?}"
    );
    // A list inside a sentence, or a marker whose words run into punctuation, is no heading.
    let prose = format!("{filler}主要做法是：一、抓项目，二、促消费 三、稳就业。");
    assert_eq!(texts(&prose).len(), 1);
}
