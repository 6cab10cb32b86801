//! The PostgreSQL sink: loads `reports.documents`, `reports.sections` and
//! `reports.indicators` into the tables `documents`, `sections` and `indicators`, plus the
//! analyst view `indicator_facts` (every indicator with its document's region, report kind,
//! date and title).
//!
//! It is a [`reportflow_kafka::Sink`] run by [`reportflow_kafka::run_sink`]:
//!
//! - **idempotent**: one `INSERT … ON CONFLICT (key) DO UPDATE` per table and batch, keyed by
//!   the message ids (`doc_id`; `(doc_id, section_id)`; `indicator_id`), so replays and
//!   duplicates never add rows;
//! - **batched**: a whole batch is written in one transaction (columns sent as arrays through
//!   `unnest`), and the batch's Kafka offsets are committed only after that transaction
//!   committed;
//! - **migrations** (`migrations/V<n>__<name>.sql`, embedded) are applied at start, in order, in
//!   one transaction, recorded in `reportflow_schema_migrations`;
//! - **outages**: a database that cannot be reached, or a connection lost mid-batch, is a
//!   transient error: the runtime pauses consumption and writes the same batch again with
//!   capped exponential backoff, forever; the sink reconnects (and re-checks the migrations)
//!   on the next attempt.
//!
//! Records that cannot be decoded (or come from another topic, or are tombstones) are
//! dead-lettered with stage `sink`.
//!
//! Configuration: the runtime's keys (see `reportflow-kafka`'s `config.example.toml`) plus a
//! `[sink]` table: `database_url` (or `REPORTFLOW_DATABASE_URL`, or `--database-url`),
//! `documents_topic`, `sections_topic`, `indicators_topic`, and the batch keys
//! `batch_max_records`, `batch_max_bytes`, `batch_max_ms`, `sink_retry_backoff_ms`,
//! `sink_retry_max_backoff_ms`. See [`Args`] and `config.example.toml` in this crate.
#![warn(missing_docs, missing_debug_implementations)]

pub mod db;
pub mod rows;

use std::path::PathBuf;
use std::time::Duration;

use reportflow_kafka::config::Env;
use reportflow_kafka::config::Layer;
use reportflow_kafka::sink::{parse_sink_table, read_sink_file, RawSinkConfig};
use reportflow_kafka::{
    ConfigError, InputRecord, RawConfig, Reject, RunSinkError, RuntimeConfig, Sink, SinkConfig,
    SinkError, SinkSummary,
};
use reportflow_proto::topics::{
    DEFAULT_DOCUMENTS_TOPIC, DEFAULT_INDICATORS_TOPIC, DEFAULT_SECTIONS_TOPIC,
};
use tokio_postgres::Client;

pub use crate::db::{connect, migrate, write_rows, DbError, MIGRATIONS};
pub use crate::rows::Topics;

/// Environment variable of the database URL.
pub const ENV_DATABASE_URL: &str = "REPORTFLOW_DATABASE_URL";
/// Default consumer group of the sink.
pub const DEFAULT_GROUP_ID: &str = "reportflow-sink-postgres";
/// Longest a connection attempt or a batch transaction may take before it counts as an
/// outage (and is retried on a new connection).
pub const DB_TIMEOUT: Duration = Duration::from_secs(60);

/// The sink's own settings (the `[sink]` table minus the batch keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresSettings {
    /// `postgres://user@host:port/db` (or a libpq key=value string).
    pub database_url: String,
    /// Topics by message type.
    pub topics: Topics,
}

reportflow_kafka::config_keys! {
    /// The `[sink]` keys of this sink besides the batch keys, as written (`config.example.toml`
    /// shows each; a test keeps it in step).
    pub struct PostgresKeys {
        /// `postgres://user@host:port/db` URL (or a libpq key=value string). Required: here, in
        /// `REPORTFLOW_DATABASE_URL` or with `--database-url`.
        pub database_url: String,
        /// Topic of the `ReportDocument` messages (rows of `documents`).
        pub documents_topic: String = DEFAULT_DOCUMENTS_TOPIC,
        /// Topic of the `Section` messages (rows of `sections`).
        pub sections_topic: String = DEFAULT_SECTIONS_TOPIC,
        /// Topic of the `Indicator` messages (rows of `indicators`).
        pub indicators_topic: String = DEFAULT_INDICATORS_TOPIC,
    }
    tables {}
}

/// The PostgreSQL [`Sink`].
#[derive(Debug)]
pub struct PostgresSink {
    settings: PostgresSettings,
    client: Option<Client>,
}

impl PostgresSink {
    /// A sink that connects (and migrates) lazily, on its first write.
    pub fn new(settings: PostgresSettings) -> Self {
        PostgresSink {
            settings,
            client: None,
        }
    }

