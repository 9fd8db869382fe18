-- percent_in_range — a percentage is between 0 and 100; 150 % means the
-- extractor read the wrong number.
SELECT doc_key, indicator_code, period_key, value
FROM fact_indicator
WHERE unit = 'percent' AND (value < 0 OR value > 100)
