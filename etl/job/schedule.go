package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Scheduler runs a Job on a cron schedule in a time zone.
type Scheduler struct {
	c      *cron.Cron
	sched  cron.Schedule
	loc    *time.Location
	job    *Job
	log    *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
}

// NewScheduler parses spec (standard 5-field cron or a descriptor such as
// "@every 1h") in loc. Overlapping runs are skipped (and counted by the
// observer); a panicking run is recovered and logged.
func NewScheduler(j *Job, spec string, loc *time.Location, log *slog.Logger) (*Scheduler, error) {
	if log == nil {
		log = slog.Default()
	}
	sched, err := ParseSchedule(spec)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{job: j, sched: sched, loc: loc, log: log, ctx: ctx, cancel: cancel}
	cl := cronLogger{log: log, skipped: func() {
		if j.obs != nil {
			j.obs.RunSkipped()
		}
	}}
	s.c = cron.New(cron.WithLocation(loc), cron.WithParser(parser), cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	if _, err := s.c.AddFunc(spec, s.runOnce); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scheduler) runOnce() {
	if _, err := s.job.Run(s.ctx); err != nil && errors.Is(err, ErrRunning) {
		s.log.Warn("scheduled run skipped: a run is still in progress")
	}
}

// parser reads 5-field cron specs and descriptors ("@every 1h", "@daily").
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses an --etl.schedule value.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("--etl.schedule %q: %w", spec, err)
	}
	return s, nil
}

// Interval is the time between two consecutive scheduled runs after now.
func (s *Scheduler) Interval(now time.Time) time.Duration {
	a := s.sched.Next(now.In(s.loc))
	return s.sched.Next(a).Sub(a)
}

// Next is the next scheduled run after now.
func (s *Scheduler) Next(now time.Time) time.Time { return s.sched.Next(now.In(s.loc)) }

// Start starts the schedule. If lastSuccess is older than one schedule
// interval it runs at once, since cron never replays missed runs.
func (s *Scheduler) Start(lastSuccess time.Time) {
	now := time.Now()
	if lastSuccess.IsZero() || now.Sub(lastSuccess) > s.Interval(now) {
		s.log.Info("last successful load is older than one schedule interval: running now", "last_success", lastSuccess)
		go s.runOnce()
	}
	s.c.Start()
	s.log.Info("scheduler started", "next_run", s.Next(now))
}

// Stop takes no new runs, waits up to timeout for the running one to
// finish, then cancels it (the warehouse rolls it back) and waits for that.
func (s *Scheduler) Stop(timeout time.Duration) {
	done := s.c.Stop().Done()
	// the start-up run is not a cron entry: wait for the job lock as well
	idle := make(chan struct{})
	go func() {
		<-done
		s.job.mu.Lock() // held while a run is in progress: acquiring it waits for the run
		defer s.job.mu.Unlock()
		close(idle)
	}()
	select {
	case <-idle:
	case <-time.After(timeout):
		s.log.Warn("shutdown timeout: cancelling the running ETL run", "timeout", timeout)
		s.cancel()
		<-idle
	}
	s.cancel()
}

// cronLogger routes cron's logs to slog and counts the runs that
// cron.SkipIfStillRunning skips (it logs them as "skip").
type cronLogger struct {
	log     *slog.Logger
	skipped func()
}

func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		c.skipped()
		c.log.Warn("scheduled run skipped: the previous run is still in progress")
		return
	}
	c.log.Debug("cron: "+msg, kv...)
}

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.log.Error("cron: "+msg, append(kv, "err", err)...)
}
