//! Title-block metadata: title, region, kind, years, meeting, date, speaker, issuing body.
//!
//! Everything is read from the title block: the first lines of the normalized text, up to
//! the first numbered heading. A report opens with its title, a `——date在…会议上` subtitle,
//! a speaker line (`title   name`) or the issuing body on a line of its own, and a
//! salutation. Web copies may wrap it in a notice (`…关于印发《政府工作报告》的通知`) whose
//! own title, addressees, signature and date come first; the report's own title then follows.
//!
//! The rules are about the shape of Chinese official documents, never about particular
//! documents: organisation names end in 委员会/人民政府/局/办公室…, regions are names ending
//! in 省/市/区/县, person names are 2-4 hanzi after a position title.

use crate::model::{Metadata, ReportKind};
use crate::normalize::{is_salutation, speaker_parts};
use crate::sections::{is_han_digit, is_hanzi, parse_heading};

/// How many lines from the top the title block may span.
const TITLE_BLOCK_LINES: usize = 15;

/// Words that mark a line as a document title.
const TITLE_WORDS: &[&str] = &[
    "报告", "公报", "通知", "计划", "规划", "纲要", "草案", "决定", "意见", "讲话", "要点", "总结",
];

/// Endings of organisation names.
const ORG_ENDINGS: &[&str] = &[
    "委员会",
    "人民政府",
    "政府",
    "办公室",
    "办公厅",
    "统计局",
    "局",
    "厅",
    "委",
    "办",
    "署",
    "中心",
];

/// Metadata of a normalized text.
///
/// Choices: for a report wrapped in a publishing notice the title is the report's own title
/// (`政府工作报告`), not the notice's; the issuing body is an organisation named on a line of
/// its own, else the issuer of a wrapping notice, else the organisation in the speaker's
/// title; the date is the one in the `——` subtitle (a notice's signature date is not the
/// date the report was given). A government work report given in year Y covers Y-1 (the
/// review) and Y (the plan).
pub fn extract(text: &str) -> Metadata {
    let block: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(TITLE_BLOCK_LINES)
        .take_while(|l| parse_heading(l).is_none())
        .collect();

    let candidates: Vec<&str> = block
        .iter()
        .map(|l| strip_doc_number(l))
        .filter(|l| is_title_candidate(l))
        .collect();
    let wrapper = candidates.iter().copied().find(|c| is_wrapper_notice(c));
    let title = match candidates.first() {
        Some(first) if Some(*first) == wrapper => candidates
            .iter()
            .copied()
            .find(|c| !is_wrapper_notice(c))
            .unwrap_or(first),
        Some(first) => first,
        None => "",
    };
    let title = strip_book_marks(title);

    let subtitle = block.iter().copied().find(|l| l.starts_with("——"));
    let speaker = block.iter().find_map(|l| speaker_parts(l));

    let mut kind = kind_of(title);
    if kind == ReportKind::Other {
        kind = wrapper.map_or(ReportKind::Other, kind_of);
    }

    let date = subtitle.and_then(find_date).or_else(|| {
        // Without a subtitle, a date line of the title block is the report's date, unless
        // a wrapping notice signed it.
        if wrapper.is_some() {
            None
        } else {
            block
                .iter()
                .copied()
                .filter(|l| is_date_line(l))
                .find_map(find_date)
        }
    });

    let region = std::iter::once(title)
        .chain(wrapper)
        .chain(subtitle.map(|s| s.split_once('在').map_or(s, |(_, r)| r)))
        .chain(speaker.as_ref().map(|s| s.0.as_str()))
        .chain(block.iter().copied().filter(|l| is_org_line(l)))
        .find_map(region_in);

    let meeting = subtitle
        .and_then(find_meeting)
        .or_else(|| block.iter().copied().find_map(find_meeting));

    let speaker_name = speaker
        .as_ref()
        .map(|s| s.1.clone())
        .or_else(|| block.iter().copied().find_map(comrade_name));

    let issuing_body = block
        .iter()
        .copied()
        .find(|l| is_org_line(l))
        .map(str::to_string)
        .or_else(|| wrapper.and_then(notice_issuer))
        .or_else(|| speaker.as_ref().and_then(|s| org_prefix(&s.0)));

    let years = years_of(title, kind, date.as_ref(), &block);

    Metadata {
        title: (!title.is_empty()).then(|| title.to_string()),
        region,
        kind,
        years,
        meeting,
        date: date.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        speaker_name,
        speaker_title: speaker.map(|s| s.0),
        issuing_body,
    }
}

