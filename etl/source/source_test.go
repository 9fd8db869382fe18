package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// collect runs a source to the end and returns its documents.
func collect(t *testing.T, specs []string, o Options) []*etl.Document {
	t.Helper()
	src, err := Open(specs, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // hang guard
	defer cancel()
	var docs []*etl.Document
	if err := src.Documents(ctx, func(d *etl.Document) error {
		docs = append(docs, d)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return docs
}

func one(t *testing.T, uri string, o Options) *etl.Document {
	t.Helper()
	docs := collect(t, []string{uri}, o)
	if len(docs) != 1 {
		t.Fatalf("got %d documents, want 1", len(docs))
	}
	return docs[0]
}

// fast keeps retries quick in tests.
func fast(o Options) Options {
	o.Backoff = time.Millisecond
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	return o
}

const body = "Năm 2024 tỉnh có 1.234 trạm BTS."

func TestHTTPPage(t *testing.T) {
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Fri, 15 Mar 2024 08:00:00 GMT")
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/tin-tuc/Báo-cáo%20năm.html", fast(Options{}))
	if d.FetchErr != nil {
		t.Fatal(d.FetchErr)
	}
	if string(d.Raw) != body || d.SHA256 != hashOf([]byte(body)) || d.ETag != `"v1"` ||
		d.LastModified == "" || d.ModTime.Year() != 2024 || !strings.HasPrefix(d.ContentType, "text/html") {
		t.Errorf("got %+v", d)
	}
	if d.ID != "bao-cao-nam" {
		t.Errorf("ID = %q", d.ID)
	}
	if got := ua.Load().(string); !strings.HasPrefix(got, "chiso/") || !strings.Contains(got, "github.com/chiso-vn/chiso") {
		t.Errorf("User-Agent = %q", got)
	}
}

type known struct{ etag, lm string }

func (known) HasContent(string, string) bool       { return false }
func (k known) Validators(string) (string, string) { return k.etag, k.lm }

func TestHTTPNotModified(t *testing.T) {
	const lm = "Fri, 15 Mar 2024 08:00:00 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == lm {
			w.Header().Set("ETag", `"v1"`)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/a.html", fast(Options{Known: known{`"v1"`, lm}}))
	if !d.NotModified || d.Raw != nil || d.FetchErr != nil || d.ETag != `"v1"` || d.LastModified != lm {
		t.Errorf("got %+v", d)
	}
	// Without validators the page comes back whole.
	if d := one(t, srv.URL+"/a.html", fast(Options{})); d.NotModified || string(d.Raw) != body {
		t.Errorf("unconditional: %+v", d)
	}
}

func TestHTTPRetry(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/x", fast(Options{Retries: 2}))
	if d.FetchErr != nil || string(d.Raw) != body || hits.Load() != 2 {
		t.Errorf("hits %d, doc %+v", hits.Load(), d)
	}
}

func TestHTTPNoRetryOn4xx(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.NotFound(w, r)
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/missing", fast(Options{Retries: 3}))
	var se *StatusError
	if !errors.As(d.FetchErr, &se) || se.Code != 404 || Reason(d.FetchErr) != "http_status" || hits.Load() != 1 {
		t.Errorf("hits %d, err %v", hits.Load(), d.FetchErr)
	}
	if d.Raw != nil {
		t.Errorf("raw kept on error")
	}
}

func TestHTTPRetriesExhausted(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/x", fast(Options{Retries: 2}))
	if Reason(d.FetchErr) != "http_status" || hits.Load() != 3 {
		t.Errorf("hits %d, err %v", hits.Load(), d.FetchErr)
	}
}

func TestHTTPTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // sleeps far longer than the client waits
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/slow", fast(Options{Timeout: 100 * time.Millisecond, Retries: 1}))
	if Reason(d.FetchErr) != "timeout" {
		t.Errorf("err %v, reason %s", d.FetchErr, Reason(d.FetchErr))
	}
}

func TestHTTPTrickle(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < 100000; i++ { // bounded, but far beyond the timeout
			if _, err := w.Write([]byte("a")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}))
	defer srv.Close()
	d := one(t, srv.URL+"/trickle", fast(Options{Timeout: 200 * time.Millisecond, Retries: -1}))
	if Reason(d.FetchErr) != "timeout" || d.Raw != nil {
		t.Errorf("err %v, reason %s", d.FetchErr, Reason(d.FetchErr))
	}
}

func TestHTTPRedirects(t *testing.T) {
	var loops atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://example.invalid/report.txt", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		loops.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/final", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	d := one(t, srv.URL+"/ftp", fast(Options{Retries: 2}))
	if Reason(d.FetchErr) != "redirect" || !strings.Contains(d.FetchErr.Error(), "ftp://") {
		t.Errorf("ftp redirect: %v", d.FetchErr)
	}
	d = one(t, srv.URL+"/loop", fast(Options{MaxRedirects: 3, Retries: 2}))
	if Reason(d.FetchErr) != "redirect" || loops.Load() != 4 {
		t.Errorf("loop: %d hits, %v", loops.Load(), d.FetchErr)
	}
	d = one(t, srv.URL+"/hop", fast(Options{}))
	if d.FetchErr != nil || string(d.Raw) != body || d.URI != srv.URL+"/hop" {
		t.Errorf("hop: %+v", d)
	}
	if d := one(t, srv.URL+"/hop", fast(Options{MaxRedirects: -1})); Reason(d.FetchErr) != "redirect" {
		t.Errorf("redirects forbidden: %v", d.FetchErr)
	}
}

func TestHTTPTooLarge(t *testing.T) {
	big := strings.Repeat("x", 4096)
	mux := http.NewServeMux()
	mux.HandleFunc("/length", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(big)))
		fmt.Fprint(w, big)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 4; i++ {
			fmt.Fprint(w, big)
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, p := range []string{"/length", "/chunked"} {
		d := one(t, srv.URL+p, fast(Options{MaxBytes: 1024}))
		if Reason(d.FetchErr) != "too_large" || d.Raw != nil {
			t.Errorf("%s: %v", p, d.FetchErr)
		}
	}
}

func TestHTTPConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	d := one(t, url+"/x", fast(Options{Retries: 1}))
	if Reason(d.FetchErr) != "connection" {
		t.Errorf("err %v, reason %s", d.FetchErr, Reason(d.FetchErr))
	}
}