    /// Connects and applies the migrations now (the binaries do this at start so that a bad
    /// URL or schema shows up at once).
    pub async fn connect(&mut self) -> Result<&mut Client, DbError> {
        if self.client.as_ref().is_some_and(Client::is_closed) {
            self.client = None;
        }
        if self.client.is_none() {
            let mut client = tokio::time::timeout(DB_TIMEOUT, connect(&self.settings.database_url))
                .await
                .map_err(|_| DbError::Timeout("connecting"))??;
            tokio::time::timeout(DB_TIMEOUT, migrate(&mut client))
                .await
                .map_err(|_| DbError::Timeout("migrating"))??;
            self.client = Some(client);
        }
        Ok(self.client.as_mut().expect("connected above"))
    }

    /// Decodes and writes one batch; returns the rejects. Used by [`Sink::write`] and the
    /// benchmark.
    pub async fn write_batch(
        &mut self,
        batch: &[InputRecord],
    ) -> Result<Vec<(usize, Reject)>, SinkError> {
        let (rows, rejects) = rows::decode(batch, &self.settings.topics);
        if rows.is_empty() {
            return Ok(rejects);
        }
        let result = async {
            let client = self.connect().await?;
            tokio::time::timeout(DB_TIMEOUT, write_rows(client, &rows))
                .await
                .map_err(|_| DbError::Timeout("writing a batch"))?
        }
        .await;
        match result {
            Ok(()) => Ok(rejects),
            Err(DbError::SchemaTooNew { found, known }) => Err(SinkError::Fatal(
                DbError::SchemaTooNew { found, known }.to_string(),
            )),
            // The loop writes smaller parts to find the refused rows and dead-letters them.
            Err(err) if err.is_permanent() => Err(SinkError::Permanent(format!(
                "PostgreSQL refuses the rows: {err}: {}",
                source_chain(&err)
            ))),
            Err(err) => {
                // Whatever went wrong, start the retry on a fresh connection.
                self.client = None;
                Err(SinkError::Transient(format!(
                    "{err}: {}",
                    source_chain(&err)
                )))
            }
        }
    }
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut out = Vec::new();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push(e.to_string());
        cur = e.source();
    }
    out.join(": ")
}

impl Sink for PostgresSink {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn write(&mut self, batch: &[InputRecord]) -> Result<Vec<(usize, Reject)>, SinkError> {
        self.write_batch(batch).await
    }

    /// Connects and migrates before consuming starts; an unreachable database is retried (the
    /// HTTP server already answers `/health`, `/ready` stays 503), a schema newer than this
    /// build or a refused migration stops the sink.
    async fn prepare(&mut self) -> Result<(), SinkError> {
        match self.connect().await {
            Ok(_) => {
                tracing::info!("Connected to PostgreSQL; the schema is up to date.");
                Ok(())
            }
            Err(err @ (DbError::Unavailable(_) | DbError::Timeout(_))) => {
                self.client = None;
                Err(SinkError::Transient(format!(
                    "{err}: {}",
                    source_chain(&err)
                )))
            }
            Err(err) => Err(SinkError::Fatal(err.to_string())),
        }
    }
}

/// Flags of `reportflow-sink-postgres` and `reportflow sink postgres`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// TOML configuration file: the runtime keys plus a `[sink]` table.
    #[arg(long, short = 'c', value_name = "FILE", env = "REPORTFLOW_CONFIG")]
    pub config: Option<PathBuf>,
    /// PostgreSQL URL, e.g. `postgres://reportflow@127.0.0.1:5432/reportflow` (env
    /// REPORTFLOW_DATABASE_URL, or `database_url` in `[sink]`).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// Kafka bootstrap servers (env REPORTFLOW_BROKERS).
    #[arg(long, value_name = "HOST:PORT,…")]
    pub brokers: Option<String>,
    /// Consumer group (default `reportflow-sink-postgres`).
    #[arg(long, value_name = "GROUP")]
    pub group_id: Option<String>,
    /// Address of `/metrics`, `/health`, `/ready` (default `0.0.0.0:9100`).
    #[arg(long, value_name = "ADDR")]
    pub http_addr: Option<String>,
    /// Most records per batch (default 5000).
    #[arg(long, value_name = "N")]
    pub batch_max_records: Option<usize>,
    /// Longest time a batch stays open, in milliseconds (default 1000).
    #[arg(long, value_name = "MS")]
    pub batch_max_ms: Option<u64>,
    /// Log format: `json` or `text`.
    #[arg(long, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

/// The full configuration of a run.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The runtime's configuration.
    pub runtime: RuntimeConfig,
    /// Batch and retry settings.
    pub sink: SinkConfig,
    /// The sink's own settings.
    pub postgres: PostgresSettings,
    /// `REPORTFLOW_*` variables nobody recognised (worth a warning).
    pub unrecognized_env: Vec<String>,
}

