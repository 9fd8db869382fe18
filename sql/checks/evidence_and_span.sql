-- evidence_and_span — every fact is proven by text: it has an evidence
-- sentence and a span that lies inside its document's normalised text
-- (character offsets, end exclusive). The length is the stored text_chars,
-- so the check never reads the texts themselves.
SELECT f.doc_key, f.indicator_code, f.period_key, f.span_start, f.span_end
FROM fact_indicator f
JOIN dim_document d ON d.doc_key = f.doc_key
WHERE f.evidence IS NULL OR trim(f.evidence) = ''
   OR f.span_start IS NULL OR f.span_end IS NULL
   OR f.span_start < 0 OR f.span_end <= f.span_start
   OR f.span_end > coalesce(d.text_chars, 0)
