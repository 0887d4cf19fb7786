package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// exitUnhealthy is health's exit status when the daemon does not answer
// healthy (any non-zero status marks a container unhealthy).
const exitUnhealthy = 1

func newHealthCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "health",
		Short: "Ask the running daemon's /healthz (on http.listen) whether it is healthy; exit 0 if so, 1 if not",
		Long: `Ask the running daemon whether it is healthy: GET /healthz on the address of
http.listen (0.0.0.0 and :: are asked on the loopback address), within 5 s.
Exit 0 when it answers 200, 1 otherwise, with the reason on stderr. It is
what the container image's HEALTHCHECK runs (distroless has no curl).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			if cfg.HTTP.Listen == "" {
				return withExit(exitConfig, errors.New("health: http.listen is not set: the daemon serves no /healthz to ask"))
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			if err := askHealth(ctx, cfg.HTTP.Listen); err != nil {
				return withExit(exitUnhealthy, err)
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), "healthy")
			return err
		},
	}
}

// askHealth GETs /healthz on listen; an unspecified host is asked on the
// loopback address.
func askHealth(ctx context.Context, listen string) error {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("health: http.listen %q: %w", listen, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	u := "http://" + net.JoinHostPort(host, port) + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %s: %s", u, resp.Status, body)
	}
	return nil
}
