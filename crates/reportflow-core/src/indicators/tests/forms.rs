//! Forms seen in reports of other levels and kinds than the development corpus's
//! provincial work reports: target lists opened by dashes, `分别` lists after levels, shares
//! of the region's output, dates around a metric, pastoral names, mid-year releases and a
//! five-year plan reviewed so far.

use super::render;

/// `code kind period value yoy` of every coded indicator of a whole document, through the
/// public extractor (metadata and sections found as in production).
pub(super) fn coded_facts(doc: &str) -> Vec<String> {
    crate::Extractor::default()
        .analyze(doc)
        .indicators
        .iter()
        .filter_map(|i| {
            Some(format!(
                "{} {:?} {} {} {}",
                i.code.as_deref()?,
                i.kind,
                i.period,
                i.quantity
                    .as_ref()
                    .map_or("-".to_string(), |q| format!("{}{}", q.value, q.unit)),
                i.yoy_pct.map_or("-".to_string(), |v| format!("yoy{v}")),
            ))
        })
        .collect()
}

#[test]
fn dashes_and_bullets_open_list_items_without_naming_anything() {
    assert_eq!(
        render("——地区生产总值增长6%左右;\n●规模以上工业增加值增长7.5%以上;"),
        "gdp Actual 2021H1 - yoy6 - 左右\nindustrial_value_added Actual 2021H1 - yoy7.5 - 以上"
    );
}

#[test]
fn a_respectively_list_of_growths_reopens_the_levels_stated_before_it() {
    assert_eq!(
        render("金融机构本外币存款余额2.36万亿元,贷款余额2.18万亿元,分别增长8.6%和9.8%。"),
        "deposit_balance Actual 2021H1 2.36万亿元 yoy8.6 - -\nloan_balance Actual 2021H1 2.18万亿元 yoy9.8 - -"
    );
    // With one figure less than the levels, only the last levels are reopened.
    assert_eq!(
        render("常住人口120万人,存款余额2.36万亿元,贷款余额2.18万亿元,分别增长8.6%和9.8%。"),
        "(常住人口) Actual 2021H1 120万人 - - -\ndeposit_balance Actual 2021H1 2.36万亿元 yoy8.6 - -\nloan_balance Actual 2021H1 2.18万亿元 yoy9.8 - -"
    );
}

#[test]
fn a_share_of_the_regions_output_after_a_metric_is_that_metrics_share() {
    let facts = render(
        "研究与试验发展(R&D)经费支出630.4亿元,比上年增长14.2%,占全区生产总值的比重为2.2%。\
         研究与试验发展(R&D)经费支出12.56亿元,相当于全区生产总值的2.93%。\
         年末城镇常住人口35.6万人,占常住人口比重为62.1%。",
    );
    assert!(facts.contains("rd_intensity Actual 2021H1 2.2%"), "{facts}");
    assert!(
        facts.contains("rd_intensity Actual 2021H1 2.93%"),
        "{facts}"
    );
    assert!(
        facts.contains("urbanization_rate Actual 2021H1 62.1%"),
        "{facts}"
    );
    // An equivalence to the output is no output figure itself.
    assert!(!facts.contains("gdp "), "{facts}");
}

#[test]
fn a_date_after_or_inside_a_metric_phrase_is_no_part_of_it() {
    assert_eq!(
        render("固定资产投资1-11月同比下降4.6%。"),
        "fixed_asset_investment Actual 2021M01-11 - yoy-4.6 - -"
    );
    let facts =
        render("我们将锚定到2030年地区生产总值突破4500亿元、人均地区生产总值超过12万元的目标。");
    assert!(facts.starts_with("gdp "), "{facts}");
    // A baseline year stays a baseline.
    assert_eq!(
        render("上半年地区生产总值比2019年同期增长7.9%。"),
        "gdp Actual 2021H1 - - 比2019年同期7.9 -"
    );
}

#[test]
fn pastoral_and_whole_territory_names_resolve() {
    let facts = render("农村牧区常住居民人均可支配收入24638元,增长8.1%;市域固定资产投资增长3.6%。");
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 24638元 yoy8.1"),
        "{facts}"
    );
    assert!(
        facts.contains("fixed_asset_investment Actual 2021H1 - yoy3.6"),
        "{facts}"
    );
}

