-- pivot_bts — BTS stations as a province × year grid, via the
-- pivot_indicator(code) macro of v_annual; swap the code for any indicator.
SELECT *
FROM pivot_indicator('bts_stations')
ORDER BY province_code, era DESC;
