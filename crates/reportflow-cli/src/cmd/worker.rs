//! `reportflow worker <stage>`: runs a pipeline stage in the foreground, exactly like the
//! `reportflow-normalizer` and `reportflow-extractor` binaries (same flags, same config
//! layering: TOML file < `REPORTFLOW_*` environment < flags).

use std::process::ExitCode;

/// Arguments of `reportflow worker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The stage to run.
    #[command(subcommand)]
    pub stage: Stage,
}

/// The stages.
#[derive(Debug, clap::Subcommand)]
pub enum Stage {
    /// Stage one: raw reports (reports.raw) → NormalizedReport (reports.normalized).
    Normalizer(reportflow_normalizer::Args),
    /// Stage two: NormalizedReport (reports.normalized) → documents, sections, indicators.
    Extractor(reportflow_extractor::Args),
}

/// Runs the worker until SIGTERM/SIGINT.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let summary = match args.stage {
        Stage::Normalizer(a) => reportflow_normalizer::main_with_args(a)?,
        Stage::Extractor(a) => reportflow_extractor::main_with_args(a)?,
    };
    eprintln!(
        "worker stopped: {} in, {} out, {} dead letters, {} abandoned",
        summary.messages_in, summary.messages_out, summary.dead_lettered, summary.abandoned
    );
    Ok(ExitCode::SUCCESS)
}
