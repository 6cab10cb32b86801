//! From a metric phrase as written to a taxonomy code.
//!
//! Phrases and aliases are brought to one canonical form before they are compared, so the
//! taxonomy's aliases generalise to the wording of reports it has not seen: `细颗粒物累计
//! 浓度` and `PM2.5年均浓度` meet at `PM2.5浓度`, `新注册企业` and `新设企业` at `新设企业`.
//! A phrase gets a code only when the whole phrase (less place words) is an alias: Chinese
//! noun phrases put the head last, so `高技术制造业利润总额` or `运河商务区税收` name a part of
//! the headline metric, not the metric itself, and stay uncoded.

use aho_corasick::AhoCorasick;
use regex::Regex;

use super::affixes::{AffixSet, FxHashMap, WordSet};
use crate::taxonomy::{Taxonomy, UnitClass};

/// A metric phrase resolved against the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedMetric {
    /// The phrase as written.
    pub(crate) written: String,
    /// Its canonical form.
    pub(crate) canonical: String,
    /// The taxonomy code, if the phrase is a headline metric.
    pub(crate) code: Option<String>,
}

/// How phrases are written around the aliases: `metric-lexicon.toml`, bundled.
const LEXICON: &str = include_str!("metric-lexicon.toml");

/// The words a phrase may carry around an alias without changing what it measures.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Lexicon {
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    infixes: Vec<String>,
    #[serde(rename = "synonym")]
    synonyms: Vec<Synonym>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Synonym {
    from: String,
    code: String,
}

impl Lexicon {
    fn bundled() -> Lexicon {
        // Bundled data, parsed by a unit test: fails only on a broken build, never on input.
        let mut lexicon: Lexicon = toml::from_str(LEXICON).expect("metric-lexicon.toml is valid");
        // Longest first, so `五年来` is stripped whole before `五年`.
        lexicon.prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        lexicon.suffixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        lexicon
    }
}

