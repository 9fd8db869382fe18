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
	"runtime"
	"time"
	"unicode/utf8"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/chiso-vn/chiso/etl"
)

// The load path, in short: facts, candidates, rejects and new documents
// are appended by the Appender straight into their final tables, inside the
// run's one transaction. Everything a row needs (doc_key, period_key, the
// grain's winner) is resolved in Go beforehand, so no statement ranks, joins
// or re-reads the facts. A changed document is replaced: its key is staged,
// its old facts, candidates and row are deleted by one statement each per
// batch, and it is appended again under the same key, keeping the run that
// first saw it. (An UPDATE of the text column would hold old and new texts
// in memory until COMMIT; a re-extraction of every document after an
// extractor upgrade ran out of DuckDB's memory limit that way.) Unchanged
// documents cost one staged key each and a single UPDATE at the end of the
// run.
var stagingDDL = []string{
	`CREATE OR REPLACE TEMP TABLE stg_changed (doc_key INTEGER)`,
	`CREATE OR REPLACE TEMP TABLE stg_seen (doc_key INTEGER)`,
}

// batchDocs bounds the outcomes held in memory between two merges, so
// memory stays independent of the corpus size.
const batchDocs = 2000

// Per-batch statements for changed documents, in this order.
var sqlReplace = []string{
	`DELETE FROM fact_indicator WHERE doc_key IN (SELECT doc_key FROM stg_changed)`,
	`DELETE FROM fact_candidate WHERE doc_key IN (SELECT doc_key FROM stg_changed)`,
	`DELETE FROM dim_document WHERE doc_key IN (SELECT doc_key FROM stg_changed)`,
	`DELETE FROM stg_changed`,
}

