-- rejects_by_reason — what the pipeline could not use, by stage and reason,
-- with an example document: the extractor's to-do list.
SELECT stage, reason, count(*) AS rejects, count(DISTINCT doc) AS documents, min(doc) AS example_doc
FROM v_rejects
GROUP BY stage, reason
ORDER BY rejects DESC, stage, reason;
