package counters

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var testVocab = NewVocab("test", "delivery_remote_success", "delivery_local_failure", "hits")

func mustOpen(tb testing.TB) *Store {
	tb.Helper()
	st, err := Open(filepath.Join(tb.TempDir(), "m.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func totals(t *testing.T, st *Store) map[string]uint64 {
	t.Helper()
	var m map[string]uint64
	if err := st.View(func(sn *Snapshot) error { m = sn.Totals("test"); return nil }); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCommitOnce(t *testing.T) {
	st := mustOpen(t)
	tl := NewTally(testVocab, time.Unix(1700000000, 0))
	tl.Inc(testVocab.ID("hits"))
	id := ChunkID(sha256.Sum256([]byte("chunk")))
	for i, want := range []bool{true, false, false} {
		added, err := st.Commit(id, tl, ChunkInfo{Kind: "test"})
		if err != nil || added != want {
			t.Fatalf("commit %d: added %v, err %v; want %v", i, added, err, want)
		}
	}
	if got := totals(t, st)["hits"]; got != 1 {
		t.Errorf("hits = %d, want 1", got)
	}
}

// A delivery started in one chunk and finished in the next is matched by
// number at the second commit.
func TestDeliveryAcrossChunks(t *testing.T) {
	st := mustOpen(t)
	a := NewTally(testVocab, time.Unix(1700000000, 0))
	a.Start(42, "remote")
	a.Start(43, "local")
	st.Commit(ChunkID{1}, a, ChunkInfo{Kind: "test"})
	b := NewTally(testVocab, time.Unix(1700000100, 0))
	if _, ok := b.Finish(42, "success"); ok {
		t.Fatal("Finish matched a start it never saw")
	}
	b.Finish(43, "failure")
	b.Finish(99, "success") // started before maillogs: no destination
	st.Commit(ChunkID{2}, b, ChunkInfo{Kind: "test"})
	m := totals(t, st)
	if m["delivery_remote_success"] != 1 || m["delivery_local_failure"] != 1 {
		t.Errorf("totals %v", m)
	}
	st.View(func(sn *Snapshot) error {
		if _, ok := sn.Pending("test", 42); ok {
			t.Error("delivery 42 still pending")
		}
		return nil
	})
}

// An older chunk (a catch-up of an archive) does not turn a gauge back.
func TestGaugeNotTurnedBack(t *testing.T) {
	st := mustOpen(t)
	for i, at := range []int64{2000, 1000} {
		tl := NewTally(testVocab, time.Unix(at, 0))
		tl.SetGauge("load", uint64(at))
		st.Commit(ChunkID{byte(i)}, tl, ChunkInfo{Kind: "test"})
	}
	st.View(func(sn *Snapshot) error {
		if g := sn.Gauges("test")["load"]; g.Value != 2000 {
			t.Errorf("gauge = %d, want 2000", g.Value)
		}
		return nil
	})
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o640)
	if _, err := Open(empty, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty store: %v, want ErrEmpty", err)
	}
	link := filepath.Join(dir, "link.db")
	os.Symlink(empty, link)
	if _, err := Open(link, Options{}); !errors.Is(err, ErrSymlink) {
		t.Errorf("symlink: %v, want ErrSymlink", err)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, make([]byte, 8192), 0o640)
	if _, err := Open(junk, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("junk: %v, want ErrCorrupt", err)
	}
	good := filepath.Join(dir, "good.db")
	st, _ := Open(good, Options{})
	if _, err := Open(good, Options{Timeout: 100 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("locked: %v, want ErrLocked", err)
	}
	st.Close()
	if fi, _ := os.Stat(good); fi.Mode().Perm() != FileMode {
		t.Errorf("mode %v, want %v", fi.Mode().Perm(), os.FileMode(FileMode))
	}
}

func ExampleStore_Commit() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	st, _ := Open(filepath.Join(dir, "maillogs.db"), Options{})
	defer st.Close()
	v := NewVocab("demo", "hits")
	t := NewTally(v, time.Unix(1700000000, 0))
	t.Inc(v.ID("hits"))
	id := ChunkID(sha256.Sum256([]byte("the chunk's bytes")))
	first, _ := st.Commit(id, t, ChunkInfo{Kind: "demo"})
	again, _ := st.Commit(id, t, ChunkInfo{Kind: "demo"}) // a re-run of the same chunk
	st.View(func(sn *Snapshot) error {
		fmt.Println(first, again, sn.Totals("demo")["hits"])
		return nil
	})
	// Output: true false 1
}
