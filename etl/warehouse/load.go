package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/chiso-vn/chiso/etl"
)

// Staging tables are per-connection temp tables filled by the Appender; the
// star schema is then written from them by set-based SQL.
var stagingDDL = []string{
	`CREATE OR REPLACE TEMP TABLE stg_doc (
		seq BIGINT, doc VARCHAR, status VARCHAR, uri VARCHAR, sha256 VARCHAR, title VARCHAR,
		published_date DATE, bytes BIGINT, format VARCHAR, encoding VARCHAR, etag VARCHAR,
		last_modified VARCHAR, text VARCHAR)`,
	`CREATE OR REPLACE TEMP TABLE stg_fact (
		seq BIGINT, ord BIGINT, doc VARCHAR, is_candidate BOOLEAN, province_code VARCHAR, indicator_code VARCHAR,
		start_date DATE, end_date DATE, granularity VARCHAR, value DOUBLE, denominator DOUBLE,
		qualifier VARCHAR, unit VARCHAR, evidence VARCHAR, span_start BIGINT, span_end BIGINT, score DOUBLE)`,
	`CREATE OR REPLACE TEMP TABLE stg_reject (
		doc VARCHAR, uri VARCHAR, stage VARCHAR, reason VARCHAR, detail VARCHAR, snippet VARCHAR)`,
}

// Batch bounds: staging is merged into the star schema whenever either is
// reached, so memory stays independent of the corpus size.
const (
	batchDocs = 1000
	batchRows = 200_000
)

// The merge of one staged batch, in order. $1 is the run id, $2 the
// extractor version. Each statement is set-based; none loops over rows.
var mergeSQL = []struct{ name, sql string }{
	// A document seen twice in one batch: the later outcome wins.
	{"dedupe", `DELETE FROM stg_doc WHERE seq NOT IN (SELECT max(seq) FROM stg_doc GROUP BY doc)`},
	{"dedupe_facts", `DELETE FROM stg_fact WHERE seq NOT IN (SELECT seq FROM stg_doc)`},
	// Unchanged and rejected documents are only marked as seen: a rejected
	// new version keeps the facts of the old one.
	{"seen", `UPDATE dim_document SET last_seen_run = $1
		FROM stg_doc s WHERE dim_document.doc = s.doc AND s.status <> 'loaded'`},
	{"update_docs", `UPDATE dim_document SET uri = s.uri, sha256 = s.sha256, title = s.title,
		published_date = s.published_date, bytes = s.bytes, format = s.format, encoding = s.encoding,
		etag = s.etag, last_modified = s.last_modified, extractor_version = $2,
		last_seen_run = $1, loaded_run = $1, text = s.text
		FROM stg_doc s WHERE dim_document.doc = s.doc AND s.status = 'loaded'`},
	{"insert_docs", `INSERT INTO dim_document (doc, uri, sha256, title, published_date, bytes, format, encoding,
		etag, last_modified, extractor_version, first_seen_run, last_seen_run, loaded_run, text)
		SELECT s.doc, s.uri, s.sha256, s.title, s.published_date, s.bytes, s.format, s.encoding,
		       s.etag, s.last_modified, $2, $1, $1, $1, s.text
		FROM stg_doc s
		WHERE s.status = 'loaded' AND NOT EXISTS (SELECT 1 FROM dim_document d WHERE d.doc = s.doc)
		ORDER BY s.seq`},
	{"periods", `INSERT INTO dim_period (start_date, end_date, granularity)
		SELECT DISTINCT s.start_date, s.end_date, s.granularity FROM stg_fact s
		WHERE NOT EXISTS (SELECT 1 FROM dim_period p WHERE p.start_date = s.start_date
		                  AND p.end_date = s.end_date AND p.granularity = s.granularity)
		ORDER BY 1, 2, 3`},
	// A reloaded document replaces all its facts and candidates.
	{"delete_facts", `DELETE FROM fact_indicator WHERE doc_key IN (
		SELECT d.doc_key FROM dim_document d JOIN stg_doc s ON s.doc = d.doc WHERE s.status = 'loaded')`},
	{"delete_candidates", `DELETE FROM fact_candidate WHERE doc_key IN (
		SELECT d.doc_key FROM dim_document d JOIN stg_doc s ON s.doc = d.doc WHERE s.status = 'loaded')`},
	// Facts keep the grain: the best-scored reading per document × province
	// × indicator × period wins, the others become candidates.
	{"rank", `CREATE OR REPLACE TEMP TABLE stg_ranked AS
		SELECT d.doc_key, s.*, p.period_key, coalesce(nullif(s.unit, ''), i.unit) AS fact_unit,
		       CASE WHEN s.is_candidate THEN 2 ELSE row_number() OVER (
		           PARTITION BY d.doc_key, s.province_code, s.indicator_code, p.period_key, s.is_candidate
		           ORDER BY s.score DESC, s.ord) END AS rn
		FROM stg_fact s
		JOIN dim_document d ON d.doc = s.doc
		JOIN dim_period p ON p.start_date = s.start_date AND p.end_date = s.end_date AND p.granularity = s.granularity
		LEFT JOIN dim_indicator i ON i.code = s.indicator_code`},
	{"facts", `INSERT INTO fact_indicator
		SELECT $1, doc_key, province_code, indicator_code, period_key, value, denominator, qualifier,
		       fact_unit, evidence, span_start, span_end, score
		FROM stg_ranked WHERE rn = 1`},
	{"candidates", `INSERT INTO fact_candidate
		SELECT $1, doc_key, province_code, indicator_code, period_key, value, denominator, qualifier,
		       fact_unit, evidence, span_start, span_end, score
		FROM stg_ranked WHERE rn > 1`},
	{"rejects", `INSERT INTO reject SELECT $1, doc, uri, stage, reason, detail, snippet FROM stg_reject`},
	{"clear_doc", `DELETE FROM stg_doc`},
	{"clear_fact", `DELETE FROM stg_fact`},
	{"clear_reject", `DELETE FROM stg_reject`},
	{"clear_ranked", `DROP TABLE stg_ranked`},
}

