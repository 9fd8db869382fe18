-- v_density — per-100-residents indicators with the matching subscriber count.
-- Why: densities are how the ministry ranks provinces; pairing a density with
-- the subscriber count of the same province and date gives the population it
-- implies (subscribers × 100 / density), a cheap sanity check on both numbers.
-- One value per province × indicator × period end (latest document wins).
CREATE OR REPLACE VIEW v_density AS
WITH latest AS (
    SELECT v.*
    FROM v_facts v
    JOIN dim_document d ON d.doc = v.doc
    QUALIFY row_number() OVER (
        PARTITION BY v.province_code, v.indicator, v.period_end
        ORDER BY d.published_date DESC NULLS LAST, d.loaded_run DESC, d.doc_key DESC, v.period_start, v.span_start
    ) = 1
),
density AS (
    SELECT *,
        CASE indicator WHEN 'phone_density_per_100' THEN 'phone_subscribers'
                       WHEN 'internet_density_per_100' THEN 'internet_subscribers' END AS count_indicator
    FROM latest
    WHERE unit = 'per_100_residents'
)
SELECT
    ds.province_code,
    ds.province,
    ds.indicator,
    ds.period_start,
    ds.period_end,
    ds.value AS per_100_residents,
    ds.count_indicator,
    c.value AS subscribers,
    CASE WHEN ds.value > 0 THEN round(c.value * 100 / ds.value) END AS implied_population,
    ds.doc
FROM density ds
LEFT JOIN latest c
  ON c.province_code = ds.province_code
 AND c.indicator = ds.count_indicator
 AND c.period_end = ds.period_end;

COMMENT ON VIEW v_density IS 'Mật độ trên 100 dân — per-100-residents indicators with subscriber counts and implied population';
COMMENT ON COLUMN v_density.province_code IS 'Mã tỉnh — GSO code';
COMMENT ON COLUMN v_density.province IS 'Tỉnh — province name valid at period_end';
COMMENT ON COLUMN v_density.indicator IS 'Mã chỉ số — density indicator code';
COMMENT ON COLUMN v_density.period_start IS 'Từ ngày — first day of the period';
COMMENT ON COLUMN v_density.period_end IS 'Đến ngày — last day of the period';
COMMENT ON COLUMN v_density.per_100_residents IS 'Mật độ — subscribers per 100 residents';
COMMENT ON COLUMN v_density.count_indicator IS 'Chỉ số số lượng — the matching subscriber-count indicator';
COMMENT ON COLUMN v_density.subscribers IS 'Số thuê bao — subscriber count at the same date, if reported';
COMMENT ON COLUMN v_density.implied_population IS 'Dân số suy ra — subscribers × 100 / density';
COMMENT ON COLUMN v_density.doc IS 'Mã tài liệu — document of the density value';
