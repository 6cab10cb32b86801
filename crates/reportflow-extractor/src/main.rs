//! The `reportflow-extractor` binary: the extractor stage of the pipeline as a standalone process.
//! Everything lives in the library; see [`reportflow_extractor::Args`] for the flags.

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stage two worker: NormalizedReport messages (reports.normalized) to documents, sections and indicators.
#[derive(Debug, Parser)]
#[command(name = "reportflow-extractor", version)]
struct Cli {
    #[command(flatten)]
    args: reportflow_extractor::Args,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    reportflow_extractor::main_with_args(cli.args)?;
    Ok(())
}