// Load writes one run. The run row is committed first as "running"; all
// the rest happens in one transaction that either commits with status
// "success" or rolls back, leaving the previous state and a "failed" run.
// On failure the rest of the channel is drained so producers never block.
//
// The returned RunStats.StageSeconds holds only etl.StageLoad; the caller
// adds the other stages it timed.
func (w *Warehouse) Load(ctx context.Context, outcomes <-chan etl.Outcome) (etl.RunStats, error) {
	start := time.Now()
	st := etl.RunStats{
		Started:         start.UTC(),
		Status:          etl.RunFailed,
		RejectsByReason: map[string]int{},
		StageSeconds:    map[string]float64{},
	}
	fail := func(err error) (etl.RunStats, error) {
		go func() {
			for range outcomes {
			}
		}()
		st.Err = err
		st.Finished = time.Now().UTC()
		st.StageSeconds[etl.StageLoad] = time.Since(start).Seconds()
		return st, err
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fail(fmt.Errorf("warehouse: load: %w", err))
	}
	defer conn.Close()

	if err := conn.QueryRowContext(ctx, `INSERT INTO load_run (run_id, started_at, status, extractor_version, pid)
		VALUES (nextval('seq_run_id'), $1, 'running', $2, $3) RETURNING run_id`,
		st.Started, w.opts.ExtractorVersion, os.Getpid()).Scan(&st.RunID); err != nil {
		return fail(fmt.Errorf("warehouse: load: start run: %w", err))
	}
	for _, ddl := range stagingDDL {
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return fail(w.abort(conn, &st, false, fmt.Errorf("warehouse: load: staging: %w", err)))
		}
	}
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return fail(w.abort(conn, &st, false, fmt.Errorf("warehouse: load: begin: %w", err)))
	}
	if err := w.loadInTx(ctx, conn, outcomes, &st); err != nil {
		return fail(w.abort(conn, &st, true, err))
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		return fail(w.abort(conn, &st, true, fmt.Errorf("warehouse: load: commit: %w", err)))
	}
	st.Status = etl.RunSuccess
	st.Finished = time.Now().UTC()
	st.StageSeconds[etl.StageLoad] = time.Since(start).Seconds()
	// The data is committed; a failed checkpoint only delays WAL folding.
	if _, err := conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
		slog.Warn("warehouse: checkpoint after load", "run", st.RunID, "err", err)
	}
	return st, nil
}

