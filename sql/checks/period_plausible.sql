-- period_plausible — reporting periods used by facts lie in 2000..2030 and
-- start no later than they end; anything else is a date-parsing bug.
SELECT DISTINCT pe.period_key, pe.start_date, pe.end_date, pe.granularity
FROM dim_period pe
JOIN fact_indicator f ON f.period_key = pe.period_key
WHERE year(pe.start_date) < 2000 OR year(pe.end_date) > 2030 OR pe.start_date > pe.end_date
