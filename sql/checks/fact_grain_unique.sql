-- fact_grain_unique — the fact table's grain is document × province ×
-- indicator × period. There is no unique index (it slowed loads 12×), so
-- this test is the guard. Returns each duplicated grain.
SELECT doc_key, province_code, indicator_code, period_key, count(*) AS n
FROM fact_indicator
GROUP BY doc_key, province_code, indicator_code, period_key
HAVING count(*) > 1
