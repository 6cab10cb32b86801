//! Drafting: a fact under construction and how it becomes an [`Indicator`]: its kind
//! (actual, target, forecast), its period, its baselines and quantity, and its quote.

use super::context::{current_part, innermost_section, DocContext};
use super::figures::unit_fits;
use super::lexicon;
use super::metric::ResolvedMetric;
use super::period::{is_previous_year, is_previous_year_end, year_before, Part, TimeRef};
use super::sentences::{count_chars, CharIndex, SentenceCues};
use super::timeline::{period_in, stage_at, Extent};
use super::IndicatorExtractor;
use crate::model::{CharSpan, Indicator, IndicatorKind, OtherGrowth, Quantity, ReportKind};
use crate::numbers::base_value;
use crate::taxonomy::UnitClass;

impl IndicatorExtractor {
    pub(super) fn kind(
        &self,
        s: &str,
        cues: &SentenceCues,
        (quote_start, first): (usize, usize),
        char_offset: u32,
        ctx: &DocContext<'_>,
    ) -> IndicatorKind {
        // `预计10862亿元左右,增长5.6%左右,其中上半年增长5.8%`: a clause after the forecast
        // that dates its figure by a part of the year already past reports it.
        let past_part_after = |cue_end: usize| {
            s.get(cue_end..quote_start)
                .is_some_and(|between| between.contains(['，', ',', '；', ';']))
                && cues
                    .time
                    .iter()
                    .any(|(end, t)| (quote_start..=first).contains(end) && t.part.within_a_year())
        };
        // `预计全区地区生产总值由2020年的861.2亿元增加到…`: a year before the one forecast
        // was reported, not forecast.
        let dated_before = || {
            cues.time_before(first)
                .and_then(|t| t.year)
                .zip(ctx.actual_year)
                .is_some_and(|(year, current)| year < current)
        };
        // `预计今年一般公共预算收入增长3.3%,一般公共预算支出规模28.5万亿元`: the spending the
        // budget arranges is planned, not forecast, whatever cue went before.
        let arranged = || {
            s.get(quote_start..first)
                .is_some_and(|lead| lead.contains("支出规模") || lead.contains("预算安排"))
        };
        if cues.forecasts.iter().any(|&(end, until)| {
            end <= first && until.is_none_or(|u| first < u) && !past_part_after(end)
        }) && !dated_before()
            && !arranged()
        {
            // A bulletin is published after its year closed: its `预计` is a preliminary
            // figure of that year, not a forecast.
            if ctx.report_kind != ReportKind::StatisticalBulletin {
                return IndicatorKind::Forecast;
            }
        }
        // `…增长6.1%,年度目标增长7%,未完成`: a figure its own lead names the year's target.
        if self.cites_target_itself(s, quote_start, first) {
            return IndicatorKind::Target;
        }
        let context = self.context_kind(cues, first, char_offset, ctx);
        match cues.target {
            // In a review, a target verb of an earlier clause (`争取上级补助资金29.4亿元,一般
            // 公共预算支出完成31.8亿元`) is that clause's: the figure's own clause says more.
            Some(end)
                if cues.target_is_verb
                    && end <= quote_start
                    && context == IndicatorKind::Actual =>
            {
                // Unless the figure's own clause has a target verb too (`确保下半年新开工
                // 项目30个以上,确保全年固定资产投资增长5%以上`); `争取` in a review is what
                // was won (`争取中央转移支付资金4113.7亿元`).
                let own_verb = s
                    .get(quote_start..first)
                    .is_some_and(|lead| ["力争", "确保"].iter().any(|v| lead.contains(v)));
                if own_verb {
                    IndicatorKind::Target
                } else {
                    context
                }
            }
            Some(end) if end <= first => IndicatorKind::Target,
            _ => context,
        }
    }

    /// Whether a figure's own lead cites a target (`年度目标增长7%`, after the result).
    fn cites_target_itself(&self, s: &str, quote_start: usize, first: usize) -> bool {
        s.get(quote_start.min(first)..first).is_some_and(|lead| {
            self.words.cited_targets.any_in(lead)
                && self
                    .target_cue
                    .find_iter(lead)
                    .any(|m| super::sentences::is_cited_target(m.as_str()))
        })
    }

