//! `reportflow-sink-postgres`: the PostgreSQL sink as a standalone binary (the same as
//! `reportflow sink postgres`).

use clap::Parser;

/// Loads reports.documents, reports.sections and reports.indicators into PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "reportflow-sink-postgres", version)]
struct Cli {
    #[command(flatten)]
    args: reportflow_sink_postgres::Args,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    reportflow_sink_postgres::run(&cli.args).await?;
    Ok(())
}
