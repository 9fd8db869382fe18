package warehouse

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
func (w *Warehouse) Publish(ctx context.Context, dst string) error {
	dst, err := filepath.Abs(dst)
	if err != nil {
		return err
	}
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
	if _, err := conn.ExecContext(ctx, `ATTACH `+sqlString(tmp)+` AS `+alias); err != nil {
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
