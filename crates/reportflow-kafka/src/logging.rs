//! Logging setup: tracing-subscriber with JSON (production) or text output, filtered by
//! `RUST_LOG` when set, else by the configured level. Log messages are sentences; errors go
//! in an `error` field.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::error::Error;

/// Installs the global tracing subscriber writing to stderr. `default_filter` (EnvFilter
/// syntax, e.g. `info` or `info,librdkafka=warn`) applies when `RUST_LOG` is not set. Fails if
/// a subscriber is already installed.
pub fn init_logging(format: LogFormat, default_filter: &str) -> Result<(), Error> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(default_filter))
        .map_err(|e| Error::Logging(format!("invalid log filter `{default_filter}`: {e}")))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only on a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::stderr().is_terminal());
    let result = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|e| Error::Logging(e.to_string()))
}
