//! The metric matcher: aliases, lexicon, rewrites, and its fast paths against the plain ones.

use super::super::affixes::{AffixSet, WordSet};
use super::*;

fn code(phrase: &str) -> Option<String> {
    let m = MetricMatcher::new(&Taxonomy::bundled());
    m.resolve(phrase, &[])
        .into_iter()
        .next()
        .and_then(|r| r.code)
}

#[test]
fn aliases_and_their_variants_get_codes() {
    assert_eq!(code("地区生产总值").as_deref(), Some("gdp"));
    assert_eq!(code("GDP").as_deref(), Some("gdp"));
    assert_eq!(code("细颗粒物累计浓度").as_deref(), Some("pm25"));
    assert_eq!(code("PM2.5累计浓度").as_deref(), Some("pm25"));
    assert_eq!(code("细颗粒物(PM2.5)年均浓度").as_deref(), Some("pm25"));
    assert_eq!(code("新注册企业").as_deref(), Some("new_enterprises"));
    // An infix whose removal leaves a synonym that canonicalizes.
    assert_eq!(code("新登记注册企业").as_deref(), Some("new_enterprises"));
    assert_eq!(code("地级城市细颗粒物平均浓度").as_deref(), Some("pm25"));
    assert_eq!(
        code("规上工业增加值").as_deref(),
        Some("industrial_value_added")
    );
    assert_eq!(code("新设市场主体数量").as_deref(), Some("new_enterprises"));
    assert_eq!(code("经济总量").as_deref(), Some("gdp"));
    assert_eq!(code("经济"), None);
    assert_eq!(
        code("规模以上工业企业实现利润总额").as_deref(),
        Some("industrial_profit")
    );
    assert_eq!(
        code("规模以上工业企业实现总产值").as_deref(),
        Some("industrial_output")
    );
    assert_eq!(code("生产总值").as_deref(), Some("gdp"));
    assert_eq!(code("全区生产总值").as_deref(), Some("gdp"));
    assert_eq!(code("人均地区生产总值").as_deref(), Some("gdp_per_capita"));
    assert_eq!(
        code("公共财政预算收入").as_deref(),
        Some("general_budget_revenue")
    );
    assert_eq!(code("区级税收收入").as_deref(), Some("tax_revenue"));
    assert_eq!(
        code("研究与试验发展(R&D)经费投入强度").as_deref(),
        Some("rd_intensity")
    );
    assert_eq!(code("居民消费价格指数(CPI)").as_deref(), Some("cpi"));
    assert_eq!(
        code("第三产业增加值占地区生产总值的比重").as_deref(),
        Some("tertiary_share")
    );
    assert_eq!(code("金融业增加值占地区生产总值的比重"), None);
}

#[test]
fn phrases_around_an_alias_resolve_through_the_lexicon() {
    for (phrase, want) in [
        ("全省地区生产总值", "gdp"),
        ("全旗地区生产总值", "gdp"),
        ("金融机构人民币各项存款余额", "deposit_balance"),
        ("500万元以上固定资产完成投资", "fixed_asset_investment"),
        ("金融业实现增加值", "financial_value_added"),
        ("货物贸易进出口总值", "foreign_trade"),
        ("外贸进出口总额", "foreign_trade"),
        ("全国财政收入", "general_budget_revenue"),
        ("农民人均纯收入", "rural_disposable_income"),
        ("城镇常住居民人均可支配收入", "urban_disposable_income"),
        ("实际使用外商直接投资金额", "foreign_capital_used"),
        ("一般公共预算收入从", "general_budget_revenue"),
        ("能源消耗强度", "energy_intensity"),
        ("服务业增加值比重", "tertiary_share"),
        ("新登记经营主体", "new_enterprises"),
        ("五年实际使用外资", "foreign_capital_used"),
        ("全社会研发经费投入强度", "rd_intensity"),
        ("500万元以上项目固定资产投资", "fixed_asset_investment"),
        ("新登记各类经营主体", "new_enterprises"),
        ("经营主体净增", "new_enterprises"),
        ("地区生产总值历史性", "gdp"),
        ("占总人口的比重(常住人口城镇化率)", "urbanization_rate"),
    ] {
        assert_eq!(code(phrase).as_deref(), Some(want), "{phrase}");
    }
}

#[test]
fn lexicon_is_valid_and_neutral() {
    let lexicon = Lexicon::bundled();
    // No word of the lexicon is itself a metric, so stripping one cannot create a code
    // out of nothing.
    let m = MetricMatcher::new(&Taxonomy::bundled());
    for w in lexicon
        .prefixes
        .iter()
        .chain(&lexicon.suffixes)
        .chain(&lexicon.infixes)
    {
        assert_eq!(m.code_of(w), None, "{w}");
    }
    // Every synonym names a metric of the taxonomy.
    let codes: Vec<String> = Taxonomy::bundled()
        .metrics
        .into_iter()
        .map(|m| m.code)
        .collect();
    for syn in &lexicon.synonyms {
        assert!(codes.contains(&syn.code), "{} -> {}", syn.from, syn.code);
    }
}

