package main

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/chiso-vn/chiso/etl/gen"
)

func init() { extraCommands = append(extraCommands, genCommand, benchCommand) }

func genCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("gen", "Generate a synthetic corpus of reports with ground truth (DIR/truth.csv, the scorer's format).")
	docs := c.Flag("docs", "Number of reports.").Default("1000").Int()
	seed := c.Flag("seed", "Random seed; the corpus is the same for the same seed.").Default("1").Uint64()
	html := c.Flag("html-share", "Share of HTML pages.").Default("0.1").Float64()
	broken := c.Flag("broken-share", "Share of broken files.").Default("0.005").Float64()
	dir := c.Arg("dir", "Output directory.").Required().String()
	return command{c, func(ctx context.Context, g *globals) error {
		t0 := time.Now()
		s, err := gen.Write(ctx, *dir, gen.Options{Docs: *docs, Seed: *seed, HTMLShare: orNone(*html), BrokenShare: orNone(*broken)})
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "wrote %d reports (%d HTML, %d broken), %.1f MB, %d truth rows to %s in %s\n",
			s.Docs, s.HTML, s.Broken, float64(s.Bytes)/1e6, s.Facts, *dir, time.Since(t0).Round(time.Millisecond))
		return nil
	}}
}

// orNone maps an explicit 0 to gen's "none" (a negative share).
func orNone(v float64) float64 {
	if v == 0 {
		return -1
	}
	return v
}
