//! Lists of figures (`8.6%和9.8%`, `分别增长8.6%和9.8%`): how far one runs, and which
//! levels a list of growths after them belongs to.

use super::drafting::Draft;
use super::figures::Figure;

/// How many figures after the first of `figures` continue its list (`8.6%和9.8%`).
pub(super) fn list_length(s: &str, figures: &[Figure]) -> usize {
    figures
        .windows(2)
        .take_while(|w| {
            matches!(
                s.get(w[0].end..w[1].start).map(str::trim),
                Some("、" | "和" | "及" | "与")
            )
        })
        .count()
}

/// `存款余额2.36万亿元,贷款余额2.18万亿元,分别增长8.6%和9.8%`: a `分别` list of growths
/// after levels stated one clause each belongs to those levels, in order. Reopens the
/// sentence's finished drafts so that `current` holds as many metrics as the list has
/// figures, when each of them has a level and no growth yet.
pub(super) fn reopen_levels(done: &mut Vec<Draft>, current: &mut Vec<Draft>, listed: usize) {
    let level_only = |d: &Draft| d.value.is_some() && d.yoy.is_none() && d.other.is_none();
    if listed < 2 || current.len() >= listed || !current.iter().all(level_only) {
        return;
    }
    let wanted = listed - current.len();
    let reopenable = done.iter().rev().take_while(|d| level_only(d)).count();
    if reopenable < wanted {
        return;
    }
    let mut reopened = done.split_off(done.len() - wanted);
    reopened.append(current);
    *current = reopened;
}
