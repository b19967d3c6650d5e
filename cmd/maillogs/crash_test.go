package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
)

// SIGKILL the processor at random points of hundreds of runs (before,
// during and after its commit), and re-run each killed chunk as multilog
// does until a run finishes: every counter ends exact, nothing lost and
// nothing counted twice. Deliveries started in one chunk and finished in
// the next are matched across the kills too.
func TestCrashAnywhere(t *testing.T) {
	e := newEnv(t)
	chunks := 300
	if os.Getenv("MAILLOGS_SOAK") != "" {
		chunks = 3000
	}
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]uint64{}
	kills, runs, afterCommit := 0, 0, 0
	prev := filepath.Join(e.dir, "previous")
	for i := range chunks {
		in, w := sendLines(40, i*40)
		want = addWant(want, w)
		os.WriteFile(prev, in, 0o644)
		for {
			f, _ := os.Open(prev)
			c := e.cmd("sendlog")
			c.Stdin = f
			var out bytes.Buffer
			c.Stdout = &out
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			runs++
			// Half the runs are killed at a random moment of their life
			// (a run takes a few milliseconds, its commit most of them).
			if rng.IntN(2) == 0 {
				time.AfterFunc(time.Duration(rng.IntN(6000))*time.Microsecond, func() { c.Process.Kill() })
			}
			err := c.Wait()
			f.Close()
			if err == nil {
				if !bytes.Equal(out.Bytes(), in) {
					t.Fatalf("chunk %d: output differs from input", i)
				}
				break
			}
			if c.ProcessState.ExitCode() != -1 {
				t.Fatalf("chunk %d: exit %v without a kill", i, err)
			}
			kills++
			// Where did it land? The store says whether the chunk was in.
			if stored(t, e.db)["message_new"] == want["message_new"] {
				afterCommit++
			}
		}
	}
	wantValues(t, e.values("send", "--no-live"), want)
	if afterCommit == 0 || afterCommit == kills {
		t.Errorf("of %d kills, %d landed after the commit: the kills did not cover both sides of it", kills, afterCommit)
	}
	if out, _, code := e.maillogsCode("check"); code != 0 {
		t.Errorf("check after the kills: exit %d\n%s", code, out)
	}
	t.Logf("crash: %d chunks, %d runs, %d killed by SIGKILL (%d before the commit was durable, %d after), every counter exact",
		chunks, runs, kills, kills-afterCommit, afterCommit)
}

// stored reads the send totals straight from the store (no live count).
func stored(t *testing.T, db string) map[string]uint64 {
	t.Helper()
	st, err := counters.Open(db, counters.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, os.ErrNotExist) {
		return map[string]uint64{}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var m map[string]uint64
	st.View(func(sn *counters.Snapshot) error { m = sn.Totals("send"); return nil })
	return m
}
