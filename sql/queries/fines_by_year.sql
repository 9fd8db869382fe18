-- fines_by_year — administrative fines (VND) per province and year, using the
-- v_flow_by_year rule (annual figure preferred over summing halves);
-- "complete" says whether the total covers all 12 months.
SELECT province_code, province, era, year, value AS fines_vnd, source_granularity, periods, complete
FROM v_flow_by_year
WHERE indicator = 'fines_vnd'
ORDER BY province_code, year, era;
