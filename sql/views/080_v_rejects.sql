-- v_rejects — what could not be used, with the run that saw it.
-- Why: rejects are the to-do list of the extractor; this view adds the run
-- time so "what broke last night" is one filter away.
CREATE OR REPLACE VIEW v_rejects AS
SELECT r.run_id, lr.started_at AS run_started_at, r.doc, r.uri, r.stage, r.reason, r.detail, r.snippet
FROM reject r
LEFT JOIN load_run lr ON lr.run_id = r.run_id;

COMMENT ON VIEW v_rejects IS 'Bản ghi bị loại — rejected documents and values with their run';
COMMENT ON COLUMN v_rejects.run_id IS 'Mã lần chạy — run that recorded the reject';
COMMENT ON COLUMN v_rejects.run_started_at IS 'Thời điểm chạy — start of that run (UTC)';
COMMENT ON COLUMN v_rejects.doc IS 'Mã tài liệu — document id';
COMMENT ON COLUMN v_rejects.uri IS 'Đường dẫn — document location';
COMMENT ON COLUMN v_rejects.stage IS 'Giai đoạn — fetch, decode, extract or load';
COMMENT ON COLUMN v_rejects.reason IS 'Lý do — short machine-readable reason';
COMMENT ON COLUMN v_rejects.detail IS 'Chi tiết — human explanation';
COMMENT ON COLUMN v_rejects.snippet IS 'Trích đoạn — the offending text';
