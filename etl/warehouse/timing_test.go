package warehouse

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

func TestTiming(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, filepath.Join(t.TempDir(), "x.duckdb"))
	for name, fn := range map[string]func() error{
		"migrate": func() error { return migrate(ctx, w.db) },
		"views":   func() error { return applyViews(ctx, w.db) },
		"seed":    func() error { return seed(ctx, w.db, etl.Ref()) },
	} {
		s := time.Now()
		err := fn()
		t.Log(name, time.Since(s), err)
	}
	s := time.Now()
	mustLoad(t, w, fixture()...)
	t.Log("load", time.Since(s))
}
