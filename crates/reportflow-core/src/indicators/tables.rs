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

use regex::Regex;

use super::drafting::Draft;
use super::metric::ResolvedMetric;

/// A table header: a unit column and a year-on-year growth column.
const HEADER: &str = r"^(?:指标|项目|指标名称)?.{0,12}单位.{0,16}(?:比上年|同比)?(?:增长|增速|增减)\s*(?:\(%\)|%|±%)?\s*$";

/// A row: a name, an optional unit, a value and a growth, with nothing else on the line.
const ROW: &str = concat!(
    // `其中:税收收入`, `#税收收入`: a part of the row above, named all the same.
    r"^(?:其中:|#)?(?P<name>[\p{Han}A-Za-z()&.]{2,30}?)",
    r"(?P<unit>万亿元|亿元|万元|元|亿美元|万美元|美元|万人|人|万户|户|万家|家|%|‰|微克/立方米|万吨|吨)?",
    // A value left blank (`—`) when the table gives the growth only.
    r"(?P<value>-?\d+(?:\.\d+)?|—|--)\s*(?P<growth>-?\d+(?:\.\d+)?)$",
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
    /// The level and its unit; `None` when the table leaves it blank or gives no unit.
    pub(super) value: Option<(f64, String)>,
    /// Where the row's first figure starts.
    pub(super) at: usize,
    pub(super) growth: f64,
}

impl TableReader {
    pub(super) fn new() -> Self {
        TableReader {
            header: Regex::new(HEADER).expect("table header regex is valid"),
            row: Regex::new(ROW).expect("table row regex is valid"),
        }
    }

    /// Whether a line is a table header.
    pub(super) fn is_header(&self, line: &str) -> bool {
        line.len() < 120 && self.header.is_match(line.trim())
    }

    /// The row a line holds, if it is one.
    pub(super) fn row<'l>(&self, line: &'l str) -> Option<Row<'l>> {
        let c = self.row.captures(line)?;
        let value = c.name("value")?;
        let unit = c.name("unit").map_or("", |u| u.as_str()).to_string();
        let level = value.as_str().parse::<f64>().ok();
        // Two numbers run together with no space between them are no row.
        if level.is_some() && !line[value.end()..].starts_with(char::is_whitespace) {
            return None;
        }
        Some(Row {
            name: c.name("name")?.as_str(),
            value: level.filter(|_| !unit.is_empty()).map(|v| (v, unit)),
            at: value.start(),
            growth: c.name("growth")?.as_str().parse().ok()?,
        })
    }
}

/// The draft of a row of a resolved metric: its level (when the row has a unit) and its
/// year-on-year growth.
pub(super) fn row_draft(row: &Row<'_>, metric: ResolvedMetric, line_len: usize) -> Draft {
    let mut draft = Draft::new(metric, 0);
    draft.value = row.value.clone();
    draft.yoy = Some(row.growth);
    draft.first_figure = Some(row.at);
    draft.end = line_len;
    draft
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
            (r.name, r.value, r.growth),
            ("地区生产总值", Some((1234.5, "亿元".to_string())), 5.6)
        );
        let r = t.row("其中:税收收入亿元60.1 2.2").expect("a part's row");
        assert_eq!(r.name, "税收收入");
        let r = t
            .row("规模以上工业增加值%—6.1")
            .expect("a row without a level");
        assert_eq!((r.value, r.growth), (None, 6.1));
        let r = t.row("社会消费品零售总额亿元523.4 -1.2").expect("a row");
        assert_eq!(r.growth, -1.2);
        assert!(t.row("全年地区生产总值1234.5亿元,增长5.6%").is_none());
    }
}