/// Canonical forms of the taxonomy's aliases.
#[derive(Debug)]
pub(crate) struct MetricMatcher {
    aliases: FxHashMap<String, String>,
    lexicon: Lexicon,
    /// The lexicon's prefixes and suffixes, looked up by length (see [`Self::strip_ends`]).
    prefixes: AffixSet,
    suffixes: AffixSet,
    /// The lexicon's infixes: one scan tells whether a phrase holds any.
    infixes: AhoCorasick,
    /// The coordinated compounds [`Self::resolve`] expands.
    compounds: WordSet,
    /// Canonical forms of the lexicon's synonyms, each with its metric's code.
    synonyms: FxHashMap<String, String>,
    unit_classes: FxHashMap<String, UnitClass>,
    /// The rewrites, in order, each with its replacement.
    rewrites: Vec<(Regex, &'static str)>,
    /// Every trigger literal of [`REWRITES`]: one scan of a phrase tells which rewrites
    /// can apply, which is much cheaper than a regex, or a substring search per trigger,
    /// for every rewrite.
    triggers: AhoCorasick,
    /// For each pattern of `triggers`, the rewrites (bit i = `REWRITES[i]`) it triggers.
    trigger_rules: Vec<u32>,
    /// Every key of `aliases` and `synonyms`, every infix and every trigger literal: a
    /// phrase holding none has no code (see [`Self::code_of`]).
    looked_up: WordSet,
    /// The trigger literals of [`REWRITES`], for the common phrase that holds none.
    trigger_words: WordSet,
}

/// Rewrites that bring wording variants to one form; applied in order to phrases and
/// aliases alike.
const REWRITES: &[(&[&str], &str, &str)] = &[
    // Parenthesised glosses and footnote marks: `细颗粒物(PM2.5)年均浓度`, `GDP)[2]`,
    // `固定资产投资[注3]`.
    (
        &["(", ")", "[", " "],
        r"\([^()]{0,12}\)|\[注?\d{1,2}\]|[()\s]",
        "",
    ),
    (&["细颗粒物"], r"细颗粒物", "PM2.5"),
    // `对外贸易总额` loses its `对` to the prefix strip, which takes it for a preposition.
    (&["外贸易"], r"^外贸易", "对外贸易"),
    (
        &["浓度"],
        r"(?:累计平均|年平均|累计|年均|月均|平均)浓度",
        "浓度",
    ),
    // `新登记各类市场主体`: every kind is the whole.
    (&["各类"], r"各类(市场主体|经营主体|企业)", "$1"),
    (
        &["新注册", "新登记", "新设立", "新成立"],
        r"(?:新注册|新登记|新设立|新成立)(企业|市场主体)",
        "新设$1",
    ),
    // Total fiscal revenue (taxes remitted upward included) is no general budget revenue:
    // named before `全口径` goes as a neutral word.
    (&["全口径财政收入"], r"全口径财政收入", "财政总收入"),
    (&["人民币", "本外币", "全口径"], r"人民币|本外币|全口径", ""),
    (&["规上"], r"规上", "规模以上"),
    // `规模以上工业企业实现利润总额` is `规模以上工业利润总额`.
    (&["工业企业"], r"规模以上工业企业(?:实现)?", "规模以上工业"),
    (&["生产总值GDP"], r"生产总值GDP", "生产总值"),
    // At the start of a phrase or as a share's whole (`服务业增加值占国内生产总值比重`).
    (
        &["生产总值"],
        r"(^|占)(?:国内|全市|全区|全县|全省)?生产总值",
        "${1}地区生产总值",
    ),
    (
        &["公共财政预算收入"],
        r"公共财政预算收入",
        "一般公共预算收入",
    ),
    (
        &["公共财政预算支出"],
        r"公共财政预算支出",
        "一般公共预算支出",
    ),
    (
        &["强度"],
        r"^(?:研究与试验发展|研究和试验发展|R&D|研发)(?:经费)?(?:投入|支出)?强度",
        "研发投入强度",
    ),
    (
        &["居民消费价格"],
        r"^居民消费价格(?:总水平|指数)",
        "居民消费价格",
    ),
    // The older name of R&D (`研究与开发经费占国内生产总值的比例`).
    (&["研究与开发"], r"研究与开发", "研究与试验发展"),
    // `进出口贸易总额` is `进出口总额`.
    (&["进出口贸易"], r"进出口贸易", "进出口"),
    // `服务业增加值占地区生产总值的比重` is the share alias `服务业增加值占比`.
    (
        &["比重", "比例"],
        r"^(.{2,14}?)占(?:地区生产总值|GDP|经济总量)的?比(?:重|例)$",
        "${1}占比",
    ),
];

/// The coordinated compounds [`MetricMatcher::resolve`] expands into two metrics.
const COMPOUNDS: &[&str] = &[
    "存贷款",
    "城乡居民",
    "城乡常住居民",
    "预算收支",
    "财政收支",
    "内外资",
];

/// The words of [`COMPOUNDS`] whose two metrics add up (`存贷款余额` is the total of the
/// balances; `城乡居民人均可支配收入` is no total): a growth stated of the compound is the
/// total's, not each metric's (`parts::drop_joint_figures`).
pub(crate) const SUM_COMPOUNDS: &[&str] = &["存贷款", "收支", "内外资"];

/// Generic tails that do not change what is measured (`新设市场主体数量`); tried only
/// when the whole phrase is not an alias, since some aliases end in one (`经济总量`).
const GENERIC_TAILS: &[&str] = &["数量", "总量", "规模", "水平", "金额"];

/// Administrative-level prefixes (`区级税收收入`), tried last for the same reason.
const LEVEL_PREFIXES: &[&str] = &["区级", "市级", "县级", "全区", "全市"];

impl MetricMatcher {
    pub(crate) fn new(taxonomy: &Taxonomy) -> Self {
        let rewrites = REWRITES
            .iter()
            .map(|(_, re, to)| (Regex::new(re).expect("rewrite regex is valid"), *to))
            .collect();
        let (literals, trigger_rules) = trigger_table();
        let triggers = AhoCorasick::new(&literals).expect("trigger literals build an automaton");
        let lexicon = Lexicon::bundled();
        let mut matcher = MetricMatcher {
            aliases: FxHashMap::default(),
            synonyms: FxHashMap::default(),
            prefixes: AffixSet::new(&lexicon.prefixes),
            suffixes: AffixSet::new(&lexicon.suffixes),
            infixes: AhoCorasick::new(&lexicon.infixes).expect("infixes build an automaton"),
            compounds: WordSet::new(COMPOUNDS),
            lexicon,
            unit_classes: FxHashMap::default(),
            rewrites,
            triggers,
            trigger_rules,
            looked_up: WordSet::new(&[] as &[&str]),
            trigger_words: WordSet::new(&literals),
        };
        for metric in &taxonomy.metrics {
            matcher
                .unit_classes
                .insert(metric.code.clone(), metric.unit_class);
            for alias in metric
                .aliases
                .iter()
                .chain(std::iter::once(&metric.name_zh))
            {
                let canonical = matcher.canonical(alias);
                // The first metric to claim an alias keeps it: the file lists broader
                // metrics before narrower ones only by accident, so this is just stable.
                matcher
                    .aliases
                    .entry(canonical)
                    .or_insert_with(|| metric.code.clone());
            }
        }
        let synonyms: FxHashMap<String, String> = matcher
            .lexicon
            .synonyms
            .iter()
            .map(|s| (matcher.canonical(&s.from), s.code.clone()))
            .collect();
        matcher.synonyms = synonyms;
        matcher.looked_up = WordSet::new(
            matcher
                .aliases
                .keys()
                .chain(matcher.synonyms.keys())
                .map(String::as_str)
                .chain(matcher.lexicon.infixes.iter().map(String::as_str))
                .chain(literals.iter().copied())
                .collect::<Vec<&str>>()
                .iter(),
        );
        matcher
    }

