//! Plan tables: the main targets of a plan-execution report as a table, one column per plan,
//! forecast or result, with the values' qualifiers in the cells:
//!
//! ```text
//! 指标名称 单位 2018年计划 2018年预计完成 2019年计划
//! 地区生产总值增长 % 7左右 7.3 6.5左右
//! 城镇新增就业 万人 60 68 60以上
//! ```
//!
//! A header ([`PlanColumns`]) gives each column its kind and year; each row becomes one draft
//! per filled cell, of that kind and year (a name ending in `增长` makes the cells growth
//! rates).

use regex::Regex;

use super::drafting::Draft;
use super::metric::ResolvedMetric;
use crate::model::IndicatorKind;

/// What one column of a plan table holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum PlanColumn {
    /// Levels (or growth rates, for a row named `…增长` or a column in `(%)`) of this kind,
    /// for this year when the header names one.
    Level {
        kind: IndicatorKind,
        year: Option<i32>,
        percent: bool,
    },
    /// The year-on-year growth of the level column before it.
    Growth,
    /// Anything else (a rank, a note): skipped.
    Skip,
}

/// The columns of a plan table's header, after the name and unit columns.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PlanColumns(pub(super) Vec<PlanColumn>);

/// One filled cell of a plan-table row: the value, its qualifier (`左右`, `以上`; `≥` is
/// `以上`, `≤` `以内`), whether it is marked an estimate (`4.5*`, as such tables footnote
/// `标“*”的为预计数`), and where it starts in the line.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cell {
    pub(super) value: f64,
    pub(super) qualifier: Option<String>,
    pub(super) estimate: bool,
    /// A cell written as a change (`增长6%`, `下降3%`): its value is a growth, negative for
    /// a decline, whatever the row's unit.
    pub(super) change: Option<bool>,
    pub(super) at: usize,
}

/// One column label of a plan table's header, as normalization leaves it (no spaces
/// between Han characters): an optional year or part, then what the column holds.
const PLAN_LABEL: &str = concat!(
    r"(?:\d{4}年)?(?:上半年|全年|年度|1[-—–~至]\d{1,2}月)?",
    r"(?:预计完成|预计|计划目标|计划|预期目标|目标|完成值|实际完成|完成|实际|执行|绝对数|数值",
    r"|同比增长|比上年增长|增长|增速)",
    // `完成情况`, `执行情况`: what the column holds, named by its state.
    r"(?:情况)?(?:\(%\)|%)?",
);

/// The units a table cell or a column label may carry, longest first where one ends
/// another (`万亿元` before `亿元`). Shared by the row and header patterns here and in
/// `tables`, so that a unit one table reader knows every other does too.
pub(super) const TABLE_UNITS: &str =
    "万亿元|亿元|万元|元|亿美元|万美元|美元|万人|人|万户|户|万家|家|%|‰|微克/立方米|微克每立方米|万吨|吨";

/// A row of a plan table: a name (with a parenthesised note, `固定资产投资(1-5月)`), an
/// optional unit, then the cells.
const PLAN_ROW: &str = concat!(
    r"^(?:其中:|#)?\s*(?P<name>(?:PM2\.5|PM10|[\p{Han}A-Za-z&]){2,30}?(?:\([^()]{1,12}\))?)\s*",
    // Normalization drops the blank between a sign unit and a cell in words (`进出口总额增长
    // %稳中提质6.2…`); after a unit in Han characters (`人`) words would be the name's.
    r"(?:(?P<wunit>%|‰)(?P<wcells>\p{Han}.*)|(?P<unit>{TABLE_UNITS})?",
    // Cells open with a figure or a dash, or, after a blank, with words (`稳中提质`).
    r"(?:\s*(?P<cells>(?:[≥≤<>＜＞]?-?\d|—|--|(?:增长|下降)\d).*)|\s+(?P<hcells>\p{Han}.*)))$",
);

/// One cell: a number with an optional bound (`≥4000`) or qualifier and an optional
/// estimate mark (`4.5*`), a dash for an empty cell, or a note in words (`完成市下达任务`:
/// no figure).
const PLAN_CELL: &str = concat!(
    // `增长6%`: a target written as a change in a column of levels.
    r"(?P<verb>增长|下降)?(?P<bound>≥|≤|>|<|＞|＜)?(?P<num>-?\d+(?:\.\d+)?)(?P<pct>%)?",
    r"(?P<q>左右|以上|以内|以下|上下)?(?P<mark>[*＊])?",
    r"|(?P<empty>——|—|--)|(?P<note>\p{Han}+)",
);

