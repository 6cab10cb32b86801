//! `reportflow dev-broker`: runs the embedded broker (librdkafka's mock cluster) in the
//! foreground with the default topics, so separate worker processes, `reportflow publish`,
//! `reportflow tail` and kcat can use it. The first line on stdout is the bootstrap address;
//! the broker keeps everything in memory and stops on SIGINT/SIGTERM. Its limits (5 MiB and
//! 100000 records per partition, oldest records deleted past them: see [`crate::broker`]) are
//! printed with the address.

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
         Ctrl-C stops it (everything is kept in memory only).\n\
         limit: each partition keeps at most {} bytes and {} records; past that the oldest\n\
         records are deleted silently (a record over the limit empties its partition), so\n\
         publish at most that much per partition (workers count lost records in\n\
         reportflow_offsets_skipped_total); use Apache Kafka for more.",
        args.partitions,
        broker::TOPICS.join(", "),
        broker::PARTITION_MAX_BYTES,
        broker::PARTITION_MAX_RECORDS
    );
    runtime.block_on(reportflow_kafka::shutdown_signal());
    drop(cluster);
    Ok(ExitCode::SUCCESS)
}
