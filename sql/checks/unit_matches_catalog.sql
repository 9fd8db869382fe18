-- unit_matches_catalog — a fact carries its indicator's catalog unit, so sums
-- and comparisons across documents are in the same unit.
SELECT f.doc_key, f.indicator_code, f.unit, i.unit AS catalog_unit
FROM fact_indicator f
JOIN dim_indicator i ON i.code = f.indicator_code
WHERE f.unit IS DISTINCT FROM i.unit
