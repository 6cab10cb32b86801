//! Words that name a figure a target: after it (`增长6%左右的预期目标`), before it
//! (`完成年度目标3200人`, `年度目标为8%`) or around it in brackets (`低于年度目标(6%左右)`).

use super::lexicon;

/// The words every target cue that cites the target of the year reviewed holds
/// ([`super::sentences::is_cited_target`]): a text without them cites none.
pub(super) const CITED_TARGET_WORDS: &[&str] = &["年初", "年度目标", "计划确定"];

/// Whether the text after a figure (past its qualifier) names it a target: `达到68%的目标`,
/// `增长6%左右的预期目标`, `2万人目标全面完成`.
pub(super) fn names_target(after: &str) -> bool {
    let rest = lexicon::QUALIFIERS_AFTER
        .iter()
        .find_map(|q| after.strip_prefix(q))
        .unwrap_or(after);
    // `年初确定的“增长5.5%左右”的预期目标`: the target quoted.
    let rest = rest.trim_start_matches(['”', '’', '"', '」']);
    // `完成13万人年度目标的112.3%`, `超额完成下降2.5%的年度计划`: the year's target or plan.
    let rest = rest.strip_prefix('的').unwrap_or(rest);
    let (modifier, noun) = lexicon::TARGET_MODIFIERS
        .iter()
        .find_map(|m| rest.strip_prefix(m).map(|noun| (*m, noun)))
        .unwrap_or(("", rest));
    noun.starts_with("目标") || (matches!(modifier, "年度" | "全年") && noun.starts_with("计划"))
}

/// Whether a lead ends by opening the brackets of a target (`低于年度目标(`, `完成市下达年度
/// 任务(`, `年度预算(`).
pub(super) fn target_in_brackets(lead: &str) -> bool {
    let lead = without_growth_verb(lead.trim_end());
    let Some(named) = lead.strip_suffix('(').or_else(|| lead.strip_suffix('（')) else {
        return false;
    };
    TARGET_NOUNS.iter().any(|w| named.ends_with(w))
}

/// The nouns a target stated in brackets follows (`年度目标(`, `年度任务(`, `年度预算(`).
const TARGET_NOUNS: &[&str] = &["目标", "任务", "预算"];

/// Whether the text before a figure ends with a target (or plan) in brackets and `的`: the
/// figure is the share of that target done (`占年度目标(235亿元)的46.2%`, `完成市下达年度任务
/// (1500万美元)的57.3%`), no figure of the metric.
pub(super) fn share_of_bracketed_target(before: &str) -> bool {
    let Some(closed) = before
        .strip_suffix('的')
        .and_then(|b| b.strip_suffix(')').or_else(|| b.strip_suffix('）')))
    else {
        return false;
    };
    closed.rfind(['(', '（']).is_some_and(|open| {
        let named = closed[..open].trim_end();
        TARGET_NOUNS
            .iter()
            .chain(&["计划"])
            .any(|w| named.ends_with(w))
    })
}

/// `完成年度目标(增长6%)`, `年度目标为增长8%`: a growth verb between a target's name and
/// its figure.
fn without_growth_verb(lead: &str) -> &str {
    ["同比增长", "增长", "下降", "降低", "提高"]
        .iter()
        .find_map(|v| lead.strip_suffix(v))
        .unwrap_or(lead)
}

/// Whether a lead ends by naming the year's target or budget, the figure right after it
/// (`完成年度目标3200人的108.1%`, `完成年度预算12.57亿元的102.3%`, `…增长7.8%,年度目标为8%`).
pub(super) fn target_named_before(lead: &str) -> bool {
    let lead = without_growth_verb(lead.trim_end());
    let lead = lead
        .strip_suffix('为')
        .or_else(|| lead.strip_suffix('是'))
        .unwrap_or(lead);
    ["年度目标", "全年目标", "年度预算", "年度任务", "目标任务"]
        .iter()
        .any(|w| lead.ends_with(w))
}

/// What a comparison with a target (the clause `last_seg` before a figure that
/// [`names_target`]) says of it, less a degree adverb and the comparison word: `低于增长`
/// in `略低于增长5%的预期目标` is `增长`. A clause that only describes the target
/// (`低于年初确定的`, by `describes`) says nothing, unless it names another place's own
/// target (`高于全省确定的`; `省下达的` is the province's target for this place).
pub(super) fn compared_target_clause(last_seg: &str, describes: impl Fn(&str) -> bool) -> &str {
    let compared = last_seg.trim();
    let compared = ["略", "稍", "均", "明显"]
        .iter()
        .find_map(|a| compared.strip_prefix(a))
        .unwrap_or(compared);
    let compared = lexicon::COMPARED_TO
        .iter()
        .find_map(|w| compared.strip_prefix(w))
        .unwrap_or(compared);
    let others = ["全省", "全市", "全国", "省", "市", "国家"]
        .iter()
        .any(|w| compared.contains(w))
        && !["下达", "要求"].iter().any(|w| compared.contains(w));
    if !others && describes(compared) {
        ""
    } else {
        compared
    }
}
