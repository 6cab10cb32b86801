//! Figures of a sentence: numbers with their units and qualifiers (`607.6亿元`,
//! `增长5%左右`, `超千亿元`), and what each states about its metric (a level, a growth, a
//! change in points, a comparison).

use super::figure_scan::number_len;
use super::lexicon;
use super::IndicatorExtractor;
use crate::numbers::parse_number;
use crate::taxonomy::UnitClass;

impl IndicatorExtractor {
    /// The figures of a sentence that state something: damaged digits and figures that
    /// modify a following noun are left out.
    pub(super) fn figures<'s>(&self, s: &'s str) -> Vec<Figure<'s>> {
        let mut out = Vec::new();
        let mut done_share_at = None;
        // The scanner gives each match's range; its parts are split by hand.
        for whole in self.figure_scan.find_iter(s) {
            let Some(parts) = split_figure(&s[whole.clone()]) else {
                continue;
            };
            let num_start = whole.start + parts.num_offset;
            let arabic = parts.num.as_bytes().first().is_some_and(u8::is_ascii_digit);
            // Chinese numerals only count before a magnitude (`千亿元`), never as `三个`.
            let magnitude = parts.unit.starts_with(['亿', '万', '千', '百']);
            if !(arabic || magnitude || parts.unit == "个百分点") {
                continue;
            }
            let mut before = s[..num_start].chars().next_back();
            // `跨越3个千亿元台阶`: the size of a step, not a level.
            if !arabic && before == Some('个') {
                continue;
            }
            let mut start = whole.start;
            let mut sign = 1.0;
            // `增速分别为12.1%、-21.9%`: a minus sign directly before the digits, unless it
            // joins a range (`3-5%`) or the figure has a leading qualifier.
            if let Some(minus @ ('-' | '−')) = before {
                let sign_start = num_start - minus.len_utf8();
                let before_sign = s[..sign_start].chars().next_back();
                // `5%-5.5%`: a range whose bounds both carry the unit.
                if parts.num_offset == 0
                    && arabic
                    && !before_sign
                        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '%'))
                {
                    sign = -1.0;
                    start = sign_start;
                    before = before_sign;
                }
            }
            // `增长4.5-5%`: a range written with the unit once. The figure is its lower
            // bound in the upper bound's unit; the upper bound is no value of its own.
            if let Some(mark) = before.filter(|c| lexicon::RANGE_MARKS.contains(c)) {
                let lead = &s[..start - mark.len_utf8()];
                if lead.ends_with(|c: char| c.is_ascii_digit()) {
                    let Some(lower_start) = bare_number_start(lead) else {
                        continue;
                    };
                    let rest = &s[whole.end..];
                    let lower = parse_number(&lead[lower_start..]);
                    if let (true, Some(value)) = (arabic && self.follow.is_match(rest), lower) {
                        out.push(Figure {
                            start: lower_start,
                            end: whole.end,
                            value,
                            unit: parts.unit,
                            // The range as written is its qualifier (`4.5-5%`).
                            qualifier: Some(&s[lower_start..whole.end]),
                        });
                    }
                    continue;
                }
            }
            // `?264.6`, `增?.2%`: a digit was destroyed; the figure cannot be trusted.
            if matches!(before, Some('?' | '？' | '\u{FFFD}' | '.' | '．'))
                || (arabic && before.is_some_and(|c| c.is_ascii_alphanumeric()))
            {
                continue;
            }
            let rest = &s[whole.end..];
            // `在上年增长6.8%的较高基数上`: a growth of the year before stated as a basis is
            // a figure of its own, though a noun follows.
            let basis = || parts.unit == "%" && lexicon::growth_as_basis(&s[..start], rest);
            // `完成年度预算12.57亿元的102.3%`: the year's target, then how much of it was
            // done, which is no figure of the metric.
            if done_share_at == Some(start)
                || super::target_words::share_of_bracketed_target(&s[..start])
            {
                continue;
            }
            let target_done = rest
                .strip_prefix('的')
                .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                && super::target_words::target_named_before(&s[..start]);
            if target_done {
                done_share_at = Some(whole.end + '的'.len_utf8());
            }
            if rest.starts_with(['?', '？', '\u{FFFD}'])
                || !(self.follow.is_match(rest) || basis() || target_done)
            {
                continue;
            }
            let Some(value) = parse_number(parts.num) else {
                continue;
            };
            out.push(Figure {
                start,
                end: whole.end,
                value: sign * value,
                unit: self.range_unit(parts.unit, rest),
                qualifier: parts.qualifier,
            });
        }
        out
    }

    /// The unit of a figure written with its magnitude only as the lower bound of a range
    /// (`1300万—1500万美元`): the upper bound's, when it has the same magnitude; else `unit`.
    fn range_unit<'s>(&self, unit: &'s str, rest: &'s str) -> &'s str {
        if !matches!(unit, "万" | "亿" | "万亿" | "千亿" | "百亿" | "千") {
            return unit;
        }
        let Some(mark) = rest
            .chars()
            .next()
            .filter(|c| lexicon::RANGE_MARKS.contains(c))
        else {
            return unit;
        };
        let upper = &rest[mark.len_utf8()..];
        self.figure_scan
            .find_iter(upper)
            .next()
            .filter(|m| m.start == 0)
            .and_then(|m| split_figure(&upper[..m.end]))
            .map(|p| p.unit)
            .filter(|u| u.len() > unit.len() && u.starts_with(unit))
            .unwrap_or(unit)
    }

    pub(super) fn role(&self, seg: &str, unit: &str) -> FigureRole {
        let seg = seg.trim();
        if self.comparison.is_match(seg) {
            return FigureRole::Comparison;
        }
        if unit == "个百分点" {
            return match self.growth_verb.find(seg) {
                Some(m) if self.other_basis.is_match(seg) || self.yoy_basis.is_match(seg) => {
                    FigureRole::PointChange {
                        negative: is_negative(m.as_str()),
                    }
                }
                _ => FigureRole::Comparison,
            };
        }
        if let Some(m) = self.level_verb.find(seg) {
            // `经济增速将保持在5.5%左右`, `增速回落至5.2%`: a growth rate reaching a level
            // is still a growth.
            let rate = seg[..m.start()]
                .trim_end_matches(['将', '仍'])
                .trim_end_matches("有望")
                .trim_end_matches("预计");
            if unit == "%"
                && ["增速", "增幅", "增长速度"]
                    .iter()
                    .any(|w| rate.ends_with(w))
            {
                return FigureRole::Growth {
                    negative: false,
                    basis: None,
                };
            }
            return FigureRole::Value;
        }
        if let Some(m) = self.growth_verb.find(seg) {
            if unit != "%" {
                return FigureRole::AbsoluteChange;
            }
            let basis = self.other_basis.find(seg).map(|m| m.as_str().to_string());
            return FigureRole::Growth {
                negative: is_negative(m.as_str()),
                basis,
            };
        }
        FigureRole::Value
    }
}

