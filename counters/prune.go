package counters

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PruneStep is the most per-day and per-hour keys one commit deletes: old
// days go a little at a time, so a commit stays short however much is due.
const PruneStep = 4096

var keptFromKey = []byte("kept_from")

// Retention says how long the per-day and per-hour data is kept.
type Retention struct {
	Days int            // whole days before today; 0 keeps everything
	Loc  *time.Location // the zone of the per-user days
}

// horizon is the oldest data a store keeps: the first local day (YYYYMMDD)
// and the first hour number. The zero horizon keeps everything.
type horizon struct {
	day  int32
	hour int64
}

func (h horizon) keeps(day int32) bool    { return day >= h.day }
func (h horizon) keepsHour(hr int64) bool { return h == horizon{} || hr >= h.hour }

// horizon returns what r keeps at now.
func (r Retention) horizon(now time.Time) horizon {
	if r.Days <= 0 {
		return horizon{}
	}
	loc := r.Loc
	if loc == nil {
		loc = time.Local
	}
	y, m, d := now.In(loc).Date()
	first := time.Date(y, m, d-r.Days, 0, 0, 0, 0, loc)
	return horizon{day: Day(first), hour: floorDiv(first.Unix(), 3600)}
}

// prune deletes at most max per-day and per-hour keys older than h, and
// records h's first day. It returns how many keys it deleted.
func prune(tx *bolt.Tx, h horizon, max int) (int, error) {
	if h == (horizon{}) {
		return 0, nil
	}
	meta := tx.Bucket(bMeta)
	if meta == nil {
		return 0, nil
	}
	if int32(getU64(meta.Get(keptFromKey))) < h.day {
		if err := meta.Put(keptFromKey, u64(uint64(h.day))); err != nil {
			return 0, err
		}
	}
	dayEnd := make([]byte, 4)
	binary.BigEndian.PutUint32(dayEnd, uint32(h.day))
	n := 0
	for _, p := range []struct {
		top []byte
		end []byte
	}{{bUserDays, dayEnd}, {bHours, hourKey(h.hour, "")}} {
		top := tx.Bucket(p.top)
		if top == nil {
			continue
		}
		var kinds [][]byte
		top.ForEachBucket(func(k []byte) error {
			kinds = append(kinds, bytes.Clone(k))
			return nil
		})
		for _, kind := range kinds {
			if n >= max {
				return n, nil
			}
			d, err := pruneBucket(top.Bucket(kind), p.end, max-n)
			n += d
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// pruneBucket deletes at most max keys that sort before end. The keys are
// gathered first: deleting under a moving cursor can skip keys.
func pruneBucket(b *bolt.Bucket, end []byte, max int) (int, error) {
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0 && len(old) < max; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// KeptFrom returns the first day (YYYYMMDD) whose per-day and per-hour
// data is complete, or 0 when nothing was ever pruned.
func (sn *Snapshot) KeptFrom() int32 {
	if b := sn.tx.Bucket(bMeta); b != nil {
		return int32(getU64(b.Get(keptFromKey)))
	}
	return 0
}
