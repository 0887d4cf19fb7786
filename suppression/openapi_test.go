package suppression

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/bouncer-mail/bouncer/dsn"
)

// openAPIDoc is docs/openapi.yaml, decoded.
type openAPIDoc struct {
	doc   map[string]any
	paths map[string]any
	c     *jsonschema.Compiler
}

// loadOpenAPI reads docs/openapi.yaml and makes its schemas compilable
// (OpenAPI 3.1 schemas are JSON Schema 2020-12).
func loadOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	b, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var y any
	if err := yaml.Unmarshal(b, &y); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
	j, err := json.Marshal(y) // JSON values, as the validator expects them
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	o := &openAPIDoc{doc: doc.(map[string]any), c: jsonschema.NewCompiler()}
	if v, _ := o.doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Fatalf("docs/openapi.yaml: openapi %q, want 3.1.x", v)
	}
	o.paths, _ = o.doc["paths"].(map[string]any)
	o.c.DefaultDraft(jsonschema.Draft2020)
	o.c.AssertFormat()
	if err := o.c.AddResource("file:///openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return o
}

// operations returns the documented operations as ServeMux patterns.
func (o *openAPIDoc) operations() []string {
	var out []string
	for path, item := range o.paths {
		for method := range item.(map[string]any) {
			if slices.Contains([]string{"get", "put", "post", "delete", "patch"}, method) {
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// response returns the JSON pointer of the response pattern documents for
// status (following a $ref to components/responses), or false.
func (o *openAPIDoc) response(pattern string, status int) (string, map[string]any, bool) {
	method, path, _ := strings.Cut(pattern, " ")
	item, _ := o.paths[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	responses, _ := op["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return "", nil, false
	}
	ptr := "#/paths/" + escapePointer(path) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(status)
	if ref, ok := resp["$ref"].(string); ok {
		ptr = ref
		name := ref[strings.LastIndexByte(ref, '/')+1:]
		resp = o.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
	}
	return ptr, resp, true
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// TestOpenAPIRoutes checks docs/openapi.yaml describes exactly the routes
// the API registers.
func TestOpenAPIRoutes(t *testing.T) {
	o := loadOpenAPI(t)
	var registered []string
	for _, rt := range (&api{}).routes() {
		// {id...} (the rest of the path) is {id} in OpenAPI's templates.
		registered = append(registered, strings.ReplaceAll(rt.pattern, "...}", "}"))
	}
	slices.Sort(registered)
	documented := o.operations()
	for _, p := range registered {
		if !slices.Contains(documented, p) {
			t.Errorf("route %s is not in docs/openapi.yaml", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(registered, p) {
			t.Errorf("docs/openapi.yaml describes %s, which the API does not register", p)
		}
	}
}

// queryParams returns the query parameters docs/openapi.yaml documents for
// the operation of pattern (method and path), in their order.
func (o *openAPIDoc) queryParams(pattern string) []string {
	method, path, _ := strings.Cut(pattern, " ")
	item, _ := o.paths[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	params, _ := op["parameters"].([]any)
	var out []string
	for _, p := range params {
		if m, _ := p.(map[string]any); m["in"] == "query" {
			out = append(out, m["name"].(string))
		}
	}
	return out
}

// TestOpenAPIQueryParameters checks docs/openapi.yaml documents exactly the
// query parameters each /v1 route takes (any other is refused), and a 400
// for each.
func TestOpenAPIQueryParameters(t *testing.T) {
	o := loadOpenAPI(t)
	for _, rt := range (&api{}).routes() {
		if !strings.Contains(rt.pattern, " /v1/") {
			continue
		}
		p := strings.ReplaceAll(rt.pattern, "...}", "}")
		if got := o.queryParams(p); !slices.Equal(got, rt.params) {
			t.Errorf("%s: docs/openapi.yaml documents query parameters %q, the route takes %q", p, got, rt.params)
		}
		if _, _, ok := o.response(p, 400); !ok {
			t.Errorf("%s: docs/openapi.yaml documents no 400 (an unknown query parameter)", p)
		}
	}
}

// TestOpenAPIResponses sends requests covering every operation (its
// success and the errors a client meets) to a real server on each
// dialect, and checks each status is documented for its operation and
// each JSON body validates against the documented schema.
func TestOpenAPIResponses(t *testing.T) {
	o := loadOpenAPI(t)
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		c := newAPI(t, s, HandlerOptions{})
		seed(t, s)
		sent := bounce("f", t0, rcpt("f@x.test", dsn.ClassHard, dsn.ReasonUserUnknown))
		sent.Report.Original.MessageID = "<sent-1@app.test>"
		mustRecord(t, s, t0, sent)
		covered := map[string]bool{}
		for _, rq := range []struct {
			pattern, method, path, body, token string
			status                             int
		}{
			{"GET /v1/suppressions", "GET", "/v1/suppressions?all=true&limit=2", "", testToken, 200},
			{"GET /v1/suppressions", "GET", "/v1/suppressions?class=bogus", "", testToken, 400},
			{"GET /v1/suppressions", "GET", "/v1/suppressions", "", "-", 401},
			{"GET /v1/suppressions/{email}", "GET", "/v1/suppressions/a@x.test", "", testToken, 200},
			{"GET /v1/suppressions/{email}", "GET", "/v1/suppressions/nobody@x.test", "", testToken, 404},
			{"GET /v1/suppressions/{email}", "GET", "/v1/suppressions/garbage", "", testToken, 400},
			{"PUT /v1/suppressions/{email}", "PUT", "/v1/suppressions/m@z.test", `{"reason": "asked", "note": "n", "expires_at": "2030-01-01T00:00:00Z"}`, testToken, 200},
			{"PUT /v1/suppressions/{email}", "PUT", "/v1/suppressions/m@z.test", `{"expires_at": "tomorrow"}`, testToken, 400},
			{"DELETE /v1/suppressions/{email}", "DELETE", "/v1/suppressions/m@z.test?note=asked", "", testToken, 204},
			{"DELETE /v1/suppressions/{email}", "DELETE", "/v1/suppressions/nobody@x.test", "", testToken, 404},
			{"POST /v1/suppressions/check", "POST", "/v1/suppressions/check", `{"emails": ["a@x.test", "bad", "n@z.test"]}`, testToken, 200},
			{"PUT /v1/allowlist/{entry}", "PUT", "/v1/allowlist/partner.test", `{"note": "x"}`, testToken, 200},
			{"PUT /v1/suppressions/{email}", "PUT", "/v1/suppressions/a@partner.test", "", testToken, 409},
			{"GET /v1/allowlist", "GET", "/v1/allowlist", "", testToken, 200},
			{"DELETE /v1/allowlist/{entry}", "DELETE", "/v1/allowlist/partner.test", "", testToken, 204},
			{"DELETE /v1/allowlist/{entry}", "DELETE", "/v1/allowlist/partner.test", "", testToken, 404},
			{"GET /v1/messages/{id}", "GET", "/v1/messages/sent-1@app.test", "", testToken, 200},
			{"GET /v1/messages/{id}", "GET", "/v1/messages/never-sent@app.test", "", testToken, 200},
			{"POST /v1/sent", "POST", "/v1/sent", `[{"stream": "news", "count": 1500, "id": "n1"}, {"stream": "receipts", "count": 3}]`, testToken, 200},
			{"POST /v1/sent", "POST", "/v1/sent", `{"stream": "news", "count": 1500, "id": "n1"}`, testToken, 200},
			{"POST /v1/sent", "POST", "/v1/sent", `{"stream": "news", "count": 0}`, testToken, 400},
			{"GET /v1/rates", "GET", "/v1/rates?days=2", "", testToken, 200},
			{"GET /v1/rates", "GET", "/v1/rates?stream=receipts", "", testToken, 200},
			{"GET /v1/rates", "GET", "/v1/rates?days=x", "", testToken, 400},
			{"GET /healthz", "GET", "/healthz", "", "-", 200},
			{"GET /metrics", "GET", "/metrics", "", "-", 200},
		} {
			status, body := c.do(rq.method, rq.path, rq.body, rq.token)
			if status != rq.status {
				t.Errorf("%s %s = %d %s, want %d", rq.method, rq.path, status, body, rq.status)
				continue
			}
			covered[rq.pattern] = true
			ptr, resp, ok := o.response(rq.pattern, status)
			if !ok {
				t.Errorf("%s %s answered %d, which docs/openapi.yaml does not document for %s", rq.method, rq.path, status, rq.pattern)
				continue
			}
			content, _ := resp["content"].(map[string]any)
			if _, isJSON := content["application/json"]; !isJSON {
				if body != "" && status != 200 {
					t.Errorf("%s %s = %d with a body, documented without JSON content", rq.method, rq.path, status)
				}
				continue
			}
			sch, err := o.c.Compile("file:///openapi.json" + ptr + "/content/application~1json/schema")
			if err != nil {
				t.Fatalf("%s %d: schema: %v", rq.pattern, status, err)
			}
			v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
			if err != nil {
				t.Errorf("%s %s = %d, body %q is not JSON: %v", rq.method, rq.path, status, body, err)
				continue
			}
			if err := sch.Validate(v); err != nil {
				t.Errorf("%s %s = %d %s\ndoes not match docs/openapi.yaml: %v", rq.method, rq.path, status, body, err)
			}
		}
		for _, p := range o.operations() {
			if !covered[p] {
				t.Errorf("no request of this test reached %s", p)
			}
		}
	})
}