#[test]
fn two_populations_sharing_only_the_last_character_share_the_head() {
    let facts =
        render("城镇居民和农牧民人均可支配收入分别增长5%和7%;全年万元生产总值能耗比上年下降3.1%。");
    assert!(
        facts.contains("urban_disposable_income Actual 2021H1 - yoy5"),
        "{facts}"
    );
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 - yoy7"),
        "{facts}"
    );
    assert!(facts.contains("energy_intensity Actual"), "{facts}");
}

#[test]
fn numbered_target_items_and_older_budget_names_resolve() {
    let facts = render(
        "1. 地区生产总值增长5.5%左右;\n(2)地方财政一般预算收入增长12%;\n③单位生产总值能耗下降3.5%。",
    );
    assert!(facts.contains("gdp Actual 2021H1 - yoy5.5"), "{facts}");
    assert!(
        facts.contains("general_budget_revenue Actual 2021H1 - yoy12"),
        "{facts}"
    );
    assert!(
        facts.contains("energy_intensity Actual 2021H1 - yoy-3.5"),
        "{facts}"
    );
}

#[test]
fn total_fiscal_revenue_is_no_general_budget_revenue() {
    let facts = render("全口径财政收入完成312.5亿元,增长4.1%;区级一般公共预算收入完成86.72亿元。");
    assert!(facts.starts_with("(全口径财政收入)"), "{facts}");
    assert!(
        facts.contains("general_budget_revenue Actual 2021H1 86.72亿元"),
        "{facts}"
    );
}

#[test]
fn a_part_naming_the_same_metric_in_other_words_is_no_headline_figure() {
    let facts =
        render("全年新登记市场主体5.83万户,比上年增长12.4%;其中新登记企业1.46万户,增长6.8%。");
    assert!(
        facts.starts_with("new_enterprises Actual 2021 5.83万户 yoy12.4"),
        "{facts}"
    );
    assert!(facts.contains("(新登记企业)"), "{facts}");
    // A part of the year, or a part of a compound whole, keeps the code.
    let facts = render("上半年地区生产总值同比增长5.2%,其中二季度单季同比增长7.1%。");
    assert_eq!(facts.matches("gdp ").count(), 2, "{facts}");
    let facts =
        render("城乡居民人均可支配收入分别增长5.3%、7%,其中农村居民人均可支配收入达到20793元。");
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 20793元"),
        "{facts}"
    );
}

#[test]
fn the_currency_after_a_unit_is_part_of_the_figure() {
    let facts = render("实际使用外资8132亿元人民币,增长4.1%。");
    assert!(
        facts.contains("foreign_capital_used Actual 2021H1 8132亿元 yoy4.1"),
        "{facts}"
    );
}

#[test]
fn enterprises_a_sentence_opens_with_complete_its_later_bare_heads() {
    let facts = render(
        "规模以上工业企业实现总产值412.57亿元,增长10.2%;实现主营业务收入398.64亿元,增长9.6%;实现利润总额23.86亿元,增长12.7%。",
    );
    assert!(
        facts.contains("industrial_profit Actual 2021H1 23.86亿元 yoy12.7"),
        "{facts}"
    );
}

#[test]
fn a_balance_after_another_holders_balance_is_that_holders() {
    let facts = render(
        "年末县农村商业银行各项存款余额98.60亿元,增长10.8%;各项贷款余额62.35亿元,增长14.2%。",
    );
    assert!(!facts.contains("loan_balance"), "{facts}");
    // The region's own balances stay the headline ones.
    let facts = render("年末金融机构各项存款余额312.5亿元,各项贷款余额201.3亿元。");
    assert!(
        facts.contains("deposit_balance") && facts.contains("loan_balance"),
        "{facts}"
    );
}

#[test]
fn headlines_after_a_sub_areas_figure_are_the_sub_areas() {
    let facts = render(
        "云岭高新区规模以上工业增加值增长11.4%,规模以上工业企业利润总额62.35亿元,增长6.8%。",
    );
    assert!(!facts.contains("industrial_profit"), "{facts}");
}

