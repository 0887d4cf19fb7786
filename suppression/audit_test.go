package suppression

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Every manual change writes one audit row naming the actor, the door, the
// subject and the note, newest first; a change that fails or changes
// nothing writes none.
func TestAuditLog(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := WithActor(context.Background(), Actor{Who: "cli:alice", Via: ViaCLI})
		seed(t, s)
		at := t0.Add(48 * time.Hour)
		if _, err := s.Add(ctx, "m@x.test", Manual{Reason: "asked", Note: "customer request"}, at); err != nil {
			t.Fatal(err)
		}
		noted := WithActor(context.Background(), Actor{Who: "ui:admin", Via: ViaUI, Note: "ticket 42"})
		if _, err := s.Remove(noted, "a@x.test", at); err != nil {
			t.Fatal(err)
		}
		// Removed again: nothing left to lift or clear, so no second row.
		if e, err := s.Remove(noted, "a@x.test", at.Add(time.Minute)); err != nil || e.ClearedAt == nil || !e.ClearedAt.Equal(at) {
			t.Fatalf("Remove(a@x.test) again = cleared at %v, %v; want the first removal's time, %v", e.ClearedAt, err, at)
		}
		if _, err := s.Remove(noted, "nobody@x.test", at); err == nil {
			t.Fatal("Remove(unknown) succeeded")
		}
		if _, err := s.AllowAdd(ctx, "vip.test", "partner", at); err != nil {
			t.Fatal(err)
		}
		if err := s.AllowRemove(ctx, "vip.test", at); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Import(ctx, strings.NewReader("email,reason\ni@x.test,old list\n"), ImportOptions{}, at); err != nil {
			t.Fatal(err)
		}
		es, next, err := s.Audit(context.Background(), AuditFilter{})
		if err != nil || next != 0 {
			t.Fatalf("Audit = %v, next %d, %v", es, next, err)
		}
		want := []struct{ action, subject, actor, via, note string }{
			{ActionImport, "", "cli:alice", ViaCLI, ""},
			{ActionUnallow, "vip.test", "cli:alice", ViaCLI, ""},
			{ActionAllow, "vip.test", "cli:alice", ViaCLI, "partner"},
			{ActionRemove, "a@x.test", "ui:admin", ViaUI, "ticket 42"},
			{ActionAdd, "m@x.test", "cli:alice", ViaCLI, "customer request"},
		}
		if len(es) != len(want) {
			t.Fatalf("Audit = %d rows %+v, want %d", len(es), es, len(want))
		}
		for i, w := range want {
			e := es[i]
			if e.Action != w.action || e.Subject != w.subject || e.Actor != w.actor || e.Via != w.via || e.Note != w.note || !e.At.Equal(at) {
				t.Errorf("audit[%d] = %+v, want %+v at %v", i, e, w, at)
			}
		}
		if d := es[0].Detail; !strings.HasPrefix(d, "imported 1 address (") {
			t.Errorf("import detail = %q, want it to start with %q", d, "imported 1 address (")
		}
		if d := es[3].Detail; !strings.Contains(d, "lifted the suppression") || !strings.Contains(d, "hard 1") {
			t.Errorf("remove detail = %q, want the lifted suppression and its counts", d)
		}
		// Keyset pages and the subject filter.
		page, next, err := s.Audit(context.Background(), AuditFilter{Limit: 2})
		if err != nil || len(page) != 2 || next != page[1].ID {
			t.Fatalf("Audit(limit 2) = %v, next %d, %v", page, next, err)
		}
		rest, next2, err := s.Audit(context.Background(), AuditFilter{Before: next})
		if err != nil || len(rest) != 3 || next2 != 0 || rest[0].Action != ActionAllow {
			t.Errorf("Audit(before %d) = %+v, next %d, %v", next, rest, next2, err)
		}
		mine, _, err := s.Audit(context.Background(), AuditFilter{Subject: "a@x.test"})
		if err != nil || len(mine) != 1 || mine[0].Action != ActionRemove {
			t.Errorf("Audit(subject a@x.test) = %+v, %v", mine, err)
		}
	})
}

// Recompute audits each address it changes; a dry run audits nothing.
func TestAuditRecompute(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := WithActor(context.Background(), Actor{Who: "cli:bob", Via: ViaCLI})
		seed(t, s)
		strict := s.Policy()
		strict.SoftThreshold = 1
		now := t0.Add(3 * time.Hour)
		if _, err := s.Recompute(ctx, strict, now, true); err != nil {
			t.Fatal(err)
		}
		if es, _, _ := s.Audit(ctx, AuditFilter{}); len(es) != 0 {
			t.Fatalf("dry run audited %+v", es)
		}
		changes, err := s.Recompute(ctx, strict, now, false)
		if err != nil || len(changes) == 0 {
			t.Fatalf("Recompute = %v, %v", changes, err)
		}
		es, _, err := s.Audit(ctx, AuditFilter{Subject: "s@x.test"})
		if err != nil || len(es) != 1 || es[0].Action != ActionRecompute || !strings.Contains(es[0].Detail, "-> suppressed") {
			t.Errorf("Audit(s@x.test) = %+v, %v; want one recompute that suppressed it", es, err)
		}
	})
}

// The API audits its changes as "api", with the note= parameter.
func TestAuditAPI(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		seed(t, s)
		c := newAPI(t, s, HandlerOptions{})
		if code, body := c.do("DELETE", "/v1/suppressions/a@x.test?note=ticket+7", "", testToken); code != 204 {
			t.Fatalf("DELETE = %d %s", code, body)
		}
		es, _, err := s.Audit(context.Background(), AuditFilter{})
		if err != nil || len(es) != 1 || es[0].Actor != "api" || es[0].Via != ViaAPI || es[0].Note != "ticket 7" || es[0].Action != ActionRemove {
			t.Errorf("Audit = %+v, %v; want the API's remove with its note", es, err)
		}
	})
}