func TestFeed(t *testing.T) {
	var srv *httptest.Server
	mux := http.NewServeMux()
	mux.HandleFunc("/rss", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tin tức</title><link>%[1]s/</link>
<item><title>Một</title><link>%[1]s/tin/mot.html</link></item>
<item><title>Hai</title><link>/tin/hai.html</link></item>
<item><title>Ba</title><link>%[1]s/tin/ba.html#top</link></item>
<item><title>Ba lại</title><link>%[1]s/tin/ba.html</link></item>
</channel></rss>`, srv.URL)
	})
	mux.HandleFunc("/atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml") // sniffed
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>A</title><link href="%s/tin/mot.html"/><id>1</id></entry></feed>`, srv.URL)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss><channel><item>")
	})
	mux.HandleFunc("/tin/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>"+r.URL.Path+"</p>")
	})
	srv = httptest.NewServer(mux)
	defer srv.Close()

	docs := collect(t, []string{srv.URL + "/rss"}, fast(Options{}))
	var ids []string
	for _, d := range docs {
		if d.FetchErr != nil || !strings.Contains(string(d.Raw), d.ID) {
			t.Errorf("item %s: %v %q", d.ID, d.FetchErr, d.Raw)
		}
		ids = append(ids, d.ID)
	}
	if strings.Join(ids, ",") != "mot,hai,ba" {
		t.Errorf("items = %v", ids)
	}
	if docs := collect(t, []string{srv.URL + "/rss"}, fast(Options{MaxItems: 2})); len(docs) != 2 {
		t.Errorf("MaxItems: %d docs", len(docs))
	}
	if docs := collect(t, []string{srv.URL + "/atom"}, fast(Options{})); len(docs) != 1 || docs[0].ID != "mot" {
		t.Errorf("atom: %d docs", len(docs))
	}
	if d := one(t, srv.URL+"/broken", fast(Options{})); Reason(d.FetchErr) != "invalid_feed" {
		t.Errorf("broken feed: %v", d.FetchErr)
	}
}

