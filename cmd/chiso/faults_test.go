package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// rejectRows reads (doc, stage, reason, detail) of the last run's rejects
// from the analytics copy through `chiso query`.
func rejectRows(t *testing.T, dir, db string) map[string][3]string {
	t.Helper()
	out := queryCSV(t, dir, db, `SELECT doc, stage, reason, coalesce(detail, '') AS detail FROM v_rejects
		WHERE run_id = (SELECT max(run_id) FROM load_run) ORDER BY doc, stage, reason`)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string][3]string{}
	for _, r := range recs[1:] {
		if _, dup := got[r[0]]; dup && r[1] != "fetch" && r[1] != "decode" {
			continue // keep the document-level reject
		}
		got[r[0]] = [3]string{r[1], r[2], r[3]}
	}
	return got
}

// faultServer serves good pages and every kind of misbehaviour an HTTP
// source can show.
func faultServer(t *testing.T) (*httptest.Server, map[string]string) {
	t.Helper()
	good, err := os.ReadFile(repoPath(t, "testdata", "reports", mustFirst(t, repoPath(t, "testdata", "reports", "*.txt"))))
	if err != nil {
		t.Fatal(err)
	}
	page := func(w http.ResponseWriter, suffix string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(append(append([]byte{}, good...), suffix...))
	}
	var flaky atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/good.txt", func(w http.ResponseWriter, r *http.Request) { page(w, "\ngood\n") })
	mux.HandleFunc("/redirected.txt", func(w http.ResponseWriter, r *http.Request) { page(w, "\nredirected\n") })
	mux.HandleFunc("/via-redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/redirected.txt", http.StatusFound)
	})
	mux.HandleFunc("/flaky.txt", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) == 1 {
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		page(w, "\nflaky\n")
	})
	mux.HandleFunc("/e500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/e503", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy", 503)
	})
	mux.HandleFunc("/e404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/reset", func(w http.ResponseWriter, r *http.Request) {
		c, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // RST instead of FIN
		}
		c.Close()
	})
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		c, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n%s", good[:100])
		buf.Flush()
		c.Close()
	})
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		rc := http.NewResponseController(w)
		for {
			if _, err := w.Write([]byte("a")); err != nil {
				return
			}
			rc.Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
	for name, target := range map[string]string{
		"/to-file": "file:///etc/passwd", "/to-ftp": "ftp://127.0.0.1/report.txt",
		"/to-javascript": "javascript:alert(1)", "/to-gopher": "gopher://127.0.0.1:70/",
	} {
		mux.HandleFunc(name, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", target)
			w.WriteHeader(http.StatusFound)
		})
	}
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		http.Redirect(w, r, fmt.Sprintf("/loop?n=%d", n+1), http.StatusFound)
	})
	big := bytes.Repeat([]byte("Toàn tỉnh có 1.730 trạm BTS. "), (2<<20)/30)
	mux.HandleFunc("/big-declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		w.Write(big)
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < len(big); i += 32 << 10 {
			if _, err := w.Write(big[i:min(i+32<<10, len(big))]); err != nil {
				return
			}
			http.NewResponseController(w).Flush()
		}
	})
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestSpeed)
	zw.Write(make([]byte, 32<<20)) // 32 MiB of zeros → ~150 KiB
	zw.Close()
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	})
	mux.HandleFunc("/bad-feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte("<rss><channel><item><link>http://x/</link>\x00\x01 not xml"))
	})
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>/feed-item.txt</link></item>
<item><title>b</title><link>file:///etc/passwd</link></item>
<item><title>c</title><link>javascript:alert(1)</link></item>
<item><title>d</title><link>/e500?from=feed</link></item>
</channel></rss>`)
	})
	mux.HandleFunc("/feed-item.txt", func(w http.ResponseWriter, r *http.Request) { page(w, "\nfeed item\n") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// a port nobody listens on
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/refused"
	l.Close()

	// doc id (chiso's slug of the URL) → source URL
	urls := map[string]string{"refused": refused, "via-redirect": srv.URL + "/via-redirect", "feed": srv.URL + "/feed",
		"good": srv.URL + "/good.txt", "flaky": srv.URL + "/flaky.txt"}
	for _, id := range []string{"e500", "e503", "e404", "reset", "cut", "slow-headers", "trickle", "to-file", "to-ftp",
		"to-javascript", "to-gopher", "loop", "big-declared", "big-chunked", "gzip-bomb", "bad-feed"} {
		urls[id] = srv.URL + "/" + id
	}
	return srv, urls
}

func mustFirst(t *testing.T, pattern string) string {
	t.Helper()
	m, _ := filepath.Glob(pattern)
	if len(m) == 0 {
		t.Fatalf("nothing matches %s", pattern)
	}
	return filepath.Base(m[0])
}

// TestSourceFaults runs `chiso serve` over an httptest server that
// misbehaves in every way and over files that cannot be read: each faulty
// document is a reject with its reason, the run succeeds with the rest, and
// /metrics shows it.
func TestSourceFaults(t *testing.T) {
	dir := t.TempDir()
	_, urls := faultServer(t)

	// File faults next to the web ones.
	files := filepath.Join(dir, "files")
	os.MkdirAll(files, 0o755)
	copyFile(t, repoPath(t, "testdata", "reports", mustFirst(t, repoPath(t, "testdata", "reports", "*.txt"))), filepath.Join(files, "local-good.txt"), "\nlocal\n")
	os.Symlink(filepath.Join(dir, "nowhere.txt"), filepath.Join(files, "dangling.txt"))
	if err := os.WriteFile(filepath.Join(files, "oversized.txt"), bytes.Repeat([]byte("một hai ba. "), (2<<20)/12), 0o644); err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(repoPath(t, "testdata", "bad", "image.png"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(files, "scan.txt"), png, 0o644)
	fifo := filepath.Join(dir, "fifo.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	wantFiles := map[string]string{"local-good": "", "dangling": "read_error", "oversized": "too_large", "scan": "binary", "fifo": "read_error"}

	want := map[string]string{
		"good": "", "via-redirect": "", "flaky": "", "feed-item": "",
		"e500": "http_status", "e503": "http_status", "e404": "http_status", "e500-from-feed": "http_status",
		"reset": "connection", "cut": "connection", "refused": "connection",
		"slow-headers": "timeout", "trickle": "timeout",
		"to-file": "redirect", "to-ftp": "redirect", "to-javascript": "redirect", "to-gopher": "redirect", "loop": "redirect",
		"big-declared": "too_large", "big-chunked": "too_large", "gzip-bomb": "too_large",
		"bad-feed": "invalid_feed",
	}
	for k, v := range wantFiles {
		want[k] = v
	}
	args := []string{"--db.path=" + filepath.Join(dir, "chiso.duckdb"), "--source.timeout=1s",
		"--source.max-bytes=1048576", "--etl.schedule=@every 1h", "--log.level=debug"}
	var paths []string
	for _, u := range urls {
		paths = append(paths, u)
	}
	paths = append(paths, files, fifo)
	chisoBin(t)
	start := time.Now()
	s := startServe(t, dir, append(args, paths...)...)
	m := s.waitMetric(t, "chiso_etl_last_run_timestamp_seconds", 3*time.Minute)
	t.Logf("run over %d source arguments finished in %s", len(paths), time.Since(start).Round(time.Millisecond))

	nRejected := 0
	reasons := map[string]int{}
	for _, r := range want {
		if r != "" {
			nRejected++
			reasons[r]++
		}
	}
	for series, v := range map[string]string{
		`chiso_etl_last_run_success`:               "1",
		`chiso_etl_runs_total{status="success"}`:   "1",
		`chiso_etl_runs_total{status="failed"}`:    "0",
		`chiso_etl_documents{state="rejected"}`:    strconv.Itoa(nRejected),
		`chiso_etl_documents{state="loaded"}`:      strconv.Itoa(len(want) - nRejected),
		`chiso_etl_rejects{reason="timeout"}`:      strconv.Itoa(reasons["timeout"]),
		`chiso_etl_rejects{reason="redirect"}`:     strconv.Itoa(reasons["redirect"]),
		`chiso_etl_rejects{reason="too_large"}`:    strconv.Itoa(reasons["too_large"]),
		`chiso_etl_rejects{reason="http_status"}`:  strconv.Itoa(reasons["http_status"]),
		`chiso_etl_rejects{reason="connection"}`:   strconv.Itoa(reasons["connection"]),
		`chiso_etl_rejects{reason="read_error"}`:   strconv.Itoa(reasons["read_error"]),
		`chiso_etl_rejects{reason="invalid_feed"}`: strconv.Itoa(reasons["invalid_feed"]),
		`chiso_etl_rejects{reason="binary"}`:       strconv.Itoa(reasons["binary"]),
	} {
		if got, ok := metricValue(m, series); !ok || got != v {
			t.Errorf("%s = %q (found %v), want %s", series, got, ok, v)
		}
	}
	s.stop(t)
	if strings.Contains(s.stderr.String(), "root:x:0:0") {
		t.Error("a redirect to file:// was followed: /etc/passwd content in the log")
	}

	got := rejectRows(t, dir, filepath.Join(dir, "chiso.duckdb"))
	for id, reason := range want {
		r, ok := got[id]
		switch {
		case reason == "" && ok && (r[0] == "fetch" || r[0] == "decode"):
			t.Errorf("%s: rejected %v, want loaded", id, r)
		case reason != "" && !ok:
			t.Errorf("%s: no reject, want %s", id, reason)
		case reason != "" && r[1] != reason:
			t.Errorf("%s: reject %v, want reason %s", id, r, reason)
		case reason != "" && r[2] == "":
			t.Errorf("%s: reject without detail", id)
		}
	}
	loaded := queryCSV(t, dir, filepath.Join(dir, "chiso.duckdb"), `SELECT doc FROM dim_document WHERE loaded_run IS NOT NULL ORDER BY doc`)
	for id, reason := range want {
		if reason == "" && !regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(id)+`$`).MatchString(loaded) {
			t.Errorf("%s not loaded; loaded:\n%s", id, loaded)
		}
	}
	for _, fetched := range []string{"passwd", "alert", "report"} {
		if _, ok := got[fetched]; ok {
			t.Errorf("a document %q was fetched from a non-HTTP URL", fetched)
		}
	}
	t.Logf("FAULT CASES: %d faulty sources (%d web, %d file) each rejected with its reason; %d good ones loaded",
		nRejected, nRejected-4, 4, len(want)-nRejected)
}

var lockRE = regexp.MustCompile(`is locked by another process: PID (\d+)`)

// TestLockedWarehouse: a `chiso load` on a file another process holds
// fails at once with an error naming the holder, the
// holder is not disturbed, and a run after the holder is gone succeeds.
func TestLockedWarehouse(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chiso.duckdb")
	reports := repoPath(t, "testdata", "reports")

	// 1. The daemon holds the file.
	s := startServe(t, dir, "--db.path="+db, "--etl.schedule=@every 1h", reports)
	s.waitMetric(t, "chiso_etl_last_success_timestamp_seconds", 2*time.Minute)
	pid := strconv.Itoa(s.cmd.Process.Pid)
	// (a second `chiso serve` does not exit: it serves a failed run and
	// retries on schedule, see TestServeWaitsForLockedWarehouse)
	for _, args := range [][]string{
		{"--db.path=" + db, "load", reports},
	} {
		r := runChiso(t, dir, 30*time.Second, args...)
		m := lockRE.FindStringSubmatch(r.stderr)
		switch {
		case r.code != 1:
			t.Errorf("chiso %s on a held file: %s", args[1], r)
		case r.dur > 10*time.Second:
			t.Errorf("chiso %s took %s to give up", args[1], r.dur)
		case m == nil || m[1] != pid:
			t.Errorf("chiso %s: error does not name the holder (PID %s):\n%s", args[1], pid, r.stderr)
		case !strings.Contains(r.stderr, `"chiso serve"`):
			t.Errorf("chiso %s: error does not say the holder is chiso serve:\n%s", args[1], r.stderr)
		default:
			t.Logf("chiso %s exits 1 after %s: %s", args[1], r.dur.Round(time.Millisecond), lastLine(r.stderr))
		}
	}
	// The daemon is unharmed and still serves.
	m := s.metrics(t)
	if v, _ := metricValue(m, `chiso_etl_runs_total{status="success"}`); v != "1" {
		t.Errorf("daemon runs after the refused load: %q", v)
	}
	if resp, err := http.Get("http://" + s.addr + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("daemon not ready after the refused load: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	s.stop(t)

	// 2. Another kind of holder: this test process, read-only.
	ro := openReadOnly(t, db)
	if err := ro.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := runChiso(t, dir, 30*time.Second, "--db.path="+db, "load", reports)
	if m := lockRE.FindStringSubmatch(r.stderr); r.code != 1 || m == nil || m[1] != strconv.Itoa(os.Getpid()) {
		t.Errorf("load while a reader holds the file: %s", r)
	}
	ro.Close()

	// 3. Once the holder is gone the next run succeeds on intact data.
	mustRun(t, dir, 2*time.Minute, "--db.path="+db, "load", reports)
	d := openReadOnly(t, db)
	defer d.Close()
	checkData(t, d)
	var runs, ok int
	d.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'success') FROM load_run`).Scan(&runs, &ok)
	if runs != 2 || ok != 2 {
		t.Errorf("load_run: %d runs, %d successful; want 2 and 2 (refused loads leave no trace)", runs, ok)
	}
}

