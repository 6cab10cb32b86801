//! Gold facts (`crates/reportflow-core/test_data/gold/README.md`) and how one report's
//! indicators compare with them.
//!
//! The comparison counts the same atoms as `tests/score-indicators.py` and the core's gold
//! tests: a fact becomes `(code, kind, value in base units)` and `(code, kind, yoy_pct)`
//! atoms, distinct per document, for taxonomy codes only; the stricter count also requires
//! the period. On top of the counts it tells, per indicator, which of its atoms the gold has,
//! and per gold fact, which of its atoms the extraction missed.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

use anyhow::Context as _;
use reportflow_proto::v1;
use serde_json::Value;

/// One gold fact.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldFact {
    /// Taxonomy code.
    pub code: String,
    /// The metric phrase as written.
    pub metric: String,
    /// `actual`, `target` or `forecast`.
    pub kind: String,
    /// The period, `unknown` when the gold leaves it out.
    pub period: String,
    /// The level as written.
    pub value: Option<f64>,
    /// Unit of `value`, empty when none.
    pub unit: String,
    /// Year-on-year growth in percent.
    pub yoy_pct: Option<f64>,
    /// Growth against another baseline: basis and percent.
    pub other_growth: Option<(String, f64)>,
    /// 左右, 以上 ... as written, empty when none.
    pub qualifier: String,
    /// An exact substring of the document containing the fact.
    pub quote: String,
}

/// Gold facts by document file name (the gold's `doc` field).
pub type GoldSet = BTreeMap<String, Vec<GoldFact>>;

/// Reads gold JSONL files; a line that is not a gold fact is an error naming file and line.
pub fn load(paths: &[PathBuf]) -> anyhow::Result<GoldSet> {
    let mut gold = GoldSet::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read gold file {}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (doc, fact) = parse_fact(line)
                .with_context(|| format!("{}:{}: not a gold fact", path.display(), n + 1))?;
            gold.entry(doc).or_default().push(fact);
        }
    }
    Ok(gold)
}

/// One gold line: its document and the fact.
fn parse_fact(line: &str) -> anyhow::Result<(String, GoldFact)> {
    let v: Value = serde_json::from_str(line)?;
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let doc = v
        .get("doc")
        .and_then(Value::as_str)
        .context("no `doc` field")?
        .to_owned();
    let code = text("code");
    anyhow::ensure!(!code.is_empty(), "no `code` field");
    let kind = match text("kind") {
        k if k.is_empty() => "actual".to_owned(),
        k => k,
    };
    let period = match text("period") {
        p if p.is_empty() => "unknown".to_owned(),
        p => p,
    };
    let other_growth = v.get("other_growth").and_then(|g| {
        Some((
            g.get("basis")?.as_str().unwrap_or_default().to_owned(),
            g.get("pct")?.as_f64()?,
        ))
    });
    let fact = GoldFact {
        metric: text("metric"),
        kind,
        period,
        value: v.get("value").and_then(Value::as_f64),
        unit: text("unit"),
        yoy_pct: v.get("yoy_pct").and_then(Value::as_f64),
        other_growth,
        qualifier: text("qualifier"),
        quote: text("quote"),
        code,
    };
    Ok((doc, fact))
}

/// What an atom says: a level or a y/y growth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Field {
    Value,
    Yoy,
}

/// One scoring atom: (code, kind, period or none, field, number × 10⁴ rounded).
type Atom = (String, String, Option<String>, Field, i64);

/// Rounds to 4 decimals, as the scoring script does, and keeps an integer key.
fn key(x: f64) -> i64 {
    (x * 10_000.0).round() as i64
}

/// A value in base units, as the scoring script computes it from the written unit.
fn base_value(value: f64, unit: &str) -> f64 {
    let unit = unit.trim();
    for (prefix, m) in [("万亿", 1e12), ("亿", 1e8), ("万", 1e4), ("千", 1e3)] {
        if let Some(rest) = unit.strip_prefix(prefix) {
            if !rest.is_empty() {
                return value * m;
            }
        }
    }
    value
}

/// The value and y/y atoms of one fact (either may be absent).
#[allow(clippy::too_many_arguments)]
fn atoms(
    code: &str,
    kind: &str,
    period: &str,
    value: Option<f64>,
    unit: &str,
    yoy: Option<f64>,
    with_period: bool,
) -> [Option<Atom>; 2] {
    let period = with_period.then(|| period.to_owned());
    let atom = |field, x| (code.to_owned(), kind.to_owned(), period.clone(), field, x);
    [
        value.map(|v| atom(Field::Value, key(base_value(v, unit)))),
        yoy.map(|y| atom(Field::Yoy, key(y))),
    ]
}

