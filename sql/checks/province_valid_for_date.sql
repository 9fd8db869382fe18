-- province_valid_for_date — a fact's province code must name a province that
-- existed at the end of its period (era 63 until 2025-06-30, era 34 after):
-- an old code after the merger, or an unknown code, is caught here.
SELECT f.doc_key, f.province_code, pe.end_date
FROM fact_indicator f
JOIN dim_period pe ON pe.period_key = f.period_key
WHERE NOT EXISTS (
    SELECT 1 FROM dim_province p
    WHERE p.code = f.province_code
      AND pe.end_date BETWEEN p.valid_from AND coalesce(p.valid_to, DATE '9999-12-31')
)
