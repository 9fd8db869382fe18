-- latest_by_indicator.sql — the latest value of one indicator per province,
-- with the evidence sentence and span of that value ($1: indicator code).
-- Why: /indicators/{code} links each number of a dashboard to the text that
-- proves it. Rows are those of v_latest, the exporter's source.
SELECT
    l.province_code,
    coalesce(l.province, '')  AS province,
    l.indicator,
    coalesce(l.unit, '')      AS unit,
    l.value,
    coalesce(l.qualifier, '') AS qualifier,
    l.period_start,
    l.period_end,
    l.doc,
    coalesce(f.evidence, '')  AS evidence,
    coalesce(f.span_start, 0) AS span_start,
    coalesce(f.span_end, 0)   AS span_end
FROM v_latest l
LEFT JOIN v_facts f
       ON f.doc = l.doc AND f.indicator = l.indicator AND f.province_code = l.province_code
      AND f.period_start = l.period_start AND f.period_end = l.period_end
WHERE l.indicator = $1
QUALIFY row_number() OVER (PARTITION BY l.province_code ORDER BY f.span_start NULLS LAST) = 1
ORDER BY l.province_code;
