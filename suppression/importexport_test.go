package suppression

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestImportFormats(t *testing.T) {
	tests := []struct {
		format, file string
		want         map[string]string // address → suppressed_reason
	}{
		{FormatSES, "EmailAddress,Reason,LastUpdateTime\nA@ses.test,BOUNCE,2026-01-02T03:04:05Z\nb@ses.test,COMPLAINT,\n",
			map[string]string{"a@ses.test": "bounce", "b@ses.test": "complaint"}},
		{FormatSendGrid, "created,email,reason,status\n1767225600,a@sg.test,\"550 5.1.1 no such user\",5.1.1\n",
			map[string]string{"a@sg.test": "bounce"}},
		{FormatSendGrid, "email,created\na@sg.test,2026-01-01 10:00:00\n", map[string]string{"a@sg.test": "unsubscribe"}},
		{FormatMailgun, "address,code,error,created_at\na@mg.test,550,No such mailbox,\"Fri, 02 Jan 2026 03:04:05 +0000\"\n",
			map[string]string{"a@mg.test": "bounce"}},
		{FormatPostmark, "Email Address,Suppression Reason,Origin,Created At\na@pm.test,HardBounce,Recipient,2026-01-02T03:04:05Z\n",
			map[string]string{"a@pm.test": "hardbounce"}},
		{FormatBouncer, "email,suppressed,suppressed_reason,source,note\nm@b.test,true,ticket,manual,asked\nn@b.test,false,,bounce,\n",
			map[string]string{"m@b.test": "ticket"}},
	}
	for _, tt := range tests {
		dialects(t, Options{}, func(t *testing.T, s *Store) {
			res, err := s.Import(context.Background(), strings.NewReader(tt.file), ImportOptions{}, t0)
			if err != nil || res.Format != tt.format || res.Imported != len(tt.want) {
				t.Fatalf("Import(%s) = %+v, %v; want format %s, %d imported", tt.format, res, err, tt.format, len(tt.want))
			}
			for addr, reason := range tt.want {
				e := mustEntry(t, s, addr)
				if !e.Suppressed || e.SuppressedReason != reason || (e.Source != SourceImport && e.Source != SourceManual) {
					t.Errorf("%s: entry %s = %+v, want suppressed for %q by import", tt.format, addr, e, reason)
				}
			}
		})
	}
}

func TestImportTimesAndSources(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		file := "address,code,error,created_at\na@mg.test,550,No such mailbox,\"Fri, 02 Jan 2026 03:04:05 +0000\"\n"
		if _, err := s.Import(context.Background(), strings.NewReader(file), ImportOptions{}, t0); err != nil {
			t.Fatal(err)
		}
		e := mustEntry(t, s, "a@mg.test")
		if want := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC); !e.SuppressedAt.Equal(want) || e.Note != "550 No such mailbox" || e.Source != SourceImport {
			t.Errorf("entry = %+v, want suppressed at %v with note", e, want)
		}
	})
}

func TestImportInvalidLines(t *testing.T) {
	file := "email,created\nok@x.test,1\nnot-an-address,2\nalso@x.test,yesterday\n\"broken,3\nlast@x.test,4\n"
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		res, err := s.Import(ctx, strings.NewReader(file), ImportOptions{}, t0)
		if !errors.Is(err, ErrInvalidImport) {
			t.Fatalf("Import with bad lines: err = %v, want ErrInvalidImport", err)
		}
		for _, want := range []string{`line 3: invalid address "not-an-address"`, `line 4: bad time "yesterday"`, "line 5:"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not report %q", err, want)
			}
		}
		if p, _ := s.List(ctx, Filter{All: true}, t0); len(p.Entries) != 0 {
			t.Errorf("imported %v despite bad lines", emails(p.Entries))
		}
		res, err = s.Import(ctx, strings.NewReader(file), ImportOptions{SkipInvalid: true}, t0)
		if err != nil || res.Imported != 1 || len(res.Invalid) != 3 {
			t.Errorf("Import skip-invalid = %+v, %v; want 1 imported (ok), 3 invalid", res, err)
		}
	})
}

