package source

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
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

// readFile reads one file into a Document; failures become FetchErr.
func readFile(p string, max int64) *etl.Document {
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
	f, err := os.Open(p)
	if err != nil {
		d.FetchErr = wrap(p, ErrRead, err)
		return d
	}
	defer f.Close()
	d.ModTime = fi.ModTime()
	if fi.Size() > max {
		d.FetchErr = wrap(p, ErrTooLarge, fmt.Errorf("%d bytes, limit %d", fi.Size(), max))
		return d
	}
	raw, err := io.ReadAll(io.LimitReader(f, max+1))
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

// walkDir yields the report-like files under dir in lexical order,
// skipping hidden entries. Symlinks are followed, except to a directory
// that is already being walked (a loop).
func walkDir(ctx context.Context, dir string, max int64, yield func(*etl.Document) error) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return emit(ctx, &etl.Document{ID: fileID(dir), URI: dir, FetchErr: wrap(dir, ErrRead, err)}, yield)
	}
	return walk(ctx, dir, []os.FileInfo{fi}, max, yield)
}

func walk(ctx context.Context, dir string, ancestors []os.FileInfo, max int64, yield func(*etl.Document) error) error {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return emit(ctx, &etl.Document{ID: fileID(dir), URI: dir, FetchErr: wrap(dir, ErrRead, err)}, yield)
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
					if err := emit(ctx, &etl.Document{ID: fileID(p), URI: p, FetchErr: wrap(p, ErrRead, err)}, yield); err != nil {
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
					if err := emit(ctx, &etl.Document{ID: fileID(p), URI: p, FetchErr: wrap(p, ErrRead, err)}, yield); err != nil {
						return err
					}
					continue
				}
			}
			if loops(fi, ancestors) || len(ancestors) >= maxDepth {
				slog.Warn("source: skipping directory loop", "path", p)
				continue
			}
			if err := walk(ctx, p, append(ancestors[:len(ancestors):len(ancestors)], fi), max, yield); err != nil {
				return err
			}
			continue
		}
		if !typ.IsRegular() || !reportLike(name) {
			continue
		}
		if err := emit(ctx, readFile(p, max), yield); err != nil {
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
func walkGlob(ctx context.Context, pattern string, max int64, yield func(*etl.Document) error) error {
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
			err = emit(ctx, &etl.Document{ID: fileID(p), URI: p, FetchErr: wrap(p, ErrRead, err)}, yield)
		case fi.IsDir():
			err = walkDir(ctx, p, max, yield)
		case reportLike(p):
			err = emit(ctx, readFile(p, max), yield)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
