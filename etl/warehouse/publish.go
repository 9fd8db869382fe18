package warehouse

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sqlString quotes s as a SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Publish writes a consistent copy of the committed warehouse to dst for
// analysts. The copy is built beside dst and renamed over it, so a reader
// holding the old file keeps its snapshot and a new reader sees the new
// one; the working file is never opened by readers (DuckDB allows one
// writer or many readers per file).
//
// A destination that already holds the current data generation (no run has
// loaded a document since, same schema and views) is left as it is.
func (w *Warehouse) Publish(ctx context.Context, dst string) error {
	dst, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
	gen, err := w.generation(ctx)
	if err != nil {
		return fmt.Errorf("warehouse: publish: %w", err)
	}
	if _, serr := os.Stat(dst); serr == nil {
		var last string
		err := w.db.QueryRowContext(ctx, `SELECT generation FROM chiso_internal.publish_state WHERE path = $1`, dst).Scan(&last)
		if err == nil && last == gen {
			return nil
		}
	}
	if err := w.publish(ctx, dst); err != nil {
		return err
	}
	if _, err := w.db.ExecContext(ctx, `INSERT OR REPLACE INTO chiso_internal.publish_state VALUES ($1, $2, now()::TIMESTAMP)`, dst, gen); err != nil {
		return fmt.Errorf("warehouse: publish: record: %w", err)
	}
	return nil
}

// generation identifies the published content: the last run that loaded a
// document, the schema version and a hash of the views.
func (w *Warehouse) generation(ctx context.Context) (string, error) {
	var run, schema int64
	if err := w.db.QueryRowContext(ctx, `SELECT
		(SELECT coalesce(max(run_id), 0) FROM load_run WHERE status = 'success' AND docs_loaded > 0),
		(SELECT coalesce(max(version), 0) FROM schema_version)`).Scan(&run, &schema); err != nil {
		return "", err
	}
	views, err := readDir("views")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, v := range views {
		h.Write([]byte(v.name + "\x00" + v.body + "\x00"))
	}
	return fmt.Sprintf("run=%d schema=%d views=%x", run, schema, h.Sum(nil)[:8]), nil
}

func (w *Warehouse) publish(ctx context.Context, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("warehouse: publish: %w", err)
	}
	tmp := dst + ".publishing"
	for _, f := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("warehouse: publish: %w", err)
		}
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("warehouse: publish: %w", err)
	}
	defer conn.Close()
	var cur string
	if err := conn.QueryRowContext(ctx, `SELECT current_database()`).Scan(&cur); err != nil {
		return fmt.Errorf("warehouse: publish: %w", err)
	}
	const alias = "chiso_publish"
	// Small row groups here too: the copy is one transaction (see rowGroupSize).
	if _, err := conn.ExecContext(ctx, `ATTACH `+sqlString(tmp)+` AS `+alias+` (ROW_GROUP_SIZE `+strconv.Itoa(rowGroupSize)+`)`); err != nil {
		return fmt.Errorf("warehouse: publish: attach: %w", err)
	}
	attached := true
	defer func() {
		if attached {
			conn.ExecContext(context.Background(), `DETACH `+alias)
			os.Remove(tmp)
			os.Remove(tmp + ".wal")
		}
	}()
	for _, s := range []string{
		`COPY FROM DATABASE ` + sqlIdent(cur) + ` TO ` + alias,
		`CHECKPOINT ` + alias,
		`DETACH ` + alias,
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("warehouse: publish: %s: %w", strings.Fields(s)[0], err)
		}
	}
	attached = false
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("warehouse: publish: %w", err)
	}
	return nil
}
