// Package deploy holds no code: its tests validate the deployment kit —
// Dockerfile, docker-compose.yml, the compose Prometheus and Grafana files,
// the shipped Grafana provisioning and the systemd unit — as far as that is
// possible without a Docker engine, and check that the generated tables of
// README.md match the catalog and the exporter.
package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v2"
)

const root = ".."

func read(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tool finds an external program: skipped locally when missing, a failure
// in CI.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found", name)
	}
	t.Skipf("%s not found", name)
	return ""
}

type compose struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Build *struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Image           string            `yaml:"image"`
	Restart         string            `yaml:"restart"`
	Command         []string          `yaml:"command"`
	Environment     map[string]string `yaml:"environment"`
	Ports           []string          `yaml:"ports"`
	Volumes         []string          `yaml:"volumes"`
	DependsOn       []string          `yaml:"depends_on"`
	StopGracePeriod string            `yaml:"stop_grace_period"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	var c compose
	if err := yaml.UnmarshalStrict(read(t, "docker-compose.yml"), &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// mount returns the host path of the bind mount of svc whose target is
// target, or "".
func mount(svc composeService, target string) string {
	for _, v := range svc.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			return parts[0]
		}
	}
	return ""
}

func TestCompose(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"chiso", "prometheus", "grafana"} {
		s, ok := c.Services[name]
		if !ok {
			t.Fatalf("service %s missing", name)
		}
		if s.Restart == "" {
			t.Errorf("%s: no restart policy", name)
		}
		if s.Image == "" {
			t.Errorf("%s: no image", name)
		}
		for _, p := range s.Ports {
			if !regexp.MustCompile(`^\d+:\d+$`).MatchString(p) {
				t.Errorf("%s: port %q", name, p)
			}
		}
		for k := range s.Environment {
			if name == "chiso" && !strings.HasPrefix(k, "CHISO_") {
				t.Errorf("chiso: environment %s is not a CHISO_ flag variable", k)
			}
		}
		for _, v := range s.Volumes {
			src, _, ok := strings.Cut(v, ":")
			if !ok {
				t.Errorf("%s: volume %q has no target", name, v)
				continue
			}
			if strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("%s: bind mount source %s: %v", name, src, err)
				}
			} else if _, ok := c.Volumes[src]; !ok {
				t.Errorf("%s: named volume %s is not declared", name, src)
			}
		}
		for _, d := range s.DependsOn {
			if _, ok := c.Services[d]; !ok {
				t.Errorf("%s depends on unknown service %s", name, d)
			}
		}
	}
	ch := c.Services["chiso"]
	if ch.Build == nil {
		t.Fatal("chiso: no build section")
	}
	if _, err := os.Stat(filepath.Join(root, ch.Build.Context, ch.Build.Dockerfile)); err != nil {
		t.Errorf("chiso build: %v", err)
	}
	if !contains(ch.Ports, "9369:9369") {
		t.Errorf("chiso does not publish 9369: %v", ch.Ports)
	}
	if len(ch.Command) == 0 || ch.Command[0] != "serve" {
		t.Errorf("chiso command = %v, want serve …", ch.Command)
	}
	if mount(ch, "/var/lib/chiso") == "" {
		t.Errorf("chiso: /var/lib/chiso (the warehouse) is not a volume")
	}

	// Prometheus: the compose config scrapes chiso and loads the shipped rules
	p := c.Services["prometheus"]
	if src := mount(p, "/etc/prometheus/prometheus.yml"); src != "./deploy/compose/prometheus.yml" {
		t.Errorf("prometheus config mount = %q", src)
	}
	if src := mount(p, "/etc/prometheus/rules"); src != "./dashboards/prometheus" {
		t.Errorf("prometheus rules mount = %q", src)
	}
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(read(t, "deploy/compose/prometheus.yml"), &prom); err != nil {
		t.Fatal(err)
	}
	for _, rf := range prom.RuleFiles {
		rel, ok := strings.CutPrefix(rf, "rules/")
		if !ok {
			t.Errorf("rule file %s is not under the mounted rules/", rf)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, "dashboards/prometheus", rel)); err != nil {
			t.Errorf("rule file %s: %v", rf, err)
		}
	}
	if len(prom.ScrapeConfigs) != 1 || len(prom.ScrapeConfigs[0].StaticConfigs) != 1 ||
		!contains(prom.ScrapeConfigs[0].StaticConfigs[0].Targets, "chiso:9369") {
		t.Errorf("compose prometheus does not scrape chiso:9369: %+v", prom.ScrapeConfigs)
	}

	// Grafana: the compose data source points at the prometheus service;
	// the shipped dashboard provider reads the mounted dashboards.
	g := c.Services["grafana"]
	ds := loadDatasources(t, mount(g, "/etc/grafana/provisioning/datasources/chiso.yml"))
	if len(ds.Datasources) != 1 || ds.Datasources[0].URL != "http://prometheus:9090" {
		t.Errorf("compose data source = %+v, want url http://prometheus:9090", ds.Datasources)
	}
	shipped := loadDatasources(t, "dashboards/provisioning/datasources/chiso.yml")
	if len(shipped.Datasources) == 1 && len(ds.Datasources) == 1 && shipped.Datasources[0].UID != ds.Datasources[0].UID {
		t.Errorf("compose data source uid %q differs from the shipped %q", ds.Datasources[0].UID, shipped.Datasources[0].UID)
	}
	provSrc := mount(g, "/etc/grafana/provisioning/dashboards/chiso.yml")
	if provSrc != "./dashboards/provisioning/dashboards/chiso.yml" {
		t.Errorf("grafana uses %q, not the shipped dashboard provider", provSrc)
	}
	prov := loadProviders(t, provSrc)
	for _, pr := range prov.Providers {
		if src := mount(g, pr.Options.Path); src != "./dashboards" {
			t.Errorf("provider %s reads %s, which is mounted from %q, not ./dashboards", pr.Name, pr.Options.Path, src)
		}
	}
	if home := g.Environment["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]; home != "" {
		rel, ok := strings.CutPrefix(home, "/var/lib/grafana/dashboards/chiso/")
		if _, err := os.Stat(filepath.Join(root, "dashboards", rel)); !ok || err != nil {
			t.Errorf("home dashboard %s is not a shipped dashboard", home)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The Grafana provisioning schemas as documented in
// https://grafana.com/docs/grafana/latest/administration/provisioning/
// (data sources and dashboard providers). UnmarshalStrict rejects keys the
// documentation does not list.
type datasourceFile struct {
	APIVersion        int `yaml:"apiVersion"`
	DeleteDatasources []struct {
		Name  string `yaml:"name"`
		OrgID int    `yaml:"orgId"`
	} `yaml:"deleteDatasources"`
	PruneDatasources bool         `yaml:"prune"`
	Datasources      []datasource `yaml:"datasources"`
}

type datasource struct {
	Name            string            `yaml:"name"`
	Type            string            `yaml:"type"`
	Access          string            `yaml:"access"`
	OrgID           int               `yaml:"orgId"`
	UID             string            `yaml:"uid"`
	URL             string            `yaml:"url"`
	User            string            `yaml:"user"`
	Database        string            `yaml:"database"`
	BasicAuth       bool              `yaml:"basicAuth"`
	BasicAuthUser   string            `yaml:"basicAuthUser"`
	WithCredentials bool              `yaml:"withCredentials"`
	IsDefault       bool              `yaml:"isDefault"`
	JSONData        map[string]any    `yaml:"jsonData"`
	SecureJSONData  map[string]string `yaml:"secureJsonData"`
	Version         int               `yaml:"version"`
	Editable        bool              `yaml:"editable"`
}

type providerFile struct {
	APIVersion int        `yaml:"apiVersion"`
	Providers  []provider `yaml:"providers"`
}

type provider struct {
	Name                  string `yaml:"name"`
	OrgID                 int    `yaml:"orgId"`
	Folder                string `yaml:"folder"`
	FolderUID             string `yaml:"folderUid"`
	Type                  string `yaml:"type"`
	DisableDeletion       bool   `yaml:"disableDeletion"`
	UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
	AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
	Options               struct {
		Path                      string `yaml:"path"`
		FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
	} `yaml:"options"`
}

func loadDatasources(t *testing.T, rel string) datasourceFile {
	t.Helper()
	var f datasourceFile
	if err := yaml.UnmarshalStrict(read(t, strings.TrimPrefix(rel, "./")), &f); err != nil {
		t.Fatalf("%s: not a Grafana data source provisioning file: %v", rel, err)
	}
	if f.APIVersion != 1 {
		t.Errorf("%s: apiVersion %d, want 1", rel, f.APIVersion)
	}
	defaults := 0
	for _, d := range f.Datasources {
		if d.Name == "" || d.Type == "" {
			t.Errorf("%s: data source without name or type: %+v", rel, d)
		}
		if d.Access != "" && d.Access != "proxy" && d.Access != "direct" {
			t.Errorf("%s: access %q, want proxy or direct", rel, d.Access)
		}
		if d.Type == "prometheus" && !regexp.MustCompile(`^https?://[^/]+`).MatchString(d.URL) {
			t.Errorf("%s: url %q", rel, d.URL)
		}
		if d.UID == "" {
			t.Errorf("%s: %s has no uid; the dashboards need a stable one", rel, d.Name)
		}
		if d.IsDefault {
			defaults++
		}
	}
	if defaults > 1 {
		t.Errorf("%s: %d default data sources", rel, defaults)
	}
	return f
}

