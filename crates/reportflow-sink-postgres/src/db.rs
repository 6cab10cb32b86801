//! The database side: connecting, embedded migrations and the batched upserts.
//!
//! Every batch is written in one transaction with one `INSERT … SELECT FROM unnest(…) ON
//! CONFLICT (key) DO UPDATE` statement per table: the rows travel as one array per column, so
//! a batch of any size is three statements, and replaying a message overwrites its row with the
//! same values instead of adding one.

use tokio_postgres::{Client, NoTls, Transaction};

use crate::rows::{int, iso_date, opt_text, text, Rows};
use reportflow_proto::v1;

/// One embedded migration: version, name, SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Version; migrations are applied in increasing order.
    pub version: i32,
    /// Name (the file name without `V<n>__` and `.sql`).
    pub name: &'static str,
    /// The SQL, run as one batch inside the migration transaction.
    pub sql: &'static str,
}

/// The embedded migrations (`migrations/V<version>__<name>.sql`), in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sql: include_str!("../migrations/V1__init.sql"),
    },
    Migration {
        version: 2,
        name: "indicator_facts_links",
        sql: include_str!("../migrations/V2__indicator_facts_links.sql"),
    },
];

/// Key of the advisory lock held while migrating (several sinks may start at once).
const MIGRATION_LOCK: i64 = 0x7265_706f_7274_666c; // "reportfl"

/// Database errors.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database could not be reached or the connection broke: retry later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] tokio_postgres::Error),
    /// A statement failed on the server.
    #[error("database error: {0}")]
    Statement(#[source] tokio_postgres::Error),
    /// The database holds migrations this build does not know (a newer sink migrated it).
    #[error("the database schema is at version {found}, newer than this sink's {known}")]
    SchemaTooNew {
        /// Highest version in the database.
        found: i32,
        /// Highest version this build embeds.
        known: i32,
    },
    /// A step took too long.
    #[error("database timeout while {0}")]
    Timeout(&'static str),
}

impl DbError {
    /// Whether the database refuses the data itself, so that writing the same rows again
    /// cannot succeed: SQLSTATE class 22 (data exception: a NUL byte in text, a value out of
    /// range), 23 (integrity constraint violation) or 54 (program limit exceeded: a row too
    /// large). Everything else (connection, missing table, deadlock, timeout) may pass later.
    pub fn is_permanent(&self) -> bool {
        match self {
            DbError::Statement(e) => e
                .code()
                .and_then(|c| c.code().get(..2))
                .is_some_and(|class| matches!(class, "22" | "23" | "54")),
            _ => false,
        }
    }

    /// Classifies a driver error: server-side errors are statement errors, the rest
    /// (connection refused, closed, I/O) mean the database is unavailable.
    pub fn from_pg(e: tokio_postgres::Error) -> Self {
        if e.code().is_some() && !e.is_closed() {
            // Admin shutdown / connection failure classes are availability problems.
            let code = e.code().map(|c| c.code().to_owned()).unwrap_or_default();
            if code.starts_with("08") || code.starts_with("57P") || code == "53300" {
                DbError::Unavailable(e)
            } else {
                DbError::Statement(e)
            }
        } else {
            DbError::Unavailable(e)
        }
    }
}

/// Connects to `url` (a `postgres://` URL or key=value string) without TLS and drives the
/// connection on a background task.
pub async fn connect(url: &str) -> Result<Client, DbError> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .map_err(DbError::Unavailable)?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::warn!(error = %err, "The PostgreSQL connection ended.");
        }
    });
    Ok(client)
}

