-- 0001_star_schema.sql — the star schema of chiso's warehouse.
-- Why: facts (one indicator value per document × province × indicator ×
-- period) sit in a fact table keyed to small dimensions. Provinces are keyed
-- by (code, era) because GSO codes were reused after the 2025-07-01 merger:
-- joins go by code AND date, never by name. The fact tables deliberately
-- have no primary key or unique index (an index made loads 12× slower); the
-- grain is kept by the set-based load and verified by sql/checks.

CREATE SEQUENCE seq_run_id START 1;
CREATE SEQUENCE seq_doc_key START 1;
CREATE SEQUENCE seq_period_key START 1;

CREATE TABLE dim_province (
    code           VARCHAR NOT NULL,
    name_vi        VARCHAR NOT NULL,
    name_ascii     VARCHAR,
    type           VARCHAR,
    region         VARCHAR,
    era            INTEGER NOT NULL CHECK (era IN (63, 34)),
    valid_from     DATE    NOT NULL,
    valid_to       DATE,
    successor_code VARCHAR,
    PRIMARY KEY (code, era)
);

CREATE TABLE dim_indicator (
    code     VARCHAR PRIMARY KEY,
    category VARCHAR NOT NULL,
    unit     VARCHAR NOT NULL,
    kind     VARCHAR NOT NULL CHECK (kind IN ('stock', 'flow')),
    name_vi  VARCHAR,
    name_en  VARCHAR,
    cues     VARCHAR[]
);

CREATE TABLE dim_period (
    period_key  INTEGER PRIMARY KEY DEFAULT nextval('seq_period_key'),
    start_date  DATE    NOT NULL,
    end_date    DATE    NOT NULL,
    granularity VARCHAR NOT NULL,
    UNIQUE (start_date, end_date, granularity)
);

CREATE TABLE dim_document (
    doc_key           INTEGER PRIMARY KEY DEFAULT nextval('seq_doc_key'),
    doc               VARCHAR NOT NULL UNIQUE,
    uri               VARCHAR,
    sha256            VARCHAR,
    title             VARCHAR,
    published_date    DATE,
    bytes             BIGINT,
    format            VARCHAR,
    encoding          VARCHAR,
    etag              VARCHAR,
    last_modified     VARCHAR,
    extractor_version VARCHAR,
    first_seen_run    INTEGER,
    last_seen_run     INTEGER,
    loaded_run        INTEGER,
    text              VARCHAR
);

CREATE TABLE load_run (
    run_id              INTEGER PRIMARY KEY,
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP,
    status              VARCHAR NOT NULL CHECK (status IN ('running', 'success', 'failed', 'abandoned')),
    docs_seen           INTEGER DEFAULT 0,
    docs_loaded         INTEGER DEFAULT 0,
    docs_unchanged      INTEGER DEFAULT 0,
    docs_rejected       INTEGER DEFAULT 0,
    facts               INTEGER DEFAULT 0,
    error               VARCHAR,
    data_check_failures INTEGER DEFAULT 0,
    extractor_version   VARCHAR,
    pid                 INTEGER
);

CREATE TABLE fact_indicator (
    run_id         INTEGER NOT NULL,
    doc_key        INTEGER NOT NULL,
    province_code  VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    period_key     INTEGER NOT NULL,
    value          DOUBLE  NOT NULL,
    denominator    DOUBLE,
    qualifier      VARCHAR,
    unit           VARCHAR,
    evidence       VARCHAR,
    span_start     INTEGER,
    span_end       INTEGER,
    score          DOUBLE
);

CREATE TABLE fact_candidate (
    run_id         INTEGER NOT NULL,
    doc_key        INTEGER NOT NULL,
    province_code  VARCHAR NOT NULL,
    indicator_code VARCHAR NOT NULL,
    period_key     INTEGER NOT NULL,
    value          DOUBLE  NOT NULL,
    denominator    DOUBLE,
    qualifier      VARCHAR,
    unit           VARCHAR,
    evidence       VARCHAR,
    span_start     INTEGER,
    span_end       INTEGER,
    score          DOUBLE
);

CREATE TABLE reject (
    run_id  INTEGER NOT NULL,
    doc     VARCHAR,
    uri     VARCHAR,
    stage   VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL,
    detail  VARCHAR,
    snippet VARCHAR
);

CREATE TABLE data_check_result (
    run_id       INTEGER NOT NULL,
    check_name   VARCHAR NOT NULL,
    failing_rows BIGINT  NOT NULL
);
