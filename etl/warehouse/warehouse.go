// Package warehouse is the only part of chiso that speaks SQL. It keeps the
// DuckDB star schema of sql/schema, loads pipeline outcomes into it in one
// transaction per run, and publishes a read-only copy for analysts.
package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/chiso-vn/chiso/etl"
	sqlfiles "github.com/chiso-vn/chiso/sql"
)

// Options configures Open.
type Options struct {
	Path             string // the working database file
	MemoryLimit      string // default "128MB"
	Threads          int    // default runtime.NumCPU()
	ExtractorVersion string // recorded with each run and loaded document
}

// Warehouse is an open working database. It is safe for concurrent reads;
// Load and Publish must not run concurrently with each other.
type Warehouse struct {
	db   *sql.DB
	opts Options
}

// catalog is the name the working file is attached under; queries use it
// as their default catalog.
const catalog = "chiso"

// rowGroupSize is smaller than DuckDB's default (122,880 rows) so that a
// long run's rows reach the file in row groups of this size while its
// transaction is still open (DuckDB's optimistic writes). With the default,
// a run of 100,000 documents held all their texts in memory until COMMIT;
// with this size the run's memory stays flat whatever the corpus size.
const rowGroupSize = 16384

// Open opens (creating if needed) the working database, migrates it, seeds
// the reference dimensions and marks runs a dead process left "running" as
// abandoned.
func Open(ctx context.Context, o Options) (*Warehouse, error) {
	if o.Path == "" {
		return nil, errors.New("warehouse: Options.Path is empty")
	}
	if o.MemoryLimit == "" {
		o.MemoryLimit = "128MB"
	}
	if o.Threads <= 0 {
		o.Threads = runtime.NumCPU()
	}
	q := url.Values{}
	q.Set("memory_limit", o.MemoryLimit)
	q.Set("threads", strconv.Itoa(o.Threads))
	q.Set("autoinstall_known_extensions", "false")
	q.Set("autoload_known_extensions", "false")
	// Give freed memory back to the system promptly: without these a
	// 100,000-document load held ~130 MB more at its end than at 10,000.
	q.Set("allocator_background_threads", "true")
	q.Set("allocator_flush_threshold", "16MB")
	// Spill next to the file, as DuckDB does for a file it opens itself;
	// for the in-memory database below it would use ./.tmp in the working
	// directory, which a hardened service may not be allowed to write.
	q.Set("temp_directory", o.Path+".tmp")
	// The file is attached to an in-memory database rather than opened
	// directly because only ATTACH takes ROW_GROUP_SIZE (see rowGroupSize).
	// Every pooled connection makes it its default catalog.
	attach := `ATTACH IF NOT EXISTS ` + sqlString(o.Path) + ` AS ` + catalog +
		` (ROW_GROUP_SIZE ` + strconv.Itoa(rowGroupSize) + `)`
	connector, err := duckdb.NewConnector("?"+q.Encode(), func(ex driver.ExecerContext) error {
		for _, s := range []string{attach, `USE ` + catalog} {
			if _, err := ex.ExecContext(context.Background(), s, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("warehouse: open %s: %w", o.Path, err)
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		// Another process holds the file: say which one (lock.go), fail fast.
		if le := asLockError(o.Path, err); le != nil {
			return nil, le
		}
		return nil, fmt.Errorf("warehouse: open %s: %w", o.Path, err)
	}
	// One file, one *sql.DB; a few connections let readers (exporter) run
	// beside a load.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(0)
	w := &Warehouse{db: db, opts: o}
	if err := w.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

// Close closes the database; DuckDB checkpoints on close.
func (w *Warehouse) Close() error { return w.db.Close() }

// DB exposes the handle for tests and tools in this package's tree.
func (w *Warehouse) DB() *sql.DB { return w.db }

func (w *Warehouse) init(ctx context.Context) error {
	if err := migrate(ctx, w.db); err != nil {
		return err
	}
	if err := applyViews(ctx, w.db); err != nil {
		return err
	}
	if err := seed(ctx, w.db, etl.Ref()); err != nil {
		return err
	}
	_, err := w.db.ExecContext(ctx, `UPDATE load_run SET status = 'abandoned', finished_at = coalesce(finished_at, now()::TIMESTAMP),
		error = coalesce(error, 'process ended before the run finished') WHERE status = 'running'`)
	if err != nil {
		return fmt.Errorf("warehouse: mark abandoned runs: %w", err)
	}
	return nil
}

// sqlFile is one embedded SQL file.
type sqlFile struct{ name, body string }

func readDir(dir string) ([]sqlFile, error) {
	names, err := fs.Glob(sqlfiles.FS, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]sqlFile, 0, len(names))
	for _, n := range names {
		b, err := sqlfiles.FS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, sqlFile{name: path.Base(n), body: string(b)})
	}
	return out, nil
}

// migrate applies the sql/schema files not yet in schema_version, each in
// its own transaction with its version row: an existing database is
// migrated forward, never dropped.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("warehouse: schema_version: %w", err)
	}
	files, err := readDir("schema")
	if err != nil {
		return err
	}
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_version`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	for _, f := range files {
		num, _, ok := strings.Cut(f.name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("warehouse: migration %s: name must start with NNNN_", f.name)
		}
		if applied[v] {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, f.body); err != nil {
			tx.Rollback()
			return fmt.Errorf("warehouse: migration %s: %w", f.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version VALUES (?, ?, now()::TIMESTAMP)`, v, f.name); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("warehouse: migration %s: %w", f.name, err)
		}
	}
	return nil
}

