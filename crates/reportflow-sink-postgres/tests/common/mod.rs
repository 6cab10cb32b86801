//! Helpers of the PostgreSQL sink tests: those every sink's tests use
//! (`reportflow-sink-testkit`: the seed reports as pipeline messages, a mock Kafka cluster,
//! producing, dead letters) and a throw-away database on the machine's real PostgreSQL.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, NoTls};

pub use reportflow_sink_testkit::*;

/// Admin connection string (trust auth on the local cluster); `REPORTFLOW_TEST_PG` overrides.
pub fn admin_url() -> String {
    std::env::var("REPORTFLOW_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:55432/postgres".to_string())
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A throw-away database, dropped on `drop` (best effort).
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub async fn create() -> Self {
        let n = DB_COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("reportflow_test_{}_{}", std::process::id(), n);
        let admin = match tokio_postgres::connect(&admin_url(), NoTls).await {
            Ok((c, conn)) => {
                tokio::spawn(conn);
                c
            }
            Err(_) => {
                // The machine's PostgreSQL is stopped: start it as the machine docs say.
                let _ = std::process::Command::new("sh")
                    .args([
                        "-c",
                        "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                    ])
                    .status();
                tokio::time::sleep(Duration::from_secs(2)).await;
                connect(&admin_url()).await
            }
        };
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .expect("drop a stale test database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let base = admin_url();
        let url = format!("{}/{}", base.rsplit_once('/').unwrap().0, name);
        TestDb { name, url }
    }

    pub async fn client(&self) -> Client {
        connect(&self.url).await
    }

    /// Row counts of documents, sections, indicators.
    pub async fn counts(&self) -> (i64, i64, i64) {
        let c = self.client().await;
        let count = |t: &'static str| {
            let c = &c;
            async move {
                match c.query_one(&format!("SELECT count(*) FROM {t}"), &[]).await {
                    Ok(r) => r.get::<_, i64>(0),
                    Err(_) => -1,
                }
            }
        };
        (
            count("documents").await,
            count("sections").await,
            count("indicators").await,
        )
    }

    /// Waits until the counts equal `want` (or `timeout`); returns the last counts.
    pub async fn wait_counts(&self, want: (i64, i64, i64), timeout: Duration) -> (i64, i64, i64) {
        let start = Instant::now();
        loop {
            let got = self.counts().await;
            if got == want || start.elapsed() > timeout {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let url = admin_url();
        // A fresh thread with its own runtime: Drop may run inside a runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok((c, conn)) = tokio_postgres::connect(&url, NoTls).await {
                    tokio::spawn(conn);
                    let _ = c
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

pub async fn connect(url: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(async move {
        let _ = conn.await;
    });
    client
}
