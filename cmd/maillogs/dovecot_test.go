package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A real dovecot (Debian's dovecot-pop3d and dovecot-imapd) on 127.0.0.1
// high ports: a scripted client makes a known number of logins, failures,
// retrievals and deletes, and pop3log and imaplog, fed dovecot's own log,
// count exactly those.
func TestDovecotReal(t *testing.T) {
	bin := needTool(t, "dovecot")
	if _, err := os.Stat("/usr/lib/dovecot/imap"); err != nil {
		needTool(t, "dovecot-imapd (/usr/lib/dovecot/imap)")
	}
	if os.Geteuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the dovecot test runs dovecot, which needs root")
		}
		t.Skip("the dovecot test runs dovecot, which needs root")
	}
	e := newEnv(t)
	dir := e.dir
	os.Chmod(filepath.Dir(dir), 0o755) // dovecot's unprivileged processes walk into it
	os.Chmod(dir, 0o755)
	pop3Port, imapPort := freePort(t, "tcp"), freePort(t, "tcp")
	users := []string{"alice", "bob", "carol"}
	var pw strings.Builder
	for _, u := range users {
		fmt.Fprintf(&pw, "%s:{PLAIN}secret-%s\n", u, u)
		nw := filepath.Join(dir, "mail", u, "new")
		os.MkdirAll(filepath.Join(dir, "mail", u, "cur"), 0o700)
		os.MkdirAll(filepath.Join(dir, "mail", u, "tmp"), 0o700)
		os.MkdirAll(nw, 0o700)
		for i := range 3 {
			msg := fmt.Sprintf("From: x@example.org\r\nTo: %s@example.org\r\nSubject: %d\r\n\r\nbody %d\r\n", u, i, i)
			os.WriteFile(filepath.Join(nw, fmt.Sprintf("100%d.M1P1.test", i)), []byte(msg), 0o600)
		}
	}
	os.WriteFile(filepath.Join(dir, "passwd"), []byte(pw.String()), 0o644)
	owner, err := user.Lookup("dovecot") // the package's user owns the test mail
	if err != nil {
		t.Fatalf("dovecot user: %v (dovecot-core creates it)", err)
	}
	uid, _ := strconv.Atoi(owner.Uid)
	gid, _ := strconv.Atoi(owner.Gid)
	filepath.Walk(filepath.Join(dir, "mail"), func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, uid, gid) })
	log := filepath.Join(dir, "dovecot.log")
	conf := filepath.Join(dir, "dovecot.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`protocols = pop3 imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[2]s
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
mail_location = maildir:%[1]s/mail/%%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN %[1]s/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=%[1]s/mail/%%u
}
mail_privileged_group =
first_valid_uid = 1
service imap-login {
  inet_listener imap {
    port = %[3]d
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = %[4]d
  }
  inet_listener pop3s {
    port = 0
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
`, dir, log, imapPort, pop3Port)), 0o644)
	var derr strings.Builder
	d := exec.Command(bin, "-F", "-c", conf)
	d.Stdout, d.Stderr = &derr, &derr
	if err := d.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- d.Wait() }()
	stopped := false
	stop := func() { // TERM, then wait: dovecot's log process writes the last lines as it ends
		if stopped {
			return
		}
		stopped = true
		d.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			d.Process.Kill()
			t.Errorf("dovecot did not stop in 10s: %s", derr.String())
		}
	}
	defer stop()
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(log)
			t.Logf("dovecot's log:\n%s\ndovecot's stderr: %s", b, derr.String())
		}
	})
	waitFor(t, "dovecot to start", 10*time.Second, func() bool { // no probe: it would be a connection
		b, _ := os.ReadFile(log)
		return strings.Contains(string(b), "starting up")
	})

	// POP3: alice logs in twice, retrieves 2 and deletes 1 each time; bob
	// fails 3 times in 2 connections; carol logs in once and quits.
	pop := func(user, pass string, cmds ...string) {
		t.Helper()
		c := dial(t, pop3Port)
		defer c.close()
		c.expect("+OK")
		for _, p := range strings.Split(pass, "|") { // each attempt is USER and PASS
			c.send("USER " + user)
			c.expect("+OK")
			c.send("PASS " + p)
			c.expect("")
		}
		for _, cmd := range cmds {
			c.send(cmd)
			c.expect("+OK")
			if strings.HasPrefix(cmd, "RETR") {
				c.readUntil(".")
			}
		}
		c.send("QUIT")
		c.expect("+OK")
	}
	pop("alice", "secret-alice", "RETR 1", "RETR 2", "DELE 1")
	pop("alice", "secret-alice", "RETR 1", "DELE 2")
	pop("bob", "wrong1|wrong2")
	pop("bob", "wrong3")
	pop("carol", "secret-carol")

	// IMAP: carol logs in 3 times, alice fails once. The client is on
	// loopback, so carol's logins are the webmail's (imap_webmail).
	imap := func(user, pass string, ok bool) {
		t.Helper()
		c := dial(t, imapPort)
		defer c.close()
		c.expect("* OK")
		c.send(fmt.Sprintf("a LOGIN %s %s", user, pass))
		if ok {
			c.expect("a OK")
		} else {
			c.expect("a NO")
		}
		c.send("b LOGOUT")
		c.expect("* BYE")
	}
	for range 3 {
		imap("carol", "secret-carol", true)
	}
	imap("alice", "nope", false)

	stop()
	waitFor(t, "dovecot to log every session", 10*time.Second, func() bool {
		b, _ := os.ReadFile(log)
		return strings.Count(string(b), "pop3(") >= 3 && strings.Count(string(b), "imap(carol)") >= 3 &&
			strings.Count(string(b), "auth failed") >= 3
	})
	raw, _ := os.ReadFile(log)
	for _, kind := range []string{"pop3", "imap"} {
		if out, errs, code := e.runProc(kind+"log", raw); code != 0 || string(out) != string(raw) {
			t.Fatalf("%slog: exit %d, stderr %s", kind, code, errs)
		}
	}
	pop3 := e.values("pop3", "--no-live")
	wantValues(t, pop3, map[string]uint64{
		"pop3_success": 3, "pop3_failure": 3, "pop3_connect": 5, "pop3_ssl_success": 0,
		"pop3_logout": 3, "pop3_retrieved": 3, "pop3_deleted": 2,
	})
	imapV := e.values("imap", "--no-live")
	wantValues(t, imapV, map[string]uint64{"imap_webmail": 3, "imap_success": 0, "imap_failure": 1, "imap_connect": 4, "imap_logout": 3})
	if pop3["pop3_bytes_sent"] == 0 || imapV["imap_bytes_received"] == 0 {
		t.Errorf("no traffic counted: pop3 sent %d, imap received %d", pop3["pop3_bytes_sent"], imapV["imap_bytes_received"])
	}
	var rows []userRow
	jsonUnmarshal(e.maillogs("users", "--format", "json", "--no-live"), &rows)
	got := map[string]map[string]uint64{}
	for _, r := range rows {
		got[r.Kind+"/"+r.User] = r.Counters
	}
	for key, want := range map[string]map[string]uint64{
		"pop3/alice": {"login": 2, "retrieved": 3, "deleted": 2, "logout": 2},
		"pop3/bob":   {"failure": 3, "login": 0},
		"imap/carol": {"login": 3, "logout": 3},
		"imap/alice": {"failure": 1, "login": 0},
	} {
		for n, w := range want {
			if got[key][n] != w {
				t.Errorf("%s %s = %d, want %d", key, n, got[key][n], w)
			}
		}
	}
}

// lineConn is a line-at-a-time client of a text protocol.
type lineConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, port int) *lineConn {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &lineConn{t: t, c: c, r: bufio.NewReader(c)}
}

func (l *lineConn) send(s string) { fmt.Fprintf(l.c, "%s\r\n", s) }
func (l *lineConn) close()        { l.c.Close() }

// expect reads lines until one starts with prefix ("" takes any line).
func (l *lineConn) expect(prefix string) string {
	l.t.Helper()
	for {
		s, err := l.r.ReadString('\n')
		if err != nil {
			l.t.Fatalf("waiting for %q: %v", prefix, err)
		}
		if strings.HasPrefix(s, prefix) {
			return s
		}
	}
}

func (l *lineConn) readUntil(end string) {
	l.t.Helper()
	for strings.TrimRight(l.expect(""), "\r\n") != end {
	}
}
