-- v_province_34 — pre-merger years rolled up to the 34 post-2025 provinces.
-- Why: to compare 2025+ figures with history, the era-63 members of each new
-- province are summed: "Lâm Đồng (new)" = Lâm Đồng + Đắk Nông + Bình Thuận.
-- Only additive units (count, vnd) are summed; percentages and densities are
-- not. members_reporting < members_total flags a partial sum. Stocks add each
-- member's year-end level (v_annual), flows each member's annual total.
CREATE OR REPLACE VIEW v_province_34 AS
WITH members AS (
    SELECT successor_code AS new_code, code AS old_code
    FROM dim_province
    WHERE era = 63
),
totals AS (
    SELECT new_code, count(*) AS members_total FROM members GROUP BY new_code
)
SELECT
    m.new_code AS province_code,
    p34.name_vi AS province,
    a.indicator,
    a.unit,
    a.kind,
    a.year,
    sum(a.value) AS value,
    count(DISTINCT a.province_code) AS members_reporting,
    any_value(t.members_total) AS members_total,
    string_agg(a.province, ', ' ORDER BY a.province_code) AS members,
    count(DISTINCT a.province_code) = any_value(t.members_total) AND bool_and(a.complete) AS complete
FROM v_annual a
JOIN members m ON m.old_code = a.province_code
JOIN totals t ON t.new_code = m.new_code
JOIN dim_province p34 ON p34.code = m.new_code AND p34.era = 34
WHERE a.era = 63
  AND a.unit IN ('count', 'vnd')
GROUP BY m.new_code, p34.name_vi, a.indicator, a.unit, a.kind, a.year;

COMMENT ON VIEW v_province_34 IS 'Quy đổi về 34 tỉnh — pre-merger annual values summed over the members of each post-2025 province';
COMMENT ON COLUMN v_province_34.province_code IS 'Mã tỉnh mới — GSO code of the era-34 province';
COMMENT ON COLUMN v_province_34.province IS 'Tỉnh mới — name of the era-34 province';
COMMENT ON COLUMN v_province_34.indicator IS 'Mã chỉ số — indicator code (count and vnd units only)';
COMMENT ON COLUMN v_province_34.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_province_34.kind IS 'Loại — stock or flow';
COMMENT ON COLUMN v_province_34.year IS 'Năm — calendar year';
COMMENT ON COLUMN v_province_34.value IS 'Tổng giá trị — sum over the reporting members';
COMMENT ON COLUMN v_province_34.members_reporting IS 'Số tỉnh cũ có số liệu — era-63 members with a value';
COMMENT ON COLUMN v_province_34.members_total IS 'Tổng số tỉnh cũ — era-63 members merged into the province';
COMMENT ON COLUMN v_province_34.members IS 'Các tỉnh cũ — names of the reporting members';
COMMENT ON COLUMN v_province_34.complete IS 'Đầy đủ — every member reported a complete year';
