//! Title-block metadata of report openings, and the date and place readers it uses.

use super::*;

#[test]
fn plan_report_title_block() {
    let text = "关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告\n\
                ——2021年8月5日在北京市通州区第六届人民代表大会常务委员会第四十次会议上\n\
                北京市通州区人民政府副区长 吴孔安\n主任、各位副主任、各位委员:\n\
                一、2021年国民经济和社会发展计划上半年执行情况\n正文。";
    let m = extract(text);
    assert_eq!(
        m.title.as_deref(),
        Some("关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告")
    );
    assert_eq!(m.region.as_deref(), Some("北京市通州区"));
    assert_eq!(m.kind, ReportKind::PlanExecutionMidYear);
    assert_eq!(m.years, vec![2021]);
    assert_eq!(
        m.meeting.as_deref(),
        Some("第六届人民代表大会常务委员会第四十次会议")
    );
    assert_eq!(m.date.as_deref(), Some("2021-08-05"));
    assert_eq!(m.speaker_name.as_deref(), Some("吴孔安"));
    assert_eq!(
        m.speaker_title.as_deref(),
        Some("北京市通州区人民政府副区长")
    );
    assert_eq!(m.issuing_body.as_deref(), Some("北京市通州区人民政府"));
}

#[test]
fn annual_plan_with_issuing_body_line() {
    let text = "关于北京市通州区2021年国民经济和社会发展计划执行情况与2022年国民经济和社会发展计划草案的报告\n\
                ——2021年12月15日在北京市通州区第七届人民代表大会第一次会议上\n\
                北京市通州区发展和改革委员会\n各位代表:";
    let m = extract(text);
    assert_eq!(m.kind, ReportKind::PlanExecutionAnnual);
    assert_eq!(m.years, vec![2021, 2022]);
    assert_eq!(m.meeting.as_deref(), Some("第七届人民代表大会第一次会议"));
    assert_eq!(
        m.issuing_body.as_deref(),
        Some("北京市通州区发展和改革委员会")
    );
    assert_eq!(m.speaker_name, None);
}

#[test]
fn notice_wrapped_government_work_report() {
    let text = "(通政发〔2020〕1号)北京市通州区人民政府关于印发赵磊同志在区六届人大六次会议上作的《政府工作报告》的通知\n\
                (通政发(2020)1号)\n各街道办事处:\n\
                赵磊同志在通州区第六届人民代表大会第六次会议上作的《政府工作报告》已经大会审议批准,现印发给你们。\n\
                北京市通州区人民政府\n2020年2月29日\n(此件公开发布)\n政府工作报告\n\
                ——202014日在通州区第六届人民代表大会第六次会议\n各位代表:";
    let m = extract(text);
    assert_eq!(m.title.as_deref(), Some("政府工作报告"));
    assert_eq!(m.kind, ReportKind::GovernmentWorkReport);
    assert_eq!(m.region.as_deref(), Some("北京市通州区"));
    assert_eq!(m.years, vec![2019, 2020]);
    assert_eq!(m.meeting.as_deref(), Some("第六届人民代表大会第六次会议"));
    assert_eq!(
        m.date, None,
        "the damaged subtitle date is not replaced by the notice date"
    );
    assert_eq!(m.speaker_name.as_deref(), Some("赵磊"));
    assert_eq!(m.issuing_body.as_deref(), Some("北京市通州区人民政府"));
}

#[test]
fn dates_are_validated() {
    assert_eq!(find_date("——2021年8月5日在"), Some((2021, 8, 5)));
    assert_eq!(find_date("2021年2月29日"), None);
    assert_eq!(find_date("2020年2月29日"), Some((2020, 2, 29)));
    assert_eq!(find_date("2021年13月1日"), None);
    assert_eq!(find_date("2021年4月31日"), None);
    assert_eq!(find_date("12021年4月3日"), None);
    assert_eq!(find_date("——202014日在"), None);
    // Web pages print release dates with hyphens or slashes.
    assert_eq!(
        find_date("淮海省统计局  2020-10-23  来源"),
        Some((2020, 10, 23))
    );
    assert_eq!(find_date("发布时间:2020/10/23"), Some((2020, 10, 23)));
    assert_eq!(find_date("发布时间:2023-12-15 10:00"), Some((2023, 12, 15)));
    assert_eq!(find_date("2020-13-01"), None);
    assert_eq!(find_date("2020-10-233"), None);
    assert_eq!(find_date("2020-10"), None);
    assert!(is_date_line("2020-10-23"));
    assert!(is_date_line("(2022年3月15日)"));
    assert!(!is_date_line("2022年3月15日发布"));
}

