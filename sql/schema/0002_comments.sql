-- 0002_comments.sql — the data dictionary, stored in the database itself.
-- Why: analysts browse the published copy with any DuckDB client; COMMENT ON
-- makes every table and column explain itself there (Vietnamese term — English
-- meaning). sql/README.md is generated from these comments and the view
-- comments in sql/views/, and a test fails when any is missing.

COMMENT ON TABLE schema_version IS 'Phiên bản lược đồ — migrations applied to this file, in order';
COMMENT ON COLUMN schema_version.version IS 'Số phiên bản — migration number (the NNNN prefix of sql/schema files)';
COMMENT ON COLUMN schema_version.name IS 'Tên tệp — migration file name';
COMMENT ON COLUMN schema_version.applied_at IS 'Thời điểm áp dụng — when the migration ran (UTC)';

COMMENT ON TABLE dim_province IS 'Tỉnh/thành phố — province-level units of both eras: 63 until 2025-06-30, 34 from 2025-07-01; key (code, era)';
COMMENT ON COLUMN dim_province.code IS 'Mã tỉnh (GSO) — two-digit GSO code, reused across eras';
COMMENT ON COLUMN dim_province.name_vi IS 'Tên tỉnh — Vietnamese name';
COMMENT ON COLUMN dim_province.name_ascii IS 'Tên không dấu — name without diacritics';
COMMENT ON COLUMN dim_province.type IS 'Loại đơn vị — province (tinh) or centrally-run city';
COMMENT ON COLUMN dim_province.region IS 'Vùng — socio-economic region (era 34: the region of the same-coded era-63 province)';
COMMENT ON COLUMN dim_province.era IS 'Thời kỳ — 63 (before the 2025 merger) or 34 (after)';
COMMENT ON COLUMN dim_province.valid_from IS 'Hiệu lực từ — first day the unit exists (era 63: 2008-08-01, Hà Tây joining Hà Nội)';
COMMENT ON COLUMN dim_province.valid_to IS 'Hiệu lực đến — last day the unit exists; NULL while current';
COMMENT ON COLUMN dim_province.successor_code IS 'Mã tỉnh sau sáp nhập — for era-63 rows, the era-34 province that absorbed it';

COMMENT ON TABLE dim_indicator IS 'Danh mục chỉ số — the indicator catalog';
COMMENT ON COLUMN dim_indicator.code IS 'Mã chỉ số — indicator code';
COMMENT ON COLUMN dim_indicator.category IS 'Nhóm — category (telecom, postal, egov, security, …)';
COMMENT ON COLUMN dim_indicator.unit IS 'Đơn vị — catalog unit: count, percent, vnd, per_100_residents';
COMMENT ON COLUMN dim_indicator.kind IS 'Loại — stock (level at a date) or flow (amount over a period)';
COMMENT ON COLUMN dim_indicator.name_vi IS 'Tên chỉ số — Vietnamese name';
COMMENT ON COLUMN dim_indicator.name_en IS 'Tên tiếng Anh — English name';
COMMENT ON COLUMN dim_indicator.cues IS 'Cụm từ nhận diện — cue phrases the extractor looks for';

COMMENT ON TABLE dim_period IS 'Kỳ báo cáo — reporting periods, created on demand';
COMMENT ON COLUMN dim_period.period_key IS 'Khóa kỳ — surrogate key';
COMMENT ON COLUMN dim_period.start_date IS 'Ngày bắt đầu — first day of the period';
COMMENT ON COLUMN dim_period.end_date IS 'Ngày kết thúc — last day of the period (inclusive)';
COMMENT ON COLUMN dim_period.granularity IS 'Độ chi tiết — year, half, quarter, month, year_to_date, multi_year or day';