func TestURLID(t *testing.T) {
	for in, want := range map[string]string{
		"https://stttt.hanoi.gov.vn/tin-tuc/bao-cao-2024.html": "bao-cao-2024",
		"https://stttt.hanoi.gov.vn/tin-tuc/bao-cao-2024/":     "bao-cao-2024",
		"https://stttt.hanoi.gov.vn/":                          "stttt-hanoi-gov-vn",
		"https://stttt.hanoi.gov.vn":                           "stttt-hanoi-gov-vn",
		"https://x.gov.vn/news.aspx?id=123&lang=vi":            "news-id-123-lang-vi",
		"https://x.gov.vn/Báo%20cáo%20Tổng%20kết.htm":          "bao-cao-tong-ket",
		"https://x.gov.vn/?p=42":                               "x-gov-vn-p-42",
		"https://x.gov.vn/tin/B%C3%A1o-c%C3%A1o.php#section-2": "bao-cao",
	} {
		if got := urlID(in); got != want {
			t.Errorf("urlID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReason(t *testing.T) {
	for err, want := range map[error]string{
		nil:                                            "",
		wrap("u", &StatusError{Code: 503}, nil):        "http_status",
		wrap("u", ErrTimeout, nil):                     "timeout",
		wrap("u", ErrTooLarge, nil):                    "too_large",
		wrap("u", ErrRedirect, nil):                    "redirect",
		wrap("u", ErrConnection, nil):                  "connection",
		wrap("u", ErrRead, os.ErrNotExist):             "read_error",
		fmt.Errorf("ctx: %w", wrap("u", ErrFeed, nil)): "invalid_feed",
		errors.New("other"):                            "fetch_error",
	} {
		if got := Reason(err); got != want {
			t.Errorf("Reason(%v) = %q, want %q", err, got, want)
		}
	}
}

// ---- files ----

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ids(docs []*etl.Document) string {
	var s []string
	for _, d := range docs {
		s = append(s, d.ID)
	}
	return strings.Join(s, ",")
}

func tree(t *testing.T) string {
	dir := t.TempDir()
	for p, s := range map[string]string{
		"a.txt":          "Hòa Bình",
		"b/c.html":       "<p>c</p>",
		"b/d.csv":        "x,y",
		"b/n.golden":     "g",
		"b/m.json":       "{}",
		".hidden.txt":    "h",
		".git/config":    "x",
		"e":              "no extension",
		"sub/z.md":       "z",
		"sub/.secret.md": "s",
		"sub/q.HTM":      "<p>q</p>",
		"w.xhtml":        "<html/>",
	} {
		write(t, filepath.Join(dir, p), s)
	}
	return dir
}

func TestDirectory(t *testing.T) {
	dir := tree(t)
	docs := collect(t, []string{dir}, Options{})
	if got := ids(docs); got != "a,c,e,q,z,w" {
		t.Errorf("ids = %s", got)
	}
	for _, d := range docs {
		if d.FetchErr != nil || d.SHA256 != hashOf(d.Raw) || d.ModTime.IsZero() || !strings.HasPrefix(d.URI, dir) {
			t.Errorf("%s: %+v", d.ID, d)
		}
	}
	if docs[0].ContentType != "text/plain" || docs[1].ContentType != "text/html" || docs[3].ContentType != "text/html" {
		t.Errorf("content types %s %s %s", docs[0].ContentType, docs[1].ContentType, docs[3].ContentType)
	}
}

func TestGlobAndFile(t *testing.T) {
	dir := tree(t)
	if got := ids(collect(t, []string{filepath.Join(dir, "*")}, Options{})); got != "a,c,e,q,z,w" {
		t.Errorf("glob * = %s", got)
	}
	if got := ids(collect(t, []string{filepath.Join(dir, "b", "*.*")}, Options{})); got != "c" {
		t.Errorf("glob b/*.* = %s", got)
	}
	d := one(t, filepath.Join(dir, "a.txt"), Options{})
	if d.ID != "a" || string(d.Raw) != "Hòa Bình" {
		t.Errorf("file: %+v", d)
	}
	// Named explicitly, even a non-report extension is read.
	if d := one(t, filepath.Join(dir, "b", "d.csv"), Options{}); d.FetchErr != nil || d.ID != "d" {
		t.Errorf("explicit csv: %+v", d)
	}
	// Specs are read in the order given.
	if got := ids(collect(t, []string{filepath.Join(dir, "e"), filepath.Join(dir, "a.txt")}, Options{})); got != "e,a" {
		t.Errorf("order = %s", got)
	}
}

func TestSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a", "x.txt"), "x")
	write(t, filepath.Join(dir, "b", "y.txt"), "y")
	for link, target := range map[string]string{
		"a/to_b":   "../b",
		"b/to_a":   "../a",
		"a/self":   ".",
		"a/parent": "..",
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skip("symlinks unsupported:", err)
		}
	}
	docs := collect(t, []string{dir}, Options{})
	if len(docs) == 0 || len(docs) > 20 {
		t.Errorf("got %d documents: %s", len(docs), ids(docs))
	}
}

func TestUnreadable(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.txt"), "a")
	write(t, filepath.Join(dir, "c.txt"), "c")
	if err := os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "b.txt")); err != nil {
		t.Skip(err)
	}
	locked := filepath.Join(dir, "d.txt")
	write(t, locked, "d")
	os.Chmod(locked, 0)
	docs := collect(t, []string{dir}, Options{})
	if got := ids(docs); got != "a,b,c,d" {
		t.Fatalf("ids = %s", got)
	}
	if Reason(docs[1].FetchErr) != "read_error" || docs[1].Raw != nil {
		t.Errorf("dangling link: %+v", docs[1])
	}
	if os.Geteuid() != 0 && Reason(docs[3].FetchErr) != "read_error" { // root reads anything
		t.Errorf("mode 000: %+v", docs[3])
	}
	if docs[0].FetchErr != nil || docs[2].FetchErr != nil {
		t.Errorf("the run must go on: %v %v", docs[0].FetchErr, docs[2].FetchErr)
	}
}

