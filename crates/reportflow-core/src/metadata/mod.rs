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
//!
//! The title and subtitle are found by [`title`]; dates and place or organisation names are
//! read by [`crate::dates`] and [`crate::places`], which normalization and sections use too.

mod title;

use crate::dates::{find_date, find_han_date, is_date_line, years_in};
use crate::model::{Metadata, ReportKind};
use crate::normalize::{is_salutation, speaker_parts};
use crate::numbers::parse_number;
use crate::places::{is_org_line, notice_issuer, org_prefix, region_in};
use crate::sections::{parse_heading, Family};
use crate::text::{is_han_digit, is_hanzi};
use title::{
    choose_title, find_meeting, is_navigation, is_title_candidate, is_wrapper_notice, kind_of,
    strip_book_marks, strip_doc_number, subtitle_in,
};

/// How many lines from the title the title block may span.
const TITLE_BLOCK_LINES: usize = 15;

/// How many lines from the top a title is looked for: web pages put a site name, a
/// breadcrumb and a table of publishing fields (`索引号:`, `发布机构:`…) above it.
const TITLE_SEARCH_LINES: usize = 40;

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
mod tests;
