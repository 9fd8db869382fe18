-- lam_dong_drilldown — everything known about Lâm Đồng and the provinces
-- merged into it on 2025-07-01 (Đắk Nông 67, Bình Thuận 60), across both
-- eras. Joins by code and date, never by name.
SELECT province_code, province, indicator, period_start, period_end, value, unit, doc
FROM v_facts
WHERE province_code IN (
    SELECT code FROM dim_province WHERE era = 63 AND successor_code = '68'
    UNION SELECT '68'
)
ORDER BY period_end, province_code, indicator, doc;
