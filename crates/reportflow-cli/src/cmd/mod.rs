//! Subcommands of `reportflow`. Each lives in its own module with a clap `Args` struct and a
//! `run` function returning the process exit code; new subcommands (demo, publish, tail,
//! worker, sink, dev-broker) are added to [`Command`] and [`run`].

pub mod extract;

use std::process::ExitCode;

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Extract metadata, sections and indicators from report files and print them.
    Extract(extract::Args),
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Extract(args) => extract::run(&args),
    }
}

/// Whether an error comes from writing to a closed pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
