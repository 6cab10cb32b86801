//! `reportflow dev-broker`: runs the embedded broker (librdkafka's mock cluster) in the
//! foreground with the default topics, so separate worker processes, `reportflow publish`,
//! `reportflow tail` and kcat can use it. The first line on stdout is the bootstrap address;
//! the broker keeps everything in memory and stops on SIGINT/SIGTERM.

use std::io::Write as _;
use std::process::ExitCode;

use crate::broker;

/// Arguments of `reportflow dev-broker`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of mock brokers in the cluster.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub broker_count: i32,
    /// Partitions of each default topic (reports.raw, .normalized, .documents, .sections,
    /// .indicators, .dlq).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub partitions: i32,
}

/// Runs the broker until SIGINT/SIGTERM.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let cluster = broker::start(args.broker_count, args.partitions)?;
    let bootstrap = cluster.bootstrap_servers();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{bootstrap}")?;
    out.flush()?;
    drop(out);
    eprintln!(
        "embedded broker (librdkafka mock cluster) listening on {bootstrap}\n\
         topics ({} partitions): {}\n\
         try: reportflow publish --brokers {bootstrap} DIR\n\
         \x20    reportflow worker normalizer --brokers {bootstrap} --http-addr 127.0.0.1:0\n\
         \x20    reportflow tail --brokers {bootstrap} --topic reports.indicators\n\
         Ctrl-C stops it (everything is kept in memory only).",
        args.partitions,
        broker::TOPICS.join(", ")
    );
    runtime.block_on(reportflow_kafka::shutdown_signal());
    drop(cluster);
    Ok(ExitCode::SUCCESS)
}
