package warehouse

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/chiso-vn/chiso/etl"
	sqlfiles "github.com/chiso-vn/chiso/sql"
)

var update = flag.Bool("update", false, "rewrite golden files and sql/README.md")

// TestMain doubles as the read-only holder process of TestPublishWhileHeld.
func TestMain(m *testing.M) {
	if path := os.Getenv("CHISO_TEST_HOLDER"); path != "" {
		os.Exit(holder(path))
	}
	os.Exit(m.Run())
}

// holder keeps a read-only connection open on path and answers "count"
// with the number of facts it sees, until stdin closes.
func holder(path string) int {
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer conn.Close()
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var n int
		if err := conn.QueryRowContext(context.Background(), `SELECT count(*) FROM v_facts`).Scan(&n); err != nil {
			fmt.Println("error", err)
			continue
		}
		fmt.Println(n)
	}
	return 0
}

func queryCount(t *testing.T, path string) int {
	t.Helper()
	var out bytes.Buffer
	if err := Query(context.Background(), path, `SELECT count(*) AS n FROM v_facts`, &out, "csv"); err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscanf(strings.Split(out.String(), "\n")[1], "%d", &n)
	return n
}

func TestPublishWhileHeld(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	w := openTest(t, filepath.Join(dir, "work.duckdb"))
	pub := filepath.Join(dir, "chiso.duckdb")
	outs := fixture()
	mustLoad(t, w, outs[:5]...)
	if err := w.Publish(ctx, pub); err != nil {
		t.Fatal(err)
	}
	first := queryCount(t, pub)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CHISO_TEST_HOLDER="+pub)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	lines := bufio.NewScanner(stdout)
	ask := func() string {
		fmt.Fprintln(stdin, "count")
		if !lines.Scan() {
			t.Fatal("holder died")
		}
		return lines.Text()
	}
	if got := ask(); got != fmt.Sprint(first) {
		t.Fatalf("holder sees %s, want %d", got, first)
	}
	// Two loads and publishes while the holder keeps its file open.
	mustLoad(t, w, outs[5:10]...)
	if err := w.Publish(ctx, pub); err != nil {
		t.Fatalf("publish while held: %v", err)
	}
	mustLoad(t, w, outs[10:]...)
	if err := w.Publish(ctx, pub); err != nil {
		t.Fatalf("second publish while held: %v", err)
	}
	if got := ask(); got != fmt.Sprint(first) {
		t.Fatalf("holder snapshot changed: %s, want %d", got, first)
	}
	total := count(t, w, `SELECT count(*) FROM v_facts`)
	if got := queryCount(t, pub); got != total || total <= first {
		t.Fatalf("fresh query sees %d, want %d (> %d)", got, total, first)
	}
	if _, err := os.Stat(pub + ".publishing"); !os.IsNotExist(err) {
		t.Fatal("temporary publish file left behind")
	}
}

