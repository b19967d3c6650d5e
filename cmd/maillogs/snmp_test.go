package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// persist runs one pass_persist session in process and returns its output.
func persist(t testing.TB, e *env, input string) string {
	t.Helper()
	a := &app{out: io.Discard, err: io.Discard, cfg: loadConfig(), lg: &logger{name: "maillogs", w: io.Discard}}
	a.cfg.DB = e.db
	for _, v := range e.vars {
		if k, val, ok := strings.Cut(v, "="); ok && strings.HasSuffix(k, "_DIR") {
			kind := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(k, "MAILLOGS_"), "_DIR"))
			a.cfg.dirs[kind] = val
		}
	}
	base, _ := parseOID(defaultBase)
	var out bytes.Buffer
	if err := newResponder(a, base).servePersist(strings.NewReader(input), &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestPassPersistProtocol(t *testing.T) {
	e := newEnv(t)
	in, _ := sendLines(5, 0)
	e.runProc("sendlog", in)
	newMsg := fmt.Sprintf("%s.1.1.3.1.%d", defaultBase, counterIndex("send", "message_new"))
	first := defaultBase + ".1.1.2.1.1"
	tests := []struct {
		name, in, want string
	}{
		{"ping", "PING\n", "PONG\n"},
		{"get", "PING\nget\n" + newMsg + "\n", "PONG\n" + newMsg + "\ncounter64\n5\n"},
		{"get outside the tree", "get\n.1.3.6.1.2.1.1.3.0\n", "NONE\n"},
		{"get of a table column", "get\n" + defaultBase + ".1.1.3\n", "NONE\n"},
		{"getnext before the tree", "getnext\n.1.3.6.1.2\n", first + "\nstring\nsend.lines\n"},
		{"getnext from the root", "getnext\n" + defaultBase + "\n", first + "\nstring\nsend.lines\n"},
		{"getnext after the tree", "getnext\n.1.3.6.1.4.1.8072.9999.9999.8\n", "NONE\n"},
		{"getnext at the last object", "getnext\n" + defaultBase + ".3.5.0\n", "NONE\n"},
		{"set is refused, its blank line unanswered", "set\n" + newMsg + "\ncounter64 7\n\nPING\n", "not-writable\nPONG\n"},
		{"garbage and blank lines get no answer", "hello\n\n\x00\xff\nPING\n", "PONG\n"},
		{"malformed oid", "get\n.1.x.3\nPING\n", "NONE\nPONG\n"},
		{"eof inside a request", "get\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := persist(t, e, tt.in); got != tt.want {
				t.Errorf("session %q:\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// GETNEXT always returns a strictly greater OID, to the end of the tree.
// storeResponder makes a store with five messages and a responder on it.
func storeResponder(t *testing.T) (*env, *responder, oid) {
	e := newEnv(t)
	in, _ := sendLines(5, 0)
	e.runProc("sendlog", in)
	a := &app{out: io.Discard, err: io.Discard, cfg: loadConfig(), lg: &logger{w: io.Discard}}
	a.cfg.DB = e.db
	base, _ := parseOID(defaultBase)
	return e, newResponder(a, base), base
}

func TestPassPersistWalkIncreases(t *testing.T) {
	_, r, base := storeResponder(t)
	cur, n := base, 0
	for {
		v, ok := r.next(cur)
		if !ok {
			break
		}
		if !cur.less(v.oid) {
			t.Fatalf("getnext %s gave %s", cur, v.oid)
		}
		cur, n = v.oid, n+1
	}
	if n < 100 {
		t.Errorf("walked %d objects", n)
	}
}

// A store that vanishes mid-session: counters keep their last values
// (never a drop to zero) and health says 2.
func TestPassPersistStoreVanishes(t *testing.T) {
	e, r, _ := storeResponder(t)
	o, _ := parseOID(fmt.Sprintf("%s.1.1.3.1.%d", defaultBase, counterIndex("send", "message_new")))
	if v, ok := r.get(o); !ok || v.value != "5" {
		t.Fatalf("before: %v %v", v, ok)
	}
	os.Rename(e.db, e.db+".gone")
	r.built = time.Time{}
	if v, ok := r.get(o); !ok || v.value != "5" {
		t.Errorf("after the store vanished: %+v %v, want the last value 5", v, ok)
	}
	h, _ := parseOID(defaultBase + ".3.1.0")
	if v, _ := r.get(h); v.value != "2" {
		t.Errorf("health = %q, want 2", v.value)
	}
}

// BenchmarkPassPersistGet is one PING+get round through the pass_persist
// loop; 10,000 per iteration, so ns/op / 10000 is the per-request latency.
func BenchmarkPassPersistGet(b *testing.B) {
	dir := b.TempDir()
	e := &env{dir: dir, db: dir + "/m.db"}
	a := &app{out: io.Discard, err: io.Discard, cfg: loadConfig(), lg: &logger{w: io.Discard}}
	a.cfg.DB = e.db
	os.MkdirAll(dir, 0o750)
	cr, _ := newChunkReader("send", time.Now(), a.cfg)
	data, _ := sendLines(100, 0)
	cr.copy(bytes.NewReader(data), nil, make([]byte, 4096))
	commitChunk(a.cfg, cr.id(), cr.count.Tally, cr.info("send"))
	var req strings.Builder
	o := fmt.Sprintf("%s.1.1.3.1.%d", defaultBase, counterIndex("send", "message_new"))
	for i := 0; i < 10000; i++ {
		req.WriteString("PING\nget\n" + o + "\n")
	}
	input := req.String()
	base, _ := parseOID(defaultBase)
	b.ReportAllocs()
	for b.Loop() {
		r := newResponder(a, base)
		r.servePersist(strings.NewReader(input), io.Discard)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/10000, "µs/request")
}