#[test]
fn regions() {
    assert_eq!(
        region_in("关于朝阳区2021年国民经济").as_deref(),
        Some("朝阳区")
    );
    assert_eq!(
        region_in("广东省深圳市统计局").as_deref(),
        Some("广东省深圳市")
    );
    assert_eq!(region_in("通州区区长").as_deref(), Some("通州区"));
    assert_eq!(region_in("关于全区2021年经济"), None);
    assert_eq!(region_in("北京城市副中心"), None);
}

#[test]
fn doc_numbers_and_book_marks() {
    assert_eq!(
        strip_doc_number("(通政发〔2020〕1号)北京市通知"),
        "北京市通知"
    );
    assert_eq!(strip_doc_number("(通政发(2020)1号)"), "");
    assert_eq!(strip_doc_number("(此件公开发布)"), "(此件公开发布)");
    assert_eq!(strip_book_marks("《政府工作报告》"), "政府工作报告");
}

/// The opening of a bulletin scraped from a county site (county_2022_wanzai): site
/// name, breadcrumb and publishing fields come before the title.
#[test]
fn bulletin_title_below_page_chrome() {
    let text = "万载县人民政府-\n统计局\n网站无障碍关怀版\n\
                您当前所在位置:首页>政务公开>部门信息公开目录>统计局>法定主动公开内容>工作动态>统计数据\n\
                索引号:\n014742224A/2023-0043406\n生成日期:\n2023-05-11\n公开方式:\n主动公开\n\
                公开时限:\n常年公开\n公开范围:\n面向全社会\n责任部门:\n万载县统计局\n\
                万载县2022年国民经济和社会发展统计公报\n关联稿件:\n\
                图文解读:《万载县2022年国民经济和社会发展统计公报》2023-07-12\n\
                万载县统计局国家统计局万载调查队(2023年5月)\n\
                2022年,万载全县上下坚持以习近平新时代中国特色社会主义思想为指导。\n一、综合\n\
                全年实现生产总值(GDP)262.6亿元。";
    let m = extract(text);
    assert_eq!(
        m.title.as_deref(),
        Some("万载县2022年国民经济和社会发展统计公报")
    );
    assert_eq!(m.kind, ReportKind::StatisticalBulletin);
    assert_eq!(m.years, vec![2022]);
    assert_eq!(m.region.as_deref(), Some("万载县"));
    assert_eq!(
        m.issuing_body, None,
        "the page's own fields are not the bulletin's issuer"
    );
}

/// A provincial bulletin republished by a city site (prov_2022_jiangxi): the breadcrumb
/// and the category label `统计公报` are not the title, the site is not the region.
#[test]
fn breadcrumb_and_category_label_are_not_titles() {
    let text = "宜春市人民政府\n网站无障碍关怀版\n\
                您当前所在位置:首页>政务公开>信息公开>法定主动公开内容>结果公开>统计数据>统计公报\n\
                索引号:\n014717475N/2023-0032866\n发布机构:\n宜春市统计局\n发文日期:\n2023-03-31\n\
                分类:\n统计公报\n江西省2022年国民经济和社会发展统计公报\n关联稿件:\n\
                江西省2022年国民经济和社会发展统计公报[1]\n江西省统计局国家统计局江西调查总队\n\
                2023年3月28日\n2022年是党的二十大胜利召开之年。";
    let m = extract(text);
    assert_eq!(
        m.title.as_deref(),
        Some("江西省2022年国民经济和社会发展统计公报")
    );
    assert_eq!(m.kind, ReportKind::StatisticalBulletin);
    assert_eq!(m.years, vec![2022]);
    assert_eq!(m.region.as_deref(), Some("江西省"));
    assert_eq!(m.date.as_deref(), Some("2023-03-28"));
    assert_eq!(m.issuing_body, None);
}

