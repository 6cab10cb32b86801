//! Tables pasted as text: plan tables (one column per plan, forecast or result), tables of
//! levels and growths, the notes in their cells and the notes after them.

use super::forms::coded_facts;

/// [`coded_facts`] of a document as pasted, normalized first as the pipeline does (its
/// blanks, tabs and full-width punctuation are what the table readers meet).
fn pasted_facts(doc: &str) -> Vec<String> {
    let text = crate::Extractor::default()
        .normalize_bytes(doc.as_bytes(), None)
        .expect("UTF-8 text normalizes")
        .text;
    coded_facts(&text)
}

#[test]
fn a_plan_table_with_bars_and_numbered_rows_is_read() {
    let facts = coded_facts(
        "2024年某县政府工作报告\n二、2024年主要预期目标\n序号|指标名称|单位|2023年完成|2024年目标\n\
         1|地区生产总值增长|%|6.1|6左右\n5|一般公共预算收入|亿元|39.7|41.3\n",
    );
    assert!(
        facts.contains(&"gdp Target 2024 - yoy6".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"general_budget_revenue Target 2024 41.3亿元 -".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"gdp Actual 2023 - yoy6.1".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_plan_table_keeps_rows_of_words_and_reads_pm25() {
    let facts = coded_facts(
        "关于2023年国民经济和社会发展计划执行情况与2024年计划草案的报告\n\
         序号|指标名称|单位|2023年完成|2024年目标\n\
         1|地区生产总值增长|%|6.1|6左右\n\
         13|单位地区生产总值能耗下降|%|完成市下达目标|完成市下达目标\n\
         14|PM2.5年均浓度|微克/立方米|21|22以内\n\
         15|研发投入强度|%|2.35|2.45\n",
    );
    assert!(
        facts.contains(&"pm25 Target 2024 22微克/立方米 -".to_string()),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"rd_intensity Target 2024 2.45% -".to_string()),
        "{facts:?}"
    );
}

#[test]
fn a_plan_table_with_bounds_estimate_marks_notes_and_declines() {
    // Cells separated by spaces, rows numbered without a separator once normalized, bounds
    // (`≥`, `≤`), estimates marked `*`, a note in words, a row named by a decline.
    let facts = coded_facts(
        "关于平溪县2024年国民经济和社会发展计划执行情况与2025年计划草案的报告\n\
         平溪县2025年国民经济和社会发展主要指标\n\
         序号  指标  单位  2024年计划  2024年完成  2025年目标\n\
         8  城镇居民人均可支配收入增长  %  6  4.5*  5\n\
         9  农村居民人均可支配收入增长  %  7.5  6.6*  6.5\n\
         10  城镇新增就业  人  4000  4280  ≥4000\n\
         11  城镇登记失业率  %  ≤3.5  2.8  ≤3.5\n\
         14  单位地区生产总值能耗降低  %  2.5  2.9*  完成市下达任务\n\
         15  PM2.5平均浓度  微克/立方米  ≤30  27  ≤29\n",
    );
    for fact in [
        "urban_disposable_income Target 2024 - yoy6",
        "urban_disposable_income Forecast 2024 - yoy4.5",
        "urban_disposable_income Target 2025 - yoy5",
        "rural_disposable_income Forecast 2024 - yoy6.6",
        "new_urban_jobs Actual 2024 4280人 -",
        "new_urban_jobs Target 2025 4000人 -",
        "registered_unemployment_rate Target 2024 3.5% -",
        "registered_unemployment_rate Actual 2024 2.8% -",
        "energy_intensity Target 2024 - yoy-2.5",
        "energy_intensity Forecast 2024 - yoy-2.9",
        "pm25 Target 2025 29微克/立方米 -",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
    // Rows never run together (`…4.5* 5` + `9农村…` is no `59`).
    assert!(!facts.iter().any(|f| f.contains("59")), "{facts:?}");
}

#[test]
fn a_table_row_noted_as_estimated_holds_forecasts() {
    let facts = coded_facts(
        "关于某区2023年上半年国民经济和社会发展计划执行情况的报告\n附表 某区2023年上半年主要经济指标完成情况\n\
         指标名称 单位 完成值 同比增长(%) 全年预期目标(%)\n地区生产总值(预计) 亿元 412.6 6.8 6\n",
    );
    assert!(
        facts
            .iter()
            .any(|f| f.starts_with("gdp Forecast") && f.contains("412.6亿元 yoy6.8")),
        "{facts:?}"
    );
    assert!(
        facts.contains(&"gdp Target 2023 - yoy6".to_string()),
        "{facts:?}"
    );
}

#[test]
fn targets_stated_as_what_the_year_aims_at_and_tables_with_notes_in_cells() {
    let facts = coded_facts(
        "兰州市2025年上半年国民经济和社会发展计划执行情况的报告\n\
         年度目标为城镇新增就业6.5万人,1—6月城镇新增就业3.7万人。\
         单位地区生产总值能耗年度目标为下降3%,上半年预计下降2.6%。\
         1—6月规模以上工业增加值增长7.8%,其中6月当月增长9.1%。\n",
    );
    for fact in [
        "new_urban_jobs Target 2025 6.5万人 -",
        "energy_intensity Target 2025 - yoy-3",
        "energy_intensity Forecast 2025H1 - yoy-2.6",
        "industrial_value_added Actual 2025M06 - yoy9.1",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
    // A plan table whose cells are words in some rows (`稳中提质`) goes on past them.
    let facts = coded_facts(
        "关于澜江省2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         指标名称 | 单位 | 2025年目标 | 2025年预计 | 2026年目标\n\
         货物进出口总额 | 亿元 | 稳中提质 | 4862 | 稳中提质\n\
         城镇新增就业 | 万人 | 60 | 64.5 | 60以上\n\
         PM2.5平均浓度 | 微克/立方米 | 31 | 29.8 | 30\n",
    );
    for fact in [
        "foreign_trade Forecast 2025 4862亿元 -",
        "new_urban_jobs Forecast 2025 64.5万人 -",
        "pm25 Target 2026 30微克/立方米 -",
    ] {
        assert!(facts.iter().any(|f| f == fact), "{fact}: {facts:?}");
    }
}

#[test]
fn an_execution_table_of_targets_then_results_with_an_estimate_note_after_it() {
    // Cells apart by ideographic spaces, `年度目标` before `完成情况` (the same year's), a row
    // whose target is words right after its `%`, and a note naming the estimated rows.
    let facts = pasted_facts(
        "青溪县2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\n\
         表1　2025年主要指标计划执行情况\n\
         指标名称　　　　单位　　年度目标　　完成情况\n\
         地区生产总值增长　　%　　7左右　　6.2\n\
         一般公共预算收入　　亿元　　18.5　　18.92\n\
         单位地区生产总值能耗下降　　%　　完成市下达任务　3.3\n\
         注：地区生产总值、单位地区生产总值能耗为预计数，其余为快报数。\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Target 2025 - yoy7"), "{facts:#?}");
    assert!(has("gdp Forecast 2025 - yoy6.2"), "{facts:#?}");
    assert!(
        has("general_budget_revenue Target 2025 18.5亿元 -"),
        "{facts:#?}"
    );
    assert!(
        has("general_budget_revenue Actual 2025 18.92亿元 -"),
        "{facts:#?}"
    );
    assert!(
        has("energy_intensity Forecast 2025 - yoy-3.3"),
        "{facts:#?}"
    );
}

#[test]
fn a_plan_after_the_results_is_the_next_years_and_cells_in_words_follow_a_percent() {
    let facts = pasted_facts(
        "江岭省2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\n\
         指标\t单位\t预计完成\t计划目标\n\
         进出口总额增长\t%\t6.2\t稳规模优结构\n\
         居民人均可支配收入增长\t%\t5.2\t与经济增长同步\n\
         研发经费投入强度\t%\t2.48\t2.55\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("foreign_trade Forecast 2025 - yoy6.2"), "{facts:#?}");
    assert!(
        has("disposable_income Forecast 2025 - yoy5.2"),
        "{facts:#?}"
    );
    assert!(has("rd_intensity Target 2026 2.55% -"), "{facts:#?}");
}

#[test]
fn a_balance_table_headed_by_year_end_figures_and_growth_over_the_year_end_before() {
    let facts = pasted_facts(
        "枫阳市2024年国民经济和社会发展统计公报\n\n\
         指标\t年末数（亿元）\t比上年末增长（%）\n\
         各项存款余额\t6213.5\t8.2\n\
         各项贷款余额\t5320.8\t7.4\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(
        has("deposit_balance Actual 2024 6213.5亿元 yoy8.2"),
        "{facts:#?}"
    );
    assert!(
        has("loan_balance Actual 2024 5320.8亿元 yoy7.4"),
        "{facts:#?}"
    );
}

#[test]
fn a_mid_year_table_of_targets_written_as_changes_and_rows_of_rates_with_a_dash_unit() {
    let facts = pasted_facts(
        "临渊市2025年上半年国民经济和社会发展计划执行情况的报告\n\n\
         表1　2025年1—6月全市主要经济指标完成情况\n\
         指标　单位　年度目标　1—6月完成　同比增长（%）\n\
         地区生产总值　亿元　增长6%　2865.4　5.8\n\
         规上工业增加值　—　增长8%左右　—　8.2\n\
         外贸进出口总额　亿元　增长5%　486.2　-3.6\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Target 2025 - yoy6"), "{facts:#?}");
    assert!(has("gdp Actual 2025H1 2865.4亿元 yoy5.8"), "{facts:#?}");
    assert!(
        has("industrial_value_added Target 2025 - yoy8"),
        "{facts:#?}"
    );
    assert!(
        has("industrial_value_added Actual 2025H1 - yoy8.2"),
        "{facts:#?}"
    );
    assert!(
        has("foreign_trade Actual 2025H1 486.2亿元 yoy-3.6"),
        "{facts:#?}"
    );
}

#[test]
fn a_bar_table_under_its_caption_with_a_note_naming_rows_by_their_growth() {
    let facts = pasted_facts(
        "嘉岷市2024年国民经济和社会发展计划执行情况与2025年计划草案的报告\n\n\
         附表:嘉岷市2024年国民经济和社会发展主要指标完成情况及2025年计划\n\
         指标 | 单位 | 2024年计划 | 2024年完成 | 2025年计划\n\
         地区生产总值 | 亿元 | 6400 | 6385左右 | 6800左右\n\
         固定资产投资增长 | % | 6 | 4.8 | 5\n\
         城镇新增就业 | 万人 | 11 | 12.56 | 11以上\n\
         注:2024年完成栏中,地区生产总值及其增长、固定资产投资增长为预计数,其余为快报数。\n",
    );
    let has = |f: &str| facts.iter().any(|x| x == f);
    assert!(has("gdp Target 2024 6400亿元 -"), "{facts:#?}");
    assert!(has("gdp Forecast 2024 6385亿元 -"), "{facts:#?}");
    assert!(
        has("fixed_asset_investment Forecast 2024 - yoy4.8"),
        "{facts:#?}"
    );
    assert!(has("new_urban_jobs Actual 2024 12.56万人 -"), "{facts:#?}");
    assert!(has("new_urban_jobs Target 2025 11万人 -"), "{facts:#?}");
}

#[test]
fn a_table_whose_rows_name_their_units_in_brackets_with_or_without_bars() {
    for table in [
        "指标 | 绝对数 | 比上年增长%\n地区生产总值（亿元） | 1286.4 | 5.6\n规模以上工业增加值（亿元） | 312.6 | 6.8\n固定资产投资（亿元） | — | 2.4\n",
        "| 指标 | 绝对数 | 比上年增长% |\n| 地区生产总值（亿元） | 1286.4 | 5.6 |\n| 规模以上工业增加值（亿元） | 312.6 | 6.8 |\n| 固定资产投资（亿元） | — | 2.4 |\n",
        "指标  绝对数  比上年增长%\n地区生产总值（亿元）  1286.4  5.6\n规模以上工业增加值（亿元）  312.6  6.8\n固定资产投资（亿元）  —  2.4\n",
    ] {
        let doc = format!("江北区2025年国民经济和社会发展统计公报\n\n表1  2025年全区主要经济指标\n{table}");
        assert_eq!(
            coded_facts(&doc),
            [
                "gdp Actual 2025 1286.4亿元 yoy5.6",
                "industrial_value_added Actual 2025 312.6亿元 yoy6.8",
                "fixed_asset_investment Actual 2025 - yoy2.4",
            ],
            "{table}"
        );
    }
}

#[test]
fn a_dash_in_the_unit_column_keeps_the_row_and_the_table_open() {
    let facts = pasted_facts(
        "江屿省2025年前三季度国民经济和社会发展计划执行情况\n\
         附表  2025年前三季度全省主要经济指标\n指标 单位 绝对额 同比增长%\n\
         地区生产总值 亿元 38642.5 5.3\n固定资产投资 — — 2.6\n  其中：建安投资 — — 1.4\n\
         社会消费品零售总额 亿元 14286.3 4.7\n",
    );
    for want in [
        "fixed_asset_investment Actual 2025Q1-3 - yoy2.6",
        "construction_investment Actual 2025Q1-3 - yoy1.4",
        // The rows after them are still the table's.
        "retail_sales Actual 2025Q1-3 14286.3亿元 yoy4.7",
    ] {
        assert!(facts.contains(&want.to_string()), "{want}: {facts:?}");
    }
}