func publishedFixture(t *testing.T) (*Warehouse, string) {
	dir := t.TempDir()
	w := openTest(t, filepath.Join(dir, "work.duckdb"))
	mustLoad(t, w, fixture()...)
	pub := filepath.Join(dir, "chiso.duckdb")
	if err := w.Publish(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	return w, pub
}

func TestQueryRefusesWrites(t *testing.T) {
	_, pub := publishedFixture(t)
	for _, q := range []string{
		`INSERT INTO reject VALUES (1, 'a', 'b', 'c', 'd', 'e', 'f')`,
		`UPDATE dim_document SET title = 'x'`,
		`DELETE FROM fact_indicator`,
		`CREATE TABLE x (a INT)`,
		`DROP VIEW v_facts`,
		`ALTER TABLE reject ADD COLUMN x INT`,
		`ATTACH '/tmp/other.duckdb' AS other`,
		`DETACH chiso`,
		`COPY fact_indicator TO '/tmp/x.csv'`,
		`INSTALL httpfs`,
		`LOAD httpfs`,
		`SET enable_external_access = true`,
		`RESET memory_limit`,
		`PRAGMA enable_profiling`,
		`EXPORT DATABASE '/tmp/x'`,
		`IMPORT DATABASE '/tmp/x'`,
		`CHECKPOINT`,
		`CALL pragma_version()`,
		`USE memory`,
		`SELECT 1; DROP TABLE reject`,
		`/* hidden */ DELETE FROM reject`,
		`WITH x AS (SELECT 1) DELETE FROM reject`,
		`EXPLAIN ANALYZE DELETE FROM reject`,
	} {
		var out bytes.Buffer
		err := Query(context.Background(), pub, q, &out, "csv")
		if err == nil || !strings.HasPrefix(err.Error(), "read-only: ") {
			t.Errorf("%q: err = %v, want read-only refusal", q, err)
		}
	}
	// Reading files is refused too (external access is disabled).
	var out bytes.Buffer
	if err := Query(context.Background(), pub, `SELECT * FROM read_csv('/etc/hostname')`, &out, "csv"); err == nil {
		t.Error("read_csv of a local file was allowed")
	}
	// Strings containing keywords and semicolons are fine.
	out.Reset()
	if err := Query(context.Background(), pub, `SELECT 'DROP TABLE x; --' AS s -- trailing comment`, &out, "json"); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got) != 1 || got[0]["s"] != "DROP TABLE x; --" {
		t.Fatalf("json = %s (%v)", out.String(), err)
	}
}

func TestQueryTableAlignsVietnamese(t *testing.T) {
	_, pub := publishedFixture(t)
	var out bytes.Buffer
	q := `SELECT name_vi AS province, code FROM dim_province WHERE era = 63 AND code IN ('42', '68', '01') ORDER BY code`
	if err := Query(context.Background(), pub, q, &out, "table"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("table:\n%s", out.String())
	}
	// The code column starts at the same display column on every row.
	col := -1
	for _, l := range lines[2:5] {
		i := strings.LastIndex(l, " ") + 1
		w := runewidth.StringWidth(l[:i])
		if col >= 0 && w != col {
			t.Fatalf("misaligned table:\n%s", out.String())
		}
		col = w
	}
	for _, want := range []string{"Lâm Đồng", "Hà Tĩnh"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("table lacks %s:\n%s", want, out.String())
		}
	}
}

func TestQueryFormats(t *testing.T) {
	_, pub := publishedFixture(t)
	q := `SELECT indicator, period_end, value FROM v_facts WHERE doc = 'ld_2019' ORDER BY indicator`
	var buf bytes.Buffer
	if err := Query(context.Background(), pub, q, &buf, "json"); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil || len(rows) != 3 || rows[0]["period_end"] != "2019-12-31" {
		t.Fatalf("json: %s %v", buf.String(), err)
	}
	buf.Reset()
	if err := Query(context.Background(), pub, q, &buf, "parquet"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("PAR1")) {
		t.Fatalf("parquet output does not start with PAR1")
	}
}

// TestGoldenQueries runs every sql/queries file against the published
// fixture and compares with testdata/queries/NAME.golden (csv).
func TestGoldenQueries(t *testing.T) {
	_, pub := publishedFixture(t)
	names, _ := fs.Glob(sqlfiles.FS, "queries/*.sql")
	if len(names) < 8 {
		t.Fatalf("only %d example queries", len(names))
	}
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".sql")
		t.Run(name, func(t *testing.T) {
			body, _ := sqlfiles.FS.ReadFile(n)
			var out bytes.Buffer
			if err := Query(context.Background(), pub, string(body), &out, "csv"); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
			if err != nil || len(recs) < 2 {
				t.Fatalf("query returned no rows: %s %v", out.String(), err)
			}
			golden := filepath.Join("testdata", "queries", name+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("%s differs from golden:\n--- got\n%s--- want\n%s", name, out.String(), want)
			}
		})
	}
}

