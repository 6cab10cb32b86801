//! Metric resolution: from the clause before a figure to the metrics it names. Strips the
//! clause to its noun phrase, splits lists (`城镇、农村居民人均可支配收入`) and narrows
//! generic heads by the sentence's topic or the previous metric.

use super::context::DocContext;
use super::lexicon;
use super::metric::ResolvedMetric;
use super::relative::{projects_investment, stock_after_entrants};
use super::sentences::leading_trim_len;
use super::subjects::changed_in_words;
use super::IndicatorExtractor;
use crate::text::is_common_hanzi;

impl IndicatorExtractor {
    /// The metric phrases a lead names, if it names any: `None` means the figure continues
    /// the current metric.
    pub(super) fn lead_metrics(
        &self,
        segs: &[(usize, &str)],
        have_current: bool,
        topic: Option<&Topic>,
        previous: Option<&ResolvedMetric>,
        ctx: &DocContext<'_>,
    ) -> Option<(usize, Vec<ResolvedMetric>)> {
        let (last_start, last) = *segs.last()?;
        // An explicit `全区` makes the phrase the region's own figure, whatever the topic.
        let topic = topic.filter(|_| !self.has_region(last, ctx));
        let cleaned = self.without_ranks(last);
        let phrase = self.noun_phrase(&cleaned).to_string();
        // `第一季度、上半年、前三季度地区生产总值分别增长…`: a list of parts of the year
        // before the metric dates the figures (`period::PeriodFinder::listed_parts`); it
        // names no metric.
        // Only a list can be one (one search of the separators rules most leads out).
        let listed = cleaned.contains(['、', '和', '及', '与']);
        let phrase = match listed
            .then(|| self.periods.listed_parts(&cleaned))
            .flatten()
        {
            Some((_, span)) if cleaned[..span.start].trim().is_empty() => {
                self.noun_phrase(&cleaned[span.end..]).to_string()
            }
            _ => phrase,
        };
        if !phrase.is_empty() {
            // `新登记经营主体320万户、增长13%,总量达2037.7万户`: the total after new entrants
            // is the stock of what they enter, not more of the flow.
            if let Some(stock) = previous.and_then(|p| stock_after_entrants(p, &phrase)) {
                let offset = last_start + leading_trim_len(last);
                return Some((offset, vec![stock]));
            }
            // `税收收入1012.7亿元,占比78.7%`: a bare share after a metric's figure is that
            // metric's share (of its whole), not more of the metric.
            if let Some(p) = previous.filter(|p| {
                have_current
                    && matches!(phrase.as_str(), "占比" | "比重")
                    && !p.canonical.contains('占')
                    && !["比重", "比例", "占比", "率"]
                        .iter()
                        .any(|e| p.canonical.ends_with(e))
            }) {
                let canonical = self.metrics.canonical(&format!("{}占比", p.canonical));
                let code = self.metrics.code_of(&canonical);
                let share = ResolvedMetric {
                    written: phrase,
                    canonical,
                    code,
                };
                return Some((last_start + leading_trim_len(last), vec![share]));
            }
            if have_current
                && (lexicon::CONTINUATION_HEADS.contains(&phrase.as_str())
                    || phrase
                        .strip_prefix("实际")
                        .is_some_and(|verb| lexicon::RESULT_VERBS.contains(&verb))
                    // `年初确定的` names nothing, unless another headline metric stands
                    // before it (`但地区生产总值增速与年初确定的5.5%左右的预期目标`).
                    || (self.describes_figure(&cleaned)
                        && !self
                            .resolve(&phrase, topic, previous, ctx)
                            .iter()
                            .any(|r| {
                                r.code.is_some()
                                    && r.code.as_deref()
                                        != previous.and_then(|p| p.code.as_deref())
                            }))
                    || super::target_words::target_in_brackets(&cleaned)
                    || (cleaned.trim_start().starts_with(['较', '比'])
                        && self.baseline_lead.is_match(cleaned.trim()))
                    || (cleaned.contains("增速") || cleaned.contains("增幅"))
                        && self
                            .growth_baseline
                            .captures(cleaned.trim_end())
                            .is_some_and(|c| c.name("rate").is_some())
                    // `…增长2.1%,上年同期为下降1.3%`: the same metric a year before.
                    || lexicon::opens_same_time_before(&cleaned)
                    || lexicon::opens_year_before(&cleaned)
                    || lexicon::continues_after_basis(&cleaned)
                    || cleaned.trim_start().starts_with("在上年")
                    || cleaned.trim_start().starts_with("在去年")
                    // `按年平均汇率折算约1.51万美元`: the same figure in another currency.
                    || (cleaned.trim_start().starts_with('按') && cleaned.contains("折算"))
                    // `11339亿元,下降8.2%,折1633亿美元`: the same in another currency.
                    || matches!(cleaned.trim(), "折" | "折合" | "约合" | "合")
                    || (lexicon::EXCLUSION_OPENINGS
                        .iter()
                        .any(|o| phrase.starts_with(o))
                        // Not `扣除房地产开发投资后`: a narrower aggregate, no factor.
                        && ["因素", "影响", "因素后", "影响后"]
                            .iter()
                            .any(|e| phrase.ends_with(e))))
            {
                return None;
            }
            if !phrase
                .chars()
                .any(|c| is_common_hanzi(c) || c.is_ascii_alphabetic())
            {
                return None;
            }
            // `年初县人代会确定的GDP增长8%`: who set the figure is no part of the metric.
            let setter_end = phrase
                .rmatch_indices('的')
                .find(|(at, _)| {
                    lexicon::SETTING_VERBS
                        .iter()
                        .any(|v| phrase[..*at].ends_with(v))
                })
                .map(|(at, _)| at + '的'.len_utf8())
                .filter(|&end| end < phrase.len());
            let phrase = match setter_end {
                Some(end) => phrase[end..].to_string(),
                None => phrase,
            };
            let offset = last_start + leading_trim_len(last);
            let mut resolved = self.resolve(&phrase, topic, previous, ctx);
            // `3个设区市经济总量超过5000亿元`: the figure of a count of places, not the
            // region's.
            let counted = cleaned.trim_start();
            let digits = counted.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && counted[digits..].starts_with('个') {
                for r in &mut resolved {
                    r.code = None;
                }
            }
            if let Some(w) = ctx.broader_places.iter().find(|w| last.contains(*w)) {
                // Kept as the broader place's metric, so nothing later takes it for ours.
                for r in &mut resolved {
                    r.code = None;
                    r.canonical = format!("{w}{}", r.canonical);
                }
            }
            // A long phrase is a clause, not a metric, unless it is a headline metric's long
            // name (`研究与试验发展经费支出占地区生产总值的比重`).
            // After `其中` it names parts of the whole, never the whole again
            // (`其中限额以上单位通讯器材类、家用电器和音像器材类商品零售额分别增长…`).
            if phrase.chars().count() > 24
                && !resolved.iter().any(|r| r.code.is_some())
                && !cleaned.trim_start().starts_with("其中")
            {
                return None;
            }
            return Some((offset, resolved));
        }
        // `高于全省0.6个百分点,全省同比增长5.3%`: a clause opened by a broader place and
        // naming no metric states that place's figure of the same metric, not ours.
        if let (Some(w), Some(p)) = (
            ctx.broader_places
                .iter()
                .find(|w| last.trim_start().starts_with(**w)),
            previous,
        ) {
            let canonical = format!("{w}{}", p.canonical);
            let broader = ResolvedMetric {
                written: canonical.clone(),
                canonical,
                code: None,
            };
            return Some((last_start + leading_trim_len(last), vec![broader]));
        }
        // `固定资产投资、建安投资总量全市双第一,同比分别增长9%、0.4%`: the metrics were named
        // in an earlier clause of the lead. Only headline metrics are taken from there, and
        // after a fact only a different one (`…分别增长19%,全省进出口总值创历史新高,达到5379
        // 亿元`): a clause naming the current metric again continues it.
        for &(start, seg) in segs.iter().rev().skip(1) {
            let cleaned = self.without_ranks(seg);
            // `全年固定资产投资较快增长,1—11月增长8.1%`: the change stated in words first.
            let phrase = self.noun_phrase(changed_in_words(&cleaned).unwrap_or(&cleaned));
            if phrase.is_empty() {
                continue;
            }
            let resolved = self.resolve(phrase, topic, previous, ctx);
            let all_coded = resolved.iter().all(|r| r.code.is_some());
            let repeats = previous.is_some_and(|p| resolved.iter().any(|r| r.code == p.code));
            // `化学需氧量、二氧化硫排放总量…,比上年分别下降3.14%和4.66%`: a list the figures
            // are `分别` of, headline or not, is what they measure.
            let listed = resolved.len() > 1 && last.contains("分别");
            // With no fact yet, a subject named before a bare change (`全社会研究与实验发展
            // 经费,从2002年1288亿元增加到…`) is what the figures measure, headline or not.
            let subject = !have_current && last.trim().starts_with(['从', '由']);
            if (all_coded || listed || subject) && !(have_current && repeats) {
                return Some((start + leading_trim_len(seg), resolved));
            }
            return None;
        }
        None
    }

