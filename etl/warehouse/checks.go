package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// CheckResult is one data check's outcome.
type CheckResult struct {
	Name        string
	FailingRows int64
}

// checkSQL wraps a check file so it returns its number of offending rows.
func checkSQL(body string) string {
	body = strings.TrimRight(strings.TrimSpace(body), ";")
	return "SELECT count(*) FROM (\n" + body + "\n)"
}

// runChecks runs every sql/checks file inside the load transaction, records
// the results and returns how many checks found rows.
func runChecks(ctx context.Context, conn *sql.Conn, runID int64) (int, error) {
	res, err := Checks(ctx, conn)
	if err != nil {
		return 0, err
	}
	fails := 0
	for _, r := range res {
		if r.FailingRows > 0 {
			fails++
		}
		if _, err := conn.ExecContext(ctx, `INSERT INTO data_check_result VALUES ($1, $2, $3)`,
			runID, r.Name, r.FailingRows); err != nil {
			return 0, fmt.Errorf("warehouse: record check %s: %w", r.Name, err)
		}
	}
	return fails, nil
}

// carryChecks copies the check results of the last run that has any to
// this run: used when a run changed no document, so no result can differ.
// It returns how many of them found rows.
func carryChecks(ctx context.Context, conn *sql.Conn, runID int64) (int, error) {
	if _, err := conn.ExecContext(ctx, `INSERT INTO data_check_result
		SELECT $1, check_name, failing_rows FROM data_check_result
		WHERE run_id = (SELECT max(run_id) FROM data_check_result WHERE run_id < $1)`, runID); err != nil {
		return 0, fmt.Errorf("warehouse: carry check results: %w", err)
	}
	var fails int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM data_check_result WHERE run_id = $1 AND failing_rows > 0`,
		runID).Scan(&fails); err != nil {
		return 0, fmt.Errorf("warehouse: carry check results: %w", err)
	}
	return fails, nil
}

// querier is what both *sql.DB and *sql.Conn offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Checks runs the data checks and returns their results in file order.
func Checks(ctx context.Context, q querier) ([]CheckResult, error) {
	files, err := readDir("checks")
	if err != nil {
		return nil, err
	}
	out := make([]CheckResult, 0, len(files))
	for _, f := range files {
		r := CheckResult{Name: strings.TrimSuffix(f.name, ".sql")}
		if err := q.QueryRowContext(ctx, checkSQL(f.body)).Scan(&r.FailingRows); err != nil {
			return nil, fmt.Errorf("warehouse: check %s: %w", r.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}