    /// The kind the report's structure gives a figure: its date, the timeline, the headings.
    fn context_kind(
        &self,
        cues: &SentenceCues,
        first: usize,
        char_offset: u32,
        ctx: &DocContext<'_>,
    ) -> IndicatorKind {
        // A figure the sentence dates to a year already reviewed (`2007年…下降3.27%` in a
        // 2008 report) was reported, whatever part of the report cites it.
        let dated = cues.time_before(first).and_then(|t| t.year);
        if let (Some(year), Some(reviewed)) = (dated, ctx.actual_year) {
            if year <= reviewed && !ctx.stages.is_empty() {
                return IndicatorKind::Actual;
            }
        }
        // A work report's timeline says more than its headings.
        if let Some(stage) = stage_at(&ctx.stages, char_offset) {
            return stage.kind;
        }
        // The innermost heading that says review or plan decides.
        let mut idx = innermost_section(ctx.sections, char_offset);
        while let Some(i) = idx {
            let Some(section) = ctx.sections.get(i as usize) else {
                break;
            };
            if let Some(kind) = ctx.heading_kinds.get(i as usize).copied().flatten() {
                return kind;
            }
            idx = section.parent;
        }
        current_part(&ctx.parts, char_offset).map_or(IndicatorKind::Actual, |p| p.kind)
    }

