//! `reportflow-sink-parquet`: the Parquet sink as a standalone binary (the same as
//! `reportflow sink parquet`).

use clap::Parser;

/// Writes reports.documents, reports.sections and reports.indicators as Parquet datasets.
#[derive(Debug, Parser)]
#[command(name = "reportflow-sink-parquet", version)]
struct Cli {
    #[command(flatten)]
    args: reportflow_sink_parquet::Args,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    reportflow_sink_parquet::run(&cli.args).await?;
    Ok(())
}
