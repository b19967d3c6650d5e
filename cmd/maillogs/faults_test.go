package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
)

// Store faults: each time the processor passes the log through, exits 0
// within its bound, and says why on stderr; check names the fault; after
// the fix (rebuild, catchup) the counters are whole: exactly the lines of
// both chunks, the one counted before the fault and the one during it.
func TestStoreFaults(t *testing.T) {
	type fault struct {
		name   string
		break_ func(t *testing.T, e *env) (fix func())
		repair []string // the maillogs command that makes the counters whole
	}
	damage := func(f func(db string)) func(t *testing.T, e *env) func() {
		return func(t *testing.T, e *env) func() { f(e.db); return func() {} }
	}
	faults := []fault{
		{"truncated", damage(func(db string) {
			fi, _ := os.Stat(db)
			os.Truncate(db, fi.Size()/2)
		}), []string{"rebuild"}},
		{"zero-length", damage(func(db string) { os.Truncate(db, 0) }), []string{"rebuild"}},
		{"wrong-format", damage(func(db string) {
			os.WriteFile(db, bytes.Repeat([]byte("SQLite format 3\x00"), 2048), 0o640)
		}), []string{"rebuild"}},
		{"hung-reader", func(t *testing.T, e *env) func() {
			st, err := counters.Open(e.db, counters.Options{ReadOnly: true}) // holds the shared lock
			if err != nil {
				t.Fatal(err)
			}
			return func() { st.Close() }
		}, []string{"catchup", "-q"}},
		{"read-only-fs", func(t *testing.T, e *env) func() {
			mnt := filepath.Dir(e.db)
			if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
				t.Skipf("cannot remount read-only: %v %s", err, out)
			}
			return func() { exec.Command("mount", "-o", "remount,rw", mnt).Run() }
		}, []string{"catchup", "-q", "LOGDIR"}},
		{"full-fs", func(t *testing.T, e *env) func() {
			mnt := filepath.Dir(e.db)
			filler := filepath.Join(mnt, "filler")
			f, _ := os.Create(filler)
			f.Write(make([]byte, 4<<20)) // fills it: the write stops at the size
			f.Close()
			return func() { os.Remove(filler) }
		}, []string{"catchup", "-q", "LOGDIR"}},
	}
	for _, ft := range faults {
		t.Run(ft.name, func(t *testing.T) {
			e := newEnv(t)
			logDir := filepath.Join(e.dir, "send")
			os.MkdirAll(logDir, 0o750)
			first, want := sendLines(20, 0)
			second, w2 := sendLines(20, 20)
			want = addWant(want, w2)
			os.WriteFile(filepath.Join(logDir, "@400000006aa8e01a2ad1633c.s"), first, 0o644)
			os.WriteFile(filepath.Join(logDir, "@400000006aa8e01b2ad1633c.s"), second, 0o644)
			if strings.HasSuffix(ft.name, "-fs") {
				e.mountStore(t, "size=2m") // the store lives on a file system of its own
			}
			if _, errs, code := e.runProc("sendlog", first); code != 0 || errs != "" {
				t.Fatalf("first chunk: exit %d %s", code, errs)
			}
			fix := ft.break_(t, e)
			start := time.Now()
			out, errs, code := e.runProc("sendlog", second, "MAILLOGS_LOCK_TIMEOUT=500ms")
			took := time.Since(start)
			if code != 0 || !bytes.Equal(out, second) || !strings.Contains(errs, "error:") || !strings.Contains(errs, "hint:") {
				t.Fatalf("processor during the fault: exit %d, pass-through exact %v, stderr %q", code, bytes.Equal(out, second), errs)
			}
			if took > defaultProcessBound {
				t.Errorf("processor took %v, more than its bound", took)
			}
			if ft.repair[0] == "rebuild" {
				if got, _, code := e.maillogsCode("check"); code != 1 || !strings.Contains(got, "FAULT") || !strings.Contains(got, "maillogs rebuild") {
					t.Errorf("check exit %d said %q", code, got)
				}
				if _, _, code := e.maillogsCode("dump"); code == 0 {
					t.Error("dump answered from a damaged store")
				}
			}
			fix()
			args := ft.repair
			for i, a := range args {
				if a == "LOGDIR" {
					args[i] = logDir
				}
			}
			if got, errs, code := e.maillogsCode(args...); code != 0 {
				t.Fatalf("maillogs %v: exit %d\n%s%s", args, code, got, errs)
			}
			wantValues(t, e.values("send", "--no-live"), want)
			if got, _, code := e.maillogsCode("check"); code != 0 {
				t.Errorf("check after the fix: exit %d\n%s", code, got)
			}
			t.Logf("%s: processor exit 0 in %v; stderr %q", ft.name, took.Round(time.Millisecond), strings.SplitN(errs, "\n", 2)[0])
		})
	}
}

// mountStore puts the store's directory on a small tmpfs of its own.
func (e *env) mountStore(t *testing.T, opts string) string {
	t.Helper()
	dir := filepath.Dir(e.db)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts+",mode=0750", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mount tmpfs: %v %s (the fault tests need root and mount)", err, out)
		}
		t.Skipf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}