    /// Resolves a metric phrase, which must be a [`Self::noun_phrase`], into the metrics
    /// it names.
    pub(super) fn resolve(
        &self,
        phrase: &str,
        topic: Option<&Topic>,
        previous: Option<&ResolvedMetric>,
        ctx: &DocContext<'_>,
    ) -> Vec<ResolvedMetric> {
        // Separators inside brackets (`税收总额(含上划中央、省、市级税收)`) split nothing.
        let listed = |separators: &[char]| -> Vec<&str> {
            let mut parts = Vec::new();
            let (mut depth, mut start) = (0usize, 0usize);
            for (i, c) in phrase.char_indices() {
                match c {
                    '(' | '（' => depth += 1,
                    ')' | '）' => depth = depth.saturating_sub(1),
                    c if depth == 0 && separators.contains(&c) => {
                        parts.push(&phrase[start..i]);
                        start = i + c.len_utf8();
                    }
                    _ => {}
                }
            }
            parts.push(&phrase[start..]);
            parts.retain(|p| !p.is_empty());
            parts
        };
        if topic.is_none() {
            if let Some(list) = self.resolve_shared_head(&listed(&['、', '和', '及', '与']), ctx)
            {
                return list;
            }
        }
        let narrow = self.resolve_parts(&listed(&['、']), phrase, topic, previous, ctx);
        // `城镇居民人均可支配收入和农村居民人均可支配收入`: split at 和/及/与 as well, but only
        // when every part is a headline metric (`住宿和餐饮业` stays one phrase).
        if phrase.contains(['和', '及', '与']) {
            let wide = self.resolve_parts(
                &listed(&['、', '和', '及', '与']),
                phrase,
                topic,
                previous,
                ctx,
            );
            if wide.len() > narrow.len() && wide.iter().all(|r| r.code.is_some()) {
                return wide;
            }
        }
        narrow
    }

