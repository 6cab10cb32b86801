//! Time phrases (`上半年`, `1-11月`, `二季度`, `2020年`) and the periods they name.
//!
//! A figure's period is the last time phrase before it in its sentence, unless that phrase
//! is a baseline (`比2019年上半年`, `较一季度`, `去年同期`): baselines say what a growth is
//! measured against, not what the figure covers.

use regex::Regex;
use std::ops::Range;

/// The part of a year a time phrase names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Year,
    Half(u8),
    Quarter(u8),
    Quarters(u8, u8),
    Month(u8),
    Months(u8, u8),
    /// A span of whole years (`2021-2025`, `十四五`).
    Years(i32, i32),
    /// The last n years up to the default year (`过去五年`).
    PastYears(i32),
}

impl Part {
    /// Whether this is a part within one year (a half, quarters, months), not a whole year
    /// or a span of years.
    pub(crate) fn within_a_year(self) -> bool {
        matches!(
            self,
            Part::Half(_)
                | Part::Quarter(_)
                | Part::Quarters(..)
                | Part::Month(_)
                | Part::Months(..)
        )
    }
}

/// A time phrase: an optional explicit year and the part it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeRef {
    pub(crate) year: Option<i32>,
    pub(crate) part: Part,
}

impl TimeRef {
    /// The period string of this phrase, taking `default_year` when no year is written.
    pub(crate) fn render(&self, default_year: Option<i32>) -> String {
        if let Part::Years(a, b) = self.part {
            return format!("{a}-{b}");
        }
        let Some(year) = self.year.or(default_year) else {
            return "unknown".to_string();
        };
        match self.part {
            Part::Year => format!("{year}"),
            Part::Half(h) => format!("{year}H{h}"),
            Part::Quarter(q) => format!("{year}Q{q}"),
            Part::Quarters(a, b) => format!("{year}Q{a}-{b}"),
            Part::Month(m) => format!("{year}M{m:02}"),
            Part::Months(a, b) => format!("{year}M{a:02}-{b:02}"),
            Part::PastYears(n) => format!("{}-{year}", year - n + 1),
            Part::Years(..) => unreachable_years(),
        }
    }
}

// Part::Years returns early above; kept as a function so the match stays exhaustive
// without a panic path.
fn unreachable_years() -> String {
    "unknown".to_string()
}

/// Every time phrase [`PeriodFinder`] knows holds one of these characters: years and
/// halves `年`, quarters `季`, months `月`, five-year plans `十四五`.
const PERIOD_CHARS: [char; 4] = ['年', '季', '月', '五'];

/// Verbs of change that, followed by `到`/`至` and a year, say when a level was reached.
const CHANGE_VERBS: &[&str] = &[
    "增加", "提高", "提升", "上升", "增长", "下降", "降低", "减少",
];

/// Finds time phrases in text.
#[derive(Debug)]
pub(crate) struct PeriodFinder {
    re: Regex,
}

impl PeriodFinder {
    pub(crate) fn new() -> Self {
        // Every alternative is non-empty: a pattern that can match the empty string makes
        // `captures_iter` run the capture engine at every position (it was 40% of the
        // whole extraction). The parts of a year therefore appear twice, once after a
        // year and once alone, with `_b` group names for the second copy.
        let parts = |sfx: &str| {
            format!(
                concat!(
                    r"(?:(?P<half{s}>上半年|下半年)|(?P<full{s}>全年)|(?P<q3{s}>前三季度)",
                    r"|(?P<qr{s}>(?P<qa{s}>[1-4一二三四])[-—~至到](?P<qb{s}>[1-4一二三四])季度)",
                    r"|(?P<q{s}>第?[一二三四1-4]季度)",
                    r"|(?P<mr{s}>(?P<ma{s}>\d{{1,2}})[-—~至到](?P<mb{s}>\d{{1,2}})月)",
                    // `前11个月`: the months of the year so far.
                    r"|(?P<mfirst{s}>前(?P<mn{s}>\d{{1,2}}|十[一二]|[二三四五六七八九十])个月)",
                    r"|(?P<m{s}>(?P<mm{s}>\d{{1,2}})月(?:份|末|底)?)(?P<day{s}>\d{{1,2}}日)?)",
                ),
                s = sfx
            )
        };
        let pattern = format!(
            concat!(
                r"(?P<pre>比|较|与|同|至|到|高于|低于|截至)?",
                r"(?:(?P<span>(?P<ya>\d{{4}})[-—~至到](?P<yb>\d{{4}})年)|(?P<plan>十[一二三四五六]五)",
                // Older plans, quoted as reports write them (`“九五”期间`, `“十五”计划`).
                r"|(?P<oldplan>十|[六七八九])五”",
                r"|(?P<past>(?:过去|近|前)(?P<pn>[二两三四五六七八九十])年)",
                r"|(?:(?P<year>\d{{4}})年|(?P<rel>今年|去年|上年|本年)){a}?",
                r"|{b})",
                r"(?P<post>同期|末|底)?",
            ),
            a = parts(""),
            b = parts("_b"),
        );
        let re = Regex::new(&pattern).expect("period regex is valid");
        PeriodFinder { re }
    }

