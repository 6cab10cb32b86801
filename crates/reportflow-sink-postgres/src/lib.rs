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

use std::time::Duration;

use reportflow_kafka::sink::RawSinkConfig;
use reportflow_kafka::{
    ConfigError, Env, InputRecord, Reject, RunSinkError, Sink, SinkArgs, SinkError, SinkSetup,
    SinkSummary,
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

impl PostgresKeys {
    /// The topics the keys name, by message type.
    pub fn topics(&self) -> Topics {
        let name = |t: &Option<String>| t.clone().unwrap_or_default();
        Topics {
            documents: name(&self.documents_topic),
            sections: name(&self.sections_topic),
            indicators: name(&self.indicators_topic),
        }
    }
}

/// Flags of `reportflow-sink-postgres` and `reportflow sink postgres`: the shared
/// [`SinkArgs`] and the database URL.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// The flags every sink has.
    #[command(flatten)]
    pub sink: SinkArgs,
    /// PostgreSQL URL, e.g. `postgres://reportflow@127.0.0.1:5432/reportflow` (env
    /// REPORTFLOW_DATABASE_URL, or `database_url` in `[sink]`).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// The full configuration of a run: the runtime's, the batch loop's and [`PostgresSettings`].
pub type Loaded = SinkSetup<PostgresSettings>;

/// Layers defaults < file < `env` < flags into a [`Loaded`] configuration.
pub fn load(args: &Args, env: &Env) -> Result<Loaded, ConfigError> {
    let setup = args.sink.load::<PostgresKeys>(
        env,
        DEFAULT_GROUP_ID,
        RawSinkConfig::default(),
        |keys| keys.topics().all(),
        &[ENV_DATABASE_URL],
    )?;
    let database_url = args
        .database_url
        .clone()
        .or_else(|| env.get(ENV_DATABASE_URL).map(String::from))
        .or_else(|| setup.own.database_url.clone())
        .ok_or(ConfigError::Missing("database_url"))?;
    let topics = setup.own.topics();
    Ok(setup.with(PostgresSettings {
        database_url,
        topics,
    }))
}

/// Errors of [`run`]: the configuration, logging or the sink loop.
pub type Error = reportflow_kafka::SinkMainError;

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
    let sink = PostgresSink::new(loaded.own);
    reportflow_kafka::run_sink(loaded.runtime, loaded.sink, sink, shutdown).await
}

/// Loads the configuration from `args` and the process environment, sets up logging and runs
/// until SIGTERM/SIGINT.
pub async fn run(args: &Args) -> Result<SinkSummary, Error> {
    let loaded = load(args, &Env::process())?;
    reportflow_kafka::start_logging(&loaded.runtime, &loaded.unrecognized_env)?;
    Ok(run_sink(loaded, reportflow_kafka::shutdown_signal()).await?)
}

#[cfg(test)]
mod tests {
    use reportflow_kafka::config::example;

    use super::*;

    #[test]
    fn the_example_configuration_loads() {
        let args = Args {
            sink: SinkArgs {
                config: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml").into()),
                ..SinkArgs::default()
            },
            ..Args::default()
        };
        let loaded = load(&args, &Env::default()).unwrap();
        assert_eq!(loaded.runtime.input_topics.len(), 3);
        assert_eq!(
            loaded.own.database_url,
            "postgres://reportflow@127.0.0.1:5432/reportflow"
        );
        assert_eq!(loaded.sink.batch_max_records, 5000);
        // The flag wins over the environment, the environment over the file.
        let env = Env::from_vars([(ENV_DATABASE_URL.to_string(), "postgres://env".to_string())]);
        assert_eq!(
            load(&args, &env).unwrap().own.database_url,
            "postgres://env"
        );
        let flag = Args {
            database_url: Some("postgres://flag".into()),
            ..args
        };
        assert_eq!(
            load(&flag, &env).unwrap().own.database_url,
            "postgres://flag"
        );
    }

    #[test]
    fn a_typo_in_any_table_is_refused_with_its_name() {
        let dir = std::env::temp_dir().join(format!("rf-pg-typo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (text, key) in [
            ("[sink]\ndatabse_url = \"postgres://x\"\n", "databse_url"),
            ("[sink]\nbatch_max_recods = 1\n", "batch_max_recods"),
            ("comit_interval_ms = 5\n", "comit_interval_ms"),
            (
                "[kafka_consumer]\n\"group.id\" = \"x\"\n[sink]\n",
                "group.id",
            ),
        ] {
            let path = dir.join("sink.toml");
            std::fs::write(&path, text).unwrap();
            let mut args = Args::default();
            args.sink.config = Some(path);
            args.sink.brokers = Some("b:9092".into());
            args.database_url = Some("postgres://flag".into());
            let err = load(&args, &Env::default()).unwrap_err().to_string();
            assert!(err.contains(key), "{key}: {err}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_example_shows_every_sink_key_with_its_default() {
        let text = include_str!("../config.example.toml");
        let problems = example::sink_problems::<PostgresKeys>(text, RawSinkConfig::default());
        assert!(problems.is_empty(), "config.example.toml: {problems:?}");
    }
}
