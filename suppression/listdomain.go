package suppression

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bouncer-mail/bouncer/migrations"
)

// A search by domain prefix ("@d47") in address or last-failure order has
// no index that gives both: Postgres walks the order's index and filters
// on the domain, which is quick for a domain holding a good share of the
// list and reads most of it for a rare one (139 ms at 1,000,000 entries
// for one domain in 1,000), a cost its statistics cannot tell apart. So
// List first counts the range's entries in the domain index, up to
// sparseDomainRows: below that it reads them through the domain index and
// sorts them, above that it lets the planner walk the order.

// sparseDomainRows is where a domain range counts as rare: reading that
// many entries and sorting them costs about what walking the order to
// find a page among entries that common does (a few milliseconds).
const sparseDomainRows = 3000

var domainRangeCountSQL = `SELECT count(*) FROM (SELECT 1 FROM suppressions WHERE domain >= $1 AND domain < $2 LIMIT ` +
	strconv.Itoa(sparseDomainRows) + `) x`

// domainFirst returns, for a Postgres page searched by a domain prefix in
// another order than the domain's whose range holds fewer than
// sparseDomainRows entries, a WITH clause that narrows suppressions to
// that range (through the domain index) and its arguments; else nothing.
func (s *Store) domainFirst(ctx context.Context, f Filter) (string, []any, error) {
	prefix, ok := strings.CutPrefix(f.Search, "@")
	if !ok || f.Contains || f.Sort == SortDomain || s.dialect != migrations.Postgres {
		return "", nil, nil
	}
	lo, hi := strings.ToLower(prefix), strings.ToLower(prefix)+maxRune
	var n int
	if err := s.rdb.QueryRowContext(ctx, domainRangeCountSQL, lo, hi).Scan(&n); err != nil {
		return "", nil, fmt.Errorf("suppression: list: %w", err)
	}
	if n >= sparseDomainRows {
		return "", nil, nil
	}
	// Inside its own definition "suppressions" is the table; after it, the
	// query reads the narrowed rows under the same name.
	return `WITH suppressions AS MATERIALIZED (SELECT ` + entryCols + ` FROM suppressions WHERE domain >= ? AND domain < ?) `,
		[]any{lo, hi}, nil
}
