package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// TestCrashKill SIGKILLs real `chiso load` processes at moments spread over
// a whole run — process start, opening, extraction and staging inside the
// transaction, the commit itself, the checkpoint after it, the publication
// of the analytics copy — and checks after every kill that
//
//   - the working file opens and chiso marks the killed run "abandoned"
//     (or finds it "success" when the kill came after the commit);
//   - every SQL data check passes;
//   - the facts and loaded documents are exactly those of the previous
//     completed run or of the killed run's complete input, never a mix, and
//     agree with the run's status;
//   - the published analytics copy, if any, is one of those two states too;
//   - the next `chiso load` completes and leaves exactly the new state.
//
// Two corpora A and B hold the same document ids with different content
// and paths, and the runs alternate between them, so every killed run is a
// reload of every document and every state is distinguishable.
//
// Kill moments: about two thirds are at stratified random times in
// [0, 0.97·D], D being the duration of an unkilled reload run; the others
// are triggered by watching the files — the WAL growing during COMMIT (at
// 0 %, 50 % and 100 % of its final size), the working file being written by
// the checkpoint, and the analytics copy being written and renamed. No hook
// in the production code is used.
//
// CI size: 24 kills on 288 documents (about 90 s). Longer:
//
//	CHISO_CRASH_KILLS=100 CHISO_CRASH_COPIES=42 go test ./cmd/chiso -run TestCrashKill -v -timeout 1h
func TestCrashKill(t *testing.T) {
	kills := envInt(t, "CHISO_CRASH_KILLS", 24)
	copies := envInt(t, "CHISO_CRASH_COPIES", 6) // × 48 eval texts
	if testing.Short() {
		kills = min(kills, 6)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CHISO_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d (CHISO_CRASH_SEED to replay), %d kills, %d copies", seed, kills, copies)

	dir := t.TempDir()
	corpus := map[string]string{"A": filepath.Join(dir, "A"), "B": filepath.Join(dir, "B")}
	n := makeCorpus(t, corpus["A"], copies, "A")
	makeCorpus(t, corpus["B"], copies, "B")
	db := filepath.Join(dir, "work", "chiso.duckdb")
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		t.Fatal(err)
	}
	ap := analyticsPath(db)
	loadArgs := func(c string) []string {
		return []string{"--db.path=" + db, "--db.threads=2", "--etl.workers=2", "--log.level=warn", "load", corpus[c]}
	}

	// Reference runs: A from scratch, then B (a reload of every document,
	// the shape of every killed run), watched to learn the timeline.
	t0 := time.Now()
	mustRun(t, dir, 5*time.Minute, loadArgs("A")...)
	t.Logf("first load %s", time.Since(t0).Round(time.Millisecond))
	fp := map[string]fingerprint{"A": committedState(t, db)}
	ref := watchRun(t, dir, db, loadArgs("B"), nil)
	if ref.code != 0 {
		t.Fatalf("reference run of B failed:\n%s", ref.stderr)
	}
	fp["B"] = committedState(t, db)
	if fp["A"] == fp["B"] || fp["A"].Facts == 0 {
		t.Fatalf("corpora A and B must give different, non-empty states: %v / %v", fp["A"], fp["B"])
	}
	D := ref.dur
	t.Logf("%d documents per corpus; A: %v; B: %v", n, fp["A"], fp["B"])
	t.Logf("reference reload run: %s; WAL peaks at %d KiB; phases %s", D.Round(time.Millisecond), ref.maxWAL>>10, ref.timeline())

	// The kill plan.
	events := []trigger{commitTrigger(0, ref.maxWAL), commitTrigger(0.5, ref.maxWAL), commitTrigger(1, ref.maxWAL),
		checkpointTrigger(), publishTrigger(), publishedTrigger()}
	var plan []trigger
	nTimed := kills - min(len(events), kills/3)
	for j := range nTimed {
		u := (float64(j) + rng.Float64()) / float64(nTimed)
		if j == 0 {
			u = 0
		}
		plan = append(plan, timeTrigger(time.Duration(u*0.97*float64(D))))
	}
	for i := 0; len(plan) < kills; i++ {
		plan = append(plan, events[i%len(events)])
	}
	rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })

	prev := "B"
	byPhase := map[string]int{}
	byOutcome := map[string]int{}
	killed, missed := 0, 0
	for i := 0; killed < kills; i++ {
		if i >= 2*kills {
			t.Fatalf("only %d of %d planned kills landed (%d runs finished first)", killed, kills, missed)
		}
		target := map[string]string{"A": "B", "B": "A"}[prev]
		tr := plan[i%len(plan)]
		t0 := time.Now()
		prevRun := lastRunID(t, db)
		w := watchRun(t, dir, db, loadArgs(target), &tr)
		if !w.killed {
			// the run finished before the trigger fired: not a kill
			missed++
			if w.code != 0 {
				t.Fatalf("unkilled run failed:\n%s", w.stderr)
			}
			prev = target
			continue
		}
		killed++
		byPhase[w.phase]++
		got, k, hasRow := verifyAfterKill(t, db, ap, prevRun, w.pid, fp[prev], fp[target])
		byOutcome[got]++
		t.Logf("kill %2d: %-22s at %6s in phase %-10s → state of the %s run (verified in %s)", killed, tr.name,
			w.dur.Round(time.Millisecond), w.phase, got, time.Since(t0).Round(time.Millisecond))

		// The next run completes and leaves exactly the target state.
		mustRun(t, dir, 5*time.Minute, loadArgs(target)...)
		if hasRow {
			verifyMarked(t, db, k)
		}
		if got := committedState(t, db); got != fp[target] {
			t.Fatalf("after the run following kill %d: %v, want %v", killed, got, fp[target])
		}
		checkAnalytics(t, ap, fp[target])
		for _, f := range []string{ap + ".publishing", ap + ".publishing.wal", db + ".wal"} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("after a completed run %s is left behind", f)
			}
		}
		prev = target
	}
	t.Logf("SURVIVED %d kills (%d runs finished before their kill moment): by phase %v; state found %v",
		killed, missed, byPhase, byOutcome)
	for _, ph := range []string{"load", "commit", "publish"} {
		if byPhase[ph] == 0 && kills >= 20 {
			t.Errorf("no kill landed in phase %s: %v", ph, byPhase)
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// makeCorpus writes copies × the eval texts into dir, each with a suffix
// naming the copy and the variant, so ids repeat across variants but
// contents (hashes) and paths do not.
func makeCorpus(t *testing.T, dir string, copies int, variant string) int {
	t.Helper()
	src, err := filepath.Glob(repoPath(t, "testdata", "eval", "texts", "*.txt"))
	if err != nil || len(src) == 0 {
		t.Fatalf("no eval texts: %v", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	for c := 1; c <= copies; c++ {
		for _, s := range src {
			base := strings.TrimSuffix(filepath.Base(s), ".txt")
			copyFile(t, s, filepath.Join(dir, fmt.Sprintf("%s_c%03d.txt", base, c)),
				fmt.Sprintf("\n\nBản sao số %d, phiên bản %s.\n", c, variant))
			n++
		}
	}
	return n
}

// committedState checks the working file after a completed run and
// returns its fingerprint: every data check passes, no run is left
// "running".
func committedState(t *testing.T, db string) fingerprint {
	t.Helper()
	d := openReadOnly(t, db)
	defer d.Close()
	ctx := context.Background()
	checkData(t, d)
	f, err := readFingerprint(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var running int
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM load_run WHERE status = 'running'`).Scan(&running); err != nil {
		t.Fatal(err)
	}
	if running != 0 {
		t.Errorf("%d runs still 'running' after a completed run", running)
	}
	return f
}

// checkData runs every SQL data check.
func checkData(t *testing.T, d *sql.DB) {
	t.Helper()
	res, err := warehouse.Checks(context.Background(), d)
	if err != nil {
		t.Fatalf("data checks: %v", err)
	}
	for _, r := range res {
		if r.FailingRows != 0 {
			t.Errorf("data check %s: %d failing rows", r.Name, r.FailingRows)
		}
	}
}

func lastRunID(t *testing.T, db string) int64 {
	t.Helper()
	d := openReadOnly(t, db)
	defer d.Close()
	var id int64
	if err := d.QueryRow(`SELECT coalesce(max(run_id), 0) FROM load_run`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// killedRun is the load_run row of a killed process, if it wrote one.
type killedRun struct {
	id     int64
	status string
	pid    int
}

func readKilledRun(t *testing.T, d *sql.DB, prevRun int64) (killedRun, bool) {
	t.Helper()
	var k killedRun
	var n int
	if err := d.QueryRow(`SELECT count(*) FROM load_run WHERE run_id > $1`, prevRun).Scan(&n); err != nil {
		t.Fatal(err)
	}
	switch n {
	case 0:
		return k, false
	case 1:
	default:
		t.Fatalf("%d new run rows for one killed process", n)
	}
	if err := d.QueryRow(`SELECT run_id, status, coalesce(pid, 0) FROM load_run WHERE run_id > $1`, prevRun).Scan(&k.id, &k.status, &k.pid); err != nil {
		t.Fatal(err)
	}
	return k, true
}

// verifyAfterKill checks the working file and the analytics copy as the
// killed process left them (opened read-only, so DuckDB replays the WAL but
// chiso repairs nothing) and says which state they hold: "previous" or
// "killed".
func verifyAfterKill(t *testing.T, db, ap string, prevRun int64, pid int, before, after fingerprint) (string, killedRun, bool) {
	t.Helper()
	ctx := context.Background()
	d := openReadOnly(t, db)
	defer d.Close()
	k, hasRow := readKilledRun(t, d, prevRun)
	if hasRow && k.pid != pid {
		t.Errorf("killed run recorded pid %d, the process was %d", k.pid, pid)
	}
	checkData(t, d)
	got, err := readFingerprint(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var which string
	switch got {
	case before:
		which = "previous"
		if hasRow && k.status != etl.RunRunning {
			t.Errorf("killed run holds the previous data but its status is %q, want running", k.status)
		}
	case after:
		which = "killed"
		if !hasRow || k.status != etl.RunSuccess {
			t.Errorf("killed run's data is committed but its status is %q (row %v), want success", k.status, hasRow)
		}
	default:
		t.Fatalf("after the kill the warehouse holds neither state:\n got    %v\n before %v\n after  %v", got, before, after)
	}
	d.Close()
	// The analytics copy, if any, is a whole state as well.
	if _, err := os.Stat(ap); err == nil {
		a := openReadOnly(t, ap)
		f, err := readFingerprint(ctx, a)
		a.Close()
		if err != nil {
			t.Fatalf("analytics copy unreadable after kill: %v", err)
		}
		if f != before && f != after {
			t.Fatalf("analytics copy holds neither state: %v", f)
		}
	}
	return which, k, hasRow
}

// verifyMarked checks, after the next run opened the file, that the killed
// run is recorded as abandoned (or kept its success).
func verifyMarked(t *testing.T, db string, k killedRun) {
	t.Helper()
	d := openReadOnly(t, db)
	defer d.Close()
	var status, msg string
	if err := d.QueryRow(`SELECT status, coalesce(error, '') FROM load_run WHERE run_id = $1`, k.id).Scan(&status, &msg); err != nil {
		t.Fatal(err)
	}
	want := etl.RunAbandoned
	if k.status == etl.RunSuccess {
		want = etl.RunSuccess
	}
	if status != want || (want == etl.RunAbandoned && msg == "") {
		t.Errorf("killed run %d: status %q (%q) after the next open, want %s with a reason", k.id, status, msg, want)
	}
}

func checkAnalytics(t *testing.T, ap string, want fingerprint) {
	t.Helper()
	d := openReadOnly(t, ap)
	defer d.Close()
	f, err := readFingerprint(context.Background(), d)
	if err != nil {
		t.Fatalf("analytics copy: %v", err)
	}
	if f != want {
		t.Fatalf("analytics copy %v, want %v", f, want)
	}
}

// files is what a watcher sees of a run at one moment.
type files struct {
	wal     int64 // -1: no WAL
	dbSize  int64
	dbMod   time.Time
	pub     bool // the analytics copy is being written
	pubSize int64
	pubWAL  int64
}

func look(db, ap string) files {
	f := files{wal: -1, pubWAL: -1}
	if fi, err := os.Stat(db + ".wal"); err == nil {
		f.wal = fi.Size()
	}
	if fi, err := os.Stat(db); err == nil {
		f.dbSize, f.dbMod = fi.Size(), fi.ModTime()
	}
	if fi, err := os.Stat(ap + ".publishing"); err == nil {
		f.pub, f.pubSize = true, fi.Size()
	}
	if fi, err := os.Stat(ap + ".publishing.wal"); err == nil {
		f.pubWAL = fi.Size()
	}
	return f
}

// commitFloor is the WAL size above which a run is committing: start-up
// and the run row write a few dozen KiB, the commit of a run megabytes.
const commitFloor = 256 << 10

// phaseTracker names the phase of a run from what its files show.
type phaseTracker struct {
	start                                    files
	sawWAL, sawCommit, sawCheckpoint, sawPub bool
	pubDone                                  bool
	phase                                    string
	changes                                  []string
	t0                                       time.Time
}

func (p *phaseTracker) update(f files) {
	if f.wal >= 0 {
		p.sawWAL = true
	}
	if f.wal >= commitFloor {
		p.sawCommit = true
	}
	if p.sawCommit && (f.dbSize != p.start.dbSize || !f.dbMod.Equal(p.start.dbMod) || f.wal < 0) {
		p.sawCheckpoint = true
	}
	if f.pub {
		p.sawPub = true
	} else if p.sawPub {
		p.pubDone = true
	}
	ph := "start"
	switch {
	case p.pubDone:
		ph = "closing"
	case p.sawPub:
		ph = "publish"
	case p.sawCheckpoint:
		ph = "checkpoint"
	case p.sawCommit:
		ph = "commit"
	case p.sawWAL:
		ph = "load"
	}
	if ph != p.phase {
		p.phase = ph
		p.changes = append(p.changes, fmt.Sprintf("%s@%s", ph, time.Since(p.t0).Round(time.Millisecond)))
	}
}

// trigger decides when to kill.
type trigger struct {
	name string
	at   time.Duration // for timed kills
	fire func(p *phaseTracker, f files, elapsed time.Duration) bool
}

func timeTrigger(d time.Duration) trigger {
	return trigger{name: "time " + d.Round(time.Millisecond).String(), at: d,
		fire: func(_ *phaseTracker, _ files, el time.Duration) bool { return el >= d }}
}

func commitTrigger(frac float64, maxWAL int64) trigger {
	limit := commitFloor + int64(frac*float64(max(maxWAL-commitFloor, 0)))
	return trigger{name: fmt.Sprintf("WAL at %d%% of commit", int(frac*100)),
		fire: func(_ *phaseTracker, f files, _ time.Duration) bool { return f.wal >= limit }}
}

func checkpointTrigger() trigger {
	return trigger{name: "checkpoint writing",
		fire: func(p *phaseTracker, _ files, _ time.Duration) bool { return p.sawCheckpoint }}
}

func publishTrigger() trigger {
	return trigger{name: "copy being written",
		fire: func(_ *phaseTracker, f files, _ time.Duration) bool { return f.pub && f.pubSize > 64<<10 }}
}

func publishedTrigger() trigger {
	return trigger{name: "copy renamed",
		fire: func(p *phaseTracker, _ files, _ time.Duration) bool { return p.pubDone }}
}

// watched is a run of chiso watched (and maybe killed).
type watched struct {
	pid    int
	killed bool
	phase  string // at the kill
	code   int
	dur    time.Duration
	stderr string
	maxWAL int64
	track  *phaseTracker
}

func (w watched) timeline() string { return strings.Join(w.track.changes, " ") }

// watchRun starts chiso with args, polls its files every 200µs and kills it
// with SIGKILL when tr fires (never if tr is nil).
func watchRun(t *testing.T, dir, db string, args []string, tr *trigger) watched {
	t.Helper()
	ap := analyticsPath(db)
	cmd := exec.Command(chisoBin(t), args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	p := &phaseTracker{start: look(db, ap)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.t0 = time.Now()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	w := watched{pid: cmd.Process.Pid, track: p}
	var err error
	deadline := time.After(5 * time.Minute)
loop:
	for {
		f := look(db, ap)
		p.update(f)
		w.maxWAL = max(w.maxWAL, f.wal)
		if tr != nil && tr.fire(p, f, time.Since(p.t0)) {
			if cmd.Process.Signal(syscall.SIGKILL) == nil {
				w.phase = p.phase
			}
			err = <-done
			w.killed = isKilled(err)
			break
		}
		select {
		case err = <-done:
			break loop
		case <-deadline:
			cmd.Process.Kill()
			<-done
			t.Fatalf("chiso %s: still running after 5 minutes\n%s", strings.Join(args, " "), stderr.String())
		case <-time.After(200 * time.Microsecond):
		}
	}
	w.dur = time.Since(p.t0)
	w.stderr = stderr.String()
	if !w.killed && err != nil {
		w.code = cmd.ProcessState.ExitCode()
	}
	return w
}

func isKilled(err error) bool {
	ee, ok := err.(*exec.ExitError)
	if !ok {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