    pub(super) fn finish(
        &self,
        draft: Draft,
        (s, inherited): (&str, Option<TimeRef>),
        chars: &CharIndex<'_>,
        cues: &SentenceCues,
        sentence_char: u32,
        ctx: &DocContext<'_>,
    ) -> Option<Indicator> {
        let first = draft.first_figure?;
        // A figure whose clause names nothing at all (`一季度、二季度分别增长5.1%、5.2%` with
        // no metric before it) is no fact anyone can query.
        if draft.metric.code.is_none() && draft.metric.canonical.trim().is_empty() {
            return None;
        }
        let quote_start_char = sentence_char + chars.before(draft.quote_start.min(first));
        let stage = stage_at(&ctx.stages, quote_start_char).filter(|st| st.span.is_some());
        let mut kind = self.kind(s, cues, (draft.quote_start, first), quote_start_char, ctx);
        // `全区经济总量虽已突破2.8万亿元,但…`: a level already reached, in a plan as anywhere.
        if kind == IndicatorKind::Target
            && s.get(draft.quote_start.min(first)..first)
                .is_some_and(|lead| lexicon::ALREADY.iter().any(|w| lead.contains(w)))
        {
            kind = IndicatorKind::Actual;
        }
        if draft.from && stage.is_some() {
            // The start of a change over a span was reached before it: an actual level.
            kind = IndicatorKind::Actual;
        }
        if let Some(column_kind) = draft.kind {
            kind = column_kind;
        }
        // The year the report's part gives the figure: what its context says it is, so a
        // target a review or a forecast cites (`预计下降4.2%,未完成年初确定的增长8%的目标`)
        // is the reviewed year's.
        let own_cited = self.cites_target_itself(s, draft.quote_start, first);
        let context_kind = match cues.target {
            _ if kind == IndicatorKind::Target && own_cited => {
                self.context_kind(cues, first, quote_start_char, ctx)
            }
            Some(end) if kind == IndicatorKind::Target && cues.target_cited && end <= first => {
                self.context_kind(cues, first, quote_start_char, ctx)
            }
            _ => kind,
        };
        if kind != IndicatorKind::Target && draft.kind.is_none() && draft.named_target {
            kind = IndicatorKind::Target;
        }
        let part_year = current_part(&ctx.parts, quote_start_char)
            .filter(|p| p.kind == context_kind || context_kind == IndicatorKind::Forecast)
            .and_then(|p| p.year);
        let default_year = part_year.or(match context_kind {
            IndicatorKind::Target => ctx.target_year,
            _ => ctx.actual_year,
        });
        // Months (`1-11月,…`) before a figure its own clause puts at the year's end
        // (`年末城镇登记失业率预计为2.8%`) do not date it: the year does.
        // (`较上年末`, `比去年底` are baselines.)
        let year_end_at = s
            .get(..first)
            .filter(|lead| lead.contains(['末', '底']))
            .and_then(|lead| {
                ["年末", "年底"]
                    .iter()
                    .flat_map(|w| lead.match_indices(w))
                    .map(|(i, _)| i)
                    .filter(|&i| !lead[..i].ends_with(['上', '去']))
                    .max()
            });
        let last_time_end = cues
            .time
            .iter()
            .map(|(end, _)| *end)
            .take_while(|end| *end <= first)
            .last();
        let at_year_end = year_end_at.is_some_and(|at| last_time_end.is_none_or(|t| at >= t));
        // A target a review cites after a result (`1—11月增长5.2%,低于年初确定的7%的目标`)
        // is the year's: months of an earlier clause date the result only.
        let months_before_target = |t: &TimeRef| {
            kind == IndicatorKind::Target
                && t.part.within_a_year()
                && cues
                    .time
                    .iter()
                    .rev()
                    .find(|(end, _)| *end <= first)
                    .is_some_and(|(end, _)| *end <= draft.quote_start)
        };
        // A forecast after months (`1—11月…。实际使用外资预计9.6亿美元`, `前三季度…;居民人均
        // 可支配收入预计分别增长4.9%和6.6%`) is of the whole year: the months date what was
        // stated before the forecast, not the estimate; so for a target a paragraph's
        // opening months leave undated.
        let forecast_at = cues
            .forecasts
            .iter()
            .rev()
            .map(|(end, _)| *end)
            .find(|end| *end <= first);
        let months_before_forecast = |t: &TimeRef| {
            kind == IndicatorKind::Forecast
                && t.part.within_a_year()
                && forecast_at.is_some_and(|cue| {
                    // In an earlier clause (`上半年预计下降2.6%` is the half's estimate).
                    cues.time
                        .iter()
                        .rev()
                        .find(|(end, _)| *end <= first)
                        .is_none_or(|(end, _)| {
                            *end < cue
                                && s.get(*end..cue).is_some_and(|between| {
                                    between.contains(['，', ',', '；', ';', '。'])
                                })
                        })
                })
        };
        let whole_year = |t: TimeRef| TimeRef {
            part: Part::Year,
            ..t
        };
        let time = draft
            .time
            .or_else(|| {
                cues.time_dating(s, first, draft.from).copied().map(|t| {
                    if months_before_target(&t) || months_before_forecast(&t) {
                        whole_year(t)
                    } else {
                        t
                    }
                })
            })
            .or(inherited.filter(|_| !draft.from).map(|t| {
                let planned = kind == IndicatorKind::Target && t.part.within_a_year();
                if planned || months_before_forecast(&t) {
                    whole_year(t)
                } else {
                    t
                }
            }))
            .map(|t| match t.part {
                part if at_year_end && part.within_a_year() => TimeRef {
                    part: Part::Year,
                    ..t
                },
                _ => t,
            });
        // `比上年末的1100亿元`: the year before (with no time of its own, the same part of
        // it: `增速比上年同期(5.3%)`, below).
        let time = match (draft.year_before, default_year, time) {
            (true, Some(year), Some(t)) => Some(TimeRef {
                year: Some(t.year.unwrap_or(year) - 1),
                part: t.part,
            }),
            _ => time,
        };
        // The figure's clause up to it: `五年累计完成固定资产投资12.8万亿元` says it sums
        // over years before the metric's quote begins.
        let clause = &s[clause_start(s, draft.quote_start.min(first))..first];
        let extent = if draft.from {
            Extent::From
        } else if self.is_cumulative(clause, draft.metric.code.as_deref()) {
            Extent::Cumulative
        } else {
            Extent::Level
        };
        // `到2030年,力争全县国内生产总值突破230亿元`: a level targeted by a deadline the
        // sentence names is that year's, wherever the paragraph stands on the timeline.
        let deadline = (kind == IndicatorKind::Target
            && time.is_none()
            && draft.value.is_some()
            && draft.yoy.is_none()
            && extent == Extent::Level)
            .then(|| self.inner_date.find_iter(&s[..first]).last())
            .flatten()
            .and_then(|m| {
                let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
                digits.parse::<i32>().ok()
            })
            .filter(|y| default_year.is_some_and(|d| *y > d));
        let mut period = match (draft.year, time) {
            // A plan table's column names its year.
            (Some(year), _) => year.to_string(),
            // A level reached within a plan's years (`展望“十五五”,…地区生产总值突破4500亿元`)
            // is dated by the year it is reached by, as the timeline dates it.
            (
                None,
                Some(TimeRef {
                    part: Part::Years(_, last),
                    ..
                }),
            ) if matches!(extent, Extent::Level | Extent::From)
                && draft.value.is_some()
                && draft.yoy.is_none()
                // A flow over the years (`新增人口100万`) covers all of them.
                && !["新增", "净增", "新设", "新登记", "增加"]
                    .iter()
                    .any(|w| draft.metric.canonical.contains(w)) =>
            {
                format!("{last}")
            }
            (None, Some(t)) => t.render(default_year),
            (None, None) if draft.milestone => "unknown".to_string(),
            (None, None) if deadline.is_some() => {
                deadline.map_or_else(String::new, |y| y.to_string())
            }
            (None, None) => stage
                .and_then(|st| period_in(st, extent))
                .or_else(|| {
                    // `五年累计完成固定资产投资12.8万亿元` outside a five-year stage: the five
                    // years up to the one reviewed.
                    let five = extent == Extent::Cumulative && clause.contains("五年");
                    five.then_some(default_year)
                        .flatten()
                        .map(|y| format!("{}-{y}", y - 4))
                })
                .unwrap_or_else(|| default_period(ctx, kind, default_year)),
        };
        if draft.year_before && time.is_none() {
            period = year_before(&period);
        }
        // `今年…增长5%左右,上年为增长5.1%`: what the year before came to is an actual, in a
        // plan or a forecast as anywhere; not what it set out to do (`较上年6%左右的目标`).
        if draft.year_before && !draft.named_target {
            kind = IndicatorKind::Actual;
        }
        let (mut yoy, mut other) = (draft.yoy, draft.other);
        // A plain growth over a multi-year review, or one the sentence says is over years
        // (`居民人均可支配收入五年增长30.8%`), is cumulative, not year on year; one written
        // against the year before (`比上年上涨4.8%`) stays year on year.
        let over_years = s
            .get(draft.quote_start.min(first)..first)
            .is_some_and(|lead| self.words.span.any_in(lead))
            || cues.span_opening_end.is_some_and(|end| end <= first);
        // `“十四五”时期,…能耗累计下降14.2%`, a plan's `能耗累计下降13%左右`: a change over the
        // span (in one year, `1-11月累计增长` is the year so far: year on year).
        // A growth the sentence dates by a span of years (`“十一五”规划提出的…能耗降低20%左右`)
        // is over that span too.
        let spanned = time.is_some_and(|t| matches!(t.part, Part::Years(..) | Part::PastYears(_)));
        let over_span = spanned
            || (s
                .get(draft.quote_start.min(first)..first)
                .is_some_and(|lead| lead.contains("累计"))
                && time.is_none()
                && stage.is_some_and(|st| st.span.is_some()));
        if other.is_none()
            && ((time.is_none() && stage.is_some_and(|st| st.kind == IndicatorKind::Actual))
                || over_years
                || over_span)
            && !self
                .yoy_basis
                .is_match(s.get(draft.quote_start.min(first)..draft.end).unwrap_or(""))
        {
            if let Some(pct) = yoy.take() {
                other = Some(("累计".to_string(), pct));
                // A growth over the span is dated by the span, whatever the level beside it.
                if let (None, false, Some(span)) = (
                    time,
                    draft.value.is_some(),
                    stage.and_then(|st| period_in(st, Extent::Cumulative)),
                ) {
                    period = span;
                }
            }
        }
        // `比2020年增长` in a report on 2021 is growth over the year before: year on year.
        if yoy.is_none()
            && other.as_ref().is_some_and(|(b, _)| {
                is_previous_year(b, &period) || is_previous_year_end(b, &period)
            })
        {
            yoy = other.take().map(|(_, pct)| pct);
        }
        let code = draft.metric.code.clone();
        let class = code.as_deref().and_then(|c| self.metrics.unit_class(c));
        let mut value = draft.value;
        // A percentage of a change metric (CPI) is its growth, and so is a percentage of a
        // money amount (`经济增长预期目标为5%左右`): an amount of money is never a percent.
        if yoy.is_none()
            && (code
                .as_deref()
                .is_some_and(|c| lexicon::CHANGE_METRICS.contains(&c))
                || class == Some(UnitClass::Money))
            && value.as_ref().is_some_and(|(_, unit)| unit == "%")
        {
            yoy = value.take().map(|(v, _)| v);
        }
        let quantity = value.and_then(|(value, unit)| {
            if let Some(class) = class {
                if !unit_fits(class, &unit) {
                    return None;
                }
            }
            // A bare magnitude of a money metric (`超千亿`) counts yuan.
            let unit = if class == Some(UnitClass::Money) && !unit.ends_with('元') {
                format!("{unit}元")
            } else {
                unit
            };
            let (base, base_unit) = base_value(value, &unit);
            Some(Quantity {
                value,
                unit,
                base_value: base,
                base_unit,
            })
        });
        if quantity.is_none() && yoy.is_none() && other.is_none() && draft.pp.is_none() {
            return None;
        }
        let (quote_start, quote_end) = quote_bounds(s, draft.quote_start.min(first), draft.end);
        let quote = s[quote_start..quote_end].to_string();
        let start = sentence_char + chars.before(quote_start);
        let span = CharSpan {
            start,
            end: start + count_chars(&quote),
        };
        Some(Indicator {
            section: innermost_section(ctx.sections, span.start),
            metric: draft.metric.written,
            code,
            kind,
            period,
            quantity,
            yoy_pct: yoy,
            other_growth: other.map(|(basis, pct)| OtherGrowth { basis, pct }),
            pp_change: draft.pp,
            qualifier: draft.qualifier,
            rank: (!draft.rank.is_empty()).then(|| draft.rank.join(",")),
            quote,
            span,
        })
    }
}