    /// A list whose items share the last item's head: `城镇居民、农村居民人均可支配收入`,
    /// `城镇和农村居民人均可支配收入`. An item that names no metric by itself is completed
    /// with the last item's head, after the words they share (`居民`) or in place of the
    /// last item's own modifier (`农村` → `城镇`); the list counts only if every item then
    /// names a headline metric and no two the same.
    fn resolve_shared_head(
        &self,
        parts: &[&str],
        ctx: &DocContext<'_>,
    ) -> Option<Vec<ResolvedMetric>> {
        let (last, items) = parts.split_last()?;
        if items.is_empty() {
            return None;
        }
        let last_resolved = self.metrics.resolve(last, &ctx.strip_words);
        if last_resolved.len() != 1 || last_resolved[0].code.is_none() {
            return None;
        }
        let mut out = Vec::new();
        let mut completed_any = false;
        for item in items {
            let own = self.metrics.resolve(item, &ctx.strip_words);
            if own.len() == 1 && own[0].code.is_some() {
                out.extend(own);
                continue;
            }
            let completed = shared_head_candidates(item, last)
                .into_iter()
                .map(|c| self.metrics.resolve(&c, &ctx.strip_words))
                .find(|r| r.len() == 1 && r[0].code.is_some())?;
            completed_any = true;
            out.extend(completed);
        }
        out.extend(last_resolved);
        let mut codes: Vec<_> = out.iter().map(|r| r.code.clone()).collect();
        codes.sort();
        codes.dedup();
        (completed_any && codes.len() == out.len()).then_some(out)
    }

