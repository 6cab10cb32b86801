//! Unit tests of the normalizer processor on the seed reports.

use std::path::PathBuf;

use reportflow_core::Extractor;
use reportflow_kafka::{InputRecord, Processor};
use reportflow_proto::{v1, Message};
use reportflow_worker_testkit::seeds;

use super::*;

fn record(key: &str, value: Option<Vec<u8>>, headers: &[(&str, &str)]) -> InputRecord {
    InputRecord {
        topic: DEFAULT_INPUT_TOPIC.into(),
        partition: 0,
        offset: 7,
        key: Some(key.as_bytes().to_vec()),
        value,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect(),
        timestamp_ms: Some(1),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn seeds_normalize_to_core_text_keyed_by_doc_id() {
    let processor = NormalizerProcessor::new("out.normalized");
    let extractor = Extractor::default();
    for (name, raw) in seeds() {
        let input = record(
            &format!("seeds/{name}"),
            Some(raw.clone()),
            &[
                ("source-name", name.as_str()),
                ("x-unrelated", "dropped"),
                ("Content-Type", "text/plain"),
            ],
        );
        let outputs = processor.process(&input).expect("seed normalizes");
        assert_eq!(outputs.len(), 1);
        let out = &outputs[0];
        assert_eq!(out.topic, "out.normalized");
        let report = v1::NormalizedReport::decode(out.value.as_slice()).unwrap();
        assert_eq!(report.doc_id, sha256_hex(&raw));
        assert_eq!(report.doc_id.len(), 64);
        assert!(report.doc_id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(out.key, report.doc_id.as_bytes());
        let expected = extractor.normalize_bytes(&raw, None).unwrap();
        assert_eq!(report.text, expected.text, "{name}");
        assert_eq!(report.raw_size, raw.len() as u64);
        let source = report.source.unwrap();
        assert_eq!(source.key, format!("seeds/{name}"));
        let names: Vec<_> = source.headers.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(names, ["source-name", "Content-Type"]);
        assert!(out.headers.contains(&(
            HEADER_DOC_ID.to_string(),
            report.doc_id.clone().into_bytes()
        )));
    }
}

#[test]
fn doc_id_is_the_sha256_of_the_input() {
    // The FIPS 180-2 test vector: SHA-256 of "abc".
    let processor = NormalizerProcessor::new("n");
    let out = processor
        .process(&record("k", Some(b"abc".to_vec()), &[]))
        .unwrap();
    let report = v1::NormalizedReport::decode(out[0].value.as_slice()).unwrap();
    assert_eq!(
        report.doc_id,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn bad_inputs_are_rejected_with_their_kind() {
    let processor = NormalizerProcessor::new("n");
    let reject = processor.process(&record("k", None, &[])).unwrap_err();
    assert_eq!(
        (reject.stage.as_str(), reject.kind.as_str()),
        (STAGE, "empty")
    );
    let reject = processor
        .process(&record("k", Some(Vec::new()), &[]))
        .unwrap_err();
    assert_eq!(reject.kind, "empty");
    // A UTF-16LE BOM followed by lone surrogates: half the characters are malformed.
    let mut broken = vec![0xFF, 0xFE];
    for _ in 0..200 {
        broken.extend_from_slice(&[0x00, 0xD8, 0x41, 0x00]);
    }
    let reject = processor
        .process(&record("k", Some(broken), &[]))
        .unwrap_err();
    assert_eq!(reject.stage, STAGE);
    assert_eq!(reject.kind, "undecodable", "{reject}");
    let reject = processor
        .process(&record("k", Some(b" \n\t .,;!? \n".to_vec()), &[]))
        .unwrap_err();
    assert_eq!(reject.kind, "no_text", "{reject}");
}

#[test]
fn charset_header_is_a_hint() {
    let processor = NormalizerProcessor::new("n");
    let (_, raw) = seeds().remove(0);
    let text = String::from_utf8(raw).unwrap();
    let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
    let out = processor
        .process(&record("k", Some(gbk), &[("charset", "GBK")]))
        .unwrap();
    let report = v1::NormalizedReport::decode(out[0].value.as_slice()).unwrap();
    let encoding = report.encoding.unwrap();
    assert_eq!(encoding.name, "GBK");
    assert_eq!(encoding.method, v1::DetectionMethod::HeaderHint as i32);
}

#[test]
fn processing_is_deterministic() {
    let processor = NormalizerProcessor::new("n");
    let other = NormalizerProcessor::new("n");
    for (name, raw) in seeds() {
        let input = record(&name, Some(raw), &[("source-url", "https://example.org/r")]);
        let a = processor.process(&input).unwrap();
        let b = processor.process(&input).unwrap();
        let c = other.process(&input).unwrap();
        assert_eq!(a, b, "{name}");
        assert_eq!(a, c, "{name}");
    }
}

#[test]
fn args_layer_over_defaults() {
    let worker = WorkerArgs {
        brokers: Some("b:1".into()),
        http_addr: Some("127.0.0.1:0".into()),
        ..WorkerArgs::default()
    };
    let args = Args {
        worker: worker.clone(),
        normalized_topic: Some("custom.normalized".into()),
    };
    // The environment is a parameter: a variable there is below the flags.
    let env = Env::from_vars([(
        "REPORTFLOW_TOPICS__NORMALIZED".to_string(),
        "env.normalized".to_string(),
    )]);
    let (config, _) = args.load(&env).unwrap();
    assert_eq!(config.group_id, DEFAULT_GROUP_ID);
    assert_eq!(config.input_topics, vec![DEFAULT_INPUT_TOPIC.to_string()]);
    assert_eq!(processor(&config).output_topic(), "custom.normalized");
    let plain = Args {
        worker,
        ..Args::default()
    };
    let (config, _) = plain.load(&env).unwrap();
    assert_eq!(processor(&config).output_topic(), "env.normalized");
    let (config, _) = plain.load(&Env::default()).unwrap();
    assert_eq!(processor(&config).output_topic(), DEFAULT_NORMALIZED_TOPIC);
}

/// An HTML page, a DOCX and a PDF of a seed give the text version's normalized text, with
/// the format published; binary Word is a dead letter with kind `unsupported_format`.
#[test]
fn formats_are_read_and_published() {
    let processor = NormalizerProcessor::new(DEFAULT_NORMALIZED_TOPIC);
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../reportflow-formats/test_data");
    let seed = "000_efee8a99a23e30c8";
    for (dir, content_type, format) in [
        (
            "html",
            "text/html; charset=gb2312",
            v1::DocumentFormat::Html,
        ),
        ("docx", "application/octet-stream", v1::DocumentFormat::Docx),
        ("pdf", "application/pdf", v1::DocumentFormat::Pdf),
    ] {
        let raw = std::fs::read(fixtures.join(dir).join(format!("{seed}.{dir}"))).unwrap();
        let input = record(seed, Some(raw.clone()), &[("content-type", content_type)]);
        let report = processor.normalize(&input).unwrap();
        assert_eq!(report.format(), format, "{dir}");
        assert_eq!(report.doc_id, reportflow_core::doc_id(&raw));
        assert!(report.text.contains("常务委员会第四十次会议上"), "{dir}");
    }
    let text = processor
        .normalize(&record("t", Some(seeds()[0].1.clone()), &[]))
        .unwrap();
    assert_eq!(text.format(), v1::DocumentFormat::Text);
    let mut doc = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    doc.resize(2048, 0);
    let reject = processor
        .normalize(&record(
            "d",
            Some(doc),
            &[("content-type", "application/msword")],
        ))
        .unwrap_err();
    assert_eq!(reject.kind, "unsupported_format");
}
