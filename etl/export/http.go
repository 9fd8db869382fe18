package export

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"
)

// DefaultAddress is chiso's exporter port.
const DefaultAddress = ":9369"

const telemetryFlag = "web.telemetry-path"

// AddFlags registers --web.listen-address (default :9369), --web.config.file,
// --web.systemd-socket and --web.telemetry-path (default /metrics). Read the
// telemetry path after parsing with TelemetryPath(app).
func AddFlags(app FlagGroup) *web.FlagConfig {
	flags := kingpinflag.AddFlags(app, DefaultAddress)
	app.Flag(telemetryFlag, "Path under which to expose metrics.").Default("/metrics").String()
	return flags
}

// FlagGroup is a kingpin application or command (*kingpin.Application,
// *kingpin.CmdClause) to register flags on.
type FlagGroup interface {
	Flag(name, help string) *kingpin.FlagClause
	GetFlag(name string) *kingpin.FlagClause
}

// TelemetryPath returns the parsed --web.telemetry-path of an app set up with
// AddFlags ("/metrics" if it was not).
func TelemetryPath(app FlagGroup) string {
	if f := app.GetFlag(telemetryFlag); f != nil {
		if v := f.Model().Value; v != nil && v.String() != "" {
			return v.String()
		}
	}
	return "/metrics"
}

// Handler is the exporter's HTTP surface: the landing page at "/", metrics at
// telemetryPath, /healthz (always 200: the process is alive), /readyz (200
// once Ready, else 503) and the extra routes.
func (e *Exporter) Handler(telemetryPath string, extra map[string]http.Handler) http.Handler {
	if telemetryPath == "" {
		telemetryPath = "/metrics"
	}
	if !strings.HasPrefix(telemetryPath, "/") {
		telemetryPath = "/" + telemetryPath
	}
	mux := http.NewServeMux()
	metrics := promhttp.InstrumentMetricHandler(e.reg, promhttp.HandlerFor(e.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(e.logger.Handler(), slog.LevelError),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 8,
		Timeout:             30 * time.Second,
	}))
	mux.Handle(telemetryPath, metrics)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !e.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("no successful load yet\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	links := []web.LandingLinks{
		{Address: telemetryPath, Text: "Metrics", Description: "Latest indicator values and ETL health"},
		{Address: "/healthz", Text: "Health", Description: "Liveness"},
		{Address: "/readyz", Text: "Readiness", Description: "200 once a successful load exists"},
	}
	for path, h := range extra {
		mux.Handle(path, h)
	}
	// the evidence pages, when served, belong on the landing page too
	for _, l := range []web.LandingLinks{
		{Address: "/documents", Text: "Documents", Description: "Loaded reports with every extracted number highlighted"},
		{Address: "/indicators", Text: "Indicators", Description: "Latest value per province, linked to its evidence"},
	} {
		if _, ok := extra[l.Address]; ok {
			links = append(links, l)
		}
	}
	if telemetryPath != "/" {
		landing, err := web.NewLandingPage(web.LandingConfig{
			Name:        "chiso",
			Description: "Indicators from Vietnamese provincial ICT reports",
			Version:     e.version,
			Links:       links,
			Profiling:   "false",
		})
		if err != nil { // only on a broken built-in template
			e.logger.Error("landing page disabled", "err", err)
		} else if _, ok := extra["/"]; !ok {
			mux.Handle("/", landing)
		}
	}
	return mux
}

// Serve serves h on the addresses in flags through exporter-toolkit, so TLS
// and bcrypt basic auth come from --web.config.file. It returns nil once ctx
// is cancelled and in-flight requests have finished (10s at most).
func Serve(ctx context.Context, logger *slog.Logger, flags *web.FlagConfig, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, flags, logger) }()
	select {
	case err := <-errc: // failed to start (bad address, bad web config)
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
