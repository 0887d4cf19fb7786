package pop3

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"testing"
)

// hostile serves one POP3 session on a loopback listener: it sends
// greeting, then answers each command line with the next of replies.
func hostile(t *testing.T, greeting string, replies ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		if _, err := conn.Write([]byte(greeting)); err != nil {
			return
		}
		r := bufio.NewReader(conn)
		for _, reply := range replies {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			if _, err := conn.Write([]byte(reply)); err != nil {
				return
			}
		}
		_, _ = r.ReadString('\n') // until the client hangs up
	}()
	return ln.Addr().String()
}

// A server that never ends a line cannot make the client buffer without
// limit: the greeting, and a line of a listing, are cut at MaxLineLength
// with an error naming the command.
func TestReplyLinesBounded(t *testing.T) {
	endless := strings.Repeat("x", 4*MaxLineLength)
	if _, err := Dial(dialer, hostile(t, "+OK "+endless)); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "greeting: reply line longer than") {
		t.Errorf("endless greeting: err = %v, want ErrProtocol naming the greeting", err)
	}

	okLine := "1 " + strings.Repeat("u", MaxLineLength-2) // exactly the limit
	c, err := Dial(dialer, hostile(t, "+OK ready\r\n",
		"+OK\r\n"+okLine+"\r\n.\r\n",
		"+OK\r\n2 "+endless+"\r\n.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	infos, err := c.UIDL()
	if err != nil || len(infos) != 1 || len(infos[0].UID) != MaxLineLength-2 {
		t.Fatalf("UIDL with a line of MaxLineLength bytes: %v, %+v", err, infos)
	}
	if _, err := c.UIDL(); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "UIDL: reply line longer than") {
		t.Errorf("UIDL with an endless line: err = %v, want ErrProtocol naming UIDL", err)
	}
}
