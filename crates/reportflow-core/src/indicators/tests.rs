//! Minimal sentences for each rule of the indicator reader.

use super::*;
use crate::model::{IndicatorKind, Metadata, ReportKind};

/// Forms seen in reports of other levels and kinds (list bullets, shares, mid-year releases).
mod forms;

/// Kind and period in those forms: targets, forecasts, parts of a year, plan years.
mod targets_and_dates;

/// Tables pasted as text, and the notes in and after them.
mod tables;

/// Clauses and the cues around a figure: reasons, modals, relative years, forecasts' reach.
mod clauses;

/// The sentence reader's fast paths against their plain definitions.
mod prefilters;

fn read(text: &str) -> Vec<Indicator> {
    let metadata = Metadata {
        kind: ReportKind::PlanExecutionMidYear,
        years: vec![2021],
        region: Some("北京市通州区".to_string()),
        ..Metadata::default()
    };
    IndicatorExtractor::new(&Taxonomy::bundled()).extract(text, &[], &metadata)
}

/// `code kind period value unit yoy other qualifier` of every indicator, one per line.
fn render(text: &str) -> String {
    read(text)
        .iter()
        .map(|i| {
            format!(
                "{} {:?} {} {} {} {} {} {}",
                i.code.as_deref().unwrap_or(&format!("({})", i.metric)),
                i.kind,
                i.period,
                i.quantity
                    .as_ref()
                    .map_or("-".to_string(), |q| format!("{}{}", q.value, q.unit)),
                "",
                i.yoy_pct.map_or("-".to_string(), |v| format!("yoy{v}")),
                i.other_growth
                    .as_ref()
                    .map_or("-".to_string(), |o| format!("{}{}", o.basis, o.pct)),
                i.qualifier.as_deref().unwrap_or("-"),
            )
            .replace("  ", " ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn value_and_growth() {
    assert_eq!(
        render("上半年地区生产总值初步核算实现607.6亿元,同比增长5.2%,较一季度提高2.4个百分点。"),
        "gdp Actual 2021H1 607.6亿元 yoy5.2 - -"
    );
}

#[test]
fn decline_is_negative_and_level_after_falling_to() {
    assert_eq!(
        render("能耗强度下降3.48%。"),
        "energy_intensity Actual 2021H1 - yoy-3.48 - -"
    );
    assert_eq!(
        render("全区PM2.5累计浓度下降至46微克/立方米,改善率达16.7%。"),
        "pm25 Actual 2021H1 46微克/立方米 - - -\n(改善率) Actual 2021H1 16.7% - - -"
    );
}

#[test]
fn respectively_lists() {
    assert_eq!(
        render("金融机构人民币存贷款余额分别为6159.7亿元和2132.7亿元,同比分别增长22.1%和69.5%,分别高于全市平均水平17.4和57.4个百分点。"),
        "deposit_balance Actual 2021H1 6159.7亿元 yoy22.1 - -\nloan_balance Actual 2021H1 2132.7亿元 yoy69.5 - -"
    );
    assert_eq!(
        render("固定资产投资、建安投资总量全市双第一,同比分别增长9%、0.4%,分别完成全年任务的41.8%、38.7%。"),
        "fixed_asset_investment Actual 2021H1 - yoy9 - -\nconstruction_investment Actual 2021H1 - yoy0.4 - -"
    );
}

#[test]
fn other_baselines_are_not_yoy() {
    assert_eq!(
        render("上半年GDP实现3640.7亿元,同比增长13.5%,比2019年上半年增长7.9%,两年平均增长3.9%。"),
        "gdp Actual 2021H1 3640.7亿元 yoy13.5 比2019年上半年7.9 -"
    );
}

#[test]
fn sub_areas_and_shares_get_no_code() {
    let out = render("金融业进一步发挥龙头带动作用,实现增加值69.3亿元,同比增长14.7%,占地区生产总值的比重达到11.4%;实现税收15.6亿元,占全区总税收的10%。");
    assert!(
        out.starts_with("financial_value_added Actual 2021H1 69.3亿元 yoy14.7"),
        "{out}"
    );
    assert!(!out.contains("tax_revenue"), "{out}");
    assert!(!out.contains("gdp"), "{out}");
    let out = render("其中高技术制造业利润总额增幅高达54.2%。运河商务区实现税收40.03亿元。");
    assert!(!out.lines().any(|l| !l.starts_with('(')), "{out}");
}

#[test]
fn targets_forecasts_and_qualifiers() {
    assert_eq!(
        render("2020年经济社会发展的主要目标是:实现地区生产总值增长6.5%左右,城镇登记失业率控制在3.5%以内。"),
        "gdp Target 2020 - yoy6.5 - 左右\nregistered_unemployment_rate Target 2020 3.5% - - 以内"
    );
    assert_eq!(
        render("预计全年地区生产总值同比增长8%左右;全社会固定资产投资超千亿元。"),
        "gdp Forecast 2021 - yoy8 - 左右\nfixed_asset_investment Forecast 2021 1000亿元 - - 超"
    );
}

#[test]
fn second_growth_of_a_metric_is_a_new_fact_with_its_own_period() {
    assert_eq!(
        render("上半年地区生产总值实现607.6亿元,同比增长5.2%,高于全年预期目标0.2个百分点,其中二季度单季同比增长7.1%。"),
        "gdp Actual 2021H1 607.6亿元 yoy5.2 - -\ngdp Actual 2021Q2 - yoy7.1 - -"
    );
}

#[test]
fn damaged_digits_are_never_values() {
    let out = render("地区生产总?264.6亿元,增?.2%。");
    assert_eq!(out, "");
    // Lossy re-encoding leaves `?` or U+FFFD where a digit or a character was: no figure
    // next to one is read, however the rest of the sentence looks.
    for damaged in [
        "全省地区生产总值增长?.5%。",
        "全年实现地区生产总?318.4亿元。",
        "社会消费品零售总额1?8.4亿元,增长5.2%。",
        "城镇居民人均可支配收入43\u{FFFD}97元。",
        "一般公共预算收入增长？.3%。",
    ] {
        for ind in read(damaged) {
            assert!(
                ind.quantity.is_none() || ind.code.is_none(),
                "{damaged}: value {:?} for {:?}",
                ind.quantity,
                ind.code
            );
            if let Some(q) = &ind.quantity {
                assert!(
                    ![5.0, 318.4, 8.4, 97.0, 3.0].contains(&q.value),
                    "{damaged}: {q:?}"
                );
            }
            assert!(
                ind.yoy_pct.is_none_or(|y| y != 5.0 && y != 3.0 && y != 0.5),
                "{damaged}"
            );
        }
    }
}

#[test]
fn context_heads_take_the_subject_before_them() {
    assert_eq!(
        render("上半年细颗粒物累计浓度44微克/立方米,6月月均浓度21微克/立方米。"),
        "pm25 Actual 2021H1 44微克/立方米 - - -\npm25 Actual 2021M06 21微克/立方米 - - -"
    );
}

#[test]
fn figures_that_modify_nouns_are_skipped() {
    let out = render("318家规模以上工业企业实现总产值293.9亿元,同比增长17.9%。");
    assert_eq!(out, "industrial_output Actual 2021H1 293.9亿元 yoy17.9 - -");
}

#[test]
fn spans_point_at_quotes() {
    let text = "一、概况\n上半年地区生产总值实现607.6亿元,同比增长5.2%。";
    for ind in read(text) {
        let quoted: String = text
            .chars()
            .skip(ind.span.start as usize)
            .take((ind.span.end - ind.span.start) as usize)
            .collect();
        assert_eq!(quoted, ind.quote);
        assert!(ind.kind == IndicatorKind::Actual);
    }
}

#[test]
fn statistical_bulletin_wording() {
    assert_eq!(
        render("全年实现地区生产总值1234.5亿元,按不变价格计算,比上年增长6.1%。"),
        "gdp Actual 2021 1234.5亿元 yoy6.1 - -"
    );
    assert_eq!(
        render("全年居民消费价格上涨1.8%。"),
        "cpi Actual 2021 - yoy1.8 - -"
    );
    assert_eq!(
        render("年末全区常住人口城镇化率达到70.1%,比上年末提高0.5个百分点。"),
        "urbanization_rate Actual 2021H1 70.1% - - -"
    );
    assert_eq!(
        render("第三产业增加值占地区生产总值的比重为72.5%。"),
        "tertiary_share Actual 2021H1 72.5% - - -"
    );
    assert_eq!(
        render("金融机构本外币存款余额1234亿元,比年初增长8.2%。"),
        "deposit_balance Actual 2021H1 1234亿元 - 比年初8.2 -"
    );
}

#[test]
fn work_report_targets_and_spans_of_years() {
    assert_eq!(
        render(
            "今年经济社会发展的主要预期目标是:地区生产总值增长5%左右;城镇调查失业率控制在5%以内。"
        ),
        "gdp Target 2021 - yoy5 - 左右\nsurveyed_unemployment_rate Target 2021 5% - - 以内"
    );
    assert_eq!(
        render("全社会固定资产投资力争达到600亿元以上。"),
        "fixed_asset_investment Target 2021 600亿元 - - 以上"
    );
    assert_eq!(
        render("过去五年,全区地区生产总值年均增长6.8%。"),
        "gdp Actual 2017-2021 - - 年均6.8 -"
    );
    assert_eq!(
        render("规模以上工业企业实现利润总额45.6亿元,下降12.4%。"),
        "industrial_profit Actual 2021H1 45.6亿元 yoy-12.4 - -"
    );
}

#[test]
fn negative_numbers_in_lists_and_ranges() {
    assert_eq!(
        render("住宿业、餐饮业增速分别为173.7%、-21.9%。"),
        "(住宿业) Actual 2021H1 - yoy173.7 - -\n(餐饮业) Actual 2021H1 - yoy-21.9 - -"
    );
    // A range is no negative number: its lower bound is the figure, the range its
    // qualifier, whether the unit is written once or twice.
    assert_eq!(
        render("地区生产总值增长4.5-5%。"),
        "gdp Actual 2021H1 - yoy4.5 - 4.5-5%"
    );
    assert_eq!(
        render("地区生产总值增长5%-5.5%。"),
        "gdp Actual 2021H1 - yoy5 - -"
    );
    // A bound that is part of a longer token is no number of its own.
    assert_eq!(render("地区生产总值增长A3-5%。"), "");
}

#[test]
fn coordinated_metrics_baselines_of_the_year_before_and_rates() {
    assert_eq!(
        render("城镇居民人均可支配收入和农村居民人均可支配收入分别为75600元和35600元。"),
        "urban_disposable_income Actual 2021H1 75600元 - - -\nrural_disposable_income Actual 2021H1 35600元 - - -"
    );
    assert_eq!(
        render("2021年地区生产总值比2020年增长8.5%。"),
        "gdp Actual 2021 - yoy8.5 - -"
    );
    assert_eq!(
        render("上半年地区生产总值比2019年同期增长7.9%。"),
        "gdp Actual 2021H1 - - 比2019年同期7.9 -"
    );
    assert_eq!(
        render("城镇调查失业率平均为5.1%,地区生产总值增长率为6%。"),
        "surveyed_unemployment_rate Actual 2021H1 5.1% - - -\ngdp Actual 2021H1 - yoy6 - -"
    );
    assert_eq!(
        render("全年地区生产总值有望增长6%。"),
        "gdp Forecast 2021 - yoy6 - -"
    );
}

#[test]
fn subjects_glosses_and_units_carried_by_the_wording() {
    // The enterprises a sentence is about are the subject of its later bare heads.
    assert_eq!(
        render("规模以上工业企业实现营业收入452.7亿元,同比增长16.1%;实现利润总额50.1亿元,同比增长23.6%。"),
        "(规模以上工业企业实现营业收入) Actual 2021H1 452.7亿元 yoy16.1 - -\nindustrial_profit Actual 2021H1 50.1亿元 yoy23.6 - -"
    );
    // A share glossed with its metric's name.
    assert_eq!(
        render("城镇常住人口占总人口的比重(常住人口城镇化率)为62.07%。"),
        "urbanization_rate Actual 2021H1 62.07% - - -"
    );
    // Intensities per output and concentrations in symbols.
    assert_eq!(
        render("万元GDP能耗0.21吨标准煤/万元,PM2.5平均浓度为31μg/m³。"),
        "energy_intensity Actual 2021H1 0.21吨标准煤/万元 - - -\npm25 Actual 2021H1 31μg/m³ - - -"
    );
    // A year after a verb of change dates the level reached.
    assert_eq!(
        render("人均地区生产总值从2019年的10.5万元提高到2020年的14万元。"),
        "gdp_per_capita Actual 2019 10.5万元 - - -\ngdp_per_capita Actual 2020 14万元 - - -"
    );
    // A headline named in a clause without a figure, after another fact.
    assert_eq!(
        render("对东盟进出口增长19%,全区进出口总值创历史新高,达到537亿元。"),
        "(东盟进出口) Actual 2021H1 - yoy19 - -\nforeign_trade Actual 2021H1 537亿元 - - -"
    );
    // A qualifier between the number and its magnitude.
    assert_eq!(
        render("城镇新增就业1000多万人。"),
        "new_urban_jobs Actual 2021H1 1000万人 - - 多"
    );
    // The start's year does not date the level reached.
    assert_eq!(
        render("人均地区生产总值由2019年的7.34万元提升至10.26万元。"),
        "gdp_per_capita Actual 2019 7.34万元 - - -\ngdp_per_capita Actual 2021H1 10.26万元 - - -"
    );
    // A bare share takes the metric before it as its subject.
    assert_eq!(
        render("第三产业增加值123.4亿元,增长5.1%,占地区生产总值比重为55.2%。"),
        "(第三产业增加值) Actual 2021H1 123.4亿元 yoy5.1 - -\ntertiary_share Actual 2021H1 55.2% - - -"
    );
    // The other side of a budget, and a growth over five years.
    assert_eq!(
        render("一般公共预算收入增长2.3%、支出首次超过700亿元,居民人均可支配收入五年增长30.8%。"),
        "general_budget_revenue Actual 2021H1 - yoy2.3 - -\ngeneral_budget_expenditure Actual 2021H1 700亿元 - - 超过\ndisposable_income Actual 2017-2021 - - 累计30.8 -"
    );
}

#[test]
fn a_year_end_balance_against_the_start_of_the_year_grows_year_on_year() {
    // The start of the year is the end of the last: for a whole year, `比年初` is year on
    // year, like `比上年末`; for part of a year it stays its own baseline.
    assert_eq!(
        render("2021年末,金融机构本外币各项存款余额1500.3亿元,比年初增长9.1%。"),
        "deposit_balance Actual 2021 1500.3亿元 yoy9.1 - -"
    );
    assert_eq!(
        render("6月末,金融机构本外币各项存款余额1500.3亿元,比年初增长9.1%。"),
        "deposit_balance Actual 2021M06 1500.3亿元 - 比年初9.1 -"
    );
}

#[test]
fn nominal_and_real_growth_are_adverbs_of_one_fact() {
    // `比上年实际增长`: the baseline and the adverb name no new metric.
    assert_eq!(
        render("城镇居民人均可支配收入52345元,比上年实际增长5.1%。"),
        "urban_disposable_income Actual 2021H1 52345元 yoy5.1 - -"
    );
    // Nominal then real: the plain growth is the fact's, the real one its growth net of
    // prices, not a second fact.
    assert_eq!(
        render("全体居民人均可支配收入32345元,比上年名义增长5.3%,扣除价格因素实际增长5.0%。"),
        "disposable_income Actual 2021H1 32345元 yoy5.3 实际5 -"
    );
}

#[test]
fn a_sentence_naming_one_metric_is_the_subject_of_the_figures_after_it() {
    // Plan-execution reports list each indicator under its name.
    assert_eq!(
        render("2.一般公共预算收入。全年完成15.2亿元,同比增长3.1%,完成年度预算的101.2%。"),
        "general_budget_revenue Actual 2021 15.2亿元 yoy3.1 - -"
    );
    assert_eq!(
        render("(二)一般公共预算收入\n全年完成15.2亿元,同比增长3.1%。"),
        "general_budget_revenue Actual 2021 15.2亿元 yoy3.1 - -"
    );
    // It holds for its own paragraph (or the next, when it is a heading) only.
    let later = render("一般公共预算收入。\n新建学校3所。\n全年完成15.2亿元。");
    assert!(!later.contains("general_budget_revenue"), "{later}");
}

#[test]
fn long_names_of_headline_metrics_resolve() {
    // A bracketed abbreviation and 的 do not change the metric; a long phrase counts when it
    // is a headline metric's name.
    assert_eq!(
        render("研究与试验发展(R&D)经费支出占地区生产总值的比重为2.5%。"),
        "rd_intensity Actual 2021H1 2.5% - - -"
    );
    assert_eq!(
        render("城镇新增就业人员2.3万人。"),
        "new_urban_jobs Actual 2021H1 2.3万人 - - -"
    );
}

#[test]
fn a_level_reached_as_a_new_step() {
    assert_eq!(
        render("经济总量迈上5000亿元新台阶。"),
        "gdp Actual 2021H1 5000亿元 - - -"
    );
}

#[test]
fn rows_of_a_flattened_statistical_table() {
    // Tab-separated cells lose their separators to normalization where a hanzi meets a
    // digit; the columns are still read by shape. A line of another shape ends the table.
    assert_eq!(
        render(
            "指标单位绝对数比上年增长%\n地区生产总值亿元1234.5 5.6\n社会消费品零售总额亿元523.4 -1.2\n\
             注:增速按可比价格计算。\n一般公共预算收入亿元85.6 3.2"
        ),
        "gdp Actual 2021H1 1234.5亿元 yoy5.6 - -\nretail_sales Actual 2021H1 523.4亿元 yoy-1.2 - -"
    );
}

#[test]
fn a_budget_named_in_a_metric_is_no_comparison() {
    // `完成年度预算的101.2%` compares with the budget; `完成一般公共预算收入` names the metric.
    assert_eq!(
        render("完成一般公共预算收入8.6亿元,增长3.5%。"),
        "general_budget_revenue Actual 2021H1 8.6亿元 yoy3.5 - -"
    );
}

#[test]
fn the_measures_ahead_are_a_plan_part_the_main_work_done_a_review() {
    let ex = IndicatorExtractor::new(&Taxonomy::bundled());
    let kinds =
        |text: &str| -> Vec<IndicatorKind> { ex.parts(text).into_iter().map(|p| p.kind).collect() };
    assert_eq!(
        kinds("一、上半年计划执行情况\n二、下半年主要工作措施\n"),
        [IndicatorKind::Actual, IndicatorKind::Target]
    );
    assert_eq!(kinds("一、2025年主要工作\n"), [IndicatorKind::Actual]);
}