#[test]
fn a_part_of_the_regions_balances_is_no_holder() {
    let facts = render(
        "年末金融机构各项存款余额312.5亿元,其中住户存款余额200.1亿元;各项贷款余额201.3亿元。",
    );
    assert!(
        facts.contains("loan_balance Actual 2021H1 201.3亿元"),
        "{facts}"
    );
}

#[test]
fn more_than_a_number_is_a_value_with_its_qualifier() {
    let facts = render("社会消费品零售总额达到280亿余元,增长3.9%;新增经营主体9800余户。");
    assert!(
        facts.contains("retail_sales Actual 2021H1 280亿元 yoy3.9 - 余"),
        "{facts}"
    );
    assert!(
        facts.contains("new_enterprises Actual 2021H1 9800户 - - 余"),
        "{facts}"
    );
}

#[test]
fn a_sentence_of_parts_after_its_whole_names_no_headline_again() {
    let facts =
        render("全年新登记市场主体86.25万户,比上年增长12.4%。其中,新登记企业24.36万户,增长15.8%。");
    assert_eq!(facts.matches("new_enterprises").count(), 1, "{facts}");
    assert!(facts.contains("(新登记企业)"), "{facts}");
}

#[test]
fn a_question_mark_for_a_destroyed_digit_ends_no_sentence() {
    // Under a heading that names a metric, the tail after a `?` that split the sentence
    // would read as that metric's figure: `8.4亿元` of the fixed asset investment.
    let facts = coded_facts(
        "四、固定资产投资\n全年固定资产投资比上年下降4.6%。全年建安投资完成1?8.4亿元,增长?.5%。\n",
    );
    assert!(!facts.iter().any(|f| f.contains("8.4")), "{facts:?}");
    assert!(facts.iter().any(|f| f.contains("yoy-4.6")), "{facts:?}");
    // A question that is one stays a sentence of its own.
    let facts = coded_facts("四、固定资产投资\n为什么?全年固定资产投资比上年下降4.6%。\n");
    assert!(facts.iter().any(|f| f.contains("yoy-4.6")), "{facts:?}");
}

#[test]
fn a_gloss_inside_a_phrase_does_not_name_the_whole_phrase() {
    // `(PM2.5)` glosses `细颗粒物` alone; the phrase is one area's concentration.
    let facts = render("京津冀地区细颗粒物(PM2.5)平均浓度下降7.8%。");
    assert!(!facts.contains("pm25"), "{facts}");
    let facts = render("细颗粒物(PM2.5)平均浓度下降7.8%。");
    assert!(facts.contains("pm25"), "{facts}");
}

#[test]
fn a_share_of_the_national_output_and_levels_reached_by_any_verb() {
    let facts = render("服务业增加值占国内生产总值比重上升到51.6%。");
    assert!(
        facts.contains("tertiary_share Actual 2021H1 51.6%"),
        "{facts}"
    );
    let facts = render("城镇调查失业率回落到5.1%。");
    assert!(
        facts.contains("surveyed_unemployment_rate Actual 2021H1 5.1%"),
        "{facts}"
    );
}

#[test]
fn an_exclusion_before_a_growth_names_no_metric() {
    let facts = render("全年一般公共预算收入158.62亿元,扣除留抵退税因素后同比增长8.9%。");
    assert!(
        facts.contains("general_budget_revenue Actual 2021 158.62亿元 yoy8.9"),
        "{facts}"
    );
}

#[test]
fn a_bare_profit_after_the_enterprises_is_theirs() {
    let facts =
        render("规模以上工业企业实现主营业务收入85.3亿元,增长6.1%;实现利润2.36亿元,增长5.3%。");
    assert!(
        facts.contains("industrial_profit Actual 2021H1 2.36亿元 yoy5.3"),
        "{facts}"
    );
    // Other enterprises' profit is not the industrial enterprises'.
    assert!(!render("国有企业实现利润2.36亿元。").contains("industrial_profit"));
}

#[test]
fn a_bare_investment_after_a_count_of_projects_is_theirs() {
    let facts = render("全年新开工亿元以上项目286个,完成投资增长9.8%。");
    assert!(!facts.contains("fixed_asset_investment"), "{facts}");
}