COMMENT ON TABLE dim_document IS 'Tài liệu nguồn — source reports, one row per document id, updated when its content changes';
COMMENT ON COLUMN dim_document.doc_key IS 'Khóa tài liệu — surrogate key';
COMMENT ON COLUMN dim_document.doc IS 'Mã tài liệu — document id: file name without extension or URL slug';
COMMENT ON COLUMN dim_document.uri IS 'Đường dẫn — where the document was read from';
COMMENT ON COLUMN dim_document.sha256 IS 'Mã băm — SHA-256 of the loaded bytes';
COMMENT ON COLUMN dim_document.title IS 'Tiêu đề — title of the report';
COMMENT ON COLUMN dim_document.published_date IS 'Ngày công bố — publication date stated by the page';
COMMENT ON COLUMN dim_document.bytes IS 'Kích thước — size of the loaded bytes';
COMMENT ON COLUMN dim_document.format IS 'Định dạng — text or html';
COMMENT ON COLUMN dim_document.encoding IS 'Bảng mã — encoding the bytes were decoded from';
COMMENT ON COLUMN dim_document.etag IS 'ETag — HTTP validator for conditional GET';
COMMENT ON COLUMN dim_document.last_modified IS 'Last-Modified — HTTP validator for conditional GET';
COMMENT ON COLUMN dim_document.extractor_version IS 'Phiên bản bộ trích xuất — extractor version that produced the facts';
COMMENT ON COLUMN dim_document.first_seen_run IS 'Lần chạy đầu tiên thấy — run that first saw the document';
COMMENT ON COLUMN dim_document.last_seen_run IS 'Lần chạy cuối thấy — last run that saw the document (a deleted source keeps its facts)';
COMMENT ON COLUMN dim_document.loaded_run IS 'Lần chạy nạp — run that loaded the current content';
COMMENT ON COLUMN dim_document.text IS 'Văn bản chuẩn hóa — normalised body; evidence spans are character offsets into it';

COMMENT ON TABLE load_run IS 'Lần nạp — one row per ETL run with its status and counters';
COMMENT ON COLUMN load_run.run_id IS 'Mã lần chạy — run id';
COMMENT ON COLUMN load_run.started_at IS 'Bắt đầu — start time (UTC)';
COMMENT ON COLUMN load_run.finished_at IS 'Kết thúc — end time (UTC)';
COMMENT ON COLUMN load_run.status IS 'Trạng thái — running, success, failed or abandoned (process died)';
COMMENT ON COLUMN load_run.docs_seen IS 'Tài liệu đã xem — documents handed to the loader';
COMMENT ON COLUMN load_run.docs_loaded IS 'Tài liệu đã nạp — documents whose facts were (re)loaded';
COMMENT ON COLUMN load_run.docs_unchanged IS 'Tài liệu không đổi — documents skipped as unchanged';
COMMENT ON COLUMN load_run.docs_rejected IS 'Tài liệu bị loại — documents rejected';
COMMENT ON COLUMN load_run.facts IS 'Số dữ kiện — facts written by the run';
COMMENT ON COLUMN load_run.error IS 'Lỗi — error of a failed run';
COMMENT ON COLUMN load_run.data_check_failures IS 'Kiểm tra dữ liệu lỗi — data checks that returned rows';
COMMENT ON COLUMN load_run.extractor_version IS 'Phiên bản bộ trích xuất — extractor version of the run';
COMMENT ON COLUMN load_run.pid IS 'Mã tiến trình — process id of the loader';