/// Strips a leading document number: `(通政发〔2020〕1号)北京市…` → `北京市…`.
fn strip_doc_number(line: &str) -> &str {
    let opens = |c: char| matches!(c, '(' | '（' | '〔' | '[' | '【');
    let closes = |c: char| matches!(c, ')' | '）' | '〕' | ']' | '】');
    if !line.chars().next().is_some_and(opens) {
        return line;
    }
    let mut depth = 0i32;
    for (i, c) in line.char_indices() {
        if opens(c) {
            depth += 1;
        } else if closes(c) {
            depth -= 1;
            if depth == 0 {
                let inner = &line[..i];
                let after = &line[i + c.len_utf8()..];
                let is_number = inner.contains('号')
                    && inner.chars().any(|c| c.is_ascii_digit())
                    && inner.chars().count() <= 30;
                return if is_number { after.trim_start() } else { line };
            }
        }
    }
    line
}

/// Whether a title-block line looks like a document title.
fn is_title_candidate(line: &str) -> bool {
    let n = line.chars().count();
    (2..=120).contains(&n)
        && !line.starts_with("——")
        && !line.contains('。')
        && !line.ends_with(':')
        && !line.ends_with('：')
        && !is_salutation(line)
        && speaker_parts(line).is_none()
        && TITLE_WORDS.iter().any(|w| line.contains(w))
}

/// `…关于印发…的通知`: a notice that publishes the actual report.
fn is_wrapper_notice(title: &str) -> bool {
    (title.contains("印发") || title.contains("转发")) && title.ends_with("通知")
}

/// `《政府工作报告》` → `政府工作报告`; inner book-title marks are part of the title.
fn strip_book_marks(title: &str) -> &str {
    match title.strip_prefix('《').and_then(|t| t.strip_suffix('》')) {
        Some(inner) if !inner.contains('《') => inner,
        _ => title,
    }
}

/// The kind of report a title names.
fn kind_of(title: &str) -> ReportKind {
    let has = |w: &str| title.contains(w);
    if has("政府工作报告") {
        ReportKind::GovernmentWorkReport
    } else if has("统计公报") || (has("统计") && has("公报")) {
        ReportKind::StatisticalBulletin
    } else if has("半年") && has("执行情况") {
        ReportKind::PlanExecutionMidYear
    } else if has("执行情况") && (has("草案") || has("计划")) {
        ReportKind::PlanExecutionAnnual
    } else {
        ReportKind::Other
    }
}

/// The years a report covers, ascending.
fn years_of(
    title: &str,
    kind: ReportKind,
    date: Option<&(i32, u32, u32)>,
    block: &[&str],
) -> Vec<i32> {
    let mut years = years_in(title);
    // The year the report was given: its date, else any date or year of the title block.
    let given = || {
        date.map(|d| d.0)
            .or_else(|| block.iter().copied().find_map(find_date).map(|d| d.0))
            .or_else(|| block.iter().find_map(|l| years_in(l).first().copied()))
    };
    if kind == ReportKind::GovernmentWorkReport {
        // A report given in year Y reviews Y-1 and plans Y.
        if let Some(y) = years.last().copied().or_else(given) {
            years = vec![y - 1, y];
        }
    } else if years.is_empty() {
        years.extend(given());
    }
    years
}

