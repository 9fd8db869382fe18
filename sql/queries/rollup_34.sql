-- rollup_34 — pre-merger annual values summed to the 34 new provinces, with
-- how many of the merged provinces reported. Lâm Đồng (68) = Lâm Đồng +
-- Đắk Nông + Bình Thuận.
SELECT province_code, province, indicator, year, value, members_reporting, members_total, members, complete
FROM v_province_34
ORDER BY province_code, indicator, year;