    /// The code of a phrase's core: the phrase with the lexicon's place, scope and verb
    /// words stripped from both ends, then also without its neutral infixes; each form is
    /// looked up (with the synonyms) before the next is tried, since an alias may itself
    /// hold an infix (`常住人口城镇化率`).
    fn core_code(&self, canonical: &str) -> Option<String> {
        let stripped = self.strip_ends(canonical);
        if stripped != canonical {
            // The rewrites anchored at the start (`^居民消费价格指数`) apply only once the
            // place words before them are gone (`我省居民消费价格指数`).
            if let Some(code) = self
                .code_of_exact(stripped)
                .or_else(|| self.code_of_exact(&self.canonical(stripped)))
            {
                return Some(code);
            }
        }
        if !self.infixes.is_match(stripped) {
            return None;
        }
        let mut owned = stripped.to_string();
        for i in &self.lexicon.infixes {
            let removed = owned.replace(i.as_str(), "");
            if !removed.is_empty() {
                owned = removed;
            }
        }
        let core = self.strip_ends(&owned);
        self.code_of_exact(core)
            .or_else(|| self.code_of_exact(&self.canonical(core)))
    }

    /// A phrase without the lexicon's prefixes, thresholds and suffixes, repeatedly.
    ///
    /// Each end loses its longest affix shorter than the phrase, as if the affixes were
    /// tried longest first (property test `strip_ends_equals_trying_every_affix`).
    fn strip_ends<'s>(&self, mut s: &'s str) -> &'s str {
        loop {
            let before = s.len();
            if let Some(n) = self.prefixes.longest_prefix(s) {
                s = s.get(n..).unwrap_or(s);
            }
            // A threshold (`500万元以上`) says which units are counted, not what.
            if let Some(rest) = strip_threshold(s) {
                s = rest;
            }
            if let Some(n) = self.suffixes.longest_suffix(s) {
                s = s.get(..s.len() - n).unwrap_or(s);
            }
            if s.len() == before {
                return s;
            }
        }
    }

    /// A phrase without the lexicon's place and scope prefixes (`全省生产总值` → `生产总值`).
    pub(crate) fn without_prefixes<'s>(&self, mut s: &'s str) -> &'s str {
        while let Some(n) = self.prefixes.longest_prefix(s) {
            s = &s[n..];
        }
        s
    }

    /// The canonical form of a phrase.
    pub(crate) fn canonical(&self, phrase: &str) -> String {
        let mut s = phrase.to_string();
        let mut may_apply = self.triggered(&s);
        for (i, (re, to)) in self.rewrites.iter().enumerate() {
            if may_apply & (1 << i) != 0 && re.is_match(&s) {
                s = re.replace_all(&s, *to).into_owned();
                // The rewritten phrase can hold triggers the original did not
                // (`细颗 粒物` loses its space): scan it again.
                may_apply = self.triggered(&s);
            }
        }
        s
    }

    /// The rewrites (bit i = `REWRITES[i]`) whose trigger literals occur in `s`.
    fn triggered(&self, s: &str) -> u32 {
        if !self.trigger_words.any_in(s) {
            return 0;
        }
        self.triggers
            .find_overlapping_iter(s)
            .fold(0, |acc, m| acc | self.trigger_rules[m.pattern().as_usize()])
    }

    /// The code of a canonical phrase: the phrase itself, less a generic tail or a level
    /// prefix, or its [`Self::core`].
    ///
    /// Every form looked up is a part of the phrase (its ends stripped, its infixes cut
    /// out), or a part's canonical form. A phrase that holds no key, no infix and no
    /// rewrite's trigger has no part that is a key, and its parts are their own canonical
    /// forms: it has no code, which is nine phrases in ten, found by one scan instead of
    /// the lookups (property test `code_of_equals_the_lookups`).
    pub(crate) fn code_of(&self, canonical: &str) -> Option<String> {
        if !self.looked_up.any_in(canonical) {
            return None;
        }
        self.code_of_looked_up(canonical)
    }

    /// [`Self::code_of`] by the lookups alone.
    fn code_of_looked_up(&self, canonical: &str) -> Option<String> {
        self.code_of_exact(canonical)
            .or_else(|| self.core_code(canonical))
    }

    fn code_of_exact(&self, canonical: &str) -> Option<String> {
        let lookup = |c: &str| {
            self.aliases
                .get(c)
                .or_else(|| self.synonyms.get(c))
                .cloned()
        };
        lookup(canonical).or_else(|| {
            // Most phrases are no alias at all: plain affix tests keep that case cheap.
            let without_tail = GENERIC_TAILS
                .iter()
                .find_map(|t| canonical.strip_suffix(t))
                .unwrap_or(canonical);
            let without_level = LEVEL_PREFIXES
                .iter()
                .find_map(|p| without_tail.strip_prefix(p))
                .unwrap_or(without_tail);
            lookup(without_tail).or_else(|| lookup(without_level))
        })
    }

    /// The code of a parenthesised gloss that names a headline metric where the phrase
    /// itself does not: `占总人口的比重(常住人口城镇化率)`, `占GDP的比重(研发投入强度)`.
    /// A gloss is the report's own name for what the phrase describes.
    fn gloss_code(&self, written: &str) -> Option<String> {
        let open = written.find(['(', '（'])?;
        let inner = &written[open..];
        let inner = &inner[inner.chars().next()?.len_utf8()..];
        let close = inner.find([')', '）'])?;
        let gloss = &inner[..close];
        // A gloss inside the phrase names only the word before it: `京津冀地区细颗粒物
        // (PM2.5)平均浓度` is the concentration of one area, whatever `PM2.5` alone names.
        let after = &inner[close..];
        let after = &after[after.chars().next()?.len_utf8()..];
        if !after
            .trim_matches(|c: char| c.is_whitespace() || c == '的')
            .is_empty()
        {
            return None;
        }
        if gloss.is_empty() || gloss.starts_with('占') {
            return None;
        }
        self.code_of(&self.canonical(gloss))
    }

    /// How a code's values are measured.
    pub(crate) fn unit_class(&self, code: &str) -> Option<UnitClass> {
        self.unit_classes.get(code).copied()
    }

    /// Resolves one phrase, expanding coordinated compounds: `存贷款余额` names the deposit
    /// and the loan balance, `城乡居民人均可支配收入` the urban and the rural income.
    pub(crate) fn resolve(&self, written: &str, strip_words: &[String]) -> Vec<ResolvedMetric> {
        let mut canonical = self.canonical(written);
        for word in strip_words {
            if let Some(rest) = canonical.strip_prefix(word.as_str()) {
                if !rest.is_empty() {
                    canonical = rest.to_string();
                }
            }
        }
        let damaged = written.contains(['?', '？', '\u{FFFD}']);
        // `税收总额(含上划中央、省、市级税收)`: the total with the taxes passed up, not the
        // region's own budget figure.
        let remitted = written.contains("含上划");
        let share = written.starts_with('占')
            || written.starts_with("相当于")
            || (written.starts_with('与') && written.ends_with("之比"));
        // Most phrases hold none of the compounds: one scan rules them all out.
        let expansions: &[(&str, &str)] = if !self.compounds.any_in(&canonical) {
            &[("", "")]
        } else if canonical.contains("存贷款") {
            &[("存贷款", "存款"), ("存贷款", "贷款")]
        } else if canonical.contains("城乡居民") {
            &[("城乡居民", "城镇居民"), ("城乡居民", "农村居民")]
        } else if canonical.contains("城乡常住居民") {
            &[
                ("城乡常住居民", "城镇常住居民"),
                ("城乡常住居民", "农村常住居民"),
            ]
        } else if canonical.contains("预算收支") || canonical.contains("财政收支") {
            // `一般公共预算收支累计分别突破9千亿元、3万亿元`: revenue, then expenditure.
            &[("收支", "收入"), ("收支", "支出")]
        } else if canonical.contains("内外资") {
            // `实际使用内外资分别增长10%、6.4%`: domestic, then foreign capital.
            &[("内外资", "内资"), ("内外资", "外资")]
        } else {
            &[("", "")]
        };
        let mut resolved: Vec<ResolvedMetric> = expansions
            .iter()
            .map(|(from, to)| {
                let c = if from.is_empty() {
                    canonical.clone()
                } else {
                    canonical.replacen(from, to, 1)
                };
                let code = if damaged || remitted {
                    None
                } else if share {
                    // A share (`占总人口的比重`) names its own metric only by a gloss.
                    self.gloss_code(written)
                } else {
                    self.code_of(&c).or_else(|| self.gloss_code(written))
                };
                ResolvedMetric {
                    written: written.to_string(),
                    canonical: c,
                    code,
                }
            })
            .collect();
        // `城乡居民基础养老金最低标准`: a compound that names no headline metric either way
        // is one metric of its own, not two copies of the same figure.
        if resolved.len() > 1 && resolved.iter().all(|m| m.code.is_none()) {
            resolved.truncate(1);
            resolved[0].canonical = canonical;
        }
        resolved
    }
}

