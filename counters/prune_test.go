package counters

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestPruneInSteps fills 100 days, then prunes to 62 in steps of at most 50
// keys: old days and hours go, kept ones and the totals stay whole.
func TestPruneInSteps(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	st := mustOpen(t)
	now := time.Date(2026, 11, 21, 9, 30, 0, 0, berlin)
	hits := testVocab.ID("hits")
	for d := 0; d < 100; d++ {
		tl := NewTally(testVocab, now)
		tl.SetLocation(berlin)
		for h := 0; h < 24; h += 6 {
			tl.SetTime(time.Date(2026, 11, 21-d, h, 15, 0, 0, berlin).Unix())
			tl.Inc(hits)
			tl.User([]byte(fmt.Sprintf("u%d", h)), ULogin, 1, nil)
		}
		if _, err := st.Commit(ChunkID(sha256.Sum256([]byte{byte(d)})), tl, ChunkInfo{Kind: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	keep := Retention{Days: 62, Loc: berlin}
	steps, deleted := 0, 0
	for {
		var n int
		err := st.update(func(tx *bolt.Tx) (err error) {
			n, err = prune(tx, keep.horizon(now), 50)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n > 50 {
			t.Fatalf("one step deleted %d keys, want at most 50", n)
		}
		if n == 0 {
			break
		}
		steps++
		deleted += n
	}
	// 37 days (Sep 19 back to Aug 14) of 4 users × (login, last_seen) and
	// 4 hours × hits: zeros are not stored.
	if want := 37*4*2 + 37*4; deleted != want {
		t.Errorf("deleted %d keys in %d steps, want %d", deleted, steps, want)
	}
	first := time.Date(2026, 9, 20, 0, 0, 0, 0, berlin) // 62 days before Nov 21
	st.View(func(sn *Snapshot) error {
		if got := sn.KeptFrom(); got != 20260920 {
			t.Errorf("KeptFrom = %d, want 20260920", got)
		}
		if u := sn.UsersOn("test", 20260919); len(u) != 0 {
			t.Errorf("Sep 19 still has %d users", len(u))
		}
		if u := sn.UsersOn("test", 20260920); len(u) != 4 {
			t.Errorf("Sep 20 has %d users, want 4", len(u))
		}
		if h := sn.Hours("test", first.AddDate(0, 0, -40), first); len(h) != 0 {
			t.Errorf("%d hours before Sep 20 are left", len(h))
		}
		if h := sn.Hours("test", first, first.AddDate(0, 0, 63)); len(h) != 63*4 {
			t.Errorf("%d hours kept, want %d", len(h), 63*4)
		}
		if got := sn.Totals("test")["hits"]; got != 400 {
			t.Errorf("hits = %d, want 400: pruning must never touch a total", got)
		}
		return nil
	})
}

// TestCommitPrunes: a commit under a retention writes no day older than
// it, and prunes the old days that a store without one kept.
func TestCommitPrunes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	old := NewTally(testVocab, time.Now().AddDate(0, 0, -5))
	old.User([]byte("ann"), ULogin, 1, nil)
	day := Day(time.Now().UTC().AddDate(0, 0, -5))
	usersOn := func(st *Store) (n int) {
		st.View(func(sn *Snapshot) error { n = len(sn.UsersOn("test", day)); return nil })
		return n
	}
	for i, tt := range []struct {
		keep  int
		chunk string
		want  int
	}{
		{0, "old", 1},           // kept: no retention
		{1, "new", 0},           // an unrelated commit prunes it
		{1, "old-again", 0},     // never written
		{0, "old-once-more", 1}, // written again without a retention
	} {
		st, err := Open(path, Options{Retention: Retention{Days: tt.keep, Loc: time.UTC}})
		if err != nil {
			t.Fatal(err)
		}
		tl := old
		if tt.chunk == "new" {
			tl = NewTally(testVocab, time.Now())
			tl.Inc(testVocab.ID("hits"))
		}
		if _, err := st.Commit(ChunkID(sha256.Sum256([]byte(tt.chunk))), tl, ChunkInfo{Kind: "test"}); err != nil {
			t.Fatal(err)
		}
		if got := usersOn(st); got != tt.want {
			t.Errorf("step %d (%s, keep %d): %d users on the old day, want %d", i, tt.chunk, tt.keep, got, tt.want)
		}
		st.View(func(sn *Snapshot) error {
			if sn.Users("test")["ann"] == nil {
				t.Errorf("step %d: the all-time user record was pruned", i)
			}
			return nil
		})
		st.Close()
	}
}

// BenchmarkPruneStep measures one full prune step (PruneStep keys) in a
// write transaction, the most any commit adds to its own work.
func BenchmarkPruneStep(b *testing.B) {
	st := mustOpen(b)
	day := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	fill := func() {
		tl := NewTally(testVocab, day)
		tl.SetLocation(time.UTC)
		for u := 0; u < PruneStep/2; u++ { // login and last_seen: two keys a user
			tl.User([]byte(fmt.Sprintf("user%05d@example.com", u)), ULogin, 1, nil)
		}
		var id ChunkID
		binary.BigEndian.PutUint64(id[:], uint64(time.Now().UnixNano()))
		if _, err := st.Commit(id, tl, ChunkInfo{Kind: "test"}); err != nil {
			b.Fatal(err)
		}
	}
	keep := Retention{Days: 30, Loc: time.UTC}
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	var n int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fill()
		b.StartTimer()
		err := st.update(func(tx *bolt.Tx) (err error) {
			n, err = prune(tx, keep.horizon(now), PruneStep)
			return err
		})
		if err != nil || n < PruneStep {
			b.Fatalf("pruned %d keys: %v", n, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
}
