package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/pressly/goose/v3"
)

// A delivery dead before 00076 may have been followed by later events
// about its address that no count recorded: after the upgrade it is marked
// later_unknown (redeliver refuses it without --force), and a pending one
// is not. A database that applied 00076 first has every dead delivery
// marked too, counted or not.
func TestUpgradeWebhookLaterUnknown(t *testing.T) {
	for _, from := range []int64{75, 76} {
		t.Run(fmt.Sprintf("from%d", from), func(t *testing.T) { // not "sqlite#01": a file: URI ends at '#'
			upgradeFrom(t, from, func(t *testing.T, d Dialect, db *sql.DB, _ *goose.Provider) {
				insertDeliveries(t, d, db)
				if _, err := Up(context.Background(), db, d); err != nil {
					t.Fatal(err)
				}
				got := countRows(t, db, `SELECT event_id, CASE WHEN later_unknown THEN 'unknown' ELSE 'known' END, later_sent, count(*)
FROM webhook_deliveries GROUP BY 1, 2, 3`)
				if len(got) != 2 || got["msg_dead unknown 0"] != 1 || got["msg_pending known 0"] != 1 {
					t.Errorf("from %d: deliveries after the upgrade: %v, want the dead one unknown and the pending one known", from, got)
				}
			})
		})
	}
}
