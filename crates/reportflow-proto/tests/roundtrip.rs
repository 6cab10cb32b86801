//! Binary and JSON round trips of fixed messages, and the shape of the protobuf JSON mapping
//! (camelCase names, enum names, 64-bit integers as strings, absent optionals omitted).

mod common;

use prost::Message;
use reportflow_proto::v1;

fn binary_roundtrip<M: Message + Default + PartialEq + std::fmt::Debug>(msg: &M) {
    let bytes = msg.encode_to_vec();
    let decoded = M::decode(bytes.as_slice()).expect("decodes");
    assert_eq!(&decoded, msg);
    // Deterministic: encoding the same value again gives the same bytes.
    assert_eq!(decoded.encode_to_vec(), bytes);
}

fn json_roundtrip<M>(msg: &M) -> serde_json::Value
where
    M: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(msg).expect("serializes");
    let decoded: M = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(&decoded, msg, "{json}");
    serde_json::from_str(&json).unwrap()
}

#[test]
fn every_message_roundtrips_in_binary() {
    binary_roundtrip(&common::normalized());
    binary_roundtrip(&common::document());
    binary_roundtrip(&common::section());
    binary_roundtrip(&common::indicator());
    binary_roundtrip(&common::extraction());
    binary_roundtrip(&common::dead_letter());
}

#[test]
fn every_message_roundtrips_in_json() {
    json_roundtrip(&common::normalized());
    json_roundtrip(&common::document());
    json_roundtrip(&common::section());
    json_roundtrip(&common::indicator());
    json_roundtrip(&common::extraction());
    json_roundtrip(&common::dead_letter());
}

#[test]
fn indicator_json_uses_camel_case_and_enum_names() {
    let json = serde_json::to_string(&common::indicator()).unwrap();
    for needle in [
        "\"yoyPct\":-3.7",
        "\"kind\":\"INDICATOR_KIND_TARGET\"",
        "\"indicatorId\"",
        "\"docId\"",
        "\"sectionId\":1",
        "\"baseValue\"",
        "\"baseUnit\":\"元\"",
        "\"otherGrowth\":{\"basis\":\"两年平均\",\"pct\":10.5}",
        "\"ppChange\":0.0",
        "\"value\":152.8",
        "\"unit\":\"亿元\"",
        "\"code\":\"tax_revenue\"",
        "\"period\":\"2021H1\"",
        "\"span\":{\"start\":58,\"end\":84}",
    ] {
        assert!(json.contains(needle), "{needle} not in {json}");
    }
    assert!(!json.contains("yoy_pct"), "{json}");
}

#[test]
fn absent_optionals_are_omitted_and_present_zeroes_kept() {
    let mut ind = common::indicator();
    ind.value = None;
    ind.yoy_pct = None;
    ind.qualifier.clear();
    let v = json_roundtrip(&ind);
    assert!(v.get("value").is_none());
    assert!(v.get("yoyPct").is_none());
    assert!(v.get("qualifier").is_none());
    // `optional` keeps an explicit zero: 0.0 percentage points is not "no change stated".
    assert_eq!(v["ppChange"], 0.0);
}

#[test]
fn other_enums_and_int64_follow_the_json_mapping() {
    let v = json_roundtrip(&common::normalized());
    assert_eq!(v["encoding"]["method"], "DETECTION_METHOD_HEADER_HINT");
    assert_eq!(v["encoding"]["replacementCount"], 2);
    // uint64 is a string in the protobuf JSON mapping.
    assert_eq!(v["rawSize"], "4294967301");
    assert_eq!(v["source"]["headers"][0]["key"], "source-url");

    let v = json_roundtrip(&common::document());
    assert_eq!(v["metadata"]["kind"], "REPORT_KIND_PLAN_EXECUTION_MID_YEAR");
    assert_eq!(v["metadata"]["speakerName"], "吴孔安");
    assert_eq!(v["sectionCount"], 2);

    let v = json_roundtrip(&common::section());
    assert_eq!(v["parentId"], 0);

    let v = json_roundtrip(&common::dead_letter());
    assert_eq!(v["stage"], "STAGE_NORMALIZE");
    assert_eq!(v["payload"], "//4AgQ==");
}

#[test]
fn json_accepts_proto_field_names_and_enum_numbers() {
    // The mapping requires parsers to accept both forms.
    let ind: v1::Indicator =
        serde_json::from_str(r#"{"yoy_pct": 5.5, "kind": 1, "indicator_id": "x"}"#).unwrap();
    assert_eq!(ind.yoy_pct, Some(5.5));
    assert_eq!(ind.kind(), v1::IndicatorKind::Actual);
    assert_eq!(ind.indicator_id, "x");
}

#[test]
fn descriptor_set_describes_the_package() {
    use prost::Message as _;
    let fds =
        prost_types::FileDescriptorSet::decode(reportflow_proto::FILE_DESCRIPTOR_SET).unwrap();
    let names: Vec<_> = fds.file.iter().map(|f| f.name().to_owned()).collect();
    assert!(
        names.contains(&"reportflow/v1/indicator.proto".to_owned()),
        "{names:?}"
    );
    assert!(fds.file.iter().all(|f| f.package() == "reportflow.v1"));
}
