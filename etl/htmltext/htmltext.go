// Package htmltext extracts the main content of web pages with
// go-trafilatura. It is the only importer of trafilatura, so the etl
// package itself stays light.
package htmltext

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"

	"github.com/chiso-vn/chiso/etl"
)

// New returns an extractor that keeps the article text of a page and drops
// navigation, tickers, comment boxes, counters and footers.
func New() etl.HTMLExtractor { return extractor{} }

type extractor struct{}

// Extract expects UTF-8 HTML (etl.Decode converts it first), so the page is
// parsed with x/net/html directly rather than trafilatura's charset sniffer.
func (extractor) Extract(page []byte, uri string) (title, body string, published time.Time, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("htmltext: extractor panic: %v", r)
		}
	}()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("htmltext: parse: %w", err)
	}
	opts := trafilatura.Options{
		ExcludeComments: true, // reader comments are not the report
		EnableFallback:  true, // readability/distiller when unsure
		Focus:           trafilatura.Balanced,
	}
	if u, perr := url.Parse(uri); perr == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		opts.OriginalURL = u
	}
	res, err := trafilatura.ExtractDocument(doc, opts)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("htmltext: %w", err)
	}
	body = render(res.ContentNode)
	if strings.TrimSpace(body) == "" {
		body = res.ContentText
	}
	return strings.TrimSpace(res.Metadata.Title), body, res.Metadata.Date, nil
}

// Block elements (HTML and trafilatura's own names) end a line.
var blocks = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true,
	"h6": true, "li": true, "ul": true, "ol": true, "tr": true, "table": true,
	"blockquote": true, "pre": true, "section": true, "article": true, "dl": true,
	"dt": true, "dd": true, "figure": true, "figcaption": true, "caption": true,
	"head": true, "list": true, "item": true, "row": true, "quote": true, "code": false,
	"main": true, "header": true, "footer": true, "hr": true, "thead": true, "tbody": true,
}

// render turns the extracted tree into text with one paragraph per line,
// table cells separated by tabs. Iterative, so deeply nested input cannot
// exhaust the stack.
func render(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	type frame struct {
		n    *html.Node
		exit bool
	}
	stack := []frame{{n: n}}
	nl := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case f.exit:
			if blocks[f.n.Data] {
				nl()
			}
		case f.n.Type == html.TextNode:
			b.WriteString(f.n.Data)
		case f.n.Type == html.ElementNode || f.n.Type == html.DocumentNode:
			switch f.n.Data {
			case "script", "style", "noscript", "template":
				continue
			case "br", "lb":
				b.WriteByte('\n')
			case "td", "th", "cell":
				if s := b.String(); len(s) > 0 && !strings.HasSuffix(s, "\n") {
					b.WriteByte('\t')
				}
			}
			if blocks[f.n.Data] {
				nl()
			}
			stack = append(stack, frame{n: f.n, exit: true})
			var kids []*html.Node
			for c := f.n.FirstChild; c != nil; c = c.NextSibling {
				kids = append(kids, c)
			}
			for i := len(kids) - 1; i >= 0; i-- {
				stack = append(stack, frame{n: kids[i]})
			}
		}
	}
	return b.String()
}
