package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/chiso-vn/chiso/etl"
)

const maxBackoff = 30 * time.Second

type fetcher struct {
	opts   Options
	client *http.Client
}

func newFetcher(o Options) *fetcher {
	var c http.Client
	if o.Client != nil {
		c = *o.Client // a copy: the caller's redirect policy stays untouched
	} else {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if s := req.URL.Scheme; s != "http" && s != "https" {
			return fmt.Errorf("%w: refusing redirect to %s", ErrRedirect, req.URL.Redacted())
		}
		if len(via) > o.MaxRedirects {
			return fmt.Errorf("%w: more than %d redirects", ErrRedirect, o.MaxRedirects)
		}
		return nil
	}
	return &fetcher{opts: o, client: &c}
}

// documents fetches uri; a feed yields the pages of its items instead.
func (f *fetcher) documents(ctx context.Context, uri string, yield func(*etl.Document) error) error {
	d := f.fetch(ctx, uri)
	if d.FetchErr != nil || d.NotModified || !isFeed(d.ContentType, d.Raw) {
		return emit(ctx, d, yield)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(d.Raw))
	if err != nil {
		d.Raw, d.SHA256 = nil, ""
		d.FetchErr = wrap(uri, ErrFeed, err)
		return emit(ctx, d, yield)
	}
	base, _ := url.Parse(uri)
	seen := map[string]bool{}
	for _, it := range feed.Items {
		if len(seen) >= f.opts.MaxItems {
			slog.Warn("source: feed item cap reached", "feed", uri, "max", f.opts.MaxItems)
			break
		}
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = strings.TrimSpace(it.Links[0])
		}
		u, err := base.Parse(link)
		if link == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		u.Fragment = ""
		if seen[u.String()] {
			continue
		}
		seen[u.String()] = true
		if err := emit(ctx, f.fetch(ctx, u.String()), yield); err != nil {
			return err
		}
	}
	return nil
}

// isFeed decides from the content type, sniffing XML-ish bodies.
func isFeed(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	switch {
	case strings.Contains(ct, "rss"), strings.Contains(ct, "atom"), strings.Contains(ct, "feed+json"):
		return true
	case strings.Contains(ct, "html"):
		return false
	}
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	head = bytes.ToLower(head)
	return bytes.Contains(head, []byte("<rss")) || bytes.Contains(head, []byte("<feed")) || bytes.Contains(head, []byte("<rdf:rdf"))
}

// fetch GETs one URI with retries; failures end up in Document.FetchErr.
func (f *fetcher) fetch(ctx context.Context, uri string) *etl.Document {
	d := &etl.Document{ID: urlID(uri), URI: Redact(uri)}
	etag, lastMod := f.opts.Known.Validators(d.URI)
	delay := f.opts.Backoff
	for attempt := 0; ; attempt++ {
		retry, wait, err := f.once(ctx, d, etag, lastMod)
		if err == nil {
			d.FetchErr = nil
			return d
		}
		d.FetchErr = err
		if !retry || attempt >= f.opts.Retries || ctx.Err() != nil {
			return d
		}
		if wait < delay {
			wait = delay
		}
		wait += time.Duration(rand.Int64N(int64(wait)/5 + 1)) // jitter
		slog.Debug("source: retrying", "uri", d.URI, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return d
		case <-t.C:
		}
		delay = min(2*delay, maxBackoff)
	}
}

// once makes one attempt. It reports whether a failure is worth retrying
// and how long the server asked us to wait.
func (f *fetcher) once(ctx context.Context, d *etl.Document, etag, lastMod string) (retry bool, wait time.Duration, err error) {
	uri := d.URI
	actx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, uri, nil)
	if err != nil {
		return false, 0, wrap(uri, ErrConnection, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,text/plain;q=0.9,*/*;q=0.5")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastMod != "" {
		req.Header.Set("If-Modified-Since", lastMod)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return classify(ctx, uri, err, ErrConnection)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified:
		d.NotModified = true
		d.ETag = firstNonEmpty(resp.Header.Get("ETag"), etag)
		d.LastModified = firstNonEmpty(resp.Header.Get("Last-Modified"), lastMod)
		return false, 0, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
		se := &StatusError{Code: resp.StatusCode, Status: resp.Status}
		return resp.StatusCode >= 500, retryAfter(resp.Header.Get("Retry-After")), wrap(uri, se, nil)
	}
	max := f.opts.MaxBytes
	if resp.ContentLength > max {
		return false, 0, wrap(uri, ErrTooLarge, fmt.Errorf("Content-Length %d over limit %d", resp.ContentLength, max))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return classify(ctx, uri, err, ErrRead)
	}
	if int64(len(body)) > max {
		return false, 0, wrap(uri, ErrTooLarge, fmt.Errorf("body over limit %d", max))
	}
	d.Raw = body
	d.SHA256 = hashOf(body)
	d.ContentType = resp.Header.Get("Content-Type")
	if d.ContentType == "" {
		d.ContentType = http.DetectContentType(body)
	}
	d.ETag = resp.Header.Get("ETag")
	d.LastModified = resp.Header.Get("Last-Modified")
	if t, err := http.ParseTime(d.LastModified); err == nil {
		d.ModTime = t
	}
	return false, 0, nil
}

// classify turns a transport error into a typed fetch error. Everything
// but redirect refusals is considered transient.
func classify(ctx context.Context, uri string, err, fallback error) (bool, time.Duration, error) {
	var ne net.Error
	switch {
	case errors.Is(err, ErrRedirect):
		return false, 0, wrap(uri, ErrRedirect, unwrapURL(err))
	case ctx.Err() != nil: // the run itself is cancelled
		return false, 0, wrap(uri, fallback, ctx.Err())
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return true, 0, wrap(uri, ErrTimeout, unwrapURL(err))
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, io.ErrUnexpectedEOF):
		return true, 0, wrap(uri, ErrConnection, unwrapURL(err))
	}
	return true, 0, wrap(uri, fallback, unwrapURL(err))
}

// unwrapURL drops the *url.Error layer, whose message repeats the URL.
func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, maxBackoff)
	}
	return 0
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