#[test]
fn parts_of_a_metric_get_no_code() {
    assert_eq!(code("开发区地区生产总值"), None);
    assert_eq!(code("高技术制造业增加值"), None);
    assert_eq!(code("一般贸易进出口"), None);
    assert_eq!(code("高技术制造业利润总额"), None);
    assert_eq!(code("运河商务区税收"), None);
    assert_eq!(code("占全区税收总额"), None);
    assert_eq!(code("地区生产总?"), None);
    assert_eq!(code("住宿餐饮业营业额"), None);
}

#[test]
fn coordinated_compounds_expand() {
    let m = MetricMatcher::new(&Taxonomy::bundled());
    let codes: Vec<_> = m
        .resolve("金融机构人民币存贷款余额", &[])
        .into_iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(
        codes,
        vec![
            Some("deposit_balance".to_string()),
            Some("loan_balance".to_string())
        ]
    );
}

/// The trigger scan only skips work: the result is that of trying every rewrite
/// whose trigger occurs, one substring search at a time.
#[test]
fn trigger_scan_matches_substring_checks() {
    let m = MetricMatcher::new(&Taxonomy::bundled());
    let naive = |phrase: &str| {
        let mut s = phrase.to_string();
        for ((triggers, _, _), (re, to)) in REWRITES.iter().zip(&m.rewrites) {
            if triggers.iter().any(|t| s.contains(t)) {
                s = re.replace_all(&s, *to).into_owned();
            }
        }
        s
    };
    for phrase in [
        "细颗 粒物(PM2.5)年均浓度",
        "规上工业企业实现利润总额",
        "全区生产总值GDP",
        "本外币存贷款余额",
        "公共财政预算收入",
        "R&D经费投入强度",
        "居民消费价格指数(CPI)",
        "第三产业增加值占地区生产总值的比重",
        "新注册企业",
        "无关短语",
        "",
    ] {
        assert_eq!(m.canonical(phrase), naive(phrase), "{phrase}");
    }
}

/// [`MetricMatcher::strip_ends`] as first written: every affix tried, longest first.
fn strip_ends_linear<'s>(m: &MetricMatcher, mut s: &'s str) -> &'s str {
    loop {
        let before = s.len();
        if let Some(p) = m
            .lexicon
            .prefixes
            .iter()
            .find(|p| s.len() > p.len() && s.starts_with(p.as_str()))
        {
            s = &s[p.len()..];
        }
        if let Some(rest) = strip_threshold(s) {
            s = rest;
        }
        if let Some(x) = m
            .lexicon
            .suffixes
            .iter()
            .find(|x| s.len() > x.len() && s.ends_with(x.as_str()))
        {
            s = &s[..s.len() - x.len()];
        }
        if s.len() == before {
            return s;
        }
    }
}

