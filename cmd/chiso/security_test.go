package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/testcert"
	"golang.org/x/crypto/bcrypt"
)

func fileHash(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestQueryCannotModify runs hostile statements through the real `chiso
// query`: each is refused with a clear error (exit 1), and neither the
// analytics copy nor the working file changes, nor does any file appear.
func TestQueryCannotModify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chiso.duckdb")
	mustRun(t, dir, 2*time.Minute, "--db.path="+db, "load", repoPath(t, "testdata", "reports"))
	ap := analyticsPath(db)
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	csvIn := filepath.Join(out, "in.csv")
	os.WriteFile(csvIn, []byte("a\n1\n"), 0o644)
	target := func(name string) string { return "'" + filepath.Join(out, name) + "'" }
	before := map[string]string{db: fileHash(t, db), ap: fileHash(t, ap)}

	// statement → a word the error must contain
	const ro = "read-only:"
	cases := []struct{ sql, want string }{
		{`INSERT INTO dim_document (doc) VALUES ('x')`, ro},
		{`UPDATE fact_indicator SET value = 0`, ro},
		{`DELETE FROM fact_indicator`, ro},
		{`TRUNCATE fact_indicator`, ro},
		{`DROP TABLE fact_indicator`, ro},
		{`DROP VIEW v_facts`, ro},
		{`CREATE TABLE x AS SELECT 1`, ro},
		{`CREATE OR REPLACE VIEW v_latest AS SELECT 1`, ro},
		{`CREATE MACRO evil() AS 1`, ro},
		{`CREATE SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')`, ro},
		{`ALTER TABLE fact_indicator ADD COLUMN x INTEGER`, ro},
		{`ATTACH ` + target("evil.duckdb") + ` AS evil`, ro},
		{`ATTACH ':memory:' AS m`, ro},
		{`DETACH chiso_analytics`, ro},
		{`USE memory`, ro},
		{`COPY fact_indicator TO ` + target("facts.csv"), ro},
		{`COPY (SELECT * FROM v_facts) TO ` + target("facts.parquet") + ` (FORMAT parquet)`, ro},
		{`COPY fact_indicator FROM ` + target("in.csv"), ro},
		{`EXPORT DATABASE ` + target("export"), ro},
		{`IMPORT DATABASE ` + target("export"), ro},
		{`INSTALL httpfs`, ro},
		{`LOAD httpfs`, ro},
		{`FORCE INSTALL httpfs`, ro},
		{`SET enable_external_access = true`, ro},
		{`RESET lock_configuration`, ro},
		{`CHECKPOINT`, ro},
		{`VACUUM`, ro},
		{`CALL enable_logging()`, ro},
		{`BEGIN TRANSACTION`, ro},
		{`SELECT 1; DROP TABLE fact_indicator`, ro},
		{`SELECT 1; ATTACH ` + target("x.duckdb"), ro},
		{`/* comment */ DELETE FROM fact_indicator`, ro},
		{`-- comment` + "\n" + `DELETE FROM fact_indicator`, ro},
		{`EXPLAIN ANALYZE DELETE FROM fact_indicator`, ro},
		{`EXPLAIN COPY fact_indicator TO ` + target("e.csv"), ro},
		{`WITH x AS (SELECT 1) INSERT INTO load_run SELECT * FROM load_run`, ""},
		{`PRAGMA threads = 1`, ""},
		{`SELECT nextval('seq_run_id')`, ""},
		{`SELECT * FROM query('DELETE FROM fact_indicator')`, ""},
		{`SELECT * FROM read_csv('/etc/passwd')`, ""},
		{`SELECT * FROM read_text('/etc/passwd')`, ""},
		{`SELECT * FROM '/etc/passwd'`, ""},
		{`FROM glob('/etc/*')`, ""},
		{`SELECT * FROM read_csv(` + target("in.csv") + `)`, ""},
		{`SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')`, ""},
	}
	t.Run("statements", func(t *testing.T) {
		for _, c := range cases {
			t.Run("", func(t *testing.T) {
				t.Parallel()
				// "--" ends the flags, so a statement may start with "--"
				r := runChiso(t, dir, time.Minute, "--db.path="+db, "query", "--", c.sql)
				msg := errorLine(r.stderr, "chiso query: ")
				switch {
				case r.code != 1:
					t.Errorf("%s: %s", c.sql, r)
				case msg == "":
					t.Errorf("%s: unclear error:\n%s", c.sql, r.stderr)
				case c.want != "" && !strings.Contains(msg, c.want):
					t.Errorf("%s: error %q does not say %q", c.sql, msg, c.want)
				case strings.Contains(r.stdout+r.stderr, "root:x:0:0"):
					t.Errorf("%s: /etc/passwd leaked", c.sql)
				}
				t.Logf("%-60.60s → %.160s", strings.ReplaceAll(c.sql, "\n", " "), strings.TrimPrefix(msg, "chiso query: "))
			})
		}
	})
	for p, h := range before {
		if fileHash(t, p) != h {
			t.Errorf("%s changed", p)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files appeared: %v", names)
	}
	// Reading still works, in every format.
	r := mustRun(t, dir, time.Minute, "--db.path="+db, "query", "--format=parquet", "SELECT count(*) AS n FROM v_facts")
	if !strings.HasPrefix(r.stdout, "PAR1") {
		t.Errorf("parquet output: %.20q", r.stdout)
	}
	r = mustRun(t, dir, time.Minute, "--db.path="+db, "query", "SELECT count(*) AS n FROM v_facts")
	if !strings.Contains(r.stdout, "(1 rows)") {
		t.Errorf("table output: %s", r.stdout)
	}
	t.Logf("QUERY CASES: %d hostile statements refused, files unchanged", len(cases))
}

// TestWebConfigSecretsNotLogged serves /metrics with TLS and basic auth
// from a web config file, logs at debug level, and checks that neither the
// password, nor its bcrypt hash, nor the TLS key appear in the log, while
// the protection works.
func TestWebConfigSecretsNotLogged(t *testing.T) {
	dir := t.TempDir()
	const user, password = "prometheus", "Mật-khẩu-s3cret-42"
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tc := testcert.SelfSigned(t, dir)
	certFile, keyFile, keyPEM, pool := tc.CertFile, tc.KeyFile, tc.KeyPEM, tc.Pool
	cfg := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  %s: %s\n",
		certFile, keyFile, user, hash)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, dir, "--db.path="+filepath.Join(dir, "chiso.duckdb"), "--web.config.file="+cfg,
		"--log.level=debug", "--etl.schedule=@every 1h", repoPath(t, "testdata", "reports"))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(u, p string) int {
		req, _ := http.NewRequest("GET", "https://"+s.addr+"/metrics", nil)
		if u != "" {
			req.SetBasicAuth(u, p)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("", ""); c != http.StatusUnauthorized {
		t.Errorf("no credentials: %d", c)
	}
	if c := get(user, password+"x"); c != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", c)
	}
	if c := get(user, password); c != http.StatusOK {
		t.Errorf("right password: %d", c)
	}
	// a plain-HTTP request to the TLS port gets a 400, never metrics
	if resp, err := http.Get("http://" + s.addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "chiso_") {
			t.Error("metrics served over plain HTTP")
		}
	}
	time.Sleep(200 * time.Millisecond)
	s.stop(t)
	log := s.stderr.String()
	if !strings.Contains(log, "TLS is enabled") {
		t.Errorf("log does not show TLS on:\n%s", log)
	}
	keyBody := strings.Join(strings.Split(strings.TrimSpace(keyPEM), "\n")[1:2], "")
	for what, secret := range map[string]string{"password": password, "bcrypt hash": string(hash),
		"bcrypt hash body": string(hash[7:]), "TLS key": keyBody} {
		if strings.Contains(log, secret) {
			t.Errorf("the %s appears in the log", what)
		}
	}
}

// errorLine returns the first line of stderr that starts with prefix.
func errorLine(stderr, prefix string) string {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
