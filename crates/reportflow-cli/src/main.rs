//! The `reportflow` command: one binary, one subcommand per job.
//!
//! Exit codes: 0 success, 1 when some input could not be processed (the others still are),
//! 2 for usage errors.

mod broker;
mod cmd;
mod review;

use std::process::ExitCode;

use clap::Parser;

/// The workers' allocator: `extract` and `run` do the same work as the workers, at the same
/// speed (glibc's malloc cost full extraction about a tenth of its throughput).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stream-processing pipeline for Chinese government economic reports.
#[derive(Debug, Parser)]
#[command(name = "reportflow", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: cmd::Command,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            if cmd::is_broken_pipe(&err) {
                // The reader went away (e.g. `| head`): nothing left to do, not a failure.
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            err.print()?;
            return Ok(ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2)));
        }
    };
    cmd::run(cli.command)
}
