package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

// The processor's stdout is its stdin byte for byte, whatever the bytes.
func TestProcessorPassThrough(t *testing.T) {
	e := newEnv(t)
	junk := []byte("@4000000048ec03873b1a841c new msg 1\r\n\x00\xff\xfe binary\n@4000000048EC03873B1A841C new msg 2\n" +
		"@4000000048ec0387 short label\n@4000000048ec03873b1a841c0000 long label\n@ffffffffffffffffffffffff far future\n" +
		"@0000000000000000000000 far past\n\xc3\x28 invalid utf-8\n" +
		strings.Repeat("x", 10<<20) + "\nlast line without newline")
	for _, kind := range parsers.Kinds() {
		name := kind + "log"
		out, errs, code := e.runProc(name, junk)
		if code != 0 || !bytes.Equal(out, junk) {
			t.Errorf("%s: exit %d, output equal %v; stderr %s", name, code, bytes.Equal(out, junk), errs)
		}
		if errs != "" {
			t.Errorf("%s: stderr %q, want nothing", name, errs)
		}
	}
	v := e.values("send", "--no-live")
	wantValues(t, v, map[string]uint64{"lines": 10, "message_new": 2, "unparsed": 8})
}

// multilog re-runs a processor on the same chunk after a failure: the
// second run counts nothing.
func TestExactlyOnceRerun(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(50, 0)
	for i := 0; i < 3; i++ {
		out, errs, code := e.runProc("sendlog", in)
		if code != 0 || !bytes.Equal(out, in) || errs != "" {
			t.Fatalf("run %d: exit %d, stderr %q", i, code, errs)
		}
	}
	wantValues(t, e.values("send", "--no-live"), want)
}

// A processor killed between its commit and its exit is run again by
// multilog: the chunk must count once.
func TestCrashAfterCommit(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(20, 0)
	_, _, code := e.runProc("sendlog", in, "MAILLOGS_TEST_CRASH=after-commit")
	if code != -1 {
		t.Fatalf("exit %d, want death by SIGKILL", code)
	}
	out, errs, code := e.runProc("sendlog", in)
	if code != 0 || !bytes.Equal(out, in) || errs != "" {
		t.Fatalf("rerun: exit %d, stderr %q", code, errs)
	}
	wantValues(t, e.values("send", "--no-live"), want)
}

// A processor killed before its commit counted nothing; the re-run counts.
func TestCrashBeforeCommit(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(20, 0)
	if _, _, code := e.runProc("sendlog", in, "MAILLOGS_TEST_CRASH=before-commit"); code != -1 {
		t.Fatalf("exit %d, want death by SIGKILL", code)
	}
	if _, errs, code := e.runProc("sendlog", in); code != 0 {
		t.Fatalf("rerun: exit %d, stderr %q", code, errs)
	}
	wantValues(t, e.values("send", "--no-live"), want)
}

// With the store's write lock held elsewhere, the processor still copies
// its input, exits 0 within its bound and spools the chunk; catch-up then
// counts it, once.
func TestLockedStoreSpools(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(30, 0)
	e.runProc("sendlog", []byte("new msg 1\n")) // create the store
	st, err := counters.Open(e.db, counters.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, errs, code := e.runProc("sendlog", in, "MAILLOGS_LOCK_TIMEOUT=500ms")
	took := time.Since(start)
	st.Close()
	if code != 0 || !bytes.Equal(out, in) {
		t.Fatalf("exit %d, output equal %v", code, bytes.Equal(out, in))
	}
	if took > 3*time.Second {
		t.Errorf("processor took %v with the store locked, want under 3s", took)
	}
	if !strings.Contains(errs, "sendlog: error: open store: store is locked") || !strings.Contains(errs, "sendlog: hint:") {
		t.Errorf("stderr = %q, want a locked error and a hint", errs)
	}
	sp, _ := spooled(filepath.Join(filepath.Dir(e.db), "spool"))
	if len(sp) != 1 {
		t.Fatalf("spool holds %d files, want 1", len(sp))
	}
	if _, _, code := e.maillogsCode("check"); code != 1 {
		t.Errorf("check exit %d with a spooled chunk, want 1", code)
	}
	if got := e.maillogs("catchup"); !strings.Contains(got, "1 chunks counted, 0 already") {
		t.Errorf("catchup said %q", got)
	}
	if got := e.maillogs("catchup"); !strings.Contains(got, "0 chunks counted") {
		t.Errorf("second catchup said %q", got)
	}
	want["lines"]++
	want["message_new"]++
	wantValues(t, e.values("send", "--no-live"), want)
}

// A chunk counted by the processor and then caught up from its archive
// (plain or gzip) counts once.
func TestCatchupAlreadyCounted(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(40, 0)
	e.runProc("sendlog", in)
	dir := filepath.Join(e.dir, "send")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "@400000006592008a000001f4.s"), in, 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(in)
	zw.Close()
	gzPath := filepath.Join(e.dir, "old.s.gz")
	os.WriteFile(gzPath, gz.Bytes(), 0o644)
	if got := e.maillogs("catchup", dir); !strings.Contains(got, "0 chunks counted, 1 already") {
		t.Errorf("catchup dir said %q", got)
	}
	if got := e.maillogs("catchup", "--kind", "send", gzPath); !strings.Contains(got, "0 chunks counted, 1 already") {
		t.Errorf("catchup gz said %q", got)
	}
	wantValues(t, e.values("send", "--no-live"), want)
}

