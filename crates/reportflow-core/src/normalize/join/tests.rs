//! Paragraph joining on small inputs: wrapped lines, blank lines, titles, units of their
//! own, tables and the layouts that decide how far joining reaches.

use super::super::lines::clean_lines;
use super::*;

fn paras(s: &str) -> Vec<String> {
    join(clean_lines(s)).into_iter().map(|p| p.text).collect()
}

#[test]
fn office_title_block_is_joined_body_lines_are_not() {
    let input = "关于北京市通州区2021年国民经济和\n社会发展计划上半年执行情况的报告\n\
                 ——2021年8月5日在北京市通州区第六届人民代表大会\n常务委员会第四十次会议上\n\
                 北京市通州区人民政府副区长   吴孔安\n\n主任、各位委员：\n一、执行情况\n\
                 今年以来,经济运行持续恢复\n(一)经济运行稳中向好\n正文。";
    assert_eq!(
        paras(input),
        vec![
            "关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告",
            "——2021年8月5日在北京市通州区第六届人民代表大会常务委员会第四十次会议上",
            "北京市通州区人民政府副区长 吴孔安",
            "主任、各位委员：",
            "一、执行情况",
            "今年以来,经济运行持续恢复",
            "(一)经济运行稳中向好",
            "正文。",
        ]
    );
}

#[test]
fn organisation_line_is_a_unit_of_its_own() {
    let input = "关于2021年国民经济和\n社会发展计划执行情况的报告\n北京市通州区发展和改革委员会\n\n各位代表:\n正文。";
    assert_eq!(
        paras(input),
        vec![
            "关于2021年国民经济和社会发展计划执行情况的报告",
            "北京市通州区发展和改革委员会",
            "各位代表:",
            "正文。",
        ]
    );
}

#[test]
fn hard_wrapped_pdf_joins_across_blank_lines() {
    let input = "# 标题\n\n受区人民政府委托，现将 2021 年国民经济和社会  \n社会发展计划执行情况与  \n\
                 2022 年计划草案提请审议。\n\n预计全年增长 8%左右；一\n\n般公共预算收入达到 92 亿元。\n\n\
                 ## 一、执行情况\n\n正文开始，在复苏  \n轨道上前行。";
    assert_eq!(
        paras(input),
        vec![
            "标题",
            "受区人民政府委托，现将 2021 年国民经济和社会发展计划执行情况与2022 年计划草案提请审议。",
            "预计全年增长 8%左右；一般公共预算收入达到 92 亿元。",
            "一、执行情况",
            "正文开始，在复苏轨道上前行。",
        ]
    );
}

#[test]
fn blank_line_paragraphs_without_wrapping_stay_apart() {
    // Web text with a missing full stop: the blank line is the paragraph boundary.
    let input =
        "正文一,副中心的事副中心办”\n\n正文二。\n\n2019年工作回顾\n\n2019年是开局之年。\n\n\
                 一、甲\n\n正文。";
    assert_eq!(
        paras(input),
        vec![
            "正文一,副中心的事副中心办”",
            "正文二。",
            "2019年工作回顾",
            "2019年是开局之年。",
            "一、甲",
            "正文。"
        ]
    );
}

#[test]
fn one_paragraph_per_line_body_is_never_joined() {
    // Three paragraphs lack their full stop; the other seven show the layout.
    let body: Vec<String> = (0..10)
        .map(|i| {
            if i % 3 == 0 {
                format!("第{i}段没有句号")
            } else {
                format!("第{i}段。")
            }
        })
        .collect();
    let input = format!("标题\n\n{}", body.join("\n"));
    assert_eq!(paras(&input).len(), 11);
}

#[test]
fn plain_text_pdf_dump_is_joined() {
    let input = "各位代表:\n\n这是一个很长的段落被\n硬换行切成了很多行\n没有两个空格的\n硬换行标记直到句号。\n\
                 一、标题\n第二段同样被\n切成几行直到\n句号。\n第三段也是\n这样被切开\n的。";
    assert_eq!(
        paras(input),
        vec![
            "各位代表:",
            "这是一个很长的段落被硬换行切成了很多行没有两个空格的硬换行标记直到句号。",
            "一、标题",
            "第二段同样被切成几行直到句号。",
            "第三段也是这样被切开的。",
        ]
    );
}