    /// Every time phrase in `text` that names what a following figure covers, with the
    /// byte offset where it ends, in text order.
    pub(crate) fn all(&self, text: &str) -> Vec<(usize, TimeRef)> {
        let mut found = Vec::new();
        // Most clauses name no time at all; the capture search costs far more than this.
        if !text.contains(PERIOD_CHARS) {
            return found;
        }
        for caps in self.re.captures_iter(text) {
            let Some(whole) = caps.get(0).filter(|m| !m.as_str().is_empty()) else {
                continue;
            };
            // `增加到2007年13786元`: after a verb of change, `到` dates the level reached;
            // elsewhere a year after `比`, `到`, `截至` is a baseline or a deadline.
            let dated_level = caps.name("pre").is_some_and(|p| {
                matches!(p.as_str(), "到" | "至")
                    && CHANGE_VERBS.iter().any(|v| text[..p.start()].ends_with(v))
            })
                // `较“十三五”末的9323.1亿元`: the baseline's own level, dated by it.
                || (caps.name("post").is_some_and(|m| matches!(m.as_str(), "末" | "底"))
                    && text[whole.end()..].starts_with('的'))
                || ["”末的", "”底的"]
                    .iter()
                    .any(|t| text[whole.end()..].starts_with(t));
            // `比“十三五”时期`: a quoted plan after a baseline word is a baseline too.
            let quoted_pre = text[..whole.start()]
                .strip_suffix('“')
                .is_some_and(|head| head.ends_with(['比', '较']));
            // `为近十年来最高`: a record over a span, which dates no figure.
            let record = caps.name("past").is_some()
                && [
                    "来最",
                    "以来最",
                    "来首次",
                    "以来首次",
                    "来新高",
                    "最高",
                    "最低",
                    "最快",
                ]
                .iter()
                .any(|w| text[whole.end()..].starts_with(w));
            // `也是“十四五”规划的收官之年`: one year of the plan, not its five.
            let one_year_of_plan =
                caps.name("plan").is_some() && names_one_year(&text[whole.end()..]);
            if record || one_year_of_plan {
                continue;
            }
            // `按2000年价格计算`: the prices' base year, not what the figure covers.
            let price_base = text[..whole.start()].ends_with('按')
                || text[whole.end()..].starts_with("价格")
                || text[whole.end()..].starts_with("不变价");
            if price_base
                || ((caps.name("pre").is_some() || quoted_pre) && !dated_level)
                || caps.name("post").is_some_and(|m| m.as_str() == "同期")
                || caps.name("day").or(caps.name("day_b")).is_some()
                || caps
                    .name("rel")
                    .is_some_and(|m| matches!(m.as_str(), "去年" | "上年"))
            {
                continue;
            }
            if let Some(t) = self.time_ref(&caps) {
                found.push((whole.end(), t));
            }
        }
        found
    }