COMMENT ON TABLE fact_indicator IS 'Dữ kiện chỉ số — indicator values; grain document × province × indicator × period';
COMMENT ON COLUMN fact_indicator.run_id IS 'Mã lần chạy — run that wrote the fact';
COMMENT ON COLUMN fact_indicator.doc_key IS 'Khóa tài liệu — source document (dim_document)';
COMMENT ON COLUMN fact_indicator.province_code IS 'Mã tỉnh — GSO code valid at the period end (dim_province by code and date)';
COMMENT ON COLUMN fact_indicator.indicator_code IS 'Mã chỉ số — indicator (dim_indicator)';
COMMENT ON COLUMN fact_indicator.period_key IS 'Khóa kỳ — reporting period (dim_period)';
COMMENT ON COLUMN fact_indicator.value IS 'Giá trị chỉ số — indicator value in the catalog unit';
COMMENT ON COLUMN fact_indicator.denominator IS 'Mẫu số — y of an x/y reading or 100 of a per-100 rate; NULL when none';
COMMENT ON COLUMN fact_indicator.qualifier IS 'Mức độ chính xác — exact, more_than, approx, at_least, less_than, at_most';
COMMENT ON COLUMN fact_indicator.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN fact_indicator.evidence IS 'Bằng chứng — the sentence the value came from';
COMMENT ON COLUMN fact_indicator.span_start IS 'Vị trí đầu — character offset of the number in dim_document.text';
COMMENT ON COLUMN fact_indicator.span_end IS 'Vị trí cuối — end character offset (exclusive)';
COMMENT ON COLUMN fact_indicator.score IS 'Độ tin cậy — classifier confidence';

COMMENT ON TABLE fact_candidate IS 'Phương án thay thế — alternative readings that lost to a fact; same shape as fact_indicator';
COMMENT ON COLUMN fact_candidate.run_id IS 'Mã lần chạy — run that wrote the candidate';
COMMENT ON COLUMN fact_candidate.doc_key IS 'Khóa tài liệu — source document (dim_document)';
COMMENT ON COLUMN fact_candidate.province_code IS 'Mã tỉnh — GSO code valid at the period end';
COMMENT ON COLUMN fact_candidate.indicator_code IS 'Mã chỉ số — indicator (dim_indicator)';
COMMENT ON COLUMN fact_candidate.period_key IS 'Khóa kỳ — reporting period (dim_period)';
COMMENT ON COLUMN fact_candidate.value IS 'Giá trị chỉ số — candidate value in the catalog unit';
COMMENT ON COLUMN fact_candidate.denominator IS 'Mẫu số — y of an x/y reading; NULL when none';
COMMENT ON COLUMN fact_candidate.qualifier IS 'Mức độ chính xác — qualifier of the reading';
COMMENT ON COLUMN fact_candidate.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN fact_candidate.evidence IS 'Bằng chứng — the sentence the reading came from';
COMMENT ON COLUMN fact_candidate.span_start IS 'Vị trí đầu — character offset of the number in dim_document.text';
COMMENT ON COLUMN fact_candidate.span_end IS 'Vị trí cuối — end character offset (exclusive)';
COMMENT ON COLUMN fact_candidate.score IS 'Độ tin cậy — classifier confidence (lower than the winning fact)';

COMMENT ON TABLE reject IS 'Bản ghi bị loại — documents and values that could not be used, with the reason';
COMMENT ON COLUMN reject.run_id IS 'Mã lần chạy — run that recorded the reject';
COMMENT ON COLUMN reject.doc IS 'Mã tài liệu — document id';
COMMENT ON COLUMN reject.uri IS 'Đường dẫn — document location';
COMMENT ON COLUMN reject.stage IS 'Giai đoạn — fetch, decode, extract or load';
COMMENT ON COLUMN reject.reason IS 'Lý do — short machine-readable reason';
COMMENT ON COLUMN reject.detail IS 'Chi tiết — human explanation';
COMMENT ON COLUMN reject.snippet IS 'Trích đoạn — the offending text';

COMMENT ON TABLE data_check_result IS 'Kết quả kiểm tra dữ liệu — rows returned by each sql/checks test after a run (0 = pass)';
COMMENT ON COLUMN data_check_result.run_id IS 'Mã lần chạy — run the check ran in';
COMMENT ON COLUMN data_check_result.check_name IS 'Tên kiểm tra — check file name without .sql';
COMMENT ON COLUMN data_check_result.failing_rows IS 'Số dòng lỗi — offending rows found';
