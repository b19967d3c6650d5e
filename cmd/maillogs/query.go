package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

// liveKind is what a log directory holds that is not committed yet.
type liveKind struct {
	prev *chunkReader // "previous" while a processor runs on it, or nil
	cur  *chunkReader // "current", or nil
}

// openNoFollow opens a file in a log directory without following a link.
func openNoFollow(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

func fileID(path string) (uint64, bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, true
	}
	return st.Ino, true
}

// readOne streams one file of a log directory into a new chunkReader;
// a missing file gives nil.
func readOne(cfg *config, kind, path string, buf []byte) (*chunkReader, error) {
	f, err := openNoFollow(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	cr, err := newChunkReader(kind, time.Now(), cfg)
	if err != nil {
		return nil, err
	}
	if err := cr.copy(f, nil, buf); err != nil {
		return nil, err
	}
	return cr, nil
}

// readLive counts a log directory's previous and current. previous is read
// first and its identity checked again after current was read: a rotation
// in between would otherwise let a chunk slip past both reads.
func readLive(cfg *config, kind string) (liveKind, error) {
	dir := cfg.dir(kind)
	buf := make([]byte, 256<<10)
	prevPath, curPath := filepath.Join(dir, "previous"), filepath.Join(dir, "current")
	var lk liveKind
	for try := 0; try < 5; try++ {
		before, hadPrev := fileID(prevPath)
		prev, err := readOne(cfg, kind, prevPath, buf)
		if err != nil {
			return liveKind{}, err
		}
		cur, err := readOne(cfg, kind, curPath, buf)
		if err != nil {
			return liveKind{}, err
		}
		after, hasPrev := fileID(prevPath)
		lk = liveKind{prev: prev, cur: cur}
		if hadPrev == hasPrev && before == after {
			break
		}
	}
	return lk, nil
}

// kindView is everything a query answers for one kind.
type kindView struct {
	Values map[string]uint64
	Users  map[string]*counters.UserRecord
}

// resolve adds the outcomes of deliveries whose start is in an earlier
// chunk: first the uncommitted previous, then the store.
func resolve(sn *counters.Snapshot, kind string, vals map[string]uint64, results []counters.Result, earlier map[uint64]string) {
	for _, r := range results {
		dest, ok := earlier[r.ID]
		if !ok {
			dest, ok = sn.Pending(kind, r.ID)
		}
		if ok {
			vals["delivery_"+dest+"_"+r.Outcome]++
		}
	}
}

func addTally(vals map[string]uint64, users map[string]*counters.UserRecord, t *counters.Tally, gauges map[string]counters.Gauge) {
	for n, v := range t.Totals() {
		vals[n] += v
	}
	for n, g := range t.Gauges {
		if old, ok := gauges[n]; !ok || g.At >= old.At {
			gauges[n] = g
		}
	}
	if users == nil {
		return
	}
	for name, u := range t.Users {
		r := users[name]
		if r == nil {
			r = &counters.UserRecord{Counters: map[string]uint64{}}
			users[name] = r
		}
		for i, n := range u.C {
			r.Counters[counters.UserNames[i]] += n
		}
		if ls := time.Unix(u.LastSeen, 0); ls.After(r.LastSeen) {
			r.LastSeen = ls
			if u.Host != "" {
				r.Host = u.Host
			}
		}
	}
}

// gather answers the stored totals of kinds, plus, with live, what their
// log directories hold that is not committed yet. Every counter of a kind's
// vocabulary is present, zeros included. also, when given, reads more from
// the same snapshot, so a caller never opens the store twice.
func gather(cfg *config, kinds []string, live, users bool, also ...func(*counters.Snapshot)) (map[string]*kindView, error) {
	lives := map[string]liveKind{}
	if live {
		for _, k := range kinds {
			lk, err := readLive(cfg, k)
			if err != nil {
				return nil, fmt.Errorf("count %s live: %w", k, err)
			}
			lives[k] = lk
		}
	}
	st, err := counters.Open(cfg.DB, counters.Options{ReadOnly: true, Timeout: cfg.LockTimeout})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	out := map[string]*kindView{}
	err = st.View(func(sn *counters.Snapshot) error {
		for _, k := range kinds {
			kv := &kindView{Values: map[string]uint64{}}
			for _, n := range parsers.Vocab(k).Names {
				kv.Values[n] = 0
			}
			for _, n := range parsers.Gauges(k) {
				kv.Values[n] = 0
			}
			for n, v := range sn.Totals(k) {
				kv.Values[n] = v
			}
			gauges := sn.Gauges(k)
			if users {
				kv.Users = sn.Users(k)
			}
			lk := lives[k]
			var earlier map[uint64]string
			if lk.prev != nil && !sn.Committed(lk.prev.id()) {
				addTally(kv.Values, kv.Users, lk.prev.count.Tally, gauges)
				resolve(sn, k, kv.Values, lk.prev.count.Tally.Results, nil)
				earlier = lk.prev.count.Tally.Starts
			}
			if lk.cur != nil {
				addTally(kv.Values, kv.Users, lk.cur.count.Tally, gauges)
				resolve(sn, k, kv.Values, lk.cur.count.Tally.Results, earlier)
			}
			for n, g := range gauges {
				kv.Values[n] = g.Value
			}
			out[k] = kv
		}
		for _, f := range also {
			f(sn)
		}
		return nil
	})
	return out, err
}
