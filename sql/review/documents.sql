-- documents.sql — the loaded documents listed on the evidence pages (/documents).
-- Why: a reviewer starts from "what did we load, for whom, and how much was
-- found or refused". The province and period shown are those of most facts
-- of the document (its main reading); rejects are those of the run that
-- loaded the current version. Documents that were rejected as a whole never
-- reach dim_document: they are in v_rejects.
WITH per_reading AS (
    SELECT f.doc_key, f.province_code, pe.start_date, pe.end_date, count(*) AS n
    FROM fact_indicator f
    JOIN dim_period pe ON pe.period_key = f.period_key
    GROUP BY ALL
), main AS (
    SELECT doc_key, province_code, start_date, end_date
    FROM per_reading
    QUALIFY row_number() OVER (PARTITION BY doc_key ORDER BY n DESC, end_date DESC, start_date ASC, province_code) = 1
), counts AS (
    SELECT doc_key, count(*) AS facts FROM fact_indicator GROUP BY doc_key
), cand AS (
    SELECT doc_key, count(*) AS candidates FROM fact_candidate GROUP BY doc_key
), rej AS (
    SELECT d.doc_key, count(*) AS rejects
    FROM reject r JOIN dim_document d ON d.doc = r.doc AND r.run_id = d.loaded_run
    GROUP BY d.doc_key
)
SELECT
    d.doc,
    coalesce(d.uri, '')              AS uri,
    coalesce(d.title, '')            AS title,
    d.published_date,
    coalesce(m.province_code, '')    AS province_code,
    coalesce(p.name_vi, '')          AS province,
    m.start_date                     AS period_start,
    m.end_date                       AS period_end,
    coalesce(c.facts, 0)             AS facts,
    coalesce(ca.candidates, 0)       AS candidates,
    coalesce(r.rejects, 0)           AS rejects,
    coalesce(d.loaded_run, 0)        AS loaded_run
FROM dim_document d
LEFT JOIN main m   ON m.doc_key = d.doc_key
LEFT JOIN counts c ON c.doc_key = d.doc_key
LEFT JOIN cand ca  ON ca.doc_key = d.doc_key
LEFT JOIN rej r    ON r.doc_key = d.doc_key
LEFT JOIN dim_province p
       ON p.code = m.province_code
      AND m.end_date BETWEEN p.valid_from AND coalesce(p.valid_to, DATE '9999-12-31')
WHERE d.loaded_run IS NOT NULL
ORDER BY province, m.end_date DESC NULLS LAST, d.doc;
