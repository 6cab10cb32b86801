//! The shutdown signal of a worker process: SIGTERM or SIGINT.

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C). Pass it to [`crate::run`].
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("Received SIGTERM."),
                    _ = ctrl_c() => tracing::info!("Received SIGINT."),
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "Cannot listen for SIGTERM; only SIGINT will stop the worker.");
                ctrl_c().await;
                tracing::info!("Received SIGINT.");
            }
        }
    }
    #[cfg(not(unix))]
    {
        ctrl_c().await;
        tracing::info!("Received Ctrl-C.");
    }
}

async fn ctrl_c() {
    if let Err(err) = tokio::signal::ctrl_c().await {
        tracing::warn!(error = %err, "Cannot listen for SIGINT.");
        std::future::pending::<()>().await;
    }
}
