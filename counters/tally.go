// Package counters holds the ever-increasing mail counters: the in-memory
// Tally a parser fills while it streams one log chunk, and the bbolt Store
// that commits a tally together with the chunk's identity in one
// transaction, so that every chunk is counted exactly once.
package counters

import (
	"sort"
	"time"
)

// Vocab is the fixed, ordered counter vocabulary of one log kind. The order
// is the order of the classic one-line output; new names are only ever
// appended.
type Vocab struct {
	Kind  string
	Names []string
	index map[string]int
}

// NewVocab returns the vocabulary of kind. Every kind counts "lines" and
// "unparsed" first.
func NewVocab(kind string, names ...string) *Vocab {
	v := &Vocab{Kind: kind, Names: append([]string{"lines", "unparsed"}, names...), index: map[string]int{}}
	for i, n := range v.Names {
		if _, dup := v.index[n]; dup {
			panic("counters: duplicate counter " + n + " in kind " + kind)
		}
		v.index[n] = i
	}
	return v
}

// Index returns the position of name, or -1.
func (v *Vocab) Index(name string) int {
	if i, ok := v.index[name]; ok {
		return i
	}
	return -1
}

// ID returns the position of name and panics if it is not in v; parsers call
// it once at start-up.
func (v *Vocab) ID(name string) int {
	i := v.Index(name)
	if i < 0 {
		panic("counters: unknown counter " + name + " in kind " + v.Kind)
	}
	return i
}

// Indices of the two counters every kind has.
const (
	Lines    = 0
	Unparsed = 1
)

// User counter names, in the order of UserTally.C.
var UserNames = [...]string{
	"connect", "login", "auth", "failure", "logout",
	"retrieved", "deleted", "bytes_received", "bytes_sent",
}

// Indices into UserTally.C.
const (
	UConnect = iota
	ULogin
	UAuth
	UFailure
	ULogout
	URetrieved
	UDeleted
	UBytesReceived
	UBytesSent
	nUser
)

// UserTally is what one chunk adds for one user.
type UserTally struct {
	C        [nUser]uint64
	LastSeen int64  // unix seconds, the latest line naming the user
	Host     string // the remote address of that line, if it named one
	Days     map[int32]*[nUser]uint64
}

// Gauge is a value that is set, not summed; the latest line wins.
type Gauge struct {
	Value uint64
	At    int64 // unix seconds of the line that set it
}

// Result is a delivery outcome whose start may lie in an earlier chunk; it
// is matched by number when the tally is committed.
type Result struct {
	ID      uint64
	Outcome string // "success", "failure" or "deferral"
}

// Tally accumulates the deltas of one chunk of one kind. Memory grows with
// the number of distinct counters, users and hours, not with the chunk size.
type Tally struct {
	Vocab  *Vocab
	Fixed  []uint64
	Extra  map[string]uint64
	Gauges map[string]Gauge
	Users  map[string]*UserTally
	Hours  map[int64][]uint64          // hour number (unix/3600) → Fixed-shaped deltas
	XHours map[int64]map[string]uint64 // hour number → Extra-shaped deltas

	// Starts holds deliveries started in this chunk and not finished in it
	// (number → "local" or "remote"); Results the outcomes of deliveries
	// started before it.
	Starts  map[uint64]string
	Results []Result

	// Seen is a parser's memory within the chunk: when a name was last
	// seen (unix seconds). It is never stored.
	Seen map[string]int64

	now      int64 // time of the current line, unix seconds
	fallback int64 // time for lines that carry none
	hour     int64
	slot     []uint64
	dayLo    int64 // [dayLo, dayHi) is the local day of dayKey
	dayHi    int64
	dayKey   int32
	loc      *time.Location
}

// NewTally returns an empty tally for v; lines without a time of their own
// are counted at fallback.
func NewTally(v *Vocab, fallback time.Time) *Tally {
	t := &Tally{
		Vocab:    v,
		Fixed:    make([]uint64, len(v.Names)),
		Extra:    map[string]uint64{},
		Gauges:   map[string]Gauge{},
		Users:    map[string]*UserTally{},
		Hours:    map[int64][]uint64{},
		XHours:   map[int64]map[string]uint64{},
		Starts:   map[uint64]string{},
		fallback: fallback.Unix(),
		hour:     -1 << 62,
		loc:      time.Local,
	}
	t.SetTime(0)
	return t
}

// SetLocation sets the zone whose calendar days the per-user days follow.
func (t *Tally) SetLocation(loc *time.Location) { t.loc = loc; t.dayLo, t.dayHi = 0, 0 }