/// Reads plan tables: the regexes built once.
#[derive(Debug)]
pub(super) struct PlanReader {
    header_label: Regex,
    row: Regex,
    cell: Regex,
}

impl PlanReader {
    pub(super) fn new() -> Self {
        let re = |p: &str| Regex::new(p).expect("plan table regex is valid");
        PlanReader {
            header_label: re(&format!("^(?:{PLAN_LABEL})")),
            row: re(&PLAN_ROW.replace("{TABLE_UNITS}", TABLE_UNITS)),
            cell: re(PLAN_CELL),
        }
    }

    /// The header of a plan table: `指标名称` (or `指标`, `项目`), `单位`, then at least two
    /// column labels, at least one of which holds plans or forecasts (a table of results
    /// alone is [`TableReader`]'s).
    pub(super) fn header(&self, line: &str) -> Option<PlanColumns> {
        // Every opening word below holds `指标` or `项目`, which blanking the separators
        // leaves as they are: most lines hold neither and need no blanked copy.
        if !line.contains("指标") && !line.contains("项目") {
            return None;
        }
        let cells = with_blank_separators(line);
        let line = cells.trim();
        let line = line.strip_prefix("序号").unwrap_or(line).trim_start();
        let rest = ["指标名称", "主要指标", "指标", "项目"]
            .iter()
            .find_map(|w| line.strip_prefix(w))?
            .trim_start();
        let mut rest = rest.strip_prefix("单位")?.trim_start();
        let mut columns = Vec::new();
        while !rest.is_empty() {
            let m = self.header_label.find(rest)?;
            if m.is_empty() {
                return None;
            }
            columns.push(classify(m.as_str()));
            rest = rest[m.end()..].trim_start();
        }
        let plans = columns.iter().any(|c| {
            matches!(
                c,
                PlanColumn::Level {
                    kind: IndicatorKind::Target | IndicatorKind::Forecast,
                    ..
                }
            )
        });
        (plans && (2..=6).contains(&columns.len())).then_some(PlanColumns(columns))
    }

    /// A row of `columns`' table: its name, its unit (empty when the row gives none) and one
    /// optional cell per column (`—` is an empty cell); `None` when the line is no such row.
    pub(super) fn row<'l>(
        &self,
        columns: &PlanColumns,
        line: &'l str,
    ) -> Option<(&'l str, &'l str, Vec<Option<Cell>>)> {
        // `1|地区生产总值增长|%|6.1|6左右`: the separators and the row number blanked out,
        // every byte in place (the cells' offsets are the line's).
        let blanked = with_blank_separators(line);
        let skip = blanked.len() - blanked.trim_start().len();
        let numbered = blanked[skip..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        // Normalization drops the space between the number and a Han name (`1地区生产总值`).
        let after_number = &blanked[skip + numbered..];
        let skip = if numbered > 0
            && numbered <= 2
            && (after_number.starts_with(' ')
                || after_number.starts_with(|c: char| crate::text::is_hanzi(c)))
        {
            skip + numbered
                + (blanked.len() - skip - numbered - blanked[skip + numbered..].trim_start().len())
        } else {
            skip
        };
        let c = self.row.captures(&blanked[skip..])?;
        let at = |m: regex::Match<'_>| (skip + m.start(), skip + m.end());
        let (cells_start, _) = at(c
            .name("cells")
            .or_else(|| c.name("hcells"))
            .or_else(|| c.name("wcells"))?);
        let mut cells = Vec::new();
        let mut pos = cells_start;
        while pos < blanked.len() {
            let rest = &blanked[pos..];
            let trimmed = rest.trim_start();
            pos += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                break;
            }
            let m = self
                .cell
                .captures(trimmed)
                .filter(|m| m.get(0).is_some_and(|w| w.start() == 0))?;
            let whole = m.get(0)?;
            let bound = m.name("bound").map(|b| match b.as_str() {
                "≥" | ">" | "＞" => "以上",
                _ => "以内",
            });
            cells.push(m.name("num").and_then(|n| {
                Some(Cell {
                    value: n.as_str().parse().ok()?,
                    qualifier: m
                        .name("q")
                        .map(|q| q.as_str())
                        .or(bound)
                        .map(str::to_string),
                    estimate: m.name("mark").is_some(),
                    change: m.name("verb").map(|v| v.as_str() == "下降"),
                    at: pos,
                })
            }));
            pos += whole.end();
        }
        // `规上工业增加值 — 增长8%左右 — 8.2`: a dash in the unit column, for a row of rates.
        if unit_blank(&c) && cells.len() == columns.0.len() + 1 && cells[0].is_none() {
            cells.remove(0);
        }
        let filled = cells.iter().any(Option::is_some);
        let name = c.name("name").map(at).map_or("", |(a, b)| &line[a..b]);
        let unit = c
            .name("unit")
            .or_else(|| c.name("wunit"))
            .map(at)
            .map_or("", |(a, b)| &line[a..b]);
        (cells.len() == columns.0.len() && filled).then_some((name, unit, cells))
    }
}

