//! Title-block metadata: title, region, kind, years, meeting, date, speaker, issuing body.
//!
//! Everything is read from the title block: the lines from the title on, up to the first
//! numbered heading. A report opens with its title, a `——date在…会议上` subtitle, a speaker
//! line (`title   name`) or the issuing body on a line of its own, and a salutation. Web
//! copies put page chrome above the title (site name, breadcrumb, publishing fields), which
//! is skipped, or wrap the report in a notice (`…关于印发《政府工作报告》的通知`) whose own
//! title, addressees, signature and date come first; the report's own title then follows.
//! Only a government work report without any year in its title block is dated from its body.
//!
//! The rules are about the shape of Chinese official documents, never about particular
//! documents: organisation names end in 委员会/人民政府/局/办公室…, regions are names ending
//! in 省/市/区/县, person names are 2-4 hanzi after a position title.

use crate::model::{Metadata, ReportKind};
use crate::normalize::{is_salutation, speaker_parts};
use crate::numbers::parse_number;
use crate::sections::{is_han_digit, is_hanzi, parse_heading, Family};

/// How many lines from the title the title block may span.
const TITLE_BLOCK_LINES: usize = 15;

/// How many lines from the top a title is looked for: web pages put a site name, a
/// breadcrumb and a table of publishing fields (`索引号:`, `发布机构:`…) above it.
const TITLE_SEARCH_LINES: usize = 40;

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

/// The region of national reports (the State Council's, the National People's Congress's,
/// the national statistical bulletin): they name no division, and `全国` is how they call
/// the whole country (`全国人民代表大会`, `全国政协`).
pub(crate) const NATIONAL_REGION: &str = "全国";