/// Years written as `2021年` in a text, ascending and without repeats.
fn years_in(text: &str) -> Vec<i32> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        let starts = i == 0 || !chars[i - 1].is_ascii_digit();
        if starts && chars.get(i + 4) == Some(&'年') {
            if let Some(y) = number(&chars[i..i + 4]) {
                if (1949..=2100).contains(&y) {
                    out.push(y as i32);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The value of a run of ASCII digits (at most 9 of them).
fn number(digits: &[char]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |acc, c| c.to_digit(10).map(|d| acc * 10 + d))
}

/// The first valid `2021年8月5日` of a text, as (year, month, day).
fn find_date(text: &str) -> Option<(i32, u32, u32)> {
    let chars: Vec<char> = text.chars().filter(|c| *c != ' ').collect();
    (0..chars.len()).find_map(|i| date_at(&chars, i).map(|(d, _)| d))
}

/// A date starting at `i`, with the index just past it.
fn date_at(chars: &[char], i: usize) -> Option<((i32, u32, u32), usize)> {
    if i > 0 && chars[i - 1].is_ascii_digit() {
        return None;
    }
    let run = |from: usize, max: usize| -> Option<(u32, usize)> {
        let len = chars
            .get(from..)?
            .iter()
            .take(max + 1)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 || len > max {
            return None;
        }
        Some((number(&chars[from..from + len])?, from + len))
    };
    let (y, p) = run(i, 4)?;
    if p - i != 4 || chars.get(p) != Some(&'年') {
        return None;
    }
    let (m, p) = run(p + 1, 2)?;
    if chars.get(p) != Some(&'月') {
        return None;
    }
    let (d, p) = run(p + 1, 2)?;
    if chars.get(p) != Some(&'日') {
        return None;
    }
    valid_date(y as i32, m, d).then_some(((y as i32, m, d), p + 1))
}

/// Whether (year, month, day) is a calendar date.
fn valid_date(y: i32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&y) && (1..=days).contains(&d)
}

/// A line that is only a date, `2020年2月29日` or `(2020年2月29日)`.
pub(crate) fn is_date_line(line: &str) -> bool {
    if line.len() > 80 {
        return false;
    }
    let chars: Vec<char> = line.chars().filter(|c| *c != ' ').collect();
    let inner = match (chars.first(), chars.last()) {
        (Some('(' | '（'), Some(')' | '）')) if chars.len() >= 2 => &chars[1..chars.len() - 1],
        _ => &chars[..],
    };
    date_at(inner, 0).is_some_and(|(_, end)| end == inner.len())
}

/// The meeting a report was given at: `第六届人民代表大会常务委员会第四十次会议`, or the
/// short form `六届人大六次会议` as written.
fn find_meeting(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '届' {
            continue;
        }
        let mut j = i;
        while j > 0 && is_han_digit(chars[j - 1]) {
            j -= 1;
        }
        if j == i {
            continue;
        }
        let start = if j > 0 && chars[j - 1] == '第' {
            j - 1
        } else {
            j
        };
        let limit = (i + 30).min(chars.len());
        for k in i + 1..limit {
            if !is_hanzi(chars[k]) {
                break;
            }
            if chars[k] == '会' && chars.get(k + 1) == Some(&'议') {
                return Some(chars[start..k + 2].iter().collect());
            }
        }
    }
    None
}

/// Admin-division endings of a region name.
const REGION_ENDINGS: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
    "州",
    "盟",
    "旗",
];

/// Characters that never occur in the name before a region ending: they show that the
/// match ran into ordinary words (`全区`, `我市`, `2021年…区`).
const NOT_IN_PLACE_NAME: &str = "年的和与在及对向从我本该各于关第届次全其";

/// Words ending like a region that are not regions.
const NOT_REGIONS: &[&str] = &["城市", "都市", "社区", "地区", "小区", "街区", "景区"];

/// One region name (`北京市`, `通州区`) starting at `p`: the index just past it.
fn region_unit(chars: &[char], p: usize) -> Option<usize> {
    for len in 3..=10 {
        let unit = chars.get(p..p + len)?;
        if !unit.iter().all(|c| is_hanzi(*c)) {
            return None;
        }
        let s: String = unit.iter().collect();
        let Some(ending) = REGION_ENDINGS.iter().find(|e| s.ends_with(**e)) else {
            continue;
        };
        let name_len = len - ending.chars().count();
        if (2..=6).contains(&name_len)
            && !unit[..name_len]
                .iter()
                .any(|c| NOT_IN_PLACE_NAME.contains(*c))
            && !NOT_REGIONS.iter().any(|w| s.ends_with(w))
        {
            return Some(p + len);
        }
    }
    None
}

