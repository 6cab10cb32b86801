//! `reportflow sink postgres|parquet`: runs a storage consumer in the foreground until
//! SIGTERM/SIGINT. The same as the standalone `reportflow-sink-postgres` and
//! `reportflow-sink-parquet` binaries (same flags, same `REPORTFLOW_*` environment, same
//! configuration file with a `[sink]` table); see those crates for the table and file layouts.

use std::process::ExitCode;

use anyhow::Context as _;

/// Arguments of `reportflow sink`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which sink to run.
    #[command(subcommand)]
    pub sink: Which,
}

/// The sinks.
#[derive(Debug, clap::Subcommand)]
pub enum Which {
    /// Load documents, sections and indicators into PostgreSQL (tables + `indicator_facts`
    /// view; idempotent upserts; migrations applied at start).
    Postgres(reportflow_sink_postgres::Args),
    /// Write documents, sections and indicators as Parquet datasets below `--dir`.
    Parquet(reportflow_sink_parquet::Args),
}

/// Runs the chosen sink until a shutdown signal.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        match &args.sink {
            Which::Postgres(a) => {
                reportflow_sink_postgres::run(a).await?;
            }
            Which::Parquet(a) => {
                reportflow_sink_parquet::run(a).await?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
