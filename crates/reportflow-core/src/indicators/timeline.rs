//! The document's timeline: which stretch of a report talks about which time.
//!
//! A government work report moves through time in a fixed order whatever its headings say:
//! the five-year review (`过去五年`, `"十四五"时期`), last year's review (`过去一年`,
//! `2025年,…`), the next five-year plan (`"十五五"时期`, `到2030年`), this year's targets
//! (`今年…主要预期目标`). Each cue opens a *stage* that lasts until the next cue, and every
//! figure in it is dated and classified by it unless its own sentence says otherwise.

use regex::Regex;

use super::cue_scan::{CueKind, CueScanner};
use crate::model::IndicatorKind;

/// What a stretch of text is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stage {
    /// Character offset where the stage opens.
    pub(crate) start: u32,
    /// Actual for reviews, target for plans.
    pub(crate) kind: IndicatorKind,
    /// The years a multi-year stage covers (`2021-2025`); `None` for one year.
    pub(crate) span: Option<(i32, i32)>,
}

/// How a figure relates to the stage's span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// A level at a point in time (`地区生产总值达到14.2万亿元`): the span's end year.
    Level,
    /// A sum or an average over the span (`累计`, `年均`, `五年新增就业`): the span.
    Cumulative,
    /// The first end of `从 A 提高到 B`: the year before the span.
    From,
}

/// How far into a paragraph (in characters) a cue may stand and still open a stage.
const MAX_CUE_OFFSET: usize = 20;

/// How far into a line (in bytes) a cue other than this year's targets is looked for: every
/// character of the farthest offset [`opens_paragraph`] allows is before it.
const CUE_HEAD_BYTES: usize = 4 * (3 * MAX_CUE_OFFSET + 1);

/// Finds the stages of a report.
#[derive(Debug)]
pub(crate) struct TimelineFinder {
    cues: CueScanner,
    opening_year: Regex,
}

impl TimelineFinder {
    pub(crate) fn new() -> Self {
        TimelineFinder {
            cues: CueScanner::new(),
            // `2025年,`, `刚刚过去的2025年很不平凡`, `三、2026年工作安排`: a paragraph about
            // that year (`2026年1月` is a date, not a topic).
            opening_year: Regex::new(
                concat!(
                    r"^\s*(?:各位代表[,，:：!！]?\s*)?",
                    r"(?:刚刚过去的|过去的|在刚刚过去的|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])?",
                    r"(\d{4})年(?:[^\d月]|$)",
                ),
            )
            .expect("opening-year regex is valid"),
        }
    }