/// The first region named in a text, as written: `北京市通州区`, `朝阳区`. Consecutive
/// divisions (`北京市` + `通州区`) are one region.
pub(crate) fn region_in(text: &str) -> Option<String> {
    let text = text.strip_prefix("关于").unwrap_or(text);
    let chars: Vec<char> = text.chars().collect();
    for p in 0..chars.len() {
        let boundary = p == 0 || !is_hanzi(chars[p - 1]) || chars[p - 1] == '在';
        if !boundary {
            continue;
        }
        if let Some(mut end) = region_unit(&chars, p) {
            while let Some(next) = region_unit(&chars, end) {
                end = next;
            }
            return Some(chars[p..end].iter().collect());
        }
    }
    None
}

/// A line that is only an organisation name: `北京市通州区发展和改革委员会`.
pub(crate) fn is_org_line(line: &str) -> bool {
    let line = line.trim();
    if line.len() > 120 {
        return false;
    }
    let n = line.chars().count();
    (4..=30).contains(&n)
        && line.chars().all(is_hanzi)
        && ORG_ENDINGS.iter().any(|e| line.ends_with(e))
        && (line.contains("委员会")
            || line.contains("人民政府")
            || region_in(line).is_some_and(|r| line.starts_with(&r)))
}

/// The organisation at the start of a position title: `北京市通州区人民政府副区长` →
/// `北京市通州区人民政府`. The longest prefix that ends like an organisation name.
fn org_prefix(title: &str) -> Option<String> {
    title
        .char_indices()
        .map(|(i, c)| &title[..i + c.len_utf8()])
        .rfind(|p| p.chars().count() >= 4 && ORG_ENDINGS.iter().any(|e| p.ends_with(e)))
        .filter(|p| *p != title)
        .map(str::to_string)
}

/// The issuer of a wrapping notice: `北京市通州区人民政府关于印发…的通知` →
/// `北京市通州区人民政府`.
fn notice_issuer(notice: &str) -> Option<String> {
    let (issuer, _) = notice.split_once("关于")?;
    (issuer.chars().count() >= 4 && ORG_ENDINGS.iter().any(|e| issuer.ends_with(e)))
        .then(|| issuer.to_string())
}

