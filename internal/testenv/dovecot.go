package testenv

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// DovecotServer is one fresh user on the test Dovecot. Its INBOX is the
// Maildir at Maildir; other folders appear as Maildir++ subfolders
// (Maildir/.Name) once created over IMAP.
type DovecotServer struct {
	Host      string // 127.0.0.1
	IMAPPort  int    // plain IMAP; STARTTLS offered
	IMAPSPort int    // IMAP over implicit TLS
	POP3Port  int    // plain POP3; STLS offered
	POP3SPort int    // POP3 over implicit TLS
	CAFile    string // PEM certificate to trust (the server's self-signed one)
	User      string
	Password  string
	Maildir   string // the user's Maildir: cur/, new/, tmp/

	t        testing.TB
	uid, gid int // owner of the mail tree; -1 when not running as root
}

// Addr returns host:port for port.
func (s *DovecotServer) Addr(port int) string {
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

// TLSConfig trusts the server's certificate (CAFile) and nothing else.
func (s *DovecotServer) TLSConfig() *tls.Config {
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		s.t.Fatalf("testenv: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		s.t.Fatalf("testenv: no certificate in %s", s.CAFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// Dovecot adds a new user with a random password to the running test
// Dovecot and creates its empty Maildir. The user can log in at once over
// IMAP and POP3. Users are not removed: the whole server is thrown away.
func Dovecot(t testing.TB) *DovecotServer {
	t.Helper()
	host := lookup(EnvDovecotHost)
	if host == "" {
		unavailable(t, "no Dovecot: %s is not set", EnvDovecotHost)
	}
	s := &DovecotServer{Host: host, CAFile: lookup(EnvCAFile), t: t, uid: -1, gid: -1}
	for key, dst := range map[string]*int{EnvIMAPPort: &s.IMAPPort, EnvIMAPSPort: &s.IMAPSPort, EnvPOP3Port: &s.POP3Port, EnvPOP3SPort: &s.POP3SPort} {
		n, err := strconv.Atoi(lookup(key))
		if err != nil {
			t.Fatalf("testenv: %s=%q: not a port", key, lookup(key))
		}
		*dst = n
	}
	conn, err := net.DialTimeout("tcp", s.Addr(s.IMAPSPort), 5*time.Second)
	if err != nil {
		unavailable(t, "Dovecot unreachable: %v", err)
	}
	conn.Close()
	s.addUser(lookup(EnvPasswdDir), lookup(EnvMailDir))
	return s
}

// addUser makes the user's Maildir (owned by the mail tree's owner, for
// Dovecot's unprivileged mail processes) and then the user's own passwd
// file, which Dovecot reads on the first login. (One shared file would not
// do: Dovecot re-reads a changed passwd file at most once a second.)
func (s *DovecotServer) addUser(passwdDir, mailDir string) {
	s.User = "u" + randomHex(6)
	s.Password = randomHex(12)
	if os.Geteuid() == 0 {
		fi, err := os.Stat(mailDir)
		if err != nil {
			s.t.Fatalf("testenv: %s: %v", EnvMailDir, err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		s.uid, s.gid = int(st.Uid), int(st.Gid)
	}
	home := filepath.Join(mailDir, s.User)
	s.Maildir = filepath.Join(home, "Maildir")
	for _, d := range []string{home, s.Maildir, filepath.Join(s.Maildir, "cur"), filepath.Join(s.Maildir, "new"), filepath.Join(s.Maildir, "tmp")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			s.t.Fatalf("testenv: %v", err)
		}
		s.chown(d)
	}
	// Written whole under a temporary name, then renamed: Dovecot never
	// sees a partial file.
	tmp := filepath.Join(passwdDir, "."+s.User)
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%s:{PLAIN}%s\n", s.User, s.Password), 0o644); err != nil {
		s.t.Fatalf("testenv: %s: %v", EnvPasswdDir, err)
	}
	if err := os.Rename(tmp, filepath.Join(passwdDir, s.User)); err != nil {
		s.t.Fatalf("testenv: add user: %v", err)
	}
}

func (s *DovecotServer) chown(path string) {
	if s.uid < 0 {
		return
	}
	if err := os.Lchown(path, s.uid, s.gid); err != nil {
		s.t.Fatalf("testenv: %v", err)
	}
}

var deliveries atomic.Int64

// DeliverMaildir puts raw into the user's INBOX by writing it straight into
// Maildir/new (through tmp/, as a delivery agent would), much faster than
// IMAP APPEND. Its INTERNALDATE is now. It returns the file's path.
func (s *DovecotServer) DeliverMaildir(raw []byte) string {
	return s.DeliverMaildirAt(raw, time.Now())
}

// DeliverMaildirAt is DeliverMaildir with INTERNALDATE received (Dovecot
// takes it from the file's modification time).
func (s *DovecotServer) DeliverMaildirAt(raw []byte, received time.Time) string {
	s.t.Helper()
	name := fmt.Sprintf("%d.M%dP%dQ%d.bouncer-test", received.Unix(), time.Now().UnixMicro()%1e6, os.Getpid(), deliveries.Add(1))
	tmp := filepath.Join(s.Maildir, "tmp", name)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		s.t.Fatalf("testenv: deliver: %v", err)
	}
	s.chown(tmp)
	if err := os.Chtimes(tmp, received, received); err != nil {
		s.t.Fatalf("testenv: deliver: %v", err)
	}
	dst := filepath.Join(s.Maildir, "new", name)
	if err := os.Rename(tmp, dst); err != nil {
		s.t.Fatalf("testenv: deliver: %v", err)
	}
	return dst
}

// OAuth2Token returns a bearer token for the user that the test Dovecot
// accepts over XOAUTH2 and OAUTHBEARER until it expires after ttl: a JWT
// (HS256) naming the user in its "email" claim, signed with the key
// scripts/test-servers gave Dovecot. A negative ttl gives an expired token;
// signing with another key (OAuth2TokenWithKey) gives a forged one.
func (s *DovecotServer) OAuth2Token(ttl time.Duration) string {
	s.t.Helper()
	path := lookup(EnvOAuth2Key)
	key, err := os.ReadFile(path)
	if err != nil || len(key) == 0 {
		unavailable(s.t, "no OAuth2 key for Dovecot (%s=%q): %v", EnvOAuth2Key, path, err)
	}
	return s.OAuth2TokenWithKey(key, ttl)
}

// OAuth2TokenWithKey is OAuth2Token signed with key.
func (s *DovecotServer) OAuth2TokenWithKey(key []byte, ttl time.Duration) string {
	now := time.Now()
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, err := json.Marshal(map[string]any{
		"email": s.User, "sub": s.User,
		"iat": now.Add(-time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(ttl).Unix(),
	})
	if err != nil {
		s.t.Fatalf("testenv: %v", err)
	}
	signed := header + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signed))
	return signed + "." + enc.EncodeToString(mac.Sum(nil))
}

// Count counts the messages of one of the user's folders ("" is INBOX;
// others are the Maildir++ subfolders .Name), in new/ and cur/.
func (s *DovecotServer) Count(folder string) int {
	s.t.Helper()
	dir := s.Maildir
	if folder != "" {
		dir = filepath.Join(dir, "."+folder)
	}
	n := 0
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil && !os.IsNotExist(err) {
			s.t.Fatalf("testenv: %v", err)
		}
		n += len(entries)
	}
	return n
}

// Kick disconnects the user's sessions as an administrator does (doveadm
// kick): Dovecot tells each "* BYE Server shutting down." and closes it.
func (s *DovecotServer) Kick() {
	s.t.Helper()
	doveadm, err := exec.LookPath("doveadm")
	if err != nil {
		unavailable(s.t, "no doveadm: %v", err)
	}
	conf := filepath.Join(filepath.Dir(lookup(EnvPasswdDir)), "dovecot.conf")
	if out, err := exec.Command(doveadm, "-c", conf, "kick", s.User).CombinedOutput(); err != nil {
		s.t.Fatalf("testenv: doveadm kick %s: %v: %s", s.User, err, out)
	}
}
