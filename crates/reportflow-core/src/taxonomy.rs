//! The headline-metric taxonomy: codes, Chinese names and aliases of the metrics users query.
//!
//! The taxonomy is data (`indicator-taxonomy.toml`, bundled at compile time), not code, so
//! adding a metric or an alias needs no change to the extractor.

use serde::Deserialize;

const BUNDLED: &str = include_str!("indicator-taxonomy.toml");

/// How a metric's values are measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitClass {
    /// 元, 万元, 亿元, 万亿元: normalised to yuan.
    Money,
    /// %, rates, shares, intensities.
    Ratio,
    /// Counts of things (户, 家, 个).
    Count,
    /// Counts of people (人, 万人).
    People,
    /// Areas.
    Area,
    /// Masses.
    Mass,
    /// Concentrations (微克/立方米).
    Concentration,
    /// Anything else.
    Other,
}

/// One headline metric.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Metric {
    /// Stable code, e.g. `gdp`.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// Phrases that denote the metric in real reports.
    pub aliases: Vec<String>,
    /// How values are measured.
    pub unit_class: UnitClass,
}

/// The set of headline metrics.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Taxonomy {
    /// Metrics in file order.
    #[serde(rename = "metric")]
    pub metrics: Vec<Metric>,
}

impl Taxonomy {
    /// The taxonomy bundled with this crate.
    pub fn bundled() -> Taxonomy {
        // The bundled file is part of the source tree and parsed by a unit test, so this can
        // only fail on a broken build, never on input.
        toml::from_str(BUNDLED).expect("bundled indicator-taxonomy.toml is valid")
    }

    /// Parses a taxonomy from TOML text of the bundled file's shape.
    pub fn from_toml(text: &str) -> Result<Taxonomy, toml::de::Error> {
        toml::from_str(text)
    }

    /// The metric with this code.
    pub fn get(&self, code: &str) -> Option<&Metric> {
        self.metrics.iter().find(|m| m.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_taxonomy_parses_with_unique_codes() {
        let t = Taxonomy::bundled();
        assert!(t.metrics.len() >= 30, "{}", t.metrics.len());
        let mut codes: Vec<_> = t.metrics.iter().map(|m| m.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), t.metrics.len());
        assert_eq!(t.get("gdp").unwrap().unit_class, UnitClass::Money);
    }
}