func lastLine(s string) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return l[len(l)-1]
}

// TestLoadHostileCorpus runs `chiso load` on every file of testdata/bad
// (named one by one, so files a directory walk would skip as non-reports
// are read too), plus generated inputs too big to commit: the run
// completes, every file is either loaded or rejected with a reason and a
// detail, and the process's peak memory stays under the stated bound.
func TestLoadHostileCorpus(t *testing.T) {
	dir := t.TempDir()
	bad, err := filepath.Glob(repoPath(t, "testdata", "bad", "*"))
	if err != nil || len(bad) < 30 {
		t.Fatalf("%d hostile inputs: %v", len(bad), err)
	}
	gen := filepath.Join(dir, "generated")
	os.MkdirAll(gen, 0o755)
	// 200 MiB (sparse): refused by size before a byte is read.
	huge := filepath.Join(gen, "huge_200mb.txt")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(200 << 20)
	f.Close()
	// 8 MiB on one line with 200,000 numbers: over the extractor's number cap.
	line := "Số thuê bao Internet cáp quang đạt 1.234.567, tăng 12,5% so với cùng kỳ. "
	os.WriteFile(filepath.Join(gen, "numbers_8mb.txt"), bytes.Repeat([]byte(line), (8<<20)/len(line)), 0o644)
	// 100,000 digits in one number.
	os.WriteFile(filepath.Join(gen, "digits_100k.txt"), append([]byte("Tổng số: "), bytes.Repeat([]byte("1234567890"), 10000)...), 0o644)
	inputs := append(bad, filepath.Join(gen, "huge_200mb.txt"), filepath.Join(gen, "numbers_8mb.txt"), filepath.Join(gen, "digits_100k.txt"))

	db := filepath.Join(dir, "chiso.duckdb")
	r := mustRun(t, dir, 5*time.Minute, append([]string{"--db.path=" + db, "--etl.workers=2", "load"}, inputs...)...)
	const bound = 768 << 20 // measured 330–470 MiB with 2 workers
	t.Logf("BAD INPUTS: %d files (%d committed + 3 generated) in %s, peak RSS %d MiB (bound %d MiB)",
		len(inputs), len(bad), r.dur.Round(time.Millisecond), r.maxRSS>>20, bound>>20)
	if r.maxRSS > bound {
		t.Errorf("peak RSS %d MiB over the %d MiB bound", r.maxRSS>>20, bound>>20)
	}

	out := queryCSV(t, dir, db, `SELECT uri, stage, reason, coalesce(detail, '') FROM v_rejects WHERE stage IN ('fetch', 'decode') OR reason = 'too_many_numbers'
		UNION ALL SELECT uri, 'loaded', '', '' FROM dim_document WHERE loaded_run IS NOT NULL ORDER BY 1`)
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byURI := map[string][]string{}
	for _, rec := range recs[1:] {
		if rec[1] != "loaded" && (rec[2] == "" || rec[3] == "") {
			t.Errorf("reject without reason or detail: %v", rec)
		}
		byURI[rec[0]] = rec[1:]
	}
	loaded, rejected := 0, map[string]int{}
	for _, p := range inputs {
		got, ok := byURI[p]
		if !ok {
			// same id as another input (image.png, image.gif…): the later
			// outcome of a document id wins; its reject is still recorded
			if strings.Contains(out, p) {
				continue
			}
			t.Errorf("%s: neither loaded nor rejected", filepath.Base(p))
			continue
		}
		if got[0] == "loaded" {
			loaded++
		} else {
			rejected[got[1]]++
		}
	}
	for name, want := range map[string]string{"huge_200mb.txt": "too_large", "numbers_8mb.txt": "too_many_numbers",
		"binary_random.bin": "binary", "program.elf": "binary", "sqlite.db": "binary", "empty.txt": "empty",
		"invalid_utf8.txt": "invalid_encoding", "scripts_styles_only.html": "html_no_content"} {
		for p, got := range byURI {
			if filepath.Base(p) == name && (len(got) < 2 || got[1] != want) {
				t.Errorf("%s: %v, want %s", name, got, want)
			}
		}
	}
	t.Logf("loaded %d, rejected by reason %v", loaded, rejected)
}
