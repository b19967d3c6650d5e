package counters

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Snapshot is a consistent read-only view of the store.
type Snapshot struct {
	tx *bolt.Tx
}

// View calls fn with a snapshot; nothing fn does can change the store.
func (s *Store) View(fn func(*Snapshot) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	return s.db.View(func(tx *bolt.Tx) error { return fn(&Snapshot{tx: tx}) })
}

func (sn *Snapshot) kind(top []byte, kind string) *bolt.Bucket {
	b := sn.tx.Bucket(top)
	if b == nil {
		return nil
	}
	return b.Bucket([]byte(kind))
}

// Committed reports whether the chunk id was counted.
func (sn *Snapshot) Committed(id ChunkID) bool {
	b := sn.tx.Bucket(bChunks)
	return b != nil && b.Get(id[:]) != nil
}

// Kinds returns the kinds that have totals.
func (sn *Snapshot) Kinds() []string {
	var kinds []string
	if b := sn.tx.Bucket(bTotals); b != nil {
		b.ForEachBucket(func(k []byte) error {
			kinds = append(kinds, string(k))
			return nil
		})
	}
	return kinds
}

// Totals returns the stored counters of kind.
func (sn *Snapshot) Totals(kind string) map[string]uint64 {
	m := map[string]uint64{}
	if b := sn.kind(bTotals, kind); b != nil {
		b.ForEach(func(k, v []byte) error {
			m[string(k)] = getU64(v)
			return nil
		})
	}
	return m
}

// Gauges returns the stored gauges of kind.
func (sn *Snapshot) Gauges(kind string) map[string]Gauge {
	m := map[string]Gauge{}
	if b := sn.kind(bGauges, kind); b != nil {
		b.ForEach(func(k, v []byte) error {
			if len(v) == 16 {
				m[string(k)] = Gauge{Value: binary.BigEndian.Uint64(v), At: int64(binary.BigEndian.Uint64(v[8:]))}
			}
			return nil
		})
	}
	return m
}

// Pending returns where the unfinished delivery id was going, if it is
// known.
func (sn *Snapshot) Pending(kind string, id uint64) (string, bool) {
	b := sn.kind(bPending, kind)
	if b == nil {
		return "", false
	}
	v := b.Get(u64(id))
	return string(v), v != nil
}

// UserRecord is what the store holds for one user of one kind.
type UserRecord struct {
	Counters map[string]uint64
	LastSeen time.Time
	Host     string
}

func splitUserKey(k []byte) (user, counter string, ok bool) {
	i := bytes.LastIndexByte(k, 0)
	if i < 0 {
		return "", "", false
	}
	return string(k[:i]), string(k[i+1:]), true
}

func (r *UserRecord) set(counter string, v []byte) {
	switch counter {
	case "host":
		r.Host = string(v)
	case "last_seen":
		r.LastSeen = time.Unix(int64(getU64(v)), 0)
	default:
		r.Counters[counter] = getU64(v)
	}
}

func newUserRecord() *UserRecord { return &UserRecord{Counters: map[string]uint64{}} }

// Users returns every user of kind with their all-time counters.
func (sn *Snapshot) Users(kind string) map[string]*UserRecord {
	m := map[string]*UserRecord{}
	if b := sn.kind(bUsers, kind); b != nil {
		b.ForEach(func(k, v []byte) error {
			user, counter, ok := splitUserKey(k)
			if !ok {
				return nil
			}
			r := m[user]
			if r == nil {
				r = newUserRecord()
				m[user] = r
			}
			r.set(counter, v)
			return nil
		})
	}
	return m
}

// UsersOn returns the users of kind seen on day (YYYYMMDD), with that day's
// counters.
func (sn *Snapshot) UsersOn(kind string, day int32) map[string]*UserRecord {
	m := map[string]*UserRecord{}
	b := sn.kind(bUserDays, kind)
	if b == nil {
		return m
	}
	prefix := make([]byte, 4)
	binary.BigEndian.PutUint32(prefix, uint32(day))
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		user, counter, ok := splitUserKey(k[4:])
		if !ok {
			continue
		}
		r := m[user]
		if r == nil {
			r = newUserRecord()
			m[user] = r
		}
		r.set(counter, v)
	}
	return m
}

// Hours returns the per-hour counters of kind for hours in [from, to), keyed
// by hour number (unix seconds / 3600).
func (sn *Snapshot) Hours(kind string, from, to time.Time) map[int64]map[string]uint64 {
	m := map[int64]map[string]uint64{}
	b := sn.kind(bHours, kind)
	if b == nil {
		return m
	}
	lo, hi := floorDiv(from.Unix(), 3600), floorDiv(to.Unix(), 3600)
	c := b.Cursor()
	for k, v := c.Seek(hourKey(lo, "")); len(k) >= 8; k, v = c.Next() {
		h := int64(binary.BigEndian.Uint64(k))
		if h >= hi {
			break
		}
		if m[h] == nil {
			m[h] = map[string]uint64{}
		}
		m[h][string(k[8:])] = getU64(v)
	}
	return m
}

// ChunkStats summarises the committed chunks of one kind.
type ChunkStats struct {
	Chunks     uint64
	LastCommit time.Time
}

// Chunks returns per-kind statistics of the committed chunks.
func (sn *Snapshot) Chunks() map[string]ChunkStats {
	m := map[string]ChunkStats{}
	if b := sn.tx.Bucket(bChunks); b != nil {
		b.ForEach(func(_, v []byte) error {
			in := decodeInfo(v)
			st := m[in.Kind]
			st.Chunks++
			if in.Committed.After(st.LastCommit) {
				st.LastCommit = in.Committed
			}
			m[in.Kind] = st
			return nil
		})
	}
	return m
}

// Check walks every page of the store and returns the first damage found.
func (sn *Snapshot) Check() error {
	var first error
	for err := range sn.tx.Check() { // drain: the walker must finish before the tx closes
		if first == nil {
			first = fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return first
}
