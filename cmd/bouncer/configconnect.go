package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/poller"
)

// connectTimeout bounds each of config check --connect's tries.
const connectTimeout = 30 * time.Second

// checkConnections tries what cfg names: the database (a ping; an absent
// SQLite file is reported, not created), each mailbox (log in, open the
// folder read-only) and the SMTP server (hello, authenticate, quit). It
// writes one line per try and returns an error when any failed.
func checkConnections(ctx context.Context, w io.Writer, cfg *Config) error {
	failed := 0
	try := func(what string, fn func(context.Context) error) {
		ctx, cancel := context.WithTimeout(ctx, connectTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			failed++
			fmt.Fprintf(w, "connect %s: FAILED: %v\n", what, err)
			return
		}
		fmt.Fprintf(w, "connect %s: ok\n", what)
	}
	try("database "+redactURL(storeURL(cfg)), func(ctx context.Context) error { return pingDatabase(ctx, cfg) })
	for i, m := range cfg.Mailboxes {
		try(fmt.Sprintf("mailbox %s (%s %s:%d)", m.Name, m.Protocol, m.Host, m.Port), func(ctx context.Context) error {
			return withTLSHint(poller.Probe(ctx, pollerMailbox(m), nil), fmt.Sprintf("mailboxes[%d].tls_ca_file", i))
		})
	}
	if cfg.SMTP.Host != "" {
		try(fmt.Sprintf("smtp %s:%d", cfg.SMTP.Host, cfg.SMTP.Port), func(ctx context.Context) error {
			o, err := smtpOptions(cfg.SMTP)
			if err != nil {
				return err
			}
			return withTLSHint(notify.NewMailer(o).Probe(ctx), "smtp.tls_ca_file")
		})
	}
	if failed > 0 {
		return fmt.Errorf("config check --connect: %s", plural(failed, "%d connection failed", "%d connections failed"))
	}
	return nil
}

// pingDatabase connects to the database and pings it, without creating a
// SQLite file that is not there.
func pingDatabase(ctx context.Context, cfg *Config) error {
	if path, ok := sqlitePath(storeURL(cfg)); ok {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s does not exist yet (bouncer migrate, run or poll creates it)", path)
		}
	}
	db, _, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}