/// The name in `赵磊同志在…` or `…关于印发赵磊同志在…`: the hanzi before `同志`.
fn comrade_name(line: &str) -> Option<String> {
    let (before, _) = line.split_once("同志")?;
    let mut name: Vec<char> = before
        .chars()
        .rev()
        .take_while(|c| is_hanzi(*c))
        .take(4)
        .collect();
    name.reverse();
    let mut name: String = name.into_iter().collect();
    for w in ["印发", "转发", "关于"] {
        if let Some((_, after)) = name.rsplit_once(w) {
            name = after.to_string();
        }
    }
    (2..=3).contains(&name.chars().count()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_report_title_block() {
        let text = "关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告\n\
                    ——2021年8月5日在北京市通州区第六届人民代表大会常务委员会第四十次会议上\n\
                    北京市通州区人民政府副区长 吴孔安\n主任、各位副主任、各位委员:\n\
                    一、2021年国民经济和社会发展计划上半年执行情况\n正文。";
        let m = extract(text);
        assert_eq!(
            m.title.as_deref(),
            Some("关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告")
        );
        assert_eq!(m.region.as_deref(), Some("北京市通州区"));
        assert_eq!(m.kind, ReportKind::PlanExecutionMidYear);
        assert_eq!(m.years, vec![2021]);
        assert_eq!(
            m.meeting.as_deref(),
            Some("第六届人民代表大会常务委员会第四十次会议")
        );
        assert_eq!(m.date.as_deref(), Some("2021-08-05"));
        assert_eq!(m.speaker_name.as_deref(), Some("吴孔安"));
        assert_eq!(
            m.speaker_title.as_deref(),
            Some("北京市通州区人民政府副区长")
        );
        assert_eq!(m.issuing_body.as_deref(), Some("北京市通州区人民政府"));
    }

    #[test]
    fn annual_plan_with_issuing_body_line() {
        let text = "关于北京市通州区2021年国民经济和社会发展计划执行情况与2022年国民经济和社会发展计划草案的报告\n\
                    ——2021年12月15日在北京市通州区第七届人民代表大会第一次会议上\n\
                    北京市通州区发展和改革委员会\n各位代表:";
        let m = extract(text);
        assert_eq!(m.kind, ReportKind::PlanExecutionAnnual);
        assert_eq!(m.years, vec![2021, 2022]);
        assert_eq!(m.meeting.as_deref(), Some("第七届人民代表大会第一次会议"));
        assert_eq!(
            m.issuing_body.as_deref(),
            Some("北京市通州区发展和改革委员会")
        );
        assert_eq!(m.speaker_name, None);
    }

    #[test]
    fn notice_wrapped_government_work_report() {
        let text = "(通政发〔2020〕1号)北京市通州区人民政府关于印发赵磊同志在区六届人大六次会议上作的《政府工作报告》的通知\n\
                    (通政发(2020)1号)\n各街道办事处:\n\
                    赵磊同志在通州区第六届人民代表大会第六次会议上作的《政府工作报告》已经大会审议批准,现印发给你们。\n\
                    北京市通州区人民政府\n2020年2月29日\n(此件公开发布)\n政府工作报告\n\
                    ——202014日在通州区第六届人民代表大会第六次会议\n各位代表:";
        let m = extract(text);
        assert_eq!(m.title.as_deref(), Some("政府工作报告"));
        assert_eq!(m.kind, ReportKind::GovernmentWorkReport);
        assert_eq!(m.region.as_deref(), Some("北京市通州区"));
        assert_eq!(m.years, vec![2019, 2020]);
        assert_eq!(m.meeting.as_deref(), Some("第六届人民代表大会第六次会议"));
        assert_eq!(
            m.date, None,
            "the damaged subtitle date is not replaced by the notice date"
        );
        assert_eq!(m.speaker_name.as_deref(), Some("赵磊"));
        assert_eq!(m.issuing_body.as_deref(), Some("北京市通州区人民政府"));
    }

    #[test]
    fn dates_are_validated() {
        assert_eq!(find_date("——2021年8月5日在"), Some((2021, 8, 5)));
        assert_eq!(find_date("2021年2月29日"), None);
        assert_eq!(find_date("2020年2月29日"), Some((2020, 2, 29)));
        assert_eq!(find_date("2021年13月1日"), None);
        assert_eq!(find_date("2021年4月31日"), None);
        assert_eq!(find_date("12021年4月3日"), None);
        assert_eq!(find_date("——202014日在"), None);
        assert!(is_date_line("(2022年3月15日)"));
        assert!(!is_date_line("2022年3月15日发布"));
    }

    #[test]
    fn regions() {
        assert_eq!(
            region_in("关于朝阳区2021年国民经济").as_deref(),
            Some("朝阳区")
        );
        assert_eq!(
            region_in("广东省深圳市统计局").as_deref(),
            Some("广东省深圳市")
        );
        assert_eq!(region_in("通州区区长").as_deref(), Some("通州区"));
        assert_eq!(region_in("关于全区2021年经济"), None);
        assert_eq!(region_in("北京城市副中心"), None);
    }

    #[test]
    fn doc_numbers_and_book_marks() {
        assert_eq!(
            strip_doc_number("(通政发〔2020〕1号)北京市通知"),
            "北京市通知"
        );
        assert_eq!(strip_doc_number("(通政发(2020)1号)"), "");
        assert_eq!(strip_doc_number("(此件公开发布)"), "(此件公开发布)");
        assert_eq!(strip_book_marks("《政府工作报告》"), "政府工作报告");
    }

    #[test]
    fn statistical_bulletin_and_unknown() {
        let m = extract("北京市通州区2021年国民经济和社会发展统计公报\n北京市通州区统计局\n2022年3月15日\n一、综合");
        assert_eq!(m.kind, ReportKind::StatisticalBulletin);
        assert_eq!(m.years, vec![2021]);
        assert_eq!(m.date.as_deref(), Some("2022-03-15"));
        assert_eq!(m.issuing_body.as_deref(), Some("北京市通州区统计局"));
        assert_eq!(extract(""), Metadata::default());
        assert_eq!(extract("随便一段话。").kind, ReportKind::Other);
    }
}
