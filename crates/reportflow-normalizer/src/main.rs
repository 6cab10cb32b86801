//! The `reportflow-normalizer` binary: the normalizer stage of the pipeline as a standalone process.
//! Everything lives in the library; see [`reportflow_normalizer::Args`] for the flags.

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stage one worker: raw reports (reports.raw) to NormalizedReport messages (reports.normalized).
#[derive(Debug, Parser)]
#[command(name = "reportflow-normalizer", version)]
struct Cli {
    #[command(flatten)]
    args: reportflow_normalizer::Args,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    reportflow_normalizer::main_with_args(cli.args)?;
    Ok(())
}
