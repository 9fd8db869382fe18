-- 0005_text_chars.sql — the length of each document's text, stored.
-- Why: the evidence_and_span check compares every fact's span with its
-- document's length. Computing length(text) inside the load's transaction
-- read every text loaded by the run, and with long reports (tens of KB)
-- that alone ran out of the loader's small DuckDB memory limit. The loader
-- now stores the length with the text; existing rows are filled here.
ALTER TABLE dim_document ADD COLUMN text_chars INTEGER;
UPDATE dim_document SET text_chars = length(coalesce(text, ''));
COMMENT ON COLUMN dim_document.text_chars IS 'Length of text in characters (fact spans must end within it)';
