//! Clauses and the cues around a figure, in forms met in probe documents: a reason naming
//! another metric, a modal or a setting clause before a target, brackets a page left open,
//! a ratio to the output, a level in another currency, `去年` and `今年`, a time standing as a
//! clause of its own, and how far a forecast reaches.

use super::forms::coded_facts;
use super::render;

#[test]
fn a_change_of_another_metric_in_words_takes_the_figure_after_it_from_the_paragraph_subject() {
    // A reasons clause: the decline is the real-estate investment's, not the paragraph's
    // fixed-asset investment.
    let facts = render(
        "3.固定资产投资。1—11月下降2.1%,预计全年下降2%左右。主要原因是房地产开发投资持续下滑,1—11月下降18.5%。",
    );
    assert!(facts.contains("yoy-2.1"), "{facts}");
    assert!(
        !facts.contains("fixed_asset_investment Actual 2021M01-11 - yoy-18.5"),
        "{facts}"
    );
    // The figure is the real-estate investment's, which the clause before it names.
    assert!(
        facts.contains("房地产开发投资) Actual 2021M01-11 - yoy-18.5"),
        "{facts}"
    );
    // A clause naming the subject itself changes nothing.
    let facts = render("3.固定资产投资。全年投资较快增长,1—11月增长8.1%。");
    assert!(
        facts.contains("fixed_asset_investment") && facts.contains("yoy8.1"),
        "{facts}"
    );
}

#[test]
fn last_year_named_among_this_years_targets_dates_a_result_of_that_year() {
    let doc = "临江市政府工作报告\n——2026年1月13日在临江市第十七届人民代表大会第五次会议上\n\n\
               二、2026年工作安排\n\
               今年经济社会发展的主要预期目标是:地区生产总值增长5.5%左右。\
               这一目标主要基于以下考虑:去年全市地区生产总值增长5.7%,比去年同期的增速高0.2个百分点。";
    let facts = coded_facts(doc);
    assert!(
        facts.contains(&"gdp Target 2026 - yoy5.5".to_string()),
        "{facts:#?}"
    );
    assert!(
        facts.contains(&"gdp Actual 2025 - yoy5.7".to_string()),
        "{facts:#?}"
    );
    // A baseline or a span of last year dates nothing; only the last `去年` names a time.
    let text = "比去年同期、去年底、去年以来,去年增长";
    let ends: Vec<usize> = crate::indicators::period::last_year_mentions(text).collect();
    assert_eq!(ends, [text.rfind("去年").unwrap() + "去年".len()]);
}

#[test]
fn targets_cited_after_a_modal_and_beside_another_metrics_rate() {
    let facts = render(
        "规上工业增加值能够完成年初确定的增长6%以上的预期目标,\
         但地区生产总值增速与年初确定的5.5%左右的预期目标仍有一定差距。",
    );
    assert!(facts.contains("industrial_value_added Target"), "{facts}");
    assert!(facts.contains("gdp Target"), "{facts}");
    assert!(facts.contains("yoy5.5"), "{facts}");
}

#[test]
fn an_unclosed_bracket_a_ratio_to_the_output_and_a_level_in_another_currency() {
    // A scraped page that lost the bracket's close.
    let facts = render("全年全区固定资产投资(不含农户比上年增长3.2%。");
    assert!(
        facts.starts_with("fixed_asset_investment") && facts.contains("yoy3.2"),
        "{facts}"
    );
    let facts = coded_facts(
        "衡川省2025年国民经济和社会发展统计公报\n\n\
         全年研究与试验发展(R&D)经费支出1520.3亿元,比上年增长9.1%,与地区生产总值之比为2.59%。",
    );
    assert!(
        facts.contains(&"rd_intensity Actual 2025 2.59% -".to_string()),
        "{facts:#?}"
    );
    let facts = render("实际使用外商直接投资金额11339亿元,下降8.2%,折1633亿美元,下降13.7%。");
    assert!(
        facts.lines().any(|l| l.starts_with("foreign_capital_used")
            && l.contains("1633亿美元")
            && l.contains("yoy-13.7")),
        "{facts}"
    );
}

