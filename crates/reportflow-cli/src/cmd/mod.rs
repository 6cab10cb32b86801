//! Subcommands of `reportflow`. Each lives in its own module with a clap `Args` struct and a
//! `run` function returning the process exit code; new subcommands (demo, publish, tail,
//! worker, sink, dev-broker) are added to [`Command`] and [`run`].

pub mod client;
pub mod demo;
pub mod dev_broker;
pub mod dlq;
pub mod extract;
pub mod lag;
pub mod limits;
pub mod parquet;
pub mod publish;
pub mod sink;
pub mod tail;
pub mod worker;

use std::process::ExitCode;

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Extract metadata, sections and indicators from report files and print them.
    Extract(extract::Args),
    /// Run the whole pipeline on bundled sample reports with an embedded broker, no setup.
    Demo(demo::Args),
    /// Run the embedded broker (librdkafka mock cluster) in the foreground; prints its address.
    DevBroker(dev_broker::Args),
    /// Run a pipeline stage (normalizer or extractor) in the foreground.
    Worker(worker::Args),
    /// Publish report files and directories to the raw topic.
    Publish(publish::Args),
    /// Print the messages of a reportflow topic as JSON lines.
    Tail(tail::Args),
    /// Dead-letter operations (redrive).
    Dlq(dlq::Args),
    /// Run a storage consumer (PostgreSQL or Parquet) in the foreground.
    Sink(sink::Args),
    /// Parquet dataset operations (check: rows, distinct keys and files).
    Parquet(parquet::Args),
    /// A consumer group's lag (committed offsets against high watermarks), even with no
    /// members; text or Prometheus format.
    Lag(lag::Args),
}

/// Runs a subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Extract(args) => extract::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::DevBroker(args) => dev_broker::run(&args),
        Command::Worker(args) => worker::run(args),
        Command::Publish(args) => publish::run(&args),
        Command::Tail(args) => tail::run(&args),
        Command::Dlq(args) => dlq::run(&args),
        Command::Sink(args) => sink::run(&args),
        Command::Parquet(args) => parquet::run(&args),
        Command::Lag(args) => lag::run(&args),
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
