package review

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
)

//go:embed templates/*.html
var templateFS embed.FS

// page is what every template gets.
type page struct {
	Title            string
	Standalone       bool // a file written by `chiso extract --html`: no site links
	ExtractorVersion string
}

type documentsPage struct {
	page
	Docs       []DocumentSummary
	TotalFacts int
}

type documentPage struct {
	page
	Doc               *Document
	Segments          []Segment
	Rejected, Dropped int
	VersionSkew       bool
}

type indicatorPage struct {
	page
	Indicator *etl.Indicator
	Metric    string
	Rows      []Latest
}

type indicatorsPage struct {
	page
	Indicators []etl.Indicator
}

type errorPage struct {
	page
	Message string
}

// templates holds one parsed set per page, each layout + content.
type templates map[string]*template.Template

func parseTemplates(standalone bool) (templates, error) {
	funcs := template.FuncMap{
		"docURL":       docURL,
		"indicatorURL": indicatorURL,
		"indicatorLink": func(code string) template.HTML {
			if standalone {
				return template.HTML(template.HTMLEscapeString(code))
			}
			return template.HTML(`<a href="` + template.HTMLEscapeString(indicatorURL(code)) + `">` + template.HTMLEscapeString(code) + `</a>`)
		},
		"evidenceURL": func(l Latest) string {
			return docURL(l.Doc) + "#" + FactAnchor(l.Indicator, l.ProvinceCode, l.PeriodStart, l.PeriodEnd)
		},
		"factAnchor": func(f etl.Fact) string {
			return FactAnchor(f.Indicator, f.ProvinceCode, f.Period.Start, f.Period.End)
		},
		"province":  provinceText,
		"period":    periodText,
		"qualifier": qualifierText,
		"value":     formatValue,
		"date":      func(t time.Time) string { return t.Format(time.DateOnly) },
		"short":     short,
		"inc":       func(i int) int { return i + 1 },
	}
	base, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	out := templates{}
	for _, name := range []string{"documents", "document", "indicator", "indicators", "error"} {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

var (
	siteTemplates = mustParse(false)
	fileTemplates = mustParse(true)
)

func mustParse(standalone bool) templates {
	ts, err := parseTemplates(standalone)
	if err != nil {
		panic(err)
	}
	return ts
}

func (ts templates) render(w io.Writer, name string, data any) error {
	var buf bytes.Buffer // render fully first: a template error must not leave half a page
	if err := ts[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("review: render %s: %w", name, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

func docURL(id string) string         { return "/documents/" + url.PathEscape(id) }
func indicatorURL(code string) string { return "/indicators/" + url.PathEscape(code) }

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func newDocumentPage(d *Document, standalone bool) *documentPage {
	p := &documentPage{page: page{Title: d.ID, Standalone: standalone, ExtractorVersion: etl.ExtractorVersion},
		Doc: d, Segments: Segments(d)}
	for _, n := range d.Notes {
		if n.Reject {
			p.Rejected++
		} else {
			p.Dropped++
		}
	}
	p.VersionSkew = d.LoadedRun != 0 && d.ExtractorVersion != "" && d.ExtractorVersion != etl.ExtractorVersion
	return p
}

// WriteDocument writes the evidence page of one document as a standalone
// HTML file (no links to the other pages), as `chiso extract --html` does.
// Missing notes, province and period are recomputed from the text.
func WriteDocument(w io.Writer, d *Document) error {
	complete(etl.NewExtractor(etl.Ref()), d)
	return fileTemplates.render(w, "document", newDocumentPage(d, true))
}

// Handler serves the evidence pages from a Store.
type Handler struct {
	store  Store
	logger *slog.Logger
	x      *etl.Extractor
	mux    *http.ServeMux
}

// NewHandler serves /documents, /documents/{id}, /indicators and
// /indicators/{code} from store. logger may be nil.
func NewHandler(store Store, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.Default()
	}
	h := &Handler{store: store, logger: logger, x: etl.NewExtractor(etl.Ref()), mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /documents", h.documents)
	h.mux.HandleFunc("GET /documents/{$}", h.documents)
	h.mux.HandleFunc("GET /documents/{id}", h.document)
	h.mux.HandleFunc("GET /indicators", h.indicators)
	h.mux.HandleFunc("GET /indicators/{$}", h.indicators)
	h.mux.HandleFunc("GET /indicators/{code}", h.indicator)
	return h
}

// Routes maps the path prefixes of the pages to h, ready to be mounted on
// another mux (the exporter's).
func (h *Handler) Routes() map[string]http.Handler {
	return map[string]http.Handler{"/documents": h, "/documents/": h, "/indicators": h, "/indicators/": h}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *Handler) documents(w http.ResponseWriter, r *http.Request) {
	docs, err := h.store.Documents(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &documentsPage{page: h.page("Documents"), Docs: docs}
	for _, d := range docs {
		p.TotalFacts += d.Facts
	}
	h.write(w, r, http.StatusOK, "documents", p)
}

func (h *Handler) document(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := h.store.Document(r.Context(), id)
	if errors.Is(err, ErrNotFound) || (err == nil && d == nil) {
		h.notFound(w, r, fmt.Sprintf("No loaded document has the id %q.", id))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	complete(h.x, d)
	h.write(w, r, http.StatusOK, "document", newDocumentPage(d, false))
}

func (h *Handler) indicators(w http.ResponseWriter, r *http.Request) {
	h.write(w, r, http.StatusOK, "indicators", &indicatorsPage{page: h.page("Indicators"), Indicators: etl.Ref().Indicators})
}

func (h *Handler) indicator(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	in := etl.Ref().Indicator(code)
	if in == nil {
		h.notFound(w, r, fmt.Sprintf("The catalog has no indicator %q.", code))
		return
	}
	rows, err := h.store.Latest(r.Context(), code)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.write(w, r, http.StatusOK, "indicator", &indicatorPage{page: h.page(code), Indicator: in, Metric: export.MetricName(in), Rows: rows})
}

func (h *Handler) page(title string) page {
	return page{Title: title, ExtractorVersion: etl.ExtractorVersion}
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	h.write(w, r, http.StatusNotFound, "error", &errorPage{page: h.page("Not found"), Message: msg})
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	h.logger.Error("evidence page failed", "path", r.URL.Path, "err", err)
	h.write(w, r, http.StatusInternalServerError, "error", &errorPage{page: h.page("Error"), Message: "The warehouse could not be read; see the server log."})
}

func (h *Handler) write(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := siteTemplates.render(&buf, name, data); err != nil {
		h.logger.Error("evidence page failed", "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