/// Metadata of a normalized text.
///
/// Choices: the title is a line that names a report kind (`…统计公报`, `政府工作报告`), not
/// web chrome around it (site names, breadcrumbs, category labels); a bare label such as
/// `政府工作报告` gives way to a later line of the same kind that names a year or region.
/// Lines above the title are page chrome, unless the title is wrapped in a publishing
/// notice. For a report wrapped in a notice (`…关于印发《政府工作报告》的通知`) the title is
/// the report's own title, not the notice's; the issuing body is an organisation named on a
/// line of its own, else the issuer of a wrapping notice, else the organisation in the
/// speaker's title; the date is the one in the subtitle (`——2021年8月5日在…会议上`; a notice's
/// signature date is not the date the report was given). A government work report given in
/// year Y covers Y-1 (the review) and Y (the plan); a text without title or date that
/// opens like one (`各位代表:` … `我代表…向大会报告政府工作`) is one, and its year is read from
/// its part headings (`一、2024年工作回顾`) and its `今年是“十四五”…收官之年`. National reports
/// have the region [`NATIONAL_REGION`].
pub fn extract(text: &str) -> Metadata {
    // The opening: lines up to the first numbered heading, without navigation chrome.
    let opening: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(TITLE_SEARCH_LINES)
        .take_while(|l| parse_heading(l).is_none())
        .filter(|l| !is_navigation(l))
        .collect();

    let candidates: Vec<(usize, &str)> = opening
        .iter()
        .enumerate()
        .map(|(i, l)| (i, strip_doc_number(l)))
        .filter(|(_, l)| is_title_candidate(l))
        .collect();
    let wrapper_at = candidates
        .iter()
        .copied()
        .find(|(_, c)| is_wrapper_notice(c));
    let own: Vec<(usize, &str)> = candidates
        .iter()
        .copied()
        .filter(|(_, c)| !is_wrapper_notice(c))
        .collect();
    // A title names a report kind, and comes before the salutation: a line naming a kind
    // after it is body text.
    let salutation = opening
        .iter()
        .position(|l| is_salutation(l))
        .unwrap_or(opening.len());
    let before_salutation: Vec<(usize, &str)> = own
        .iter()
        .copied()
        .filter(|(i, _)| *i < salutation)
        .collect();
    let title_at = choose_title(&before_salutation)
        .or_else(|| own.first().copied().filter(|(i, _)| *i < TITLE_BLOCK_LINES))
        .or(wrapper_at);
    let title = title_at.map_or("", |(_, t)| strip_book_marks(t));
    let wrapper = wrapper_at.map(|(_, w)| w);

    // The title block: from the title, or from the notice that wraps it; from the top when
    // there is no title.
    let start = match (title_at, wrapper_at) {
        (Some((t, _)), Some((w, _))) => t.min(w),
        (Some((t, _)), None) => t,
        (None, _) => 0,
    };
    let block = &opening[start..opening.len().min(start + TITLE_BLOCK_LINES)];

    let subtitle = subtitle_in(block);
    let subtitle = subtitle.as_deref();
    let speaker = block.iter().find_map(|l| speaker_parts(l));

    let mut kind = kind_of(title);
    if kind == ReportKind::Other {
        kind = wrapper.map_or(ReportKind::Other, kind_of);
    }
    if kind == ReportKind::Other && opens_like_work_report(block) {
        kind = ReportKind::GovernmentWorkReport;
    }

    let date = subtitle
        .and_then(|s| find_date(s).or_else(|| find_han_date(s)))
        .or_else(|| {
            // Without a subtitle, a date line of the title block is the report's date,
            // unless a wrapping notice signed it.
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

    let meeting = subtitle
        .and_then(find_meeting)
        .or_else(|| block.iter().copied().find_map(find_meeting));

    let region = std::iter::once(title)
        .chain(wrapper)
        .chain(subtitle.map(|s| s.split_once('在').map_or(s, |(_, r)| r)))
        .chain(speaker.as_ref().map(|s| s.0.as_str()))
        .chain(block.iter().copied().filter(|l| is_org_line(l)))
        .find_map(region_in)
        .or_else(|| {
            is_national(title, meeting.as_deref(), block).then(|| NATIONAL_REGION.to_string())
        });

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

    let mut years = years_of(title, kind, date.as_ref(), block);
    if years.is_empty() && kind == ReportKind::GovernmentWorkReport {
        if let Some(y) = session_year(text) {
            years = vec![y - 1, y];
        }
    }

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

/// The title among the candidates (with their line numbers) that are not a wrapping
/// notice: the first that names a report kind. A bare label (`政府工作报告`, `统计公报`, as
/// breadcrumbs and category fields print it) gives way to a later title of the same kind
/// that names a year or a region, unless that one is a reference to it (`图文解读:《…》`).
fn choose_title<'a>(own: &[(usize, &'a str)]) -> Option<(usize, &'a str)> {
    let specific = |t: &str| !years_in(t).is_empty() || region_in(t).is_some();
    let (pos, first) = own
        .iter()
        .enumerate()
        .find(|(_, (_, c))| kind_of(c) != ReportKind::Other)?;
    if specific(first.1) {
        return Some(*first);
    }
    let kind = kind_of(first.1);
    own[pos + 1..]
        .iter()
        .copied()
        .find(|(_, c)| {
            let c = strip_book_marks(c);
            kind_of(c) == kind && specific(c) && !c.contains(':') && !c.contains('《')
        })
        .or(Some(*first))
}

/// Navigation chrome of a web page: a breadcrumb (`您当前所在位置:首页>政务公开>…`) or a
/// link back home. Never a title, a date or an organisation of the report.
fn is_navigation(line: &str) -> bool {
    line.contains('>')
        || line.contains('»')
        || ["首页", "当前位置", "所在位置", "您的位置", "当前的位置"]
            .iter()
            .any(|w| line.contains(w))
}

/// The subtitle of a title block: `——2021年8月5日在…会议上`, or written without the dash,
/// in parentheses (`(2026年1月27日在…会议上)`) or meeting first (`第十二届全国人大二次会议,
/// 2014年3月5日`). A subtitle hard-wrapped before its meeting is joined with its next line.
fn subtitle_in(block: &[&str]) -> Option<String> {
    let at = block.iter().position(|l| is_subtitle(l))?;
    let line = block[at];
    let wrapped = line.contains('在') && !line.contains("会议");
    match block.get(at + 1) {
        Some(next)
            if wrapped
                && next.contains("会议")
                && next.chars().count() <= 40
                && !next.contains('。') =>
        {
            Some(format!("{line}{next}"))
        }
        _ => Some(line.to_string()),
    }
}

