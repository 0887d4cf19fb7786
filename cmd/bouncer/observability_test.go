package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"go.yaml.in/yaml/v3"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

const (
	dashboardFile  = "../../configs/grafana/bouncer.json"
	alertsFile     = "../../configs/prometheus/alerts.yml"
	alertTestsFile = "../../configs/prometheus/alerts_test.yml"
)

// grafanaDashboard is the part of a Grafana dashboard the tests read.
type grafanaDashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Templating    struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int    `json:"id"`
		Type       string `json:"type"`
		Title      string `json:"title"`
		Datasource *struct {
			UID string `json:"uid"`
		} `json:"datasource"`
		GridPos struct{ X, Y, W, H int } `json:"gridPos"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
}

func readDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s does not parse: %v", dashboardFile, err)
	}
	return d
}

// dashboardQueries returns every PromQL query of the dashboard: panel
// targets and query variables.
func dashboardQueries(d grafanaDashboard) []string {
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type == "query" {
			out = append(out, v.Definition)
		}
	}
	return out
}

// alertExprs returns the expr of every rule in alerts.yml, by alert name.
func alertExprs(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
				Expr  string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	out := map[string]string{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			out[r.Alert] = r.Expr
		}
	}
	return out
}

// labelValues matches a variable query label_values(selector, label).
var labelValues = regexp.MustCompile(`^label_values\((.+), *[a-z_]+\)$`)

// The dashboard imports into Grafana 10+: it parses, every panel but a row
// has a query on the data source variable and sits inside the 24-column
// grid, panel ids are unique, and every query is valid PromQL (checked by
// promtool as recording rules, Grafana's interval variables filled in).
func TestDashboardJSON(t *testing.T) {
	d := readDashboard(t)
	if d.UID == "" || d.Title == "" || d.SchemaVersion < 36 {
		t.Errorf("dashboard uid %q, title %q, schemaVersion %d; want both set and schema 36+ (Grafana 10)", d.UID, d.Title, d.SchemaVersion)
	}
	ids := map[int]bool{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.GridPos.X < 0 || p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: gridPos %+v leaves the 24-column grid", p.Title, p.GridPos)
		}
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || p.Datasource.UID != "${datasource}" || len(p.Targets) == 0 {
			t.Errorf("panel %q: datasource %+v, %d queries; want ${datasource} and at least one", p.Title, p.Datasource, len(p.Targets))
		}
	}
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	fill := strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m")
	for i, q := range dashboardQueries(d) {
		if m := labelValues.FindStringSubmatch(q); m != nil { // Grafana's, around a selector
			q = m[1]
		}
		fmt.Fprintf(&rules, "      - record: dashboard:query_%d\n        expr: %q\n", i, fill.Replace(q))
	}
	file := filepath.Join(t.TempDir(), "dashboard-queries.yml")
	if err := os.WriteFile(file, []byte(rules.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(testenv.Promtool(t), "check", "rules", file).CombinedOutput(); err != nil {
		t.Errorf("a dashboard query is not valid PromQL: %v\n%s", err, out)
	}
}

// The alert rules load, and each alert fires on a synthetic series that
// breaks it and stays quiet otherwise (configs/prometheus/alerts_test.yml).
func TestAlertRules(t *testing.T) {
	promtool := testenv.Promtool(t)
	if out, err := exec.Command(promtool, "check", "rules", alertsFile).CombinedOutput(); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
	if out, err := exec.Command(promtool, "test", "rules", alertTestsFile).CombinedOutput(); err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
	tests, err := os.ReadFile(alertTestsFile)
	if err != nil {
		t.Fatal(err)
	}
	for name := range alertExprs(t) {
		if n := strings.Count(string(tests), "alertname: "+name+"\n"); n < 2 {
			t.Errorf("%s has %d cases in %s; want one where it fires and one where it stays quiet", name, n, alertTestsFile)
		}
	}
}

// metricName matches the metric names a PromQL query selects.
var metricName = regexp.MustCompile(`\b(?:bouncer|go|process)_[a-z0-9_]+\b`)

// checkQueriedMetricsExposed fails for every metric the dashboard or the
// alert rules name that the scraped families do not have (a histogram's
// _bucket, _sum and _count count as its family).
func checkQueriedMetricsExposed(t *testing.T, families map[string]*dto.MetricFamily) {
	t.Helper()
	queries := dashboardQueries(readDashboard(t))
	for _, e := range alertExprs(t) {
		queries = append(queries, e)
	}
	for _, q := range queries {
		for _, name := range metricName.FindAllString(q, -1) {
			if !exposed(families, name) {
				t.Errorf("%s is queried (%s) but /metrics does not expose it", name, q)
			}
		}
	}
}

func exposed(families map[string]*dto.MetricFamily, name string) bool {
	if families[name] != nil {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok {
			if f := families[base]; f != nil && f.GetType() == dto.MetricType_HISTOGRAM {
				return true
			}
		}
	}
	return false
}