/// What a figure states about the current metric.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum FigureRole {
    /// A level: `607.6亿元`, `3.12%` of a rate.
    Value,
    /// A growth in percent against a baseline (`None` = year on year).
    Growth {
        negative: bool,
        basis: Option<String>,
    },
    /// A change in percentage points against a baseline.
    PointChange { negative: bool },
    /// A comparison with something else: kept as text.
    Comparison,
    /// An absolute change (`同比增加18座`): not a level, not a rate; not kept.
    AbsoluteChange,
}

/// One figure found in a sentence; its unit and qualifier are slices of the sentence.
#[derive(Debug, Clone)]
pub(super) struct Figure<'s> {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) value: f64,
    pub(super) unit: &'s str,
    pub(super) qualifier: Option<&'s str>,
}

/// The parts of a figure the scanner found (`figure_scan`).
struct FigureParts<'a> {
    qualifier: Option<&'a str>,
    num: &'a str,
    num_offset: usize,
    unit: &'a str,
}

/// Units a count may have after `余` or `多` and still be a value (`9800余户`).
const COUNTED_AFTER_MORE: &[&str] = &["户", "人", "家", "元", "吨", "人次"];

/// Splits a figure match into qualifier, number and unit, as `figure_scan` matched them.
fn split_figure(m: &str) -> Option<FigureParts<'_>> {
    let pre = lexicon::QUALIFIERS_BEFORE
        .iter()
        .find(|q| m.starts_with(**q) && number_len(&m[q.len()..]) > 0);
    let body = pre.map_or(m, |q| &m[q.len()..]);
    let num_len = number_len(body);
    if num_len == 0 {
        return None;
    }
    let (num, rest) = body.split_at(num_len);
    // `1000多万人`: a qualifier between the number and a magnitude; before anything else
    // (`100多个`) the number is not the figure's value.
    let mid = ["多", "余"].into_iter().find(|q| rest.starts_with(q));
    let rest = match mid {
        Some(q) if rest[q.len()..].starts_with(['万', '亿', '千', '百']) => &rest[q.len()..],
        // `新增经营主体9800余户`: more than that many, a count all the same.
        Some(q) if COUNTED_AFTER_MORE.contains(&&rest[q.len()..]) => &rest[q.len()..],
        Some(_) => return None,
        None => rest,
    };
    let post = lexicon::QUALIFIERS_AFTER
        .iter()
        .find(|q| rest.len() > q.len() && rest.ends_with(**q));
    let unit = post.map_or(rest, |q| &rest[..rest.len() - q.len()]);
    // `280亿余元`: the qualifier written inside the unit.
    let (unit, inner) = match lexicon::INNER_QUALIFIED_UNITS
        .iter()
        .find(|(written, _)| *written == unit)
    {
        // The qualifier is the unit's second character.
        Some((_, plain)) => (
            *plain,
            unit.char_indices()
                .nth(1)
                .map(|(i, c)| &unit[i..i + c.len_utf8()]),
        ),
        None => (unit, None),
    };
    Some(FigureParts {
        qualifier: pre.copied().or(mid).or(inner).or(post.copied()),
        num,
        num_offset: m.len() - body.len(),
        unit,
    })
}