    /// Metrics of a growth figure: a bare subject that only names a metric when it grows
    /// (`经济增长5%`, `投资增长5%左右`) becomes that metric.
    pub(super) fn growth_subjects(&self, metrics: Vec<ResolvedMetric>) -> Vec<ResolvedMetric> {
        metrics
            .into_iter()
            .map(|m| {
                if m.code.is_some() {
                    return m;
                }
                let Some((_, phrase)) = lexicon::GROWTH_SUBJECTS
                    .iter()
                    .find(|(subject, _)| *subject == m.canonical)
                else {
                    return m;
                };
                match self.metrics.resolve(phrase, &[]).into_iter().next() {
                    Some(r) if r.code.is_some() => ResolvedMetric {
                        written: m.written,
                        canonical: r.canonical,
                        code: r.code,
                    },
                    _ => m,
                }
            })
            .collect()
    }

    /// Resolves the parts of `phrase` (a noun phrase) split at list separators.
    fn resolve_parts(
        &self,
        parts: &[&str],
        phrase: &str,
        topic: Option<&Topic>,
        previous: Option<&ResolvedMetric>,
        ctx: &DocContext<'_>,
    ) -> Vec<ResolvedMetric> {
        let mut out = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            // In `固定资产投资、建安投资总量`, only the last part carries the tail.
            let part = if i + 1 < parts.len() || *part == phrase {
                // A part that is the whole phrase is a noun phrase already.
                *part
            } else {
                self.noun_phrase(part)
            };
            let mut resolved = self.metrics.resolve(part, &ctx.strip_words);
            for r in &mut resolved {
                if lexicon::CONTEXT_HEADS.contains(&r.canonical.as_str()) {
                    // `6月月均浓度` after `细颗粒物累计浓度`: the same pollutant.
                    let from_previous = previous
                        .filter(|p| p.canonical.ends_with(r.canonical.as_str()))
                        .map(|p| p.canonical.clone());
                    let narrowed = from_previous
                        .or_else(|| self.subject_metric(previous, &r.canonical))
                        .or_else(|| {
                            // `规模以上工业企业…;实现利润总额…`: read as one phrase, rewrites
                            // included (`规模以上工业企业` is `规模以上工业`).
                            topic.map(|t| {
                                self.metrics
                                    .canonical(&format!("{}{}", t.text, r.canonical))
                            })
                        });
                    if let Some(c) = narrowed {
                        r.code = self.metrics.code_of(&c);
                        r.canonical = c;
                    }
                } else if let Some(c) = previous.and_then(|p| self.share_of(p, r)) {
                    // `第三产业增加值…,占地区生产总值比重为55%`: the share of that metric.
                    r.code = self.metrics.code_of(&c);
                    r.canonical = c;
                } else if let Some(c) = previous.and_then(|p| self.entrants(p, &r.canonical)) {
                    // `经营主体总量达1461.4万户,新登记147万户`: new entrants of that subject.
                    r.code = self.metrics.code_of(&c);
                    r.canonical = c;
                } else if let Some(c) = previous.and_then(|p| self.other_side(p, &r.canonical)) {
                    // `收入增长2.3%、支出首次超过7000亿元`: the other side of the same budget.
                    r.code = self.metrics.code_of(&c);
                    r.canonical = c;
                } else if let Some(c) = previous.and_then(|p| self.same_holder(p, r)) {
                    // `县农村商业银行各项存款余额98.60亿元;各项贷款余额62.35亿元`: the
                    // loans of that bank, not the region's.
                    r.code = self.metrics.code_of(&c);
                    r.canonical = c;
                } else if let Some(c) = previous.and_then(|p| self.population_part(p, r)) {
                    // `全体居民人均可支配收入…,其中城镇居民74210元、农村居民45860元`: the
                    // income of that part of the population.
                    r.code = self.metrics.code_of(&c);
                    r.canonical = c;
                } else if let Some(c) = previous.and_then(|p| projects_investment(p, r)) {
                    // `新开工亿元以上项目286个,完成投资增长9.8%`: those projects'.
                    r.code = None;
                    r.canonical = c;
                } else if let Some(t) = topic {
                    let narrows = if t.is_area {
                        !part.contains(t.text.as_str())
                    } else {
                        lexicon::TOPIC_NARROWED.contains(&r.canonical.as_str())
                    };
                    if narrows {
                        r.canonical = format!("{}{}", t.text, r.canonical);
                        r.code = self.metrics.code_of(&r.canonical);
                    }
                }
            }
            out.extend(resolved);
        }
        out
    }
}