    /// The stages of `text`, in order. `reviewed` is the year the report reviews and
    /// `planned` the year it plans (2025 and 2026 for a 2026 work report); a line opening
    /// with one of those years (`2025年,全省…`) opens that year's stage.
    pub(crate) fn stages(
        &self,
        text: &str,
        reviewed: Option<i32>,
        planned: Option<i32>,
    ) -> Vec<Stage> {
        let mut out: Vec<Stage> = Vec::new();
        let mut chars = 0u32;
        let mut push = |stage: Stage| {
            if out
                .last()
                .is_none_or(|l| (l.kind, l.span) != (stage.kind, stage.span))
            {
                out.push(stage);
            }
        };
        for line in text.split('\n') {
            let line_start = chars;
            chars += super::sentences::count_chars(line) + 1;
            let mut line_stages: Vec<Stage> = Vec::new();
            for cue in self.cues.head_cues_and_targets(line, CUE_HEAD_BYTES) {
                let before = &line[..cue.start];
                // A stage opens at the head of a paragraph (`过去五年,…`, `各位代表,“十四五”
                // 时期…`); a plan named in passing inside a paragraph about one year
                // (`…“十四五”规划圆满收官`) does not move the text to that plan. This year's
                // targets open one anywhere.
                if cue.kind != CueKind::YearTargets && !opens_paragraph(before) {
                    continue;
                }
                if let CueKind::Plan { .. } = cue.kind {
                    // `这些目标既衔接“十五五”规划目标`: a plan that is the object of a verb is
                    // named, not entered.
                    // `2025年是“十四五”规划收官之年`: one year of the plan, the year the line
                    // opens with, not the plan's five.
                    if ends_with_plan_verb(before)
                        || super::period::names_one_year(&line[cue.end..])
                    {
                        continue;
                    }
                }
                let at = line_start + super::sentences::count_chars(before);
                let stage = |kind, span| Stage {
                    start: at,
                    kind,
                    span,
                };
                match cue.kind {
                    CueKind::FiveReview => {
                        if let Some(r) = reviewed {
                            line_stages.push(stage(IndicatorKind::Actual, Some((r - 4, r))));
                        }
                    }
                    CueKind::YearReview => line_stages.push(stage(IndicatorKind::Actual, None)),
                    CueKind::Plan { ordinal, so_far } => {
                        // The third plan began in 1966; each lasts five years.
                        let first = 1966 + 5 * (ordinal - 3);
                        let span = Some((first, first + 4));
                        match reviewed {
                            Some(r) if first + 4 <= r => {
                                line_stages.push(stage(IndicatorKind::Actual, span))
                            }
                            // `“十四五”以来` reviews the plan's years so far.
                            Some(r) if so_far && first <= r => {
                                line_stages.push(stage(IndicatorKind::Actual, Some((first, r))))
                            }
                            Some(_) => line_stages.push(stage(IndicatorKind::Target, span)),
                            None => {}
                        }
                    }
                    CueKind::FivePlan => {
                        if let Some(p) = planned {
                            line_stages.push(stage(IndicatorKind::Target, Some((p, p + 4))));
                        }
                    }
                    CueKind::ByYear(by) => {
                        if planned.is_some_and(|p| by >= p + 2) {
                            let from = planned.unwrap_or(by);
                            line_stages.push(stage(IndicatorKind::Target, Some((from, by))));
                        }
                    }
                    CueKind::YearTargets => line_stages.push(stage(IndicatorKind::Target, None)),
                }
            }
            // A cue at the head of the line says more than the year it opens with
            // (`一、2025年和“十四五”时期工作回顾`).
            let year = may_open_with_year(line)
                .then(|| self.opening_year.captures(line))
                .flatten()
                .and_then(|c| c[1].parse::<i32>().ok());
            if let (true, Some(r), Some(year)) = (line_stages.is_empty(), reviewed, year) {
                if year == r {
                    line_stages.push(Stage {
                        start: line_start,
                        kind: IndicatorKind::Actual,
                        span: None,
                    });
                } else if Some(year) == planned {
                    line_stages.push(Stage {
                        start: line_start,
                        kind: IndicatorKind::Target,
                        span: None,
                    });
                }
            }
            for st in line_stages {
                push(st);
            }
        }
        out
    }
}

/// Whether a cue after `before` (the paragraph's text up to it) stands at the paragraph's
/// head: near its start (`各位代表,过去五年…`), or opening one of its first sentences
/// (`2025年是“十四五”收官之年。五年来,…`).
fn opens_paragraph(before: &str) -> bool {
    let offset = before.chars().count();
    offset <= MAX_CUE_OFFSET
        || (offset <= 3 * MAX_CUE_OFFSET && before.ends_with(['。', '!', '！', ';', '；']))
}

/// Whether `line` can match the opening-year pattern: after leading whitespace (`\s`, the
/// Unicode `White_Space` that `trim_start` removes too) it must start with a digit (`\d`
/// is any Unicode decimal digit, all of them `is_numeric`), `各位代表`, `刚刚过去的`, `过去的`,
/// `在刚刚过去的`, a Chinese numeral or an opening parenthesis. Most lines fail at once, and
/// the capture search costs far more (property test `opening_year_needs_its_first_char`).
fn may_open_with_year(line: &str) -> bool {
    line.trim_start().chars().next().is_some_and(|c| {
        c.is_numeric()
            || matches!(
                c,
                '各' | '刚'
                    | '过'
                    | '在'
                    | '('
                    | '（'
                    | '一'
                    | '二'
                    | '三'
                    | '四'
                    | '五'
                    | '六'
                    | '七'
                    | '八'
                    | '九'
                    | '十'
            )
    })
}

/// Verbs that take a plan as their object (`衔接“十五五”规划`, `编制“十五五”规划`).
const PLAN_VERBS: &[&str] = &[
    "衔接", "对接", "对标", "落实", "编制", "实施", "围绕", "贯彻", "谋划", "完成", "纳入", "实现",
    "制定", "推进", "开好", "起草", "审议",
];

/// Whether `before` ends with a verb of [`PLAN_VERBS`] (quotes before the plan's name aside).
fn ends_with_plan_verb(before: &str) -> bool {
    let before = before.trim_end_matches(['“', '"', '《']);
    PLAN_VERBS.iter().any(|v| before.ends_with(v))
}

/// The stage at a character offset.
pub(crate) fn stage_at(stages: &[Stage], offset: u32) -> Option<&Stage> {
    stages.iter().take_while(|s| s.start <= offset).last()
}

