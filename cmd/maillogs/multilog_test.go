package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/maillogs/maillogs/tai64n"
)

// multilog is a real daemontools multilog writing dir with a processor.
type multilog struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	dir   string
	stder bytes.Buffer
}

func startMultilog(t *testing.T, e *env, processor, dir string, size int) *multilog {
	t.Helper()
	bin := needTool(t, "multilog")
	m := &multilog{t: t, dir: dir}
	m.cmd = exec.Command(bin, "t", "s"+strconv.Itoa(size), "n999", "!"+processor, dir)
	m.cmd.Env = e.vars
	m.cmd.Stderr = &m.stder
	var err error
	if m.in, err = m.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.cmd.Process.Kill(); m.cmd.Wait() })
	return m
}

// idle reports whether no processor is running: no previous, no processed.
func (m *multilog) idle() bool {
	_, err1 := os.Stat(filepath.Join(m.dir, "previous"))
	_, err2 := os.Stat(filepath.Join(m.dir, "processed"))
	return os.IsNotExist(err1) && os.IsNotExist(err2)
}

func (m *multilog) size(name string) int64 {
	fi, err := os.Stat(filepath.Join(m.dir, name))
	if err != nil {
		return -1
	}
	return fi.Size()
}

// rotate forces rotations with SIGALRM (as svc -a does) until current is
// empty and no processor runs: lines still in the pipe while a processor
// ran land in the new current and need one more.
func (m *multilog) rotate() {
	m.t.Helper()
	waitFor(m.t, "current to fill", 5*time.Second, func() bool { return m.size("current") > 0 })
	last := time.Time{}
	waitFor(m.t, "rotation", 20*time.Second, func() bool {
		if m.size("current") == 0 && m.idle() {
			return true
		}
		if time.Since(last) > 300*time.Millisecond {
			m.cmd.Process.Signal(syscall.SIGALRM)
			last = time.Now()
		}
		return false
	})
}

// archived returns the finished files' content, oldest first, labels
// removed.
func (m *multilog) archived(withCurrent bool) []byte {
	files, _ := filepath.Glob(filepath.Join(m.dir, "@*.s"))
	sort.Strings(files)
	if withCurrent {
		files = append(files, filepath.Join(m.dir, "current"))
	}
	var out bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			m.t.Fatal(err)
		}
		out.Write(stripLabels(b))
	}
	return out.Bytes()
}

func stripLabels(b []byte) []byte {
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) > 26 && line[0] == '@' && line[25] == ' ' {
			line = line[26:]
		}
		out.Write(line)
	}
	return out.Bytes()
}

// A real multilog rotating a real directory through sendlog: every
// archived file is what was fed, the counters are exact, and current is
// counted live.
func TestMultilogRotation(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.dir, "send")
	m := startMultilog(t, e, filepath.Join(binDir, "sendlog"), dir, 4096)
	var fed bytes.Buffer
	want := map[string]uint64{}
	const rounds = 8
	for r := 0; r < rounds; r++ {
		in, w := sendLines(7+r*5, r*1000) // some rounds pass 4096 bytes: size rotations too
		m.in.Write(in)
		fed.Write(in)
		want = addWant(want, w)
		m.rotate()
	}
	// Lines left in current are counted live, not stored.
	tail, wtail := sendLines(3, 90000)
	m.in.Write(tail)
	fed.Write(tail)
	waitFor(t, "tail in current", 5*time.Second, func() bool { return m.size("current") > 0 && m.idle() })
	waitFor(t, "all of the tail", 5*time.Second, func() bool {
		return bytes.Equal(m.archived(true), fed.Bytes())
	})

	stored := e.values("send", "--no-live")
	wantValues(t, stored, want)
	wantValues(t, e.values("send"), addWant(want, wtail))

	files, _ := filepath.Glob(filepath.Join(dir, "@*.s"))
	if len(files) < rounds {
		t.Errorf("%d archives, want at least %d", len(files), rounds)
	}
	// Nothing but the labelled input reached stdout: every archived line
	// starts with the label multilog gave it.
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, line := range bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) {
			if _, err := tai64n.Parse(line); err != nil || len(line) < 26 || line[25] != ' ' {
				t.Fatalf("%s: line %q is not a labelled input line", filepath.Base(f), line)
			}
		}
	}
	if strings.Contains(m.stder.String(), "processor failed") || strings.Contains(m.stder.String(), "error") {
		t.Errorf("multilog stderr: %s", m.stder.String())
	}
	t.Logf("%d rotations, %d archives, %d lines counted exactly", rounds, len(files), stored["lines"])
}

// A SIGKILL of multilog leaves @….u files; catch-up counts them, and what
// the processor had counted is not counted again.
func TestMultilogCrashCatchup(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.dir, "send")
	m := startMultilog(t, e, filepath.Join(binDir, "sendlog"), dir, 4096)
	in1, w1 := sendLines(10, 0)
	m.in.Write(in1)
	m.rotate()
	in2, w2 := sendLines(4, 500)
	m.in.Write(in2)
	waitFor(t, "current", 5*time.Second, func() bool { return m.size("current") >= int64(len(in2)) })
	m.cmd.Process.Kill()
	m.cmd.Wait()
	// multilog finishes an unclean current as @….u when it starts again.
	m2 := startMultilog(t, e, filepath.Join(binDir, "sendlog"), dir, 4096)
	waitFor(t, "@….u", 5*time.Second, func() bool {
		u, _ := filepath.Glob(filepath.Join(dir, "@*.u"))
		return len(u) > 0
	})
	m2.in.Close()
	m2.cmd.Wait()
	if out, _, code := e.maillogsCode("check"); code != 1 || !strings.Contains(out, "never processed") {
		t.Errorf("check before catchup: exit %d\n%s", code, out)
	}
	e.maillogs("catchup")
	e.maillogs("catchup")
	wantValues(t, e.values("send", "--no-live"), addWant(w1, w2))
}
