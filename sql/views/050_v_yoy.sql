-- v_yoy — year-over-year change of stock indicators.
-- Why: "how many more BTS than last year" is the most asked question. Compares
-- v_annual year-end levels of consecutive years within one era only: after
-- the merger a reused code covers a larger territory, so 2025 (era 34) is not
-- compared with 2024 (era 63); use v_province_34 for that.
CREATE OR REPLACE VIEW v_yoy AS
SELECT
    cur.province_code,
    cur.province,
    cur.era,
    cur.indicator,
    cur.unit,
    cur.year,
    cur.value,
    prev.value AS prev_value,
    cur.value - prev.value AS change,
    CASE WHEN prev.value <> 0 THEN round(100.0 * (cur.value - prev.value) / prev.value, 2) END AS change_pct
FROM v_annual cur
JOIN v_annual prev
  ON prev.province_code = cur.province_code
 AND prev.era = cur.era
 AND prev.indicator = cur.indicator
 AND prev.year = cur.year - 1
WHERE cur.kind = 'stock';

COMMENT ON VIEW v_yoy IS 'Tăng trưởng so với năm trước — year-over-year change of stock indicators, within one era';
COMMENT ON COLUMN v_yoy.province_code IS 'Mã tỉnh — GSO code';
COMMENT ON COLUMN v_yoy.province IS 'Tỉnh — province name of the era';
COMMENT ON COLUMN v_yoy.era IS 'Thời kỳ — 63 or 34';
COMMENT ON COLUMN v_yoy.indicator IS 'Mã chỉ số — stock indicator code';
COMMENT ON COLUMN v_yoy.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_yoy.year IS 'Năm — calendar year';
COMMENT ON COLUMN v_yoy.value IS 'Giá trị năm nay — year-end level';
COMMENT ON COLUMN v_yoy.prev_value IS 'Giá trị năm trước — previous year-end level';
COMMENT ON COLUMN v_yoy.change IS 'Mức thay đổi — value − prev_value';
COMMENT ON COLUMN v_yoy.change_pct IS 'Tỷ lệ thay đổi — change in percent of prev_value (NULL when prev_value is 0)';
