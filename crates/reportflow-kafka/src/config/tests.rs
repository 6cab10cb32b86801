//! Tests of the layered configuration.

use super::sink::{split_sink_table, RawSinkConfig, DEFAULT_BATCH_MAX_MS};
use super::*;

fn parse(text: &str) -> Result<RawConfig, ConfigError> {
    RawConfig::from_toml_str(text, Path::new("<test>"))
}

fn minimal() -> RawConfig {
    parse(
        r#"
        brokers = "localhost:9092"
        group_id = "g"
        input_topics = ["reports.raw"]
        "#,
    )
    .unwrap()
}

#[test]
fn minimal_config_gets_defaults() {
    let c = minimal().into_config().unwrap();
    assert_eq!(c.brokers, "localhost:9092");
    assert_eq!(c.dlq_topic, "reports.dlq");
    assert_eq!(c.max_message_bytes, 16 * 1024 * 1024);
    assert_eq!(c.commit_interval, Duration::from_secs(1));
    assert_eq!(c.http_addr, "0.0.0.0:9100".parse().unwrap());
    assert_eq!(c.log_format, LogFormat::Json);
    assert!(c.max_in_flight >= 8);
    assert!(!c.worker_name.is_empty());
}

#[test]
fn example_file_parses_and_validates() {
    let text = include_str!("../../config.example.toml");
    // As a binary reads it: its own group and input topics below the file.
    let binary = RawConfig {
        group_id: Some("reportflow-normalizer".into()),
        input_topics: Some(vec!["reports.raw".into()]),
        ..RawConfig::default()
    };
    let raw = parse(text).unwrap();
    assert_eq!(
        (raw.group_id.as_ref(), raw.input_topics.as_ref()),
        (None, None)
    );
    let c = binary.merge(raw).into_config().unwrap();
    assert_eq!(c.dlq_topic, "reports.dlq");
    assert_eq!(c.max_message_bytes, DEFAULT_MAX_MESSAGE_BYTES);
    assert_eq!(
        c.commit_interval.as_millis() as u64,
        DEFAULT_COMMIT_INTERVAL_MS
    );
    assert_eq!(
        c.shutdown_timeout.as_millis() as u64,
        DEFAULT_SHUTDOWN_TIMEOUT_MS
    );
    assert_eq!(
        c.revoke_timeout.as_millis() as u64,
        DEFAULT_REVOKE_TIMEOUT_MS
    );
    assert_eq!(
        c.kafka.get("client.id").map(String::as_str),
        Some("reportflow-worker")
    );
}

#[test]
fn unknown_keys_are_rejected() {
    let err = parse("brokers = \"x\"\ncommit_interval = 5\n").unwrap_err();
    assert!(err.to_string().contains("commit_interval"), "{err}");
}

#[test]
fn missing_required_keys_are_named() {
    let err = parse("group_id = \"g\"\ninput_topics=[\"a\"]")
        .unwrap()
        .into_config()
        .unwrap_err();
    assert!(matches!(err, ConfigError::Missing("brokers")), "{err}");
    assert!(err.to_string().contains("REPORTFLOW_BROKERS"));
}

#[test]
fn kafka_table_is_passed_through_flattened_and_stringified() {
    let raw = parse(
        r#"
        brokers = "b:9092"
        group_id = "g"
        input_topics = ["in"]
        [kafka]
        "security.protocol" = "SASL_SSL"
        sasl.mechanism = "SCRAM-SHA-512"
        "socket.timeout.ms" = 30000
        "api.version.request" = true
        "debug" = ["broker", "topic"]
        [kafka_consumer]
        "client.id" = "consumer-1"
        "#,
    )
    .unwrap();
    let c = raw.into_config().unwrap();
    assert_eq!(c.kafka["security.protocol"], "SASL_SSL");
    assert_eq!(c.kafka["sasl.mechanism"], "SCRAM-SHA-512");
    assert_eq!(c.kafka["socket.timeout.ms"], "30000");
    assert_eq!(c.kafka["api.version.request"], "true");
    assert_eq!(c.kafka["debug"], "broker,topic");
    let cp = c.consumer_properties();
    assert_eq!(cp["client.id"], "consumer-1");
    assert_eq!(cp["security.protocol"], "SASL_SSL");
    assert_eq!(cp["enable.auto.commit"], "false");
    assert_eq!(cp["partition.assignment.strategy"], "cooperative-sticky");
    let pp = c.producer_properties();
    assert!(!pp.contains_key("client.id"));
    assert_eq!(pp["enable.idempotence"], "true");
    assert_eq!(pp["acks"], "all");
    assert_eq!(pp["sasl.mechanism"], "SCRAM-SHA-512");
}