/// Phrases made of the lexicon's words, aliases, thresholds and arbitrary characters: the
/// pieces the affix lookups must find, cut or miss.
fn phrase() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let lexicon = Lexicon::bundled();
    let mut words: Vec<String> = lexicon
        .prefixes
        .iter()
        .chain(&lexicon.suffixes)
        .chain(&lexicon.infixes)
        .cloned()
        .collect();
    for metric in Taxonomy::bundled().metrics {
        words.extend(metric.aliases);
        words.push(metric.name_zh);
    }
    words.extend(lexicon.synonyms.iter().map(|s| s.from.clone()));
    // What rewrites, what a generic tail or level prefix leaves, and a gloss.
    for (triggers, _, _) in REWRITES {
        words.extend(triggers.iter().map(|t| t.to_string()));
    }
    words.extend(
        GENERIC_TAILS
            .iter()
            .chain(LEVEL_PREFIXES)
            .map(|w| w.to_string()),
    );
    words.extend(
        [
            "500万元以上",
            "3亿元及以上项目",
            "",
            "收入",
            "全",
            "(PM2.5)",
            "[注1]",
            "\t",
        ]
        .map(String::from),
    );
    let piece = prop_oneof![
        3 => proptest::sample::select(words),
        1 => any::<char>().prop_map(String::from),
        1 => "[全省市区县年万元以上增长]{1,3}",
    ];
    proptest::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(3000))]

    /// The length-indexed affix lookups and the infix automaton only skip work: the same
    /// phrase comes out as when every affix is tried in turn, and the same infixes are seen.
    #[test]
    fn strip_ends_equals_trying_every_affix(s in phrase()) {
        let m = MetricMatcher::new(&Taxonomy::bundled());
        proptest::prop_assert_eq!(m.strip_ends(&s), strip_ends_linear(&m, &s));
        let has_infix = m.lexicon.infixes.iter().any(|i| s.contains(i.as_str()));
        proptest::prop_assert_eq!(m.infixes.is_match(&s), has_infix);
        // The whole resolution, which the lookups serve, against itself on the plain path
        // is covered by the corpus snapshots; here the code of the stripped phrase.
        proptest::prop_assert_eq!(
            m.code_of_exact(m.strip_ends(&s)),
            m.code_of_exact(strip_ends_linear(&m, &s))
        );
    }

    /// The scans that rule a phrase out only skip work: the code is the lookups' own, the
    /// rewrites triggered the automaton's.
    #[test]
    fn code_of_equals_the_lookups(s in phrase()) {
        let m = MetricMatcher::new(&Taxonomy::bundled());
        proptest::prop_assert_eq!(m.code_of(&s), m.code_of_looked_up(&s));
        // The rewrites a phrase triggers, asked of the automaton alone.
        let by_automaton = m
            .triggers
            .find_overlapping_iter(&s)
            .fold(0, |acc, t| acc | m.trigger_rules[t.pattern().as_usize()]);
        proptest::prop_assert_eq!(m.triggered(&s), by_automaton);
        let c = m.canonical(&s);
        proptest::prop_assert_eq!(m.code_of(&c), m.code_of_looked_up(&c));
    }

    /// [`AffixSet`] on arbitrary word lists: the longest proper prefix and suffix found by
    /// length are those found by trying every word, longest first.
    #[test]
    fn affix_set_equals_linear_search(
        words in proptest::collection::vec("[ab经济]{0,4}", 0..8),
        s in "[ab经济]{0,6}",
    ) {
        let set = AffixSet::new(&words);
        let mut sorted = words.clone();
        sorted.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let prefix = sorted.iter().find(|p| s.len() > p.len() && s.starts_with(p.as_str()));
        let suffix = sorted.iter().find(|x| s.len() > x.len() && s.ends_with(x.as_str()));
        proptest::prop_assert_eq!(set.longest_prefix(&s), prefix.map(|p| p.len()));
        proptest::prop_assert_eq!(set.longest_suffix(&s), suffix.map(|x| x.len()));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

    /// Each word list asked through a [`WordSet`] answers as a substring search per word.
    #[test]
    fn word_sets_equal_a_search_per_word(
        pieces in proptest::collection::vec(
            proptest::prop_oneof![
                2 => proptest::strategy::Strategy::prop_map(proptest::sample::select(
                    [
                        COMPOUNDS,
                        crate::indicators::lexicon::CUMULATIVE_WORDS,
                        crate::indicators::lexicon::SPAN_WORDS,
                        crate::indicators::lexicon::SPAN_OPENINGS,
                        crate::indicators::lexicon::MILESTONE_VERBS,
                        crate::indicators::resolution::REGION_WORDS,
                    ]
                    .concat(),
                ), String::from),
                1 => proptest::strategy::Strategy::prop_map(
                    proptest::sample::select(vec!["年", "五", "累", "全", "区", "收支", "存", "贷款"]),
                    String::from,
                ),
                1 => "[a-z0-9年月全区]{0,3}",
            ],
            0..8,
        )
    ) {
        let text = pieces.concat();
        for list in [
            COMPOUNDS,
            crate::indicators::lexicon::CUMULATIVE_WORDS,
            crate::indicators::lexicon::SPAN_WORDS,
            crate::indicators::lexicon::SPAN_OPENINGS,
            crate::indicators::lexicon::MILESTONE_VERBS,
            crate::indicators::resolution::REGION_WORDS,
        ] {
            proptest::prop_assert_eq!(
                WordSet::new(list.iter()).any_in(&text),
                list.iter().any(|w| text.contains(w)),
                "{:?} in {}", list, text
            );
        }
    }
}

/// [`COMPOUNDS`] holds every compound [`MetricMatcher::resolve`] expands: each expands into
/// the two metrics it names, as the expansion resolves them (a compound whose expansions
/// name no headline metric stays one metric of its own).
#[test]
fn every_compound_expands() {
    let m = MetricMatcher::new(&Taxonomy::bundled());
    for (c, metric) in [
        ("存贷款", "存贷款余额"),
        ("城乡居民", "城乡居民人均可支配收入"),
        ("城乡常住居民", "城乡常住居民人均可支配收入"),
        ("预算收支", "一般公共预算收支"),
        ("财政收支", "财政收支"),
        ("内外资", "实际使用内外资"),
    ] {
        assert!(metric.contains(c));
        let resolved = m.resolve(metric, &[]);
        assert_eq!(resolved.len(), 2, "{c}: {resolved:?}");
    }
    assert_eq!(
        COMPOUNDS.len(),
        6,
        "a new compound needs a case above: {COMPOUNDS:?}"
    );
    let one = m.resolve("城乡居民基础养老金最低标准", &[]);
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(one[0].canonical, "城乡居民基础养老金最低标准");
}
