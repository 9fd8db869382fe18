-- yoy_change — year-over-year change of stock indicators, biggest relative
-- growth first. Same-era comparisons only (see v_yoy).
SELECT province_code, province, indicator, year, value, prev_value, change, change_pct
FROM v_yoy
ORDER BY change_pct DESC NULLS LAST, province_code, indicator, year;