/// Whether a line is the `——date在…会议上` subtitle, in any of its forms.
fn is_subtitle(line: &str) -> bool {
    if line.starts_with("——") || line.starts_with("――") {
        return true;
    }
    if line.contains('。') || line.chars().nth(80).is_some() {
        return false;
    }
    let inner = line.trim_start_matches(['(', '（', '—', '―', '-']);
    let starts_with_date = {
        let chars: Vec<char> = inner.chars().take(24).filter(|c| *c != ' ').collect();
        date_at(&chars, 0).is_some() || (han_date_first(inner) && find_han_date(inner).is_some())
    };
    (starts_with_date && inner.contains('在') && inner.contains("会议"))
        || (find_meeting(inner).is_some() && find_date(inner).is_some())
}

/// Whether a text starts with a date in Chinese numerals (`二〇二六年一月…`).
fn han_date_first(text: &str) -> bool {
    text.chars().take(4).all(is_han_year_digit)
}

/// Whether a title block opens the way a government work report is delivered: the
/// salutation `各位代表` and `我代表…人民政府(国务院),向大会报告(政府)工作`.
fn opens_like_work_report(block: &[&str]) -> bool {
    let greets = block
        .iter()
        .any(|l| is_salutation(l) && l.contains("各位代表"));
    greets
        && block.iter().any(|l| {
            l.split_once("向大会").is_some_and(|(before, after)| {
                before.contains("代表")
                    && ["报告政府工作", "报告工作", "作政府工作报告", "报告本届政府"]
                        .iter()
                        .any(|w| after.starts_with(w))
            })
        })
}

/// Whether a report without a named region is a national one: the State Council's (title
/// or speaker), or given at the National People's Congress.
fn is_national(title: &str, meeting: Option<&str>, block: &[&str]) -> bool {
    title.contains("国务院")
        || title.contains("中华人民共和国")
        || meeting.is_some_and(|m| m.contains("全国人民代表大会") || m.contains("全国人大"))
        || block
            .iter()
            .any(|l| l.starts_with("国务院") || l.contains("我代表国务院"))
}

/// The session year of a government work report from its body, for a text whose title
/// block names none: each part heading votes (`一、2024年工作回顾` for 2025, `三、2025年政府工作
/// 任务` for 2025), and so does each `今年是“十四五”规划收官之年` (2025) or `…开局之年`.
/// The year with most votes wins, the later on a tie.
fn session_year(text: &str) -> Option<i32> {
    let mut votes: Vec<i32> = Vec::new();
    for line in text.lines() {
        if let Some(h) = parse_heading(line.trim()) {
            if h.family != Family::HanComma {
                continue;
            }
            if let Some(&y) = years_in(h.heading).last() {
                votes.push(if h.heading.contains("回顾") {
                    y + 1
                } else {
                    y
                });
            }
        }
    }
    let mut rest = text;
    while let Some(at) = rest.find("今年是") {
        rest = &rest[at + "今年是".len()..];
        let clause = rest
            .split(['。', ',', ';', '，', '；'])
            .next()
            .unwrap_or(rest);
        votes.extend(plan_year(clause));
    }
    let mut best: Option<(usize, i32)> = None;
    for &y in &votes {
        let n = votes.iter().filter(|v| **v == y).count();
        if best.is_none_or(|(bn, by)| n > bn || (n == bn && y > by)) {
            best = Some((n, y));
        }
    }
    best.map(|(_, y)| y)
}

