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
