package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/htmltext"
	"github.com/chiso-vn/chiso/etl/review"
	"github.com/chiso-vn/chiso/etl/source"
)

func extractCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("extract", "Print the facts found in reports, without a database.")
	format := c.Flag("format", "Output format: csv or json.").Default("csv").Enum("csv", "json")
	explain := c.Flag("explain", "Print every number found and why it was kept or dropped.").Bool()
	html := c.Flag("html", "Write the evidence page of the one document in PATH to FILE (the /documents/{id} view of chiso serve, no database).").PlaceHolder("FILE").String()
	paths := c.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()
	return command{c, func(ctx context.Context, g *globals) error {
		if *html != "" {
			return runExtractHTML(ctx, g.stdout, *paths, *html, g.sourceOptions(), *g.maxBytes)
		}
		return runExtract(ctx, g.stdout, *paths, *format, *explain, g.sourceOptions(), *g.maxBytes)
	}}
}

func runExtract(ctx context.Context, out io.Writer, paths []string, format string, explain bool, so source.Options, maxBytes int64) error {
	src, err := source.Open(paths, so)
	if err != nil {
		return err
	}
	x := etl.NewExtractor(etl.Ref())
	dopt := etl.DecodeOptions{MaxBytes: maxBytes, HTML: htmltext.New()}
	fw, err := etl.NewFactWriter(out, format)
	if err != nil {
		return err
	}
	// documents are extracted in source order so the output is stable
	err = src.Documents(ctx, func(doc *etl.Document) error {
		oc := etl.Process(doc, etl.NoneKnown{}, dopt, x)
		for _, r := range oc.Rejects {
			slog.Warn("rejected", "doc", r.Doc, "stage", r.Stage, "reason", r.Reason, "detail", r.Detail)
		}
		if oc.Extraction == nil {
			return nil
		}
		if explain {
			explainDoc(out, doc, oc.Extraction)
			return nil
		}
		for _, f := range oc.Extraction.Facts {
			if err := fw.Write(f); err != nil {
				return err
			}
		}
		return nil
	})
	if ferr := fw.Flush(); err == nil && !explain {
		err = ferr
	}
	return err
}

// explainDoc prints every number of a document in text order: kept facts,
// alternative readings and dropped numbers with their reasons.
func explainDoc(out io.Writer, doc *etl.Document, ex *etl.Extraction) {
	fmt.Fprintf(out, "# %s  province=%s %s  period=%s..%s (%s)\n", doc.ID, ex.ProvinceCode, ex.Province,
		ex.Period.Start.Format(time.DateOnly), ex.Period.End.Format(time.DateOnly), ex.Period.Grain)
	type line struct {
		at  int
		txt string
	}
	var lines []line
	for _, f := range ex.Facts {
		lines = append(lines, line{f.SpanStart, fmt.Sprintf("KEEP  %-30s %s = %s %s (%s, score %.1f) %s..%s", shorten(f.Evidence), f.Indicator,
			etl.FormatValue(f.Value), f.Unit, f.Qualifier, f.Score, f.Period.Start.Format(time.DateOnly), f.Period.End.Format(time.DateOnly))})
	}
	for _, f := range ex.Candidates {
		lines = append(lines, line{f.SpanStart, fmt.Sprintf("ALT   %s = %s (score %.1f): lost to a better reading", f.Indicator, etl.FormatValue(f.Value), f.Score)})
	}
	for _, n := range ex.Notes {
		lines = append(lines, line{n.SpanStart, fmt.Sprintf("DROP  %-30q %s", n.Text, n.Reason)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	for _, l := range lines {
		fmt.Fprintf(out, "%7d  %s\n", l.at, l.txt)
	}
}

// runExtractHTML writes the evidence page of exactly one document to file.
func runExtractHTML(ctx context.Context, out io.Writer, paths []string, file string, so source.Options, maxBytes int64) error {
	src, err := source.Open(paths, so)
	if err != nil {
		return err
	}
	x := etl.NewExtractor(etl.Ref())
	dopt := etl.DecodeOptions{MaxBytes: maxBytes, HTML: htmltext.New()}
	var page *review.Document
	n := 0
	err = src.Documents(ctx, func(doc *etl.Document) error {
		n++
		if n > 1 {
			return fmt.Errorf("--html writes one document, but %s holds more; give the path of one report", strings.Join(paths, " "))
		}
		oc := etl.Process(doc, etl.NoneKnown{}, dopt, x)
		for _, r := range oc.Rejects {
			slog.Warn("rejected", "doc", r.Doc, "stage", r.Stage, "reason", r.Reason, "detail", r.Detail)
		}
		page = review.FromExtraction(doc, oc.Text, oc.Extraction, oc.Rejects)
		return nil
	})
	if err != nil {
		return err
	}
	if page == nil {
		return fmt.Errorf("--html: no document found in %s", strings.Join(paths, " "))
	}
	var buf bytes.Buffer
	if err := review.WriteDocument(&buf, page); err != nil {
		return err
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d facts, %d alternative readings, %d numbers not used → %s\n",
		page.ID, len(page.Facts), len(page.Candidates), len(page.Notes), file)
	return nil
}

func shorten(s string) string {
	r := []rune(s)
	if len(r) > 60 {
		r = append(r[:57], '…')
	}
	return fmt.Sprintf("%q", string(r))
}