/// The phrase after a leading threshold (`500万元以上`, `5000万元及以上`), if it has one.
fn strip_threshold(s: &str) -> Option<&str> {
    let digits = s
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    if digits == 0 {
        return None;
    }
    let rest = &s[digits..];
    // `500万元以上项目固定资产投资`: the projects counted, not what is measured.
    [
        "万元以上项目",
        "万元及以上项目",
        "万元以上",
        "万元及以上",
        "亿元以上",
        "亿元及以上",
    ]
    .iter()
    .find_map(|t| rest.strip_prefix(t))
    .filter(|r| !r.is_empty())
}

/// The distinct trigger literals of [`REWRITES`] and, for each, the rewrites it triggers.
fn trigger_table() -> (Vec<&'static str>, Vec<u32>) {
    const _: () = assert!(REWRITES.len() <= 32, "rewrite bitmask is a u32");
    let mut literals: Vec<&'static str> = Vec::new();
    let mut rules: Vec<u32> = Vec::new();
    for (i, (triggers, _, _)) in REWRITES.iter().enumerate() {
        for t in *triggers {
            let k = literals.iter().position(|l| l == t).unwrap_or_else(|| {
                literals.push(t);
                rules.push(0);
                literals.len() - 1
            });
            rules[k] |= 1 << i;
        }
    }
    (literals, rules)
}

#[cfg(test)]
mod tests;
