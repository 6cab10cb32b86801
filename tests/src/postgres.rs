//! The PostgreSQL end of the pipeline: a throw-away database on the machine's PostgreSQL
//! (127.0.0.1:55432, trust auth: `scripts/postgres.sh start`), a blocking client for the tests' queries, and the
//! `reportflow-sink-postgres` process.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::{Client, NoTls, Row};

use crate::kafka::CLIENT_MAX_BYTES;
use crate::process::{binary, ChildGuard};

/// Consumer group of the PostgreSQL sink.
pub const SINK_GROUP: &str = "reportflow-sink-postgres";

/// Admin connection string (the `postgres` database); `REPORTFLOW_TEST_PG` overrides.
pub fn admin_url() -> String {
    std::env::var("REPORTFLOW_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:55432/postgres".to_string())
}

/// A blocking PostgreSQL client: one connection driven by its own single-threaded runtime.
pub struct Pg {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl std::fmt::Debug for Pg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pg").finish_non_exhaustive()
    }
}

impl Pg {
    /// Connects to `url`.
    pub fn connect(url: &str) -> Result<Pg, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        let client = rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(url, NoTls)
                .await
                .map_err(|e| format!("connect to {url}: {e}"))?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            Ok::<_, String>(client)
        })?;
        Ok(Pg { rt, client })
    }

    /// Runs statements without results.
    pub fn execute(&self, sql: &str) -> Result<(), String> {
        self.rt
            .block_on(self.client.batch_execute(sql))
            .map_err(|e| format!("{sql}: {e}"))
    }

    /// The rows of a query without parameters.
    pub fn query(&self, sql: &str) -> Result<Vec<Row>, String> {
        self.rt
            .block_on(self.client.query(sql, &[]))
            .map_err(|e| format!("{sql}: {e}"))
    }

    /// The first column of the first row of a `SELECT count(*) …`-like query (-1 on error, e.g.
    /// before the sink created the tables).
    pub fn count(&self, sql: &str) -> i64 {
        self.query(sql)
            .ok()
            .and_then(|rows| rows.first().map(|r| r.get::<_, i64>(0)))
            .unwrap_or(-1)
    }
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh database `reportflow_test_<pid>_<n>`, dropped (with `FORCE`) when the guard is.
#[derive(Debug)]
pub struct TestDb {
    /// Database name.
    pub name: String,
    /// Its connection URL.
    pub url: String,
}

impl TestDb {
    /// Creates the database (dropping a stale one of the same name first).
    pub fn create() -> TestDb {
        let n = DB_COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("reportflow_test_{}_{n}", std::process::id());
        let admin = Pg::connect(&admin_url()).unwrap_or_else(|e| {
            panic!("{e}: the tests need PostgreSQL on 127.0.0.1:55432 (start it with scripts/postgres.sh start; REPORTFLOW_TEST_PG overrides)")
        });
        admin
            .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop a stale test database");
        admin
            .execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let base = admin_url();
        let url = format!(
            "{}/{name}",
            base.rsplit_once('/').expect("URL with a path").0
        );
        TestDb { name, url }
    }

    /// A new connection to the database.
    pub fn connect(&self) -> Pg {
        Pg::connect(&self.url).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match Pg::connect(&admin_url()) {
            Ok(admin) => {
                if let Err(e) = admin.execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                )) {
                    eprintln!("could not drop test database {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("could not drop test database {}: {e}", self.name),
        }
    }
}

/// Starts `reportflow-sink-postgres` against `bootstrap` and `database_url`, logging to
/// `log_dir/<name>.log`, with the workers' test settings (see
/// [`crate::pipeline::spawn_worker`]) and batches closed after `batch_max_ms`. `producer` are
/// extra librdkafka producer properties (its dead letters), passed as
/// `REPORTFLOW_KAFKA_PRODUCER__*`.
pub fn spawn_sink(
    bootstrap: &str,
    database_url: &str,
    name: &str,
    log_dir: &Path,
    batch_max_ms: u64,
    producer: &[(&str, &str)],
) -> ChildGuard {
    let mut cmd = Command::new(binary("reportflow-sink-postgres"));
    cmd.args([
        "--brokers",
        bootstrap,
        "--database-url",
        database_url,
        "--group-id",
        SINK_GROUP,
        "--http-addr",
        "127.0.0.1:0",
        "--batch-max-ms",
        &batch_max_ms.to_string(),
    ])
    .env("REPORTFLOW_WORKER_NAME", name)
    .env("REPORTFLOW_LOG_FORMAT", "text")
    .env("REPORTFLOW_SHUTDOWN_TIMEOUT_MS", "5000")
    .env("REPORTFLOW_KAFKA_CONSUMER__SESSION_TIMEOUT_MS", "6000")
    .env("REPORTFLOW_KAFKA_CONSUMER__HEARTBEAT_INTERVAL_MS", "500")
    .env("REPORTFLOW_KAFKA_CONSUMER__FETCH_WAIT_MAX_MS", "100")
    .env(
        "REPORTFLOW_KAFKA_PRODUCER__MESSAGE_MAX_BYTES",
        CLIENT_MAX_BYTES.to_string(),
    )
    .env_remove("REPORTFLOW_DATABASE_URL");
    for (k, v) in producer {
        cmd.env(
            format!(
                "REPORTFLOW_KAFKA_PRODUCER__{}",
                k.replace('.', "_").to_uppercase()
            ),
            v,
        );
    }
    if std::env::var_os("RUST_LOG").is_none() {
        cmd.env("RUST_LOG", "info,librdkafka=warn");
    }
    let log = log_dir.join(format!("{name}.log"));
    ChildGuard::spawn(name, cmd, Some(&log))
        .unwrap_or_else(|e| panic!("spawn reportflow-sink-postgres: {e}"))
}
