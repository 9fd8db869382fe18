-- document_facts.sql — the facts and the losing alternative readings of one
-- document ($1: doc id), in text order.
-- Why: the evidence page marks each of them at its span; is_candidate tells
-- the two apart. The province name is the one valid at the period end.
WITH x AS (
    SELECT false AS is_candidate, f.province_code, f.indicator_code, f.value, f.denominator, f.qualifier,
           f.unit, f.evidence, f.span_start, f.span_end, f.score, pe.start_date, pe.end_date, pe.granularity
    FROM fact_indicator f
    JOIN dim_document d ON d.doc_key = f.doc_key
    JOIN dim_period pe ON pe.period_key = f.period_key
    WHERE d.doc = $1
    UNION ALL
    SELECT true AS is_candidate, f.province_code, f.indicator_code, f.value, f.denominator, f.qualifier,
           f.unit, f.evidence, f.span_start, f.span_end, f.score, pe.start_date, pe.end_date, pe.granularity
    FROM fact_candidate f
    JOIN dim_document d ON d.doc_key = f.doc_key
    JOIN dim_period pe ON pe.period_key = f.period_key
    WHERE d.doc = $1
)
SELECT x.*, coalesce(p.name_vi, '') AS province
FROM x
LEFT JOIN dim_province p
       ON p.code = x.province_code
      AND x.end_date BETWEEN p.valid_from AND coalesce(p.valid_to, DATE '9999-12-31')
ORDER BY x.span_start, x.is_candidate, x.indicator_code;
