-- reportflow PostgreSQL sink, schema version 1: the three datasets and the analyst view.
-- Applied by the sink at start, inside one transaction, tracked in reportflow_schema_migrations.

CREATE TABLE documents (
    doc_id             text PRIMARY KEY,
    title              text,
    region             text,
    report_kind        text NOT NULL,
    years              integer[] NOT NULL DEFAULT '{}',
    meeting            text,
    report_date        date,
    speaker_name       text,
    speaker_title      text,
    issuing_body       text,
    section_count      integer NOT NULL,
    indicator_count    integer NOT NULL,
    text_chars         integer NOT NULL,
    source_key         text,
    source_headers     jsonb NOT NULL DEFAULT '{}',
    extractor_version  text NOT NULL,
    kafka_partition    integer NOT NULL,
    kafka_offset       bigint NOT NULL,
    loaded_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sections (
    doc_id             text NOT NULL,
    section_id         integer NOT NULL,
    parent_id          integer,
    level              integer NOT NULL,
    marker             text NOT NULL,
    heading            text NOT NULL,
    body               text NOT NULL,
    span_start         integer,
    span_end           integer,
    kafka_partition    integer NOT NULL,
    kafka_offset       bigint NOT NULL,
    loaded_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (doc_id, section_id)
);

CREATE TABLE indicators (
    indicator_id       text PRIMARY KEY,
    doc_id             text NOT NULL,
    section_id         integer,
    metric             text NOT NULL,
    code               text,
    kind               text NOT NULL,
    period             text NOT NULL,
    value              double precision,
    unit               text,
    base_value         double precision,
    base_unit          text,
    yoy_pct            double precision,
    other_growth       jsonb,
    pp_change          double precision,
    qualifier          text,
    rank               text,
    quote              text NOT NULL,
    span_start         integer,
    span_end           integer,
    ordinal            integer NOT NULL,
    extractor_version  text NOT NULL,
    kafka_partition    integer NOT NULL,
    kafka_offset       bigint NOT NULL,
    loaded_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX indicators_doc_id_idx ON indicators (doc_id);
CREATE INDEX indicators_code_period_idx ON indicators (code, period);
CREATE INDEX documents_region_idx ON documents (region);

-- One row per indicator with its document's region, report kind, date and title: the table
-- an analyst queries ("GDP growth by district and period"). Indicators whose document has not
-- arrived yet are kept (LEFT JOIN) with NULL document columns.
CREATE VIEW indicator_facts AS
SELECT
    i.indicator_id,
    i.doc_id,
    d.region,
    d.report_kind,
    d.report_date,
    COALESCE(EXTRACT(YEAR FROM d.report_date)::integer, d.years[1]) AS report_year,
    d.title,
    i.code,
    i.metric,
    i.kind,
    i.period,
    i.value,
    i.unit,
    i.base_value,
    i.base_unit,
    i.yoy_pct,
    i.pp_change,
    i.other_growth,
    i.qualifier,
    i.rank,
    i.section_id,
    s.heading AS section_heading,
    i.quote
FROM indicators i
LEFT JOIN documents d ON d.doc_id = i.doc_id
LEFT JOIN sections s ON s.doc_id = i.doc_id AND s.section_id = i.section_id;
