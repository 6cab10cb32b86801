//! A first contact before a worker starts on a secured cluster: librdkafka treats refused
//! SASL credentials (or an untrusted TLS certificate) as a transient error and retries
//! forever, so a worker with a wrong password would run, log warnings and never get ready.
//! [`check_credentials`] connects once with the consumer's properties and turns such a
//! refusal into an error the worker exits with. A broker that is merely unreachable is not
//! an error here: the runtime waits for it as before.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;

/// How long the first contact waits for a broker's answer before leaving an unreachable
/// cluster to the runtime's own retries.
pub const CHECK_LIMIT: Duration = Duration::from_secs(15);

/// Whether `properties` use SASL or TLS (`security.protocol` other than plaintext): only then
/// is there a credential to check.
pub fn is_secured(properties: &BTreeMap<String, String>) -> bool {
    properties
        .get("security.protocol")
        .is_some_and(|p| !p.eq_ignore_ascii_case("plaintext"))
}

/// Connects with `properties` (a consumer's, as
/// [`crate::RuntimeConfig::consumer_properties`] gives them) for at most `limit`: `Ok` once a
/// broker answered or when none did (unreachable is the runtime's business), `Err` with the
/// brokers' address and librdkafka's reason when they refused the authentication or the TLS
/// handshake failed.
pub fn check_credentials(
    properties: &BTreeMap<String, String>,
    limit: Duration,
) -> Result<(), String> {
    let mut config = ClientConfig::new();
    for (k, v) in properties {
        // A bare client: no group membership, no statistics.
        if !["group.id", "group.instance.id", "statistics.interval.ms"].contains(&k.as_str()) {
            config.set(k, v);
        }
    }
    let brokers = properties
        .get("bootstrap.servers")
        .cloned()
        .unwrap_or_default();
    let consumer: BaseConsumer = match config.create() {
        Ok(c) => c,
        Err(e) => return Err(format!("cannot create a Kafka client for {brokers}: {e}")),
    };
    let started = Instant::now();
    while started.elapsed() < limit {
        let answered = consumer
            .fetch_metadata(None, Duration::from_millis(500))
            .is_ok();
        while let Some(result) = consumer.poll(Duration::ZERO) {
            let Err(e) = result else { continue };
            let code = e.rdkafka_error_code();
            if matches!(
                code,
                Some(RDKafkaErrorCode::Authentication)
                    | Some(RDKafkaErrorCode::SaslAuthenticationFailed)
                    | Some(RDKafkaErrorCode::SSL)
            ) {
                return Err(format!(
                    "the Kafka brokers at {brokers} refused the connection: {e} (check \
                     sasl.username, sasl.password and ssl.ca.location in [kafka])"
                ));
            }
        }
        if answered {
            return Ok(());
        }
    }
    Ok(())
}

/// What every consumer-group client (workers and sinks) does before joining its group: on a
/// secured cluster, [`check_credentials`] off the async threads, so a refused password ends
/// the process with [`crate::Error::Refused`] instead of leaving it retrying forever.
pub async fn refuse_bad_credentials(
    properties: BTreeMap<String, String>,
    limit: Duration,
) -> Result<(), crate::Error> {
    if !is_secured(&properties) {
        return Ok(());
    }
    tokio::task::spawn_blocking(move || check_credentials(&properties, limit))
        .await
        .map_err(|e| crate::Error::Refused(e.to_string()))?
        .map_err(crate::Error::Refused)
}
