//! Statistical tables flattened into lines, as bulletins publish their main indicators:
//!
//! ```text
//! 指标单位绝对数比上年增长%
//! 地区生产总值亿元1234.5 5.6
//! 社会消费品零售总额亿元523.4 -1.2
//! ```
//!
//! A header line naming a unit column and a growth column opens a table; each following line
//! of the shape name, unit, value, growth is one row, until a line of another shape. Each row
//! of a headline metric becomes a draft like a sentence's (a level and its year-on-year
//! growth), dated and classified by the same rules.
//!
//! Plan-execution reports append a table of their main targets instead: `plan_tables`.

use regex::Regex;

use super::context::DocContext;
use super::drafting::Draft;
use super::metric::ResolvedMetric;
use super::plan_tables::{plan_drafts, with_blank_separators, PlanColumns, TABLE_UNITS};
use super::IndicatorExtractor;
use crate::model::{Indicator, IndicatorKind};

/// A table header: a unit column (or a value column that names its unit, `绝对数(万元)`,
/// `年末数(亿元)`) and a year-on-year growth column.
const HEADER: &str = concat!(
    r"^(?:指标|项目|指标名称)?.{0,12}?",
    r"(?:单位|(?:绝对数|绝对值|总量|数值|金额|总额|数量|年末数|年末余额|余额)(?:\((?P<unit>{TABLE_UNITS})\))?)",
    r".{0,16}(?:比上年末?|比年初|同比)?(?:增长|增速|增减)\s*(?:\(%\)|%|±%)?\s*$",
);

/// A row: a name, an optional unit, a value and a growth, with nothing else on the line.
const ROW: &str = concat!(
    // `其中:税收收入`, `#税收收入`: a part of the row above, named all the same.
    r"^\s*(?:其中:|#)?(?P<name>[\p{Han}A-Za-z()（）&.]{2,30}?)",
    // The unit after the name, or in brackets after it (`地区生产总值(亿元)`), when the
    // header names none; a dash in the unit column of a row that gives the growth only
    // (`固定资产投资 — — 2.6`).
    r"(?:(?P<unit>{TABLE_UNITS})|[(（](?P<bunit>{TABLE_UNITS})[)）]|—|--)?\s*",
    // A value left blank (`—`) when the table gives the growth only.
    r"(?P<value>-?\d+(?:\.\d+)?|—|--)\s*(?P<growth>-?\d+(?:\.\d+)?)\s*$",
);

/// Finds table headers and reads table rows.
#[derive(Debug)]
pub(super) struct TableReader {
    header: Regex,
    row: Regex,
}

/// One row read: byte offsets are the line's.
pub(super) struct Row<'l> {
    pub(super) name: &'l str,
    /// The level; `None` when the table leaves it blank.
    pub(super) level: Option<f64>,
    /// The row's own unit (empty when it gives none).
    pub(super) unit: &'l str,
    /// Where the row's first figure starts.
    pub(super) at: usize,
    pub(super) growth: f64,
}

impl TableReader {
    pub(super) fn new() -> Self {
        TableReader {
            header: Regex::new(&HEADER.replace("{TABLE_UNITS}", TABLE_UNITS))
                .expect("table header regex is valid"),
            row: Regex::new(&ROW.replace("{TABLE_UNITS}", TABLE_UNITS))
                .expect("table row regex is valid"),
        }
    }

    /// Whether a line is a table header.
    #[cfg(test)]
    pub(super) fn is_header(&self, line: &str) -> bool {
        self.header(line).is_some()
    }

    /// The header a line is, if it is one: `Some(unit)` with the unit its value column
    /// names (`绝对数(万元)`), `Some(None)` when the rows give their units.
    pub(super) fn header(&self, line: &str) -> Option<Option<String>> {
        // The pattern ends with one of these words; most lines hold none, and the blanking
        // below keeps every other character.
        if line.len() >= 120 || !["增长", "增速", "增减"].iter().any(|w| line.contains(w)) {
            return None;
        }
        // `指标 | 绝对数 | 比上年增长%`: bars separate cells as blanks do.
        let line = with_blank_separators(line);
        let c = self.header.captures(line.trim())?;
        Some(c.name("unit").map(|u| u.as_str().to_string()))
    }

    /// The row a line holds, if it is one.
    pub(super) fn row<'l>(&self, line: &'l str) -> Option<Row<'l>> {
        let cleaned = with_blank_separators(line);
        let c = self.row.captures(&cleaned)?;
        let value = c.name("value")?;
        // The cleaned line keeps every byte offset: its parts are the line's.
        let part = |m: regex::Match<'_>| &line[m.start()..m.end()];
        let unit = c.name("unit").or(c.name("bunit")).map_or("", part);
        let level = value.as_str().parse::<f64>().ok();
        // Two numbers run together with no space between them are no row.
        if level.is_some() && !line[value.end()..].starts_with(char::is_whitespace) {
            return None;
        }
        Some(Row {
            name: part(c.name("name")?),
            level,
            unit,
            at: value.start(),
            growth: c.name("growth")?.as_str().parse().ok()?,
        })
    }
}

