//! Unit tests of the extractor processor on the seed reports.

use reportflow_core::Extractor;
use reportflow_kafka::{InputRecord, Processor};
use reportflow_proto::{convert, v1, Message};
use reportflow_worker_testkit::seeds;

use super::*;

fn record(value: Option<Vec<u8>>) -> InputRecord {
    InputRecord {
        topic: DEFAULT_INPUT_TOPIC.into(),
        partition: 1,
        offset: 3,
        key: Some(b"k".to_vec()),
        value,
        headers: vec![],
        timestamp_ms: None,
    }
}

/// The stage one message of a seed, as the normalizer would publish it.
fn normalized(extractor: &Extractor, name: &str, raw: &[u8]) -> v1::NormalizedReport {
    convert::normalize_raw(extractor, raw, v1::Source::with_key(name), None).unwrap()
}

fn topics() -> OutputTopics {
    OutputTopics {
        documents: "d".into(),
        sections: "s".into(),
        indicators: "i".into(),
    }
}

#[test]
fn outputs_match_the_core_analysis() {
    let extractor = Extractor::default();
    let processor = ExtractorProcessor::new(topics());
    let mut total_indicators = 0;
    for (name, raw) in seeds() {
        let report = normalized(&extractor, &name, &raw);
        let analysis = extractor.analyze(&report.text);
        let out = processor
            .process(&record(Some(report.encode_to_vec())))
            .unwrap();
        let count = |t: &str| out.iter().filter(|r| r.topic == t).count();
        assert_eq!(count("d"), 1, "{name}");
        assert_eq!(count("s"), analysis.sections.len(), "{name}");
        assert_eq!(count("i"), analysis.indicators.len(), "{name}");
        assert_eq!(
            out.len(),
            1 + analysis.sections.len() + analysis.indicators.len()
        );
        assert!(!analysis.indicators.is_empty(), "{name} has indicators");
        total_indicators += analysis.indicators.len();
        // Every output is keyed by the doc id and decodes to its message type.
        for r in &out {
            assert_eq!(r.key, report.doc_id.as_bytes(), "{name}");
            assert!(r
                .headers
                .contains(&(HEADER_DOC_ID.to_string(), report.doc_id.as_bytes().to_vec())));
        }
        let document = v1::ReportDocument::decode(out[0].value.as_slice()).unwrap();
        assert_eq!(document.doc_id, report.doc_id);
        assert_eq!(document.indicator_count as usize, analysis.indicators.len());
        assert_eq!(
            document.metadata.unwrap().region,
            analysis.metadata.region,
            "{name}"
        );
        let indicators: Vec<v1::Indicator> = out
            .iter()
            .filter(|r| r.topic == "i")
            .map(|r| v1::Indicator::decode(r.value.as_slice()).unwrap())
            .collect();
        for (ordinal, (msg, ind)) in indicators.iter().zip(&analysis.indicators).enumerate() {
            assert_eq!(msg.ordinal as usize, ordinal);
            assert_eq!(msg.metric, ind.metric);
            assert_eq!(msg.doc_id, report.doc_id);
        }
        let sections: Vec<v1::Section> = out
            .iter()
            .filter(|r| r.topic == "s")
            .map(|r| v1::Section::decode(r.value.as_slice()).unwrap())
            .collect();
        for (msg, s) in sections.iter().zip(&analysis.sections) {
            assert_eq!(msg.section_id, s.index);
            assert_eq!(msg.heading, s.heading);
        }
    }
    assert!(total_indicators > 20, "{total_indicators}");
}

#[test]
fn processing_is_deterministic() {
    let extractor = Extractor::default();
    let a = ExtractorProcessor::new(topics());
    let b = ExtractorProcessor::new(topics());
    for (name, raw) in seeds() {
        let input = record(Some(normalized(&extractor, &name, &raw).encode_to_vec()));
        let first = a.process(&input).unwrap();
        assert_eq!(first, a.process(&input).unwrap(), "{name}");
        assert_eq!(first, b.process(&input).unwrap(), "{name}");
    }
}

#[test]
fn bad_inputs_are_rejected_with_their_kind() {
    let processor = ExtractorProcessor::new(topics());
    let reject = processor.process(&record(None)).unwrap_err();
    assert_eq!(
        (reject.stage.as_str(), reject.kind.as_str()),
        (STAGE, "empty")
    );
    // Field 1 declared as a varint where a string is expected, then a truncated length.
    for garbage in [
        vec![0x08, 0x01, 0x12],
        vec![0xff; 16],
        b"\x0a\x40abc".to_vec(),
    ] {
        let reject = processor.process(&record(Some(garbage))).unwrap_err();
        assert_eq!(reject.stage, STAGE);
        assert_eq!(reject.kind, "decode", "{reject}");
    }
    // A valid message without a doc id.
    let empty = v1::NormalizedReport::default().encode_to_vec();
    let reject = processor.process(&record(Some(empty))).unwrap_err();
    assert_eq!(reject.kind, "missing_doc_id");
}

#[test]
fn args_layer_over_defaults() {
    let args = Args {
        worker: WorkerArgs {
            brokers: Some("b:1".into()),
            ..WorkerArgs::default()
        },
        indicators_topic: Some("custom.indicators".into()),
        ..Args::default()
    };
    let (config, _) = args.load(&Env::default()).unwrap();
    assert_eq!(config.group_id, DEFAULT_GROUP_ID);
    assert_eq!(config.input_topics, vec![DEFAULT_INPUT_TOPIC.to_string()]);
    let topics = output_topics(&config);
    assert_eq!(topics.indicators, "custom.indicators");
    assert_eq!(topics.documents, DEFAULT_DOCUMENTS_TOPIC);
    assert_eq!(topics.sections, DEFAULT_SECTIONS_TOPIC);
}