func TestImportSkipsAllowlisted(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.AllowAdd(ctx, "friend.test", "", t0); err != nil {
			t.Fatal(err)
		}
		res, err := s.Import(ctx, strings.NewReader("email\na@friend.test\nb@other.test\nB@other.test\n"), ImportOptions{}, t0)
		if err != nil || res.Imported != 1 || !slices.Equal(res.Allowlisted, []string{"a@friend.test"}) {
			t.Errorf("Import = %+v, %v; want b@other.test imported once, a@friend.test skipped", res, err)
		}
	})
}

func TestExportRoundTrip(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		seed(t, s)
		for _, f := range Formats {
			var buf bytes.Buffer
			n, err := s.Export(ctx, &buf, f, Filter{}, t0.Add(time.Hour))
			if err != nil || n != 2 {
				t.Fatalf("Export(%s) = %d, %v; want 2 rows", f, n, err)
			}
			other := openTest(t, "sqlite", Options{})
			res, err := other.Import(ctx, &buf, ImportOptions{}, t0)
			if err != nil || res.Format != f || res.Imported != 2 {
				t.Errorf("re-Import(%s) = %+v, %v; want the same format, 2 rows\n%s", f, res, err, buf.String())
			}
		}
	})
}

func TestExportKeepsKinds(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	ctx := context.Background()
	in := "EmailAddress,Reason,LastUpdateTime\nd@x.test,BOUNCE,2026-01-02T03:04:05Z\nc@x.test,COMPLAINT,2026-01-02T03:04:05Z\n"
	if _, err := s.Import(ctx, strings.NewReader(in), ImportOptions{}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, "m@x.test", Manual{Reason: "asked"}, t0); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.Export(ctx, &buf, FormatPostmark, Filter{}, t0); err != nil {
		t.Fatal(err)
	}
	want := "EmailAddress,SuppressionReason,Origin,CreatedAt\nc@x.test,SpamComplaint,Recipient,2026-01-02T03:04:05Z\n" +
		"d@x.test,HardBounce,Recipient,2026-01-02T03:04:05Z\nm@x.test,ManualSuppression,Customer,2026-03-01T12:00:00Z\n"
	if buf.String() != want {
		t.Errorf("postmark export =\n%s\nwant\n%s", buf.String(), want)
	}
}

// TestImportKeepsBounceSuppressions: an address bounces already suppress
// keeps its entry (reason, time, source) unless Overwrite, and is listed.
func TestImportKeepsBounceSuppressions(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		mustRecord(t, s, t0, hard("1", "dead@x.test", t0))
		file := "EmailAddress,Reason,LastUpdateTime\ndead@x.test,BOUNCE,2025-01-01T00:00:00Z\nnew@x.test,BOUNCE,\n"
		res, err := s.Import(ctx, strings.NewReader(file), ImportOptions{}, t0.Add(time.Hour))
		if err != nil || res.Imported != 1 || len(res.Kept) != 1 || res.Kept[0].Email != "dead@x.test" {
			t.Fatalf("Import = %+v, %v; want new@x.test imported and dead@x.test kept", res, err)
		}
		if e := mustEntry(t, s, "dead@x.test"); e.Source != SourceBounce || e.SuppressedReason != "userunknown" || !e.SuppressedAt.Equal(t0) {
			t.Errorf("kept entry = %+v; want the bounce's source, reason and time", e)
		}
		res, err = s.Import(ctx, strings.NewReader(file), ImportOptions{Overwrite: true}, t0.Add(time.Hour))
		if err != nil || res.Imported != 2 || len(res.Kept) != 0 {
			t.Fatalf("Import with Overwrite = %+v, %v; want both imported", res, err)
		}
		if e := mustEntry(t, s, "dead@x.test"); e.Source != SourceImport || e.SuppressedReason != "bounce" {
			t.Errorf("overwritten entry = %+v; want the file's", e)
		}
	})
}

// TestImportSemicolons reads a CSV saved with semicolons (spreadsheets in
// decimal-comma locales).
func TestImportSemicolons(t *testing.T) {
	s := openTest(t, "sqlite", Options{})
	res, err := s.Import(context.Background(), strings.NewReader("EmailAddress;Reason;LastUpdateTime\na@x.test;BOUNCE;\nb@x.test;COMPLAINT;\n"), ImportOptions{}, t0)
	if err != nil || res.Format != FormatSES || res.Imported != 2 {
		t.Errorf("Import of a semicolon CSV = %+v, %v; want 2 imported as ses", res, err)
	}
}