/// A breadcrumb printed one item per line (prov_2026_shaanxi): the bare labels give way
/// to the full title below them.
#[test]
fn bare_label_gives_way_to_the_full_title() {
    let text = "首页\n政府信息公开\n政府工作报告\n省政府工作报告\n陕西省2026年政府工作报告\n\
                2026年1月27日在陕西省第十四届人民代表大会第四次会议上陕西省省长赵刚\n时间:\n\
                2026-02-02 09:20\n陕西省人民政府\n省长赵刚作政府工作报告\n各位代表:\n一、2025年工作回顾";
    let m = extract(text);
    assert_eq!(m.title.as_deref(), Some("陕西省2026年政府工作报告"));
    assert_eq!(m.region.as_deref(), Some("陕西省"));
    assert_eq!(m.years, vec![2025, 2026]);
    assert_eq!(m.date.as_deref(), Some("2026-01-27"));
    assert_eq!(m.meeting.as_deref(), Some("第十四届人民代表大会第四次会议"));
}

/// A national report with no title at all (national_2025): the opening makes it a
/// government work report, its headings and `今年是…收官之年` give the session year.
#[test]
fn untitled_national_work_report() {
    let text = "各位代表:\n\
                现在,我代表国务院,向大会报告政府工作,请予审议,并请全国政协委员提出意见。\n\
                一、2024年工作回顾\n过去一年,我国发展历程很不平凡。\n\
                二、2025年经济社会发展总体要求和政策取向\n\
                今年是“十四五”规划收官之年。做好政府工作,要在党中央坚强领导下推进。\n\
                今年发展主要预期目标是:国内生产总值增长5%左右。\n三、2025年政府工作任务\n正文。";
    let m = extract(text);
    assert_eq!(m.title, None);
    assert_eq!(m.kind, ReportKind::GovernmentWorkReport);
    assert_eq!(m.years, vec![2024, 2025]);
    assert_eq!(m.region.as_deref(), Some(NATIONAL_REGION));
}

#[test]
fn national_reports_are_national() {
    let text = "政府工作报告\n——2008年3月5日在第十一届全国人民代表大会第一次会议上\n\
                国务院总理温家宝\n各位代表:";
    let m = extract(text);
    assert_eq!(m.region.as_deref(), Some(NATIONAL_REGION));
    assert_eq!(m.years, vec![2007, 2008]);
    let m =
        extract("政府工作报告\n第十二届全国人大二次会议,2014年3月5日\n国务院总理李克强\n各位代表:");
    assert_eq!(m.region.as_deref(), Some(NATIONAL_REGION));
    assert_eq!(m.meeting.as_deref(), Some("第十二届全国人大二次会议"));
    assert_eq!(m.date.as_deref(), Some("2014-03-05"));
    // A provincial report keeps its province.
    let m = extract(
        "2026年河北省政府工作报告\n——2026年1月26日在河北省第十四届人民代表大会第四次会议上",
    );
    assert_eq!(m.region.as_deref(), Some("河北省"));
}

/// Subtitles without the leading dash: plain, in parentheses, with `――`, dated in
/// Chinese numerals, hard-wrapped before the meeting.
#[test]
fn subtitle_forms() {
    let m = extract("2026年黑龙江省政府工作报告\n2026年1月31日在黑龙江省第十四届人民代表大会第四次会议上\n时间:2026-02-26\n省长 梁惠玲\n各位代表:");
    assert_eq!(m.region.as_deref(), Some("黑龙江省"));
    assert_eq!(m.date.as_deref(), Some("2026-01-31"));
    let m = extract("政府工作报告。贵州日报天眼新闻记者李森摄\n政府工作报告\n(2026年1月27日在贵州省第十四届人民代表大会第四次会议上)\n省长 李炳军\n各位代表:");
    assert_eq!(m.title.as_deref(), Some("政府工作报告"));
    assert_eq!(m.region.as_deref(), Some("贵州省"));
    assert_eq!(m.date.as_deref(), Some("2026-01-27"));
    let m = extract("政府工作报告\n――2026年1月27日在青海省第十四届人民代表大会第四次会议上\n省长 罗东川\n2026-01-31 07:00:44\n各位代表:");
    assert_eq!(m.region.as_deref(), Some("青海省"));
    assert_eq!(m.date.as_deref(), Some("2026-01-27"));
    let m = extract("2026年甘肃省政府工作报告\n——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上\n甘肃省省长 任振鹤");
    assert_eq!(m.date.as_deref(), Some("2026-01-27"));
    let m = extract("政府工作报告\n——2026年1月26日在广东省第十四届\n人民代表大会第五次会议上\n广东省省长 孟凡利\n各位代表:");
    assert_eq!(m.meeting.as_deref(), Some("第十四届人民代表大会第五次会议"));
    assert_eq!(m.date.as_deref(), Some("2026-01-26"));
    assert_eq!(m.region.as_deref(), Some("广东省"));
}