/// The year a clause such as `“十四五”规划收官之年` or `“十五五”开局之年` names: the first or
/// the last year of the quoted five-year plan. Plans run back to back since the third
/// (1966-1970), so the n-th starts in 1966 + 5 (n - 3).
fn plan_year(clause: &str) -> Option<i32> {
    let first = ["开局", "起步", "第一年", "首年"]
        .iter()
        .any(|w| clause.contains(w));
    let last = ["收官", "最后一年", "收尾"]
        .iter()
        .any(|w| clause.contains(w));
    if first == last {
        return None;
    }
    let chars: Vec<char> = clause.chars().collect();
    let open = chars.iter().position(|c| matches!(c, '“' | '"'))?;
    let len = chars[open + 1..]
        .iter()
        .take_while(|c| is_han_digit(**c))
        .count();
    let name: String = chars[open + 1..open + 1 + len].iter().collect();
    let closes = matches!(chars.get(open + 1 + len), Some('”' | '"'));
    let number = name
        .strip_suffix('五')
        .filter(|n| !n.is_empty() && closes)?;
    let n = parse_number(number)?;
    if !(3.0..=40.0).contains(&n) {
        return None;
    }
    let start = 1966 + 5 * (n as i32 - 3);
    Some(if first { start } else { start + 4 })
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
        && !is_subtitle(line)
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

/// A digit of a year written in Chinese numerals (`二〇二六`).
fn is_han_year_digit(c: char) -> bool {
    matches!(
        c,
        '〇' | '○' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九'
    )
}

/// The first valid date written in Chinese numerals, `二〇二六年一月二十七日`.
fn find_han_date(text: &str) -> Option<(i32, u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let number = |from: usize, max: usize, end: char| -> Option<(u32, usize)> {
        let len = chars
            .get(from..)?
            .iter()
            .take(max + 1)
            .take_while(|c| is_han_digit(**c))
            .count();
        if len == 0 || len > max || chars.get(from + len) != Some(&end) {
            return None;
        }
        let s: String = chars[from..from + len].iter().collect();
        let v = parse_number(&s)?;
        Some((v as u32, from + len + 1))
    };
    (0..chars.len().saturating_sub(4)).find_map(|i| {
        let digits = chars.get(i..i + 4)?;
        if (i > 0 && is_han_year_digit(chars[i - 1]))
            || !digits.iter().all(|c| is_han_year_digit(*c))
            || chars.get(i + 4) != Some(&'年')
        {
            return None;
        }
        let y = digits.iter().try_fold(0i32, |acc, c| {
            let d = match c {
                '〇' | '○' | '零' => 0,
                c => parse_number(&c.to_string())? as i32,
            };
            Some(acc * 10 + d)
        })?;
        let (m, p) = number(i + 5, 2, '月')?;
        let (d, _) = number(p, 3, '日')?;
        valid_date(y, m, d).then_some((y, m, d))
    })
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
        // A region starts a text, follows a non-hanzi, `在`, or a year (`2026年黑龙江省`).
        let boundary = p == 0
            || !is_hanzi(chars[p - 1])
            || chars[p - 1] == '在'
            || (chars[p - 1] == '年' && p >= 2 && chars[p - 2].is_ascii_digit());
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

    /// The opening of a bulletin scraped from a county site (county_2022_wanzai): site
    /// name, breadcrumb and publishing fields come before the title.
    #[test]
    fn bulletin_title_below_page_chrome() {
        let text = "万载县人民政府-\n统计局\n网站无障碍关怀版\n\
                    您当前所在位置:首页>政务公开>部门信息公开目录>统计局>法定主动公开内容>工作动态>统计数据\n\
                    索引号:\n014742224A/2023-0043406\n生成日期:\n2023-05-11\n公开方式:\n主动公开\n\
                    公开时限:\n常年公开\n公开范围:\n面向全社会\n责任部门:\n万载县统计局\n\
                    万载县2022年国民经济和社会发展统计公报\n关联稿件:\n\
                    图文解读:《万载县2022年国民经济和社会发展统计公报》2023-07-12\n\
                    万载县统计局国家统计局万载调查队(2023年5月)\n\
                    2022年,万载全县上下坚持以习近平新时代中国特色社会主义思想为指导。\n一、综合\n\
                    全年实现生产总值(GDP)262.6亿元。";
        let m = extract(text);
        assert_eq!(
            m.title.as_deref(),
            Some("万载县2022年国民经济和社会发展统计公报")
        );
        assert_eq!(m.kind, ReportKind::StatisticalBulletin);
        assert_eq!(m.years, vec![2022]);
        assert_eq!(m.region.as_deref(), Some("万载县"));
        assert_eq!(
            m.issuing_body, None,
            "the page's own fields are not the bulletin's issuer"
        );
    }

    /// A provincial bulletin republished by a city site (prov_2022_jiangxi): the breadcrumb
    /// and the category label `统计公报` are not the title, the site is not the region.
    #[test]
    fn breadcrumb_and_category_label_are_not_titles() {
        let text = "宜春市人民政府\n网站无障碍关怀版\n\
                    您当前所在位置:首页>政务公开>信息公开>法定主动公开内容>结果公开>统计数据>统计公报\n\
                    索引号:\n014717475N/2023-0032866\n发布机构:\n宜春市统计局\n发文日期:\n2023-03-31\n\
                    分类:\n统计公报\n江西省2022年国民经济和社会发展统计公报\n关联稿件:\n\
                    江西省2022年国民经济和社会发展统计公报[1]\n江西省统计局国家统计局江西调查总队\n\
                    2023年3月28日\n2022年是党的二十大胜利召开之年。";
        let m = extract(text);
        assert_eq!(
            m.title.as_deref(),
            Some("江西省2022年国民经济和社会发展统计公报")
        );
        assert_eq!(m.kind, ReportKind::StatisticalBulletin);
        assert_eq!(m.years, vec![2022]);
        assert_eq!(m.region.as_deref(), Some("江西省"));
        assert_eq!(m.date.as_deref(), Some("2023-03-28"));
        assert_eq!(m.issuing_body, None);
    }

    /// A breadcrumb printed one item per line (prov_2026_shaanxi): the bare labels give way
    /// to the full title below them.
    #[test]
    fn bare_label_gives_way_to_the_full_title() {
        let text = "首页\n政府信息公开\n政府工作报告\n省政府工作报告\n陕西省2026年政府工作报告\n\
                    2026年1月27日在陕西省第十四届人民代表大会第四次会议上陕西省省长赵刚\n时间:\n\
                    2026-02-02 09:20\n陕西省人民政府\n省长赵刚作政府工作报告\n各位代表:\n一、2025年工作回顾";
        let m = extract(text);
        assert_eq!(m.title.as_deref(), Some("陕西省2026年政府工作报告"));
        assert_eq!(m.region.as_deref(), Some("陕西省"));
        assert_eq!(m.years, vec![2025, 2026]);
        assert_eq!(m.date.as_deref(), Some("2026-01-27"));
        assert_eq!(m.meeting.as_deref(), Some("第十四届人民代表大会第四次会议"));
    }

    /// A national report with no title at all (national_2025): the opening makes it a
    /// government work report, its headings and `今年是…收官之年` give the session year.
    #[test]
    fn untitled_national_work_report() {
        let text = "各位代表:\n\
                    现在,我代表国务院,向大会报告政府工作,请予审议,并请全国政协委员提出意见。\n\
                    一、2024年工作回顾\n过去一年,我国发展历程很不平凡。\n\
                    二、2025年经济社会发展总体要求和政策取向\n\
                    今年是“十四五”规划收官之年。做好政府工作,要在党中央坚强领导下推进。\n\
                    今年发展主要预期目标是:国内生产总值增长5%左右。\n三、2025年政府工作任务\n正文。";
        let m = extract(text);
        assert_eq!(m.title, None);
        assert_eq!(m.kind, ReportKind::GovernmentWorkReport);
        assert_eq!(m.years, vec![2024, 2025]);
        assert_eq!(m.region.as_deref(), Some(NATIONAL_REGION));
    }

    #[test]
    fn national_reports_are_national() {
        let text = "政府工作报告\n——2008年3月5日在第十一届全国人民代表大会第一次会议上\n\
                    国务院总理温家宝\n各位代表:";
        let m = extract(text);
        assert_eq!(m.region.as_deref(), Some(NATIONAL_REGION));
        assert_eq!(m.years, vec![2007, 2008]);
        let m = extract(
            "政府工作报告\n第十二届全国人大二次会议,2014年3月5日\n国务院总理李克强\n各位代表:",
        );
        assert_eq!(m.region.as_deref(), Some(NATIONAL_REGION));
        assert_eq!(m.meeting.as_deref(), Some("第十二届全国人大二次会议"));
        assert_eq!(m.date.as_deref(), Some("2014-03-05"));
        // A provincial report keeps its province.
        let m = extract(
            "2026年河北省政府工作报告\n——2026年1月26日在河北省第十四届人民代表大会第四次会议上",
        );
        assert_eq!(m.region.as_deref(), Some("河北省"));
    }

    /// Subtitles without the leading dash: plain, in parentheses, with `――`, dated in
    /// Chinese numerals, hard-wrapped before the meeting.
    #[test]
    fn subtitle_forms() {
        let m = extract("2026年黑龙江省政府工作报告\n2026年1月31日在黑龙江省第十四届人民代表大会第四次会议上\n时间:2026-02-26\n省长 梁惠玲\n各位代表:");
        assert_eq!(m.region.as_deref(), Some("黑龙江省"));
        assert_eq!(m.date.as_deref(), Some("2026-01-31"));
        let m = extract("政府工作报告。贵州日报天眼新闻记者李森摄\n政府工作报告\n(2026年1月27日在贵州省第十四届人民代表大会第四次会议上)\n省长 李炳军\n各位代表:");
        assert_eq!(m.title.as_deref(), Some("政府工作报告"));
        assert_eq!(m.region.as_deref(), Some("贵州省"));
        assert_eq!(m.date.as_deref(), Some("2026-01-27"));
        let m = extract("政府工作报告\n――2026年1月27日在青海省第十四届人民代表大会第四次会议上\n省长 罗东川\n2026-01-31 07:00:44\n各位代表:");
        assert_eq!(m.region.as_deref(), Some("青海省"));
        assert_eq!(m.date.as_deref(), Some("2026-01-27"));
        let m = extract("2026年甘肃省政府工作报告\n——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上\n甘肃省省长 任振鹤");
        assert_eq!(m.date.as_deref(), Some("2026-01-27"));
        let m = extract("政府工作报告\n——2026年1月26日在广东省第十四届\n人民代表大会第五次会议上\n广东省省长 孟凡利\n各位代表:");
        assert_eq!(m.meeting.as_deref(), Some("第十四届人民代表大会第五次会议"));
        assert_eq!(m.date.as_deref(), Some("2026-01-26"));
        assert_eq!(m.region.as_deref(), Some("广东省"));
    }

    #[test]
    fn navigation_lines() {
        assert!(is_navigation("您当前所在位置:首页>政务公开>信息公开"));
        assert!(is_navigation("当前位置:首页>>中国概况"));
        assert!(is_navigation("首页"));
        assert!(is_navigation(">"));
        assert!(!is_navigation("江西省2022年国民经济和社会发展统计公报"));
        assert!(!is_navigation(
            "——2021年8月5日在北京市通州区第六届人民代表大会常务委员会第四十次会议上"
        ));
    }

    #[test]
    fn session_years_from_the_body() {
        assert_eq!(plan_year("“十四五”规划收官之年"), Some(2025));
        assert_eq!(plan_year("“十五五”开局之年"), Some(2026));
        assert_eq!(plan_year("实施“十五五”规划的开局之年"), Some(2026));
        assert_eq!(plan_year("“十一五”的第一年"), Some(2006));
        assert_eq!(plan_year("“十五”计划的最后一年"), Some(2005));
        assert_eq!(plan_year("“九五”计划的第一年"), Some(1996));
        assert_eq!(plan_year("完成“十一五”节能减排约束性目标的关键一年"), None);
        assert_eq!(plan_year("和平共处五项原则提出六十周年"), None);
        assert_eq!(
            session_year(
                "一、2021年工作回顾\n正文。\n二、2022年经济社会发展总体要求和政策取向\n正文。"
            ),
            Some(2022)
        );
        assert_eq!(session_year("一、工作回顾\n正文。"), None);
    }

    #[test]
    fn dates_in_chinese_numerals() {
        assert_eq!(
            find_han_date("——二〇二六年一月二十七日在甘肃省"),
            Some((2026, 1, 27))
        );
        assert_eq!(
            find_han_date("二○二○年十二月三十一日"),
            Some((2020, 12, 31))
        );
        assert_eq!(find_han_date("二〇二一年二月三十日"), None);
        assert_eq!(find_han_date("十四五年"), None);
    }

    #[test]
    fn regions_after_a_year() {
        assert_eq!(
            region_in("2026年黑龙江省政府工作报告").as_deref(),
            Some("黑龙江省")
        );
        assert_eq!(
            region_in("2026年广西壮族自治区政府工作报告").as_deref(),
            Some("广西壮族自治区")
        );
        assert_eq!(region_in("2021年全区经济"), None);
        assert_eq!(region_in("去年县城面貌"), None);
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
