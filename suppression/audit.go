package suppression

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Actor says who makes a manual change, through which door, and why. It
// travels in the context (WithActor), so the API, the CLI and the dashboard
// call the same Store methods and each change is audited by one code path
// (writeAudit) inside its own transaction.
type Actor struct {
	Who  string // "cli:alice", "api", "ui:admin"; empty: "unknown"
	Via  string // ViaAPI, ViaCLI or ViaUI; empty: "unknown"
	Note string // why, as the person wrote it; may be empty
}

// Doors a manual change comes through, as Actor.Via.
const (
	ViaAPI = "api"
	ViaCLI = "cli"
	ViaUI  = "ui"
)

// Audited actions, as AuditEntry.Action.
const (
	ActionAdd       = "add"
	ActionRemove    = "remove"
	ActionAllow     = "allow"
	ActionUnallow   = "unallow"
	ActionImport    = "import"
	ActionRecompute = "recompute"
)

type actorKey struct{}

// WithActor returns a context whose changes are audited as made by a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor WithActor put in ctx, with "unknown" for
// what is missing.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	if a.Who == "" {
		a.Who = "unknown"
	}
	if a.Via == "" {
		a.Via = "unknown"
	}
	return a
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Via     string    `json:"via"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"` // address or allowlist entry; empty for bulk changes
	Detail  string    `json:"detail"`  // what changed, in words
	Note    string    `json:"note"`
}

const auditInsertSQL = `INSERT INTO audit_log (at, actor, via, action, subject, detail, note) VALUES (?, ?, ?, ?, ?, ?, ?)`

// writeAudit records a manual change in tx, the transaction that makes it,
// as done by the context's actor at now. note is kept when the actor gave
// none (the note of an added entry).
func (s *Store) writeAudit(ctx context.Context, tx *sqlx.Tx, now time.Time, action, subject, detail, note string) error {
	a := ActorFrom(ctx)
	if a.Note == "" {
		a.Note = note
	}
	if _, err := tx.ExecContext(ctx, s.q(auditInsertSQL), s.tv(now), a.Who, a.Via, action, subject, detail, a.Note); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter selects audit entries. The zero value is the newest entries.
type AuditFilter struct {
	Subject string // only this address or allowlist entry (as stored)
	Before  int64  // keyset: only entries with an id below it; 0 means the newest
	Limit   int    // 0 means 50
}

const auditCols = `id, at, actor, via, action, subject, detail, note`

// Audit returns audit entries newest first, and the Before of the next
// page (0 on the last). Each page is one index range (no OFFSET).
func (s *Store) Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q, args := `SELECT `+auditCols+` FROM audit_log WHERE true`, []any{}
	if f.Subject != "" {
		q, args = q+` AND subject = ?`, append(args, f.Subject)
	}
	if f.Before > 0 {
		q, args = q+` AND id < ?`, append(args, f.Before)
	}
	q, args = q+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit+1)
	out, err := scanAll(ctx, s.rdb, func(e *AuditEntry) []any {
		return []any{&e.ID, timeInto{&e.At}, &e.Actor, &e.Via, &e.Action, &e.Subject, &e.Detail, &e.Note}
	}, s.q(q), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("suppression: audit log: %w", err)
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[f.Limit-1].ID
	}
	return out, next, nil
}