/// Where the bare Arabic number that ends `lead` starts (`增长4.5` → the offset of `4`),
/// if `lead` ends in one that is not part of a longer token (`GB2`, `1.2.3`).
fn bare_number_start(lead: &str) -> Option<usize> {
    let len = lead
        .bytes()
        .rev()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let start = lead.len() - len;
    let number = &lead[start..];
    let clean = number.starts_with(|c: char| c.is_ascii_digit())
        && !number.ends_with('.')
        && !lead[..start].chars().next_back().is_some_and(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '?' | '？' | '\u{FFFD}')
        });
    clean.then_some(start)
}

/// Whether a growth-verb match (`下降`, `减少了`: the verb and its particles) states a
/// decrease. The match starts with its verb, and no verb of [`lexicon::GROWTH_VERB`]
/// starts with a decrease verb unless it is one, so the start decides without a capture
/// search.
pub(super) fn is_negative(verb_match: &str) -> bool {
    lexicon::NEGATIVE_VERBS
        .iter()
        .any(|v| verb_match.starts_with(v))
}

/// Units that can stand in one `分别` list.
pub(super) fn unit_family(unit: &str) -> &'static str {
    match unit {
        "%" | "‰" => "pct",
        "个百分点" => "pp",
        _ => "level",
    }
}

/// Whether a unit as written measures values of a unit class.
pub(crate) fn unit_fits(class: UnitClass, unit: &str) -> bool {
    let (_, base) = crate::numbers::split_unit(unit);
    match class {
        UnitClass::Money => {
            base.ends_with('元') || matches!(unit, "亿" | "万" | "万亿" | "千亿" | "百亿")
        }
        // An intensity may be stated per output (`0.21吨标准煤/万元`).
        UnitClass::Ratio => matches!(unit, "%" | "‰") || unit.contains("标准煤/"),
        UnitClass::People => matches!(base, "人" | "人次"),
        UnitClass::Count => matches!(
            base,
            "户" | "家" | "个" | "项" | "座" | "所" | "套" | "件" | "宗" | "辆"
        ),
        UnitClass::Concentration => {
            base.contains("/立方米")
                || base.contains("每立方米")
                || base.ends_with("/m³")
                || base.ends_with("/m3")
        }
        UnitClass::Area => base.contains("平方") || matches!(base, "亩" | "公顷"),
        UnitClass::Mass => base.ends_with('吨'),
        UnitClass::Other => true,
    }
}

#[cfg(test)]
#[test]
fn units_fit_classes() {
    assert!(unit_fits(UnitClass::Money, "亿元"));
    assert!(unit_fits(UnitClass::Money, "亿"));
    assert!(!unit_fits(UnitClass::Money, "%"));
    assert!(unit_fits(UnitClass::Count, "万户"));
    assert!(unit_fits(UnitClass::People, "万人"));
    assert!(unit_fits(UnitClass::Concentration, "微克/立方米"));
    assert!(unit_fits(UnitClass::Concentration, "微克每立方米"));
}
