-- v_latest — public contract: the most recent value per province × indicator.
-- Why: dashboards and the Prometheus exporter want "the current number".
-- Rule: latest period_end wins; ties go to the latest published_date, then
-- the most recently loaded document, then the longer period (an annual total
-- beats its second half). Partitioned by code only: after the merger the
-- era-34 value of a reused code (68 Lâm Đồng) supersedes the era-63 one.
CREATE OR REPLACE VIEW v_latest AS
SELECT province_code, province, indicator, unit, value, qualifier, period_start, period_end, doc
FROM (
    SELECT
        f.province_code,
        p.name_vi        AS province,
        f.indicator_code AS indicator,
        f.unit,
        f.value,
        f.qualifier,
        pe.start_date    AS period_start,
        pe.end_date      AS period_end,
        d.doc,
        row_number() OVER (
            PARTITION BY f.province_code, f.indicator_code
            ORDER BY pe.end_date DESC, d.published_date DESC NULLS LAST,
                     d.loaded_run DESC, d.doc_key DESC, pe.start_date ASC, f.span_start ASC
        ) AS rn
    FROM fact_indicator f
    JOIN dim_document d ON d.doc_key = f.doc_key
    JOIN dim_period pe ON pe.period_key = f.period_key
    LEFT JOIN dim_province p
           ON p.code = f.province_code
          AND pe.end_date BETWEEN p.valid_from AND coalesce(p.valid_to, DATE '9999-12-31')
)
WHERE rn = 1;

COMMENT ON VIEW v_latest IS 'Giá trị mới nhất — latest value per province × indicator (public contract)';
COMMENT ON COLUMN v_latest.province_code IS 'Mã tỉnh — GSO code';
COMMENT ON COLUMN v_latest.province IS 'Tỉnh — province name valid at period_end';
COMMENT ON COLUMN v_latest.indicator IS 'Mã chỉ số — indicator code';
COMMENT ON COLUMN v_latest.unit IS 'Đơn vị — unit of the value';
COMMENT ON COLUMN v_latest.value IS 'Giá trị chỉ số — latest value';
COMMENT ON COLUMN v_latest.qualifier IS 'Mức độ chính xác — qualifier of the value';
COMMENT ON COLUMN v_latest.period_start IS 'Từ ngày — first day of the period';
COMMENT ON COLUMN v_latest.period_end IS 'Đến ngày — last day of the period';
COMMENT ON COLUMN v_latest.doc IS 'Mã tài liệu — document the value came from';
