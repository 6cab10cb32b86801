//! The small HTTP server: `/metrics` (Prometheus text format), `/health` (200 while the
//! process serves requests and its loop is not stalled: 503 after `liveness_timeout_ms` with
//! partitions, pending input and no progress, see [`crate::liveness`]) and `/ready` (200 once
//! the consumer has joined its group and holds at least one partition, 503 before that and
//! once shutdown has started).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::context::Shared;
use crate::error::Error;

/// A running HTTP server.
pub(crate) struct HttpServer {
    pub addr: SocketAddr,
    pub task: JoinHandle<()>,
}

/// Binds `addr` and serves until `shutdown` resolves.
pub(crate) async fn start(
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<HttpServer, Error> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Http {
            addr: addr.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| Error::Http {
        addr: addr.to_string(),
        source,
    })?;
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .route("/ready", get(ready))
        .with_state(shared);
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %err, addr = %bound, "The HTTP server failed.");
        }
    });
    tracing::info!(addr = %bound, "Serving /metrics, /health and /ready.");
    Ok(HttpServer { addr: bound, task })
}

async fn metrics(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        shared.metrics.render(),
    )
}

async fn health(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    // From the partition table every loop keeps: its partitions, and the inputs taken and not
    // finished (a worker's in-flight messages, a sink's batch being written). A stuck loop
    // stops polling its consumer, so the lag from librdkafka's statistics goes stale; it
    // counts too, for input not yet taken.
    let (assigned, in_flight) = {
        let table = shared.table();
        (table.len() as i64, table.in_flight() as i64)
    };
    let pending = shared.metrics.total_lag() + in_flight;
    match shared.liveness.stalled(assigned, pending) {
        None => (StatusCode::OK, "ok\n".to_string()),
        Some(since) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "stalled: no progress for {} s with {assigned} partitions and {pending} records pending\n",
                since.as_secs()
            ),
        ),
    }
}

async fn ready(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    if shared.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
    }
}