#[test]
fn marker_only_line_joins_its_heading() {
    assert_eq!(
        paras("正文。\n一、\n执行情况\n正文。"),
        vec!["正文。", "一、执行情况", "正文。"]
    );
}

#[test]
fn repeated_words_at_wraps() {
    assert_eq!(
        repeated_prefix("国民经济和社会", "社会发展计划"),
        "社会".len()
    );
    assert_eq!(repeated_prefix("人人", "人民"), 0);
    assert_eq!(repeated_prefix("增长 8%", "8%左右"), 0);
    let mut a = "PM".to_string();
    append(&mut a, "2.5浓度");
    assert_eq!(a, "PM 2.5浓度");
}

#[test]
fn a_title_line_is_no_wrapped_sentence() {
    assert_eq!(
        paras(
            "柏溪县2023年国民经济和社会发展统计公报\n2023年，面对复杂多变的外部环境，全县\n经济运行持续恢复。\n\n\
             一、综合\n初步核算，全县实现地区生产总值\n312.5亿元。\n\n二、农业\n全年粮食\n总产量31万吨。"
        ),
        [
            "柏溪县2023年国民经济和社会发展统计公报",
            "2023年，面对复杂多变的外部环境，全县经济运行持续恢复。",
            "一、综合",
            "初步核算，全县实现地区生产总值312.5亿元。",
            "二、农业",
            "全年粮食总产量31万吨。",
        ]
    );
}

#[test]
fn table_rows_pasted_as_text_stay_lines() {
    assert_eq!(
        paras(
            "全县经济运行总体平稳，主要指标\n好于预期。\n指标 单位 绝对数 比上年增长%\n\
             一般公共预算收入 ８６５４２ ６．８\n其中：税收收入 52310 4.2\n\
             全年金融业增加值9.86亿元，增长3.2%。\n年末全县金融机构存款余额\n312.56亿元。\n\n\
             第二段落\n继续写。\n\n第三段\n还在写。"
        ),
        [
            "全县经济运行总体平稳，主要指标好于预期。",
            "指标 单位 绝对数 比上年增长%",
            "一般公共预算收入 ８６５４２ ６．８",
            "其中：税收收入 52310 4.2",
            "全年金融业增加值9.86亿元，增长3.2%。",
            "年末全县金融机构存款余额312.56亿元。",
            "第二段落继续写。",
            "第三段还在写。",
        ]
    );
}

#[test]
fn a_table_caption_is_a_line_of_its_own() {
    // Neither the caption nor the header (the unit in the value column's) joins.
    assert_eq!(
        paras(
            "全县经济运行总体平稳，主要指标\n好于预期。\n\n表３　２０２３年财政收支情况\n\n\
             指标 绝对数（万元） 比上年增长（％）\n一般公共预算收入 ８６５４２ ６．８\n\n\
             全年金融业增加值9.86亿元，增长3.2%。\n年末全县金融机构存款余额\n312.56亿元。"
        ),
        [
            "全县经济运行总体平稳，主要指标好于预期。",
            "表３　２０２３年财政收支情况",
            "指标 绝对数（万元） 比上年增长（％）",
            "一般公共预算收入 ８６５４２ ６．８",
            "全年金融业增加值9.86亿元，增长3.2%。",
            "年末全县金融机构存款余额312.56亿元。",
        ]
    );
    assert!(!is_table_caption("表明全年经济运行平稳"));
    // A one-column table: its header and rows stay lines.
    assert_eq!(
        paras(
            "表1　2023年全市居民消费价格比上年涨跌幅度\n指标　比上年上涨(%)\n居民消费价格　0.3\n\
             \u{3000}其中：城市　0.4\n医疗保健　0.7\n全年城镇新增就业3.86万人。"
        ),
        [
            "表1　2023年全市居民消费价格比上年涨跌幅度",
            "指标　比上年上涨(%)",
            "居民消费价格　0.3",
            "其中：城市　0.4",
            "医疗保健　0.7",
            "全年城镇新增就业3.86万人。",
        ]
    );
}

