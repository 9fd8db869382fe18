package source

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/chiso-vn/chiso/etl"
)

// reportExts are the extensions read from directories and globs; files
// without an extension are read too.
var reportExts = map[string]string{
	".txt":   "text/plain",
	".md":    "text/markdown",
	".html":  "text/html",
	".htm":   "text/html",
	".xhtml": "application/xhtml+xml",
	"":       "text/plain",
}

// maxDepth bounds directory recursion whatever the symlinks do.
const maxDepth = 64

func reportLike(name string) bool {
	_, ok := reportExts[strings.ToLower(filepath.Ext(name))]
	return ok
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") && name != "." && name != ".." }

func fileID(p string) string {
	b := filepath.Base(p)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// fileValidators are a file's HTTP-style validators: an ETag made of its
// modification time and size (as nginx does) and its modification time as
// Last-Modified. They are stored with the loaded document; at the next run
// a file whose validators match is reported not modified without being
// read, the file counterpart of a conditional GET, so a run that finds
// nothing new costs a stat per file. Options.Rehash turns this off.
func fileValidators(fi os.FileInfo) (etag, lastModified string) {
	return fmt.Sprintf(`"%x-%x"`, fi.ModTime().UnixNano(), fi.Size()), fi.ModTime().UTC().Format(http.TimeFormat)
}

// readFile reads one file into a Document; failures become FetchErr.
func (m *multi) readFile(p string) *etl.Document {
	max := m.opts.MaxBytes
	ct, ok := reportExts[strings.ToLower(filepath.Ext(p))]
	if !ok {
		ct = "application/octet-stream"
	}
	d := &etl.Document{ID: fileID(p), URI: p, ContentType: ct}
	// Stat before opening: opening a FIFO would block.
	fi, err := os.Stat(p)
	if err != nil {
		d.FetchErr = wrap(p, ErrRead, err)
		return d
	}
	if !fi.Mode().IsRegular() {
		d.FetchErr = wrap(p, ErrRead, fmt.Errorf("not a regular file (%s)", fi.Mode().Type()))
		return d
	}
	d.ModTime = fi.ModTime()
	d.ETag, d.LastModified = fileValidators(fi)
	if etag, _ := m.opts.Known.Validators(p); !m.opts.Rehash && etag == d.ETag {
		d.NotModified = true
		return d
	}
	f, err := os.Open(p)
	if err != nil {
		d.FetchErr = wrap(p, ErrRead, err)
		return d
	}
	defer f.Close()
	if fi.Size() > max {
		d.FetchErr = wrap(p, ErrTooLarge, fmt.Errorf("%d bytes, limit %d", fi.Size(), max))
		return d
	}
	raw, err := readAll(io.LimitReader(f, max+1), fi.Size())
	switch {
	case err != nil:
		d.FetchErr = wrap(p, ErrRead, err)
	case int64(len(raw)) > max: // grew while reading
		d.FetchErr = wrap(p, ErrTooLarge, fmt.Errorf("over %d bytes", max))
	default:
		d.Raw = raw
		d.SHA256 = hashOf(raw)
	}
	return d
}

// readAheadFiles is how many files are read ahead of the one being
// yielded. Reading and hashing is syscall- and CPU-bound per file, so a
// few readers make a no-change run (which only reads and hashes) use every
// core; the bound keeps memory to a few documents.
const readAheadFiles = 4

// readAhead reads the files a walk finds on several goroutines and yields
// them in walk order, so the output is the same as a sequential read.
type readAhead struct {
	m       *multi
	pending chan chan *etl.Document // in walk order
}

// readFiles runs walk with a readAhead whose documents go to yield. It
// returns yield's first error, else walk's.
func (m *multi) readFiles(ctx context.Context, yield func(*etl.Document) error, walk func(context.Context, *readAhead) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ra := &readAhead{m: m, pending: make(chan chan *etl.Document, readAheadFiles)}
	yielded := make(chan error, 1)
	go func() {
		var err error
		for c := range ra.pending {
			d := <-c
			if err == nil {
				if err = emit(ctx, d, yield); err != nil {
					cancel() // stop the walk; keep draining so it never blocks
				}
			}
		}
		yielded <- err
	}()
	err := walk(ctx, ra)
	close(ra.pending)
	if yerr := <-yielded; yerr != nil {
		return yerr
	}
	return err
}

// file queues p to be read.
func (ra *readAhead) file(ctx context.Context, p string) error {
	c := make(chan *etl.Document, 1)
	select {
	case ra.pending <- c:
	case <-ctx.Done():
		return ctx.Err()
	}
	go func() { c <- ra.m.readFile(p) }()
	return nil
}

// doc queues a document the walk made itself (a failure to report).
func (ra *readAhead) doc(ctx context.Context, d *etl.Document) error {
	c := make(chan *etl.Document, 1)
	c <- d
	select {
	case ra.pending <- c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readAll is io.ReadAll with a first buffer of the size stat reported,
// so a file is read in one call instead of a series of growing ones.
func readAll(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, size+512)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // the file grew: let append pick a bigger buffer
		}
	}
}

// walkDir yields the report-like files under dir in lexical order,
// skipping hidden entries. Symlinks are followed, except to a directory
// that is already being walked (a loop).
func walkDir(ctx context.Context, dir string, ra *readAhead) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return ra.doc(ctx, &etl.Document{ID: fileID(dir), URI: dir, FetchErr: wrap(dir, ErrRead, err)})
	}
	return walk(ctx, dir, []os.FileInfo{fi}, ra)
}

