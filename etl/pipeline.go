package etl

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"
)

// PipelineOptions configure the read → decode → extract stages.
type PipelineOptions struct {
	Workers   int // decode+extract goroutines; 0 means GOMAXPROCS
	Decode    DecodeOptions
	Known     Known // nil means an empty warehouse
	Extractor *Extractor
}

// Timing is the wall time the sequential fetch stage took; per-document
// decode and extract times travel on each Outcome.
type Timing struct {
	Fetch time.Duration
}

// Pipeline streams the documents of src through decoding and extraction on
// several goroutines and sends one Outcome per document to out, in no
// particular order. Channels are bounded, so memory does not grow with the
// corpus. It closes out when done. A document-level failure becomes a
// rejected Outcome; only a failure of the source itself is returned.
func Pipeline(ctx context.Context, src Source, o PipelineOptions, out chan<- Outcome) (Timing, error) {
	defer close(out)
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	known := o.Known
	if known == nil {
		known = NoneKnown{}
	}
	x := o.Extractor
	if x == nil {
		x = NewExtractor(Ref())
	}
	docs := make(chan *Document, workers*2)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for doc := range docs {
				oc := Process(doc, known, o.Decode, x)
				select {
				case out <- oc:
				case <-ctx.Done():
				}
			}
		}()
	}
	var t Timing
	start := time.Now()
	var fetchBusy time.Duration
	last := time.Now()
	err := src.Documents(ctx, func(doc *Document) error {
		fetchBusy += time.Since(last)
		defer func() { last = time.Now() }()
		select {
		case docs <- doc:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(docs)
	wg.Wait()
	t.Fetch = fetchBusy
	if t.Fetch > time.Since(start) {
		t.Fetch = time.Since(start)
	}
	if err == nil {
		err = ctx.Err()
	}
	return t, err
}

// Process runs one document through the pure stages.
func Process(doc *Document, known Known, dopt DecodeOptions, x *Extractor) Outcome {
	oc := Outcome{Doc: doc}
	switch {
	case doc.FetchErr != nil:
		oc.Status = StatusRejected
		oc.Rejects = []Reject{{Doc: doc.ID, URI: doc.URI, Stage: StageFetch, Reason: fetchReason(doc.FetchErr), Detail: doc.FetchErr.Error()}}
		return oc
	case doc.NotModified:
		oc.Status = StatusUnchanged
		return oc
	case known.HasContent(doc.ID, doc.SHA256):
		oc.Status = StatusUnchanged
		doc.Raw = nil // the loader needs only the identity
		return oc
	}
	t0 := time.Now()
	text, rej := Decode(doc, dopt)
	oc.DecodeTime = time.Since(t0)
	if rej != nil {
		oc.Status = StatusRejected
		if rej.Doc == "" {
			rej.Doc, rej.URI = doc.ID, doc.URI
		}
		oc.Rejects = []Reject{*rej}
		return oc
	}
	doc.Raw = nil // decoded: free the bytes before the loader queue holds them
	t1 := time.Now()
	ex := x.Extract(doc.ID, text)
	oc.ExtractTime = time.Since(t1)
	oc.Text, oc.Extraction = text, ex
	oc.Status = StatusLoaded
	for _, n := range ex.Notes {
		if !n.Reject {
			continue
		}
		reason, _, _ := strings.Cut(n.Reason, ":")
		oc.Rejects = append(oc.Rejects, Reject{Doc: doc.ID, URI: doc.URI, Stage: StageExtract, Reason: reason, Detail: n.Reason, Snippet: snippetAround(text.Body, n.SpanStart, n.SpanEnd)})
	}
	if len(ex.Notes) > 0 && len(ex.Facts) == 0 && strings.HasPrefix(ex.Notes[0].Reason, "too_many_numbers") {
		oc.Status = StatusRejected
	}
	return oc
}

// fetchReason derives a short reason from a source error; sources may
// attach one by implementing Reason() string.
func fetchReason(err error) string {
	var r interface{ Reason() string }
	if errors.As(err, &r) {
		return r.Reason()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "read_error"
}

// snippetAround returns up to 60 characters either side of a rune span.
func snippetAround(body string, s, e int) string {
	rs := []rune(body)
	if s < 0 || e > len(rs) || s > e {
		return ""
	}
	a, b := max(0, s-60), min(len(rs), e+60)
	return strings.TrimSpace(strings.ReplaceAll(string(rs[a:b]), "\n", " "))
}
