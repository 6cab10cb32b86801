//! Heading markers, heading lines and the section tree built from them.

use super::*;

fn tree(text: &str) -> Vec<(u32, String, String)> {
    extract(text)
        .into_iter()
        .map(|s| (s.level, s.marker, s.heading))
        .collect()
}

#[test]
fn markers_of_every_family() {
    let m = |s: &str| parse_marker(s).map(|m| (m.family, m.ordinal, m.len));
    assert_eq!(m("一、总体"), Some((Family::HanComma, 1, 6)));
    assert_eq!(m("十二、总体"), Some((Family::HanComma, 12, 9)));
    assert_eq!(m("一、2021年执行情况"), Some((Family::HanComma, 1, 6)));
    assert_eq!(m("(一)总体"), Some((Family::HanParen, 1, 5)));
    assert_eq!(m("（二十）总体"), Some((Family::HanParen, 20, 12)));
    assert_eq!(m("3.总体"), Some((Family::ArabicDot, 3, 2)));
    assert_eq!(m("12、总体"), Some((Family::ArabicDot, 12, 5)));
    assert_eq!(m("(4)总体"), Some((Family::ArabicParen, 4, 3)));
    assert_eq!(m("③总体"), Some((Family::Circled, 3, 3)));
    assert_eq!(m("⑵总体"), Some((Family::ArabicParen, 2, 3)));
    assert_eq!(m("第二部分 总体"), Some((Family::Part, 2, 12)));
}

#[test]
fn look_alikes_are_not_markers() {
    for s in [
        "1.5%的增长",
        "295.4",
        "2021.10",
        "1、2月份全区",
        "一、二季度",
        "一是部分指标后续增长压力大。",
        "(此件公开发布)",
        "(通政发(2020)1号)",
        "第一季度",
        "123.",
    ] {
        assert_eq!(parse_heading(s), None, "{s}");
    }
}

#[test]
fn lead_sentence_heading() {
    let h = parse_heading("(一)对照全年目标任务,稳增长还需加大力度。一是宏观形势依然复杂。")
        .expect("heading");
    assert_eq!(h.marker, "(一)");
    assert_eq!(h.heading, "对照全年目标任务,稳增长还需加大力度");
    assert!(!is_pure_heading(
        "(一)对照全年目标任务,稳增长还需加大力度。一是宏观形势依然复杂。"
    ));
    assert!(is_pure_heading("(一)经济运行稳中向好"));
}

#[test]
fn long_numbered_paragraph_is_not_a_heading() {
    let long = format!("1.{}。", "加快推进重点项目建设".repeat(8));
    assert_eq!(parse_heading(&long), None);
}

#[test]
fn stack_levels_and_skipped_levels() {
    let text = "标题\n一、甲\n正文。\n1.子一\n正文\n2.子二\n二、乙\n(一)丙\n1.丁\n(二)戊";
    assert_eq!(
        tree(text),
        vec![
            (1, "一、".into(), "甲".into()),
            (2, "1.".into(), "子一".into()),
            (2, "2.".into(), "子二".into()),
            (1, "二、".into(), "乙".into()),
            (2, "(一)".into(), "丙".into()),
            (3, "1.".into(), "丁".into()),
            (2, "(二)".into(), "戊".into()),
        ]
    );
}

#[test]
fn damaged_marker_continues_its_twin_family() {
    let text = "一、甲\n(一)子\n(二)子\n(3)子\n二、乙\n(1)新列表";
    let secs = extract(text);
    let levels: Vec<u32> = secs.iter().map(|s| s.level).collect();
    assert_eq!(levels, vec![1, 2, 2, 2, 1, 2]);
    assert_eq!(secs[3].parent, Some(0));
}

#[test]
fn spans_bodies_and_parents_use_char_offsets() {
    let text = "报告\n一、甲\n正文一。\n(一)子\n正文二。\n二、乙\n正文三。";
    let secs = extract(text);
    assert_eq!(secs.len(), 3);
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: &Section| -> String {
        chars[s.span.start as usize..s.span.end as usize]
            .iter()
            .collect()
    };
    assert_eq!(slice(&secs[0]), "一、甲\n正文一。\n(一)子\n正文二。\n");
    assert_eq!(slice(&secs[1]), "(一)子\n正文二。\n");
    assert_eq!(slice(&secs[2]), "二、乙\n正文三。");
    assert_eq!(secs[0].body, "正文一。");
    assert_eq!(secs[1].parent, Some(0));
    assert_eq!(secs[2].parent, None);
    assert_eq!(secs[2].body, "正文三。");
}

#[test]
fn lead_sentence_body_starts_after_the_lead() {
    let secs = extract("一、问题\n(一)还需加大力度。一是压力大。\n二是资金紧。");
    assert_eq!(secs[1].heading, "还需加大力度");
    assert_eq!(secs[1].body, "一是压力大。\n二是资金紧。");
}

#[test]
fn unmarked_part_headings_open_lists() {
    let text = "政府工作报告\n各位代表:\n2019年工作回顾\n回顾正文。\n一、甲\n正文。\n二、乙\n\
                2020年主要任务\n一、丙\n表1 主要指标\n二、丁";
    assert_eq!(
        tree(text),
        vec![
            (1, "".into(), "2019年工作回顾".into()),
            (2, "一、".into(), "甲".into()),
            (2, "二、".into(), "乙".into()),
            (1, "".into(), "2020年主要任务".into()),
            (2, "一、".into(), "丙".into()),
            (2, "二、".into(), "丁".into()),
        ]
    );
}

#[test]
fn never_panics_on_odd_input() {
    for s in [
        "",
        "\n\n",
        "(",
        "（一",
        "一",
        "第",
        "①",
        "1.",
        "(1",
        "é一、x",
    ] {
        let _ = extract(s);
    }
}
