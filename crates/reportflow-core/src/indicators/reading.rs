//! The sentence reader: walks a sentence figure by figure, decides from each figure's lead
//! whether it starts a new fact, continues the current one or a `分别` list, and fills
//! drafts; also the facts written without a figure of the usual shape and rank phrases.

use super::context::DocContext;
use super::drafting::Draft;
use super::figures::{unit_family, Figure, FigureRole};
use super::lexicon;
use super::lists::{list_length, reopen_levels};
use super::metric::ResolvedMetric;
use super::parts::{drop_joint_figures, uncode_repeated_parts};
use super::period;
use super::resolution::{is_region_word, Topic};
use super::sentences::{leading_trim_len, may_name_topic, segments, segments_into};
use super::target_words::{
    compared_target_clause, names_target, target_in_brackets, target_named_before,
};
use super::IndicatorExtractor;
use crate::text::is_common_hanzi;

impl IndicatorExtractor {
    /// Reads one sentence into finished drafts.
    ///
    /// `subject` gives the metric an earlier sentence of the paragraph named on its own
    /// (`2.一般公共预算收入。全年完成15.2亿元`): a figure whose lead names no metric and
    /// continues none is that metric's. It is asked only then.
    pub(super) fn read_sentence(
        &self,
        s: &str,
        ctx: &DocContext<'_>,
        subject: &mut dyn FnMut() -> Option<ResolvedMetric>,
    ) -> Vec<Draft> {
        let figures = self.figures(s);
        if figures.is_empty() {
            return Vec::new();
        }
        let opening =
            s.trim_start_matches(|c: char| !is_common_hanzi(c) && !c.is_ascii_alphanumeric());
        // `去年同期,全市地区生产总值增长5.0%。`: a sentence opened by the same part of the
        // year before states that time's figures.
        let opened_year_before = opening
            .split([',', '，'])
            .next()
            .is_some_and(|c| matches!(c.trim(), "去年同期" | "上年同期"));
        let topic = may_name_topic(opening)
            .then(|| self.topic.captures(opening))
            .flatten()
            .and_then(|c| {
                let t = c.name("topic")?.as_str().to_string();
                let is_area = c.name("area").is_some();
                Some(Topic { text: t, is_area })
            })
            .filter(|t| !is_region_word(&t.text) && !ctx.strip_words.contains(&t.text))
            .filter(|t| {
                !lexicon::TOPIC_ACTION_VERBS
                    .split('|')
                    .any(|v| t.text.starts_with(v))
            });
        let mut done: Vec<Draft> = Vec::new();
        let mut current: Vec<Draft> = Vec::new();
        let mut last_metric: Option<ResolvedMetric> = None;
        let mut prev_end = 0;
        let mut prev: Option<(FigureRole, &str)> = None;
        let mut list_mode = false;
        let mut list_idx = 0usize;
        // The times a `分别` list goes through, one per figure (`一、二、三、四季度…`).
        let mut list_times: Vec<period::TimeRef> = Vec::new();
        let mut segs = Vec::new();
        // The last list of levels opened as the start of a change (`由A、B增加到…`).
        let mut list_from = false;
        // `从环比看,…`: where the opening that makes the growths after it month on month
        // ends (searched once: asking the text before each figure cost a pass each).
        let month_on_month_from = s.find("环比看").map(|at| at + "环比看".len());
        for (fig_idx, fig) in figures.iter().enumerate() {
            let lead = &s[prev_end..fig.start];
            segments_into(&mut segs, lead, prev_end);
            // The earlier time a growth baseline names (`增速较上半年的7.5%`): its part, or
            // `None` for the same part of the year before.
            let mut earlier_time: Option<Option<period::TimeRef>> = None;
            // `98.63亿元(上年为96.42亿元),同口径增长5.6%`: the year before's figure is an
            // aside; what follows it is this year's again.
            let mut year_before_aside = false;
            // `(上年同口径基数为11.54亿元)`: the base a comparison was made against, not a
            // figure reported of any year.
            if segs.last().is_some_and(|(_, t)| {
                let t = t.trim_end();
                t.ends_with("基数为") || t.ends_with("基数是")
            }) {
                // The clause stays in the next figure's lead, which it explains.
                continue;
            }
            // `5%—5.5%`: the upper bound of a range stated by its lower bound.
            if prev.is_some() && lexicon::is_range_mark(lead.trim()) {
                prev_end = fig.end;
                continue;
            }
            let is_list_next = matches!(lead.trim(), "、" | "和" | "及" | "与" | "或")
                && prev
                    .as_ref()
                    .is_some_and(|(_, u)| unit_family(u) == unit_family(fig.unit));
            let role = if is_list_next {
                list_idx += 1;
                prev.as_ref().map_or(FigureRole::Value, |(r, _)| r.clone())
            } else {
                list_idx = 0;
                // A `分别` list goes on through a later list of the same metrics
                // (`分别达6.9万元、3.4万元,增长4.2%、5.3%`) unless a new metric is named.
                let was_list = list_mode && current.len() > 1;
                list_mode = lead.contains("分别");
                let last_seg = segs.last().map_or("", |(_, t)| *t);
                // Rank phrases in the clauses before the figure's own belong to the
                // facts read so far.
                for &(_, seg) in segs.iter().take(segs.len().saturating_sub(1)) {
                    self.attach_ranks(seg, &mut current);
                }
                let role = match self.role(last_seg, fig.unit) {
                    // `从环比看,11月份,社会消费品零售总额增长0.42%`: the opening names the
                    // baseline of the growths after it.
                    FigureRole::Growth {
                        negative,
                        basis: None,
                    } if month_on_month_from.is_some_and(|from| from <= fig.start) => {
                        FigureRole::Growth {
                            negative,
                            basis: Some("环比".to_string()),
                        }
                    }
                    role => role,
                };
                // `低于增长5%的预期目标`: a comparison with a target the figure states.
                // `未完成年度目标(3亿美元)`, `低于年初预期目标(6%左右)`: the target, stated in
                // brackets after the word; a level, or a growth for an amount.
                // `完成年度目标3200人的108.1%`: the target's own level, which the share
                // after it compares with.
                let role = if role == FigureRole::Comparison
                    && fig.unit != "%"
                    && target_named_before(last_seg)
                {
                    FigureRole::Value
                } else {
                    role
                };
                let role = if target_in_brackets(last_seg) {
                    // `完成年度目标(增长6%)`: the growth verb inside the brackets.
                    let inside = last_seg.rsplit(['(', '（']).next().unwrap_or("");
                    if inside.trim().is_empty() {
                        FigureRole::Value
                    } else {
                        self.role(inside, fig.unit)
                    }
                } else {
                    role
                };
                // `低于5.5%左右的预期目标`: the comparison's own verb says what the figure is.
                let role = if role == FigureRole::Comparison && names_target(&s[fig.end..]) {
                    let compared = compared_target_clause(last_seg, |c| self.describes_figure(c));
                    if compared.is_empty()
                        || self
                            .growth_verb
                            .find(compared)
                            .is_some_and(|m| m.start() == 0)
                    {
                        self.role(compared, fig.unit)
                    } else {
                        role
                    }
                } else {
                    role
                };
                // `增速比上年同期(5.3%)提高0.3个百分点`: the rate of an earlier time.
                let after_growth = matches!(prev, Some((FigureRole::Growth { .. }, _)));
                let earlier = (fig.unit == "%" && last_seg.contains(['比', '较']))
                    .then(|| self.growth_baseline.captures(last_seg.trim_end()))
                    .flatten()
                    .filter(|c| c.name("rate").is_some() || after_growth)
                    .and_then(|c| c.name("t"))
                    .map(|t| t.as_str());
                let role = if earlier.is_some() {
                    FigureRole::Growth {
                        negative: false,
                        basis: None,
                    }
                } else {
                    role
                };
                // `…增长2.1%,上年同期为下降1.3%`: the same metric a year before.
                let same_time_before = current.iter().any(|d| d.yoy.is_some())
                    && lexicon::opens_same_time_before(last_seg);
                let earlier =
                    earlier.or((same_time_before || opened_year_before).then_some("上年同期"));
                // `增长5.1%,上年为增长3.9%`: the same metric in the whole year before.
                let year_before =
                    current.iter().any(Draft::has_figures) && lexicon::opens_year_before(last_seg);
                year_before_aside = year_before;
                let earlier = earlier.or(year_before.then_some("上年"));
                // `在上年增长6.8%的较高基数上增长5.6%`: the growth of the year before, as the
                // basis of this year's.
                let basis_before = lexicon::opens_year_before_basis(last_seg, &s[fig.end..]);
                let earlier = earlier.or(basis_before.then_some("上年"));
                if basis_before && current.iter().any(Draft::has_figures) {
                    let clause = segs
                        .last()
                        .map_or(fig.start, |(st, t)| st + leading_trim_len(t));
                    let fresh = current
                        .iter()
                        .map(|d| Draft::new(d.metric.clone(), clause))
                        .collect();
                    done.append(&mut current);
                    current = fresh;
                }
                earlier_time = earlier.map(|t| match t {
                    "上年同期" | "去年同期" => None,
                    "上年" | "去年" => Some(period::TimeRef {
                        year: None,
                        part: period::Part::Year,
                    }),
                    t => self.periods.all(t).into_iter().next().map(|(_, t)| t),
                });
                // `能耗累计下降14.2%,超额完成国家下达的13.5%的目标任务`: a percentage a
                // describing clause introduces restates the change the metric is held to;
                // without a verb of its own its sign and baseline are unknown: not kept.
                let described =
                    role == FigureRole::Value && fig.unit == "%" && self.describes_figure(last_seg);
                // Named a target after it (`超额完成省下达的2.8%的年度目标`, after `能耗下降
                // 3.1%`), it is the target of the change just stated: a decline for a metric
                // held to one.
                let held_to = current.iter().find_map(|d| {
                    Some((d.yoy?, d.metric.code.as_deref() == Some("energy_intensity")))
                });
                let role = match held_to {
                    Some((yoy, decline_metric)) if described && names_target(&s[fig.end..]) => {
                        FigureRole::Growth {
                            negative: yoy < 0.0 && decline_metric,
                            basis: None,
                        }
                    }
                    _ => role,
                };
                if role == FigureRole::Value
                    && described
                    && current.iter().any(|d| d.yoy.is_some() || d.other.is_some())
                {
                    prev_end = fig.end;
                    continue;
                }
                if role != FigureRole::Comparison {
                    if let Some((quote_start, metrics)) = self.lead_metrics(
                        &segs,
                        !current.is_empty(),
                        topic.as_ref(),
                        last_metric.as_ref(),
                        ctx,
                    ) {
                        let metrics = match role {
                            FigureRole::Growth { .. } => self.growth_subjects(metrics),
                            _ => metrics,
                        };
                        done.append(&mut current);
                        last_metric = metrics.last().cloned();
                        current = metrics
                            .into_iter()
                            .map(|m| Draft::new(m, quote_start))
                            .collect();
                    } else if was_list {
                        list_mode = true;
                    } else if let Some((quote_start, subject)) = current
                        .is_empty()
                        .then(|| {
                            // `固定资产投资连续两年负增长,2024年下降3.1%`: the metric whose
                            // change a clause before states, else the paragraph's subject.
                            self.metric_changed_before(&segs, ctx).or_else(|| {
                                let quote_start = segs
                                    .last()
                                    .map_or(fig.start, |(st, t)| st + leading_trim_len(t));
                                subject()
                                    .filter(|m| !self.clause_names_other_change(&segs, m, ctx))
                                    .map(|m| (quote_start, m))
                            })
                        })
                        .flatten()
                    {
                        last_metric = Some(subject.clone());
                        current = vec![Draft::new(subject, quote_start)];
                    }
                }
                list_times.clear();
                if list_mode {
                    let listed = 1 + list_length(s, &figures[fig_idx..]);
                    if matches!(role, FigureRole::Growth { .. }) {
                        reopen_levels(&mut done, &mut current, listed);
                    }
                    list_times = period::listed_times(&s[..fig.start]);
                    if list_times.is_empty() {
                        // `一季度、上半年、前三季度和全年分别增长…`: parts of the year.
                        if let Some((parts, _)) = self.periods.listed_parts(&s[..fig.start]) {
                            list_times = parts;
                        }
                    }
                    if list_times.len() != listed || current.len() != 1 {
                        list_times.clear();
                    }
                }
                role
            };
            prev = Some((role.clone(), fig.unit));
            if current.is_empty() {
                prev_end = fig.end;
                continue;
            }
            let seg_start = segs
                .last()
                .map_or(fig.start, |(st, t)| st + leading_trim_len(t));
            let aside = year_before_aside.then(|| {
                let fresh = current
                    .iter()
                    .map(|d| Draft::new(d.metric.clone(), seg_start))
                    .collect();
                std::mem::replace(&mut current, fresh)
            });
            let targets: Vec<usize> = if current.len() > 1 && (list_mode || is_list_next) {
                if list_idx < current.len() {
                    vec![list_idx]
                } else {
                    Vec::new()
                }
            } else {
                (0..current.len()).collect()
            };
            // `经济总量连跨5万亿元、6万亿元两个台阶`: each listed level but the last is a
            // milestone passed on the way.
            let passed = is_list_next
                && role == FigureRole::Value
                && self.words.milestone_verbs.any_in(&s[..fig.start]);
            for i in targets {
                current[i].milestone |= passed && current[i].value.is_some();
                let had_value = current[i].value.is_some();
                self.apply(&mut current[i], &mut done, &role, fig, s, seg_start);
                // `分别由31245元、11826元增加到…`: every level of a list the change starts
                // from is a start.
                if is_list_next && list_from && !had_value && current[i].value.is_some() {
                    current[i].from = true;
                }
                if !is_list_next && role == FigureRole::Value {
                    list_from = current[i].from;
                }
                if let Some(t) = list_times.get(list_idx) {
                    current[i].time = Some(*t);
                }
                match earlier_time {
                    Some(Some(t)) if t.part == period::Part::Year => {
                        current[i].time = Some(t);
                        current[i].year_before = true;
                    }
                    Some(Some(t)) => current[i].time = Some(t),
                    Some(None) => current[i].year_before = true,
                    None => {}
                }
            }
            if let Some(kept) = aside {
                done.append(&mut current);
                current = kept;
            }
            prev_end = fig.end;
        }
        if let Some(rest) = s.get(prev_end..) {
            for (_, seg) in segments(rest, prev_end) {
                self.attach_ranks(seg, &mut current);
            }
        }
        done.append(&mut current);
        drop_joint_figures(&mut done);
        // `确定了地区生产总值增长6%、…、城镇新增就业4500人等主要预期目标`: a list the sentence
        // ends by naming targets is a list of targets.
        if let Some(at) = listed_targets_at(s) {
            for d in done
                .iter_mut()
                .filter(|d| d.first_figure.is_some_and(|f| f < at))
            {
                d.named_target = true;
            }
        }
        done.retain(Draft::has_figures);
        done.sort_by_key(|d| (d.first_figure, d.quote_start));
        uncode_repeated_parts(s, &mut done);
        done
    }