// abort rolls back the run's transaction and records the run as failed.
// It ignores ctx cancellation: the bookkeeping must happen.
func (w *Warehouse) abort(conn *sql.Conn, st *etl.RunStats, inTx bool, cause error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if inTx {
		if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			slog.Error("warehouse: rollback", "run", st.RunID, "err", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `UPDATE load_run SET status = 'failed', finished_at = $1, error = $2 WHERE run_id = $3`,
		time.Now().UTC(), cause.Error(), st.RunID); err != nil {
		slog.Error("warehouse: mark run failed", "run", st.RunID, "err", err)
	}
	return cause
}

func (w *Warehouse) loadInTx(ctx context.Context, conn *sql.Conn, outcomes <-chan etl.Outcome, st *etl.RunStats) error {
	var seq, ord int64
	for done := false; !done; {
		var docs, rows int
		err := conn.Raw(func(dc any) error {
			b, err := newBatch(dc.(driver.Conn))
			if err != nil {
				return err
			}
			defer b.close()
			for docs < batchDocs && rows < batchRows {
				var o etl.Outcome
				var ok bool
				select {
				case <-ctx.Done():
					return ctx.Err()
				case o, ok = <-outcomes:
				}
				if !ok {
					done = true
					break
				}
				seq++
				n, err := b.add(o, seq, &ord, st)
				if err != nil {
					return err
				}
				docs++
				rows += n
			}
			return b.flush()
		})
		if err != nil {
			return fmt.Errorf("warehouse: load: %w", err)
		}
		if docs == 0 {
			continue
		}
		if err := w.merge(ctx, conn, st); err != nil {
			return err
		}
	}
	fails, err := runChecks(ctx, conn, st.RunID)
	if err != nil {
		return err
	}
	st.DataCheckFailures = fails
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM fact_indicator`).Scan(&st.TotalFacts); err != nil {
		return fmt.Errorf("warehouse: load: count facts: %w", err)
	}
	_, err = conn.ExecContext(ctx, `UPDATE load_run SET status = 'success', finished_at = $1, docs_seen = $2,
		docs_loaded = $3, docs_unchanged = $4, docs_rejected = $5, facts = $6, data_check_failures = $7
		WHERE run_id = $8`, time.Now().UTC(), st.DocsSeen, st.DocsLoaded, st.DocsUnchanged, st.DocsRejected,
		st.Facts, st.DataCheckFailures, st.RunID)
	if err != nil {
		return fmt.Errorf("warehouse: load: finish run: %w", err)
	}
	return nil
}

func (w *Warehouse) merge(ctx context.Context, conn *sql.Conn, st *etl.RunStats) error {
	for _, m := range mergeSQL {
		var args []any
		if strings.Contains(m.sql, "$2") {
			args = []any{st.RunID, w.opts.ExtractorVersion}
		} else if strings.Contains(m.sql, "$1") {
			args = []any{st.RunID}
		}
		res, err := conn.ExecContext(ctx, m.sql, args...)
		if err != nil {
			return fmt.Errorf("warehouse: load: merge %s: %w", m.name, err)
		}
		switch m.name {
		case "facts", "candidates":
			n, _ := res.RowsAffected()
			if m.name == "facts" {
				st.Facts += int(n)
			} else {
				st.Candidates += int(n)
			}
		}
	}
	return nil
}

// batch appends one batch of outcomes into the staging tables.
type batch struct {
	doc, fact, rej *duckdb.Appender
}

func newBatch(c driver.Conn) (*batch, error) {
	var b batch
	var err error
	if b.doc, err = duckdb.NewAppender(c, "temp", "main", "stg_doc"); err != nil {
		return nil, err
	}
	if b.fact, err = duckdb.NewAppender(c, "temp", "main", "stg_fact"); err != nil {
		b.doc.Close()
		return nil, err
	}
	if b.rej, err = duckdb.NewAppender(c, "temp", "main", "stg_reject"); err != nil {
		b.doc.Close()
		b.fact.Close()
		return nil, err
	}
	return &b, nil
}

func (b *batch) flush() error {
	return errors.Join(b.doc.Flush(), b.fact.Flush(), b.rej.Flush())
}

func (b *batch) close() { b.doc.Close(); b.fact.Close(); b.rej.Close() }

// add stages one outcome and returns the number of fact and reject rows.
func (b *batch) add(o etl.Outcome, seq int64, ord *int64, st *etl.RunStats) (int, error) {
	if o.Doc == nil || o.Doc.ID == "" {
		return 0, errors.New("invalid outcome: no document id")
	}
	d := o.Doc
	st.DocsSeen++
	for _, r := range o.Rejects {
		st.RejectsByReason[r.Reason]++
		doc, uri := r.Doc, r.URI
		if doc == "" {
			doc = d.ID
		}
		if uri == "" {
			uri = d.URI
		}
		if err := b.rej.AppendRow(doc, uri, r.Stage, r.Reason, nullStr(r.Detail), nullStr(r.Snippet)); err != nil {
			return 0, err
		}
	}
	switch o.Status {
	case etl.StatusUnchanged:
		st.DocsUnchanged++
	case etl.StatusRejected:
		st.DocsRejected++
	case etl.StatusLoaded:
		st.DocsLoaded++
	default:
		return 0, fmt.Errorf("invalid outcome %s: status %q", d.ID, o.Status)
	}
	var title, format, encoding, text any
	var published any
	if t := o.Text; t != nil {
		title, format, encoding, text = nullStr(t.Title), nullStr(t.Format), nullStr(t.Encoding), t.Body
		if !t.Published.IsZero() {
			published = t.Published
		}
	}
	var bytes any
	if d.Raw != nil {
		bytes = int64(len(d.Raw))
	}
	if err := b.doc.AppendRow(seq, d.ID, string(o.Status), nullStr(d.URI), nullStr(d.SHA256), title, published,
		bytes, format, encoding, nullStr(d.ETag), nullStr(d.LastModified), text); err != nil {
		return 0, err
	}
	n := len(o.Rejects)
	if o.Status != etl.StatusLoaded || o.Extraction == nil {
		return n, nil
	}
	for i, set := range [][]etl.Fact{o.Extraction.Facts, o.Extraction.Candidates} {
		for _, f := range set {
			if err := validFact(f); err != nil {
				return 0, fmt.Errorf("invalid fact in %s: %w", d.ID, err)
			}
			*ord++
			var den any
			if f.Denominator != 0 {
				den = f.Denominator
			}
			if err := b.fact.AppendRow(seq, *ord, d.ID, i == 1, f.ProvinceCode, f.Indicator,
				f.Period.Start, f.Period.End, string(f.Period.Grain), f.Value, den, nullStr(string(f.Qualifier)),
				f.Unit, f.Evidence, int64(f.SpanStart), int64(f.SpanEnd), f.Score); err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, nil
}

// validFact refuses facts the schema cannot hold meaningfully; such a fact
// is a pipeline bug, so the whole run fails rather than load it.
func validFact(f etl.Fact) error {
	switch {
	case etl.Ref().Indicator(f.Indicator) == nil:
		return fmt.Errorf("unknown indicator %q", f.Indicator)
	case f.ProvinceCode == "":
		return fmt.Errorf("%s: no province code", f.Indicator)
	case f.Period.IsZero() || f.Period.End.IsZero() || f.Period.Grain == "":
		return fmt.Errorf("%s: no period", f.Indicator)
	case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
		return fmt.Errorf("%s: value %v", f.Indicator, f.Value)
	}
	return nil
}