/// The period of a figure in a stage, or `None` to keep the default.
pub(crate) fn period_in(stage: &Stage, extent: Extent) -> Option<String> {
    let (first, last) = stage.span?;
    Some(match extent {
        Extent::Level => format!("{last}"),
        Extent::Cumulative => format!("{first}-{last}"),
        Extent::From => format!("{}", first - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(IndicatorKind, Option<(i32, i32)>)> {
        TimelineFinder::new()
            .stages(text, Some(2025), Some(2026))
            .into_iter()
            .map(|s| (s.kind, s.span))
            .collect()
    }

    #[test]
    fn a_work_report_moves_through_its_stages() {
        let text = "一、2025年和“十四五”时期工作回顾\n过去五年,全省地区生产总值达到14.2万亿元。\n\
                    2025年,全省地区生产总值增长5.3%。\n二、“十五五”时期主要目标\n\
                    今年经济社会发展的主要预期目标是:地区生产总值增长5%左右。";
        assert_eq!(
            kinds(text),
            vec![
                (IndicatorKind::Actual, Some((2021, 2025))),
                (IndicatorKind::Actual, None),
                (IndicatorKind::Target, Some((2026, 2030))),
                (IndicatorKind::Target, None),
            ]
        );
    }

    #[test]
    fn a_cue_opening_a_later_sentence_of_the_paragraph_opens_a_stage() {
        let text = "各位代表!2025年是“十四五”收官之年。五年来,我们牢记嘱托。\n\
                    ——居民人均可支配收入增长34.3%。";
        assert_eq!(kinds(text)[0], (IndicatorKind::Actual, Some((2021, 2025))));
        // Deep inside a paragraph about one year, a mention of five years is no stage.
        let text = "2025年,全省地区生产总值增长5.3%,规模以上工业增加值增长6%,固定资产投资增长\
                    3%,社会消费品零售总额增长4%,进出口增长2%。五年来首次实现转正。";
        assert_eq!(kinds(text), vec![(IndicatorKind::Actual, None)]);
    }

    #[test]
    fn this_year_after_the_five_returns_to_the_year_reviewed() {
        // `这一年,我们…` after `五年来…`: the year just ended again.
        let text = "五年来,全区地区生产总值年均增长5.9%。\n\
                    这一年,我们聚焦扩大需求,新登记市场主体1.86万户,增长9.3%。";
        assert_eq!(
            kinds(text),
            vec![
                (IndicatorKind::Actual, Some((2021, 2025))),
                (IndicatorKind::Actual, None),
            ]
        );
    }

    #[test]
    fn a_plan_named_as_an_object_opens_no_stage() {
        let text = "二、2026年工作安排\n这些目标的设定,既衔接“十五五”规划目标,又紧扣实际。\n\
                    城镇新增就业21万人。";
        assert_eq!(kinds(text), vec![(IndicatorKind::Target, None)]);
    }

    #[test]
    fn an_older_plan_is_reviewed_by_its_years() {
        let stages =
            TimelineFinder::new().stages("“十一五”时期,财政收入增长", Some(2010), Some(2011));
        assert_eq!(stages[0].span, Some((2006, 2010)));
        assert_eq!(stages[0].kind, IndicatorKind::Actual);
    }

    proptest::proptest! {
        /// A line the first-character test turns away never matches the opening-year
        /// pattern.
        #[test]
        fn opening_year_needs_its_first_char(
            pieces in proptest::collection::vec(
                proptest::prop_oneof![
                    2 => proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                        "2025年", "２０２５年", "各位代表,", "刚刚过去的", "过去的", "在刚刚过去的",
                        "一、", "(三)", "（二）", " ", "\u{3000}", "\t", "年", "月", ",", "全省",
                    ]), String::from),
                    1 => proptest::strategy::Strategy::prop_map(
                        proptest::arbitrary::any::<char>(),
                        String::from,
                    ),
                    1 => "[0-9０-９٠-٩]{1,5}",
                ],
                0..8,
            )
        ) {
            let line: String = pieces.concat();
            let finder = TimelineFinder::new();
            if !may_open_with_year(&line) {
                proptest::prop_assert!(finder.opening_year.captures(&line).is_none(), "{:?}", line);
            }
        }
    }

    #[test]
    fn periods_follow_the_extent() {
        let s = Stage {
            start: 0,
            kind: IndicatorKind::Actual,
            span: Some((2021, 2025)),
        };
        assert_eq!(period_in(&s, Extent::Level).as_deref(), Some("2025"));
        assert_eq!(
            period_in(&s, Extent::Cumulative).as_deref(),
            Some("2021-2025")
        );
        assert_eq!(period_in(&s, Extent::From).as_deref(), Some("2020"));
    }
}
