//! Kind and period in forms seen in reports of other levels and kinds: targets named after
//! their figure, cited beside a result or set at the start of the year; forecasts; parts of
//! a year, quarters and plan years dating the figures around them.

use super::forms::coded_facts;
use super::render;

#[test]
fn a_title_naming_part_of_a_year_dates_the_figures_it_leaves_undated() {
    let facts = coded_facts(
        "2024年上半年全市经济运行情况\n\n上半年,全市经济运行总体平稳。\n\
         一般公共预算支出326.58亿元,增长5.3%。\n1-5月,实际使用外资6.82亿美元。",
    );
    assert_eq!(
        facts,
        [
            "general_budget_expenditure Actual 2024H1 326.58亿元 yoy5.3",
            "foreign_capital_used Actual 2024M01-05 6.82亿美元 -",
        ]
    );
}

#[test]
fn the_plan_so_far_is_reviewed() {
    let facts = coded_facts(
        "2025年某市政府工作报告\n\n一、2024年工作回顾\n\
         “十四五”以来,我们牢牢把握高质量发展首要任务。\n\
         累计完成固定资产投资9860亿元,一般公共预算收入年均增长5.3%。\n\
         二、2025年工作安排\n今年全市经济社会发展的主要预期目标是:地区生产总值增长5.5%左右。",
    );
    assert!(
        facts.contains(&"fixed_asset_investment Actual 2021-2024 9860亿元 -".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"gdp Target 2025 - yoy5.5".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_target_verb_of_an_earlier_clause_does_not_make_a_reviewed_figure_a_target() {
    let facts = coded_facts(
        "2025年某县政府工作报告\n\n一、2024年工作回顾\n\
         全县争取上级各类补助资金29.4亿元,一般公共预算支出完成31.8亿元,增长3.2%。\n\
         二、2025年主要目标\n今年力争地区生产总值增长6%左右,一般公共预算收入增长5%。",
    );
    assert!(
        facts.contains(&"general_budget_expenditure Actual 2024 31.8亿元 yoy3.2".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"gdp Target 2025 - yoy6".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"general_budget_revenue Target 2025 - yoy5".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_paragraph_opening_with_part_of_a_year_dates_its_later_sentences() {
    let facts = coded_facts(
        "2020年前三季度某省经济运行情况\n\n\
         1-9月,全省一般公共预算收入3012.6亿元,同比下降4.8%;其中税收收入2284.3亿元,下降7.1%。一般公共预算支出5863.2亿元,增长2.3%。\n\
         前11个月,全省进出口总额6428.6亿元,同比增长12.9%。",
    );
    assert!(
        facts.contains(
            &"general_budget_expenditure Actual 2020M01-09 5863.2亿元 yoy2.3".to_string()
        ),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"foreign_trade Actual 2020M01-11 6428.6亿元 yoy12.9".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_month_on_month_opening_is_the_baseline_of_the_growth_after_it() {
    assert_eq!(
        render("从环比看,11月份,社会消费品零售总额增长0.42%。"),
        "retail_sales Actual 2021M11 - - 环比0.42 -"
    );
}

#[test]
fn a_level_reached_within_a_plans_years_is_dated_by_their_last_year() {
    let facts = coded_facts(
        "2025年某市政府工作报告\n\n三、2025年工作安排\n\
         展望“十五五”,人均地区生产总值超过12万元、常住人口城镇化率达到68%。",
    );
    assert!(
        facts.contains(&"gdp_per_capita Target 2030 12万元 -".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"urbanization_rate Target 2030 68% -".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_year_named_as_one_of_a_plans_years_is_that_year() {
    let facts = coded_facts(
        "政府工作报告\n——2026年2月10日在某市第十七届人民代表大会第五次会议上\n\n\
         一、2025年和“十四五”工作回顾\n2025年是“十四五”规划收官之年。\n\
         全市地区生产总值完成5186.3亿元,增长5.6%。\n\
         二、2026年工作安排\n保持城镇登记失业率在4.5%以内。",
    );
    assert!(
        facts.contains(&"gdp Actual 2025 5186.3亿元 yoy5.6".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"registered_unemployment_rate Target 2026 4.5% -".to_string()),
        "{facts:?}"
    );
}

#[test]
fn quarters_listed_after_a_figure_are_that_metrics() {
    let facts = coded_facts(
        "2020年前三季度某省经济运行情况\n初步核算,前三季度全省地区生产总值31826.42亿元,同比增长1.9%。\n\
         分季度看,一季度同比下降5.3%,二季度增长3.4%,三季度增长5.6%。",
    );
    assert!(
        facts.contains(&"gdp Actual 2020Q1 - yoy-5.3".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"gdp Actual 2020Q3 - yoy5.6".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_growth_its_own_clause_puts_over_five_years_is_not_year_on_year() {
    let facts = render("外贸进出口总额年均增长8.9%,五年累计增长53.2%。");
    assert!(!facts.contains("yoy53.2"), "{facts}");
    assert!(facts.contains("年均8.9"), "{facts}");
    // Alone, it is the fact's growth over the span.
    let facts = render("外贸进出口总额五年累计增长53.2%。");
    assert!(facts.contains("累计53.2"), "{facts}");
    assert!(!facts.contains("yoy"), "{facts}");
}

#[test]
fn a_figure_named_a_target_after_it_is_a_target() {
    let facts = render(
        "展望“十五五”,我们将锚定到2030年地区生产总值突破4500亿元、常住人口城镇化率达到68%的目标。",
    );
    assert!(
        facts.contains("urbanization_rate Target 2030 68%"),
        "{facts}"
    );
    let facts = render("确保全年城镇新增就业2万人目标全面完成。");
    assert!(facts.contains("new_urban_jobs Target"), "{facts}");
    // Cited in a review, the target is the reviewed year's.
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         一、2025年国民经济和社会发展计划执行情况\n\
         全年固定资产投资增长3.1%,未完成年初确定的增长8%的目标。\n\
         全年社会消费品零售总额预计增长2.2%,未完成年初确定的增长6%的目标。\n",
    );
    assert!(
        facts.contains(&"retail_sales Target 2025 - yoy6".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"fixed_asset_investment Target 2025 - yoy8".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"fixed_asset_investment Actual 2025 - yoy3.1".to_string()),
        "{facts:?}"
    );
}

#[test]
fn targets_set_at_the_start_of_the_year_govern_their_own_clause() {
    let facts = coded_facts(
        "关于2024年国民经济和社会发展计划执行情况与2025年计划草案的报告\n\
         一、2024年国民经济和社会发展计划执行情况\n\
         城镇新增就业年初计划3500人,实际完成3862人。\
         年初计划外贸进出口增长10%,预计完成6.8亿元、下降4.6%。\
         单位地区生产总值能耗预计下降2.8%,完成市下达的下降2.5%的年度目标任务。\n",
    );
    for fact in [
        "new_urban_jobs Target 2024 3500人 -",
        "new_urban_jobs Actual 2024 3862人 -",
        "foreign_trade Target 2024 - yoy10",
        "foreign_trade Forecast 2024 6.8亿元 yoy-4.6",
        "energy_intensity Target 2024 - yoy-2.5",
    ] {
        assert!(facts.contains(&fact.to_string()), "{fact}: {facts:?}");
    }
}

#[test]
fn a_forecast_verb_governs_its_clause_unless_it_opens_a_list() {
    let facts = render(
        "单位地区生产总值能耗预计下降2.8%,可完成市下达的目标任务;PM2.5平均浓度31微克/立方米。",
    );
    assert!(facts.contains("energy_intensity Forecast"), "{facts}");
    assert!(facts.contains("pm25 Actual"), "{facts}");
    let facts = render("全年主要指标预计:地区生产总值增长5%;一般公共预算收入增长3%。");
    assert!(facts.contains("gdp Forecast"), "{facts}");
    assert!(facts.contains("general_budget_revenue Forecast"), "{facts}");
}

#[test]
fn targets_and_budgets_set_at_the_start_of_the_year() {
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         一、2025年国民经济和社会发展计划执行情况\n\
         3.固定资产投资。年初目标增长8%,1—11月下降4.2%,预计全年下降3.5%,未完成年度目标。\n\
         5.一般公共预算收入。年初预算21.8亿元,预计完成21.36亿元,为预算的98%,增长2.4%。\n\
         (二)重点工作推进情况\n\
         年末全县金融机构各项存款余额612.5亿元,比年初增长8.6%。\n",
    );
    for fact in [
        "fixed_asset_investment Target 2025 - yoy8",
        "fixed_asset_investment Actual 2025M01-11 - yoy-4.2",
        "fixed_asset_investment Forecast 2025 - yoy-3.5",
        "general_budget_revenue Target 2025 21.8亿元 -",
        "general_budget_revenue Forecast 2025 21.36亿元 yoy2.4",
    ] {
        assert!(facts.contains(&fact.to_string()), "{fact}: {facts:?}");
    }
    assert!(
        facts
            .iter()
            .any(|f| f.starts_with("deposit_balance Actual")),
        "{facts:?}"
    );
}

#[test]
fn targets_named_after_their_figure_and_compared_with() {
    let facts = render("地区生产总值增长6%左右的预期目标未能完成,实际增长5.3%。");
    assert!(facts.contains("gdp Target 2021 - yoy6"), "{facts}");
    assert!(facts.contains("gdp Actual 2021H1 - yoy5.3"), "{facts}");
    let facts = render("社会消费品零售总额增长4.2%,低于6%左右的预期目标。固定资产投资下降1.6%,低于增长5%的预期目标。");
    assert!(facts.contains("retail_sales Target 2021 - yoy6"), "{facts}");
    assert!(
        facts.contains("fixed_asset_investment Target 2021 - yoy5"),
        "{facts}"
    );
    // Another place's target is no target of ours.
    let facts = render("地区生产总值增长6%左右的预期目标,高于全市5.5%左右的目标。");
    assert!(!facts.contains("5.5"), "{facts}");
}

#[test]
fn release_titles_year_ends_and_annual_concentrations() {
    // A release titled by its part of the year dates its figures by it.
    let facts = coded_facts(
        "前三季度全区经济运行稳中有进\n发布时间:2025-10-28\n规模以上工业总产值1286.3亿元,同比增长5.1%。\n",
    );
    assert!(
        facts.contains(&"industrial_output Actual 2025Q1-3 1286.3亿元 yoy5.1".to_string()),
        "{facts:?}"
    );
    let facts = render("12月末,全县金融机构各项存款余额412.6亿元,同比增长8.3%。");
    assert!(
        facts.contains("deposit_balance Actual 2021 412.6亿元"),
        "{facts}"
    );
    let facts = render("1-11月,全区固定资产投资增长3.2%,年末城镇登记失业率预计为2.8%。");
    assert!(
        facts.contains("registered_unemployment_rate Forecast 2021 2.8%"),
        "{facts}"
    );
}

#[test]
fn a_target_in_brackets_after_the_word_is_the_metrics_target() {
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         一、2025年国民经济和社会发展计划执行情况\n\
         地区生产总值预计增长5.4%左右,低于年初预期目标(6%左右)。\
         全年实际使用外资2.36亿美元,下降12.3%,未完成年度目标(3亿美元)。\n",
    );
    for fact in [
        "gdp Target 2025 - yoy6",
        "gdp Forecast 2025 - yoy5.4",
        "foreign_capital_used Target 2025 3亿美元 -",
        "foreign_capital_used Actual 2025 2.36亿美元 yoy-12.3",
    ] {
        assert!(facts.contains(&fact.to_string()), "{fact}: {facts:?}");
    }
}

#[test]
fn a_respectively_list_goes_through_the_times_named_before_it() {
    let facts = render("一、二、三、四季度地区生产总值同比分别增长5.4%、5.2%、4.8%、4.6%。");
    for fact in [
        "gdp Actual 2021Q1 - yoy5.4",
        "gdp Actual 2021Q2 - yoy5.2",
        "gdp Actual 2021Q3 - yoy4.8",
        "gdp Actual 2021Q4 - yoy4.6",
    ] {
        assert!(facts.contains(fact), "{fact}: {facts}");
    }
    let facts = render("2019年和2020年单位地区生产总值能耗分别下降1.6%和3.4%。");
    assert!(
        facts.contains("energy_intensity Actual 2019 - yoy-1.6"),
        "{facts}"
    );
    assert!(
        facts.contains("energy_intensity Actual 2020 - yoy-3.4"),
        "{facts}"
    );
}

#[test]
fn a_sum_over_five_years_outside_a_five_year_stage_is_dated_by_them() {
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         一、2025年国民经济和社会发展计划执行情况\n\
         五年累计完成固定资产投资12.8万亿元。\n",
    );
    assert!(
        facts.contains(&"fixed_asset_investment Actual 2021-2025 12.8万亿元 -".to_string()),
        "{facts:?}"
    );
}

#[test]
fn the_years_target_cited_beside_its_result() {
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         一、2025年国民经济和社会发展计划执行情况\n\
         地区生产总值。年度目标增长6.5%,全年完成386.2亿元,增长5.6%。\n",
    );
    assert!(
        facts.contains(&"gdp Target 2025 - yoy6.5".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"gdp Actual 2025 386.2亿元 yoy5.6".to_string()),
        "{facts:?}"
    );
}

#[test]
fn results_after_targets_remitted_totals_and_baselines_after_a_name() {
    let facts = render("规模以上工业增加值年度目标增长8%,实际增长9.2%。");
    assert!(facts.contains("yoy9.2"), "{facts}");
    let facts = render("全年区域内税收总额(含上划中央、省、市级税收)186.3亿元,增长3.1%。");
    assert!(!facts.contains("tax_revenue"), "{facts}");
    let facts = render("全区PM2.5平均浓度较2020年的45.6微克/立方米下降26.5%。");
    assert!(
        facts.contains("pm25 Actual 2020 45.6微克/立方米"),
        "{facts}"
    );
    let facts = render("全区一般公共预算收入4125.6亿元,按自然口径计算增长2.8%。");
    assert!(
        facts.contains("general_budget_revenue Actual 2021H1 4125.6亿元 yoy2.8"),
        "{facts}"
    );
}

#[test]
fn targets_compared_with_a_degree_adverb_or_a_better_than_and_growths_in_brackets() {
    let facts = render(
        "社会消费品零售总额增长4.9%,略低于5.5%左右的预期目标。地区生产总值增长6.1%,好于6%左右的预期目标。",
    );
    assert!(
        facts.contains("retail_sales Target 2021 - yoy5.5"),
        "{facts}"
    );
    assert!(facts.contains("gdp Target 2021 - yoy6"), "{facts}");
    assert!(
        !facts.contains("(略)") && !facts.contains("(好于)"),
        "{facts}"
    );
    let facts = render("细颗粒物平均浓度31.5微克/立方米,优于33微克/立方米的目标。");
    assert!(facts.contains("pm25 Target 2021 33微克/立方米"), "{facts}");
    // A growth verb inside the target's brackets, after a word of completion.
    let facts = render("社会消费品零售总额完成68.3亿元,增长6.2%,完成年度目标(增长6%)。");
    assert!(facts.contains("retail_sales Target 2021 - yoy6"), "{facts}");
}

#[test]
fn a_respectively_list_goes_through_the_parts_of_the_year_named_before_it() {
    // Parts of the year before the metric.
    let facts = render("分季度看,第一季度、上半年、前三季度地区生产总值分别增长5.6%、5.5%、5.4%。");
    for fact in [
        "gdp Actual 2021Q1 - yoy5.6",
        "gdp Actual 2021H1 - yoy5.5",
        "gdp Actual 2021Q1-3 - yoy5.4",
    ] {
        assert!(facts.contains(fact), "{fact}: {facts}");
    }
    // And with no metric: the output the sentence before stated.
    let facts = render(
        "地区生产总值5864.3亿元,比上年增长5.4%。全年经济运行前高后稳,一季度、上半年、前三季度和全年分别增长5.9%、5.6%、5.5%和5.4%。",
    );
    for fact in [
        "gdp Actual 2021Q1 - yoy5.9",
        "gdp Actual 2021H1 - yoy5.6",
        "gdp Actual 2021Q1-3 - yoy5.5",
    ] {
        assert!(facts.contains(fact), "{fact}: {facts}");
    }
    assert!(!facts.contains("(上半年)"), "{facts}");
    // With nothing to measure, a list of parts makes no fact.
    assert_eq!(
        render("一季度、二季度、三季度分别增长5.1%、5.2%、5.3%。"),
        ""
    );
}

#[test]
fn a_growth_or_level_named_as_an_earlier_baseline_is_that_times() {
    let facts =
        render("一季度地区生产总值1286.4亿元,同比增长5.6%,增速比上年同期(5.3%)提高0.3个百分点。");
    assert!(facts.contains("gdp Actual 2020Q1 - yoy5.3"), "{facts}");
    let facts = render("固定资产投资同比增长6.3%,增速较上半年的7.5%回落1.2个百分点。");
    assert!(
        facts.contains("fixed_asset_investment Actual 2021H1 - yoy7.5"),
        "{facts}"
    );
    // Without `增速`, only right after a growth; a rate's own earlier level likewise.
    let facts = render("地区生产总值同比增长5.8%,较去年同期的4.1%提高1.7个百分点。");
    assert!(facts.contains("gdp Actual 2020H1 - yoy4.1"), "{facts}");
    let facts = render("城镇调查失业率5.1%,比上年同期的5.3%下降0.2个百分点。");
    assert!(
        facts.contains("surveyed_unemployment_rate Actual 2020H1 5.3%"),
        "{facts}"
    );
    let facts = render("金融机构本外币存款余额1234亿元,比上年末的1100亿元增加134亿元。");
    assert!(
        facts.contains("deposit_balance Actual 2020 1100亿元"),
        "{facts}"
    );
}

#[test]
fn deadlines_times_inside_a_comparison_and_control_targets() {
    // A level targeted by a deadline the sentence names is that year's.
    let facts = coded_facts(
        "青禾县2026年政府工作报告\n二、2026年工作安排\n\
         2026年主要预期目标是:国内生产总值增长6%左右。到2030年,力争全县国内生产总值突破230亿元。\n",
    );
    assert!(
        facts.iter().any(|f| f == "gdp Target 2030 230亿元 -"),
        "{facts:?}"
    );
    // `全年` inside `完成全年…目标任务的`: the target is the year's, the result the quarter's.
    let facts = coded_facts(
        "2026年一季度全市经济运行情况\n一季度,全市城镇新增就业3.25万人,完成全年12万人目标任务的27.1%。\n",
    );
    assert!(
        facts
            .iter()
            .any(|f| f == "new_urban_jobs Target 2026 12万人 -"),
        "{facts:?}"
    );
    assert!(
        facts
            .iter()
            .any(|f| f == "new_urban_jobs Actual 2026Q1 3.25万人 -"),
        "{facts:?}"
    );
    let facts = render("城镇调查失业率5.1%,低于5.5%左右的控制目标。");
    assert!(
        facts.contains("surveyed_unemployment_rate Target 2021 5.5%"),
        "{facts}"
    );
    // A part headed `总体部署` is a plan: a forecast in it is of the planned year.
    let facts = coded_facts(
        "政府工作报告\n——2015年3月5日在第十二届全国人民代表大会第三次会议上\n\
         一、2014年工作回顾\n国内生产总值增长7.4%。\n二、2015年经济社会发展总体部署\n\
         全国一般公共预算收入预计增长7.3%。\n",
    );
    assert!(
        facts
            .iter()
            .any(|f| f == "general_budget_revenue Forecast 2015 - yoy7.3"),
        "{facts:?}"
    );
}

#[test]
fn a_change_over_a_span_is_cumulative_and_a_plans_end_dates_its_level() {
    let facts = coded_facts(
        "澜江省2026年政府工作报告\n二、“十五五”时期主要目标\n\
         到2030年,设区市PM2.5平均浓度降至28微克/立方米,单位地区生产总值能耗累计下降13%左右。\n",
    );
    assert!(
        facts
            .iter()
            .any(|f| f == "pm25 Target 2030 28微克/立方米 -"),
        "{facts:?}"
    );
    assert!(
        !facts
            .iter()
            .any(|f| f.starts_with("energy_intensity") && f.contains("yoy")),
        "{facts:?}"
    );
    // In one year, `累计增长` is the year so far: year on year.
    let facts = render("1-11月,全区规上工业增加值累计增长5.2%。");
    assert!(
        facts.contains("industrial_value_added Actual 2021M01-11 - yoy5.2"),
        "{facts}"
    );
    let facts = coded_facts(
        "乌日根旗2026年政府工作报告\n二、“十五五”时期目标\n到2030年,预计“十五五”末经济总量达到650亿元左右。\n",
    );
    assert!(
        facts.iter().any(|f| f == "gdp Forecast 2030 650亿元 -"),
        "{facts:?}"
    );
}

#[test]
fn a_forecast_or_a_target_after_months_is_the_years() {
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n一、2025年计划执行情况\n\
         1—11月,全市规上工业增加值增长7.4%。实际使用外资预计9.6亿美元,未完成12亿美元的计划目标。\n\
         前三季度,居民人均可支配收入增长5%;其中城镇居民、农村居民人均可支配收入预计分别增长4.9%和6.6%。\n",
    );
    for fact in [
        "industrial_value_added Actual 2025M01-11 - yoy7.4",
        "foreign_capital_used Forecast 2025 9.6亿美元 -",
        "foreign_capital_used Target 2025 12亿美元 -",
        "disposable_income Actual 2025Q1-3 - yoy5",
        "urban_disposable_income Forecast 2025 - yoy4.9",
        "rural_disposable_income Forecast 2025 - yoy6.6",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
}

#[test]
fn targets_a_result_cites_after_it_quoted_or_exceeded() {
    let facts = coded_facts(
        "关于2025年计划执行情况的报告\n一、2025年计划执行情况\n\
         农村居民人均可支配收入26418元,增长6.1%,年度目标增长7%,未完成。\
         外贸进出口总额8.62亿元,增长18.4%,超额完成增长10%的年度目标。\
         全年地区生产总值增长5.4%左右,年初确定的“增长5.5%左右”的预期目标基本实现。\
         一般公共预算收入2356.2亿元,同比增长2.4%,扣除特殊因素影响后,可比增长4.6%。\
         实际使用外资113亿元,规模仍处于历史高位,但较上年下降8%。\n",
    );
    for fact in [
        "rural_disposable_income Target 2025 - yoy7",
        "foreign_trade Target 2025 - yoy10",
        "gdp Target 2025 - yoy5.5",
        "general_budget_revenue Actual 2025 - yoy4.6",
        "foreign_capital_used Actual 2025 113亿元 yoy-8",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
}

#[test]
fn a_plan_cited_as_setting_a_list_and_currencies_and_net_increases() {
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n一、2025年计划执行情况\n\
         2025年,县人大审议批准的国民经济和社会发展计划确定,全县地区生产总值增长6.5%,\
         城镇登记失业率控制在3.5%以内。从执行情况看,全县地区生产总值增长6.1%。\n\
         货物进出口总额突破6万亿美元,以人民币计比上年增长21.4%。\
         全县生产总值完成401.6亿元、增长6.1%,较2024年的378.6亿元净增23亿元。\
         经济总量按年平均汇率折算达到56亿美元。\n",
    );
    for fact in [
        "gdp Target 2025 - yoy6.5",
        "registered_unemployment_rate Target 2025 3.5% -",
        "gdp Actual 2025 - yoy6.1",
        "foreign_trade Actual 2025 6万亿美元 yoy21.4",
        "gdp Actual 2024 378.6亿元 -",
        "gdp Actual 2025 56亿美元 -",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
}

#[test]
fn the_same_period_a_year_before_stated_after_a_growth() {
    let facts = coded_facts(
        "2025年前三季度全省经济运行情况\n\
         1—9月,全省固定资产投资同比增长2.1%,比1—8月回落0.3个百分点,上年同期为下降1.3%。\n",
    );
    assert!(
        facts
            .iter()
            .any(|f| f == "fixed_asset_investment Actual 2024M01-09 - yoy-1.3"),
        "{facts:?}"
    );
}
