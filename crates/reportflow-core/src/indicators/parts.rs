//! Parts of a whole (`其中…`) that name the whole's headline metric in other words: kept
//! under their own name, without the whole's code.

use super::drafting::Draft;

/// `新登记市场主体5.83万户;其中新登记企业1.46万户`: a part (`其中…`) that names, in other
/// words, the same headline metric as a whole before it in the sentence is a part of that
/// whole, not the metric itself: it keeps its name and loses the code. A part that names
/// no metric of its own or a part of the year (`其中二季度单季同比增长7.1%`) is the
/// whole's, over less time.
pub(super) fn uncode_repeated_parts(s: &str, drafts: &mut [Draft]) {
    uncode_parts(s, drafts, Vec::new(), false);
}

/// The same for a sentence opening with `其中` after the sentence that stated the whole
/// (`全年新登记市场主体86.25万户。其中,新登记企业24.36万户`): `wholes` are that sentence's
/// coded metrics, as (code, written).
pub(super) fn uncode_parts_of_previous(s: &str, drafts: &mut [Draft], wholes: &[(String, String)]) {
    if s.trim_start().starts_with("其中") {
        uncode_parts(s, drafts, wholes.to_vec(), true);
    }
}

fn uncode_parts(s: &str, drafts: &mut [Draft], mut seen: Vec<(String, String)>, all_parts: bool) {
    for d in drafts.iter_mut() {
        let Some(code) = d.metric.code.clone() else {
            continue;
        };
        // A part of the year (`其中6-9月月均浓度…`) is the whole's, over less time.
        let lead = d
            .first_figure
            .and_then(|f| s.get(d.quote_start..f))
            .unwrap_or("");
        let part = (all_parts || lead.trim_start().starts_with("其中"))
            && !lead.contains(['月', '季'])
            && !lead.contains("半年");
        // A whole that named several metrics at once (`城乡居民人均可支配收入`, expanded to
        // two) leaves each to its part (`其中农村居民人均可支配收入…`).
        let renamed = seen.iter().any(|(c, written)| {
            *c == code
                && *written != d.metric.written
                && seen.iter().filter(|(_, w)| w == written).count() == 1
        });
        if part && renamed {
            d.metric.code = None;
        } else {
            seen.push((code, d.metric.written.clone()));
        }
    }
}

/// `存贷款余额合计1.66万亿元`: a coordinated compound (`存贷款`, `城乡居民`, `收支`), expanded
/// to one draft per metric it names, that takes one level and not a list of them (`分别`)
/// states the two together: a sum or a mix, neither metric's level. Its level goes from
/// each draft; so does its growth for a sum (`存贷款余额增长8.1%` is the total's), while a
/// growth shared by two incomes (`城乡居民人均可支配收入均增长6%`) is each one's.
pub(super) fn drop_joint_figures(drafts: &mut [Draft]) {
    for i in 0..drafts.len() {
        for j in i + 1..drafts.len() {
            let (a, b) = (&drafts[i], &drafts[j]);
            let expanded = a.metric.written == b.metric.written
                && a.metric.canonical != b.metric.canonical
                && a.quote_start == b.quote_start;
            if !expanded {
                continue;
            }
            let shared_value = a.value.is_some() && a.value == b.value;
            let sum = super::metric::SUM_COMPOUNDS
                .iter()
                .any(|w| a.metric.written.contains(w));
            let shared_yoy = sum && a.yoy.is_some() && a.yoy == b.yoy;
            for k in [i, j] {
                if shared_value {
                    drafts[k].value = None;
                    drafts[k].qualifier = None;
                }
                if shared_yoy {
                    drafts[k].yoy = None;
                }
            }
        }
    }
}