// applyViews re-creates the views: they are code, not state, so the
// current binary's definitions always win.
func applyViews(ctx context.Context, db *sql.DB) error {
	files, err := readDir("views")
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, err := tx.ExecContext(ctx, f.body); err != nil {
			tx.Rollback()
			return fmt.Errorf("warehouse: view %s: %w", f.name, err)
		}
	}
	return tx.Commit()
}

// eraStart63 is when the 63-province map began: Hà Tây joined Hà Nội.
var eraStart63 = time.Date(2008, 8, 1, 0, 0, 0, 0, time.UTC)

// seed upserts the reference dimensions from the embedded catalog, one
// multi-row statement per table (row-by-row upserts took seconds).
func seed(ctx context.Context, db *sql.DB, ref *etl.Reference) error {
	successor := map[string]string{}
	for _, m := range ref.Merges {
		successor[m.OldCode] = m.NewCode
	}
	region := map[string]string{}
	var prov []any
	for _, p := range ref.Provinces63 {
		region[p.Code] = p.Region
		from := p.ValidFrom
		if from.IsZero() {
			from = eraStart63
		}
		prov = append(prov, p.Code, p.Name, p.NameASCII, p.Type, nullStr(p.Region), 63,
			from, nullTime(p.ValidTo), nullStr(successor[p.Code]))
	}
	for _, p := range ref.Provinces34 {
		r := p.Region
		if r == "" {
			r = region[p.Code]
		}
		from := p.ValidFrom
		if from.IsZero() {
			from = etl.Merger
		}
		prov = append(prov, p.Code, p.Name, p.NameASCII, p.Type, nullStr(r), 34, from, nullTime(p.ValidTo), nil)
	}
	var ind []any
	for _, in := range ref.Indicators {
		ind = append(ind, in.Code, in.Category, in.Unit, in.Kind, in.NameVI, in.NameEN, strings.Join(in.CuesVI, "|"))
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO dim_province VALUES `+
		tuples(len(prov)/9, "(?, ?, ?, ?, ?, ?, ?::DATE, ?::DATE, ?)"), prov...); err != nil {
		return fmt.Errorf("warehouse: seed provinces: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO dim_indicator
		SELECT code, category, unit, kind, name_vi, name_en,
		       CASE WHEN cues = '' THEN []::VARCHAR[] ELSE string_split(cues, '|') END
		FROM (VALUES `+tuples(len(ind)/7, "(?, ?, ?, ?, ?, ?, ?)")+`) v(code, category, unit, kind, name_vi, name_en, cues)`,
		ind...); err != nil {
		return fmt.Errorf("warehouse: seed indicators: %w", err)
	}
	return tx.Commit()
}

func tuples(n int, tuple string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = tuple
	}
	return strings.Join(parts, ", ")
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// known is the in-memory snapshot behind etl.Known.
type known struct {
	version string
	content map[string]docVersion // doc id → loaded content
	valid   map[string][2]string  // uri → etag, last-modified
}

type docVersion struct{ sha, version string }

func (k *known) HasContent(docID, sha string) bool {
	d, ok := k.content[docID]
	return ok && d.sha == sha && d.version == k.version
}

func (k *known) Validators(uri string) (string, string) {
	v := k.valid[uri]
	return v[0], v[1]
}

// Known snapshots what the warehouse holds so the pipeline can skip
// unchanged documents and send conditional GETs.
func (w *Warehouse) Known(ctx context.Context) (etl.Known, error) {
	k := &known{version: w.opts.ExtractorVersion, content: map[string]docVersion{}, valid: map[string][2]string{}}
	rows, err := w.db.QueryContext(ctx, `SELECT doc, coalesce(sha256, ''), coalesce(extractor_version, ''),
		coalesce(uri, ''), coalesce(etag, ''), coalesce(last_modified, '') FROM dim_document WHERE loaded_run IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("warehouse: known: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc, sha, ver, uri, etag, lm string
		if err := rows.Scan(&doc, &sha, &ver, &uri, &etag, &lm); err != nil {
			return nil, err
		}
		k.content[doc] = docVersion{sha, ver}
		// Validators only for documents of this extractor version: a new
		// extractor must get the bytes again, not "not modified".
		if uri != "" && (etag != "" || lm != "") && ver == k.version {
			k.valid[uri] = [2]string{etag, lm}
		}
	}
	return k, rows.Err()
}

// Latest returns the rows of v_latest.
func (w *Warehouse) Latest(ctx context.Context) ([]etl.LatestValue, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT province_code, coalesce(province, ''), indicator, coalesce(unit, ''), value,
		coalesce(qualifier, ''), period_start, period_end, doc FROM v_latest ORDER BY province_code, indicator`)
	if err != nil {
		return nil, fmt.Errorf("warehouse: latest: %w", err)
	}
	defer rows.Close()
	var out []etl.LatestValue
	for rows.Next() {
		var v etl.LatestValue
		var q string
		if err := rows.Scan(&v.ProvinceCode, &v.Province, &v.Indicator, &v.Unit, &v.Value, &q,
			&v.PeriodStart, &v.PeriodEnd, &v.Doc); err != nil {
			return nil, err
		}
		v.Qualifier = etl.Qualifier(q)
		out = append(out, v)
	}
	return out, rows.Err()
}

// LastSuccess returns when the last successful run finished, zero if none.
func (w *Warehouse) LastSuccess(ctx context.Context) (time.Time, error) {
	var t sql.NullTime
	err := w.db.QueryRowContext(ctx, `SELECT max(finished_at) FROM load_run WHERE status = 'success'`).Scan(&t)
	if err != nil {
		return time.Time{}, fmt.Errorf("warehouse: last success: %w", err)
	}
	if !t.Valid {
		return time.Time{}, nil
	}
	return t.Time.UTC(), nil
}
