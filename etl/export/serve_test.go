package export_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
	"github.com/chiso-vn/chiso/internal/promtest"
	"github.com/chiso-vn/chiso/internal/testcert"
	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/crypto/bcrypt"
)

// serve runs export.Serve on a free 127.0.0.1 port until the test ends and
// returns the address; stop cancels it and returns Serve's error.
func serve(t *testing.T, logger *slog.Logger, h http.Handler, webConfig string) (addr string, stop func() error) {
	t.Helper()
	port, err := promtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	systemd := false
	flags := &web.FlagConfig{WebListenAddresses: &[]string{addr}, WebSystemdSocket: &systemd, WebConfigFile: &webConfig}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- export.Serve(ctx, logger, flags, h) }()
	var once bool
	var result error
	stop = func() error {
		if !once {
			once = true
			cancel()
			select {
			case result = <-errc:
			case <-time.After(15 * time.Second):
				result = errors.New("Serve did not return after cancel")
			}
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	// Wait until the port accepts connections.
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-errc:
			t.Fatalf("Serve: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr, stop
		}
		if time.Now().After(deadline) {
			t.Fatalf("exporter did not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeTLSBasicAuth(t *testing.T) {
	const user, password = "prometheus", "s3cret-Pässw0rd-do-not-log"
	dir := t.TempDir()
	tc := testcert.SelfSigned(t, dir)
	certFile, keyFile, pool := tc.CertFile, tc.KeyFile, tc.Pool
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "web.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("tls_server_config:\n  cert_file: %s\n  key_file: %s\nbasic_auth_users:\n  %s: %s\n",
		certFile, keyFile, user, hash)), 0o600); err != nil {
		t.Fatal(err)
	}

	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := export.NewWithLogger(etl.Ref(), "test", logger)
	e.SetLatest([]etl.LatestValue{{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations", Value: 1730, PeriodEnd: june30}})
	addr, stop := serve(t, logger, e.Handler("/metrics", nil), cfg)

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(u, name, pass string) (int, string, error) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if name != "" {
			req.SetBasicAuth(name, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	base := "https://" + addr
	if c, _, err := get(base+"/metrics", "", ""); err != nil || c != http.StatusUnauthorized {
		t.Errorf("no credentials: %d %v, want 401", c, err)
	}
	if c, _, err := get(base+"/metrics", user, "wrong-password"); err != nil || c != http.StatusUnauthorized {
		t.Errorf("wrong password: %d %v, want 401", c, err)
	}
	if c, _, err := get(base+"/readyz", "", ""); err != nil || c != http.StatusUnauthorized {
		t.Errorf("/readyz without credentials: %d %v, want 401", c, err)
	}
	c, body, err := get(base+"/metrics", user, password)
	if err != nil || c != http.StatusOK || !strings.Contains(body, `chiso_bts_stations{province="Lâm Đồng",province_code="68"} 1730`) {
		t.Errorf("with credentials: %d %v %.200s", c, err, body)
	}
	// Plain HTTP to the TLS port is refused (Go answers 400 or drops it).
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get("http://" + addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || strings.Contains(string(b), "chiso_") {
			t.Errorf("plain HTTP served metrics: %d", resp.StatusCode)
		}
	}
	if err := stop(); err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}

	out := logs.String()
	if !strings.Contains(out, "TLS is enabled") {
		t.Errorf("expected the toolkit's TLS log line, got:\n%s", out)
	}
	for _, secret := range []string{password, string(hash), base64.StdEncoding.EncodeToString([]byte(user + ":" + password)), "wrong-password"} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %q leaked into logs:\n%s", secret, out)
		}
	}
}

func TestServePlainAndShutdown(t *testing.T) {
	logs := &logBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	e := export.NewWithLogger(etl.Ref(), "test", logger)
	addr, stop := serve(t, logger, e.Handler("/metrics", nil), "")
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still listening after shutdown")
	}
}

func TestServeBadConfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yml")
	systemd := false
	port, _ := promtest.FreePort()
	flags := &web.FlagConfig{WebListenAddresses: &[]string{fmt.Sprintf("127.0.0.1:%d", port)}, WebSystemdSocket: &systemd, WebConfigFile: &missing}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := export.Serve(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), flags, http.NotFoundHandler()); err == nil {
		t.Error("Serve with a missing web config returned nil")
	}
}

func TestAddFlags(t *testing.T) {
	app := kingpin.New("chiso", "")
	flags := export.AddFlags(app)
	if _, err := app.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if got := *flags.WebListenAddresses; len(got) != 1 || got[0] != ":9369" {
		t.Errorf("default listen address %v", got)
	}
	if got := export.TelemetryPath(app); got != "/metrics" {
		t.Errorf("default telemetry path %q", got)
	}
	app = kingpin.New("chiso", "")
	flags = export.AddFlags(app)
	if _, err := app.Parse([]string{"--web.listen-address=127.0.0.1:1234", "--web.telemetry-path=/m", "--web.config.file=/etc/chiso/web.yml"}); err != nil {
		t.Fatal(err)
	}
	if (*flags.WebListenAddresses)[0] != "127.0.0.1:1234" || *flags.WebConfigFile != "/etc/chiso/web.yml" || export.TelemetryPath(app) != "/m" {
		t.Errorf("parsed flags: %v %q %q", *flags.WebListenAddresses, *flags.WebConfigFile, export.TelemetryPath(app))
	}
	// On a subcommand too.
	app = kingpin.New("chiso", "")
	serve := app.Command("serve", "")
	flags = export.AddFlags(serve)
	if _, err := app.Parse([]string{"serve", "--web.telemetry-path=/x"}); err != nil {
		t.Fatal(err)
	}
	if export.TelemetryPath(serve) != "/x" || (*flags.WebListenAddresses)[0] != ":9369" {
		t.Errorf("subcommand flags: %q %v", export.TelemetryPath(serve), *flags.WebListenAddresses)
	}
}
