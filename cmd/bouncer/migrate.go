package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/jmoiron/sqlx"
	"github.com/spf13/cobra"

	"github.com/bouncer-mail/bouncer/migrations"
)

func newMigrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate [up|status]",
		Short: "Apply pending database migrations (up, the default) or show their status",
		Long: `Apply every pending migration to the configured database, each in its own
transaction (under an advisory lock on Postgres, so concurrent runs are safe),
or with "status" list every migration this binary knows and whether it is
applied. A database whose schema is newer than this binary is refused.
bouncer run and poll also apply pending migrations when they start.`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []string{"up", "status"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				switch args[0] {
				case "up", "status":
				case "down":
					return withExit(exitUsage, errors.New("migrate down is not supported: migrations only go forward; to go back, restore a backup of the database taken before the upgrade"))
				default:
					return withExit(exitUsage, fmt.Errorf("migrate %q: want up (the default) or status", args[0]))
				}
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, dialect, err := openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			if len(args) == 1 && args[0] == "status" {
				return explainTooNew(printMigrationStatus(ctx, cmd.OutOrStdout(), db, dialect))
			}
			applied, err := migrations.Up(ctx, db.DB, dialect)
			if err != nil {
				return explainTooNew(err)
			}
			return printApplied(cmd.OutOrStdout(), dialect, applied)
		},
	}
}

// explainTooNew adds what to do to a schema-too-new error; other errors
// are returned as they are.
func explainTooNew(err error) error {
	if !errors.Is(err, migrations.ErrSchemaTooNew) {
		return err
	}
	return withExit(1, fmt.Errorf("%w: a newer bouncer migrated this database; run that version or a newer one (there is no migrate down)", err))
}

func printApplied(w io.Writer, d migrations.Dialect, applied []int64) error {
	if len(applied) == 0 {
		_, err := fmt.Fprintf(w, "%s schema is up to date; nothing applied\n", d)
		return err
	}
	for _, v := range applied {
		if _, err := fmt.Fprintf(w, "applied %05d\n", v); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%s schema now at version %d\n", d, applied[len(applied)-1])
	return err
}

func printMigrationStatus(ctx context.Context, w io.Writer, db *sqlx.DB, d migrations.Dialect) error {
	list, err := migrations.List(ctx, db.DB, d)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tFILE")
	for _, s := range list {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%05d\t%s\t%s\n", s.Version, state, s.Path)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch err := migrations.Check(ctx, db.DB, d); {
	case errors.Is(err, migrations.ErrSchemaTooNew):
		return withExit(1, err)
	case err != nil && !errors.Is(err, migrations.ErrPending):
		return err
	}
	return nil
}

// migrateAtStart applies pending migrations for run and poll, logging what
// it applied. It refuses (with migrations.ErrSchemaTooNew in the chain) a
// database whose schema is newer than this binary.
func migrateAtStart(ctx context.Context, db *sqlx.DB, d migrations.Dialect) error {
	applied, err := migrations.Up(ctx, db.DB, d)
	if errors.Is(err, migrations.ErrSchemaTooNew) {
		return fmt.Errorf("refusing to start: %w; upgrade bouncer", err)
	}
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		slog.Info("migrations applied", "dialect", string(d), "versions", applied)
	}
	return nil
}
