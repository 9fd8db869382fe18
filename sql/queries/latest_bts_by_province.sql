-- latest_bts_by_province — the current number of mobile base stations (BTS)
-- per province, with the period and document it comes from. Read from
-- v_latest, so a post-merger figure supersedes the pre-merger one.
SELECT province_code, province, value AS bts_stations, qualifier, period_end, doc
FROM v_latest
WHERE indicator = 'bts_stations'
ORDER BY value DESC, province_code;
