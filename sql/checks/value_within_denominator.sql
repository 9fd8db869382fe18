-- value_within_denominator — for x/y readings ("kết nối 25/30 hệ thống") and
-- percentages, x cannot exceed y. Densities per 100 residents are exempt:
-- 130 phone subscriptions per 100 residents is normal.
SELECT doc_key, indicator_code, period_key, value, denominator
FROM fact_indicator
WHERE denominator IS NOT NULL AND denominator > 0
  AND value > denominator
  AND unit <> 'per_100_residents'
