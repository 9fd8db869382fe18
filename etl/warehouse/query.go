package warehouse

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/mattn/go-runewidth"
)

// Query runs one read-only statement against a published copy and writes
// the result to out as table, csv, json (array of objects) or parquet.
//
// Defence in depth: a lexical check refuses anything but one reading
// statement, the prepared statement must be of SELECT/EXPLAIN type, the file
// is opened READ_ONLY, and external access is disabled except for a private
// temp directory used for parquet output. Refusals start with "read-only: ".
func Query(ctx context.Context, path, query string, out io.Writer, format string) error {
	switch format {
	case "table", "csv", "json", "parquet":
	default:
		return fmt.Errorf("warehouse: query: format %q: want table, csv, json or parquet", format)
	}
	if err := checkReadOnly(query); err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("warehouse: no analytics copy at %s yet: it is published after the first successful `chiso load` (or `chiso serve` run) with the same --db.path", path)
	} else if err != nil {
		return fmt.Errorf("warehouse: query: %w", err)
	}
	tmp, err := os.MkdirTemp("", "chiso-query-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	connector, err := duckdb.NewConnector(path+"?access_mode=READ_ONLY&autoinstall_known_extensions=false&autoload_known_extensions=false",
		func(ex driver.ExecerContext) error {
			for _, s := range []string{
				`SET allowed_directories = [` + sqlString(tmp) + `]`,
				`SET enable_external_access = false`,
				`SET lock_configuration = true`,
			} {
				if _, err := ex.ExecContext(ctx, s, nil); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("warehouse: query: open %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("warehouse: query: open %s: %w", path, err)
	}
	defer conn.Close()
	if err := checkStatementType(ctx, conn, query); err != nil {
		return err
	}
	if format == "parquet" {
		f := filepath.Join(tmp, "out.parquet")
		body := strings.TrimRight(strings.TrimSpace(query), ";")
		if _, err := conn.ExecContext(ctx, `COPY (`+body+"\n) TO "+sqlString(f)+` (FORMAT parquet)`); err != nil {
			return fmt.Errorf("warehouse: query: %w", err)
		}
		r, err := os.Open(f)
		if err != nil {
			return err
		}
		defer r.Close()
		_, err = io.Copy(out, r)
		return err
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("warehouse: query: %w", err)
	}
	defer rows.Close()
	switch format {
	case "csv":
		err = writeCSV(rows, out)
	case "json":
		err = writeJSON(rows, out)
	default:
		err = writeTable(rows, out)
	}
	if err != nil {
		return fmt.Errorf("warehouse: query: %w", err)
	}
	return nil
}

// readKeywords may start a statement that only reads.
var readKeywords = map[string]bool{
	"SELECT": true, "WITH": true, "FROM": true, "VALUES": true, "TABLE": true, "DESCRIBE": true,
	"DESC": true, "SHOW": true, "SUMMARIZE": true, "EXPLAIN": true, "PIVOT": true, "UNPIVOT": true, "PRAGMA": true,
}

// checkReadOnly is the lexical gate: exactly one statement, starting with a
// reading keyword. Comments, strings and quoted identifiers are skipped so
// a ';' or keyword inside them does not count.
func checkReadOnly(query string) error {
	stmts := splitStatements(query)
	if len(stmts) == 0 {
		return fmt.Errorf("read-only: empty query")
	}
	if len(stmts) > 1 {
		return fmt.Errorf("read-only: one statement at a time, got %d", len(stmts))
	}
	words := leadingWords(stmts[0], 3)
	if len(words) == 0 {
		return fmt.Errorf("read-only: statement does not start with a keyword")
	}
	first := words[0]
	if first == "EXPLAIN" { // EXPLAIN [ANALYZE] <statement>
		rest := words[1:]
		if len(rest) > 0 && rest[0] == "ANALYZE" {
			rest = rest[1:]
		}
		if len(rest) > 0 && (!readKeywords[rest[0]] || rest[0] == "PRAGMA" || rest[0] == "EXPLAIN") {
			return fmt.Errorf("read-only: EXPLAIN %s is not allowed", rest[0])
		}
	}
	if !readKeywords[first] {
		return fmt.Errorf("read-only: %s statements are not allowed", first)
	}
	return nil
}

// checkStatementType asks DuckDB what the statement is, so a reading
// keyword cannot front a writing statement (e.g. a PRAGMA that writes).
func checkStatementType(ctx context.Context, conn *sql.Conn, query string) error {
	return conn.Raw(func(dc any) error {
		st, err := dc.(driver.ConnPrepareContext).PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("warehouse: query: %w", err)
		}
		defer st.Close()
		s, ok := st.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("warehouse: query: unexpected statement type %T", st)
		}
		t, err := s.StatementType()
		if err != nil {
			return fmt.Errorf("warehouse: query: %w", err)
		}
		if t != duckdb.STATEMENT_TYPE_SELECT && t != duckdb.STATEMENT_TYPE_EXPLAIN {
			return fmt.Errorf("read-only: statement type %d is not a query", t)
		}
		return nil
	})
}