/// Layers defaults < file < environment < flags into a [`Loaded`] configuration.
pub fn load(args: &Args) -> Result<Loaded, ConfigError> {
    let (file_raw, sink_table) = read_sink_file(args.config.as_deref())?;
    let env = Env::process();
    let (sink_file, pg): (RawSinkConfig, PostgresKeys) = parse_sink_table(&sink_table)?;
    let pg = PostgresKeys::defaults().merge(pg);
    let topics = Topics {
        documents: pg.documents_topic.unwrap_or_default(),
        sections: pg.sections_topic.unwrap_or_default(),
        indicators: pg.indicators_topic.unwrap_or_default(),
    };
    let defaults = RawConfig {
        group_id: Some(DEFAULT_GROUP_ID.into()),
        input_topics: Some(topics.all()),
        ..RawConfig::default()
    };
    let (env_raw, unrecognized) = env.layer::<RawConfig>()?;
    let flags = RawConfig {
        brokers: args.brokers.clone(),
        group_id: args.group_id.clone(),
        http_addr: args.http_addr.clone(),
        log_format: match &args.log_format {
            Some(f) => Some(f.parse().map_err(|message| ConfigError::Invalid {
                key: "log_format".into(),
                message,
            })?),
            None => None,
        },
        ..RawConfig::default()
    };
    let runtime = defaults
        .merge(file_raw)
        .merge(env_raw)
        .merge(flags)
        .into_config()?;
    let sink_flags = RawSinkConfig {
        batch_max_records: args.batch_max_records,
        batch_max_ms: args.batch_max_ms,
        ..RawSinkConfig::default()
    };
    let sink = sink_file
        .merge(RawSinkConfig::from_env(&env)?)
        .merge(sink_flags)
        .into_config()?;
    let database_url = args
        .database_url
        .clone()
        .or_else(|| {
            std::env::var(ENV_DATABASE_URL)
                .ok()
                .filter(|v| !v.is_empty())
        })
        .or(pg.database_url)
        .ok_or(ConfigError::Missing("database_url"))?;
    let unrecognized_env = unrecognized
        .into_iter()
        .filter(|v| {
            v != ENV_DATABASE_URL
                && v != "REPORTFLOW_CONFIG"
                && !v.starts_with("REPORTFLOW_BATCH_")
                && !v.starts_with("REPORTFLOW_SINK_")
        })
        .collect();
    Ok(Loaded {
        runtime,
        sink,
        postgres: PostgresSettings {
            database_url,
            topics,
        },
        unrecognized_env,
    })
}

/// Errors of [`run`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Logging could not be set up.
    #[error(transparent)]
    Runtime(#[from] reportflow_kafka::Error),
    /// The sink loop stopped with an error.
    #[error(transparent)]
    Sink(#[from] RunSinkError),
}

/// Runs the sink with `loaded` until `shutdown` resolves: starts the HTTP server (`/health`
/// answers at once, `/ready` is 503), connects and migrates (retrying an unreachable database
/// with backoff until it answers or shutdown), then joins the consumer group and runs the
/// batch loop.
pub async fn run_sink<F>(loaded: Loaded, shutdown: F) -> Result<SinkSummary, RunSinkError>
where
    F: std::future::Future + Send,
{
    // The HTTP server starts first; `prepare` connects and migrates, retrying while the
    // database is unreachable.
    let sink = PostgresSink::new(loaded.postgres);
    reportflow_kafka::run_sink(loaded.runtime, loaded.sink, sink, shutdown).await
}

/// Loads the configuration from `args`, sets up logging and runs until SIGTERM/SIGINT.
pub async fn run(args: &Args) -> Result<SinkSummary, Error> {
    let loaded = load(args)?;
    reportflow_kafka::init_logging(loaded.runtime.log_format, &loaded.runtime.log_level)?;
    for name in &loaded.unrecognized_env {
        tracing::warn!(variable = %name, "Ignoring an unrecognised REPORTFLOW_* variable.");
    }
    Ok(run_sink(loaded, reportflow_kafka::shutdown_signal()).await?)
}

#[cfg(test)]
mod tests {
    use reportflow_kafka::config::example;

    use super::*;

    #[test]
    fn the_example_configuration_loads() {
        let args = Args {
            config: Some(PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/config.example.toml"
            ))),
            ..Args::default()
        };
        let loaded = load(&args).unwrap();
        assert_eq!(loaded.runtime.input_topics.len(), 3);
        assert_eq!(
            loaded.postgres.database_url,
            "postgres://reportflow@127.0.0.1:5432/reportflow"
        );
        assert_eq!(loaded.sink.batch_max_records, 5000);
    }

    #[test]
    fn the_example_shows_every_sink_key_with_its_default() {
        let text = include_str!("../config.example.toml");
        let problems = example::sink_problems::<PostgresKeys>(text, RawSinkConfig::default());
        assert!(problems.is_empty(), "config.example.toml: {problems:?}");
    }
}
