package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bouncer-mail/bouncer/internal/netaddr"
	"github.com/bouncer-mail/bouncer/suppression"
)

// ErrAPIWithoutToken refuses an unauthenticated API reachable from other
// machines.
var ErrAPIWithoutToken = errors.New("http: http.token_file or http.token_env is required when http.listen is not a loopback address")

// startHTTP serves the suppression API on http.listen, with the token read
// from http.token_file or http.token_env, until stop is called (it drains requests in flight
// until its context ends). It binds before returning, so a busy port is an
// error here; with no http.listen it does nothing and stop is nil. Without
// a token it serves only on a loopback address.
func startHTTP(ctx context.Context, cfg *Config, store *suppression.Store) (stop func(context.Context) error, err error) {
	if cfg.HTTP.Listen == "" {
		return nil, nil
	}
	if !cfg.HTTP.Token.IsSet() && !loopback(cfg.HTTP.Listen) {
		return nil, fmt.Errorf("%w (%s)", ErrAPIWithoutToken, cfg.HTTP.Listen)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("http: listen on %s: %w", cfg.HTTP.Listen, err)
	}
	srv := &http.Server{
		Handler: suppression.NewHandler(store, suppression.HandlerOptions{
			Token: cfg.HTTP.Token.Value(), MetricsToken: cfg.HTTP.MetricsToken.Value(),
			Timeout: cfg.HTTP.ReadTimeout, Logger: slog.Default(),
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.HTTP.ReadTimeout,
		WriteTimeout:      cfg.HTTP.ReadTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("http server stopped", slog.String("listen", cfg.HTTP.Listen), slog.String("error", err.Error()))
		}
	}()
	slog.Info("http api listening", slog.String("listen", ln.Addr().String()), slog.Bool("token", cfg.HTTP.Token.IsSet()))
	return srv.Shutdown, nil
}

// loopback reports whether a host:port listens only on this machine.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	return err == nil && netaddr.Loopback(host)
}
