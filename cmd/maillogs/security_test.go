package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A symlink planted in the spool or in a log directory is never followed:
// catchup refuses it, counts nothing from it, and leaves its target alone.
// Files maillogs writes keep other users out.
func TestPlantedSymlinks(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(3, 0)
	e.runProc("sendlog", in) // creates the store and the spool directory
	secret := filepath.Join(e.dir, "secret")
	os.WriteFile(secret, []byte("new msg 1\nnew msg 2\n"), 0o600)
	spool := filepath.Join(filepath.Dir(e.db), "spool")
	os.MkdirAll(spool, 0o750)
	os.Symlink(secret, filepath.Join(spool, "send."+strings.Repeat("ab", 32)+".chunk"))
	logDir := filepath.Join(e.dir, "send")
	os.MkdirAll(logDir, 0o750)
	os.Symlink(secret, filepath.Join(logDir, "@400000006aa8e01a2ad1633c.u"))
	os.Symlink(secret, filepath.Join(logDir, "@400000006aa8e01a2ad1633d.s"))

	out, errs, _ := e.maillogsCode("catchup", "-q")
	out2, errs2, _ := e.maillogsCode("catchup", "-q", "--kind", "send", logDir)
	wantValues(t, e.values("send", "--no-live"), want)
	if got, _ := os.ReadFile(secret); string(got) != "new msg 1\nnew msg 2\n" {
		t.Error("the symlink's target was changed")
	}
	if !strings.Contains(errs+errs2, "symlink") && !strings.Contains(errs+errs2, "symbolic link") {
		t.Errorf("catchup did not say it refused the symlinks:\n%s%s%s%s", out, errs, out2, errs2)
	}
	for _, p := range []string{e.db, spool, filepath.Dir(e.db)} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s is %v: other users may reach it", p, fi.Mode().Perm())
		}
	}
}

// A current that shrinks or is replaced between two reads of a live
// pass_persist session: no panic, no stall, and the served value never
// goes down.
func TestCurrentShrinks(t *testing.T) {
	e := newEnv(t)
	e.runProc("sendlog", []byte("new msg 1\n"))
	dir := filepath.Join(e.dir, "send")
	os.MkdirAll(dir, 0o750)
	cur := filepath.Join(dir, "current")
	os.WriteFile(cur, []byte("new msg 2\nnew msg 3\nnew msg 4\n"), 0o644)
	c := e.cmd("maillogs", "snmp")
	in, _ := c.StdinPipe()
	outp, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); c.Wait() }()
	r := bufio.NewReader(outp)
	oid := defaultBase + ".1.1.3.1." + strconv.Itoa(int(counterIndex("send", "message_new")))
	get := func() uint64 {
		t.Helper()
		fmt.Fprintf(in, "get\n%s\n", oid)
		var lines [3]string
		for i := range lines {
			lines[i], _ = r.ReadString('\n')
		}
		v, err := strconv.ParseUint(strings.TrimSpace(lines[2]), 10, 64)
		if err != nil {
			t.Fatalf("get %s: %q", oid, lines)
		}
		return v
	}
	if v := get(); v != 4 {
		t.Fatalf("message_new = %d, want 4 (1 stored, 3 live)", v)
	}
	os.WriteFile(cur, []byte("new msg 5\n"), 0o644) // shrunk in place
	time.Sleep(600 * time.Millisecond)              // past the responder's cache
	if v := get(); v < 4 {
		t.Errorf("after current shrank, message_new = %d: went down", v)
	}
	os.Remove(cur) // replaced by a new, empty file
	os.WriteFile(cur, nil, 0o644)
	time.Sleep(600 * time.Millisecond)
	if v := get(); v < 4 {
		t.Errorf("after current was replaced, message_new = %d: went down", v)
	}
}
