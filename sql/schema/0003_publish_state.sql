-- 0003_publish_state.sql — what the analytics copy was last published from.
-- Why: a nightly run that changed no document should not rewrite the whole
-- published copy (COPY FROM DATABASE costs seconds at 100k documents).
-- Publish records the data generation it copied (the last run that loaded a
-- document, the schema version and the views) per destination, and skips
-- the copy when the destination already holds that generation. It is
-- loader bookkeeping, not analyst data, hence its own schema (the data
-- dictionary documents schema main).
CREATE SCHEMA IF NOT EXISTS chiso_internal;
CREATE TABLE chiso_internal.publish_state (
    path         VARCHAR PRIMARY KEY,
    generation   VARCHAR NOT NULL,
    published_at TIMESTAMP NOT NULL
);

COMMENT ON TABLE chiso_internal.publish_state IS 'Trạng thái xuất bản — loader bookkeeping: the data generation last published to each analytics copy';
COMMENT ON COLUMN chiso_internal.publish_state.path IS 'Đường dẫn — absolute path of the published copy';
COMMENT ON COLUMN chiso_internal.publish_state.generation IS 'Thế hệ dữ liệu — last loading run, schema version and views hash copied';
COMMENT ON COLUMN chiso_internal.publish_state.published_at IS 'Thời điểm xuất bản — when the copy was written';