impl IndicatorExtractor {
    /// Whether a lead is a clause describing the figure after it (`年初确定的增长`,
    /// `市下达的下降`), not a metric's name: it ends in a setting verb, less the growth verb.
    pub(super) fn describes_figure(&self, lead: &str) -> bool {
        // Most leads hold no setting verb: plain searches rule them out before the regex.
        if !self.words.setting.any_in(lead) {
            return false;
        }
        let t = lead.trim_end();
        let t = self.growth_verb.find(t).map_or(t, |m| &t[..m.start()]);
        let t = t.trim_end_matches('的');
        lexicon::SETTING_VERBS.iter().any(|v| t.ends_with(v))
    }
}

/// The sub-area or industry a sentence is about.
#[derive(Debug, Clone)]
pub(super) struct Topic {
    pub(super) text: String,
    pub(super) is_area: bool,
}

/// Ways to complete list item `item` with the head of the list's last item `last`.
fn shared_head_candidates(item: &str, last: &str) -> Vec<String> {
    let item_chars: Vec<(usize, char)> = item.char_indices().collect();
    let mut out = Vec::new();
    // After the words they share: `城镇居民` + `农村居民人均可支配收入` → `城镇居民人均可支配收入`.
    for (i, _) in item_chars.iter().take(item_chars.len().saturating_sub(1)) {
        let shared = &item[*i..];
        if let Some(k) = last.find(shared) {
            let head = &last[k + shared.len()..];
            if !head.is_empty() {
                out.push(format!("{item}{head}"));
            }
        }
    }
    // In place of the last item's modifier: `城镇` + `农村居民人均…` → `城镇居民人均…`.
    if let Some((at, _)) = last.char_indices().nth(item_chars.len()) {
        out.push(format!("{item}{}", &last[at..]));
    }
    // In place of the population the last item names: `城镇` + `农村牧区常住居民…`.
    for rest in ["农村牧区", "农村", "城镇"]
        .iter()
        .filter_map(|p| last.strip_prefix(p))
    {
        out.push(format!("{item}{rest}"));
    }
    // In place of the last item's first characters, whatever the item's own modifiers:
    // `金融机构本外币存` + `贷款余额` → `金融机构本外币存款余额`.
    for k in 1..=2 {
        if let Some((at, _)) = last.char_indices().nth(k) {
            out.push(format!("{item}{}", &last[at..]));
        }
    }
    // Last, after a shared final character alone: `城镇居民` + `农牧民人均可支配收入` →
    // `城镇居民人均可支配收入` (the two populations share only `民`).
    if let Some(c) = item.chars().last() {
        if let Some(k) = last.find(c) {
            let head = &last[k + c.len_utf8()..];
            if !head.is_empty() {
                out.push(format!("{item}{head}"));
            }
        }
    }
    out
}

pub(super) fn is_region_word(s: &str) -> bool {
    matches!(
        s,
        "全区" | "我区" | "本区" | "全市" | "全县" | "全省" | "全镇" | "城区" | "辖区"
    )
}

/// The region's own place words: a phrase naming one is the region's figure.
pub(super) const REGION_WORDS: &[&str] = &["全区", "我区", "本区", "全市", "全县", "全省"];

impl IndicatorExtractor {
    fn has_region(&self, s: &str, ctx: &DocContext<'_>) -> bool {
        self.words.regions.any_in(s) || ctx.strip_words.iter().any(|w| s.contains(w.as_str()))
    }
}
