package warehouse

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// exportDims are the dimensions written next to the facts.
var exportDims = []string{"dim_province", "dim_indicator", "dim_period", "dim_document"}

// Export writes v_facts and every dimension to dir. Parquet facts are
// partitioned by the year of period_end, hive style (facts/year=2020/…);
// CSV facts are one file with a header.
func (w *Warehouse) Export(ctx context.Context, dir, format string) error {
	if format != "parquet" && format != "csv" {
		return fmt.Errorf("warehouse: export: format %q: want parquet or csv", format)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("warehouse: export: %w", err)
	}
	var stmts []string
	if format == "parquet" {
		facts := filepath.Join(dir, "facts")
		if err := os.RemoveAll(facts); err != nil {
			return fmt.Errorf("warehouse: export: %w", err)
		}
		stmts = append(stmts, `COPY (SELECT *, year(period_end) AS year FROM v_facts ORDER BY period_end, doc, indicator)
			TO `+sqlString(facts)+` (FORMAT parquet, PARTITION_BY (year))`)
		for _, t := range exportDims {
			stmts = append(stmts, `COPY `+t+` TO `+sqlString(filepath.Join(dir, t+".parquet"))+` (FORMAT parquet)`)
		}
	} else {
		stmts = append(stmts, `COPY (SELECT * FROM v_facts ORDER BY period_end, doc, indicator) TO `+
			sqlString(filepath.Join(dir, "facts.csv"))+` (FORMAT csv, HEADER true)`)
		for _, t := range exportDims {
			stmts = append(stmts, `COPY `+t+` TO `+sqlString(filepath.Join(dir, t+".csv"))+` (FORMAT csv, HEADER true)`)
		}
	}
	for _, s := range stmts {
		if _, err := w.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("warehouse: export: %w", err)
		}
	}
	return nil
}
