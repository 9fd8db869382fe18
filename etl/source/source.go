// Package source yields etl.Documents from files, directories, globs, web
// pages and RSS/Atom feeds, one at a time.
package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// Version goes into the default User-Agent; set it at link time.
var Version = "dev"

// DefaultUserAgent is sent when Options.UserAgent is empty.
func DefaultUserAgent() string {
	return "chiso/" + Version + " (+https://github.com/chiso-vn/chiso)"
}

// Defaults for zero Options fields.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultRetries      = 2
	DefaultMaxBytes     = etl.DefaultMaxBytes
	DefaultMaxRedirects = 10
	DefaultMaxItems     = 500
	DefaultBackoff      = 500 * time.Millisecond
)

// Options configures Open. Zero values take the defaults above.
type Options struct {
	UserAgent string
	// Timeout bounds one HTTP attempt, body included.
	Timeout time.Duration
	// Retries is the number of extra attempts after a 5xx, a timeout or a
	// dropped connection; 0 means DefaultRetries, negative means none.
	Retries int
	// MaxBytes caps one document (file or response body).
	MaxBytes int64
	// MaxRedirects caps redirects per request; negative forbids them.
	MaxRedirects int
	// Known supplies stored HTTP validators for conditional GET.
	Known etl.Known
	// Client replaces the default HTTP client (tests); its redirect
	// policy is overridden.
	Client *http.Client
	// MaxItems caps the pages fetched from one feed.
	MaxItems int
	// Backoff is the first retry delay, doubled on each retry.
	Backoff time.Duration
	// Rehash reads and hashes every file, even one whose size and
	// modification time match its last load (see fileValidators).
	Rehash bool
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent()
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	switch {
	case o.MaxRedirects == 0:
		o.MaxRedirects = DefaultMaxRedirects
	case o.MaxRedirects < 0:
		o.MaxRedirects = 0
	}
	if o.Known == nil {
		o.Known = etl.NoneKnown{}
	}
	if o.MaxItems <= 0 {
		o.MaxItems = DefaultMaxItems
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	return o
}

// Fetch errors. Document.FetchErr wraps one of these (or a *StatusError),
// so Reason can name the failure.
var (
	ErrTimeout    = errors.New("timed out")
	ErrTooLarge   = errors.New("too large")
	ErrRedirect   = errors.New("bad redirect")
	ErrConnection = errors.New("connection failed")
	ErrRead       = errors.New("read failed")
	ErrFeed       = errors.New("invalid feed")
)

// StatusError is a non-success HTTP status.
type StatusError struct {
	Code   int
	Status string
}

func (e *StatusError) Error() string { return "HTTP status " + e.Status }

// fetchError ties a sentinel kind to the underlying cause.
type fetchError struct {
	uri  string
	kind error
	err  error
}

func (e *fetchError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("%s: %v", e.uri, e.kind)
	}
	return fmt.Sprintf("%s: %v: %v", e.uri, e.kind, e.err)
}

func (e *fetchError) Unwrap() []error { return []error{e.kind, e.err} }

// Reason is the short reject reason; etl.Process finds it through this
// method (without it every fetch reject read "read_error").
func (e *fetchError) Reason() string { return Reason(e) }

func wrap(uri string, kind, err error) error {
	return &fetchError{uri: Redact(uri), kind: kind, err: err}
}

// Redact hides the password of a URL ("https://user:xxxxx@host/…") so
// credentials given in a source never reach the warehouse or the logs.
func Redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	return u.Redacted()
}

// Reason maps a fetch error to a short reject reason.
func Reason(err error) string {
	var se *StatusError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se):
		return "http_status"
	case errors.Is(err, ErrTimeout):
		return "timeout"
	case errors.Is(err, ErrTooLarge):
		return "too_large"
	case errors.Is(err, ErrRedirect):
		return "redirect"
	case errors.Is(err, ErrConnection):
		return "connection"
	case errors.Is(err, ErrFeed):
		return "invalid_feed"
	case errors.Is(err, ErrRead):
		return "read_error"
	}
	return "fetch_error"
}

type specKind int

const (
	specFile specKind = iota
	specDir
	specGlob
	specURL
)

type spec struct {
	kind specKind
	arg  string
}

type multi struct {
	specs []spec
	opts  Options
	http  *fetcher
}

// Open checks the specs (files, directories, globs, http(s) URLs of pages
// or feeds) and returns a Source that reads them in order when iterated.
func Open(specs []string, o Options) (etl.Source, error) {
	if len(specs) == 0 {
		return nil, errors.New("source: no input given")
	}
	o = o.withDefaults()
	m := &multi{opts: o}
	for _, s := range specs {
		switch {
		case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
			u, err := url.Parse(s)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("source: bad URL %q", s)
			}
			m.specs = append(m.specs, spec{specURL, u.String()})
			if m.http == nil {
				m.http = newFetcher(o)
			}
		case strings.Contains(s, "://"):
			return nil, fmt.Errorf("source: unsupported scheme in %q", s)
		case strings.ContainsAny(s, "*?["):
			if _, err := filepath.Match(s, ""); err != nil {
				return nil, fmt.Errorf("source: bad pattern %q: %w", s, err)
			}
			m.specs = append(m.specs, spec{specGlob, s})
		default:
			fi, err := os.Stat(s)
			if err != nil {
				return nil, fmt.Errorf("source: %w", err)
			}
			k := specFile
			if fi.IsDir() {
				k = specDir
			}
			m.specs = append(m.specs, spec{k, filepath.Clean(s)})
		}
	}
	return m, nil
}

func (m *multi) Documents(ctx context.Context, yield func(*etl.Document) error) error {
	for _, s := range m.specs {
		if err := ctx.Err(); err != nil {
			return err
		}
		var err error
		switch s.kind {
		case specFile:
			err = emit(ctx, m.readFile(s.arg), yield)
		case specDir:
			err = m.readFiles(ctx, yield, func(ctx context.Context, ra *readAhead) error { return walkDir(ctx, s.arg, ra) })
		case specGlob:
			err = m.readFiles(ctx, yield, func(ctx context.Context, ra *readAhead) error { return walkGlob(ctx, s.arg, ra) })
		case specURL:
			err = m.http.documents(ctx, s.arg, yield)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func emit(ctx context.Context, d *etl.Document, yield func(*etl.Document) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return yield(d)
}

func hashOf(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// urlID is the last path segment without extension, with a slug of the
// query appended when there is one; a slug of host and path if the path
// is empty. The same URL always gives the same ID.
func urlID(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return slug(raw)
	}
	p := strings.TrimRight(u.Path, "/")
	base := path.Base(p)
	if p == "" || base == "/" || base == "." {
		id := slug(u.Hostname() + " " + p)
		if u.RawQuery != "" {
			id = slug(id + " " + u.RawQuery)
		}
		return id
	}
	base = strings.TrimSuffix(base, path.Ext(base))
	id := slug(base)
	if u.RawQuery != "" {
		id = slug(id + " " + u.RawQuery)
	}
	if id == "" {
		id = slug(u.Hostname() + " " + p)
	}
	return id
}

// slug lower-cases, strips Vietnamese diacritics and joins the
// alphanumeric runs with '-'.
func slug(s string) string {
	if us, err := url.PathUnescape(s); err == nil {
		s = us
	}
	s = etl.Fold(etl.NFC(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= 120 {
				break
			}
			continue
		}
		dash = true
	}
	return b.String()
}
