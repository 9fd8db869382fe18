-- v_facts — public contract: one row per loaded fact, ready to read.
-- Why: analysts and exports should never join the star schema by hand. The
-- province name comes from the dim_province row valid at the period end, so
-- code 68 reads "Lâm Đồng" of the right era and code 15 is Yên Bái before
-- 2025-07-01 and Lào Cai after. Columns and their order are a contract.
CREATE OR REPLACE VIEW v_facts AS
SELECT
    d.doc,
    d.uri            AS source_uri,
    f.province_code,
    p.name_vi        AS province,
    pe.start_date    AS period_start,
    pe.end_date      AS period_end,
    f.indicator_code AS indicator,
    i.category,
    f.unit,
    f.value,
    f.qualifier,
    f.evidence,
    f.span_start,
    f.span_end,
    f.run_id
FROM fact_indicator f
JOIN dim_document d ON d.doc_key = f.doc_key
JOIN dim_period pe ON pe.period_key = f.period_key
LEFT JOIN dim_indicator i ON i.code = f.indicator_code
LEFT JOIN dim_province p
       ON p.code = f.province_code
      AND pe.end_date BETWEEN p.valid_from AND coalesce(p.valid_to, DATE '9999-12-31');

COMMENT ON VIEW v_facts IS 'Dữ kiện — one row per loaded fact with names and dates resolved (public contract)';
COMMENT ON COLUMN v_facts.doc IS 'Mã tài liệu — source document id';
COMMENT ON COLUMN v_facts.source_uri IS 'Đường dẫn nguồn — where the document was read from';
COMMENT ON COLUMN v_facts.province_code IS 'Mã tỉnh — GSO code valid at period_end';
COMMENT ON COLUMN v_facts.province IS 'Tỉnh — name of the province of the era valid at period_end';
COMMENT ON COLUMN v_facts.period_start IS 'Từ ngày — first day of the reporting period';
COMMENT ON COLUMN v_facts.period_end IS 'Đến ngày — last day of the reporting period';
COMMENT ON COLUMN v_facts.indicator IS 'Mã chỉ số — indicator code';
COMMENT ON COLUMN v_facts.category IS 'Nhóm — indicator category';
COMMENT ON COLUMN v_facts.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_facts.value IS 'Giá trị chỉ số — indicator value in the catalog unit';
COMMENT ON COLUMN v_facts.qualifier IS 'Mức độ chính xác — exact, more_than, approx, …';
COMMENT ON COLUMN v_facts.evidence IS 'Bằng chứng — sentence the value came from';
COMMENT ON COLUMN v_facts.span_start IS 'Vị trí đầu — character offset in the document text';
COMMENT ON COLUMN v_facts.span_end IS 'Vị trí cuối — end character offset (exclusive)';
COMMENT ON COLUMN v_facts.run_id IS 'Mã lần chạy — run that loaded the fact';