func walk(ctx context.Context, dir string, ancestors []os.FileInfo, ra *readAhead) error {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return ra.doc(ctx, &etl.Document{ID: fileID(dir), URI: dir, FetchErr: wrap(dir, ErrRead, err)})
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if hidden(name) {
			continue
		}
		p := filepath.Join(dir, name)
		typ := e.Type()
		var fi os.FileInfo
		if typ&fs.ModeSymlink != 0 {
			fi, err = os.Stat(p)
			if err != nil { // dangling link
				if reportLike(name) {
					if err := ra.doc(ctx, &etl.Document{ID: fileID(p), URI: p, FetchErr: wrap(p, ErrRead, err)}); err != nil {
						return err
					}
				}
				continue
			}
			typ = fi.Mode().Type()
		}
		if typ.IsDir() {
			if fi == nil {
				if fi, err = os.Stat(p); err != nil {
					if err := ra.doc(ctx, &etl.Document{ID: fileID(p), URI: p, FetchErr: wrap(p, ErrRead, err)}); err != nil {
						return err
					}
					continue
				}
			}
			if loops(fi, ancestors) || len(ancestors) >= maxDepth {
				slog.Warn("source: skipping directory loop", "path", p)
				continue
			}
			if err := walk(ctx, p, append(ancestors[:len(ancestors):len(ancestors)], fi), ra); err != nil {
				return err
			}
			continue
		}
		if !typ.IsRegular() || !reportLike(name) {
			continue
		}
		if err := ra.file(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func loops(fi os.FileInfo, ancestors []os.FileInfo) bool {
	for _, a := range ancestors {
		if os.SameFile(fi, a) {
			return true
		}
	}
	return false
}

// walkGlob yields the matches of pattern in lexical order: directories are
// walked, files kept if report-like and not hidden.
func walkGlob(ctx context.Context, pattern string, ra *readAhead) error {
	matches, err := filepath.Glob(pattern) // sorted
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	for _, p := range matches {
		if hidden(filepath.Base(p)) {
			continue
		}
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			err = ra.doc(ctx, &etl.Document{ID: fileID(p), URI: p, FetchErr: wrap(p, ErrRead, err)})
		case fi.IsDir():
			err = walkDir(ctx, p, ra)
		case reportLike(p):
			err = ra.file(ctx, p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