func loadProviders(t *testing.T, rel string) providerFile {
	t.Helper()
	var f providerFile
	if err := yaml.UnmarshalStrict(read(t, strings.TrimPrefix(rel, "./")), &f); err != nil {
		t.Fatalf("%s: not a Grafana dashboard provisioning file: %v", rel, err)
	}
	if f.APIVersion != 1 || len(f.Providers) == 0 {
		t.Errorf("%s: apiVersion %d with %d providers", rel, f.APIVersion, len(f.Providers))
	}
	for _, p := range f.Providers {
		if p.Name == "" || (p.Type != "" && p.Type != "file") || !filepath.IsAbs(p.Options.Path) {
			t.Errorf("%s: provider %+v: want a name, type file and an absolute options.path", rel, p)
		}
	}
	return f
}

func TestGrafanaProvisioning(t *testing.T) {
	loadDatasources(t, "dashboards/provisioning/datasources/chiso.yml")
	loadDatasources(t, "deploy/compose/grafana-datasource.yml")
	loadProviders(t, "dashboards/provisioning/dashboards/chiso.yml")
}

// TestComposePrometheusConfig checks the compose Prometheus config and the
// rule files it loads with promtool, in the layout of the container.
func TestComposePrometheusConfig(t *testing.T) {
	promtool := tool(t, "promtool")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), read(t, "deploy/compose/prometheus.yml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	rules, _ := filepath.Glob(filepath.Join(root, "dashboards/prometheus/*.yml"))
	for _, r := range rules {
		b, err := os.ReadFile(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "rules", filepath.Base(r)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(promtool, "check", "config", filepath.Join(dir, "prometheus.yml")).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
}

// TestSystemdUnit runs systemd-analyze verify on the unit (with ExecStart
// pointed at an existing executable, since chiso is not installed here)
// and requires a low exposure score from systemd-analyze security.
func TestSystemdUnit(t *testing.T) {
	sa := tool(t, "systemd-analyze")
	unit := string(read(t, "deploy/chiso.service"))
	for _, want := range []string{"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=chiso", "ExecStart=/usr/local/bin/chiso serve"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %s", want)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "chiso.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(unit, "/usr/local/bin/chiso", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, sa, "verify", path)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err = exec.CommandContext(ctx, sa, "security", "--offline=true", "--no-pager", path).CombinedOutput()
	if err != nil {
		t.Logf("systemd-analyze security --offline unavailable: %v\n%s", err, out)
		return
	}
	m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	score, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("systemd-analyze security exposure: %.1f", score)
	if score > 2.0 {
		t.Errorf("exposure %.1f, want ≤ 2.0 (hardened)\n%s", score, out)
	}
}

// TestDockerfile checks what can be checked without a Docker engine: a
// multi-stage cgo build, a non-root runtime, and that every path it copies
// is in the build context.
func TestDockerfile(t *testing.T) {
	df := string(read(t, "Dockerfile"))
	if n := len(regexp.MustCompile(`(?m)^FROM `).FindAllString(df, -1)); n < 2 {
		t.Errorf("%d stages, want a multi-stage build", n)
	}
	for _, want := range []string{"CGO_ENABLED=1", "github.com/prometheus/common/version.Version=", "USER 65532", `ENTRYPOINT ["/usr/local/bin/chiso"]`, "EXPOSE 9369"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %s", want)
		}
	}
	ignore := string(read(t, ".dockerignore"))
	for _, m := range regexp.MustCompile(`(?m)^COPY (?:--chown=\S+ )?([^-\s]\S*) `).FindAllStringSubmatch(df, -1) {
		src := m[1]
		if _, err := os.Stat(filepath.Join(root, src)); err != nil {
			t.Errorf("COPY %s: %v", src, err)
		}
		for _, line := range strings.Split(ignore, "\n") {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "#") && strings.TrimPrefix(line, "/") == strings.TrimSuffix(src, "/") {
				t.Errorf(".dockerignore excludes %s, which the Dockerfile copies", src)
			}
		}
	}
}
