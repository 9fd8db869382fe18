package job

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// fakeObs records what the exporter would be told.
type fakeObs struct {
	mu      sync.Mutex
	runs    []etl.RunStats
	skipped int
	latest  int
}

func (o *fakeObs) ObserveRun(s etl.RunStats) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.runs = append(o.runs, s)
}

func (o *fakeObs) SetLatest(v []etl.LatestValue) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.latest = len(v)
}

func (o *fakeObs) RunSkipped() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.skipped++
}

func (o *fakeObs) snapshot() (runs []etl.RunStats, skipped int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]etl.RunStats(nil), o.runs...), o.skipped
}

func (o *fakeObs) statuses() []string {
	runs, _ := o.snapshot()
	var s []string
	for _, r := range runs {
		s = append(s, r.Status)
	}
	return s
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openWH(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Path: filepath.Join(t.TempDir(), "w.duckdb"),
		Threads: 2, ExtractorVersion: etl.ExtractorVersion})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func reports(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "reports"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// evalCopy copies the eval texts into a fresh directory: enough documents
// for a run that lasts a while when Progress slows it down.
func evalCopy(t *testing.T) string {
	t.Helper()
	src, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "eval", "texts", "*.txt"))
	if len(src) == 0 {
		t.Fatal("no eval texts")
	}
	dir := t.TempDir()
	for _, s := range src {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(s)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func scalar(t *testing.T, w *warehouse.Warehouse, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestOverlappingRunFailsFast: a run requested while one is in progress
// returns ErrRunning at once, is counted as skipped and leaves no trace in
// the warehouse; the first run is unaffected.
func TestOverlappingRunFailsFast(t *testing.T) {
	w := openWH(t)
	obs := &fakeObs{}
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	j := New(w, Config{Sources: []string{reports(t)}, Workers: 2, Logger: quiet, Progress: func(int, *etl.Outcome) {
		once.Do(func() { close(started); <-release })
	}}, obs)
	done := make(chan error, 1)
	go func() { _, err := j.Run(context.Background()); done <- err }()
	<-started
	t0 := time.Now()
	if _, err := j.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second run: %v, want ErrRunning", err)
	}
	if d := time.Since(t0); d > time.Second {
		t.Errorf("refusing the overlapping run took %s", d)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first run: %v", err)
	}
	runs, skipped := obs.snapshot()
	if skipped != 1 || len(runs) != 1 || runs[0].Status != etl.RunSuccess {
		t.Fatalf("skipped=%d runs=%v", skipped, obs.statuses())
	}
	if n := scalar(t, w, `SELECT count(*) FROM load_run`); n != 1 {
		t.Errorf("%d load_run rows, want 1", n)
	}
}

// TestSchedulerSkipsOverlap: with a schedule faster than a run, the ticks
// that fall inside a run are skipped (cron.SkipIfStillRunning and the
// start-up run's lock) and counted; the schedule then goes on.
func TestSchedulerSkipsOverlap(t *testing.T) {
	w := openWH(t)
	obs := &fakeObs{}
	var mu sync.Mutex
	slow := true
	j := New(w, Config{Sources: []string{reports(t)}, Workers: 2, Logger: quiet, Progress: func(int, *etl.Outcome) {
		mu.Lock()
		s := slow
		mu.Unlock()
		if s {
			time.Sleep(600 * time.Millisecond) // 5 documents: a 3 s run
		}
	}}, obs)
	s, err := NewScheduler(j, "@every 1s", time.UTC, quiet)
	if err != nil {
		t.Fatal(err)
	}
	// A recent success: no start-up run, the first tick starts a run and
	// the next ones find it running.
	s.Start(time.Now())
	deadline := time.Now().Add(20 * time.Second)
	for {
		runs, skipped := obs.snapshot()
		if len(runs) >= 1 && skipped >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: runs %v, skipped %d", obs.statuses(), skipped)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	slow = false
	mu.Unlock()
	// Unchanged documents: the next runs are quick and succeed.
	want := len(obs.statuses()) + 2
	for len(obs.statuses()) < want {
		if time.Now().After(deadline) {
			t.Fatalf("schedule did not go on: %v", obs.statuses())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop(10 * time.Second)
	for _, st := range obs.statuses() {
		if st != etl.RunSuccess {
			t.Errorf("run statuses %v, want all success", obs.statuses())
			break
		}
	}
	_, skipped := obs.snapshot()
	if n := scalar(t, w, `SELECT count(*) FROM load_run`); n != len(obs.statuses()) {
		t.Errorf("%d load_run rows for %d runs (%d skipped)", n, len(obs.statuses()), skipped)
	}
	t.Logf("%d runs, %d skipped ticks", len(obs.statuses()), skipped)
}

// TestStartupRunSkipsTick: the start-up run is not a cron entry, so a tick
// during it is refused by the job's lock and counted the same way.
func TestStartupRunSkipsTick(t *testing.T) {
	w := openWH(t)
	obs := &fakeObs{}
	j := New(w, Config{Sources: []string{reports(t)}, Workers: 2, Logger: quiet, Progress: func(int, *etl.Outcome) {
		time.Sleep(500 * time.Millisecond)
	}}, obs)
	s, err := NewScheduler(j, "@every 1s", time.UTC, quiet)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(time.Time{}) // never succeeded: runs at once
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, skipped := obs.snapshot()
		if skipped >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no skipped tick: %v", obs.statuses())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop(30 * time.Second)
	if st := obs.statuses(); len(st) == 0 || st[0] != etl.RunSuccess {
		t.Fatalf("start-up run: %v", st)
	}
}

// TestFailedRunKeepsDataAndNextSucceeds: a run whose source fails, and a
// run cancelled half-way, are reported failed, change no data, and the
// next run succeeds.
func TestFailedRunKeepsDataAndNextSucceeds(t *testing.T) {
	w := openWH(t)
	obs := &fakeObs{}
	ctx := context.Background()
	first := New(w, Config{Sources: []string{reports(t)}, Workers: 2, Logger: quiet}, obs)
	if _, err := first.Run(ctx); err != nil {
		t.Fatal(err)
	}
	facts := scalar(t, w, `SELECT count(*) FROM fact_indicator`)

	// 1. A source that does not exist.
	missing := filepath.Join(t.TempDir(), "later")
	bad := New(w, Config{Sources: []string{missing}, Workers: 2, Logger: quiet}, obs)
	if _, err := bad.Run(ctx); err == nil {
		t.Fatal("run with a missing source succeeded")
	}
	// 2. Cancelled after 10 of 48 documents.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	corpus := evalCopy(t)
	cancelled := New(w, Config{Sources: []string{corpus}, Workers: 2, Logger: quiet, Progress: func(n int, _ *etl.Outcome) {
		if n == 10 {
			cancel()
		}
	}}, obs)
	st, err := cancelled.Run(cctx)
	if err == nil {
		t.Fatal("cancelled run succeeded")
	}
	if got := scalar(t, w, `SELECT count(*) FROM fact_indicator`); got != facts {
		t.Fatalf("failed runs changed the facts: %d → %d", facts, got)
	}
	if st.RunID != 0 {
		if got := scalar(t, w, `SELECT count(*) FROM load_run WHERE run_id = $1 AND status = 'failed' AND error <> ''`, st.RunID); got != 1 {
			t.Errorf("cancelled run %d not recorded as failed with its error", st.RunID)
		}
	}
	// 3. The next run succeeds.
	if err := os.MkdirAll(missing, 0o755); err != nil {
		t.Fatal(err)
	}
	next := New(w, Config{Sources: []string{corpus, missing}, Workers: 2, Logger: quiet}, obs)
	if _, err := next.Run(ctx); err != nil {
		t.Fatalf("next run: %v", err)
	}
	want := []string{etl.RunSuccess, etl.RunFailed, etl.RunFailed, etl.RunSuccess}
	if got := obs.statuses(); len(got) != len(want) || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("observed %v, want %v", got, want)
	}
	if scalar(t, w, `SELECT count(*) FROM fact_indicator`) <= facts {
		t.Error("the run after the failures loaded nothing new")
	}
}

// TestStopCancelsRunningRun: on shutdown a run that outlives the timeout is
// cancelled and rolled back; Stop returns.
func TestStopCancelsRunningRun(t *testing.T) {
	w := openWH(t)
	obs := &fakeObs{}
	started := make(chan struct{})
	var once sync.Once
	j := New(w, Config{Sources: []string{evalCopy(t)}, Workers: 2, Logger: quiet, Progress: func(int, *etl.Outcome) {
		once.Do(func() { close(started) })
		time.Sleep(100 * time.Millisecond) // 48 documents: ~5 s
	}}, obs)
	s, err := NewScheduler(j, "@every 1h", time.UTC, quiet)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(time.Time{})
	<-started
	t0 := time.Now()
	s.Stop(200 * time.Millisecond)
	if d := time.Since(t0); d > 4*time.Second {
		t.Errorf("Stop took %s", d)
	}
	if st := obs.statuses(); len(st) != 1 || st[0] != etl.RunFailed {
		t.Fatalf("runs %v, want one failed", st)
	}
	if n := scalar(t, w, `SELECT count(*) FROM fact_indicator`); n != 0 {
		t.Errorf("cancelled run left %d facts", n)
	}
	if n := scalar(t, w, `SELECT count(*) FROM load_run WHERE status = 'failed'`); n != 1 {
		t.Errorf("%d failed runs recorded, want 1", n)
	}
}
