-- reportflow PostgreSQL sink, schema version 2: the analyst view carries what links a row back
-- to the place in its report it was read from (the review page of `reportflow extract --format
-- html`, see docs/review-pages.md): the indicator's span in the normalized text, its position
-- among the document's indicators and the document's source key. CREATE OR REPLACE VIEW only
-- appends columns, so the columns of version 1 keep their names and order.

CREATE OR REPLACE VIEW indicator_facts AS
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
    i.quote,
    i.span_start,
    i.span_end,
    i.ordinal,
    d.source_key
FROM indicators i
LEFT JOIN documents d ON d.doc_id = i.doc_id
LEFT JOIN sections s ON s.doc_id = i.doc_id AND s.section_id = i.section_id;