#[test]
fn every_kind_of_new_business_and_trade_in_other_words() {
    let facts = render(
        "全年新登记各类市场主体5126户,增长12.4%。进出口贸易总额由6208亿美元增加到2.17万亿美元。",
    );
    assert!(facts.contains("new_enterprises"), "{facts}");
    assert!(
        facts.contains("foreign_trade Actual 2021H1 6208亿美元"),
        "{facts}"
    );
}

#[test]
fn a_percentage_a_describing_clause_introduces_is_not_a_level() {
    let facts = render("单位地区生产总值能耗累计下降14.2%,超额完成国家下达的13.5%的目标任务。");
    assert!(!facts.contains("13.5%"), "{facts}");
    assert!(facts.contains("-14.2"), "{facts}");
}

#[test]
fn a_total_after_new_entrants_is_the_stock() {
    let facts = render("新登记经营主体320万户、增长13%,总量达2037.7万户,其中企业929.8万户。");
    assert!(
        facts.contains("new_enterprises Actual 2021H1 320万户 yoy13"),
        "{facts}"
    );
    assert!(
        !facts.contains("new_enterprises Actual 2021H1 2037.7万户"),
        "{facts}"
    );
}

#[test]
fn a_level_named_by_its_baseline_is_the_metrics_earlier_level() {
    let facts = render(
        "“十四五”期间,全区地区生产总值达到13697.5亿元,较“十三五”末的9323.1亿元增加4374.4亿元,增长33.6%。",
    );
    assert!(
        facts.contains("gdp Actual 2020 9323.1亿元 - -")
            && facts.contains("gdp Actual 2025 13697.5亿元 - 较“十三五”末33.6"),
        "{facts}"
    );
    assert!(!facts.contains("yoy33.6"), "{facts}");
}

#[test]
fn a_comparison_after_a_metric_is_not_part_of_its_name() {
    let facts = render("全体居民人均可支配收入增速高于经济增速、突破3万元。");
    assert!(
        facts.contains("disposable_income Actual 2021H1 3万元"),
        "{facts}"
    );
}

#[test]
fn revised_levels_and_adverbs_before_the_verb() {
    let facts =
        render("修订后2018年全区地区生产总值为1986.52亿元。全区经济总量虽已突破2.8万亿元。");
    assert!(facts.contains("gdp Actual 2018 1986.52亿元"), "{facts}");
    assert!(facts.contains("gdp Actual 2021H1 2.8万亿元"), "{facts}");
}

#[test]
fn older_plans_price_bases_and_budgets() {
    let facts = coded_facts(
        "政府工作报告\n——2001年3月5日在第九届全国人民代表大会第四次会议上\n\
         一、“九五”时期国民经济和社会发展的成就\n\
         “九五”期间外贸进出口总额累计达到1.6万亿美元,比“八五”时期增长69.7%。\n\
         二、关于“十五”计划\n\
         到2005年国内生产总值按2000年价格计算达到12.5万亿元左右。\n\
         全国财政收入预算安排为14770亿元,比上年执行数增长10.4%。\n\
         全社会研究与开发经费占国内生产总值的比例提高到1.5%以上。\n",
    )
    .join("\n");
    for fact in [
        "foreign_trade Actual 1996-2000 1.6万亿美元",
        "gdp Target 2005 12.5万亿元",
        "general_budget_revenue Target",
        "rd_intensity Target",
    ] {
        assert!(facts.contains(fact), "{fact}: {facts}");
    }
    assert!(!facts.contains("2000 12.5"), "{facts}");
}

#[test]
fn parts_of_the_population_and_a_baseline_year() {
    let facts = render(
        "全体居民人均可支配收入58620元,增长5.2%,其中城镇居民74210元、农村居民45860元,分别增长4.8%和6.4%。",
    );
    assert!(
        facts.contains("urban_disposable_income Actual 2021H1 74210元 yoy4.8"),
        "{facts}"
    );
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 45860元 yoy6.4"),
        "{facts}"
    );
    let facts = coded_facts(
        "关于2025年国民经济和社会发展计划执行情况与2026年计划草案的报告\n\
         一、2025年国民经济和社会发展计划执行情况\n\
         一般公共预算收入完成27.13亿元,比2024年的25.21亿元增长7.6%。\n",
    );
    assert!(
        facts
            .iter()
            .any(|f| f.starts_with("general_budget_revenue") && f.ends_with("yoy7.6")),
        "{facts:?}"
    );
}

