//! `reportflow publish`: publishes report files (and directories, recursively) to the raw
//! topic, one message per file: value = the file's bytes, key = its path relative to the
//! given root (the source id; a file given directly is keyed by its name), headers
//! `source-name` (file name) and `content-type` (guessed from the extension).
//!
//! A progress bar (hidden when stderr is not a terminal) counts bytes; the summary line is
//! `published N files (X MB) to T in Y s; F failed`. A file the broker refuses (too large, …)
//! is reported on stderr and the others are still published; the exit code is then 1.
//!
//! Before sending, the topic's limit is read ([`super::limits`]): a file over the topic's
//! `max.message.bytes` (uncompressed producer) is refused alone, and on the embedded broker a
//! publish that would not fit (it deletes the oldest records silently) is refused as a whole.
//!
//! The connection is that of the workers (`--config FILE`, `REPORTFLOW_KAFKA__*`: see
//! [`super::client`]); before sending, the command waits at most `--connect-timeout-secs`
//! (30 s) for a broker to answer, printing progress, and fails with the broker address.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::stream::{FuturesUnordered, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer as _};

use super::client::{wait_for_cluster, ConnectArgs, Connection, ErrorContext};
use super::limits::{self, TopicLimit};

/// Largest message the producer accepts: 32 MiB (room for 20 MiB reports; the broker's own
/// limit may be lower).
pub const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Arguments of `reportflow publish`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Brokers, `--config`, `--connect-timeout-secs`.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Topic to publish to.
    #[arg(long, default_value = reportflow_proto::topics::DEFAULT_RAW_TOPIC)]
    pub topic: String,
    /// Files and directories (searched recursively; hidden entries are skipped).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Most messages awaiting acknowledgement at once.
    #[arg(long, default_value_t = 64)]
    pub in_flight: usize,
}

/// One file to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The file.
    pub path: PathBuf,
    /// The message key: the path relative to the root it was found under.
    pub key: String,
}

/// The files under `paths`, sorted by key within each root.
pub fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<Item>> {
    let mut items = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).with_context(|| format!("{}", root.display()))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(root, &mut found)?;
            found.sort();
            for path in found {
                let key = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                items.push(Item { path, key });
            }
        } else {
            let key = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.display().to_string());
            items.push(Item {
                path: root.clone(),
                key,
            });
        }
    }
    Ok(items)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("{}", dir.display()))? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// The `content-type` for a file name, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "text" => "text/plain",
        "htm" | "html" | "shtml" => "text/html",
        "xhtml" => "application/xhtml+xml",
        "md" => "text/markdown",
        "xml" => "application/xml",
        "json" => "application/json",
        "csv" => "text/csv",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

/// A producer for large report files on `conn` (its `[kafka]` and `[kafka_producer]`
/// properties over these defaults), once a broker answered (see
/// [`super::client::wait_for_cluster`]).
pub fn producer(conn: &Connection) -> anyhow::Result<FutureProducer<ErrorContext>> {
    let context = ErrorContext::default();
    let producer: FutureProducer<ErrorContext> = conn
        .producer_config(&[
            ("message.max.bytes", MAX_MESSAGE_BYTES.to_string()),
            ("enable.idempotence", "true".to_string()),
            ("linger.ms", "5".to_string()),
        ])
        .create_with_context(context.clone())
        .context("creating the producer")?;
    wait_for_cluster(producer.client(), &context, conn, "publish", || None)?;
    Ok(producer)
}

/// Publishes the files.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let items = collect(&args.paths)?;
    let conn = args.connect.resolve()?;
    let producer = producer(&conn)?;
    let partitions = producer
        .client()
        .fetch_metadata(Some(&args.topic), Duration::from_secs(10))
        .ok()
        .and_then(|m| Some(m.topics().first()?.partitions().len()))
        .map_or(1, |n| i32::try_from(n).unwrap_or(i32::MAX).max(1));
    let limit = limits::read(&conn, &args.topic, partitions, Duration::from_secs(10));
    if let TopicLimit::Unknown(why) = &limit {
        eprintln!("note: the size limit of {} could not be read ({why}); the broker's refusals are reported per file", args.topic);
    }
    let sizes: Vec<u64> = items.iter().map(record_size).collect();
    let refused = limits::check(&limit, &sizes, limits::compresses(&conn))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let failed = runtime.block_on(publish(args, producer, items, refused, &limit))?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// About how many bytes a file's record takes: value, key and the two headers.
