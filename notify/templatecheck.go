package notify

import (
	"fmt"
	"io"
	"reflect"
	"time"
)

// check executes every template once on a specimen report and alert, in
// which every list has one entry, so that a field or method a template
// names but the data lacks ("can't evaluate field Adress") fails when the
// templates are loaded, not when the first report is due.
func (t *Templates) check() error {
	r := specimen[Report]()
	a := specimen[Alert]()
	for name, exec := range map[string]func() error{
		SubjectTemplate: func() error { return t.subject.Execute(io.Discard, r) },
		TextTemplate:    func() error { return t.text.Execute(io.Discard, r) },
		HTMLTemplate:    func() error { return t.html.Execute(io.Discard, r) },
		AlertTemplate:   func() error { return t.alert.Execute(io.Discard, a) },
	} {
		if err := exec(); err != nil {
			return fmt.Errorf("notify: template %s: %w", name, err)
		}
	}
	return nil
}

// specimen returns a *T whose slices hold one filled element, pointers
// point at filled values and time zones are UTC, so a template's range
// bodies and nested fields are all evaluated.
func specimen[T any]() *T {
	v := new(T)
	fill(reflect.ValueOf(v).Elem(), 0)
	return v
}

var locationType = reflect.TypeFor[time.Location]()

func fill(v reflect.Value, depth int) {
	if depth > 8 || !v.CanSet() {
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), depth+1)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Pointer:
		if v.Type().Elem() == locationType {
			v.Set(reflect.ValueOf(time.UTC))
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	}
}