    /// The last list of parts of a year in `text` (`一季度、上半年、前三季度和全年`: at least
    /// two time phrases joined only by list separators), with the byte range it spans. A
    /// `分别` list of figures after it goes through these parts in order.
    pub(crate) fn listed_parts(&self, text: &str) -> Option<(Vec<TimeRef>, Range<usize>)> {
        if !text.contains(PERIOD_CHARS) {
            return None;
        }
        let mut run: Vec<TimeRef> = Vec::new();
        let mut span = 0..0;
        let mut last: Option<(Vec<TimeRef>, Range<usize>)> = None;
        for caps in self.re.captures_iter(text) {
            let Some(whole) = caps.get(0).filter(|m| !m.as_str().is_empty()) else {
                continue;
            };
            let Some(t) = self
                .time_ref(&caps)
                .filter(|t| t.part.within_a_year() || t.part == Part::Year)
            else {
                continue;
            };
            let joined = !run.is_empty()
                && matches!(
                    text[span.end..whole.start()].trim(),
                    "、" | "和" | "及" | "与" | "以及"
                );
            if !joined {
                run.clear();
                span.start = whole.start();
            }
            run.push(t);
            span.end = whole.end();
            if run.len() >= 2 {
                last = Some((run.clone(), span.clone()));
            }
        }
        last
    }

    /// The last time phrase in `text` that names what a following figure covers.
    #[cfg(test)]
    pub(crate) fn last(&self, text: &str) -> Option<TimeRef> {
        self.all(text).pop().map(|(_, t)| t)
    }

    fn time_ref(&self, caps: &regex::Captures<'_>) -> Option<TimeRef> {
        let g = |name: &str| caps.name(name).or_else(|| caps.name(&format!("{name}_b")));
        let num = |name: &str| g(name).and_then(|m| small_number(m.as_str()));
        if caps.name("span").is_some() {
            let a = caps.name("ya")?.as_str().parse().ok()?;
            let b = caps.name("yb")?.as_str().parse().ok()?;
            return (a < b).then_some(TimeRef {
                year: None,
                part: Part::Years(a, b),
            });
        }
        if caps.name("past").is_some() {
            let n = match caps.name("pn").map(|m| m.as_str()) {
                Some("两") => 2,
                Some(n) => i32::from(small_number(n).unwrap_or(match n {
                    "七" => 7,
                    "八" => 8,
                    "九" => 9,
                    _ => 10,
                })),
                None => return None,
            };
            return Some(TimeRef {
                year: None,
                part: Part::PastYears(n),
            });
        }
        if let Some(old) = caps.name("oldplan") {
            let n = match old.as_str() {
                "六" => 6,
                "七" => 7,
                "八" => 8,
                "九" => 9,
                _ => 10,
            };
            let start = 1966 + 5 * (n - 3);
            return Some(TimeRef {
                year: None,
                part: Part::Years(start, start + 4),
            });
        }
        if let Some(plan) = caps.name("plan") {
            // Five-year plans run back to back since the third (1966-1970), so the n-th
            // starts in 1966 + 5 (n - 3): 十四五 is 2021-2025.
            let n = plan
                .as_str()
                .chars()
                .nth(1)
                .and_then(|c| small_number(&c.to_string()))?;
            let n = 10 + i32::from(n);
            let start = 1966 + 5 * (n - 3);
            return Some(TimeRef {
                year: None,
                part: Part::Years(start, start + 4),
            });
        }
        let year = caps
            .name("year")
            .and_then(|m| m.as_str().parse::<i32>().ok());
        let part = if let Some(h) = g("half") {
            Part::Half(if h.as_str() == "上半年" { 1 } else { 2 })
        } else if g("full").is_some() {
            Part::Year
        } else if g("q3").is_some() {
            Part::Quarters(1, 3)
        } else if g("qr").is_some() {
            let (a, b) = (num("qa")?, num("qb")?);
            if !(1..=4).contains(&a) || !(a..=4).contains(&b) {
                return None;
            }
            Part::Quarters(a, b)
        } else if let Some(q) = g("q") {
            let n = q
                .as_str()
                .chars()
                .find_map(|c| small_number(&c.to_string()))?;
            if !(1..=4).contains(&n) {
                return None;
            }
            Part::Quarter(n)
        } else if g("mfirst").is_some() {
            let n = num("mn")?;
            if !(2..=12).contains(&n) {
                return None;
            }
            Part::Months(1, n)
        } else if g("mr").is_some() {
            let (a, b) = (num("ma")?, num("mb")?);
            if !(1..=12).contains(&a) || !(a..=12).contains(&b) {
                return None;
            }
            Part::Months(a, b)
        } else if let Some(month) = g("m") {
            let m = num("mm")?;
            if !(1..=12).contains(&m) {
                return None;
            }
            // `12月末` is the year's end: a balance then is the year's.
            if m == 12 && month.as_str().ends_with(['末', '底']) {
                Part::Year
            } else {
                Part::Month(m)
            }
        } else if year.is_some() || caps.name("rel").is_some() {
            Part::Year
        } else {
            return None;
        };
        Some(TimeRef { year, part })
    }
}

