//! `reportflow lag`: a consumer group's lag on its input topics, measured from the group's
//! committed offsets against each partition's high watermark, so it shows even when the
//! group has no members (the workers' own `reportflow_consumer_lag` gauge disappears with the
//! last worker, which is exactly when a backlog grows unseen).
//!
//! `--format text` prints a table; `--format prometheus` prints
//! `reportflow_group_lag{group,topic,partition}` and `reportflow_group_lag_total{group,topic}`
//! gauges for a node-exporter textfile collector or a cron job pushing to a Pushgateway, which
//! the `ReportflowGroupLagStalled`-style alerts can use. A partition with no committed offset
//! counts from its low watermark (everything still in the log is unread).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

use super::client::{wait_for_cluster, ConnectArgs, ErrorContext};

/// The per-partition gauge.
pub const PARTITION_METRIC: &str = "reportflow_group_lag";
/// The per-topic gauge (what `ReportflowGroupNotProgressing` reads).
pub const TOTAL_METRIC: &str = "reportflow_group_lag_total";

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table: topic, partition, committed, high watermark, lag.
    Text,
    /// Prometheus text exposition format.
    Prometheus,
}

/// Arguments of `reportflow lag`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Brokers, `--config`, `--connect-timeout-secs`.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The consumer group (e.g. reportflow-normalizer).
    #[arg(long, value_name = "GROUP")]
    pub group: String,
    /// Topics the group consumes (repeatable).
    #[arg(long = "topic", value_name = "TOPIC", required = true)]
    pub topics: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// One partition's lag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionLag {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// The group's committed offset, if any.
    pub committed: Option<i64>,
    /// The partition's low watermark (first offset still in the log).
    pub low: i64,
    /// The partition's high watermark (next offset to be written).
    pub high: i64,
}

impl PartitionLag {
    /// Records written and not yet committed by the group (from the low watermark when the
    /// group never committed, or when its offset was deleted).
    pub fn lag(&self) -> i64 {
        let from = self.committed.unwrap_or(self.low).max(self.low);
        (self.high - from).max(0)
    }
}

/// Reads the lag of `group` on `topics`.
pub fn measure(
    consumer: &BaseConsumer<ErrorContext>,
    topics: &[String],
    timeout: Duration,
) -> anyhow::Result<Vec<PartitionLag>> {
    let mut tpl = TopicPartitionList::new();
    for topic in topics {
        let metadata = consumer
            .fetch_metadata(Some(topic), timeout)
            .with_context(|| format!("reading the metadata of {topic}"))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == topic && t.error().is_none())
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        anyhow::ensure!(!partitions.is_empty(), "topic {topic} has no partitions");
        for p in partitions {
            tpl.add_partition(topic, p);
        }
    }
    let committed = consumer
        .committed_offsets(tpl.clone(), timeout)
        .context("reading the group's committed offsets")?;
    let mut lags = Vec::new();
    for element in tpl.elements() {
        let (topic, partition) = (element.topic(), element.partition());
        let (low, high) = consumer
            .fetch_watermarks(topic, partition, timeout)
            .with_context(|| format!("reading the watermarks of {topic}/{partition}"))?;
        let committed = committed
            .find_partition(topic, partition)
            .and_then(|e| match e.offset() {
                Offset::Offset(o) => Some(o),
                _ => None,
            });
        lags.push(PartitionLag {
            topic: topic.to_string(),
            partition,
            committed,
            low,
            high,
        });
    }
    Ok(lags)
}

/// The Prometheus text of `lags` for `group`.
pub fn prometheus(group: &str, lags: &[PartitionLag]) -> String {
    let mut out = format!(
        "# HELP {PARTITION_METRIC} Records written and not yet committed by the consumer group, per partition.\n\
         # TYPE {PARTITION_METRIC} gauge\n"
    );
    for l in lags {
        out.push_str(&format!(
            "{PARTITION_METRIC}{{group=\"{group}\",topic=\"{}\",partition=\"{}\"}} {}\n",
            l.topic,
            l.partition,
            l.lag()
        ));
    }
    out.push_str(&format!(
        "# HELP {TOTAL_METRIC} Records written and not yet committed by the consumer group, per topic.\n\
         # TYPE {TOTAL_METRIC} gauge\n"
    ));
    let mut topics: Vec<&str> = lags.iter().map(|l| l.topic.as_str()).collect();
    topics.dedup();
    for topic in topics {
        let total: i64 = lags
            .iter()
            .filter(|l| l.topic == topic)
            .map(PartitionLag::lag)
            .sum();
        out.push_str(&format!(
            "{TOTAL_METRIC}{{group=\"{group}\",topic=\"{topic}\"}} {total}\n"
        ));
    }
    out
}

/// Prints the lag.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let conn = args.connect.resolve()?;
    let context = ErrorContext::default();
    // The group id only names whose offsets are read: this client never subscribes, so it
    // does not join the group or disturb its members.
    let consumer: BaseConsumer<ErrorContext> = conn
        .consumer_config(&[
            ("group.id", args.group.clone()),
            ("enable.auto.commit", "false".to_string()),
        ])
        .create_with_context(context.clone())
        .context("creating the consumer")?;
    wait_for_cluster(consumer.client(), &context, &conn, "lag", || match consumer
        .poll(Duration::ZERO)
    {
        Some(Err(e)) => Some(e.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail)),
        _ => None,
    })?;
    let lags = measure(&consumer, &args.topics, Duration::from_secs(10))?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Prometheus => out.write_all(prometheus(&args.group, &lags).as_bytes())?,
        Format::Text => {
            writeln!(out, "topic\tpartition\tcommitted\thigh\tlag")?;
            for l in &lags {
                let committed = l.committed.map_or("-".to_string(), |c| c.to_string());
                writeln!(
                    out,
                    "{}\t{}\t{committed}\t{}\t{}",
                    l.topic,
                    l.partition,
                    l.high,
                    l.lag()
                )?;
            }
            let total: i64 = lags.iter().map(PartitionLag::lag).sum();
            writeln!(out, "total lag of {}: {total}", args.group)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lag(committed: Option<i64>, low: i64, high: i64) -> PartitionLag {
        PartitionLag {
            topic: "t".into(),
            partition: 0,
            committed,
            low,
            high,
        }
    }

    #[test]
    fn lag_counts_from_the_commit_or_the_log_start() {
        assert_eq!(lag(Some(3), 0, 10).lag(), 7);
        assert_eq!(lag(None, 2, 10).lag(), 8);
        // A committed offset deleted by retention: the rest of the log is the lag.
        assert_eq!(lag(Some(1), 5, 10).lag(), 5);
        assert_eq!(lag(Some(10), 0, 10).lag(), 0);
        let text = prometheus("g", &[lag(Some(3), 0, 10), lag(None, 0, 4)]);
        assert!(text.contains("reportflow_group_lag{group=\"g\",topic=\"t\",partition=\"0\"} 7"));
        assert!(text.contains("reportflow_group_lag_total{group=\"g\",topic=\"t\"} 11"));
    }
}