// A store that is not a store, or is empty, is never recreated: the
// processor passes the log through, spools it and says why.
func TestDamagedStore(t *testing.T) {
	for name, content := range map[string][]byte{"empty": {}, "garbage": bytes.Repeat([]byte("not a bolt file "), 4096)} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			os.WriteFile(e.db, content, 0o640)
			in, _ := sendLines(5, 0)
			out, errs, code := e.runProc("sendlog", in)
			if code != 0 || !bytes.Equal(out, in) || !strings.Contains(errs, "spooled") {
				t.Fatalf("exit %d, output equal %v, stderr %q", code, bytes.Equal(out, in), errs)
			}
			if b, _ := os.ReadFile(e.db); !bytes.Equal(b, content) {
				t.Errorf("the damaged store was changed")
			}
			if got, _, code := e.maillogsCode("check"); code != 1 || !strings.Contains(got, "store: FAULT") || !strings.Contains(got, "fix:") {
				t.Errorf("check exit %d said %q", code, got)
			}
		})
	}
}

// A missing store directory: pass through, exit 0, one error and a hint.
func TestMissingStoreDir(t *testing.T) {
	e := newEnv(t)
	os.RemoveAll(filepath.Dir(e.db))
	in, _ := sendLines(3, 0)
	out, errs, code := e.runProc("sendlog", in)
	if code != 0 || !bytes.Equal(out, in) {
		t.Fatalf("exit %d, output equal %v", code, bytes.Equal(out, in))
	}
	if !strings.Contains(errs, "sendlog: error:") || !strings.Contains(errs, "sendlog: hint:") {
		t.Errorf("stderr = %q", errs)
	}
}

// maillogs process --kind does what the links do.
func TestProcessCommand(t *testing.T) {
	e := newEnv(t)
	in, want := sendLines(10, 0)
	f, _ := os.CreateTemp(e.dir, "in")
	f.Write(in)
	f.Seek(0, 0)
	c := e.cmd("maillogs", "process", "--kind", "send")
	c.Stdin = f
	out, err := c.Output()
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("process: %v, output equal %v", err, bytes.Equal(out, in))
	}
	wantValues(t, e.values("send", "--no-live"), want)
}

// A processor whose stdin is a pipe (no seek) tees the chunk to the spool
// as it goes, so a store failure still keeps it.
func TestPipeInputSpools(t *testing.T) {
	e := newEnv(t)
	os.WriteFile(e.db, nil, 0o640) // an empty store: a fault
	in, _ := sendLines(5, 0)
	c := e.cmd("sendlog")
	c.Stdin = bytes.NewReader(in)
	out, err := c.Output()
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("err %v, output equal %v", err, bytes.Equal(out, in))
	}
	sp, _ := spooled(filepath.Join(filepath.Dir(e.db), "spool"))
	if len(sp) != 1 {
		t.Fatalf("spool holds %d files, want 1", len(sp))
	}
	if b, _ := os.ReadFile(sp[0]); !bytes.Equal(b, in) {
		t.Errorf("spooled bytes differ from the input")
	}
	if fi, _ := os.Stat(sp[0]); fi.Mode().Perm() != 0o640 {
		t.Errorf("spool file mode %v, want 0640", fi.Mode().Perm())
	}
}

func TestVersionAndPersonality(t *testing.T) {
	e := newEnv(t)
	if got := e.maillogs("--version"); !strings.HasPrefix(got, "maillogs version ") {
		t.Errorf("maillogs --version = %q", got)
	}
	_, errs, code := e.maillogsCode("frobnicate")
	if code == 0 || !strings.Contains(errs, "hint") {
		t.Errorf("unknown command: exit %d, stderr %q", code, errs)
	}
}