// splitStatements splits on ';' outside comments, strings, quoted
// identifiers and dollar quotes, and drops statements that are only
// whitespace and comments. Comments are removed from the returned text.
func splitStatements(q string) []string {
	var stmts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			stmts = append(stmts, s)
		}
		cur.Reset()
	}
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			for i < len(q) && q[i] != '\n' {
				i++
			}
			cur.WriteByte(' ')
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				i = len(q)
			} else {
				i += j + 4
			}
			cur.WriteByte(' ')
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			cur.WriteString(q[i:end])
			i = end
		case c == '$':
			j := i + 1
			for j < len(q) && (q[j] == '_' || unicode.IsLetter(rune(q[j])) || unicode.IsDigit(rune(q[j]))) {
				j++
			}
			if j < len(q) && q[j] == '$' {
				tag := q[i : j+1]
				k := strings.Index(q[j+1:], tag)
				end := len(q)
				if k >= 0 {
					end = j + 1 + k + len(tag)
				}
				cur.WriteString(q[i:end])
				i = end
			} else {
				cur.WriteByte(c)
				i++
			}
		case c == ';':
			flush()
			i++
		default:
			cur.WriteByte(c)
			i++
		}
	}
	flush()
	return stmts
}

// leadingWords returns up to n upper-cased leading words of a statement,
// skipping opening parentheses.
func leadingWords(s string, n int) []string {
	var out []string
	f := strings.FieldsFunc(s, func(r rune) bool { return !(unicode.IsLetter(r) || r == '_') })
	s = strings.TrimLeft(s, " \t\r\n(")
	if s == "" {
		return nil
	}
	for _, w := range f {
		out = append(out, strings.ToUpper(w))
		if len(out) == n {
			break
		}
	}
	return out
}

// cell renders one value for text output.
func cell(v any, dbType string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case time.Time:
		switch dbType {
		case "DATE":
			return x.Format("2006-01-02")
		case "TIME":
			return x.Format("15:04:05")
		}
		return x.UTC().Format("2006-01-02 15:04:05")
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// scanAll iterates rows, calling fn with the raw values.
func scanAll(rows *sql.Rows, fn func([]any) error) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

func columnInfo(rows *sql.Rows) ([]string, []string, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(cts))
	types := make([]string, len(cts))
	for i, c := range cts {
		names[i], types[i] = c.Name(), c.DatabaseTypeName()
	}
	return names, types, nil
}

func writeCSV(rows *sql.Rows, out io.Writer) error {
	names, types, err := columnInfo(rows)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(out)
	if err := cw.Write(names); err != nil {
		return err
	}
	rec := make([]string, len(names))
	err = scanAll(rows, func(v []any) error {
		for i := range v {
			rec[i] = cell(v[i], types[i])
		}
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func jsonValue(v any, dbType string) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case time.Time:
		return cell(x, dbType)
	case []byte:
		return string(x)
	}
	return v
}

func writeJSON(rows *sql.Rows, out io.Writer) error {
	names, types, err := columnInfo(rows)
	if err != nil {
		return err
	}
	keys := make([][]byte, len(names))
	for i, n := range names {
		keys[i], _ = json.Marshal(n)
	}
	if _, err := io.WriteString(out, "["); err != nil {
		return err
	}
	first := true
	err = scanAll(rows, func(v []any) error {
		var b strings.Builder
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString("\n  {")
		for i := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			val, err := json.Marshal(jsonValue(v[i], types[i]))
			if err != nil {
				val, _ = json.Marshal(fmt.Sprint(v[i]))
			}
			b.Write(keys[i])
			b.WriteString(": ")
			b.Write(val)
		}
		b.WriteString("}")
		_, err := io.WriteString(out, b.String())
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(out, "\n]\n")
	return err
}

func isNumericType(t string) bool {
	switch {
	case strings.HasPrefix(t, "DECIMAL"):
		return true
	}
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
		"UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE":
		return true
	}
	return false
}

// writeTable aligns columns by display width, so Vietnamese names with
// combining-free precomposed letters and wide characters line up.
func writeTable(rows *sql.Rows, out io.Writer) error {
	names, types, err := columnInfo(rows)
	if err != nil {
		return err
	}
	widths := make([]int, len(names))
	for i, n := range names {
		widths[i] = runewidth.StringWidth(n)
	}
	var data [][]string
	err = scanAll(rows, func(v []any) error {
		rec := make([]string, len(v))
		for i := range v {
			rec[i] = strings.ReplaceAll(cell(v[i], types[i]), "\n", " ")
			if w := runewidth.StringWidth(rec[i]); w > widths[i] {
				widths[i] = w
			}
		}
		data = append(data, rec)
		return nil
	})
	if err != nil {
		return err
	}
	line := func(rec []string, numeric bool) string {
		var b strings.Builder
		for i, s := range rec {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-runewidth.StringWidth(s))
			if numeric && isNumericType(types[i]) {
				b.WriteString(pad + s)
			} else if i < len(rec)-1 {
				b.WriteString(s + pad)
			} else {
				b.WriteString(s)
			}
		}
		return strings.TrimRight(b.String(), " ") + "\n"
	}
	var b strings.Builder
	b.WriteString(line(names, false))
	sep := make([]string, len(names))
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	b.WriteString(line(sep, false))
	for _, rec := range data {
		b.WriteString(line(rec, true))
	}
	fmt.Fprintf(&b, "(%d rows)\n", len(data))
	_, err = io.WriteString(out, b.String())
	return err
}