/// Applies the embedded migrations that the database lacks, each in order, all in one
/// transaction under an advisory lock; returns the versions applied.
pub async fn migrate(client: &mut Client) -> Result<Vec<i32>, DbError> {
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    let tx = client.transaction().await.map_err(DbError::from_pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(DbError::from_pg)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS reportflow_schema_migrations (
             version    integer PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(DbError::from_pg)?;
    let applied: Vec<i32> = tx
        .query("SELECT version FROM reportflow_schema_migrations", &[])
        .await
        .map_err(DbError::from_pg)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if let Some(&found) = applied.iter().max() {
        if found > known {
            return Err(DbError::SchemaTooNew { found, known });
        }
    }
    let mut done = Vec::new();
    for m in MIGRATIONS {
        if applied.contains(&m.version) {
            continue;
        }
        tx.batch_execute(m.sql).await.map_err(DbError::from_pg)?;
        tx.execute(
            "INSERT INTO reportflow_schema_migrations (version, name) VALUES ($1, $2)",
            &[&m.version, &m.name],
        )
        .await
        .map_err(DbError::from_pg)?;
        done.push(m.version);
    }
    tx.commit().await.map_err(DbError::from_pg)?;
    if !done.is_empty() {
        tracing::info!(applied = ?done, "Applied database migrations.");
    }
    Ok(done)
}

/// Writes `rows` in one transaction (documents, then sections, then indicators).
pub async fn write_rows(client: &mut Client, rows: &Rows) -> Result<(), DbError> {
    let tx = client.transaction().await.map_err(DbError::from_pg)?;
    upsert_documents(&tx, rows).await?;
    upsert_sections(&tx, rows).await?;
    upsert_indicators(&tx, rows).await?;
    tx.commit().await.map_err(DbError::from_pg)
}

const UPSERT_DOCUMENTS: &str = "
INSERT INTO documents (doc_id, title, region, report_kind, years, meeting, report_date,
    speaker_name, speaker_title, issuing_body, section_count, indicator_count, text_chars,
    source_key, source_headers, extractor_version, kafka_partition, kafka_offset)
SELECT doc_id, title, region, report_kind,
    CASE WHEN years = '' THEN '{}'::integer[] ELSE string_to_array(years, ',')::integer[] END,
    meeting, report_date::date, speaker_name, speaker_title, issuing_body, section_count,
    indicator_count, text_chars, source_key, source_headers::jsonb, extractor_version,
    kafka_partition, kafka_offset
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::text[], $9::text[], $10::text[], $11::integer[], $12::integer[],
    $13::integer[], $14::text[], $15::text[], $16::text[], $17::integer[], $18::bigint[])
    AS t(doc_id, title, region, report_kind, years, meeting, report_date, speaker_name,
        speaker_title, issuing_body, section_count, indicator_count, text_chars, source_key,
        source_headers, extractor_version, kafka_partition, kafka_offset)
ON CONFLICT (doc_id) DO UPDATE SET
    title = EXCLUDED.title, region = EXCLUDED.region, report_kind = EXCLUDED.report_kind,
    years = EXCLUDED.years, meeting = EXCLUDED.meeting, report_date = EXCLUDED.report_date,
    speaker_name = EXCLUDED.speaker_name, speaker_title = EXCLUDED.speaker_title,
    issuing_body = EXCLUDED.issuing_body, section_count = EXCLUDED.section_count,
    indicator_count = EXCLUDED.indicator_count, text_chars = EXCLUDED.text_chars,
    source_key = EXCLUDED.source_key, source_headers = EXCLUDED.source_headers,
    extractor_version = EXCLUDED.extractor_version,
    kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset,
    loaded_at = now()";

async fn upsert_documents(tx: &Transaction<'_>, rows: &Rows) -> Result<(), DbError> {
    if rows.documents.is_empty() {
        return Ok(());
    }
    let n = rows.documents.len();
    let mut c: Vec<Vec<Option<String>>> = (0..12).map(|_| Vec::with_capacity(n)).collect();
    let mut ints: Vec<Vec<i32>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
    let mut offsets: Vec<i64> = Vec::with_capacity(n);
    for (doc_id, (d, origin)) in &rows.documents {
        let m = d.metadata.clone().unwrap_or_default();
        let kind = v1::ReportKind::try_from(m.kind).unwrap_or(v1::ReportKind::Unspecified);
        let years: Vec<String> = m.years.iter().map(i32::to_string).collect();
        let source = d.source.clone().unwrap_or_default();
        let headers: serde_json::Map<String, serde_json::Value> = source
            .headers
            .iter()
            .map(|h| (text(&h.key), serde_json::Value::String(text(&h.value))))
            .collect();
        c[0].push(Some(text(doc_id)));
        c[1].push(m.title.as_deref().map(text));
        c[2].push(m.region.as_deref().map(text));
        c[3].push(Some(kind.short_name().to_owned()));
        c[4].push(Some(years.join(",")));
        c[5].push(m.meeting.as_deref().map(text));
        c[6].push(m.date.as_deref().and_then(iso_date));
        c[7].push(m.speaker_name.as_deref().map(text));
        c[8].push(m.speaker_title.as_deref().map(text));
        c[9].push(m.issuing_body.as_deref().map(text));
        c[10].push(opt_text(&source.key));
        c[11].push(Some(serde_json::Value::Object(headers).to_string()));
        ints[0].push(int(d.section_count));
        ints[1].push(int(d.indicator_count));
        ints[2].push(int(d.text_chars));
        ints[3].push(origin.partition);
        offsets.push(origin.offset);
    }
    let extractor: Vec<String> = rows
        .documents
        .values()
        .map(|(d, _)| text(&d.extractor_version))
        .collect();
    tx.execute(
        UPSERT_DOCUMENTS,
        &[
            &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &ints[0],
            &ints[1], &ints[2], &c[10], &c[11], &extractor, &ints[3], &offsets,
        ],
    )
    .await
    .map_err(DbError::from_pg)?;
    Ok(())
}

const UPSERT_SECTIONS: &str = "
INSERT INTO sections (doc_id, section_id, parent_id, level, marker, heading, body, span_start,
    span_end, kafka_partition, kafka_offset)
SELECT * FROM unnest($1::text[], $2::integer[], $3::integer[], $4::integer[], $5::text[],
    $6::text[], $7::text[], $8::integer[], $9::integer[], $10::integer[], $11::bigint[])
ON CONFLICT (doc_id, section_id) DO UPDATE SET
    parent_id = EXCLUDED.parent_id, level = EXCLUDED.level, marker = EXCLUDED.marker,
    heading = EXCLUDED.heading, body = EXCLUDED.body, span_start = EXCLUDED.span_start,
    span_end = EXCLUDED.span_end, kafka_partition = EXCLUDED.kafka_partition,
    kafka_offset = EXCLUDED.kafka_offset, loaded_at = now()";

async fn upsert_sections(tx: &Transaction<'_>, rows: &Rows) -> Result<(), DbError> {
    if rows.sections.is_empty() {
        return Ok(());
    }
    let n = rows.sections.len();
    let mut doc_ids = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    let mut parents: Vec<Option<i32>> = Vec::with_capacity(n);
    let mut levels = Vec::with_capacity(n);
    let mut texts: Vec<Vec<String>> = (0..3).map(|_| Vec::with_capacity(n)).collect();
    let mut starts: Vec<Option<i32>> = Vec::with_capacity(n);
    let mut ends: Vec<Option<i32>> = Vec::with_capacity(n);
    let mut partitions = Vec::with_capacity(n);
    let mut offsets: Vec<i64> = Vec::with_capacity(n);
    for ((doc_id, section_id), (s, origin)) in &rows.sections {
        doc_ids.push(text(doc_id));
        ids.push(int(*section_id));
        parents.push(s.parent_id.map(int));
        levels.push(int(s.level));
        texts[0].push(text(&s.marker));
        texts[1].push(text(&s.heading));
        texts[2].push(text(&s.body));
        starts.push(s.span.map(|x| int(x.start)));
        ends.push(s.span.map(|x| int(x.end)));
        partitions.push(origin.partition);
        offsets.push(origin.offset);
    }
    tx.execute(
        UPSERT_SECTIONS,
        &[
            &doc_ids,
            &ids,
            &parents,
            &levels,
            &texts[0],
            &texts[1],
            &texts[2],
            &starts,
            &ends,
            &partitions,
            &offsets,
        ],
    )
    .await
    .map_err(DbError::from_pg)?;
    Ok(())
}

const UPSERT_INDICATORS: &str = "
INSERT INTO indicators (indicator_id, doc_id, section_id, metric, code, kind, period, value,
    unit, base_value, base_unit, yoy_pct, other_growth, pp_change, qualifier, rank, quote,
    span_start, span_end, ordinal, extractor_version, kafka_partition, kafka_offset)
SELECT indicator_id, doc_id, section_id, metric, code, kind, period, value, unit, base_value,
    base_unit, yoy_pct, other_growth::jsonb, pp_change, qualifier, rank, quote, span_start,
    span_end, ordinal, extractor_version, kafka_partition, kafka_offset
FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::float8[], $9::text[], $10::float8[], $11::text[], $12::float8[],
    $13::text[], $14::float8[], $15::text[], $16::text[], $17::text[], $18::integer[],
    $19::integer[], $20::integer[], $21::text[], $22::integer[], $23::bigint[])
    AS t(indicator_id, doc_id, section_id, metric, code, kind, period, value, unit, base_value,
        base_unit, yoy_pct, other_growth, pp_change, qualifier, rank, quote, span_start,
        span_end, ordinal, extractor_version, kafka_partition, kafka_offset)
