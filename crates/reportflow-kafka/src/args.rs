//! The flags and start-up every binary shares: [`WorkerArgs`] for the two worker stages,
//! [`SinkArgs`] for the two storage consumers, each flattened into the binary's own flags
//! (`#[command(flatten)]`), and the loading, logging and running around them. A worker crate
//! keeps its `Processor`, its defaults and its own flags (output topics); a sink crate its
//! `Sink` and its own `[sink]` keys.

use std::path::PathBuf;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::config::sink::{parse_sink_table, read_sink_file, RawSinkConfig, SinkConfig};
use crate::config::{ConfigError, Env, Layer, LogFormat, ProcessingGuarantee, RawConfig};
use crate::{Error, Processor, RunSummary, RuntimeConfig};

/// The environment variable naming the configuration file of a sink (`--config`).
pub const ENV_CONFIG: &str = "REPORTFLOW_CONFIG";

/// Flags of every worker binary. Each overrides the config file and the `REPORTFLOW_*`
/// environment (see `crates/reportflow-kafka/config.example.toml` for every key).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WorkerArgs {
    /// TOML configuration file (layering: file < REPORTFLOW_* environment < flags).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Kafka bootstrap servers, host:port[,host:port]. [config: brokers]
    #[arg(long, value_name = "HOST:PORT")]
    pub brokers: Option<String>,
    /// Consumer group id. [config: group_id; default: the binary's name, e.g.
    /// reportflow-normalizer]
    #[arg(long, value_name = "ID")]
    pub group_id: Option<String>,
    /// Topic to consume. [config: input_topics; default: reports.raw for the normalizer,
    /// reports.normalized for the extractor]
    #[arg(long, value_name = "TOPIC")]
    pub input_topic: Option<String>,
    /// Dead-letter topic. [config: dlq_topic; default: reports.dlq]
    #[arg(long, value_name = "TOPIC")]
    pub dlq_topic: Option<String>,
    /// Address of the /metrics, /health and /ready server; port 0 picks one. [config:
    /// http_addr; default: 0.0.0.0:9100]
    #[arg(long, value_name = "IP:PORT")]
    pub http_addr: Option<String>,
    /// Log format, json or text. [config: log_format; default: json]
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log filter when RUST_LOG is unset. [config: log_level; default: info]
    #[arg(long, value_name = "FILTER")]
    pub log_level: Option<String>,
    /// Static group membership: this instance's stable name in the consumer group (pod or
    /// container name), so that a restarted instance takes its partitions back at once.
    /// [config: instance_id; default: unset]
    #[arg(long, value_name = "NAME")]
    pub instance_id: Option<String>,
    /// at_least_once, or exactly_once: outputs, dead letters and offsets in one Kafka
    /// transaction per batch (needs --instance-id and Apache Kafka, not the embedded broker).
    /// [config: processing_guarantee; default: at_least_once]
    #[arg(long, value_name = "GUARANTEE")]
    pub processing_guarantee: Option<ProcessingGuarantee>,
}

impl WorkerArgs {
    /// The flags as a configuration layer.
    pub fn to_raw(&self) -> RawConfig {
        RawConfig {
            brokers: self.brokers.clone(),
            group_id: self.group_id.clone(),
            input_topics: self.input_topic.clone().map(|t| vec![t]),
            dlq_topic: self.dlq_topic.clone(),
            http_addr: self.http_addr.clone(),
            log_format: self.log_format,
            log_level: self.log_level.clone(),
            instance_id: self.instance_id.clone(),
            processing_guarantee: self.processing_guarantee,
            ..RawConfig::default()
        }
    }

    /// The layered configuration of a worker: its `group_id` and `input_topic` defaults < file
    /// < `env` < these flags < `own` (the binary's own flags, its output topics). Returns it
    /// with the unrecognised `REPORTFLOW_*` variable names.
    pub fn load(
        &self,
        group_id: &str,
        input_topic: &str,
        own: RawConfig,
        env: &Env,
    ) -> Result<(RuntimeConfig, Vec<String>), ConfigError> {
        let defaults = RawConfig {
            group_id: Some(group_id.to_string()),
            input_topics: Some(vec![input_topic.to_string()]),
            ..RawConfig::default()
        };
        let file = match &self.config {
            Some(path) => RawConfig::from_file(path)?,
            None => RawConfig::default(),
        };
        let (env, unrecognized) = env.layer::<RawConfig>()?;
        let config = defaults
            .merge(file)
            .merge(env)
            .merge(self.to_raw())
            .merge(own)
            .into_config()?;
        Ok((config, unrecognized))
    }
}

/// A problem starting or running a worker.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] Error),
    /// The async runtime could not be built.
    #[error("cannot start the async runtime: {0}")]
    Io(#[from] std::io::Error),
}

