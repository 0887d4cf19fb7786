package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
)

// Template file names. A file of the same name in the configured template
// directory replaces the embedded one, so an operator can reword or
// localise any of them and keep the rest.
const (
	SubjectTemplate = "subject.txt.tmpl" // one line: the report's Subject
	TextTemplate    = "report.txt.tmpl"  // the text/plain part
	HTMLTemplate    = "report.html.tmpl" // the text/html part (html/template: everything escaped)
	AlertTemplate   = "alert.txt.tmpl"   // an alert: first line the Subject, then a blank line, then the body
)

//go:embed templates/*.tmpl
var embedded embed.FS

// Templates renders reports and alerts.
type Templates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
	alert   *texttemplate.Template
}

// LoadTemplates parses the embedded templates, each replaced by the file of
// the same name in dir when dir is not empty and holds one. Every template is
// parsed and tried on a specimen report here, so a broken replacement (or one
// naming a field the data lacks) is reported at start-up.
func LoadTemplates(dir string) (*Templates, error) {
	var t Templates
	var errs []error
	for _, name := range []string{SubjectTemplate, TextTemplate, AlertTemplate} {
		src, err := templateSource(dir, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		tt, err := texttemplate.New(name).Funcs(funcs).Parse(src)
		if err != nil {
			errs = append(errs, fmt.Errorf("notify: template %s: %w", name, err))
			continue
		}
		switch name {
		case SubjectTemplate:
			t.subject = tt
		case TextTemplate:
			t.text = tt
		default:
			t.alert = tt
		}
	}
	src, err := templateSource(dir, HTMLTemplate)
	if err == nil {
		t.html, err = htmltemplate.New(HTMLTemplate).Funcs(funcs).Parse(src)
		if err != nil {
			err = fmt.Errorf("notify: template %s: %w", HTMLTemplate, err)
		}
	}
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := t.check(); err != nil {
		return nil, err
	}
	return &t, nil
}

// templateSource reads name from dir when it is there, else the embedded copy.
func templateSource(dir, name string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("notify: template %s: %w", name, err)
		}
	}
	b, err := embedded.ReadFile("templates/" + name)
	if err != nil {
		return "", fmt.Errorf("notify: embedded template %s: %w", name, err)
	}
	return string(b), nil
}

func render(name string, exec func(*bytes.Buffer) error) (string, error) {
	var b bytes.Buffer
	if err := exec(&b); err != nil {
		return "", fmt.Errorf("notify: render %s: %w", name, err)
	}
	return b.String(), nil
}

// Subject renders the report's Subject line (one line, trimmed).
func (t *Templates) Subject(r *Report) (string, error) {
	s, err := render(SubjectTemplate, func(b *bytes.Buffer) error { return t.subject.Execute(b, r) })
	return oneLine(s), err
}

// Text renders the report's text/plain body.
func (t *Templates) Text(r *Report) (string, error) {
	return render(TextTemplate, func(b *bytes.Buffer) error { return t.text.Execute(b, r) })
}

// HTML renders the report's text/html body.
func (t *Templates) HTML(r *Report) (string, error) {
	return render(HTMLTemplate, func(b *bytes.Buffer) error { return t.html.Execute(b, r) })
}

// Alert renders an alert's Subject and body.
func (t *Templates) Alert(a *Alert) (subject, body string, err error) {
	s, err := render(AlertTemplate, func(b *bytes.Buffer) error { return t.alert.Execute(b, a) })
	if err != nil {
		return "", "", err
	}
	subject, body, _ = strings.Cut(s, "\n")
	return oneLine(subject), strings.TrimLeft(body, "\n"), nil
}

// oneLine trims s and folds any line breaks in it into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
