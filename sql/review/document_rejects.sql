-- document_rejects.sql — what the run that loaded a document refused in it
-- ($1: doc id).
-- Why: value-level rejects (malformed numbers next to a counted noun) are
-- stored with a snippet, not a span; the page lists them beside the text.
SELECT r.stage, r.reason, coalesce(r.detail, '') AS detail, coalesce(r.snippet, '') AS snippet
FROM reject r
JOIN dim_document d ON d.doc = r.doc AND r.run_id = d.loaded_run
WHERE d.doc = $1
ORDER BY r.stage, r.reason, r.snippet;