// SetTime sets the time of the line being counted; 0 means the line has
// none, and the fallback is used.
func (t *Tally) SetTime(unix int64) {
	if unix == 0 {
		unix = t.fallback
	}
	t.now = unix
	if h := floorDiv(unix, 3600); h != t.hour {
		t.hour = h
		s, ok := t.Hours[h]
		if !ok {
			s = make([]uint64, len(t.Fixed))
			t.Hours[h] = s
		}
		t.slot = s
	}
}

// Now returns the time of the line being counted.
func (t *Tally) Now() int64 { return t.now }

// Inc adds one to the fixed counter id.
func (t *Tally) Inc(id int) {
	t.Fixed[id]++
	t.slot[id]++
}

// Add adds n to the fixed counter id.
func (t *Tally) Add(id int, n uint64) {
	t.Fixed[id] += n
	t.slot[id] += n
}

// AddName adds n to a counter named at run time (a DNSBL zone, a plugin).
func (t *Tally) AddName(name string, n uint64) {
	if i := t.Vocab.Index(name); i >= 0 {
		t.Add(i, n)
		return
	}
	t.Extra[name] += n
	x := t.XHours[t.hour]
	if x == nil {
		x = map[string]uint64{}
		t.XHours[t.hour] = x
	}
	x[name] += n
}

// SetGauge records a gauge value seen at the current line.
func (t *Tally) SetGauge(name string, v uint64) {
	if g, ok := t.Gauges[name]; ok && g.At > t.now {
		return
	}
	t.Gauges[name] = Gauge{Value: v, At: t.now}
}

// User adds n to counter c of user at the current line's time; host may be
// empty. The bytes are copied only the first time a user or host is seen.
func (t *Tally) User(user []byte, c int, n uint64, host []byte) {
	u := t.Users[string(user)]
	if u == nil {
		u = &UserTally{Days: map[int32]*[nUser]uint64{}}
		t.Users[string(user)] = u
	}
	u.C[c] += n
	if t.now >= u.LastSeen {
		u.LastSeen = t.now
		if len(host) > 0 && string(host) != u.Host {
			u.Host = string(host)
		}
	}
	d := t.day()
	dc := u.Days[d]
	if dc == nil {
		dc = new([nUser]uint64)
		u.Days[d] = dc
	}
	dc[c] += n
}

// day returns the local calendar day of the current line as YYYYMMDD.
func (t *Tally) day() int32 {
	if t.now >= t.dayLo && t.now < t.dayHi {
		return t.dayKey
	}
	tm := time.Unix(t.now, 0).In(t.loc)
	y, m, d := tm.Date()
	lo := time.Date(y, m, d, 0, 0, 0, 0, t.loc)
	t.dayLo, t.dayHi = lo.Unix(), lo.AddDate(0, 0, 1).Unix()
	t.dayKey = int32(y*10000 + int(m)*100 + d)
	return t.dayKey
}

// Day returns the YYYYMMDD key of tm's calendar day.
func Day(tm time.Time) int32 {
	y, m, d := tm.Date()
	return int32(y*10000 + int(m)*100 + d)
}

// Start records that delivery id started to dest ("local" or "remote").
func (t *Tally) Start(id uint64, dest string) { t.Starts[id] = dest }

// Finish records a delivery outcome. It returns the destination when the
// start was in this chunk; otherwise the outcome waits for the commit,
// which matches it against earlier chunks.
func (t *Tally) Finish(id uint64, outcome string) (dest string, ok bool) {
	if dest, ok = t.Starts[id]; ok {
		delete(t.Starts, id)
		return dest, true
	}
	t.Results = append(t.Results, Result{ID: id, Outcome: outcome})
	return "", false
}

// Totals returns every counter of the tally by name, fixed and extra.
func (t *Tally) Totals() map[string]uint64 {
	m := make(map[string]uint64, len(t.Fixed)+len(t.Extra))
	for i, n := range t.Vocab.Names {
		m[n] = t.Fixed[i]
	}
	for n, v := range t.Extra {
		m[n] += v
	}
	return m
}

// Get returns the value of one counter of the tally.
func (t *Tally) Get(name string) uint64 {
	if i := t.Vocab.Index(name); i >= 0 {
		return t.Fixed[i]
	}
	return t.Extra[name]
}

// SortedNames returns the names of m in order.
func SortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Values returns the tally's counters and gauges by name, as a dump shows
// them.
func (t *Tally) Values() map[string]uint64 {
	m := t.Totals()
	for n, g := range t.Gauges {
		m[n] = g.Value
	}
	return m
}