/// The longest evidence quote, in characters.
const MAX_QUOTE_CHARS: usize = 120;

/// A fact under construction.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    pub(super) metric: ResolvedMetric,
    pub(super) quote_start: usize,
    pub(super) first_figure: Option<usize>,
    pub(super) end: usize,
    pub(super) value: Option<(f64, String)>,
    pub(super) yoy: Option<f64>,
    pub(super) other: Option<(String, f64)>,
    pub(super) pp: Option<f64>,
    pub(super) qualifier: Option<String>,
    pub(super) rank: Vec<String>,
    /// The first end of `从 A 提高到 B`: a level before the period the text is about.
    pub(super) from: bool,
    /// A milestone passed before the last one of a list (`连跨5万亿元、6万亿元`): when it
    /// was passed the text does not say.
    pub(super) milestone: bool,
    /// Its figures are followed by what names them a target (`增长6%左右的预期目标`).
    pub(super) named_target: bool,
    /// The kind and year a plan table's column gives, over what the text would say.
    pub(super) kind: Option<IndicatorKind>,
    pub(super) year: Option<i32>,
    /// The time a list names for this figure (`一、二、三、四季度…分别增长…`).
    pub(super) time: Option<TimeRef>,
    /// The figure is the same part of the year before (`增速比上年同期(5.3%)…`).
    pub(super) year_before: bool,
    /// The baseline a level was named by (`比2024年` for `比2024年的25.21亿元`): a growth
    /// after it is against that baseline.
    pub(super) baseline: Option<String>,
}

