//! The consume → process → produce runtime loop every reportflow worker uses.
//!
//! It knows only bytes, keys, headers and offsets: a worker supplies a [`Processor`] (the
//! per-message work) and a [`RuntimeConfig`], and [`run`] does the rest:
//!
//! - a consumer-group member (cooperative-sticky assignment) that processes messages on a
//!   bounded pool of blocking threads with at most `max_in_flight` messages in flight;
//! - at-least-once delivery done right: a partition's offset is committed only up to the
//!   contiguous watermark of messages whose outputs the broker acknowledged ([`offsets`]), with
//!   an idempotent producer, produce retries that never skip, commits on revocation and on
//!   shutdown;
//! - optionally exactly-once processing (`processing_guarantee = "exactly_once"`): each batch's
//!   outputs, dead letters and offsets in one Kafka transaction, every consumer reading
//!   `read_committed` ([`ProcessingGuarantee`]);
//! - dead letters for inputs that cannot be processed ([`dlq`]);
//! - graceful shutdown within a deadline ([`shutdown_signal`]);
//! - Prometheus metrics, `/health` and `/ready` ([`Metrics`]), JSON logs ([`init_logging`]);
//! - layered configuration: TOML file, `REPORTFLOW_*` environment, flags ([`config`]);
//! - for storage consumers, a batch loop ([`run_sink`]): consume → batch → [`Sink::write`] →
//!   commit, retrying transient write errors forever ([`sink`]).
//!
//! ```no_run
//! use std::sync::Arc;
//! use reportflow_kafka::{InputRecord, OutputRecord, Processor, RawConfig, Reject, RuntimeConfig};
//!
//! struct Upper;
//! impl Processor for Upper {
//!     fn stage(&self) -> &'static str { "upper" }
//!     fn process(&self, input: &InputRecord) -> Result<Vec<OutputRecord>, Reject> {
//!         let value = input.value.as_deref().ok_or_else(|| Reject::new("upper", "empty", "no value"))?;
//!         Ok(vec![OutputRecord {
//!             topic: "out".into(),
//!             key: input.key.clone().unwrap_or_default(),
//!             value: value.to_ascii_uppercase(),
//!             headers: vec![],
//!         }])
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), reportflow_kafka::Error> {
//!     let (config, _unrecognized_env) = RuntimeConfig::load(None, RawConfig::default())?;
//!     reportflow_kafka::init_logging(config.log_format, &config.log_level)?;
//!     reportflow_kafka::run(config, Arc::new(Upper), reportflow_kafka::shutdown_signal()).await?;
//!     Ok(())
//! }
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub mod args;
pub mod config;
mod context;
pub mod dlq;
mod error;
mod http;
pub mod isolate;
mod liveness;
mod logging;
pub mod metrics;
pub mod offsets;
mod partitions;
pub mod preflight;
mod produce;
mod record;
mod resets;
mod runtime;
mod session;
mod signal;
pub mod sink;
mod throttle;
mod transactional;

pub use crate::args::{
    run_worker, start_logging, worker_main, SinkArgs, SinkMainError, SinkSetup, WorkerArgs,
    WorkerError,
};
pub use crate::config::{
    ConfigError, Env, LogFormat, ProcessingGuarantee, RawConfig, RuntimeConfig,
};
pub use crate::error::Error;
pub use crate::logging::init_logging;
pub use crate::metrics::Metrics;
pub use crate::record::{InputRecord, OutputRecord, Processor, Reject};
pub use crate::runtime::{run, RunSummary, Worker};
pub use crate::signal::shutdown_signal;
pub use crate::sink::{run_sink, RunSinkError, Sink, SinkConfig, SinkError, SinkSummary};