fn record_size(item: &Item) -> u64 {
    let value = std::fs::metadata(&item.path).map_or(0, |m| m.len());
    let name = item.path.file_name().map_or(0, |n| n.len());
    value + (item.key.len() + name + content_type(&item.path).len() + 64) as u64
}

async fn publish(
    args: &Args,
    producer: FutureProducer<ErrorContext>,
    items: Vec<Item>,
    refused: Vec<Option<String>>,
    limit: &TopicLimit,
) -> anyhow::Result<usize> {
    let total: u64 = items
        .iter()
        .map(|i| std::fs::metadata(&i.path).map(|m| m.len()).unwrap_or(0))
        .sum();
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}",
        )
        .expect("valid template"),
    );
    let started = Instant::now();
    let (mut published, mut failed, mut bytes) = (0usize, 0usize, 0u64);
    let mut pending = FuturesUnordered::new();
    for (item, refusal) in items.into_iter().zip(refused) {
        if let Some(why) = refusal {
            bar.suspend(|| eprintln!("error: {}: {why}", item.path.display()));
            failed += 1;
            continue;
        }
        while pending.len() >= args.in_flight.max(1) {
            if let Some(result) = pending.next().await {
                tally(result, &bar, &mut published, &mut failed, &mut bytes);
            }
        }
        let value = match std::fs::read(&item.path) {
            Ok(v) => v,
            Err(err) => {
                bar.suspend(|| eprintln!("error: {}: {err}", item.path.display()));
                failed += 1;
                continue;
            }
        };
        let name = item
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ctype = content_type(&item.path);
        let producer = producer.clone();
        let topic = args.topic.clone();
        let limit = limit.clone();
        pending.push(async move {
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: "source-name",
                    value: Some(name.as_str()),
                })
                .insert(Header {
                    key: "content-type",
                    value: Some(ctype),
                });
            let record = FutureRecord::to(&topic)
                .key(&item.key)
                .payload(&value)
                .headers(headers);
            let result = producer
                .send(record, Duration::from_secs(30))
                .await
                .map(|_| ())
                .map_err(|(err, _)| limits::explain(&err.to_string(), &limit));
            (item, value.len() as u64, result)
        });
    }
    while let Some(result) = pending.next().await {
        tally(result, &bar, &mut published, &mut failed, &mut bytes);
    }
    bar.finish_and_clear();
    println!(
        "published {published} files ({:.1} MB) to {} in {:.1} s; {failed} failed",
        bytes as f64 / 1_000_000.0,
        args.topic,
        started.elapsed().as_secs_f64()
    );
    Ok(failed)
}

fn tally(
    (item, len, result): (Item, u64, Result<(), String>),
    bar: &ProgressBar,
    published: &mut usize,
    failed: &mut usize,
    bytes: &mut u64,
) {
    bar.inc(len);
    match result {
        Ok(()) => {
            *published += 1;
            *bytes += len;
        }
        Err(err) => {
            *failed += 1;
            bar.suspend(|| eprintln!("error: {}: {err}", item.path.display()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_paths() {
        let dir = std::env::temp_dir().join(format!("rf-publish-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("a.txt"), "a").unwrap();
        std::fs::write(dir.join("sub/b.html"), "b").unwrap();
        std::fs::write(dir.join(".hidden"), "h").unwrap();
        let items = collect(std::slice::from_ref(&dir)).unwrap();
        let keys: Vec<_> = items.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["a.txt", "sub/b.html"]);
        let single = collect(&[dir.join("sub/b.html")]).unwrap();
        assert_eq!(single[0].key, "b.html");
        assert_eq!(content_type(Path::new("x/y.HTML")), "text/html");
        assert_eq!(content_type(Path::new("r.pdf")), "application/pdf");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
