//! Loads the five seed reports into a database through the sink's write path (no Kafka), to
//! try the tables and the `indicator_facts` view by hand:
//!
//! `cargo run -p reportflow-sink-postgres --example load_seeds -- postgres://postgres@127.0.0.1/reportflow`

use reportflow_kafka::InputRecord;
use reportflow_proto::{convert, v1, Message as _};
use reportflow_sink_postgres::{PostgresSettings, PostgresSink, Topics};

#[tokio::main]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: load_seeds postgres://…/database");
    let topics = Topics::default();
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../reportflow-core/test_data/seeds"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let extractor = reportflow_core::Extractor::default();
    let mut records = Vec::new();
    for path in files {
        let raw = std::fs::read(&path).unwrap();
        let report = extractor.extract(&raw, None).unwrap();
        let key = path.file_name().unwrap().to_string_lossy().into_owned();
        let x = convert::extraction_from_report(&report, v1::Source::with_key(key), raw.len());
        let mut values = vec![(
            topics.documents.clone(),
            x.document.unwrap().encode_to_vec(),
        )];
        values.extend(
            x.sections
                .iter()
                .map(|s| (topics.sections.clone(), s.encode_to_vec())),
        );
        values.extend(
            x.indicators
                .iter()
                .map(|i| (topics.indicators.clone(), i.encode_to_vec())),
        );
        for (topic, value) in values {
            let offset = records.len() as i64;
            records.push(InputRecord {
                topic,
                partition: 0,
                offset,
                key: None,
                value: Some(value),
                headers: vec![],
                timestamp_ms: None,
            });
        }
    }
    let mut sink = PostgresSink::new(PostgresSettings {
        database_url: url,
        topics,
    });
    let rejects = sink.write_batch(&records).await.expect("written");
    assert!(rejects.is_empty());
    println!("loaded {} messages", records.len());
}