#[test]
fn a_bare_share_after_a_metric_is_its_share_and_changes_start_with_any_verb() {
    let facts = render("一般公共预算收入1286.4亿元,增长3.2%,其中税收收入1012.7亿元,占比78.7%。");
    assert!(!facts.contains("yoy78.7"), "{facts}");
    let facts = render("第三产业增加值1234.5亿元,增长5.1%,占比55.2%。");
    assert!(
        facts.contains("tertiary_share Actual 2021H1 55.2%"),
        "{facts}"
    );
    // `扩大到`, `回落到`: the start of the change is a figure of its own.
    let facts = render("外贸进出口总额由9862亿元扩大到1.42万亿元,城镇登记失业率由4.1%回落到3.5%。");
    assert!(
        facts.contains("foreign_trade Actual 2021H1 9862亿元"),
        "{facts}"
    );
    assert!(
        facts.contains("registered_unemployment_rate Actual 2021H1 4.1%"),
        "{facts}"
    );
}

#[test]
fn how_a_metric_moved_and_a_long_list_of_parts_name_no_other_metric() {
    let facts = render("固定资产投资止跌回稳、力争增长2%。");
    assert!(facts.contains("fixed_asset_investment"), "{facts}");
    // After `其中`, a long list of goods is parts of the sales, not the sales again.
    let facts = render(
        "社会消费品零售总额2135.6亿元,增长4.9%,其中限额以上单位通讯器材类、家用电器和音像器材类商品零售额分别增长21.6%和15.3%。",
    );
    assert!(
        !facts
            .lines()
            .any(|l| l.starts_with("retail_sales")
                && (l.contains("yoy15.3") || l.contains("yoy21.6"))),
        "{facts}"
    );
}

#[test]
fn headlines_after_a_figure_of_a_development_zone_are_the_zones() {
    let facts = render("县经开区完成基础设施投资6.8亿元,实现规上工业总产值156.4亿元,增长11.3%。");
    assert!(!facts.contains("industrial_output"), "{facts}");
}

#[test]
fn compounds_with_modifiers_setters_currencies_and_counted_places() {
    let facts = render("城乡常住居民人均可支配收入分别达到56823元和27465元,分别增长4.1%和6.8%。");
    assert!(
        facts.contains("urban_disposable_income Actual 2021H1 56823元 yoy4.1"),
        "{facts}"
    );
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 27465元 yoy6.8"),
        "{facts}"
    );
    // Who set a target is no part of the metric.
    let facts = render("地区生产总值增长4.6%,年初县人代会确定的GDP增长8%的预期目标未能实现。");
    assert!(facts.contains("gdp Target 2021 - yoy8"), "{facts}");
    // The same level in another currency.
    let facts = render("人均地区生产总值达到10.8万元,按年平均汇率折算约1.51万美元。");
    assert!(
        facts.contains("gdp_per_capita Actual 2021H1 1.51万美元"),
        "{facts}"
    );
    // A count of places before a metric: their figure, not the region's.
    let facts = render("3个设区市经济总量超过5000亿元。");
    assert!(!facts.contains("gdp"), "{facts}");
}

#[test]
fn every_level_of_a_list_a_change_starts_from_is_a_start() {
    let facts =
        render("城镇、农村居民人均可支配收入分别由31245元、11826元增加到40862元、16538元。");
    // Both starts are earlier levels than both ends: four facts, two per metric.
    assert_eq!(facts.lines().count(), 4, "{facts}");
    assert!(facts.contains("rural_disposable_income"), "{facts}");
}

#[test]
fn one_level_of_two_metrics_named_together_is_neither_ones() {
    // A sum (`合计`) or a mix of deposits and loans: no level of either, nor its growth.
    assert_eq!(
        render("年末金融机构存贷款余额合计1.66万亿元,增长8.1%;存款余额9012.4亿元,增长7.8%。"),
        "deposit_balance Actual 2021H1 9012.4亿元 yoy7.8 - -"
    );
    // A list of levels for the same compound is still each metric's.
    assert_eq!(
        render("金融机构人民币存贷款余额分别为6159.7亿元和2132.7亿元,同比分别增长22.1%和69.5%。"),
        "deposit_balance Actual 2021H1 6159.7亿元 yoy22.1 - -\nloan_balance Actual 2021H1 2132.7亿元 yoy69.5 - -"
    );
    // One growth of two incomes is each one's; their one level is neither's.
    let facts = render("全区城乡居民人均可支配收入32000元,增长5%。");
    assert!(!facts.contains("32000"), "{facts}");
    assert!(
        facts.contains("urban_disposable_income Actual 2021H1 - yoy5"),
        "{facts}"
    );
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 - yoy5"),
        "{facts}"
    );
}

