-- candidates_of_document — the winning fact and the losing readings of the
-- document with the most candidates, side by side. To inspect another
-- document, replace the target CTE with: SELECT 'the-doc-id' AS doc.
WITH target AS (
    SELECT doc FROM v_candidates GROUP BY doc ORDER BY count(*) DESC, doc LIMIT 1
)
SELECT 'fact' AS role, f.doc, f.indicator, f.period_end, f.value, NULL::DOUBLE AS score, f.span_start, f.evidence
FROM v_facts f JOIN target USING (doc)
UNION ALL
SELECT 'candidate', c.doc, c.indicator, c.period_end, c.value, c.score, c.span_start, c.evidence
FROM v_candidates c JOIN target USING (doc)
ORDER BY indicator, period_end, role DESC, span_start;
