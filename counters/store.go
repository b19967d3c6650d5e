package counters

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileMode is the mode of a store the processors create: the log user
// writes it, its group (snmpd's) reads it, nobody else.
const FileMode = 0o640

// Bucket names. Each has one sub-bucket per log kind, except chunks and meta.
var (
	bChunks   = []byte("chunks")
	bMeta     = []byte("meta")
	bTotals   = []byte("totals")
	bGauges   = []byte("gauges")
	bHours    = []byte("hours")
	bUsers    = []byte("users")
	bUserDays = []byte("userdays")
	bPending  = []byte("pending")
)

// ChunkID identifies a chunk: the SHA-256 of its kind, a NUL, and its bytes.
type ChunkID [sha256.Size]byte

// String returns the id in hex.
func (id ChunkID) String() string { return hex.EncodeToString(id[:]) }

// NewChunkHash returns the hash whose Sum is a chunk's ChunkID once the
// chunk's bytes have been written to it.
func NewChunkHash(kind string) hash.Hash {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	return h
}

// SumID returns the ChunkID of a hash from NewChunkHash.
func SumID(h hash.Hash) (id ChunkID) {
	h.Sum(id[:0])
	return id
}

// ChunkInfo is what the store keeps about a committed chunk.
type ChunkInfo struct {
	Kind      string
	Committed time.Time
	Lines     uint64
	Bytes     uint64
}

// Options for Open.
type Options struct {
	ReadOnly bool
	// Timeout bounds the wait for the file lock; zero means one second.
	Timeout time.Duration
	// Retention bounds the per-day and per-hour data: every commit prunes
	// at most PruneStep keys older than it.
	Retention Retention
}

// Store is the counter database.
type Store struct {
	db   *bolt.DB
	keep Retention
}

// Open opens the store at path. A read-write open creates a missing file
// but never a missing directory, and refuses an existing empty file: that
// is a store that was lost, and recreating it would make every graph jump.
func Open(path string, o Options) (*Store, error) {
	if o.Timeout == 0 {
		o.Timeout = time.Second
	}
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		return nil, fmt.Errorf("open store: %w", ErrSymlink)
	case err == nil && !fi.Mode().IsRegular():
		return nil, fmt.Errorf("open store: %w", ErrNotFile)
	case err == nil && fi.Size() == 0:
		return nil, fmt.Errorf("open store: %w", ErrEmpty)
	case err != nil && !(os.IsNotExist(err) && !o.ReadOnly):
		return nil, fmt.Errorf("open store: %w", err)
	}
	bo := &bolt.Options{
		Timeout:  o.Timeout,
		ReadOnly: o.ReadOnly,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			return os.OpenFile(name, flag|syscall.O_NOFOLLOW, mode)
		},
	}
	db, err := openBolt(path, bo)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open store: %w", ErrLocked)
		}
		return nil, fmt.Errorf("open store: %w", err)
	}
	s := &Store{db: db, keep: o.Retention}
	// A truncated file still opens: its meta pages say how long it was.
	// Reading a page past the end would kill the process (SIGBUS), so
	// refuse it here.
	var short error
	db.View(func(tx *bolt.Tx) error {
		if fi, err := os.Stat(path); err == nil && fi.Size() < tx.Size() {
			short = fmt.Errorf("open store: %w: the file is %d bytes, its pages reach %d: truncated", ErrCorrupt, fi.Size(), tx.Size())
		}
		return nil
	})
	if short != nil {
		db.Close()
		return nil, short
	}
	if !o.ReadOnly {
		if err := s.update(initBuckets); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

// openBolt opens the file, turning a panic on a damaged file into an error.
func openBolt(path string, bo *bolt.Options) (db *bolt.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	db, err = bolt.Open(path, FileMode, bo)
	if err != nil && (errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) || errors.Is(err, berrors.ErrVersionMismatch)) {
		err = fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return db, err
}

func initBuckets(tx *bolt.Tx) error {
	for _, b := range [][]byte{bChunks, bMeta, bTotals, bGauges, bHours, bUsers, bUserDays, bPending} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bMeta)
	if meta.Get([]byte("format")) == nil {
		if err := meta.Put([]byte("format"), []byte("1")); err != nil {
			return err
		}
		return meta.Put([]byte("created"), u64(uint64(time.Now().Unix())))
	}
	return nil
}