#[test]
fn a_concentration_written_in_words_per_cubic_metre() {
    assert_eq!(
        render("全区PM2.5平均浓度41.2微克每立方米、下降5.3%。"),
        "pm25 Actual 2021H1 41.2微克每立方米 yoy-5.3 - -"
    );
}

#[test]
fn a_range_whose_lower_bound_has_its_magnitude_only_takes_the_upper_bounds_unit() {
    let facts = render("实际利用外资力争达到1300万—1500万美元。");
    assert!(
        facts.starts_with("foreign_capital_used Target 2021 1300万美元"),
        "{facts}"
    );
    // A lower bound of another magnitude keeps its own.
    let facts = render("一般公共预算收入8000万—1.2亿元。");
    assert!(!facts.contains("8000亿元"), "{facts}");
}

#[test]
fn the_result_after_a_plan_is_actual_and_repeats_the_metric() {
    // `实际` after a plan's figure is the result, not a real (price-adjusted) growth.
    let facts = render("地区生产总值年初计划增长6%,实际增长5.2%,未完成年度目标。");
    assert!(facts.contains("gdp Actual 2021H1 - yoy5.2"), "{facts}");
    // `实际新设`, `实际新增`: the same metric's result.
    let facts = render("年初计划新设市场主体1.5万户,实际新设1.68万户,增长7.0%。");
    assert!(
        facts.contains("new_enterprises Actual 2021H1 1.68万户 yoy7"),
        "{facts}"
    );
    let facts = render("城镇新增就业年初计划1.8万人,实际新增2.05万人。");
    assert!(
        facts.contains("new_urban_jobs Actual 2021H1 2.05万人"),
        "{facts}"
    );
}

#[test]
fn older_and_local_names_of_headline_metrics() {
    // Before 2014's budget law, `地方一般预算收入`; a budget's figure for a metric.
    let facts = render("地方一般预算收入9.86亿元,增长31.2%。财政收入预算74310亿元。");
    assert!(
        facts.contains("general_budget_revenue Actual 2021H1 9.86亿元 yoy31.2"),
        "{facts}"
    );
    assert!(
        facts.contains("general_budget_revenue Actual 2021H1 74310亿元"),
        "{facts}"
    );
    // A city's air as its urban area's, in the ambient air.
    let facts = render("市区环境空气中PM2.5年均浓度为46微克/立方米,比上年下降8.0%。");
    assert!(
        facts.starts_with("pm25 Actual 2021H1 46微克/立方米 yoy-8"),
        "{facts}"
    );
    // `每年均控制在`: each year of the span, after the metric.
    let facts = render("城镇调查失业率每年均控制在5.5%以内。");
    assert!(facts.starts_with("surveyed_unemployment_rate "), "{facts}");
    // `平均每年增长`: an average over years, not a growth over the year before.
    let facts = render("国内生产总值达到89350亿元,按可比价格计算,五年平均每年增长8.3%。");
    assert!(!facts.contains("yoy8.3"), "{facts}");
}

#[test]
fn public_finance_of_2007_to_2014_and_a_pastoral_population_pair() {
    let facts = render("公共财政收入从5.1万亿元增加到11.7万亿元。");
    assert!(facts.starts_with("general_budget_revenue "), "{facts}");
    // `城镇` completes with the head after the last item's population (`农村牧区`).
    let facts = render("城镇和农村牧区常住居民人均可支配收入分别增长5%和7%。");
    assert!(
        facts.contains("urban_disposable_income Actual 2021H1 - yoy5"),
        "{facts}"
    );
    assert!(
        facts.contains("rural_disposable_income Actual 2021H1 - yoy7"),
        "{facts}"
    );
}
