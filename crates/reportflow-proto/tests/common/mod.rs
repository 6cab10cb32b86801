//! Fixed sample messages shared by the tests: one fully populated value per message type.
//!
//! These samples are FROZEN: the committed fixtures in `tests/fixtures/v1` were encoded from
//! them, and the compatibility test compares the decoded fixtures against them. Never change
//! an existing value; to cover a new field, add a new sample and a new fixture file.
#![allow(dead_code)]

use reportflow_proto::v1;

pub fn span(start: u32, end: u32) -> v1::CharSpan {
    v1::CharSpan { start, end }
}

pub fn source() -> v1::Source {
    v1::Source::with_key("reports/tongzhou-2021h1.txt")
        .header("source-url", "https://example.invalid/tongzhou/2021h1.html")
        .header("charset", "GBK")
}

pub const DOC_ID: &str = "efee8a99a23e30c8f6b7c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1";

pub fn normalized() -> v1::NormalizedReport {
    v1::NormalizedReport {
        doc_id: DOC_ID.into(),
        source: Some(source()),
        encoding: Some(v1::EncodingInfo {
            name: "GBK".into(),
            method: v1::DetectionMethod::HeaderHint.into(),
            replacement_count: 2,
        }),
        text: "关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告\n一、2021年上半年执行情况\n实现各项税收收入152.8亿元，同比增长21.4%".into(),
        extractor_version: "reportflow-core/0.1.0".into(),
        raw_size: 4_294_967_301,
        format: v1::DocumentFormat::Unspecified.into(),
    }
}

pub fn metadata() -> v1::ReportMetadata {
    v1::ReportMetadata {
        title: Some("关于北京市通州区2021年国民经济和社会发展计划上半年执行情况的报告".into()),
        region: Some("北京市通州区".into()),
        kind: v1::ReportKind::PlanExecutionMidYear.into(),
        years: vec![2021],
        meeting: Some("第六届人民代表大会常务委员会第四十次会议".into()),
        date: Some("2021-08-05".into()),
        speaker_name: Some("吴孔安".into()),
        speaker_title: Some("北京市通州区人民政府副区长".into()),
        issuing_body: None,
    }
}

pub fn document() -> v1::ReportDocument {
    v1::ReportDocument {
        doc_id: DOC_ID.into(),
        metadata: Some(metadata()),
        section_count: 2,
        indicator_count: 1,
        extractor_version: "reportflow-core/0.1.0".into(),
        source: Some(source()),
        text_chars: 84,
    }
}

pub fn section() -> v1::Section {
    v1::Section {
        doc_id: DOC_ID.into(),
        section_id: 1,
        parent_id: Some(0),
        level: 2,
        marker: "（一）".into(),
        heading: "经济运行稳中加固".into(),
        body: "实现各项税收收入152.8亿元，同比增长21.4%".into(),
        span: Some(span(40, 84)),
    }
}

pub fn indicator() -> v1::Indicator {
    v1::Indicator {
        doc_id: DOC_ID.into(),
        indicator_id: "0123456789abcdef0123456789abcdef".into(),
        section_id: Some(1),
        metric: "各项税收收入".into(),
        code: "tax_revenue".into(),
        kind: v1::IndicatorKind::Target.into(),
        period: "2021H1".into(),
        value: Some(152.8),
        unit: "亿元".into(),
        base_value: Some(15_280_000_000.0),
        base_unit: "元".into(),
        yoy_pct: Some(-3.7),
        other_growth: Some(v1::OtherGrowth {
            basis: "两年平均".into(),
            pct: 10.5,
        }),
        pp_change: Some(0.0),
        qualifier: "左右".into(),
        rank: "增速全市第一".into(),
        quote: "实现各项税收收入152.8亿元，同比增长21.4%".into(),
        span: Some(span(58, 84)),
        ordinal: 4,
        extractor_version: "reportflow-core/0.1.0".into(),
    }
}

pub fn extraction() -> v1::Extraction {
    v1::Extraction {
        normalized: Some(normalized()),
        document: Some(document()),
        sections: vec![section()],
        indicators: vec![indicator()],
    }
}

pub fn dead_letter() -> v1::DeadLetter {
    v1::DeadLetter {
        doc_id: DOC_ID.into(),
        source: Some(source()),
        stage: v1::Stage::Normalize.into(),
        error_kind: "undecodable".into(),
        error_message: "undecodable: 40 malformed sequences in 100 characters as GBK".into(),
        extractor_version: "reportflow-core/0.1.0".into(),
        payload: vec![0xff, 0xfe, 0x00, 0x81],
    }
}