impl Row<'_> {
    /// The level and its unit: the row's own, else the header's; `None` when the table
    /// leaves the level blank or gives no unit for it.
    pub(super) fn value(&self, header_unit: Option<&str>) -> Option<(f64, String)> {
        let unit = Some(self.unit).filter(|u| !u.is_empty()).or(header_unit)?;
        self.level.map(|v| (v, unit.to_string()))
    }
}

/// The draft of a row of a resolved metric: its level (when the row or the header gives a
/// unit) and its year-on-year growth.
pub(super) fn row_draft(
    row: &Row<'_>,
    header_unit: Option<&str>,
    metric: ResolvedMetric,
    line_len: usize,
) -> Draft {
    let mut draft = Draft::new(metric, 0);
    draft.value = row.value(header_unit);
    draft.yoy = Some(row.growth);
    draft.first_figure = Some(row.at);
    draft.end = line_len;
    draft
}

/// A table being read: its columns, and the scope its title names (`表1 2021年规模以上工业
/// 主要经济指标`: `规模以上工业`), which completes rows that name no metric by themselves
/// (`利润总额`).
pub(super) struct OpenTable {
    columns: Option<PlanColumns>,
    /// The unit the header gives the value column (`绝对数(万元)`).
    unit: Option<String>,
    scope: Option<String>,
}

impl IndicatorExtractor {
    /// The table a whole line opens, if it is a table header; `title` gives the line before
    /// it.
    pub(super) fn table_header<'t>(
        &self,
        line: &str,
        title: impl FnOnce() -> &'t str,
    ) -> Option<OpenTable> {
        let columns = self.plans.header(line);
        let unit = match columns {
            Some(_) => None,
            None => self.tables.header(line)?,
        };
        Some(OpenTable {
            columns,
            unit,
            scope: table_scope(title()),
        })
    }

    /// The drafts of a table row (empty when it names no headline metric), or `None` when
    /// the line is no row of the table.
    pub(super) fn table_row(
        &self,
        table: &OpenTable,
        line: &str,
        ctx: &DocContext<'_>,
    ) -> Option<Vec<Draft>> {
        let resolve = |name: &str| -> Option<ResolvedMetric> {
            let one = |n: &str| {
                let mut r = self.metrics.resolve(n, &ctx.strip_words);
                (r.len() == 1).then(|| r.pop()).flatten()
            };
            let own = one(name)?;
            if own.code.is_some() {
                return Some(own);
            }
            let scoped = table
                .scope
                .as_deref()
                .and_then(|scope| one(&scoped_name(scope, name)));
            Some(scoped.filter(|m| m.code.is_some()).unwrap_or(own))
        };
        match &table.columns {
            Some(columns) => {
                // A numbered row whose cells are words (`13|单位地区生产总值能耗下降|%|完成市
                // 下达目标|…`) holds no figure but stays in the table.
                let Some((name, unit, cells)) = self.plans.row(columns, line) else {
                    let numbered = line.trim_start().starts_with(|c: char| c.is_ascii_digit())
                        && line.contains(['|', '｜']);
                    return numbered.then(Vec::new);
                };
                let stem = name
                    .strip_suffix("增长")
                    .or_else(|| name.strip_suffix("增速"));
                // `单位地区生产总值能耗降低`: its cells are declines.
                let decline = name
                    .strip_suffix("降低")
                    .or_else(|| name.strip_suffix("下降"));
                let stem = stem.or(decline);
                let metric = resolve(stem.unwrap_or(name));
                let years = (ctx.actual_year, ctx.target_year);
                let mut drafts = metric.map_or_else(Vec::new, |m| {
                    plan_drafts(
                        columns,
                        (&m, unit),
                        &cells,
                        stem.is_some(),
                        years,
                        line.len(),
                    )
                });
                if decline.is_some() {
                    for d in &mut drafts {
                        d.yoy = d.yoy.map(|v| -v.abs());
                    }
                }
                // `地区生产总值(预计)`: the row's results are estimates.
                if name.contains("(预计") {
                    for d in &mut drafts {
                        if d.kind == Some(IndicatorKind::Actual) {
                            d.kind = Some(IndicatorKind::Forecast);
                        }
                    }
                }
                Some(drafts)
            }
            None => {
                let row = self.tables.row(line)?;
                Some(resolve(row.name).map_or_else(Vec::new, |m| {
                    vec![row_draft(&row, table.unit.as_deref(), m, line.len())]
                }))
            }
        }
    }
}

