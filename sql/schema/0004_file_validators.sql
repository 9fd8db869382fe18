-- 0004_file_validators.sql — files get validators too.
-- Why: a nightly run over a directory of 100,000 unchanged reports should
-- not read and hash every file. The file source now stores, like an HTTP
-- server, an ETag made of the file's modification time and size and its
-- modification time as Last-Modified; a file whose validators match its
-- last load is reported not modified without being read (`--source.rehash`
-- turns this off). Only the column comments change.
COMMENT ON COLUMN dim_document.etag IS 'ETag — validator of the last load: the HTTP ETag, or "<mtime ns hex>-<size hex>" for a file';
COMMENT ON COLUMN dim_document.last_modified IS 'Last-Modified — validator of the last load: the HTTP header, or the file''s modification time';