// Close closes the store and releases its lock.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the store's file name.
func (s *Store) Path() string { return s.db.Path() }

func (s *Store) update(fn func(*bolt.Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrCorrupt, r)
		}
	}()
	return s.db.Update(fn)
}

// Commit adds the tally to the store and records id, in one fsynced
// transaction. It returns false, changing nothing, when id was committed
// before: that chunk is already counted.
func (s *Store) Commit(id ChunkID, t *Tally, info ChunkInfo) (added bool, err error) {
	err = s.update(func(tx *bolt.Tx) error {
		chunks := tx.Bucket(bChunks)
		if chunks == nil {
			return fmt.Errorf("%w: no chunks bucket", ErrCorrupt)
		}
		if chunks.Get(id[:]) != nil {
			return nil
		}
		keep := s.keep.horizon(time.Now())
		if err := commitTally(tx, t, keep); err != nil {
			return err
		}
		added = true
		if err := chunks.Put(id[:], encodeInfo(info)); err != nil {
			return err
		}
		_, err := prune(tx, keep, PruneStep)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("commit chunk: %w", err)
	}
	return added, nil
}

func kindBucket(tx *bolt.Tx, top []byte, kind string) (*bolt.Bucket, error) {
	b := tx.Bucket(top)
	if b == nil {
		return nil, fmt.Errorf("%w: no %s bucket", ErrCorrupt, top)
	}
	return b.CreateBucketIfNotExists([]byte(kind))
}

func addU64(b *bolt.Bucket, key []byte, n uint64) error {
	if n == 0 {
		return nil
	}
	return b.Put(key, u64(getU64(b.Get(key))+n))
}

func maxU64(b *bolt.Bucket, key []byte, n uint64) error {
	if n <= getU64(b.Get(key)) {
		return nil
	}
	return b.Put(key, u64(n))
}

// commitTally adds t to the store; per-day and per-hour data older than
// keep is not written (an old archive caught up adds to the totals only).
func commitTally(tx *bolt.Tx, t *Tally, keep horizon) error {
	kind := t.Vocab.Kind
	totals, err := kindBucket(tx, bTotals, kind)
	if err != nil {
		return err
	}
	pending, err := kindBucket(tx, bPending, kind)
	if err != nil {
		return err
	}
	// Outcomes of deliveries started in earlier chunks.
	for _, r := range t.Results {
		key := u64(r.ID)
		dest := pending.Get(key)
		if dest == nil {
			continue
		}
		t.AddName("delivery_"+string(dest)+"_"+r.Outcome, 1)
		if err := pending.Delete(key); err != nil {
			return err
		}
	}
	for id, dest := range t.Starts {
		if err := pending.Put(u64(id), []byte(dest)); err != nil {
			return err
		}
	}
	// Zeros too: a kind's every counter exists once a chunk was counted.
	for i, name := range t.Vocab.Names {
		key := []byte(name)
		if err := totals.Put(key, u64(getU64(totals.Get(key))+t.Fixed[i])); err != nil {
			return err
		}
	}
	for name, n := range t.Extra {
		if err := addU64(totals, []byte(name), n); err != nil {
			return err
		}
	}
	if err := commitGauges(tx, kind, t.Gauges); err != nil {
		return err
	}
	if err := commitHours(tx, t, keep); err != nil {
		return err
	}
	return commitUsers(tx, kind, t.Users, keep)
}

func commitGauges(tx *bolt.Tx, kind string, gauges map[string]Gauge) error {
	if len(gauges) == 0 {
		return nil
	}
	b, err := kindBucket(tx, bGauges, kind)
	if err != nil {
		return err
	}
	for name, g := range gauges {
		if old := b.Get([]byte(name)); len(old) == 16 && int64(binary.BigEndian.Uint64(old[8:])) > g.At {
			continue // an older chunk (a catch-up) does not turn back a gauge
		}
		v := make([]byte, 16)
		binary.BigEndian.PutUint64(v, g.Value)
		binary.BigEndian.PutUint64(v[8:], uint64(g.At))
		if err := b.Put([]byte(name), v); err != nil {
			return err
		}
	}
	return nil
}

func hourKey(hour int64, name string) []byte {
	k := make([]byte, 8, 8+len(name))
	binary.BigEndian.PutUint64(k, uint64(hour))
	return append(k, name...)
}

func commitHours(tx *bolt.Tx, t *Tally, keep horizon) error {
	b, err := kindBucket(tx, bHours, t.Vocab.Kind)
	if err != nil {
		return err
	}
	for h, slot := range t.Hours {
		if !keep.keepsHour(h) {
			continue
		}
		for i, n := range slot {
			if err := addU64(b, hourKey(h, t.Vocab.Names[i]), n); err != nil {
				return err
			}
		}
	}
	for h, x := range t.XHours {
		if !keep.keepsHour(h) {
			continue
		}
		for name, n := range x {
			if err := addU64(b, hourKey(h, name), n); err != nil {
				return err
			}
		}
	}
	return nil
}

func userKey(user, counter string) []byte {
	k := make([]byte, 0, len(user)+1+len(counter))
	k = append(k, user...)
	k = append(k, 0)
	return append(k, counter...)
}

func dayKey(day int32, user, counter string) []byte {
	k := make([]byte, 4, 4+len(user)+1+len(counter))
	binary.BigEndian.PutUint32(k, uint32(day))
	return append(k, userKey(user, counter)...)
}

func commitUsers(tx *bolt.Tx, kind string, users map[string]*UserTally, keep horizon) error {
	if len(users) == 0 {
		return nil
	}
	ub, err := kindBucket(tx, bUsers, kind)
	if err != nil {
		return err
	}
	db, err := kindBucket(tx, bUserDays, kind)
	if err != nil {
		return err
	}
	for user, u := range users {
		for i, n := range u.C {
			if err := addU64(ub, userKey(user, UserNames[i]), n); err != nil {
				return err
			}
		}
		seen := userKey(user, "last_seen")
		if int64(getU64(ub.Get(seen))) <= u.LastSeen {
			if err := ub.Put(seen, u64(uint64(u.LastSeen))); err != nil {
				return err
			}
			if u.Host != "" {
				if err := ub.Put(userKey(user, "host"), []byte(u.Host)); err != nil {
					return err
				}
			}
		}
		for day, c := range u.Days {
			if !keep.keeps(day) {
				continue
			}
			for i, n := range c {
				if err := addU64(db, dayKey(day, user, UserNames[i]), n); err != nil {
					return err
				}
			}
			if err := maxU64(db, dayKey(day, user, "last_seen"), uint64(u.LastSeen)); err != nil {
				return err
			}
		}
	}
	return nil
}

func encodeInfo(in ChunkInfo) []byte {
	b := make([]byte, 24, 24+len(in.Kind))
	binary.BigEndian.PutUint64(b, uint64(in.Committed.Unix()))
	binary.BigEndian.PutUint64(b[8:], in.Lines)
	binary.BigEndian.PutUint64(b[16:], in.Bytes)
	return append(b, in.Kind...)
}

func decodeInfo(b []byte) ChunkInfo {
	if len(b) < 24 {
		return ChunkInfo{}
	}
	return ChunkInfo{
		Committed: time.Unix(int64(binary.BigEndian.Uint64(b)), 0),
		Lines:     binary.BigEndian.Uint64(b[8:]),
		Bytes:     binary.BigEndian.Uint64(b[16:]),
		Kind:      string(b[24:]),
	}
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func getU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
