//! What the PostgreSQL benchmark examples share: a database of their own, created on the
//! machine's PostgreSQL and dropped at the end.

use tokio_postgres::{Client, NoTls};

/// A `{prefix}_<pid>` database on `REPORTFLOW_TEST_PG` (default
/// `postgres://postgres@127.0.0.1:55432/postgres`).
pub struct BenchDb {
    admin: Client,
    name: String,
    /// Its connection string.
    pub url: String,
}

impl BenchDb {
    /// Creates the database.
    pub async fn create(prefix: &str) -> Self {
        let admin_url = std::env::var("REPORTFLOW_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:55432/postgres".into());
        let name = format!("{prefix}_{}", std::process::id());
        let (admin, conn) = tokio_postgres::connect(&admin_url, NoTls).await.unwrap();
        tokio::spawn(conn);
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        BenchDb { admin, name, url }
    }

    /// Drops the database (closing its connections).
    pub async fn drop_database(self) {
        self.admin
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .await
            .unwrap();
    }
}