/// The times a `分别` list of figures goes through, in order, as the text names them before
/// the list: quarters (`一、二、三、四季度`) or years (`2006年和2007年`). Empty when there is
/// no such list; the last list before the end of `text` is the one.
pub(crate) fn listed_times(text: &str) -> Vec<TimeRef> {
    // Quarters: the list ends at the last `季度`.
    if let Some(end) = text.rfind("季度") {
        let head = &text[..end];
        let mut quarters: Vec<u8> = Vec::new();
        let mut rest = head;
        while let Some(c) = rest.chars().next_back() {
            let Some(q) = small_number(&c.to_string()).filter(|q| (1..=4).contains(q)) else {
                break;
            };
            quarters.push(q);
            rest = &rest[..rest.len() - c.len_utf8()];
            let Some(before) = without_join(rest) else {
                break;
            };
            rest = before;
        }
        if quarters.len() >= 2 {
            quarters.reverse();
            return quarters
                .into_iter()
                .map(|q| TimeRef {
                    year: None,
                    part: Part::Quarter(q),
                })
                .collect();
        }
    }
    // Years: `2006年和2007年`, `2023年、2024年`; the list ends at a `年`.
    let mut end = text.len();
    while let Some(at) = text[..end].rfind('年') {
        let years = years_ending_at(&text[..at + '年'.len_utf8()]);
        if years.len() >= 2 {
            return years
                .into_iter()
                .map(|y| TimeRef {
                    year: Some(y),
                    part: Part::Year,
                })
                .collect();
        }
        end = at;
    }
    Vec::new()
}

/// `text` less the list join it ends with (`、`, `和`, `及`, `与`), if it ends with one.
fn without_join(text: &str) -> Option<&str> {
    text.strip_suffix(['、', '和', '及', '与'])
}

/// The years of a list of years that ends `text` (`2006年和2007年`), in order.
fn years_ending_at(text: &str) -> Vec<i32> {
    let mut years: Vec<i32> = Vec::new();
    let mut rest = text;
    while let Some(head) = rest.strip_suffix('年') {
        let digits = head.bytes().rev().take_while(u8::is_ascii_digit).count();
        if digits != 4 {
            break;
        }
        let Ok(year) = head[head.len() - 4..].parse() else {
            break;
        };
        years.push(year);
        rest = &head[..head.len() - 4];
        let Some(before) = without_join(rest) else {
            break;
        };
        rest = before;
    }
    years.reverse();
    years
}

fn small_number(s: &str) -> Option<u8> {
    match s {
        "一" => Some(1),
        "二" => Some(2),
        "三" => Some(3),
        "四" => Some(4),
        "五" => Some(5),
        "六" => Some(6),
        _ => s.parse().ok(),
    }
}

/// Whether a baseline is the end of the previous year (`比上年末`, or `比年初`: the start of
/// the year is the end of the last) for a figure of a whole year (`2022`): a year-end balance
/// against the last one is its year-on-year change.
pub(super) fn is_previous_year_end(basis: &str, period: &str) -> bool {
    matches!(
        basis,
        "比上年末" | "较上年末" | "比去年末" | "较去年末" | "比年初" | "较年初"
    ) && period.len() == 4
        && period.bytes().all(|b| b.is_ascii_digit())
}

/// Whether a baseline (`比2020年`, `较2020年同期`) is the same period a year before
/// `period` (`2021`, `2021H1`).
pub(super) fn is_previous_year(basis: &str, period: &str) -> bool {
    let Some(rest) = basis
        .strip_prefix("比")
        .or_else(|| basis.strip_prefix("较"))
    else {
        return false;
    };
    let (Some(year), Some(tail)) = (rest.get(..4), rest.get(4..)) else {
        return false;
    };
    let (Ok(base), Some(Ok(current))) =
        (year.parse::<i32>(), period.get(..4).map(str::parse::<i32>))
    else {
        return false;
    };
    let same_part = match tail {
        "年" | "年同期" => true,
        "年上半年" => period.ends_with("H1"),
        "年全年" => period.len() == 4,
        _ => false,
    };
    base + 1 == current && same_part
}

