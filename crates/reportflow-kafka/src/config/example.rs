//! Checks of an example configuration file (`config.example.toml`) against the key
//! definitions: every key is shown, commented out or not, in its table, and every value set
//! is the key's default. The runtime's tests check this crate's example, each sink's tests
//! its own (with the `[sink]` table).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::de::DeserializeOwned;

use super::keys::Layer;
use super::sink::{parse_sink_table, split_sink_table, RawSinkConfig};

/// The keys an example file shows, by table (`""`: the top level): every `key = …` line,
/// commented out (`# key = …`) or not, below the `[table]` header it follows.
pub fn shown_keys(text: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut table = String::new();
    for line in text.lines() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            table = name.trim().to_string();
            out.entry(table.clone()).or_default();
            continue;
        }
        let t = t.trim_start_matches('#').trim();
        let Some((key, _)) = t.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            out.entry(table.clone())
                .or_default()
                .insert(key.to_string());
        }
    }
    out
}

/// What is wrong with the part `parsed` (read strictly from `text`) of an example file
/// against the layer `L` in `table` (`""`: the top level): keys of `L` it does not show, and
/// keys it sets to other values than `defaults`. Empty when the example is right.
pub fn problems<L: Layer>(text: &str, table: &str, parsed: &L, defaults: &L) -> Vec<String> {
    let shown = shown_keys(text);
    let keys = shown.get(table).cloned().unwrap_or_default();
    let at = if table.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in [{table}]")
    };
    let mut out: Vec<String> = L::KEYS
        .iter()
        .filter(|k| !keys.contains(**k))
        .map(|k| format!("key `{k}` is not shown {at}"))
        .collect();
    out.extend(
        L::TABLES
            .iter()
            .filter(|t| !shown.contains_key(**t))
            .map(|t| format!("table [{t}] is not shown")),
    );
    out.extend(
        parsed
            .differing_from(defaults)
            .into_iter()
            .map(|k| format!("key `{k}` {at} is set to another value than its default")),
    );
    out
}

/// What is wrong with the `[sink]` table of a sink's example file `text`: the batch keys
/// against their defaults for this sink (`batch_defaults` over the runtime's), the sink's own
/// keys `T` against theirs; the table read strictly (an unknown key is a problem too).
pub fn sink_problems<T>(text: &str, batch_defaults: RawSinkConfig) -> Vec<String>
where
    T: Layer + DeserializeOwned,
{
    let parsed = split_sink_table(text, Path::new("config.example.toml"))
        .and_then(|(_, table)| parse_sink_table::<T>(&table));
    match parsed {
        Err(e) => vec![e.to_string()],
        Ok((batch, own)) => {
            let batch_defaults = RawSinkConfig::defaults().merge(batch_defaults);
            let mut out = problems(text, "sink", &batch, &batch_defaults);
            out.extend(problems(text, "sink", &own, &T::defaults()));
            out
        }
    }
}
