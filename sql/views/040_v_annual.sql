-- v_annual — one value per province × era × indicator × year, pivot-friendly.
-- Why: most analysis is yearly. Stocks take the value at the latest period
-- end within the year (ties as in v_latest); flows take v_flow_by_year.
-- pivot_indicator(code) turns one indicator into province rows × year
-- columns (2018–2026: a macro's PIVOT needs its columns spelled out).
CREATE OR REPLACE VIEW v_annual AS
WITH stock AS (
    SELECT
        f.province_code,
        CASE WHEN pe.end_date < DATE '2025-07-01' THEN 63 ELSE 34 END AS era,
        f.indicator_code AS indicator,
        f.unit,
        year(pe.end_date) AS year,
        f.value,
        pe.start_date,
        pe.end_date,
        pe.granularity
    FROM fact_indicator f
    JOIN dim_period pe ON pe.period_key = f.period_key
    JOIN dim_indicator i ON i.code = f.indicator_code
    JOIN dim_document d ON d.doc_key = f.doc_key
    WHERE i.kind = 'stock'
    QUALIFY row_number() OVER (
        PARTITION BY f.province_code, era, f.indicator_code, year(pe.end_date)
        ORDER BY pe.end_date DESC, d.published_date DESC NULLS LAST, d.loaded_run DESC,
                 d.doc_key DESC, pe.start_date, f.span_start
    ) = 1
)
SELECT s.province_code, p.name_vi AS province, s.era, s.indicator, i.category, s.unit,
       'stock' AS kind, s.year, s.value, s.start_date AS period_start, s.end_date AS period_end,
       s.granularity AS source_granularity, 1::BIGINT AS periods, month(s.end_date) = 12 AS complete
FROM stock s
JOIN dim_indicator i ON i.code = s.indicator
LEFT JOIN dim_province p ON p.code = s.province_code AND p.era = s.era
UNION ALL
SELECT v.province_code, v.province, v.era, v.indicator, i.category, v.unit,
       'flow' AS kind, v.year, v.value, v.period_start, v.period_end,
       v.source_granularity, v.periods, v.complete
FROM v_flow_by_year v
JOIN dim_indicator i ON i.code = v.indicator;

COMMENT ON VIEW v_annual IS 'Số liệu theo năm — one value per province × era × indicator × year (stock: year-end level, flow: annual total)';
COMMENT ON COLUMN v_annual.province_code IS 'Mã tỉnh — GSO code';
COMMENT ON COLUMN v_annual.province IS 'Tỉnh — province name of the era';
COMMENT ON COLUMN v_annual.era IS 'Thời kỳ — 63 (before 2025-07-01) or 34';
COMMENT ON COLUMN v_annual.indicator IS 'Mã chỉ số — indicator code';
COMMENT ON COLUMN v_annual.category IS 'Nhóm — indicator category';
COMMENT ON COLUMN v_annual.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_annual.kind IS 'Loại — stock or flow';
COMMENT ON COLUMN v_annual.year IS 'Năm — calendar year';
COMMENT ON COLUMN v_annual.value IS 'Giá trị — year-end level (stock) or annual total (flow)';
COMMENT ON COLUMN v_annual.period_start IS 'Từ ngày — first day covered by the source period(s)';
COMMENT ON COLUMN v_annual.period_end IS 'Đến ngày — last day covered by the source period(s)';
COMMENT ON COLUMN v_annual.source_granularity IS 'Nguồn — granularity of the source period(s)';
COMMENT ON COLUMN v_annual.periods IS 'Số kỳ — number of source periods';
COMMENT ON COLUMN v_annual.complete IS 'Đủ năm — stock: level as at December; flow: total covers 12 months';

CREATE OR REPLACE MACRO pivot_indicator(code) AS TABLE
    PIVOT (SELECT province_code, province, era, year, value FROM v_annual WHERE indicator = code)
    ON year IN (2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026)
    USING first(value)
    GROUP BY province_code, province, era;