#[test]
fn a_forecast_of_a_change_since_an_earlier_year_reports_that_years_level() {
    let facts = coded_facts(
        "澜湖区2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\n\
         预计全区地区生产总值由2020年的861.2亿元增加到2025年的1186.5亿元,年均增长5.9%。\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Actual 2020 861.2亿元 -"), "{facts:#?}");
    assert!(has("gdp Forecast 2025 1186.5亿元 -"), "{facts:#?}");
}

#[test]
fn quarters_after_the_half_year_a_rate_held_at_a_level_and_the_same_time_a_year_before() {
    let facts = coded_facts(
        "临渊市2025年上半年国民经济和社会发展计划执行情况的报告\n\n\
         上半年全市实现地区生产总值2865.4亿元,同比增长5.8%。其中,一季度增长5.4%,二季度增长6.1%。\n\
         全市一般公共预算收入168.9亿元,同比增长2.1%,而上年同期为下降3.6%。\n\
         预计全年全市经济增速将保持在5.5%左右。为实现全年地区生产总值增长6%的预期目标,要持续发力。",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Actual 2025Q1 - yoy5.4"), "{facts:#?}");
    assert!(has("gdp Actual 2025Q2 - yoy6.1"), "{facts:#?}");
    assert!(
        has("general_budget_revenue Actual 2024H1 - yoy-3.6"),
        "{facts:#?}"
    );
    assert!(has("gdp Forecast 2025 - yoy5.5"), "{facts:#?}");
    assert!(has("gdp Target 2025 - yoy6"), "{facts:#?}");
}

#[test]
fn this_year_in_a_work_report_is_the_year_it_was_given() {
    let facts = coded_facts(
        "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n\
         预计今年全国一般公共预算收入增长3.3%。",
    );
    assert!(
        facts.contains(&"general_budget_revenue Forecast 2024 - yoy3.3".to_string()),
        "{facts:#?}"
    );
}

#[test]
fn a_time_standing_as_its_own_clause_and_a_forecast_going_on_with_a_change() {
    let facts = coded_facts(
        "青溪县2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\n\
         工业经济稳中有进,1—11月,全县规上工业增加值增长9.8%,预计全年增长9.6%,\
         增速居全市第二位;规上工业总产值完成412.6亿元,同比增长8.7%。\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(
        has("industrial_value_added Actual 2025M01-11 - yoy9.8"),
        "{facts:#?}"
    );
    assert!(
        has("industrial_value_added Forecast 2025 - yoy9.6"),
        "{facts:#?}"
    );
    // The months date the clause past the `;`, and the forecast stopped at it.
    assert!(
        has("industrial_output Actual 2025M01-11 412.6亿元 yoy8.7"),
        "{facts:#?}"
    );
}

#[test]
fn one_year_of_a_plan_and_a_record_over_years_date_no_figure() {
    let facts = coded_facts(
        "政府工作报告\n\n——2026年1月22日在嫩川省第十四届人民代表大会第五次会议上\n\n\
         一、2025年和“十四五”时期工作回顾\n\n\
         2025年是极不平凡的一年,也是“十四五”规划的收官之年,面对多重困难挑战,\
         全省地区生产总值达到16842.7亿元,比上年增长5.1%,\
         规模以上工业增加值增长6.3%、为近十年来最高,固定资产投资增长3.2%。\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Actual 2025 16842.7亿元 yoy5.1"), "{facts:#?}");
    assert!(
        has("industrial_value_added Actual 2025 - yoy6.3"),
        "{facts:#?}"
    );
    assert!(
        has("fixed_asset_investment Actual 2025 - yoy3.2"),
        "{facts:#?}"
    );
}

#[test]
fn the_growth_of_the_year_before_stated_as_a_basis_and_place_words_inside_a_name() {
    let facts = coded_facts(
        "临澜市政府工作报告\n——2025年1月10日在临澜市第十六届人民代表大会第五次会议上\n\n\
         全市地区生产总值完成2431.6亿元,在上年增长6.8%的较高基数上增长5.6%。\
         规模以上工业增加值在上年增长4.6%的基础上增长6.3%。\
         第三产业增加值占全市地区生产总值的比重为58.4%。\
         年末中外资金融机构本外币存款余额5832.6亿元,比上年末增长6.1%。",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Actual 2023 - yoy6.8"), "{facts:#?}");
    assert!(has("gdp Actual 2024 - yoy5.6"), "{facts:#?}");
    assert!(
        has("industrial_value_added Actual 2023 - yoy4.6"),
        "{facts:#?}"
    );
    assert!(
        has("industrial_value_added Actual 2024 - yoy6.3"),
        "{facts:#?}"
    );
    assert!(has("tertiary_share Actual 2024 58.4% -"), "{facts:#?}");
    assert!(
        has("deposit_balance Actual 2024 5832.6亿元 yoy6.1"),
        "{facts:#?}"
    );
}

#[test]
fn footnote_marks_after_a_figure_or_inside_a_name_and_a_countys_seat() {
    let facts = coded_facts(
        "萝川县2025年国民经济和社会发展统计公报\n\n\
         全年全县地区生产总值(GDP)268.45亿元[注1],按不变价格计算,比上年增长6.3%。\
         全年固定资产投资[注3]比上年下降2.3%。\
         全年县城细颗粒物(PM2.5)平均浓度为29微克/立方米,比上年下降3.3%。",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Actual 2025 268.45亿元 yoy6.3"), "{facts:#?}");
    assert!(
        has("fixed_asset_investment Actual 2025 - yoy-2.3"),
        "{facts:#?}"
    );
    assert!(has("pm25 Actual 2025 29微克/立方米 yoy-3.3"), "{facts:#?}");
}

#[test]
fn a_target_compared_with_sets_nothing_after_it() {
    let facts = coded_facts(
        "政府工作报告\n——2021年3月5日在第十三届全国人民代表大会第四次会议上\n\n一、2020年工作回顾\n\n\
         城镇新增就业1186万人,比预期目标多出286万人;年末全国城镇调查失业率降到5.2%,\
         低于6%左右的预期目标。",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(
        has("surveyed_unemployment_rate Actual 2020 5.2% -"),
        "{facts:#?}"
    );
    assert!(
        has("surveyed_unemployment_rate Target 2020 6% -"),
        "{facts:#?}"
    );
}

#[test]
fn a_comparisons_base_is_no_figure_and_a_plan_so_far_is_its_years_so_far() {
    let facts = render(
        "一般公共预算收入完成12.48亿元,同比增长5.3%,\
         剔除上年一次性资产处置收入因素后(上年同口径基数为11.54亿元)同口径增长8.1%。",
    );
    assert!(!facts.contains("11.54"), "{facts}");
    assert!(facts.contains("yoy8.1"), "{facts}");
    let facts = coded_facts(
        "政府工作报告\n——2025年1月14日在临澜市第十七届人民代表大会第五次会议上\n\n\
         一、2024年和“十四五”规划实施以来工作回顾\n\n\
         各位代表!“十四五”规划实施以来,我们对照规划确定的目标任务,逐项压实责任。\
         常住人口城镇化率达到61.4%。",
    );
    assert!(
        facts.contains(&"urbanization_rate Actual 2024 61.4% -".to_string()),
        "{facts:#?}"
    );
}

#[test]
fn the_years_target_named_before_its_figure_and_the_same_time_a_year_before() {
    let doc = "关于清溪县2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\n\
               一般公共预算收入完成12.86亿元,增长7.2%,完成年度预算12.57亿元的102.3%。\
               城镇新增就业3460人,完成年度目标3200人的108.1%。\
               农村常住居民人均可支配收入预计达到18950元、增长7.8%,年度目标为8%。";
    let facts = coded_facts(doc);
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(
        has("general_budget_revenue Target 2025 12.57亿元 -"),
        "{facts:?}"
    );
    assert!(has("new_urban_jobs Target 2025 3200人 -"), "{facts:?}");
    assert!(
        has("rural_disposable_income Target 2025 - yoy8"),
        "{facts:?}"
    );
    // A growth listed after the target's level is the target's too.
    let listed = render("5.一般公共预算收入。年度目标26.5亿元、增长5%,完成27.13亿元,增长7.6%。");
    assert!(
        listed.starts_with("general_budget_revenue Target 2021 26.5亿元 yoy5"),
        "{listed}"
    );
    // The plan's target a result is compared with.
    let planned = render("常住人口城镇化率达到67.9%,超过65%的规划目标。");
    assert!(
        planned.contains("urbanization_rate Target 2021 65%"),
        "{planned}"
    );
    // How much of the target was done is no figure of the metric.
    assert!(
        !facts
            .iter()
            .any(|f| f.contains("102.3") || f.contains("108.1")),
        "{facts:?}"
    );
    // A share of the budget with no level of the target stays a comparison.
    let facts = render("一般公共预算收入完成12.86亿元,完成年度预算的102.3%。");
    assert!(
        !facts.contains("102.3%") && !facts.contains("Target"),
        "{facts}"
    );

    // A sentence opened by the same time of the year before states that time's figures.
    let doc = "南湖市2025年前三季度经济运行情况\n\n\
               前三季度,全市地区生产总值增长5.4%。其中,三季度当季增长5.9%。\
               去年同期,全市地区生产总值增长5.0%。";
    let facts = coded_facts(doc);
    assert_eq!(
        facts,
        [
            "gdp Actual 2025Q1-3 - yoy5.4",
            "gdp Actual 2025Q3 - yoy5.9",
            "gdp Actual 2024Q1-3 - yoy5"
        ],
    );
}

#[test]
fn a_target_in_brackets_the_share_of_it_done_and_a_same_scope_growth() {
    // The share of a bracketed target done is no growth of the metric.
    let facts = render(
        "规模以上工业总产值完成108.6亿元,占年度目标(235亿元)的46.2%。\
         实际使用外资860万美元,完成市下达年度任务(1500万美元)的57.3%。",
    );
    assert!(
        !facts.contains("46.2") && !facts.contains("57.3"),
        "{facts}"
    );
    assert!(
        facts.contains("industrial_output Target 2021 235亿元"),
        "{facts}"
    );
    assert!(
        facts.contains("foreign_capital_used Target 2021 1500万美元"),
        "{facts}"
    );
    // A same-scope growth beside the plain one is against another basis.
    assert_eq!(
        render("一般公共预算收入完成418.6亿元,按自然口径增长2.1%、同口径增长4.5%。"),
        "general_budget_revenue Actual 2021H1 418.6亿元 yoy2.1 同口径4.5 -"
    );
    // After an exclusion it is the growth net of it: a second year-on-year growth.
    let facts =
        render("一般公共预算收入206.35亿元,同比增长1.2%,扣除留抵退税因素后同口径增长3.6%。");
    assert!(
        facts.contains("yoy1.2") && facts.contains("yoy3.6"),
        "{facts}"
    );
    // The speaker and the resolve before a metric are no part of it.
    let facts = render("到2030年,我们要奋力实现地区生产总值达到2200亿元左右。");
    assert!(facts.starts_with("gdp "), "{facts}");
}

#[test]
fn a_target_verb_of_the_figures_own_clause_after_another_clauses() {
    let doc = "关于武陵县2025年上半年国民经济和社会发展计划执行情况的报告\n\n\
               一、上半年计划执行情况\n1—6月,全县固定资产投资同比增长3.2%。\n\
               二、下半年工作措施\n实行县级领导联系重点项目制度,确保下半年新开工项目30个以上,\
               确保全年固定资产投资增长5%以上。";
    let facts = coded_facts(doc);
    assert!(
        facts.contains(&"fixed_asset_investment Target 2025 - yoy5".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_list_the_sentence_names_targets_and_a_budgets_arranged_spending() {
    let doc = "关于双桥县2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\n\
               一、2025年计划执行情况\n县十八届人大四次会议批准的2025年计划,确定了地区生产总值\
               增长6%、固定资产投资增长8%、城镇新增就业4500人等主要预期目标。\
               上半年,全县城镇新增就业4.62万人,完成年度目标任务8万人的57.8%。";
    let facts = coded_facts(doc);
    for fact in [
        "gdp Target 2025 - yoy6",
        "fixed_asset_investment Target 2025 - yoy8",
        "new_urban_jobs Target 2025 4500人 -",
        "new_urban_jobs Target 2025 8万人 -",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
    let doc = "政府工作报告\n——2024年3月5日在第十四届全国人民代表大会第二次会议上\n\n\
               今年发展主要预期目标是:国内生产总值增长5%左右。\
               预计今年一般公共预算收入增长3.3%,一般公共预算支出规模28.5万亿元。";
    let facts = coded_facts(doc);
    assert!(
        facts
            .iter()
            .any(|f| f.starts_with("general_budget_expenditure Target 2024 28.5万亿元")),
        "{facts:?}"
    );
}

#[test]
fn the_whole_year_before_as_a_clauses_subject_is_the_same_metric_then() {
    let doc = "临江市政府工作报告\n——2026年1月13日在临江市第十七届人民代表大会第五次会议上\n\n\
               一、2025年工作回顾\n\
               全市地区生产总值完成1200亿元,增长5.1%,上年为增长3.9%。\
               一般公共预算收入80亿元,而上年为75亿元。\n\
               二、2026年工作安排\n\
               今年经济社会发展的主要预期目标是:规模以上工业增加值增长6%左右,上年为增长6.4%。\
               经济增长预期目标较上年6%左右的目标略有下调。";
    let facts = coded_facts(doc);
    for want in [
        "gdp Actual 2025 1200亿元 yoy5.1",
        "gdp Actual 2024 - yoy3.9",
        "general_budget_revenue Actual 2024 75亿元 -",
        "industrial_value_added Target 2026 - yoy6",
        // What the year before came to, though a plan states it.
        "industrial_value_added Actual 2025 - yoy6.4",
        // What the year before set out to do is its target.
        "gdp Target 2025 - yoy6",
    ] {
        assert!(facts.contains(&want.to_string()), "{want}: {facts:#?}");
    }
    // In brackets, and with the verb right after the year: an aside, after which the
    // figures are this year's again.
    let doc = "临江市2025年国民经济和社会发展统计公报\n\n\
               全年一般公共预算收入完成98.63亿元(上年为96.42亿元),同口径增长5.6%。\
               全社会固定资产投资3946.2亿元,增长27.4%(上年增长24.1%)。";
    let facts = coded_facts(doc);
    for want in [
        "general_budget_revenue Actual 2025 98.63亿元 yoy5.6",
        "general_budget_revenue Actual 2024 96.42亿元 -",
        "fixed_asset_investment Actual 2025 3946.2亿元 yoy27.4",
        "fixed_asset_investment Actual 2024 - yoy24.1",
    ] {
        assert!(facts.contains(&want.to_string()), "{want}: {facts:#?}");
    }
}

#[test]
fn a_budgets_arranged_spending_is_the_spending() {
    // `安排` after the metric is the budget's verb, not part of the metric's name.
    let facts = render("全区一般公共预算支出安排128.6亿元,增长1.8%。");
    assert!(
        facts.contains("general_budget_expenditure") && facts.contains("128.6亿元"),
        "{facts}"
    );
}

#[test]
fn a_growth_rate_recovering_to_a_level_is_the_growth() {
    let facts = render("全区经济增速回升到5.6%。");
    assert!(facts.contains("gdp") && facts.contains("yoy5.6"), "{facts}");
}

#[test]
fn an_enumerations_item_a_change_in_words_and_a_degree_before_a_comparison() {
    // `二是` opens an item of a list, not the metric's name.
    let facts = render("二是固定资产投资增长4%,三是城镇新增就业7000人以上。");
    assert!(
        facts.contains("fixed_asset_investment Actual 2021H1 - yoy4"),
        "{facts}"
    );
    assert!(
        facts.contains("new_urban_jobs Actual 2021H1 7000人"),
        "{facts}"
    );
    // The metric whose change the clause before states in words takes a figure whose
    // own clause names none.
    let facts = render("固定资产投资连续两年负增长,2020年下降3.1%。");
    assert!(
        facts.contains("fixed_asset_investment Actual 2020 - yoy-3.1"),
        "{facts}"
    );
    // `略高于全市5.5%左右的预期目标`: the other region's target, compared with.
    let facts = render("地区生产总值增长6%左右,略高于全市5.5%左右的预期目标。");
    assert!(!facts.contains("yoy5.5"), "{facts}");
}

#[test]
fn a_range_with_a_dash_and_the_unit_once_is_its_lower_bound() {
    // One list of range marks for every reader: an em dash as well as a hyphen.
    let facts = render("今年全区地区生产总值预期增长4.5—5%。");
    assert!(
        facts.contains("yoy4.5") && facts.contains("4.5—5%"),
        "{facts}"
    );
}

#[test]
fn an_adverbial_of_circumstance_names_no_metric() {
    // `在…带动下`, `在…的情况下`: why the figure moved, between the metric and its growth.
    let facts = render(
        "社会消费品零售总额达到136.5亿元，在以旧换新等政策带动下增长5.1%；\
         货物进出口总额78.2亿元，在外需偏弱、贸易摩擦加剧的情况下逆势增长8.7%。",
    );
    assert!(
        facts.contains("retail_sales") && facts.contains("yoy5.1"),
        "{facts}"
    );
    assert!(
        facts.contains("foreign_trade") && facts.contains("yoy8.7"),
        "{facts}"
    );
    // A clause of its own between the metric and its figure.
    let facts = render("一般公共预算收入，在落实好减税降费政策的前提下，增长3%。");
    assert!(
        facts.contains("general_budget_revenue") && facts.contains("yoy3"),
        "{facts}"
    );
    // The metric before the adverbial keeps the figure, headline or not; `下降` is no end.
    let facts = render("建筑安装工程投资增长3%，设备工器具购置投资在设备更新政策带动下增长21.4%。");
    assert!(
        facts.contains("(设备工器具购置投资) Actual 2021H1 - yoy21.4"),
        "{facts}"
    );
    let facts = render("固定资产投资受房地产影响下降3.2%。");
    assert!(
        facts.contains("fixed_asset_investment") && facts.contains("yoy-3.2"),
        "{facts}"
    );
}

#[test]
fn the_same_time_before_in_brackets_and_a_change_against_a_quarter() {
    // `(上年同期为下降2.3%)`: the metric in the same part of the year before, in brackets.
    let facts =
        render("上半年,固定资产投资同比增长4.3%(上年同期为下降2.3%),社会消费品零售总额增长5%。");
    assert!(
        facts.contains("fixed_asset_investment Actual 2020H1 - yoy-2.3"),
        "{facts}"
    );
    assert!(
        facts.contains("retail_sales Actual 2021H1 - yoy5"),
        "{facts}"
    );
    // `比一季度回落1.2个百分点`, `比1-9月加快`: the baseline of a change, no metric.
    let facts =
        render("上半年,固定资产投资同比增长4.3%,比一季度回落1.2个百分点(上年同期为下降2.3%)。");
    assert!(
        facts.contains("fixed_asset_investment Actual 2020H1 - yoy-2.3"),
        "{facts}"
    );
    assert!(!facts.contains("(比)"), "{facts}");
}

#[test]
fn a_level_said_to_be_unchanged_grew_by_nothing() {
    // `与上年持平` after a level: that fact's growth is 0.
    let facts = render("实际使用外资110.4亿美元,与上年持平;城镇调查失业率5.5%,与上年持平。");
    assert!(
        facts.contains("foreign_capital_used Actual 2021H1 110.4亿美元 yoy0"),
        "{facts}"
    );
    // A rate's level the same as the year before is no growth of the rate.
    assert!(
        facts.contains("surveyed_unemployment_rate Actual 2021H1 5.5% -"),
        "{facts}"
    );
}

#[test]
fn a_clause_opened_by_a_broader_place_is_that_places_figure() {
    // `高于全市0.6个百分点,全市同比增长5.3%` in a district's report: the city's growth.
    let facts = render("全区地区生产总值同比增长5.9%,高于全市0.6个百分点,全市同比增长5.3%。");
    assert!(facts.contains("gdp Actual 2021H1 - yoy5.9"), "{facts}");
    assert!(
        facts.contains("(全市地区生产总值) Actual 2021H1 - yoy5.3"),
        "{facts}"
    );
}