impl IndicatorExtractor {
    /// Applies a note after a table that names the rows whose results are estimates
    /// (`注:地区生产总值、…、城乡居民人均可支配收入为预计数,其余为快报数`) to the
    /// `indicators` read from that table: their results become forecasts.
    pub(super) fn apply_estimate_note(
        &self,
        line: &str,
        ctx: &DocContext<'_>,
        indicators: &mut [Indicator],
    ) {
        let Some(body) = line.trim_start().strip_prefix("注") else {
            return;
        };
        let Some(at) = ["为预计数", "是预计数", "为预计值", "为预计完成数"]
            .iter()
            .find_map(|w| body.find(w))
        else {
            return;
        };
        let names = body[..at].trim_start_matches([':', '：', ' ']);
        let names = names.rsplit([',', ';', '。']).next().unwrap_or(names);
        let codes: Vec<String> = names
            .split(['、', '和'])
            // `地区生产总值及其增长`, `固定资产投资增长`, `能耗降低`: rows named as in the table.
            .map(|n| {
                let n = n.trim();
                ["及其增长", "增长", "增速", "降低", "下降"]
                    .iter()
                    .find_map(|e| n.strip_suffix(e))
                    .unwrap_or(n)
            })
            .flat_map(|n| self.metrics.resolve(n, &ctx.strip_words))
            .filter_map(|m| m.code)
            .collect();
        for i in indicators {
            if i.kind == IndicatorKind::Actual && i.code.as_ref().is_some_and(|c| codes.contains(c))
            {
                i.kind = IndicatorKind::Forecast;
            }
        }
    }
}

/// What a table's title says its rows are about: `表1  2021年规模以上工业主要经济指标` →
/// `规模以上工业`.
fn table_scope(title: &str) -> Option<String> {
    let t = title.trim().trim_start_matches(|c: char| {
        c == '表' || c == '附' || c.is_ascii_digit() || c.is_whitespace() || c == '-'
    });
    let t = match t.find('年') {
        Some(i) if t[..i].chars().all(|c| c.is_ascii_digit()) => &t[i + '年'.len_utf8()..],
        _ => t,
    };
    let end = t.find("主要")?;
    let scope = t[..end].trim();
    (2..=8)
        .contains(&scope.chars().count())
        .then(|| scope.to_string())
}

/// A row name completed by the table's scope, sharing what they share: `规模以上工业` +
/// `工业总产值` → `规模以上工业总产值`, + `利润总额` → `规模以上工业利润总额`.
fn scoped_name(scope: &str, name: &str) -> String {
    let overlap = scope
        .char_indices()
        .map(|(i, _)| &scope[i..])
        .find(|tail| name.starts_with(tail))
        .map_or(0, str::len);
    format!("{scope}{}", &name[overlap..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_rows() {
        let t = TableReader::new();
        assert!(t.is_header("指标单位绝对数比上年增长%"));
        assert!(t.is_header("指标 单位 2024年 比上年增长(%)"));
        assert!(!t.is_header("全年地区生产总值比上年增长5.6%"));
        let r = t.row("地区生产总值亿元1234.5 5.6").expect("a row");
        assert_eq!(
            (r.name, r.value(None), r.growth),
            ("地区生产总值", Some((1234.5, "亿元".to_string())), 5.6)
        );
        // The header may name the value column's unit; a row's own unit still wins.
        assert_eq!(
            t.header("指标绝对数(万元)比上年增长(%)"),
            Some(Some("万元".to_string()))
        );
        assert_eq!(t.header("指标单位绝对数比上年增长%"), Some(None));
        let r = t
            .row("一般公共预算收入86542 6.8")
            .expect("a row without a unit");
        assert_eq!(r.value(None), None);
        assert_eq!(r.value(Some("万元")), Some((86542.0, "万元".to_string())));
        assert_eq!(
            t.row("地区生产总值亿元1234.5 5.6")
                .and_then(|r| r.value(Some("万元"))),
            Some((1234.5, "亿元".to_string()))
        );
        let r = t.row("其中:税收收入亿元60.1 2.2").expect("a part's row");
        assert_eq!(r.name, "税收收入");
        let r = t
            .row("规模以上工业增加值%—6.1")
            .expect("a row without a level");
        assert_eq!((r.value(None), r.growth), (None, 6.1));
        let r = t.row("社会消费品零售总额亿元523.4 -1.2").expect("a row");
        assert_eq!(r.growth, -1.2);
        assert!(t.row("全年地区生产总值1234.5亿元,增长5.6%").is_none());
    }

    #[test]
    fn a_tables_title_scopes_its_rows() {
        assert_eq!(
            table_scope("表1  2021年规模以上工业主要经济指标").as_deref(),
            Some("规模以上工业")
        );
        assert_eq!(table_scope("全年地区生产总值比上年增长5%"), None);
        assert_eq!(
            scoped_name("规模以上工业", "工业总产值"),
            "规模以上工业总产值"
        );
        assert_eq!(
            scoped_name("规模以上工业", "利润总额"),
            "规模以上工业利润总额"
        );
    }
}
