//! Names of places and organisations as official documents write them: regions ending in
//! 省/市/区/县 (`北京市通州区`), and organisations ending in 委员会/人民政府/局….
//!
//! Its own module, not part of metadata, because normalization and sections also ask
//! whether a line is an organisation line: this way none of them imports another in a
//! circle.

use crate::text::is_hanzi;

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
pub(crate) fn org_prefix(title: &str) -> Option<String> {
    title
        .char_indices()
        .map(|(i, c)| &title[..i + c.len_utf8()])
        .rfind(|p| p.chars().count() >= 4 && ORG_ENDINGS.iter().any(|e| p.ends_with(e)))
        .filter(|p| *p != title)
        .map(str::to_string)
}

/// The issuer of a wrapping notice: `北京市通州区人民政府关于印发…的通知` →
/// `北京市通州区人民政府`.
pub(crate) fn notice_issuer(notice: &str) -> Option<String> {
    let (issuer, _) = notice.split_once("关于")?;
    (issuer.chars().count() >= 4 && ORG_ENDINGS.iter().any(|e| issuer.ends_with(e)))
        .then(|| issuer.to_string())
}
