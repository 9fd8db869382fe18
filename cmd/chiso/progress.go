package main

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/chiso-vn/chiso/etl"
)

// progress reports a load's advance: a bar with documents/s and ETA when w
// is a terminal, otherwise a log line every logEvery.
type progress struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar // nil when not a terminal
	logger   *slog.Logger
	total    int // estimated documents; 0 = unknown
	start    time.Time
	lastLog  time.Time
	logEvery time.Duration
	done     int
	rejected int
	facts    int
}

// isTerminal reports whether w is a character device we may draw on.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress prepares the reporting of one load over paths. The total is
// an estimate from the local files (see countDocuments), used for the ETA.
func newProgress(w io.Writer, logger *slog.Logger, paths []string) *progress {
	p := &progress{logger: logger, total: countDocuments(paths), start: time.Now(), logEvery: 5 * time.Second}
	p.lastLog = p.start
	if !isTerminal(w) {
		return p
	}
	max := p.total
	if max == 0 {
		max = -1 // unknown: a spinner with the count and rate
	}
	p.bar = progressbar.NewOptions(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("loading"),
		progressbar.OptionSetItsString("docs"),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return p
}

// observe is the job.Config.Progress callback: called after each document.
func (p *progress) observe(done int, o *etl.Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	if o != nil {
		if o.Status == etl.StatusRejected {
			p.rejected++
		}
		if o.Extraction != nil {
			p.facts += len(o.Extraction.Facts)
		}
	}
	if p.bar != nil {
		if p.total > 0 && done > p.total { // the estimate was short
			p.total = done
			p.bar.ChangeMax(done)
		}
		p.bar.Describe(fmt.Sprintf("loading (%d facts, %d rejected)", p.facts, p.rejected))
		_ = p.bar.Set(done)
		return
	}
	now := time.Now()
	if now.Sub(p.lastLog) < p.logEvery {
		return
	}
	p.lastLog = now
	p.logger.Info("load progress", p.attrs(now)...)
}

func (p *progress) attrs(now time.Time) []any {
	el := now.Sub(p.start)
	rate := 0.0
	if el > 0 {
		rate = float64(p.done) / el.Seconds()
	}
	a := []any{"docs", p.done}
	if p.total > 0 {
		a = append(a, "docs_total_estimate", p.total)
	}
	a = append(a, "docs_per_second", math.Round(rate*10)/10, "facts", p.facts, "rejected", p.rejected)
	if p.total > p.done && rate > 0 {
		a = append(a, "eta", (time.Duration(float64(p.total-p.done) / rate * float64(time.Second))).Round(time.Second))
	}
	return a
}

// finish closes the bar (documents are all extracted; the load goes on
// with the merge and the checks).
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Close()
		p.bar = nil
	}
}

// countDocuments estimates how many documents the local paths hold, with
// the source's rules (report-like extensions, no hidden entries). URLs and
// feeds are not counted: with one among the paths the total is unknown (0).
func countDocuments(paths []string) int {
	n := 0
	for _, p := range paths {
		if strings.Contains(p, "://") {
			return 0
		}
		matches := []string{p}
		if strings.ContainsAny(p, "*?[") {
			matches, _ = filepath.Glob(p)
		}
		for _, m := range matches {
			fi, err := os.Stat(m)
			switch {
			case err != nil:
				n++ // recorded as a fetch reject
			case !fi.IsDir():
				n++
			default:
				_ = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
					if err != nil {
						return nil
					}
					name := d.Name()
					if path != m && strings.HasPrefix(name, ".") {
						if d.IsDir() {
							return filepath.SkipDir
						}
						return nil
					}
					if !d.IsDir() && reportLikeName(name) {
						n++
					}
					return nil
				})
			}
		}
	}
	return n
}

// reportLikeName mirrors the extensions etl/source reads from directories.
func reportLikeName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".md", ".html", ".htm", ".xhtml", "":
		return true
	}
	return false
}

// writeSummary prints the final table of a load run.
func writeSummary(w io.Writer, s etl.RunStats, published string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	status := s.Status
	if status == "" {
		status = etl.RunSuccess
	}
	dur := s.Finished.Sub(s.Started).Round(time.Millisecond)
	fmt.Fprintf(tw, "run %d\t%s in %s\n", s.RunID, status, dur)
	fmt.Fprintf(tw, "documents\tseen %d, loaded %d, unchanged %d, rejected %d\n", s.DocsSeen, s.DocsLoaded, s.DocsUnchanged, s.DocsRejected)
	fmt.Fprintf(tw, "facts\twritten %d, alternative readings %d, warehouse total %d\n", s.Facts, s.Candidates, s.TotalFacts)
	if len(s.RejectsByReason) > 0 {
		reasons := make([]string, 0, len(s.RejectsByReason))
		for r := range s.RejectsByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		parts := make([]string, len(reasons))
		for i, r := range reasons {
			parts[i] = fmt.Sprintf("%s %d", r, s.RejectsByReason[r])
		}
		fmt.Fprintf(tw, "rejects\t%s\n", strings.Join(parts, ", "))
	} else {
		fmt.Fprintf(tw, "rejects\tnone\n")
	}
	var st []string
	for _, name := range etl.Stages {
		st = append(st, fmt.Sprintf("%s %s", name, (time.Duration(s.StageSeconds[name]*float64(time.Second))).Round(time.Millisecond)))
	}
	fmt.Fprintf(tw, "stages\t%s\n", strings.Join(st, ", "))
	checks := "all pass"
	if s.DataCheckFailures > 0 {
		checks = fmt.Sprintf("%d failing (see data_check_result)", s.DataCheckFailures)
	}
	fmt.Fprintf(tw, "data checks\t%s\n", checks)
	if published != "" {
		fmt.Fprintf(tw, "published\t%s\n", published)
	}
	return tw.Flush()
}
