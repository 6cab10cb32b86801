//! The library's error type.

use rdkafka::error::KafkaError;

use crate::config::ConfigError;

/// Everything that can stop the runtime (or keep it from starting).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// A Kafka client could not be created or a Kafka call failed fatally.
    #[error("kafka error while {context}: {source}")]
    Kafka {
        /// What the runtime was doing.
        context: &'static str,
        /// The client's error.
        #[source]
        source: KafkaError,
    },
    /// A secured cluster refused the credentials or the TLS handshake (see
    /// [`crate::preflight`]).
    #[error("{0}")]
    Refused(String),
    /// The idempotent producer hit a fatal error; the process must restart to recover.
    #[error("the producer failed fatally: {0}")]
    ProducerFatal(String),
    /// The HTTP server could not bind or failed.
    #[error("http server error on {addr}: {source}")]
    Http {
        /// The address it was bound (or tried to bind) to.
        addr: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The metrics registry rejected a metric (a programming error).
    #[error("metrics registry error: {0}")]
    Metrics(#[from] prometheus::Error),
    /// The logging subscriber could not be installed (another one is already set).
    #[error("could not initialise logging: {0}")]
    Logging(String),
}

impl Error {
    pub(crate) fn kafka(context: &'static str, source: KafkaError) -> Self {
        Error::Kafka { context, source }
    }
}
