package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/maillogs/maillogs/parsers"
)

// binDir holds the maillogs binary built for these tests, with its
// processor links, so that argv[0] dispatch runs as installed.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "maillogs-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "maillogs"), ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build maillogs: %v\n%s", err, out)
		os.Exit(1)
	}
	for _, k := range parsers.Kinds() {
		if err := os.Symlink("maillogs", filepath.Join(dir, k+"log")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needTool skips a test when a tool is missing, except in CI, where a
// missing tool is a failure (make test installs them).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (make test installs it with apt-get)", name)
		}
		t.Skipf("%s is not installed: run make deps", name)
	}
	return p
}

// env is a test installation: a store and log directories in a temp dir.
type env struct {
	t    *testing.T
	dir  string
	db   string
	vars []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, db: filepath.Join(dir, "lib", "maillogs.db")}
	if err := os.MkdirAll(filepath.Dir(e.db), 0o750); err != nil {
		t.Fatal(err)
	}
	e.vars = []string{
		"MAILLOGS_DB=" + e.db,
		"PATH=" + os.Getenv("PATH"),
		"TZ=UTC",
	}
	for _, k := range parsers.Kinds() {
		e.vars = append(e.vars, "MAILLOGS_"+strings.ToUpper(k)+"_DIR="+filepath.Join(dir, k))
	}
	return e
}

func (e *env) cmd(name string, args ...string) *exec.Cmd {
	c := exec.Command(filepath.Join(binDir, name), args...)
	c.Env = e.vars
	c.Dir = e.dir
	return c
}

// runProc runs a processor link with input on stdin (a regular file, as
// multilog gives it) and returns stdout, stderr and the exit status.
func (e *env) runProc(name string, input []byte, extraEnv ...string) ([]byte, string, int) {
	e.t.Helper()
	f, err := os.CreateTemp(e.dir, "previous")
	if err != nil {
		e.t.Fatal(err)
	}
	defer os.Remove(f.Name())
	f.Write(input)
	f.Seek(0, 0)
	defer f.Close()
	c := e.cmd(name)
	c.Env = append(c.Env, extraEnv...)
	c.Stdin = f
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	code := e.exitCode(c.Run())
	return out.Bytes(), errb.String(), code
}

// exitCode returns a finished command's exit status (-1 when a signal
// killed it); failing to run it at all fails the test.
func (e *env) exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return 0
}

// maillogs runs the query tool and returns stdout; it fails the test on a
// non-zero exit.
func (e *env) maillogs(args ...string) string {
	e.t.Helper()
	out, errs, code := e.maillogsCode(args...)
	if code != 0 {
		e.t.Fatalf("maillogs %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

func (e *env) maillogsCode(args ...string) (string, string, int) {
	c := e.cmd("maillogs", args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	code := e.exitCode(c.Run())
	return out.String(), errb.String(), code
}

// values returns the JSON dump of one kind.
func (e *env) values(kind string, args ...string) map[string]uint64 {
	e.t.Helper()
	var m map[string]map[string]uint64
	out := e.maillogs(append([]string{"dump", "--format", "json", "--kind", kind}, args...)...)
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		e.t.Fatalf("dump json: %v\n%s", err, out)
	}
	return m[kind]
}

// wantValues compares some counters.
func wantValues(t *testing.T, got map[string]uint64, want map[string]uint64) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %d, want %d", k, got[k], w)
		}
	}
}

// sendLines makes n messages' worth of qmail-send lines (no labels) and
// the counters they must give.
func sendLines(n, first int) ([]byte, map[string]uint64) {
	var b bytes.Buffer
	want := map[string]uint64{}
	outcomes := []string{"success", "success", "success", "deferral", "failure"}
	for i := first; i < first+n; i++ {
		dest := "remote"
		if i%3 == 0 {
			dest = "local"
		}
		oc := outcomes[i%len(outcomes)]
		fmt.Fprintf(&b, "new msg %d\n", 1000+i)
		fmt.Fprintf(&b, "info msg %d: bytes %d from <u%d@example.org> qp %d uid 89\n", 1000+i, 100+i, i, 5000+i)
		fmt.Fprintf(&b, "starting delivery %d: msg %d to %s user%d@example.net\n", 20000+i, 1000+i, dest, i)
		fmt.Fprintf(&b, "status: local 0/10 remote 1/20\n")
		fmt.Fprintf(&b, "delivery %d: %s: did_0+0+1/\n", 20000+i, oc)
		fmt.Fprintf(&b, "end msg %d\n", 1000+i)
		want["message_new"]++
		want["message_info"]++
		want["message_bytes"] += uint64(100 + i)
		want["delivery_start"]++
		want["delivery_start_"+dest]++
		want["delivery_"+oc]++
		want["delivery_"+dest+"_"+oc]++
		want["message_end"]++
		want["status"]++
		want["lines"] += 6
	}
	return b.Bytes(), want
}

func addWant(a, b map[string]uint64) map[string]uint64 {
	m := map[string]uint64{}
	for k, v := range a {
		m[k] += v
	}
	for k, v := range b {
		m[k] += v
	}
	return m
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