#[test]
fn enforced_properties_cannot_be_weakened() {
    for (prop, value) in [
        ("enable.auto.commit", "true"),
        ("enable.idempotence", "false"),
        ("acks", "1"),
        ("partition.assignment.strategy", "range"),
        ("bootstrap.servers", "x:1"),
        ("group.id", "other"),
    ] {
        let mut raw = minimal();
        raw.kafka = Some(BTreeMap::from([(prop.to_string(), value.to_string())]));
        let err = raw.into_config().unwrap_err();
        assert!(err.to_string().contains(prop), "{prop}: {err}");
    }
    // Restating the enforced value is fine.
    let mut raw = minimal();
    raw.kafka_producer = Some(BTreeMap::from([("acks".into(), "-1".into())]));
    raw.into_config().unwrap();
}

#[test]
fn dlq_must_not_be_an_input() {
    let mut raw = minimal();
    raw.dlq_topic = Some("reports.raw".into());
    assert!(raw.into_config().is_err());
}

#[test]
fn env_mapping() {
    let vars = [
        ("REPORTFLOW_BROKERS", "k1:9092,k2:9092"),
        ("REPORTFLOW_GROUP_ID", "workers"),
        ("REPORTFLOW_INPUT_TOPICS", "a, b,"),
        ("REPORTFLOW_COMMIT_INTERVAL_MS", "250"),
        ("REPORTFLOW_LOG_FORMAT", "text"),
        ("REPORTFLOW_KAFKA__SASL_MECHANISM", "PLAIN"),
        ("REPORTFLOW_KAFKA__SECURITY_PROTOCOL", "SASL_SSL"),
        ("REPORTFLOW_KAFKA_CONSUMER__CLIENT_ID", "c"),
        ("REPORTFLOW_KAFKA_PRODUCER__LINGER_MS", "20"),
        ("REPORTFLOW_BLESS", "1"),
        ("REPORTFLOW_MAX_IN_FLIGHT", ""),
        ("HOME", "/root"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let (raw, unrecognized) = RawConfig::from_env_vars(vars).unwrap();
    assert_eq!(unrecognized, vec!["REPORTFLOW_BLESS".to_string()]);
    assert_eq!(raw.input_topics, Some(vec!["a".into(), "b".into()]));
    assert_eq!(raw.max_in_flight, None);
    let c = raw.into_config().unwrap();
    assert_eq!(c.brokers, "k1:9092,k2:9092");
    assert_eq!(c.commit_interval, Duration::from_millis(250));
    assert_eq!(c.log_format, LogFormat::Text);
    assert_eq!(c.kafka["sasl.mechanism"], "PLAIN");
    assert_eq!(c.kafka["security.protocol"], "SASL_SSL");
    assert_eq!(c.kafka_consumer["client.id"], "c");
    assert_eq!(c.kafka_producer["linger.ms"], "20");
}

#[test]
fn env_type_errors_name_the_variable() {
    let err = RawConfig::from_env_vars([(
        "REPORTFLOW_COMMIT_INTERVAL_MS".to_string(),
        "soon".to_string(),
    )])
    .unwrap_err();
    assert!(
        err.to_string().contains("REPORTFLOW_COMMIT_INTERVAL_MS"),
        "{err}"
    );
}

#[test]
fn topics_table_from_file_env_and_flags() {
    let file = parse(
        r#"
        brokers = "b:9092"
        group_id = "g"
        input_topics = ["reports.raw"]
        [topics]
        normalized = "file.normalized"
        documents = "file.documents"
        "#,
    )
    .unwrap();
    let (env, unrecognized) = RawConfig::from_env_vars([(
        "REPORTFLOW_TOPICS__DOCUMENTS".to_string(),
        "env.documents".to_string(),
    )])
    .unwrap();
    assert!(unrecognized.is_empty());
    let flags = RawConfig {
        topics: Some(BTreeMap::from([(
            "indicators".to_string(),
            "flag.indicators".to_string(),
        )])),
        ..RawConfig::default()
    };
    let c = file.merge(env).merge(flags).into_config().unwrap();
    assert_eq!(c.topic("normalized", "x"), "file.normalized");
    assert_eq!(c.topic("documents", "x"), "env.documents");
    assert_eq!(c.topic("indicators", "x"), "flag.indicators");
    assert_eq!(c.topic("sections", "reports.sections"), "reports.sections");
    // An output topic must not be an input topic.
    let mut raw = minimal();
    raw.topics = Some(BTreeMap::from([("out".into(), "reports.raw".into())]));
    assert!(raw
        .into_config()
        .unwrap_err()
        .to_string()
        .contains("topics.out"));
    // Values must be strings.
    assert!(parse("[topics]\nnormalized = 3\n").is_err());
}

#[test]
fn layers_merge_later_wins() {
    let file = parse(
        r#"
        brokers = "file:9092"
        group_id = "g"
        input_topics = ["in"]
        commit_interval_ms = 5000
        [kafka]
        "client.id" = "file"
        "linger.ms" = 5
        "#,
    )
    .unwrap();
    let (env, _) = RawConfig::from_env_vars([
        ("REPORTFLOW_BROKERS".to_string(), "env:9092".to_string()),
        ("REPORTFLOW_KAFKA__CLIENT_ID".to_string(), "env".to_string()),
    ])
    .unwrap();
    let flags = RawConfig {
        commit_interval_ms: Some(100),
        ..RawConfig::default()
    };
    let c = file.merge(env).merge(flags).into_config().unwrap();
    assert_eq!(c.brokers, "env:9092");
    assert_eq!(c.commit_interval, Duration::from_millis(100));
    assert_eq!(c.kafka["client.id"], "env");
    assert_eq!(c.kafka["linger.ms"], "5");
}

#[test]
fn instance_id_sets_static_membership() {
    assert!(!minimal()
        .into_config()
        .unwrap()
        .consumer_properties()
        .contains_key("group.instance.id"));
    let (env, unrecognized) = RawConfig::from_env_vars([(
        "REPORTFLOW_INSTANCE_ID".to_string(),
        " extractor-0 ".to_string(),
    )])
    .unwrap();
    assert!(unrecognized.is_empty());
    let c = minimal().merge(env).into_config().unwrap();
    assert_eq!(c.instance_id.as_deref(), Some("extractor-0"));
    assert_eq!(c.consumer_properties()["group.instance.id"], "extractor-0");
    assert!(!c.producer_properties().contains_key("group.instance.id"));
    // Only through `instance_id`, never the passthrough tables.
    let mut raw = minimal();
    raw.kafka_consumer = Some(BTreeMap::from([("group.instance.id".into(), "x".into())]));
    assert!(raw
        .into_config()
        .unwrap_err()
        .to_string()
        .contains("instance_id"));
}

#[test]
fn processing_guarantee_layers_and_needs_an_instance_id() {
    // Default: at-least-once, no transactional producer, read_committed anyway.
    let c = minimal().into_config().unwrap();
    assert_eq!(c.processing_guarantee, ProcessingGuarantee::AtLeastOnce);
    assert_eq!(c.transactional_id(), None);
    assert!(!c.producer_properties().contains_key("transactional.id"));
    assert_eq!(c.consumer_properties()["isolation.level"], "read_committed");

    let (env, unrecognized) = RawConfig::from_env_vars([
        (
            "REPORTFLOW_PROCESSING_GUARANTEE".to_string(),
            "exactly_once".to_string(),
        ),
        ("REPORTFLOW_INSTANCE_ID".to_string(), "norm-1".to_string()),
    ])
    .unwrap();
    assert!(unrecognized.is_empty());
    let c = minimal().merge(env.clone()).into_config().unwrap();
    assert_eq!(c.processing_guarantee, ProcessingGuarantee::ExactlyOnce);
    assert_eq!(
        c.producer_properties()["transactional.id"],
        format!("{}-norm-1", c.group_id)
    );
    // A flag layer wins over the environment.
    let flags = RawConfig {
        processing_guarantee: Some(ProcessingGuarantee::AtLeastOnce),
        ..RawConfig::default()
    };
    let c = minimal().merge(env).merge(flags).into_config().unwrap();
    assert_eq!(c.transactional_id(), None);

    // The file spelling, and a clear refusal without an instance id.
    let raw = parse("processing_guarantee = \"exactly_once\"").unwrap();
    let err = minimal().merge(raw).into_config().unwrap_err().to_string();
    assert!(
        err.contains("processing_guarantee") && err.contains("instance_id"),
        "{err}"
    );
    assert!(RawConfig::from_env_vars([(
        "REPORTFLOW_PROCESSING_GUARANTEE".to_string(),
        "twice".to_string()
    )])
    .unwrap_err()
    .to_string()
    .contains("exactly_once"));
    // read_committed cannot be weakened through the passthrough tables.
    let mut raw = minimal();
    raw.kafka_consumer = Some(BTreeMap::from([(
        "isolation.level".into(),
        "read_uncommitted".into(),
    )]));
    assert!(raw.into_config().is_err());
}

#[test]
fn every_key_has_one_definition_with_its_default() {
    // The defaults of RuntimeConfig::new are the key definitions' defaults.
    let c = RuntimeConfig::new("b:9092", "g", vec!["in".into()]);
    let d = RawConfig::defaults();
    assert_eq!(Some(c.dlq_topic), d.dlq_topic);
    assert_eq!(
        Some(c.commit_interval.as_millis() as u64),
        d.commit_interval_ms
    );
    assert_eq!(Some(c.log_level), d.log_level);
    assert_eq!(Some(c.http_addr.to_string()), d.http_addr);
    assert_eq!(d.brokers, None, "required keys have no default");
    assert!(RawConfig::KEYS.contains(&"commit_interval_ms"));
    assert_eq!(
        RawConfig::TABLES,
        ["kafka", "kafka_consumer", "kafka_producer", "topics"]
    );
}

#[test]
fn the_environment_is_a_parameter() {
    let env = Env::from_vars([
        ("REPORTFLOW_BROKERS".to_string(), "e:9092".to_string()),
        ("REPORTFLOW_BATCH_MAX_MS".to_string(), "7".to_string()),
        ("PATH".to_string(), "/bin".to_string()),
    ]);
    let (c, unrecognized) = RuntimeConfig::load_from(
        None,
        &env,
        RawConfig {
            group_id: Some("g".into()),
            input_topics: Some(vec!["in".into()]),
            ..RawConfig::default()
        },
    )
    .unwrap();
    assert_eq!(c.brokers, "e:9092");
    assert_eq!(unrecognized, ["REPORTFLOW_BATCH_MAX_MS"]);
    let sink = sink::RawSinkConfig::from_env(&env).unwrap();
    assert_eq!(sink.batch_max_ms, Some(7));
    assert_eq!(sink.into_config().unwrap().batch_max.as_millis(), 7);
    let err = sink::RawSinkConfig::from_env(&Env::from_vars([(
        "REPORTFLOW_BATCH_MAX_RECORDS".to_string(),
        "many".to_string(),
    )]))
    .unwrap_err();
    assert!(
        err.to_string().contains("REPORTFLOW_BATCH_MAX_RECORDS"),
        "{err}"
    );
}

#[test]
fn the_sink_table_is_strict_about_both_halves() {
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Own {
        dir: Option<String>,
    }
    let table: toml::Table = toml::from_str("batch_max_records = 10\ndir = \"x\"").unwrap();
    let (batch, own): (sink::RawSinkConfig, Own) = sink::parse_sink_table(&table).unwrap();
    assert_eq!(batch.batch_max_records, Some(10));
    assert_eq!(own.dir.as_deref(), Some("x"));
    for typo in ["batch_max_recods = 10", "dri = \"x\""] {
        let table: toml::Table = toml::from_str(typo).unwrap();
        let err = sink::parse_sink_table::<Own>(&table)
            .unwrap_err()
            .to_string();
        let key = typo.split(' ').next().unwrap();
        assert!(err.contains(key), "{err}");
        assert!(
            err.contains("batch_max_records") && err.contains("`dir`"),
            "{err}"
        );
    }
    let table: toml::Table = toml::from_str("batch_max_ms = \"soon\"").unwrap();
    assert!(sink::parse_sink_table::<Own>(&table).is_err());
    assert!(sink::RawSinkConfig::from_table(&table).is_err());
}

#[test]
fn the_sink_table_is_split_from_the_runtime_keys() {
    let text = r#"
brokers = "b:9092"
group_id = "g"
input_topics = ["reports.indicators"]
[sink]
batch_max_records = 10
database_url = "postgres://x"
"#;
    let (raw, sink) = split_sink_table(text, Path::new("t.toml")).unwrap();
    assert_eq!(raw.brokers.as_deref(), Some("b:9092"));
    assert_eq!(sink["database_url"].as_str(), Some("postgres://x"));
    let c = RawSinkConfig::from_table(&sink)
        .unwrap()
        .into_config()
        .unwrap();
    assert_eq!(c.batch_max_records, 10);
    assert_eq!(c.batch_max, Duration::from_millis(DEFAULT_BATCH_MAX_MS));
    assert!(split_sink_table("nope = 1", Path::new("t")).is_err());
}

#[test]
fn unknown_sink_keys_are_refused_by_name() {
    let table: toml::Table = toml::from_str("batch_max_records = 10\ndir = \"x\"").unwrap();
    assert!(RawSinkConfig::check_keys(&table, &["dir"]).is_ok());
    let typo: toml::Table = toml::from_str("batch_max_recods = 10").unwrap();
    let err = RawSinkConfig::check_keys(&typo, &["dir"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown key `batch_max_recods`"), "{err}");
}

#[test]
fn invalid_batch_settings_are_refused() {
    let raw = RawSinkConfig {
        batch_max_records: Some(0),
        ..Default::default()
    };
    assert!(raw.into_config().is_err());
    let raw = RawSinkConfig {
        sink_retry_backoff_ms: Some(100),
        sink_retry_max_backoff_ms: Some(10),
        ..Default::default()
    };
    assert!(raw.into_config().is_err());
}

#[test]
fn the_example_file_shows_every_key_with_its_default() {
    let text = include_str!("../../config.example.toml");
    let raw = parse(text).unwrap();
    let problems = example::problems(text, "", &raw, &RawConfig::defaults());
    assert!(problems.is_empty(), "config.example.toml: {problems:?}");
    // The check finds what is missing or wrong.
    let wrong = "max_message_bytes = 5\n[kafka]\n";
    let problems = example::problems(wrong, "", &parse(wrong).unwrap(), &RawConfig::defaults());
    assert!(problems
        .iter()
        .any(|p| p.contains("`brokers` is not shown")));
    assert!(problems.iter().any(|p| p.contains("[topics] is not shown")));
    assert!(problems
        .iter()
        .any(|p| p.contains("`max_message_bytes` at the top level is set to another value")));
}