fn indicator_atoms(ind: &v1::Indicator, codes: &HashSet<&str>, p: bool) -> [Option<Atom>; 2] {
    if !codes.contains(ind.code.as_str()) {
        return [None, None];
    }
    let kind = ind.kind().short_name();
    atoms(
        &ind.code,
        kind,
        &ind.period,
        ind.value,
        &ind.unit,
        ind.yoy_pct,
        p,
    )
}

fn fact_atoms(fact: &GoldFact, codes: &HashSet<&str>, p: bool) -> [Option<Atom>; 2] {
    if !codes.contains(fact.code.as_str()) {
        return [None, None];
    }
    atoms(
        &fact.code,
        &fact.kind,
        &fact.period,
        fact.value,
        &fact.unit,
        fact.yoy_pct,
        p,
    )
}

/// True positives, false positives and false negatives over distinct atoms.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Atoms both extracted and in the gold.
    pub tp: usize,
    /// Extracted atoms the gold does not have.
    pub fp: usize,
    /// Gold atoms the extraction missed.
    pub fn_: usize,
}

impl Counts {
    /// tp / (tp + fp), 0 when nothing was extracted.
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }

    /// tp / (tp + fn), 0 when the gold is empty.
    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }

    /// The sum of two counts (to total several documents).
    pub fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }
}

/// How one extracted indicator compares with the gold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every atom of the indicator is in the gold.
    Match,
    /// Some of its atoms are in the gold, others not.
    Partial,
    /// None of its atoms is in the gold.
    Extra,
    /// The indicator has no atoms: no taxonomy code, or neither a value nor a y/y growth.
    Unscored,
}

impl Status {
    /// Name used in pages (CSS classes, filters).
    pub fn name(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::Partial => "partial",
            Status::Extra => "extra",
            Status::Unscored => "unscored",
        }
    }
}

/// One indicator against the gold: `Some(in gold)` per atom it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndicatorCheck {
    /// The overall verdict.
    pub status: Status,
    /// Whether the gold has its value atom.
    pub value: Option<bool>,
    /// Whether the gold has its y/y atom.
    pub yoy: Option<bool>,
    /// For an indicator with a matched atom: whether every matched atom also matches with
    /// the period.
    pub period: Option<bool>,
}

/// One gold fact against the extraction: `Some(extracted)` per atom it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactCheck {
    /// Whether its value atom was extracted.
    pub value: Option<bool>,
    /// Whether its y/y atom was extracted.
    pub yoy: Option<bool>,
}

impl FactCheck {
    /// Some atom of the fact was not extracted.
    pub fn missed(&self) -> bool {
        self.value == Some(false) || self.yoy == Some(false)
    }
}

/// One report's indicators against its gold facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Counts over atoms without the period.
    pub atoms: Counts,
    /// Counts over atoms with the period.
    pub with_period: Counts,
    /// One check per indicator, in the indicators' order.
    pub indicators: Vec<IndicatorCheck>,
    /// One check per gold fact, in the facts' order.
    pub facts: Vec<FactCheck>,
}

fn atom_sets<'a, T>(
    items: &'a [T],
    f: impl Fn(&'a T, bool) -> [Option<Atom>; 2],
    p: bool,
) -> BTreeSet<Atom> {
    items.iter().flat_map(|x| f(x, p)).flatten().collect()
}

fn counts(extracted: &BTreeSet<Atom>, gold: &BTreeSet<Atom>) -> Counts {
    let tp = extracted.intersection(gold).count();
    Counts {
        tp,
        fp: extracted.len() - tp,
        fn_: gold.len() - tp,
    }
}

