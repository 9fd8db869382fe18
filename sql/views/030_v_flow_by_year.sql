-- v_flow_by_year — annual totals of flow indicators per province.
-- Why: reports give flows for a year, a half, a quarter or "9 months"; adding
-- them naively double counts. Rule, per province × era × indicator × year:
--   1. one value per distinct period (latest published, then latest loaded doc);
--   2. use the finest-needed granularity only: an annual figure if any, else
--      the sum of the halves, else of quarters, else of months, else the
--      longest year-to-date figure (never summed: they nest);
--   3. periods must lie within one calendar year; multi-year ranges are ignored.
-- months_covered / complete say whether the total covers all 12 months.
-- 2025 splits at the merger: era-63 facts (to 2025-06-30) and era-34 facts
-- are separate rows, because a reused code is not the same territory.
CREATE OR REPLACE VIEW v_flow_by_year AS
WITH per_period AS (
    SELECT
        f.province_code,
        CASE WHEN pe.end_date < DATE '2025-07-01' THEN 63 ELSE 34 END AS era,
        f.indicator_code AS indicator,
        f.unit,
        pe.start_date,
        pe.end_date,
        pe.granularity,
        f.value
    FROM fact_indicator f
    JOIN dim_period pe ON pe.period_key = f.period_key
    JOIN dim_indicator i ON i.code = f.indicator_code
    JOIN dim_document d ON d.doc_key = f.doc_key
    WHERE i.kind = 'flow'
      AND pe.granularity IN ('year', 'half', 'quarter', 'month', 'year_to_date')
      AND year(pe.start_date) = year(pe.end_date)
    QUALIFY row_number() OVER (
        PARTITION BY f.province_code, f.indicator_code, f.period_key
        ORDER BY d.published_date DESC NULLS LAST, d.loaded_run DESC, d.doc_key DESC, f.span_start
    ) = 1
),
ranked AS (
    SELECT *,
        year(end_date) AS year,
        CASE granularity WHEN 'year' THEN 1 WHEN 'half' THEN 2 WHEN 'quarter' THEN 3
                         WHEN 'month' THEN 4 ELSE 5 END AS pref
    FROM per_period
),
chosen AS (
    SELECT * FROM ranked
    WINDOW w AS (PARTITION BY province_code, era, indicator, year)
    QUALIFY pref = min(pref) OVER w
        AND (pref < 5 OR end_date = max(end_date) OVER w)
)
SELECT
    c.province_code,
    any_value(p.name_vi) AS province,
    c.era,
    c.indicator,
    any_value(c.unit) AS unit,
    c.year,
    sum(c.value) AS value,
    any_value(c.granularity) AS source_granularity,
    count(*) AS periods,
    sum(datediff('month', c.start_date, c.end_date + 1)) AS months_covered,
    sum(datediff('month', c.start_date, c.end_date + 1)) >= 12 AS complete,
    min(c.start_date) AS period_start,
    max(c.end_date) AS period_end
FROM chosen c
LEFT JOIN dim_province p ON p.code = c.province_code AND p.era = c.era
GROUP BY c.province_code, c.era, c.indicator, c.year;

COMMENT ON VIEW v_flow_by_year IS 'Tổng theo năm (chỉ số dòng) — annual totals of flow indicators; annual figures preferred over summing halves';
COMMENT ON COLUMN v_flow_by_year.province_code IS 'Mã tỉnh — GSO code';
COMMENT ON COLUMN v_flow_by_year.province IS 'Tỉnh — province name of the era';
COMMENT ON COLUMN v_flow_by_year.era IS 'Thời kỳ — 63 (before 2025-07-01) or 34';
COMMENT ON COLUMN v_flow_by_year.indicator IS 'Mã chỉ số — flow indicator code';
COMMENT ON COLUMN v_flow_by_year.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_flow_by_year.year IS 'Năm — calendar year';
COMMENT ON COLUMN v_flow_by_year.value IS 'Tổng giá trị — total of the chosen periods';
COMMENT ON COLUMN v_flow_by_year.source_granularity IS 'Nguồn — granularity summed: year, half, quarter, month or year_to_date';
COMMENT ON COLUMN v_flow_by_year.periods IS 'Số kỳ — number of periods summed';
COMMENT ON COLUMN v_flow_by_year.months_covered IS 'Số tháng — months covered by the summed periods';
COMMENT ON COLUMN v_flow_by_year.complete IS 'Đủ năm — true when the total covers 12 months';
COMMENT ON COLUMN v_flow_by_year.period_start IS 'Từ ngày — first day covered';
COMMENT ON COLUMN v_flow_by_year.period_end IS 'Đến ngày — last day covered';