#[test]
fn navigation_lines() {
    assert!(is_navigation("您当前所在位置:首页>政务公开>信息公开"));
    assert!(is_navigation("当前位置:首页>>中国概况"));
    assert!(is_navigation("首页"));
    assert!(is_navigation(">"));
    assert!(!is_navigation("江西省2022年国民经济和社会发展统计公报"));
    assert!(!is_navigation(
        "——2021年8月5日在北京市通州区第六届人民代表大会常务委员会第四十次会议上"
    ));
}

#[test]
fn session_years_from_the_body() {
    assert_eq!(plan_year("“十四五”规划收官之年"), Some(2025));
    assert_eq!(plan_year("“十五五”开局之年"), Some(2026));
    assert_eq!(plan_year("实施“十五五”规划的开局之年"), Some(2026));
    assert_eq!(plan_year("“十一五”的第一年"), Some(2006));
    assert_eq!(plan_year("“十五”计划的最后一年"), Some(2005));
    assert_eq!(plan_year("“九五”计划的第一年"), Some(1996));
    assert_eq!(plan_year("完成“十一五”节能减排约束性目标的关键一年"), None);
    assert_eq!(plan_year("和平共处五项原则提出六十周年"), None);
    assert_eq!(
        session_year(
            "一、2021年工作回顾\n正文。\n二、2022年经济社会发展总体要求和政策取向\n正文。"
        ),
        Some(2022)
    );
    assert_eq!(session_year("一、工作回顾\n正文。"), None);
}

#[test]
fn dates_in_chinese_numerals() {
    assert_eq!(
        find_han_date("——二〇二六年一月二十七日在甘肃省"),
        Some((2026, 1, 27))
    );
    assert_eq!(
        find_han_date("二○二○年十二月三十一日"),
        Some((2020, 12, 31))
    );
    assert_eq!(find_han_date("二〇二一年二月三十日"), None);
    assert_eq!(find_han_date("十四五年"), None);
}

#[test]
fn regions_after_a_year() {
    assert_eq!(
        region_in("2026年黑龙江省政府工作报告").as_deref(),
        Some("黑龙江省")
    );
    assert_eq!(
        region_in("2026年广西壮族自治区政府工作报告").as_deref(),
        Some("广西壮族自治区")
    );
    assert_eq!(region_in("2021年全区经济"), None);
    assert_eq!(region_in("去年县城面貌"), None);
}

#[test]
fn statistical_bulletin_and_unknown() {
    let m = extract(
        "北京市通州区2021年国民经济和社会发展统计公报\n北京市通州区统计局\n2022年3月15日\n一、综合",
    );
    assert_eq!(m.kind, ReportKind::StatisticalBulletin);
    assert_eq!(m.years, vec![2021]);
    assert_eq!(m.date.as_deref(), Some("2022-03-15"));
    assert_eq!(m.issuing_body.as_deref(), Some("北京市通州区统计局"));
    assert_eq!(extract(""), Metadata::default());
    assert_eq!(extract("随便一段话。").kind, ReportKind::Other);
}

#[test]
fn a_release_without_a_year_in_its_title_is_dated_by_its_release_date() {
    let m = extract("前三季度全省经济稳步恢复 主要指标持续好转\n淮海省统计局 2020-10-23 来源:省统计局网站\n\n前三季度,全省经济稳步恢复。");
    assert_eq!(m.years, vec![2020]);
}
