//! Metrics named relative to the one before them in a sentence: a head that needs a
//! subject (`实现利润总额`), new entrants (`新登记`), a bare share (`占…比重`), the same
//! holder's balance, a part of the population's income, the other side of a budget, the
//! stock after entrants and the investment of counted projects.

use super::lexicon;
use super::metric::ResolvedMetric;
use super::IndicatorExtractor;

impl IndicatorExtractor {
    /// A head that needs a subject (`利润总额`, `增加值`) completed with the enterprises
    /// the previous metric of the sentence is about (`规模以上工业企业实现营业收入…;实现
    /// 利润总额…`), if that names a headline metric.
    pub(super) fn subject_metric(
        &self,
        previous: Option<&ResolvedMetric>,
        head: &str,
    ) -> Option<String> {
        let written = &previous?.written;
        let end = written.find("企业")? + "企业".len();
        let c = self
            .metrics
            .canonical(&format!("{}{head}", &written[..end]));
        self.metrics.code_of(&c).is_some().then_some(c)
    }

    /// A bare entrant head (`新登记`) completed with the subject of the previous metric
    /// (`经营主体总量`), if that names a headline metric.
    pub(super) fn entrants(&self, previous: &ResolvedMetric, head: &str) -> Option<String> {
        if !lexicon::ENTRANT_HEADS.contains(&head) {
            return None;
        }
        let subject = previous.canonical.as_str();
        let subject = ["总量", "数量", "总数"]
            .iter()
            .find_map(|t| subject.strip_suffix(t))
            .unwrap_or(subject);
        let c = self.metrics.canonical(&format!("{head}{subject}"));
        self.metrics.code_of(&c).is_some().then_some(c)
    }

    /// A bare share (`占国内生产总值比重`) completed with the previous metric of the
    /// sentence as its subject, if that names a headline metric.
    ///
    /// The share may name its whole by place (`占全省生产总值的比重`) or be written as an
    /// equivalence (`相当于全区生产总值的2.93%`) or a ratio (`与地区生产总值之比`): all read
    /// as `占地区生产总值的比重`.
    pub(super) fn share_of(
        &self,
        previous: &ResolvedMetric,
        share: &ResolvedMetric,
    ) -> Option<String> {
        if share.code.is_some() {
            return None;
        }
        // `与地区生产总值之比为2.59%`: the ratio to the whole.
        let ratio_to = || {
            share
                .canonical
                .strip_prefix('与')
                .and_then(|w| w.strip_suffix("之比"))
        };
        let whole = share
            .canonical
            .strip_prefix('占')
            .or_else(|| share.canonical.strip_prefix("相当于"))
            .or_else(ratio_to)?;
        let whole = self.metrics.without_prefixes(whole).trim_end_matches('的');
        let whole = match whole.strip_prefix("生产总值") {
            Some(rest) => format!("地区生产总值{rest}"),
            None => whole.to_string(),
        };
        let whole = if whole.ends_with("比重") || whole.ends_with("比例") {
            whole
        } else {
            format!("{whole}的比重")
        };
        let c = self
            .metrics
            .canonical(&format!("{}占{whole}", previous.canonical));
        self.metrics.code_of(&c).is_some().then_some(c)
    }

    /// A bare balance (`各项贷款余额`) after the balance of a holder that is not the region
    /// (`县农村商业银行各项存款余额`, uncoded): the same holder's. So for any headline after a
    /// sub-area's (`云岭高新区规模以上工业增加值增长11.4%,规模以上工业企业利润总额62.35亿元`):
    /// the sentence is about that area.
    pub(super) fn same_holder(
        &self,
        previous: &ResolvedMetric,
        metric: &ResolvedMetric,
    ) -> Option<String> {
        if previous.code.is_some() || metric.code.is_none() {
            return None;
        }
        // The holder: what stands before the previous metric's own headline name, or else
        // a sub-area the previous phrase opens with (`县经开区完成基础设施投资6.8亿元,实现规上
        // 工业总产值…`).
        let at = previous
            .canonical
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i > 0 && self.metrics.code_of(&previous.canonical[i..]).is_some())
            .or_else(|| {
                lexicon::SUBAREA_ENDINGS
                    .iter()
                    // Not `镇`, `乡` inside a word (`城镇`).
                    .filter(|e| e.chars().count() > 1)
                    .filter_map(|e| previous.canonical.find(e).map(|i| i + e.len()))
                    .filter(|&end| end < previous.canonical.len())
                    .min()
            })?;
        let holder = &previous.canonical[..at];
        // A bank's balances, not a part of the region's (`住户存款余额` is the households' part
        // of the deposits, and the loans after it are the region's).
        let balances = metric.canonical.ends_with("余额")
            && previous.canonical.ends_with("余额")
            && lexicon::BANK_ENDINGS.iter().any(|e| holder.ends_with(e));
        let area = lexicon::SUBAREA_ENDINGS.iter().any(|e| holder.ends_with(e));
        (balances || area).then(|| format!("{holder}{}", metric.canonical))
    }

    /// A part of the population (`城镇居民`, `农村居民`) after a per-capita income: that
    /// part's income, if a headline metric.
    pub(super) fn population_part(
        &self,
        previous: &ResolvedMetric,
        part: &ResolvedMetric,
    ) -> Option<String> {
        const HEAD: &str = "人均可支配收入";
        if part.code.is_some()
            || !(part.canonical.ends_with("居民") || part.canonical.ends_with("农民"))
        {
            return None;
        }
        if !previous.canonical.contains(HEAD) {
            return None;
        }
        let c = format!("{}{HEAD}", part.canonical);
        self.metrics.code_of(&c).is_some().then_some(c)
    }

    /// `支出` after a `…收入` metric: the expenditure of the same budget, if a headline.
    pub(super) fn other_side(&self, previous: &ResolvedMetric, head: &str) -> Option<String> {
        if head != "支出" {
            return None;
        }
        let c = format!("{}支出", previous.canonical.strip_suffix("收入")?);
        self.metrics.code_of(&c).is_some().then_some(c)
    }
}

/// A bare total (`总量`, `总数`) after new entrants (`新登记经营主体`): the stock of what
/// they enter (`经营主体总量`), no headline metric.
pub(super) fn stock_after_entrants(
    previous: &ResolvedMetric,
    phrase: &str,
) -> Option<ResolvedMetric> {
    if !matches!(phrase, "总量" | "总数") {
        return None;
    }
    let subject = lexicon::ENTRANT_HEADS
        .iter()
        .find_map(|h| previous.canonical.strip_prefix(h))?;
    Some(ResolvedMetric {
        written: phrase.to_string(),
        canonical: format!("{subject}{phrase}"),
        code: None,
    })
}

/// A bare `投资` after a count of projects: the investment in those projects.
pub(super) fn projects_investment(
    previous: &ResolvedMetric,
    metric: &ResolvedMetric,
) -> Option<String> {
    (metric.canonical == "投资" && previous.canonical.contains("项目"))
        .then(|| format!("{}投资", previous.canonical))
}