func TestDictionary(t *testing.T) {
	w, pub := publishedFixture(t)
	var out bytes.Buffer
	if err := Dictionary(context.Background(), w, &out); err != nil {
		t.Fatal(err)
	}
	readme := filepath.Join("..", "..", "sql", "README.md")
	if *update {
		if err := os.WriteFile(readme, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(readme); err != nil || !bytes.Equal(want, out.Bytes()) {
		t.Fatalf("sql/README.md is not the Dictionary output (run with -update): %v", err)
	}
	for _, q := range []string{
		`SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary AND comment IS NULL`,
		`SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND NOT temporary AND comment IS NULL`,
		`SELECT table_name || '.' || column_name FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal AND comment IS NULL`,
	} {
		// Comments must survive into the published copy analysts read.
		for _, path := range []string{"", pub} {
			var buf bytes.Buffer
			var err error
			if path == "" {
				err = Query(context.Background(), writeablePublish(t, w), q, &buf, "csv")
			} else {
				err = Query(context.Background(), path, q, &buf, "csv")
			}
			if err != nil {
				t.Fatal(err)
			}
			if lines := strings.Split(strings.TrimSpace(buf.String()), "\n"); len(lines) > 1 {
				t.Errorf("objects without a comment: %v", lines[1:])
			}
		}
	}
}

// writeablePublish publishes w to a fresh file so the working schema can be
// inspected through Query.
func writeablePublish(t *testing.T, w *Warehouse) string {
	p := filepath.Join(t.TempDir(), "p.duckdb")
	if err := w.Publish(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExportParquetRoundTrip(t *testing.T) {
	w, _ := publishedFixture(t)
	dir := t.TempDir()
	if err := w.Export(context.Background(), dir, "parquet"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "facts", "year=2020")); err != nil {
		t.Fatalf("no hive partition: %v", err)
	}
	fresh, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	var n int
	var sum float64
	if err := fresh.QueryRow(`SELECT count(*), sum(value) FROM read_parquet(?, hive_partitioning = true)`,
		filepath.Join(dir, "facts", "*", "*.parquet")).Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	var wn int
	var wsum float64
	w.DB().QueryRow(`SELECT count(*), sum(value) FROM v_facts`).Scan(&wn, &wsum)
	if n != wn || sum != wsum {
		t.Fatalf("parquet facts %d / %v, warehouse %d / %v", n, sum, wn, wsum)
	}
	for _, d := range exportDims {
		var pn, dn int
		fresh.QueryRow(`SELECT count(*) FROM read_parquet(?)`, filepath.Join(dir, d+".parquet")).Scan(&pn)
		w.DB().QueryRow(`SELECT count(*) FROM ` + d).Scan(&dn)
		if pn != dn || dn == 0 {
			t.Errorf("%s: parquet %d rows, warehouse %d", d, pn, dn)
		}
	}
	if err := w.Export(context.Background(), t.TempDir(), "csv"); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkLoad(b *testing.B) {
	const docs, perDoc = 1000, 100
	outs := make([]etl.Outcome, docs)
	inds := []string{"bts_stations", "fines_vnd", "internet_subscribers", "trainees", "inspections"}
	for i := range outs {
		var fs []fx
		for j := 0; j < perDoc; j++ {
			fs = append(fs, f(fmt.Sprintf("%02d", []int{1, 42, 68, 67, 60}[j%5]), inds[j/20], yr, 2006+j%20, float64(i*perDoc+j)))
		}
		outs[i] = outcome(fmt.Sprintf("doc_%04d", i), "", fs...)
	}
	w := openTest(b, "")
	b.ResetTimer()
	var facts int
	for i := 0; i < b.N; i++ {
		st, err := w.Load(context.Background(), feed(outs...))
		if err != nil {
			b.Fatal(err)
		}
		facts += st.Facts
	}
	b.ReportMetric(float64(facts)/b.Elapsed().Seconds(), "facts/s")
}
