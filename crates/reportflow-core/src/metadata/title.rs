//! The title and subtitle of a title block: which line is the report's title (not web
//! chrome, not a wrapping notice), what kind of report it names, and the
//! `——date在…会议上` subtitle with its meeting.

use crate::dates::{date_at, find_date, find_han_date, han_date_first, years_in};
use crate::model::ReportKind;
use crate::normalize::{is_salutation, speaker_parts};
use crate::places::region_in;
use crate::text::{is_han_digit, is_hanzi, is_release_title};

/// Words that mark a line as a document title.
pub(super) const TITLE_WORDS: &[&str] = &[
    "报告",
    "公报",
    "通知",
    "计划",
    "规划",
    "纲要",
    "草案",
    "决定",
    "意见",
    "讲话",
    "要点",
    "总结",
    // A statistics bureau's release on part of a year (`2024年上半年全市经济运行情况`).
    "运行情况",
    "运行简况",
];

/// The title among the candidates (with their line numbers) that are not a wrapping
/// notice: the first that names a report kind. A bare label (`政府工作报告`, `统计公报`, as
/// breadcrumbs and category fields print it) gives way to a later title of the same kind
/// that names a year or a region, unless that one is a reference to it (`图文解读:《…》`).
pub(super) fn choose_title<'a>(own: &[(usize, &'a str)]) -> Option<(usize, &'a str)> {
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
pub(super) fn is_navigation(line: &str) -> bool {
    line.contains('>')
        || line.contains('»')
        || ["首页", "当前位置", "所在位置", "您的位置", "当前的位置"]
            .iter()
            .any(|w| line.contains(w))
}

/// The subtitle of a title block: `——2021年8月5日在…会议上`, or written without the dash,
/// in parentheses (`(2026年1月27日在…会议上)`) or meeting first (`第十二届全国人大二次会议,
/// 2014年3月5日`). A subtitle hard-wrapped before its meeting is joined with its next line.
pub(super) fn subtitle_in(block: &[&str]) -> Option<String> {
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
pub(super) fn is_subtitle(line: &str) -> bool {
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

/// Strips a leading document number: `(通政发〔2020〕1号)北京市…` → `北京市…`.
pub(super) fn strip_doc_number(line: &str) -> &str {
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
pub(super) fn is_title_candidate(line: &str) -> bool {
    let n = line.chars().count();
    (2..=120).contains(&n)
        && !line.starts_with("——")
        && !line.contains('。')
        && !line.ends_with(':')
        && !line.ends_with('：')
        && !is_salutation(line)
        && speaker_parts(line).is_none()
        && !is_subtitle(line)
        && (TITLE_WORDS.iter().any(|w| line.contains(w)) || is_release_title(line))
}

/// `…关于印发…的通知`: a notice that publishes the actual report.
pub(super) fn is_wrapper_notice(title: &str) -> bool {
    (title.contains("印发") || title.contains("转发")) && title.ends_with("通知")
}

/// `《政府工作报告》` → `政府工作报告`; inner book-title marks are part of the title.
pub(super) fn strip_book_marks(title: &str) -> &str {
    match title.strip_prefix('《').and_then(|t| t.strip_suffix('》')) {
        Some(inner) if !inner.contains('《') => inner,
        _ => title,
    }
}

/// The kind of report a title names.
pub(super) fn kind_of(title: &str) -> ReportKind {
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

/// The meeting a report was given at: `第六届人民代表大会常务委员会第四十次会议`, or the
/// short form `六届人大六次会议` as written.
pub(super) fn find_meeting(text: &str) -> Option<String> {
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