ON CONFLICT (indicator_id) DO UPDATE SET
    doc_id = EXCLUDED.doc_id, section_id = EXCLUDED.section_id, metric = EXCLUDED.metric,
    code = EXCLUDED.code, kind = EXCLUDED.kind, period = EXCLUDED.period,
    value = EXCLUDED.value, unit = EXCLUDED.unit, base_value = EXCLUDED.base_value,
    base_unit = EXCLUDED.base_unit, yoy_pct = EXCLUDED.yoy_pct,
    other_growth = EXCLUDED.other_growth, pp_change = EXCLUDED.pp_change,
    qualifier = EXCLUDED.qualifier, rank = EXCLUDED.rank, quote = EXCLUDED.quote,
    span_start = EXCLUDED.span_start, span_end = EXCLUDED.span_end,
    ordinal = EXCLUDED.ordinal, extractor_version = EXCLUDED.extractor_version,
    kafka_partition = EXCLUDED.kafka_partition, kafka_offset = EXCLUDED.kafka_offset,
    loaded_at = now()";

async fn upsert_indicators(tx: &Transaction<'_>, rows: &Rows) -> Result<(), DbError> {
    if rows.indicators.is_empty() {
        return Ok(());
    }
    let n = rows.indicators.len();
    // Text columns: 0 id, 1 doc, 2 metric, 3 code, 4 kind, 5 period, 6 unit, 7 base_unit,
    // 8 other_growth, 9 qualifier, 10 rank, 11 quote, 12 extractor_version.
    let mut t: Vec<Vec<Option<String>>> = (0..13).map(|_| Vec::with_capacity(n)).collect();
    // Float columns: value, base_value, yoy_pct, pp_change.
    let mut f: Vec<Vec<Option<f64>>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
    // Integer columns: section_id, span_start, span_end, ordinal, partition.
    let mut i: Vec<Vec<Option<i32>>> = (0..5).map(|_| Vec::with_capacity(n)).collect();
    let mut offsets: Vec<i64> = Vec::with_capacity(n);
    for (id, (ind, origin)) in &rows.indicators {
        let kind = v1::IndicatorKind::try_from(ind.kind).unwrap_or(v1::IndicatorKind::Unspecified);
        t[0].push(Some(text(id)));
        t[1].push(Some(text(&ind.doc_id)));
        t[2].push(Some(text(&ind.metric)));
        t[3].push(opt_text(&ind.code));
        t[4].push(Some(kind.short_name().to_owned()));
        t[5].push(Some(text(&ind.period)));
        t[6].push(opt_text(&ind.unit));
        t[7].push(opt_text(&ind.base_unit));
        t[8].push(ind.other_growth.as_ref().map(|g| {
            serde_json::json!({ "basis": text(&g.basis), "pct": finite(g.pct) }).to_string()
        }));
        t[9].push(opt_text(&ind.qualifier));
        t[10].push(opt_text(&ind.rank));
        t[11].push(Some(text(&ind.quote)));
        t[12].push(Some(text(&ind.extractor_version)));
        f[0].push(ind.value);
        f[1].push(ind.base_value);
        f[2].push(ind.yoy_pct);
        f[3].push(ind.pp_change);
        i[0].push(ind.section_id.map(int));
        i[1].push(ind.span.map(|s| int(s.start)));
        i[2].push(ind.span.map(|s| int(s.end)));
        i[3].push(Some(int(ind.ordinal)));
        i[4].push(Some(origin.partition));
        offsets.push(origin.offset);
    }
    tx.execute(
        UPSERT_INDICATORS,
        &[
            &t[0], &t[1], &i[0], &t[2], &t[3], &t[4], &t[5], &f[0], &t[6], &f[1], &t[7], &f[2],
            &t[8], &f[3], &t[9], &t[10], &t[11], &i[1], &i[2], &i[3], &t[12], &i[4], &offsets,
        ],
    )
    .await
    .map_err(DbError::from_pg)?;
    Ok(())
}

/// JSON has no NaN or infinity: those become `null`.
fn finite(v: f64) -> serde_json::Value {
    serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, serde_json::Value::Number)
}
