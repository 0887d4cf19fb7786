package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/internal/dashboard"
	"github.com/bouncer-mail/bouncer/internal/metrics"
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
	handler, err := httpHandler(cfg, store)
	if err != nil {
		ln.Close()
		return nil, err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       cfg.HTTP.ReadTimeout,
		WriteTimeout:      cfg.HTTP.ReadTimeout + 5*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	tlsOn := cfg.HTTP.TLSCertFile != ""
	go func() {
		serve := func() error { return srv.Serve(ln) }
		if tlsOn {
			serve = func() error { return srv.ServeTLS(ln, cfg.HTTP.TLSCertFile, cfg.HTTP.TLSKeyFile) }
		}
		if err := serve(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("http server stopped", slog.String("listen", cfg.HTTP.Listen), slog.String("err", err.Error()))
		}
	}()
	slog.Info("http api and dashboard (/ui/) listening", slog.String("listen", ln.Addr().String()),
		slog.Bool("token", cfg.HTTP.Token.IsSet()), slog.Bool("read_token", cfg.HTTP.ReadToken.IsSet()), slog.Bool("tls", tlsOn))
	return srv.Shutdown, nil
}

// httpHandler is the API with the dashboard under /ui/.
func httpHandler(cfg *Config, store *suppression.Store) (http.Handler, error) {
	api := suppression.NewHandler(store, suppression.HandlerOptions{
		Token: cfg.HTTP.Token.Value(), ReadToken: cfg.HTTP.ReadToken.Value(), MetricsToken: cfg.HTTP.MetricsToken.Value(),
		Timeout: cfg.HTTP.ReadTimeout, Logger: slog.Default(),
		Rates: suppression.RatesQuery{Location: cfg.Report.Location, MinVolume: cfg.Rates.MinVolume},
	})
	ui, err := dashboard.New(store, dashboard.Options{
		Token: cfg.HTTP.Token.Value(), ReadToken: cfg.HTTP.ReadToken.Value(),
		Secure: cfg.HTTP.SecureCookies || cfg.HTTP.TLSCertFile != "", Logger: slog.Default(),
		MinVolume: cfg.Rates.MinVolume,
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/ui/", metrics.InstrumentRoute("/ui/", timeout(ui, cfg.HTTP.ReadTimeout)))
	mux.Handle("GET /ui", metrics.InstrumentRoute("GET /ui", http.RedirectHandler("/ui/", http.StatusMovedPermanently)))
	mux.Handle("/", api)
	return browserGuard(messagesUncleaned(api, mux), cfg.HTTP.Token.IsSet()), nil
}

// messagesUncleaned hands the paths under /v1/messages/ to the API as sent:
// mux, like every ServeMux, redirects a path holding "//", "/./" or "/../"
// to its cleaned form before it dispatches, so /v1/messages/a/../b@x would
// answer with b@x's fate. The API reads the rest of such a path as the
// Message-ID, never cleaned, and cleans its other routes itself.
func messagesUncleaned(api, mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1/messages/") {
			api.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// browserGuard refuses what a web page could make the operator's browser
// send: a change (POST, PUT, DELETE) from another site (Sec-Fetch-Site or
// Origin; the API answers no CORS, so such a request has no business
// here), and, without an admin token, any request addressed to a host
// other than a loopback one: a page on a name the attacker re-points at
// 127.0.0.1 (DNS rebinding) would otherwise read and change the list
// through an API and a dashboard that ask for no token.
func browserGuard(next http.Handler, token bool) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		httpRefuse(w, "a change requested by a page of another site is refused")
	}))
	guarded := cop.Handler(next)
	if token {
		return guarded
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			httpRefuse(w, fmt.Sprintf("without http.token_file bouncer answers only requests to a loopback host (127.0.0.1, [::1], localhost), not %q: set http.token_file (or http.token_env) to serve it under another name", r.Host))
			return
		}
		guarded.ServeHTTP(w, r)
	})
}

// httpRefuse answers 403 with a JSON error, as the API does.
func httpRefuse(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	json.NewEncoder(w).Encode(map[string]string{"error": msg}) //nolint:errcheck // the client went away
}

// loopbackHost reports whether a Host header (host or host:port) names
// this machine; an absent one (HTTP/1.0, no browser) passes.
func loopbackHost(host string) bool {
	if host == "" {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return netaddr.Loopback(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
}

// timeout bounds the work of one dashboard request (the API bounds its own).
func timeout(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// loopback reports whether a host:port listens only on this machine.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	return err == nil && netaddr.Loopback(host)
}

func newServeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and the dashboard (/ui/) on http.listen, without polling or reports",
		Long: `Serve answers the HTTP API and the web dashboard (/ui/) from the configured
database and does nothing else: no mailbox is polled, no report is sent. Run
it beside "bouncer run" (or an external "poll --once" cron) to put the
dashboard on another machine or port. SIGTERM or SIGINT stops it.`,
		Args: cobra.NoArgs,
		RunE: runServe,
	}
}

// errNoListen is serve's answer to a config without http.listen.
var errNoListen = errors.New("serve: http.listen is not set: nothing to serve")

func runServe(cmd *cobra.Command, _ []string) error {
	cfg, err := loadConfigWithSecrets(cmd)
	if err != nil {
		return err
	}
	if cfg.HTTP.Listen == "" {
		return withExit(exitConfig, errNoListen)
	}
	ctx := cmd.Context()
	store, err := openStore(ctx, cfg, false) // serve never creates a database
	if err != nil {
		return err
	}
	defer store.Close()
	stop, err := startHTTP(ctx, cfg, store)
	if err != nil {
		return err
	}
	stopRefresh := startMetricsRefresh(ctx, cfg, store, time.Now)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return errors.Join(stopRefresh(sctx), stop(sctx))
}
