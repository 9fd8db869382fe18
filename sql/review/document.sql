-- document.sql — one loaded document with its normalised text ($1: doc id).
-- Why: fact spans are rune offsets into dim_document.text, so the evidence
-- page highlights the very characters the extractor read.
SELECT
    d.doc,
    coalesce(d.uri, '')               AS uri,
    coalesce(d.title, '')             AS title,
    d.published_date,
    coalesce(d.text, '')              AS text,
    coalesce(d.extractor_version, '') AS extractor_version,
    coalesce(d.loaded_run, 0)         AS loaded_run
FROM dim_document d
WHERE d.doc = $1 AND d.loaded_run IS NOT NULL;