/// The same period a year earlier: `2025H1` → `2024H1`, `2021-2025` → `2020-2024`.
pub(super) fn year_before(period: &str) -> String {
    let shift = |y: &str| {
        y.parse::<i32>()
            .map_or(y.to_string(), |y| (y - 1).to_string())
    };
    match (period.get(..4), period.get(4..)) {
        (Some(y), Some(rest)) if y.bytes().all(|b| b.is_ascii_digit()) => match rest
            .strip_prefix('-')
            .filter(|r| r.len() == 4 && r.bytes().all(|b| b.is_ascii_digit()))
        {
            Some(end) => format!("{}-{}", shift(y), shift(end)),
            None => format!("{}{rest}", shift(y)),
        },
        _ => period.to_string(),
    }
}

/// Where each `去年` of `text` that names the time of what follows ends: not a baseline
/// (`比去年`, `较去年`, `与去年`, `同去年`), nor the start of a change (`将由去年的1076亿元
/// 增加到1562亿元`: what follows is the end's), nor a part or a span of it (`去年同期`,
/// `去年底`, `去年末`, `去年以来`).
pub(crate) fn last_year_mentions(text: &str) -> impl Iterator<Item = usize> + '_ {
    year_word_mentions(text, "去年")
}

/// Where each `今年` of `text` that names the time of what follows ends, as
/// [`last_year_mentions`] finds `去年`.
pub(crate) fn this_year_mentions(text: &str) -> impl Iterator<Item = usize> + '_ {
    year_word_mentions(text, "今年")
}

fn year_word_mentions<'t>(text: &'t str, word: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(word).filter_map(move |(at, w)| {
        let end = at + w.len();
        let before = &text[..at];
        let after = &text[end..];
        let baseline = [
            "比", "较", "与", "同", "至", "到", "高于", "低于", "于", "由", "从",
        ]
        .iter()
        .any(|p| before.ends_with(p));
        let part = ["同期", "底", "末", "以来", "年底", "同"]
            .iter()
            .any(|p| after.starts_with(p));
        (!baseline && !part).then_some(end)
    })
}

/// Whether the words after a plan's name make it one of its years (`…收官之年`, `…开局之年`,
/// `…的第一年`, `实现“十四五”规划目标任务的关键一年`).
pub(crate) fn names_one_year(after: &str) -> bool {
    let near: String = after.chars().take(12).collect();
    near.contains("之年") || near.contains("一年")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> String {
        PeriodFinder::new()
            .last(text)
            .map_or("none".to_string(), |t| t.render(Some(2021)))
    }

    #[test]
    fn periods_of_time_phrases() {
        assert_eq!(period("上半年地区生产总值"), "2021H1");
        assert_eq!(period("1-11月,一般公共预算收入"), "2021M01-11");
        assert_eq!(period("1-3季度居民人均可支配收入"), "2021Q1-3");
        assert_eq!(period("前三季度"), "2021Q1-3");
        assert_eq!(period("前11个月,全省进出口总额"), "2021M01-11");
        assert_eq!(period("前五个月"), "2021M01-05");
        assert_eq!(period("上半年…其中二季度单季"), "2021Q2");
        assert_eq!(period("6月月均浓度"), "2021M06");
        assert_eq!(period("其中6-9月月均浓度"), "2021M06-09");
        assert_eq!(period("2020年再实现"), "2020");
        assert_eq!(period("2022年上半年"), "2022H1");
        assert_eq!(period("\"十四五\"时期"), "2021-2025");
        assert_eq!(period("2021-2025年"), "2021-2025");
        assert_eq!(period("过去五年,全区地区生产总值年均"), "2017-2021");
    }

    #[test]
    fn baselines_and_dates_are_not_periods() {
        assert_eq!(period("较一季度提高"), "none");
        assert_eq!(period("比2019年上半年增长"), "none");
        assert_eq!(period("比去年同期"), "none");
        assert_eq!(period("2021年8月5日"), "none");
        assert_eq!(period("上半年…较一季度"), "2021H1");
    }
}
