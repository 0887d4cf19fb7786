package poller

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// corpus is the testdata mix, by name.
var corpus = []string{"hard", "soft", "block", "complaint", "autoreply", "junk"}

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) // the wire form
}

// memServer is go-imap's in-memory server on a loopback port with one user.
type memServer struct {
	addr string
	user *imapmemserver.User
}

// fullCaps is what a modern server offers: MOVE and UIDPLUS.
var fullCaps = imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}, imap.CapESearch: {}}

// startMemServer serves user "bounces"/"secret" with the given capabilities
// (nil: fullCaps).
func startMemServer(t *testing.T, caps imap.CapSet) *memServer {
	t.Helper()
	if caps == nil {
		caps = fullCaps
	}
	return serveMem(t, caps, func(s imapserver.Session) imapserver.Session { return s })
}

// serveMem starts an in-memory server whose sessions wrap can decorate.
func serveMem(t *testing.T, caps imap.CapSet, wrap func(imapserver.Session) imapserver.Session) *memServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("bounces", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return wrap(mem.NewSession()), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &memServer{addr: ln.Addr().String(), user: user}
}

func (s *memServer) mailbox(name string) Mailbox {
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	return Mailbox{Name: name, Protocol: ProtocolIMAP, Host: host, Port: p, TLS: TLSNone,
		Username: "bounces", Password: "secret"}
}

// appendMsg appends raw to folder with an INTERNALDATE.
func (s *memServer) appendMsg(t testing.TB, folder string, raw []byte, date time.Time) {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	cmd := c.Append(folder, int64(len(raw)), &imap.AppendOptions{Time: date})
	cmd.Write(raw)
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("append to %s: %v", folder, err)
	}
}

func (s *memServer) client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("bounces", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// folder returns the messages of folder with their flags; nil when it does not exist.
func (s *memServer) folder(t testing.TB, folder string) []folderMsg {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil
	}
	data, err := c.Fetch(allSeq(), &imap.FetchOptions{Flags: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []folderMsg
	for _, m := range data {
		var body []byte
		for _, b := range m.BodySection {
			body = b.Bytes
		}
		out = append(out, folderMsg{flags: m.Flags, body: body})
	}
	return out
}

func allSeq() imap.SeqSet {
	var s imap.SeqSet
	s.AddRange(1, 0)
	return s
}

type folderMsg struct {
	flags []imap.Flag
	body  []byte
}

// names returns which corpus messages the folder holds, sorted.
func names(t testing.TB, msgs []folderMsg) []string {
	t.Helper()
	var out []string
	for _, m := range msgs {
		found := "?"
		for _, n := range corpus {
			if bytes.Equal(m.body, readCorpus(t, n)) {
				found = n
			}
		}
		out = append(out, found)
	}
	sort.Strings(out)
	return out
}

// hasFlag reports whether flags holds f; keywords compare case-insensitively.
func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if strings.EqualFold(string(g), string(f)) {
			return true
		}
	}
	return false
}