const (
	sqlFirstSeen = `SELECT doc_key, first_seen_run FROM dim_document WHERE doc_key IN (SELECT doc_key FROM stg_changed)`
	sqlSeen      = `UPDATE dim_document SET last_seen_run = $1 WHERE doc_key IN (SELECT doc_key FROM stg_seen)`
)

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
	for _, ddl := range []string{`DROP TABLE IF EXISTS stg_changed`, `DROP TABLE IF EXISTS stg_seen`} {
		conn.ExecContext(ctx, ddl) // the pooled connection should not keep staging memory
	}
	// The data is committed; a failed checkpoint only delays WAL folding.
	// A run that changed no document leaves little WAL: skip the checkpoint.
	if st.DocsLoaded > 0 {
		if _, err := conn.ExecContext(ctx, `CHECKPOINT`); err != nil {
			slog.Warn("warehouse: checkpoint after load", "run", st.RunID, "err", err)
		}
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

// periodID is the natural key of dim_period.
type periodID struct {
	start, end time.Time
	grain      etl.Grain
}

// loader is the state of one run inside its transaction.
type loader struct {
	w    *Warehouse
	conn *sql.Conn
	st   *etl.RunStats
	// keys maps every document in dim_document (and those inserted by this
	// run) to its doc_key; periods does the same for dim_period.
	keys    map[string]int64
	periods map[periodID]int64
	seen    []int64 // unchanged or rejected documents already in dim_document
	// phases times the loader's own steps, logged at debug level.
	phases map[string]time.Duration
}

// timed runs f and adds its duration to phase.
func (l *loader) timed(phase string, f func() error) error {
	t0 := time.Now()
	err := f()
	l.phases[phase] += time.Since(t0)
	return err
}

func (w *Warehouse) loadInTx(ctx context.Context, conn *sql.Conn, outcomes <-chan etl.Outcome, st *etl.RunStats) error {
	l := &loader{w: w, conn: conn, st: st, keys: map[string]int64{}, periods: map[periodID]int64{}, phases: map[string]time.Duration{}}
	defer func() {
		args := []any{"run", st.RunID}
		for k, v := range l.phases {
			args = append(args, k, v.Round(time.Millisecond))
		}
		slog.Debug("warehouse: load phases", args...)
	}()
	if err := l.readKeys(ctx); err != nil {
		return err
	}
	buf := make([]etl.Outcome, 0, batchDocs)
	for done := false; !done; {
		buf = buf[:0]
		for len(buf) < batchDocs {
			var o etl.Outcome
			var ok bool
			t0 := time.Now()
			select {
			case <-ctx.Done():
				return fmt.Errorf("warehouse: load: %w", ctx.Err())
			case o, ok = <-outcomes:
			}
			l.phases["wait"] += time.Since(t0)
			if !ok {
				done = true
				break
			}
			buf = append(buf, o)
		}
		if len(buf) == 0 {
			continue
		}
		if err := l.batch(ctx, buf); err != nil {
			return err
		}
		clear(buf) // drop references to texts before waiting for the next batch
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("warehouse: load: %w", err)
	}
	if err := l.markSeen(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	defer func() { l.phases["checks+finish"] += time.Since(t0) }()
	if st.DocsLoaded > 0 {
		fails, err := runChecks(ctx, conn, st.RunID)
		if err != nil {
			return err
		}
		st.DataCheckFailures = fails
	} else {
		// No document changed, so neither did any check's result: carry the
		// last results over instead of scanning the fact table again.
		fails, err := carryChecks(ctx, conn, st.RunID)
		if err != nil {
			return err
		}
		st.DataCheckFailures = fails
	}
	if slog.Default().Enabled(ctx, slog.LevelDebug) {
		logMemory(ctx, conn, st.RunID)
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM fact_indicator`).Scan(&st.TotalFacts); err != nil {
		return fmt.Errorf("warehouse: load: count facts: %w", err)
	}
	_, err := conn.ExecContext(ctx, `UPDATE load_run SET status = 'success', finished_at = $1, docs_seen = $2,
		docs_loaded = $3, docs_unchanged = $4, docs_rejected = $5, facts = $6, data_check_failures = $7
		WHERE run_id = $8`, time.Now().UTC(), st.DocsSeen, st.DocsLoaded, st.DocsUnchanged, st.DocsRejected,
		st.Facts, st.DataCheckFailures, st.RunID)
	if err != nil {
		return fmt.Errorf("warehouse: load: finish run: %w", err)
	}
	return nil
}

// readKeys snapshots the document and period keys inside the transaction.
func (l *loader) readKeys(ctx context.Context) error {
	rows, err := l.conn.QueryContext(ctx, `SELECT doc, doc_key FROM dim_document`)
	if err != nil {
		return fmt.Errorf("warehouse: load: read documents: %w", err)
	}
	for rows.Next() {
		var doc string
		var k int64
		if err := rows.Scan(&doc, &k); err != nil {
			rows.Close()
			return err
		}
		l.keys[doc] = k
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = l.conn.QueryContext(ctx, `SELECT period_key, start_date, end_date, granularity FROM dim_period`)
	if err != nil {
		return fmt.Errorf("warehouse: load: read periods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		var p periodID
		var g string
		if err := rows.Scan(&k, &p.start, &p.end, &g); err != nil {
			return err
		}
		p.grain = etl.Grain(g)
		l.periods[periodOf(p.start, p.end, p.grain)] = k
	}
	return rows.Err()
}

func periodOf(s, e time.Time, g etl.Grain) periodID {
	return periodID{s.UTC().Truncate(24 * time.Hour), e.UTC().Truncate(24 * time.Hour), g}
}

// docRow is one loaded document of a batch with its resolved key.
type docRow struct {
	o         *etl.Outcome
	key       int64
	existed   bool
	firstSeen int64      // run that first saw a changed document; 0 for a new one
	facts     []etl.Fact // winners of the grain
	cands     []etl.Fact
}

// batch writes one batch of outcomes.
func (l *loader) batch(ctx context.Context, outs []etl.Outcome) error {
	st := l.st
	// Validate and count; within a batch the later outcome of a document wins.
	last := make(map[string]int, len(outs))
	for i := range outs {
		o := &outs[i]
		if o.Doc == nil || o.Doc.ID == "" {
			return errors.New("warehouse: load: invalid outcome: no document id")
		}
		st.DocsSeen++
		for _, r := range o.Rejects {
			st.RejectsByReason[r.Reason]++
		}
		switch o.Status {
		case etl.StatusUnchanged:
			st.DocsUnchanged++
		case etl.StatusRejected:
			st.DocsRejected++
		case etl.StatusLoaded:
			st.DocsLoaded++
		default:
			return fmt.Errorf("warehouse: load: invalid outcome %s: status %q", o.Doc.ID, o.Status)
		}
		last[o.Doc.ID] = i
	}
	var docs []docRow
	var newDocs int
	var newPeriods []periodID
	for i := range outs {
		o := &outs[i]
		if last[o.Doc.ID] != i {
			continue
		}
		key, existed := l.keys[o.Doc.ID]
		if o.Status != etl.StatusLoaded {
			if existed {
				l.seen = append(l.seen, key)
			}
			continue
		}
		d := docRow{o: o, key: key, existed: existed}
		if !existed {
			newDocs++
		}
		if o.Extraction != nil {
			for _, set := range [][]etl.Fact{o.Extraction.Facts, o.Extraction.Candidates} {
				for _, f := range set {
					if err := validFact(f); err != nil {
						return fmt.Errorf("warehouse: load: invalid fact in %s: %w", o.Doc.ID, err)
					}
					p := periodOf(f.Period.Start, f.Period.End, f.Period.Grain)
					if _, ok := l.periods[p]; !ok {
						l.periods[p] = 0
						newPeriods = append(newPeriods, p)
					}
				}
			}
			d.facts, d.cands = keepGrain(o.Extraction.Facts, o.Extraction.Candidates)
		}
		docs = append(docs, d)
	}
	if err := l.timed("periods", func() error { return l.addPeriods(ctx, newPeriods) }); err != nil {
		return err
	}
	if newDocs > 0 {
		var keys []int64
		err := l.timed("keys", func() (err error) { keys, err = l.reserveKeys(ctx, newDocs); return })
		if err != nil {
			return err
		}
		for i := range docs {
			if !docs[i].existed {
				docs[i].key, keys = keys[0], keys[1:]
				l.keys[docs[i].o.Doc.ID] = docs[i].key
			}
		}
	}
	if changed := len(docs) - newDocs; changed > 0 {
		if err := l.timed("replace_docs", func() error { return l.removeChanged(ctx, docs) }); err != nil {
			return fmt.Errorf("warehouse: load: replace documents: %w", err)
		}
	}
	if len(docs) > 0 {
		if err := l.timed("append_docs", func() error { return l.raw(func(c driver.Conn) error { return l.appendDocs(c, docs) }) }); err != nil {
			return fmt.Errorf("warehouse: load: append documents: %w", err)
		}
	}
	return l.timed("append_rows", func() error { return l.raw(func(c driver.Conn) error { return l.appendRows(c, outs, docs) }) })
}

func (l *loader) raw(f func(driver.Conn) error) error {
	return l.conn.Raw(func(dc any) error { return f(dc.(driver.Conn)) })
}

// keepGrain keeps one fact per province × indicator × period, the
// best-scored (the first on ties); the others become candidates. Reports
// yield a few dozen facts each, so a quadratic scan of plain comparisons
// beats hashing (this ran for every document of a load).
func keepGrain(facts, cands []etl.Fact) ([]etl.Fact, []etl.Fact) {
	if len(facts) < 2 {
		return facts, cands
	}
	same := func(a, b *etl.Fact) bool {
		return a.Indicator == b.Indicator && a.ProvinceCode == b.ProvinceCode && a.Period.Grain == b.Period.Grain &&
			periodOf(a.Period.Start, a.Period.End, a.Period.Grain) == periodOf(b.Period.Start, b.Period.End, b.Period.Grain)
	}
	// best[i] is the index of the fact that wins i's grain.
	var best []int
	for i := 1; i < len(facts); i++ {
		for j := 0; j < i; j++ {
			if !same(&facts[i], &facts[j]) {
				continue
			}
			if best == nil {
				best = make([]int, len(facts))
				for k := range best {
					best[k] = k
				}
			}
			old := best[j]
			w := old
			if facts[i].Score > facts[w].Score {
				w = i
			}
			for k := 0; k <= i; k++ {
				if best[k] == old || k == i {
					best[k] = w
				}
			}
			break
		}
	}
	if best == nil {
		return facts, cands
	}
	var keep []etl.Fact
	out := append([]etl.Fact(nil), cands...)
	for i, f := range facts {
		if best[i] == i {
			keep = append(keep, f)
		} else {
			out = append(out, f)
		}
	}
	return keep, out
}

// addPeriods inserts periods not yet in dim_period and learns their keys.
func (l *loader) addPeriods(ctx context.Context, ps []periodID) error {
	if len(ps) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(ps))
	for _, p := range ps {
		args = append(args, p.start, p.end, string(p.grain))
	}
	rows, err := l.conn.QueryContext(ctx, `INSERT INTO dim_period (start_date, end_date, granularity)
		SELECT s, e, g FROM (VALUES `+tuples(len(ps), "(?::DATE, ?::DATE, ?)")+`) v(s, e, g)
		RETURNING period_key, start_date, end_date, granularity`, args...)
	if err != nil {
		return fmt.Errorf("warehouse: load: periods: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		var s, e time.Time
		var g string
		if err := rows.Scan(&k, &s, &e, &g); err != nil {
			return err
		}
		l.periods[periodOf(s, e, etl.Grain(g))] = k
	}
	return rows.Err()
}

// reserveKeys draws n document keys from the sequence.
func (l *loader) reserveKeys(ctx context.Context, n int) ([]int64, error) {
	rows, err := l.conn.QueryContext(ctx, `SELECT nextval('seq_doc_key') FROM range($1::BIGINT)`, n)
	if err != nil {
		return nil, fmt.Errorf("warehouse: load: document keys: %w", err)
	}
	defer rows.Close()
	keys := make([]int64, 0, n)
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(keys) != n {
		return nil, fmt.Errorf("warehouse: load: got %d document keys, want %d", len(keys), n)
	}
	return keys, nil
}

// markSeen records the unchanged and rejected documents as seen by the run.
func (l *loader) markSeen(ctx context.Context) error {
	if len(l.seen) == 0 {
		return nil
	}
	err := l.raw(func(c driver.Conn) error {
		a, err := duckdb.NewAppender(c, "temp", "main", "stg_seen")
		if err != nil {
			return err
		}
		for _, k := range l.seen {
			if err := a.AppendRow(k); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err == nil {
		_, err = l.conn.ExecContext(ctx, sqlSeen, l.st.RunID)
	}
	if err != nil {
		return fmt.Errorf("warehouse: load: mark seen: %w", err)
	}
	l.seen = nil
	return nil
}

// docColumns are a document's values in dim_document's column order after
// doc_key and doc, up to last_modified, and its text.
func docColumns(d docRow) (cols []driver.Value, text any) {
	doc := d.o.Doc
	var title, format, encoding, published any
	if t := d.o.Text; t != nil {
		title, format, encoding, text = nullStr(t.Title), nullStr(t.Format), nullStr(t.Encoding), t.Body
		if !t.Published.IsZero() {
			published = t.Published
		}
	}
	var bytes any
	if doc.Raw != nil {
		bytes = int64(len(doc.Raw))
	}
	return []driver.Value{nullStr(doc.URI), nullStr(doc.SHA256), title, published, bytes, format, encoding,
		nullStr(doc.ETag), nullStr(doc.LastModified)}, text
}

// removeChanged deletes the batch's changed documents with their facts and
// candidates, remembering the run that first saw each for appendDocs.
func (l *loader) removeChanged(ctx context.Context, docs []docRow) error {
	err := l.raw(func(c driver.Conn) error {
		a, err := duckdb.NewAppender(c, "temp", "main", "stg_changed")
		if err != nil {
			return err
		}
		for _, d := range docs {
			if d.existed {
				if err := a.AppendRow(d.key); err != nil {
					a.Close()
					return err
				}
			}
		}
		return a.Close()
	})
	if err != nil {
		return err
	}
	rows, err := l.conn.QueryContext(ctx, sqlFirstSeen)
	if err != nil {
		return err
	}
	first := map[int64]int64{}
	for rows.Next() {
		var k int64
		var r sql.NullInt64
		if err := rows.Scan(&k, &r); err != nil {
			rows.Close()
			return err
		}
		if r.Valid {
			first[k] = r.Int64
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range docs {
		if r, ok := first[docs[i].key]; ok && docs[i].existed {
			docs[i].firstSeen = r
		}
	}
	for _, q := range sqlReplace {
		if _, err := l.conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// appendDocs appends the batch's documents to dim_document: new ones, and
// changed ones that removeChanged deleted, under their old key.
func (l *loader) appendDocs(c driver.Conn, docs []docRow) error {
	a, err := duckdb.NewAppender(c, "", "", "dim_document")
	if err != nil {
		return err
	}
	run := l.st.RunID
	for _, d := range docs {
		first := run
		if d.existed && d.firstSeen != 0 {
			first = d.firstSeen
		}
		cols, text := docColumns(d)
		var chars any
		if t, ok := text.(string); ok {
			chars = int32(utf8.RuneCountInString(t))
		}
		row := append(append([]driver.Value{d.key, d.o.Doc.ID}, cols...),
			l.w.opts.ExtractorVersion, first, run, run, text, chars)
		if err := a.AppendRow(row...); err != nil {
			a.Close()
			return err
		}
	}
	return a.Close()
}

// appendRows appends the batch's facts, candidates and rejects to their
// tables.
func (l *loader) appendRows(c driver.Conn, outs []etl.Outcome, docs []docRow) error {
	runID := l.st.RunID
	var apps []*duckdb.Appender
	closeAll := func() error {
		var errs []error
		for _, a := range apps {
			errs = append(errs, a.Close())
		}
		apps = nil
		return errors.Join(errs...)
	}
	open := func(table string) (*duckdb.Appender, error) {
		a, err := duckdb.NewAppender(c, "", "", table)
		if err == nil {
			apps = append(apps, a)
		}
		return a, err
	}
	fail := func(err error) error {
		closeAll()
		return fmt.Errorf("warehouse: load: append: %w", err)
	}
	facts, err := open("fact_indicator")
	if err != nil {
		return fail(err)
	}
	cands, err := open("fact_candidate")
	if err != nil {
		return fail(err)
	}
	rejs, err := open("reject")
	if err != nil {
		return fail(err)
	}
	for _, d := range docs {
		for i, set := range [][]etl.Fact{d.facts, d.cands} {
			a := facts
			if i == 1 {
				a = cands
			}
			for _, f := range set {
				unit := f.Unit
				if unit == "" {
					unit = etl.Ref().Indicator(f.Indicator).Unit
				}
				var den any
				if f.Denominator != 0 {
					den = f.Denominator
				}
				pk := l.periods[periodOf(f.Period.Start, f.Period.End, f.Period.Grain)]
				if err := a.AppendRow(runID, d.key, f.ProvinceCode, f.Indicator, pk, f.Value, den,
					nullStr(string(f.Qualifier)), unit, f.Evidence, int64(f.SpanStart), int64(f.SpanEnd), f.Score); err != nil {
					return fail(err)
				}
				if i == 0 {
					l.st.Facts++
				} else {
					l.st.Candidates++
				}
			}
		}
	}
	for i := range outs {
		o := &outs[i]
		for _, r := range o.Rejects {
			doc, uri := r.Doc, r.URI
			if doc == "" {
				doc = o.Doc.ID
			}
			if uri == "" {
				uri = o.Doc.URI
			}
			if err := rejs.AppendRow(runID, doc, uri, r.Stage, r.Reason, nullStr(r.Detail), nullStr(r.Snippet)); err != nil {
				return fail(err)
			}
		}
	}
	if err := closeAll(); err != nil {
		return fmt.Errorf("warehouse: load: append: %w", err)
	}
	return nil
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

// logMemory logs DuckDB's memory by tag before the commit, at debug level:
// what a large transaction holds.
func logMemory(ctx context.Context, conn *sql.Conn, runID int64) {
	rows, err := conn.QueryContext(ctx, `SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory()
		WHERE memory_usage_bytes + temporary_storage_bytes > 0 ORDER BY memory_usage_bytes DESC`)
	if err != nil {
		return
	}
	defer rows.Close()
	args := []any{"run", runID}
	for rows.Next() {
		var tag string
		var mem, tmp int64
		if rows.Scan(&tag, &mem, &tmp) == nil {
			args = append(args, tag, fmt.Sprintf("%dMB(+%dMB spilled)", mem>>20, tmp>>20))
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	args = append(args, "go_sys_mb", ms.Sys>>20, "go_heap_inuse_mb", ms.HeapInuse>>20, "go_heap_released_mb", ms.HeapReleased>>20)
	slog.Debug("warehouse: duckdb memory before commit", args...)
}