/// Compares a report's indicators with its gold facts; `codes` are the taxonomy codes.
pub fn compare(
    indicators: &[v1::Indicator],
    facts: &[GoldFact],
    codes: &HashSet<&str>,
) -> Comparison {
    let ind = |i: &v1::Indicator, p| indicator_atoms(i, codes, p);
    let fact = |f: &GoldFact, p| fact_atoms(f, codes, p);
    let extracted = atom_sets(indicators, ind, false);
    let gold = atom_sets(facts, fact, false);
    let extracted_p = atom_sets(indicators, ind, true);
    let gold_p = atom_sets(facts, fact, true);

    let indicators_checked = indicators
        .iter()
        .map(|i| {
            let [value, yoy] = ind(i, false).map(|a| a.map(|a| gold.contains(&a)));
            let [value_p, yoy_p] = ind(i, true).map(|a| a.map(|a| gold_p.contains(&a)));
            let found: Vec<bool> = [value, yoy].into_iter().flatten().collect();
            let status = match (found.len(), found.iter().filter(|&&b| b).count()) {
                (0, _) => Status::Unscored,
                (n, m) if m == n => Status::Match,
                (_, 0) => Status::Extra,
                _ => Status::Partial,
            };
            let period = (found.contains(&true)).then(|| {
                (value != Some(true) || value_p == Some(true))
                    && (yoy != Some(true) || yoy_p == Some(true))
            });
            IndicatorCheck {
                status,
                value,
                yoy,
                period,
            }
        })
        .collect();
    let facts_checked = facts
        .iter()
        .map(|f| {
            let [value, yoy] = fact(f, false).map(|a| a.map(|a| extracted.contains(&a)));
            FactCheck { value, yoy }
        })
        .collect();
    Comparison {
        atoms: counts(&extracted, &gold),
        with_period: counts(&extracted_p, &gold_p),
        indicators: indicators_checked,
        facts: facts_checked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(line: &str) -> GoldFact {
        parse_fact(line).unwrap().1
    }

    fn indicator(code: &str, value: Option<f64>, unit: &str, yoy: Option<f64>) -> v1::Indicator {
        v1::Indicator {
            code: code.into(),
            kind: v1::IndicatorKind::Actual.into(),
            period: "2021".into(),
            value,
            unit: unit.into(),
            yoy_pct: yoy,
            ..Default::default()
        }
    }

    #[test]
    fn parses_the_gold_format() {
        let (doc, f) = parse_fact(
            r#"{"doc": "a.txt", "code": "gdp", "metric": "地区生产总值", "kind": "target", "period": "2022", "value": null, "unit": null, "yoy_pct": 6, "other_growth": {"basis": "两年平均", "pct": 3.9}, "qualifier": "左右", "quote": "增长6%左右"}"#,
        )
        .unwrap();
        assert_eq!(doc, "a.txt");
        assert_eq!(f.kind, "target");
        assert_eq!(f.value, None);
        assert_eq!(f.yoy_pct, Some(6.0));
        assert_eq!(f.other_growth, Some(("两年平均".into(), 3.9)));
        assert_eq!(f.qualifier, "左右");
        assert!(parse_fact(r#"{"code": "gdp"}"#).is_err());
        assert!(parse_fact("not json").is_err());
    }

    #[test]
    fn atoms_match_in_base_units_and_count_like_the_scorer() {
        let codes: HashSet<&str> = ["gdp", "retail_sales"].into();
        let facts = [
            // 607.6亿元 is 6.076万亿元 only in base units.
            fact(
                r#"{"doc":"a","code":"gdp","kind":"actual","period":"2021","value":6.076,"unit":"万亿元","yoy_pct":8.1,"quote":"q"}"#,
            ),
            fact(
                r#"{"doc":"a","code":"retail_sales","kind":"actual","period":"2021","value":null,"yoy_pct":12.5,"quote":"q"}"#,
            ),
        ];
        let indicators = [
            indicator("gdp", Some(60760.0), "亿元", Some(8.0)),
            indicator("fiscal", Some(1.0), "亿元", None),
            indicator("", Some(1.0), "%", None),
        ];
        let c = compare(&indicators, &facts, &codes);
        assert_eq!(
            c.atoms,
            Counts {
                tp: 1,
                fp: 1,
                fn_: 2
            }
        );
        assert_eq!(c.with_period, c.atoms);
        assert_eq!(c.indicators[0].status, Status::Partial);
        assert_eq!(c.indicators[0].value, Some(true));
        assert_eq!(c.indicators[0].yoy, Some(false));
        assert_eq!(c.indicators[0].period, Some(true));
        assert_eq!(
            c.indicators[1].status,
            Status::Unscored,
            "not a taxonomy code"
        );
        assert_eq!(c.indicators[2].status, Status::Unscored, "no code");
        assert!(c.facts[0].missed());
        assert_eq!(c.facts[0].value, Some(true));
        assert_eq!(c.facts[1].yoy, Some(false));
        assert!((c.atoms.precision() - 0.5).abs() < 1e-9);
        assert!((c.atoms.recall() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_wrong_period_only_lowers_the_stricter_count() {
        let codes: HashSet<&str> = ["gdp"].into();
        let facts = [fact(
            r#"{"doc":"a","code":"gdp","kind":"actual","period":"2020","yoy_pct":6,"quote":"q"}"#,
        )];
        let c = compare(&[indicator("gdp", None, "", Some(6.0))], &facts, &codes);
        assert_eq!(
            c.atoms,
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            c.with_period,
            Counts {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(c.indicators[0].status, Status::Match);
        assert_eq!(c.indicators[0].period, Some(false));
        assert!(!c.facts[0].missed());
    }
}