func TestFileTooLarge(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "big.txt"), strings.Repeat("x", 100))
	d := one(t, filepath.Join(dir, "big.txt"), Options{MaxBytes: 10})
	if Reason(d.FetchErr) != "too_large" || d.Raw != nil {
		t.Errorf("%+v", d)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, specs := range [][]string{
		nil,
		{filepath.Join(t.TempDir(), "nope")},
		{"[bad"},
		{"ftp://example.invalid/x"},
		{"http://"},
	} {
		if _, err := Open(specs, Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", specs)
		}
	}
}

func TestStopAndCancel(t *testing.T) {
	dir := tree(t)
	src, err := Open([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	n := 0
	err = src.Documents(context.Background(), func(*etl.Document) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("yield error: %v after %d", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := src.Documents(ctx, func(*etl.Document) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@example.org/a?b=1": "https://user:xxxxx@example.org/a?b=1",
		"http://example.org/x":                  "http://example.org/x",
		"testdata/reports/a.txt":                "testdata/reports/a.txt",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// knownFiles answers Validators from the ETags of an earlier read.
type knownFiles map[string]string

func (knownFiles) HasContent(string, string) bool           { return false }
func (k knownFiles) Validators(uri string) (string, string) { return k[uri], "" }

func TestFileValidators(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	write(t, p, body)
	first := one(t, p, Options{})
	if first.ETag == "" || first.LastModified == "" || string(first.Raw) != body || first.NotModified {
		t.Fatalf("first read: %+v", first)
	}
	k := knownFiles{p: first.ETag}
	// Same size and mtime: not modified, not read; the same for a directory walk.
	for _, spec := range []string{p, dir} {
		d := one(t, spec, Options{Known: k})
		if !d.NotModified || d.Raw != nil || d.SHA256 != "" || d.ETag != first.ETag || d.ID != "a" {
			t.Errorf("%s unchanged: %+v", spec, d)
		}
	}
	// --source.rehash reads it anyway.
	if d := one(t, p, Options{Known: k, Rehash: true}); d.NotModified || string(d.Raw) != body {
		t.Errorf("rehash: %+v", d)
	}
	// Rewritten with the same size but a later mtime: read again.
	changed := strings.Replace(body, "1.234", "1.235", 1)
	write(t, p, changed)
	later := first.ModTime.Add(2 * time.Second)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	d := one(t, p, Options{Known: k})
	if d.NotModified || string(d.Raw) != changed || d.ETag == first.ETag {
		t.Errorf("changed: %+v", d)
	}
}

// TestReadAheadOrder: files read on several goroutines still come out in
// walk order.
func TestReadAheadOrder(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := range 300 {
		id := fmt.Sprintf("r%04d", i)
		want = append(want, id)
		write(t, filepath.Join(dir, id+".txt"), strings.Repeat("x", i*37%4096+1))
	}
	docs := collect(t, []string{dir}, Options{})
	if got := ids(docs); got != strings.Join(want, ",") {
		t.Errorf("order: %s", got)
	}
	for _, d := range docs {
		if d.FetchErr != nil || d.SHA256 != hashOf(d.Raw) {
			t.Errorf("%s: %+v", d.ID, d)
		}
	}
}
