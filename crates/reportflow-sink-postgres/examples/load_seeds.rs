//! Loads the five seed reports into a database through the sink's write path (no Kafka), to
//! try the tables and the `indicator_facts` view by hand:
//!
//! `cargo run -p reportflow-sink-postgres --example load_seeds -- postgres://postgres@127.0.0.1/reportflow`

use reportflow_proto::v1;
use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};
use reportflow_sink_testkit::{bench, extractions};

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: load_seeds postgres://…/database");
    let topics = Topics::default();
    // Seed by seed: the document, its sections, its indicators.
    let records = bench::input_records(
        extractions(|name| v1::Source::with_key(name))
            .iter()
            .flat_map(|x| bench::report_messages(x, "", &topics))
            .map(|(topic, _, value)| (topic, value)),
    );
    let mut sink = PostgresSink::new(PostgresSettings {
        database_url: url,
        topics,
    });
    let rejects = sink.write_batch(&records).await.expect("written");
    assert!(rejects.is_empty());
    println!("loaded {} messages", records.len());
}