/// A line with its column separators (`|`, `｜`, tabs) and ideographic spaces turned into
/// as many ASCII spaces as they took bytes, so that offsets stay the line's.
pub(super) fn with_blank_separators(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains(['|', '｜', '\t', '\u{3000}']) {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(c, '|' | '｜' | '\t' | '\u{3000}') {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The kind and year a column label names: `2018年计划`, `2018年预计完成`, `全年预期目标(%)`,
/// `完成值`, `同比增长(%)`.
fn classify(label: &str) -> PlanColumn {
    let year = label
        .find('年')
        .and_then(|i| label.get(i.checked_sub(4)?..i))
        .and_then(|y| y.parse::<i32>().ok());
    let has = |words: &[&str]| words.iter().any(|w| label.contains(w));
    let percent = label.ends_with('%') || label.ends_with("(%)");
    let level = |kind| PlanColumn::Level {
        kind,
        year,
        percent,
    };
    if has(&["增长", "增速", "增幅", "±"]) && !has(&["计划", "目标", "预期"]) {
        PlanColumn::Growth
    } else if has(&["预计"]) {
        level(IndicatorKind::Forecast)
    } else if has(&["计划", "目标", "预期"]) {
        level(IndicatorKind::Target)
    } else if has(&["完成", "实际", "绝对数", "数值", "实绩", "执行"]) {
        level(IndicatorKind::Actual)
    } else {
        PlanColumn::Skip
    }
}

/// The drafts of a plan-table row of `metric`: one per filled level cell, of its column's
/// kind and year (`years` gives a plan's or a forecast's year where the column names none:
/// the row's own dates are the results'); a growth cell adds to the level before it. A row
/// named `…增长` (`metric` then resolved from the name without it) holds growth rates in
/// its level cells, and so does a column in `(%)` on a row of another unit.
pub(super) fn plan_drafts(
    columns: &PlanColumns,
    (metric, unit): (&ResolvedMetric, &str),
    cells: &[Option<Cell>],
    growth_row: bool,
    years: (Option<i32>, Option<i32>),
    line_len: usize,
) -> Vec<Draft> {
    // The kind and year of the level column at `i`.
    let kind_and_year = |i: usize, kind: IndicatorKind, year: Option<i32>, estimate: bool| {
        // `年度目标 | 完成情况`: a plan before the results it is measured against is the
        // results' year's; a plan after them (`预计完成 | 计划`) is the next year's.
        let results_follow = columns.0[i + 1..].iter().any(|c| {
            matches!(
                c,
                PlanColumn::Level {
                    kind: IndicatorKind::Actual | IndicatorKind::Forecast,
                    ..
                }
            )
        });
        let kind = if estimate && kind == IndicatorKind::Actual {
            IndicatorKind::Forecast
        } else {
            kind
        };
        let year = year.or(match kind {
            IndicatorKind::Target if results_follow => years.0,
            IndicatorKind::Target => years.1,
            IndicatorKind::Forecast => years.0,
            _ => None,
        });
        (kind, year)
    };
    let mut out: Vec<Draft> = Vec::new();
    for (i, (column, cell)) in columns.0.iter().zip(cells).enumerate() {
        let Some(cell) = cell else {
            continue;
        };
        let mut draft = Draft::new(metric.clone(), 0);
        draft.qualifier = cell.qualifier.clone();
        draft.first_figure = Some(cell.at);
        draft.end = line_len;
        match *column {
            PlanColumn::Level {
                kind,
                year,
                percent,
            } => {
                if let Some(negative) = cell.change {
                    draft.yoy = Some(if negative { -cell.value } else { cell.value });
                } else if growth_row || (percent && unit != "%") {
                    draft.yoy = Some(cell.value);
                } else if !unit.is_empty() {
                    draft.value = Some((cell.value, unit.to_string()));
                } else {
                    continue;
                }
                let (kind, year) = kind_and_year(i, kind, year, cell.estimate);
                draft.kind = Some(kind);
                draft.year = year;
                out.push(draft);
            }
            PlanColumn::Growth => {
                // `规上工业增加值 | — | 增长8%左右 | — | 8.2`: the results' level left blank,
                // their growth stands alone.
                let blank_results = i
                    .checked_sub(1)
                    .filter(|&before| cells[before].is_none())
                    .and_then(|before| match columns.0[before] {
                        PlanColumn::Level {
                            kind: kind @ (IndicatorKind::Actual | IndicatorKind::Forecast),
                            year,
                            ..
                        } => Some(kind_and_year(before, kind, year, false)),
                        _ => None,
                    });
                if let Some((kind, year)) = blank_results {
                    draft.yoy = Some(cell.value);
                    draft.kind = Some(kind);
                    draft.year = year;
                    out.push(draft);
                } else if let Some(last) = out.last_mut().filter(|d| d.yoy.is_none()) {
                    last.yoy = Some(cell.value);
                }
            }
            PlanColumn::Skip => {}
        }
    }
    out
}

/// Whether a plan-table row names no unit.
fn unit_blank(row: &regex::Captures<'_>) -> bool {
    row.name("unit").or_else(|| row.name("wunit")).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_tables() {
        let p = PlanReader::new();
        // As normalization leaves them: no spaces next to Han characters.
        let c = p
            .header("指标名称单位2018年计划2018年预计完成2019年计划")
            .expect("a plan header");
        assert_eq!(
            c.0,
            [
                PlanColumn::Level {
                    kind: IndicatorKind::Target,
                    year: Some(2018),
                    percent: false
                },
                PlanColumn::Level {
                    kind: IndicatorKind::Forecast,
                    year: Some(2018),
                    percent: false
                },
                PlanColumn::Level {
                    kind: IndicatorKind::Target,
                    year: Some(2019),
                    percent: false
                },
            ]
        );
        let (name, unit, cells) = p
            .row(&c, "地区生产总值增长%7左右7.3 6.5左右")
            .expect("a row");
        assert_eq!((name, unit), ("地区生产总值增长", "%"));
        let values: Vec<_> = cells
            .iter()
            .map(|c| c.as_ref().map(|c| (c.value, c.qualifier.clone())))
            .collect();
        assert_eq!(
            values,
            [
                Some((7.0, Some("左右".to_string()))),
                Some((7.3, None)),
                Some((6.5, Some("左右".to_string())))
            ]
        );
        let (_, unit, cells) = p.row(&c, "城镇新增就业万人60 68 60以上").expect("a row");
        assert_eq!((unit, cells.len()), ("万人", 3));
        assert!(p.row(&c, "城镇新增就业万人60 68").is_none(), "a cell short");
        assert!(
            p.row(&c, "固定资产投资增长% 10 9.6 9").is_some(),
            "a space after the unit"
        );
        assert!(p.row(&c, "2019年全省经济运行平稳").is_none());
        let m = p
            .header("指标名称单位完成值同比增长(%)全年预期目标(%)")
            .expect("a plan header");
        assert_eq!(
            m.0,
            [
                PlanColumn::Level {
                    kind: IndicatorKind::Actual,
                    year: None,
                    percent: false
                },
                PlanColumn::Growth,
                PlanColumn::Level {
                    kind: IndicatorKind::Target,
                    year: None,
                    percent: true
                },
            ]
        );
        let (name, _, cells) = p.row(&m, "固定资产投资(1-5月)亿元—11.4 10").expect("a row");
        assert_eq!((name, cells[0].is_none()), ("固定资产投资(1-5月)", true));
        // A table of results alone stays the plain reader's.
        assert!(p.header("指标单位绝对数比上年增长%").is_none());
    }
}