/// A problem starting or running a sink binary; `E` is the sink's own (none by default).
#[derive(Debug, thiserror::Error)]
pub enum SinkMainError<E: std::error::Error + 'static = std::convert::Infallible> {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Logging could not be set up.
    #[error(transparent)]
    Runtime(#[from] Error),
    /// The sink loop stopped with an error.
    #[error(transparent)]
    Sink(#[from] crate::RunSinkError),
    /// The sink's own start-up failed.
    #[error(transparent)]
    Own(E),
}

/// Sets up logging as `config` says and warns of the `REPORTFLOW_*` variables nothing read:
/// the first thing every binary does with its configuration.
pub fn start_logging(config: &RuntimeConfig, unrecognized_env: &[String]) -> Result<(), Error> {
    crate::init_logging(config.log_format, &config.log_level)?;
    for name in unrecognized_env {
        tracing::warn!(variable = %name, "Ignoring an unrecognised REPORTFLOW_* variable.");
    }
    Ok(())
}

/// Runs a worker with `processor` until SIGTERM/SIGINT, with logging already set up. On a
/// secured cluster, refused credentials end it at once instead of leaving it retrying forever
/// (see [`crate::preflight`]).
pub async fn run_worker<P>(config: RuntimeConfig, processor: P) -> Result<RunSummary, WorkerError>
where
    P: Processor + 'static,
{
    crate::preflight::refuse_bad_credentials(
        config.consumer_properties(),
        crate::preflight::CHECK_LIMIT,
    )
    .await?;
    Ok(crate::run(config, Arc::new(processor), crate::shutdown_signal()).await?)
}

/// The whole process of a worker binary: the `loaded` configuration (see
/// [`WorkerArgs::load`]), logging, a multi-threaded tokio runtime and [`run_worker`] with the
/// processor `make` builds for the configuration, until SIGTERM/SIGINT.
pub fn worker_main<P>(
    loaded: Result<(RuntimeConfig, Vec<String>), ConfigError>,
    make: impl FnOnce(&RuntimeConfig) -> P,
) -> Result<RunSummary, WorkerError>
where
    P: Processor + 'static,
{
    let (config, unrecognized) = loaded?;
    start_logging(&config, &unrecognized)?;
    let processor = make(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_worker(config, processor))
}

/// Flags of every sink binary. Each overrides the config file and the `REPORTFLOW_*`
/// environment.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SinkArgs {
    /// TOML configuration file: the runtime keys plus a `[sink]` table.
    #[arg(long, short = 'c', value_name = "FILE", env = ENV_CONFIG)]
    pub config: Option<PathBuf>,
    /// Kafka bootstrap servers (env REPORTFLOW_BROKERS).
    #[arg(long, value_name = "HOST:PORT,…")]
    pub brokers: Option<String>,
    /// Consumer group (default: the binary's name, e.g. `reportflow-sink-postgres`).
    #[arg(long, value_name = "GROUP")]
    pub group_id: Option<String>,
    /// Address of `/metrics`, `/health`, `/ready` (default `0.0.0.0:9100`).
    #[arg(long, value_name = "ADDR")]
    pub http_addr: Option<String>,
    /// Most records per batch (default 5000; the Parquet sink 100000).
    #[arg(long, value_name = "N")]
    pub batch_max_records: Option<usize>,
    /// Longest time a batch stays open, in milliseconds (default 1000; the Parquet sink
    /// 30000: how often the open offset range's files are rewritten and offsets committed).
    #[arg(long, value_name = "MS")]
    pub batch_max_ms: Option<u64>,
    /// Log format: `json` or `text`.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

/// The configuration of a sink run: the runtime's, the batch loop's and the sink's own `S`.
#[derive(Debug, Clone)]
pub struct SinkSetup<S> {
    /// The runtime's configuration.
    pub runtime: RuntimeConfig,
    /// Batch and retry settings.
    pub sink: SinkConfig,
    /// The sink's own settings.
    pub own: S,
    /// `REPORTFLOW_*` variables nobody recognised (worth a warning).
    pub unrecognized_env: Vec<String>,
}

impl<S> SinkSetup<S> {
    /// The same run with the sink's own settings `own` (made of the keys [`SinkArgs::load`]
    /// returned).
    pub fn with<T>(self, own: T) -> SinkSetup<T> {
        SinkSetup {
            runtime: self.runtime,
            sink: self.sink,
            own,
            unrecognized_env: self.unrecognized_env,
        }
    }
}

impl SinkArgs {
    /// The layered configuration of a sink: defaults (`group_id`; the input topics
    /// `input_topics` names from the sink's keys; `batch` over the runtime's batch defaults)
    /// < file < `env` < these flags. The sink's own `[sink]` keys `K` come back as the file
    /// has them over their defaults (the sink layers its own environment and flags on them);
    /// `own_env` are the variables the sink reads itself (not reported as unrecognised).
    pub fn load<K: Layer + DeserializeOwned>(
        &self,
        env: &Env,
        group_id: &str,
        batch: RawSinkConfig,
        input_topics: impl FnOnce(&K) -> Vec<String>,
        own_env: &[&str],
    ) -> Result<SinkSetup<K>, ConfigError> {
        let (file, table) = read_sink_file(self.config.as_deref())?;
        let (file_batch, keys) = parse_sink_table::<K>(&table)?;
        let keys = K::defaults().merge(keys);
        let defaults = RawConfig {
            group_id: Some(group_id.into()),
            input_topics: Some(input_topics(&keys)),
            ..RawConfig::default()
        };
        let (env_raw, unrecognized) = env.layer::<RawConfig>()?;
        let flags = RawConfig {
            brokers: self.brokers.clone(),
            group_id: self.group_id.clone(),
            http_addr: self.http_addr.clone(),
            log_format: self.log_format,
            ..RawConfig::default()
        };
        let runtime = defaults
            .merge(file)
            .merge(env_raw)
            .merge(flags)
            .into_config()?;
        let (env_batch, batch_unrecognized) = env.layer::<RawSinkConfig>()?;
        let sink = batch
            .merge(file_batch)
            .merge(env_batch)
            .merge(RawSinkConfig {
                batch_max_records: self.batch_max_records,
                batch_max_ms: self.batch_max_ms,
                ..RawSinkConfig::default()
            })
            .into_config()?;
        let unrecognized_env = unrecognized
            .into_iter()
            .filter(|v| batch_unrecognized.contains(v))
            .filter(|v| v != ENV_CONFIG && !own_env.contains(&v.as_str()))
            .collect();
        Ok(SinkSetup {
            runtime,
            sink,
            own: keys,
            unrecognized_env,
        })
    }
}