    /// Applies one figure to a draft; a second figure for a filled slot starts a new fact
    /// of the same metric (`其中二季度单季同比增长7.1%`).
    pub(super) fn apply(
        &self,
        draft: &mut Draft,
        done: &mut Vec<Draft>,
        role: &FigureRole,
        fig: &Figure,
        s: &str,
        seg_start: usize,
    ) {
        // `年均增长5%左右、迈上3万亿元台阶`: an average over a span and the level at its
        // end are two facts, dated differently.
        let averaged = draft
            .other
            .as_ref()
            .is_some_and(|(basis, _)| self.words.cumulative.any_in(basis));
        // The figure's own lead, from its clause's start.
        let lead = s.get(seg_start.min(fig.start)..fig.start).unwrap_or("");
        // `年度目标26.5亿元、增长5%`: a growth listed after a target's level is the target's.
        let listed_after_target = draft.named_target
            && draft.has_figures()
            && s.get(draft.end..fig.start).is_some_and(|between| {
                between
                    .strip_prefix('、')
                    .is_some_and(|verb| ["增长", "下降", "同比增长"].contains(&verb.trim()))
            });
        let named_target = names_target(&s[fig.end.min(s.len())..])
            || target_in_brackets(lead)
            || target_named_before(lead)
            || listed_after_target;
        // `名义增长5.3%,扣除价格因素实际增长5.0%`: the real growth after the nominal one is
        // the same fact's growth net of prices, not a new fact. (Blind labellers split on
        // it: kept as the fact's `实际` growth, no figure lost, no second yoy to contest.)
        let real_after_nominal = draft.yoy.is_some()
            && draft.named_target == named_target
            // `年初计划增长6%,实际增长5.2%`: the result after a target, not a real growth.
            && !s
                .get(draft.quote_start.min(fig.start)..fig.start)
                .is_some_and(|between| ["目标", "计划", "预期"].iter().any(|w| between.contains(w)))
            && matches!(role, FigureRole::Growth { basis: None, .. })
            && lead.contains("实际");
        // `比上年增长2.8%,同口径增长4.5%`: a same-scope growth beside the plain one is
        // against another basis, as the labelling conventions say. After an exclusion
        // (`增长1.2%,扣除留抵退税因素后同口径增长3.6%`) it is the growth net of that
        // exclusion, which the gold format counts as the year-on-year growth.
        let same_scope_after_plain = draft.yoy.is_some()
            && matches!(role, FigureRole::Growth { basis: None, .. })
            && lead.contains("同口径")
            && !s
                .get(draft.end.min(fig.start)..fig.start)
                .is_some_and(|between| {
                    lexicon::EXCLUSION_OPENINGS
                        .iter()
                        .any(|w| between.contains(w))
                });
        // `年均增长8.9%,五年累计增长53.2%`: a growth the figure's own clause says is over
        // years is no year-on-year growth, whatever else the fact holds.
        let over_years = matches!(role, FigureRole::Growth { basis: None, .. })
            && self.words.span_openings.any_in(lead);
        // A figure named a target and one that is not are two facts (`增长6%左右的预期目标
        // 未能完成,实际增长5.3%`).
        let needs_new = match role {
            FigureRole::Value => draft.value.is_some() || draft.yoy.is_some() || averaged,
            FigureRole::Growth { basis: None, .. } => {
                draft.yoy.is_some() && !real_after_nominal && !same_scope_after_plain
            }
            _ => false,
        } || (draft.has_figures()
            && draft.named_target != named_target
            && !matches!(role, FigureRole::Comparison | FigureRole::AbsoluteChange));
        if needs_new {
            let fresh = Draft::new(draft.metric.clone(), seg_start);
            done.push(std::mem::replace(draft, fresh));
        }
        if *role == FigureRole::Value && draft.value.is_none() {
            // `从2020年的10.5万元提高到…`, `由874.6亿元增加到…`.
            let tail_start = lead.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
            // `较“十三五”末的9323.1亿元`: the baseline's level, named before it.
            // `较2020年的45.6微克/立方米`, also after the metric's name in the same clause.
            let baseline = lead
                .rfind(['较', '比'])
                .map(|at| lead[at..].trim())
                .filter(|tail| self.baseline_lead.is_match(tail));
            draft.from = lead[tail_start..].contains(['从', '由']) || baseline.is_some();
            if let Some(tail) = baseline {
                draft.baseline = Some(tail.trim_end_matches('的').to_string());
                // `较2020年的45.6微克/立方米`: the level of that year.
                let digits: String = tail.chars().filter(char::is_ascii_digit).collect();
                if tail.contains('年') && digits.len() == 4 && !tail.contains(['末', '底']) {
                    draft.year = digits.parse().ok();
                }
                // `比上年同期的5.3%`: the same part of the year before; `较上年末的…`,
                // `比上年的…`: the year before.
                draft.year_before = tail.contains("上年") || tail.contains("去年");
                if draft.year_before && !tail.contains("同期") {
                    draft.time = Some(period::TimeRef {
                        year: None,
                        part: period::Part::Year,
                    });
                }
            }
        }
        match role {
            FigureRole::Comparison => {
                let text = s[seg_start.min(fig.start)..fig.end].trim();
                if !text.is_empty() && draft.has_figures() {
                    draft.rank.push(text.to_string());
                }
                return;
            }
            FigureRole::AbsoluteChange => return,
            FigureRole::Value => draft.value = Some((fig.value, fig.unit.to_string())),
            FigureRole::Growth { negative, basis } => {
                let pct = if *negative { -fig.value } else { fig.value };
                match basis {
                    None if real_after_nominal => {
                        if draft.other.is_none() {
                            draft.other = Some(("实际".to_string(), pct));
                        }
                    }
                    None if same_scope_after_plain => {
                        if draft.other.is_none() {
                            draft.other = Some(("同口径".to_string(), pct));
                        }
                    }
                    None if over_years => {
                        if draft.other.is_none() {
                            draft.other = Some(("累计".to_string(), pct));
                        }
                    }
                    // `较“十三五”末的9323.1亿元增加4374.4亿元,增长33.6%`: growth since
                    // the baseline level, not over a year.
                    None if draft.from && draft.value.is_some() => {
                        let basis = draft.baseline.clone().unwrap_or_else(|| "累计".to_string());
                        // The growth of the level stated before the baseline (`完成27.13亿元,
                        // 比2024年的25.21亿元增长7.6%`), against that baseline.
                        let before = done.iter_mut().rev().find(|d| {
                            d.metric.canonical == draft.metric.canonical
                                && d.value.is_some()
                                && !d.from
                                && d.yoy.is_none()
                                && d.other.is_none()
                        });
                        match before {
                            Some(d) if draft.baseline.is_some() => d.other = Some((basis, pct)),
                            _ if draft.other.is_none() => draft.other = Some((basis, pct)),
                            _ => {}
                        }
                    }
                    None => draft.yoy = Some(pct),
                    Some(b) => {
                        if draft.other.is_none() {
                            draft.other = Some((b.clone(), pct));
                        }
                    }
                }
            }
            FigureRole::PointChange { negative } => {
                if draft.pp.is_none() {
                    draft.pp = Some(if *negative { -fig.value } else { fig.value });
                }
            }
        }
        if draft.qualifier.is_none() {
            draft.qualifier = fig.qualifier.map(str::to_string);
        }
        draft.named_target = named_target;
        draft.first_figure.get_or_insert(fig.start);
        draft.end = fig.end;
    }
}

/// Where a sentence names the list before it targets (`…等主要预期目标`, `…等目标任务`), if it
/// does.
fn listed_targets_at(s: &str) -> Option<usize> {
    let at = s.rfind('等')?;
    let rest = s[at + '等'.len_utf8()..].trim_start_matches("主要");
    let rest = ["预期", "发展", "经济社会发展"]
        .iter()
        .find_map(|w| rest.strip_prefix(w))
        .unwrap_or(rest);
    rest.starts_with("目标").then_some(at)
}