impl Draft {
    pub(super) fn new(metric: ResolvedMetric, quote_start: usize) -> Self {
        Draft {
            metric,
            quote_start,
            first_figure: None,
            end: quote_start,
            value: None,
            yoy: None,
            other: None,
            pp: None,
            qualifier: None,
            rank: Vec::new(),
            from: false,
            milestone: false,
            named_target: false,
            kind: None,
            year: None,
            time: None,
            year_before: false,
            baseline: None,
        }
    }

    pub(super) fn has_figures(&self) -> bool {
        self.value.is_some() || self.yoy.is_some() || self.other.is_some() || self.pp.is_some()
    }
}

/// Whether a figure whose lead is `lead` sums or averages over its stage's span rather than
/// stating a level at its end: `累计`, `五年`, `年均`, `每年` say so, and new jobs and new
/// businesses are flows, summed whenever a span is their period.
impl IndicatorExtractor {
    fn is_cumulative(&self, lead: &str, code: Option<&str>) -> bool {
        // `PM2.5年均浓度`: the metric's name, not an average over years.
        let lead: std::borrow::Cow<'_, str> = if lead.contains('浓') && lead.contains("年均浓度")
        {
            lead.replace("年均浓度", "浓度").into()
        } else {
            lead.into()
        };
        self.words.cumulative.any_in(&lead)
            || code.is_some_and(|c| lexicon::FLOW_METRICS.contains(&c))
    }
}

fn default_period(ctx: &DocContext<'_>, kind: IndicatorKind, year: Option<i32>) -> String {
    let Some(year) = year else {
        return "unknown".to_string();
    };
    match (ctx.report_kind, kind, ctx.title_part) {
        (_, IndicatorKind::Actual, Some(part)) => TimeRef {
            year: Some(year),
            part,
        }
        .render(None),
        (ReportKind::PlanExecutionMidYear, IndicatorKind::Actual, None) => format!("{year}H1"),
        _ => format!("{year}"),
    }
}

/// The byte range of a quote of at most [`MAX_QUOTE_CHARS`] characters ending at `end`.
fn quote_bounds(s: &str, start: usize, end: usize) -> (usize, usize) {
    let end = end.min(s.len());
    let start = start.min(end);
    let mut start = start;
    let n = count_chars(&s[start..end]) as usize;
    if n > MAX_QUOTE_CHARS {
        // Keep the end, where the figures are.
        start = s[start..end]
            .char_indices()
            .nth(n - MAX_QUOTE_CHARS)
            .map_or(start, |(i, _)| start + i);
    }
    (start, end)
}

/// The start of the clause holding byte `at`: just after the last clause separator before it.
fn clause_start(s: &str, at: usize) -> usize {
    super::sentences::after_last_of(s, at, &['，', ',', '、', '；', ';', '：', ':', '。'])
}