#[test]
fn text_cut_at_one_width_without_blank_lines_is_joined() {
    let paragraphs = [
        "（四）坚持生态优先不停步，绿色底色更加鲜明。一是环境质量稳步改善。PM2.5平均浓度28微克/立方米，优良天数比率91.5%，国控断面水质优良比例100%。二是绿色转型扎实推进。新增新能源装机120万千瓦，单位地区生产总值能耗下降3.2%，完成省上下达的年度目标任务。三是生态修复成效明显。完成国土绿化18.6万亩，治理沙化土地6.3万亩。",
        "（五）坚持城乡融合不停歇，发展格局持续优化。一是城市品质提升。改造老旧小区86个、背街小巷52条，新建城市公园12个。二是乡村振兴扎实推进。粮食产量达到61.8万吨，建成高标准农田8.5万亩，农村居民人均可支配收入增速快于城镇居民2.2个百分点。三是县域经济加快发展。",
    ];
    // Cut every 30 characters, as a page copied with its wraps.
    let mut text = String::new();
    for p in paragraphs {
        let chars: Vec<char> = p.chars().collect();
        for line in chars.chunks(30) {
            text.extend(line);
            text.push('\n');
        }
    }
    let joined = paras(&text);
    assert_eq!(joined, paragraphs);
    // A normalized text is never joined again.
    assert_eq!(paras(&joined.join("\n")), joined);
}

#[test]
fn a_release_title_is_a_line_of_its_own() {
    assert_eq!(
        paras(
            "前三季度全省经济稳步恢复 主要指标持续好转\n淮海省统计局  2020-10-23  来源：省统计局网站\n\n\
             前三季度，全省地区生产总值增长3.1%。"
        )[0],
        "前三季度全省经济稳步恢复 主要指标持续好转"
    );
}

#[test]
fn sentence_ends() {
    assert!(ends_sentence("感谢!"));
    assert!(ends_sentence("他说:“好。”"));
    assert!(!ends_sentence("(此件公开发布)"));
    assert!(!ends_sentence("增长6."));
    assert!(ends_sentence("the end."));
    assert!(is_salutation("主任、各位副主任、各位委员:"));
    assert!(!is_salutation("主要表现在:"));
}

#[test]
fn a_row_with_notes_in_words_and_the_note_after_a_table_stay_lines() {
    let input = "指标名称 单位 年度目标 完成情况\n地区生产总值增长 % 7左右 6.2\n\
                 单位地区生产总值能耗下降 % 完成市下达任务 3.3\n\
                 注：地区生产总值为预计数，其余为快报数。";
    let p = paras(input);
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(
        p[2].starts_with("单位地区生产总值能耗下降") && p[2].ends_with("3.3"),
        "{p:#?}"
    );
    assert!(p[3].starts_with("注"), "{p:#?}");
}

#[test]
fn a_bar_separated_header_is_a_row_not_its_captions_continuation() {
    // Indented paragraphs with blank lines between them, then a caption and a bar table.
    let input = "    （七）绿色低碳转型加快。PM2.5年均浓度31.8微克/立方米，下降4.2%，空气质量优良天数比例为88.5%；单位地区生产总值能耗预计下降3.1%。全社会研发投入强度预计达到2.78%，高新技术企业突破3000家。\n\n\
                 \x20   总体看，2024年计划执行情况总体良好，但也存在一些问题：地区生产总值、社会消费品零售总额、固定资产投资、实际使用外资等指标未完成年初计划目标；有效需求不足，民间投资信心有待提振；部分企业经营困难，财政收支平衡压力较大。\n\n\
                 \x20   附表：嘉岷市2024年国民经济和社会发展主要指标完成情况及2025年计划\n\
                 \x20   指标 | 单位 | 2024年计划 | 2024年完成 | 2025年计划\n\
                 \x20   地区生产总值 | 亿元 | 6400 | 6385左右 | 6800左右";
    let p = paras(input);
    assert!(p.iter().any(|l| l.starts_with("指标")), "{p:#?}");
}
