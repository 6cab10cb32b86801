//! Reading the layers: a TOML file (strictly: an unknown key is an error naming it) and the
//! `REPORTFLOW_*` environment, which is passed in as an [`Env`] (the process's, or a test's
//! own variables), never read behind the caller's back.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;

use super::keys::Layer;
use super::{ConfigError, RawConfig, ENV_PREFIX};

/// The `REPORTFLOW_*` environment variables a configuration is read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// The `REPORTFLOW_*` variables of the process environment (those with valid UTF-8).
    pub fn process() -> Env {
        Env::from_vars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// The `REPORTFLOW_*` variables among `vars` (others are dropped). Empty values count as
    /// unset.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Env {
        Env {
            vars: vars
                .into_iter()
                .filter(|(k, v)| k.starts_with(ENV_PREFIX) && !v.is_empty())
                .collect(),
        }
    }

    /// The value of `name`, if set and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The variables, sorted by name.
    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The same variables without those `drop` names.
    pub fn filter(&self, keep: impl Fn(&str) -> bool) -> Env {
        Env {
            vars: self
                .vars
                .iter()
                .filter(|(k, _)| keep(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// Reads the layer `L` from the variables: `REPORTFLOW_<KEY>` for a key,
    /// `REPORTFLOW_<TABLE>__<NAME>` for a table entry. Returns it with the names of the
    /// variables that are none of its keys, sorted.
    pub fn layer<L: Layer>(&self) -> Result<(L, Vec<String>), ConfigError> {
        let mut layer = L::default();
        let mut unrecognized = Vec::new();
        for (name, value) in &self.vars {
            let rest = &name[ENV_PREFIX.len()..];
            match layer.set_env(rest, value.clone()) {
                None => unrecognized.push(name.clone()),
                Some(Ok(())) => {}
                Some(Err(message)) => {
                    return Err(ConfigError::Env {
                        name: name.clone(),
                        message,
                    })
                }
            }
        }
        Ok((layer, unrecognized))
    }
}

/// Parses a TOML table into `T`, strictly; `origin` names it in error messages.
pub(crate) fn from_table<T: DeserializeOwned>(
    table: toml::Table,
    origin: &Path,
) -> Result<T, ConfigError> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })
}

/// Reads a file's text.
pub(crate) fn read_text(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

impl RawConfig {
    /// Parses a TOML document. `origin` names it in error messages.
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Reads and parses a TOML file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        Self::from_toml_str(&read_text(path)?, path)
    }

    /// Reads the `REPORTFLOW_*` variables of the process environment. See
    /// [`RawConfig::from_env_vars`].
    pub fn from_env() -> Result<(Self, Vec<String>), ConfigError> {
        Env::process().layer()
    }

    /// Builds a layer from `(name, value)` pairs (the module docs give the mapping). Returns
    /// the layer and the names of the `REPORTFLOW_*` variables it did not recognise (other
    /// variables are ignored silently). Empty values count as unset.
    pub fn from_env_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(Self, Vec<String>), ConfigError> {
        Env::from_vars(vars).layer()
    }

    /// Layers `over` on top of `self`: every key set in `over` wins; the `[kafka*]` and
    /// `[topics]` tables are merged entry by entry.
    pub fn merge(self, over: RawConfig) -> RawConfig {
        Layer::merge(self, over)
    }
}

/// Deserializes a table of librdkafka properties: scalars become strings, arrays are joined
/// with commas, nested tables are flattened with dots.
pub(crate) fn de_properties<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    let table = Option::<toml::Table>::deserialize(d)?;
    let Some(table) = table else { return Ok(None) };
    let mut out = BTreeMap::new();
    flatten_properties("", &table, &mut out).map_err(de::Error::custom)?;
    Ok(Some(out))
}

fn flatten_properties(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let value = match v {
            toml::Value::Table(t) => {
                flatten_properties(&key, t, out)?;
                continue;
            }
            toml::Value::Array(items) => items
                .iter()
                .map(|i| {
                    scalar_to_string(i).ok_or_else(|| {
                        format!("`{key}`: arrays may only hold strings, numbers and booleans")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            other => {
                scalar_to_string(other).ok_or_else(|| format!("`{key}`: unsupported value type"))?
            }
        };
        if out.contains_key(&key) {
            return Err(format!("property `{key}` is set twice"));
        }
        out.insert(key, value);
    }
    Ok(())
}

fn scalar_to_string(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}
