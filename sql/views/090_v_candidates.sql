-- v_candidates — alternative readings that lost to a fact, shaped like v_facts.
-- Why: when a number looks wrong, the runner-up readings of the same document
-- show what the classifier weighed; score explains the choice.
CREATE OR REPLACE VIEW v_candidates AS
SELECT
    d.doc,
    d.uri            AS source_uri,
    c.province_code,
    p.name_vi        AS province,
    pe.start_date    AS period_start,
    pe.end_date      AS period_end,
    c.indicator_code AS indicator,
    i.category,
    c.unit,
    c.value,
    c.qualifier,
    c.evidence,
    c.span_start,
    c.span_end,
    c.score,
    c.run_id
FROM fact_candidate c
JOIN dim_document d ON d.doc_key = c.doc_key
JOIN dim_period pe ON pe.period_key = c.period_key
LEFT JOIN dim_indicator i ON i.code = c.indicator_code
LEFT JOIN dim_province p
       ON p.code = c.province_code
      AND pe.end_date BETWEEN p.valid_from AND coalesce(p.valid_to, DATE '9999-12-31');

COMMENT ON VIEW v_candidates IS 'Phương án thay thế — losing readings, shaped like v_facts plus score';
COMMENT ON COLUMN v_candidates.doc IS 'Mã tài liệu — source document id';
COMMENT ON COLUMN v_candidates.source_uri IS 'Đường dẫn nguồn — where the document was read from';
COMMENT ON COLUMN v_candidates.province_code IS 'Mã tỉnh — GSO code valid at period_end';
COMMENT ON COLUMN v_candidates.province IS 'Tỉnh — province name valid at period_end';
COMMENT ON COLUMN v_candidates.period_start IS 'Từ ngày — first day of the period';
COMMENT ON COLUMN v_candidates.period_end IS 'Đến ngày — last day of the period';
COMMENT ON COLUMN v_candidates.indicator IS 'Mã chỉ số — indicator code';
COMMENT ON COLUMN v_candidates.category IS 'Nhóm — indicator category';
COMMENT ON COLUMN v_candidates.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_candidates.value IS 'Giá trị — candidate value';
COMMENT ON COLUMN v_candidates.qualifier IS 'Mức độ chính xác — qualifier of the reading';
COMMENT ON COLUMN v_candidates.evidence IS 'Bằng chứng — sentence the reading came from';
COMMENT ON COLUMN v_candidates.span_start IS 'Vị trí đầu — character offset in the document text';
COMMENT ON COLUMN v_candidates.span_end IS 'Vị trí cuối — end character offset (exclusive)';
COMMENT ON COLUMN v_candidates.score IS 'Độ tin cậy — classifier confidence';
COMMENT ON COLUMN v_candidates.run_id IS 'Mã lần chạy — run that wrote the candidate';
