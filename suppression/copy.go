package suppression

import (
	"context"
	"database/sql/driver"
	"errors"
	"strconv"
	"time"
	"unsafe"

	"github.com/jmoiron/sqlx"
)

// copyChunk is how many bytes of COPY text go to the driver at once.
const copyChunk = 64 << 10

// copyDataStmt is lib/pq's COPY statement, which takes COPY text directly.
type copyDataStmt interface {
	driver.Stmt
	CopyData(ctx context.Context, line string) (driver.Result, error)
}

// errNoCopyData is returned when the driver cannot take COPY text.
var errNoCopyData = errors.New("suppression: driver has no COPY data path")

// rawCopy runs query (a COPY … FROM STDIN) on the transaction's connection
// and streams the batch as COPY text in large chunks, then runs during
// (if not nil) before it waits for the server to finish, skipping
// database/sql's per-row call and conversions (half of ingest's client CPU
// otherwise).
func rawCopy(ctx context.Context, conn *sqlx.Conn, query string, b *batch, during func()) error {
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errNoCopyData
		}
		st, err := pc.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer st.Close()
		cd, ok := st.(copyDataStmt)
		if !ok {
			return errNoCopyData
		}
		if err := streamCopy(ctx, cd, b); err != nil {
			return err
		}
		if during != nil {
			during() // the server works through the rows meanwhile
		}
		_, err = cd.Exec(nil) //nolint:staticcheck // lib/pq ends the COPY (and reports its errors) with Exec(nil)
		return err
	})
}

// streamCopy sends the rows in chunks (CopyData adds the last newline).
func streamCopy(ctx context.Context, cd copyDataStmt, b *batch) error {
	buf := make([]byte, 0, copyChunk+4096)
	for i := range b.len() {
		if len(buf) > 0 {
			buf = append(buf, '\n')
		}
		buf = b.appendCopyLine(buf, i)
		if len(buf) >= copyChunk || i == b.len()-1 {
			if err := ctx.Err(); err != nil {
				return err
			}
			// Background: lib/pq watches a cancellable context with a goroutine
			// per call; ctx is checked above and again by ExecContext. The
			// string shares buf's bytes: CopyData copies them into its own
			// buffer before it returns, and buf is reused only after.
			if _, err := cd.CopyData(context.Background(), unsafe.String(&buf[0], len(buf))); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	return nil
}

// appendCopyLine appends row i in COPY text format: tab-separated, \N for
// NULL, backslash escapes.
func (b *batch) appendCopyLine(buf []byte, i int) []byte {
	for c, col := range b.cols {
		if c > 0 {
			buf = append(buf, '\t')
		}
		switch v := col.(type) {
		case []string:
			buf = appendCopyText(buf, v[i])
		case []time.Time:
			buf = v[i].UTC().AppendFormat(buf, pgTime)
		case []*time.Time:
			if v[i] == nil {
				buf = append(buf, `\N`...)
			} else {
				buf = v[i].UTC().AppendFormat(buf, pgTime)
			}
		case []bool:
			buf = append(buf, "ft"[boolIndex(v[i])])
		case []int64:
			buf = strconv.AppendInt(buf, v[i], 10)
		}
	}
	return buf
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendCopyText appends s with COPY's escapes for backslash, tab, newline
// and carriage return.
func appendCopyText(buf []byte, s string) []byte {
	i := 0
	for i < len(s) && s[i] != '\\' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' {
		i++
	}
	buf = append(buf, s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf = append(buf, `\\`...)
		case '\t':
			buf = append(buf, `\t`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\r':
			buf = append(buf, `\r`...)
		default:
			buf = append(buf, c)
		}
	}
	return buf
}
