package main

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

// defaultBase is under net-snmp's netSnmpPlaypen (experimental) subtree.
const defaultBase = ".1.3.6.1.4.1.8072.9999.9999.7"

// kindIndex fixes each kind's row index for ever; new kinds append.
var kindIndex = map[string]uint32{
	"send": 1, "smtp": 2, "pop3": 3, "imap": 4, "auth": 5, "webmail": 6, "spam": 7, "virus": 8, "qpsmtpd": 9,
}

// extraIndexBase starts the indices of counters named at run time (a
// DNSBL zone): a hash of the name, so the index never changes meaning.
const extraIndexBase = 1 << 20

type oid []uint32

func parseOID(s string) (oid, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), ".")
	if s == "" {
		return nil, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 128 {
		return nil, false
	}
	o := make(oid, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return nil, false
		}
		o[i] = uint32(n)
	}
	return o, true
}

func (o oid) String() string {
	var b strings.Builder
	for _, n := range o {
		b.WriteByte('.')
		b.WriteString(strconv.FormatUint(uint64(n), 10))
	}
	return b.String()
}

func (o oid) less(p oid) bool {
	for i := 0; i < len(o) && i < len(p); i++ {
		if o[i] != p[i] {
			return o[i] < p[i]
		}
	}
	return len(o) < len(p)
}

func (o oid) with(sub ...uint32) oid {
	return append(append(oid{}, o...), sub...)
}

// snmpVar is one object the responder serves.
type snmpVar struct {
	oid   oid
	key   string // its oid as text
	typ   string // pass_persist type word
	value string
	num   uint64 // for counters: the 64-bit value before formatting
	mono  bool   // never served lower than before
}

// responder answers pass and pass_persist requests. It opens the store
// read-only only to rebuild its table, at most once per cacheFor, and
// closes it at once: a processor never waits on it for long.
type responder struct {
	a        *app
	base     oid
	cacheFor time.Duration
	mu       sync.Mutex
	built    time.Time
	vars     []snmpVar
	high     map[string]uint64 // highest value served per counter oid
	uFiles   map[string]uFile  // cache of @….u files' identities
}

type uFile struct {
	size  int64
	mtime time.Time
	id    counters.ChunkID
}

func newResponder(a *app, base oid) *responder {
	return &responder{a: a, base: base, cacheFor: 500 * time.Millisecond, high: map[string]uint64{}, uFiles: map[string]uFile{}}
}

func counterIndex(kind, name string) uint32 {
	v := parsers.Vocab(kind)
	if i := v.Index(name); i >= 0 {
		return uint32(i + 1)
	}
	for i, g := range parsers.Gauges(kind) {
		if g == name {
			return uint32(len(v.Names) + i + 1)
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return extraIndexBase + h.Sum32()%(1<<31)
}

func isGauge(kind, name string) bool {
	for _, g := range parsers.Gauges(kind) {
		if g == name {
			return true
		}
	}
	return false
}

// unprocessed counts the @….u files of every log directory that are not
// counted yet.
func (r *responder) unprocessed(sn *counters.Snapshot) uint64 {
	var n uint64
	buf := make([]byte, 64<<10)
	for _, k := range parsers.Kinds() {
		files, _ := archives(r.a.cfg.dir(k), true)
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				continue
			}
			c, ok := r.uFiles[f]
			if !ok || c.size != fi.Size() || !c.mtime.Equal(fi.ModTime()) {
				id, err := r.a.chunkIDOf(k, f, buf)
				if err != nil {
					continue
				}
				c = uFile{size: fi.Size(), mtime: fi.ModTime(), id: id}
				r.uFiles[f] = c
			}
			if !sn.Committed(c.id) {
				n++
			}
		}
	}
	return n
}

// rebuild reads the store (and the live log files) into a sorted table.
// A store that cannot be read keeps the counters last served, and says so
// in the health objects.
func (r *responder) rebuild() {
	kinds := parsers.Kinds()
	var lastCommit, unproc uint64
	views, err := gather(r.a.cfg, kinds, true, false, func(sn *counters.Snapshot) {
		for _, cs := range sn.Chunks() {
			lastCommit = max(lastCommit, uint64(cs.LastCommit.Unix()))
		}
		unproc = r.unprocessed(sn)
	})
	healthy := err == nil
	var vars []snmpVar
	add := func(o oid, typ, val string, num uint64, mono bool) {
		vars = append(vars, snmpVar{oid: o, key: o.String(), typ: typ, value: val, num: num, mono: mono})
	}
	if healthy {
		for _, k := range kinds {
			ki, ok := kindIndex[k]
			if !ok {
				continue
			}
			for name, v := range views[k].Values {
				ci := counterIndex(k, name)
				if isGauge(k, name) {
					add(r.base.with(2, 1, 2, ki, ci), "string", k+"."+name, 0, false)
					add(r.base.with(2, 1, 3, ki, ci), "gauge", strconv.FormatUint(min(v, 1<<32-1), 10), 0, false)
					continue
				}
				add(r.base.with(1, 1, 2, ki, ci), "string", k+"."+name, 0, false)
				add(r.base.with(1, 1, 3, ki, ci), "counter64", "", v, true)
				add(r.base.with(1, 1, 4, ki, ci), "counter", "", v, true)
			}
		}
	} else {
		// Keep serving what was served: a counter never goes down, and a
		// vanished one is not a zero.
		for _, v := range r.vars {
			if v.oid[len(r.base)] == 1 || v.oid[len(r.base)] == 2 {
				vars = append(vars, v)
			}
		}
	}
	sp, _ := spooled(r.a.cfg.spoolDir())
	healthVal := "1"
	if !healthy {
		healthVal = "2"
	}
	add(r.base.with(3, 1, 0), "integer", healthVal, 0, false)
	add(r.base.with(3, 2, 0), "gauge", strconv.Itoa(len(sp)), 0, false)
	add(r.base.with(3, 3, 0), "gauge", strconv.FormatUint(unproc, 10), 0, false)
	add(r.base.with(3, 4, 0), "gauge", strconv.FormatUint(min(lastCommit, 1<<32-1), 10), 0, false)
	add(r.base.with(3, 5, 0), "string", "maillogs "+version(), 0, false)
	sort.Slice(vars, func(i, j int) bool { return vars[i].oid.less(vars[j].oid) })
	for i := range vars {
		v := &vars[i]
		if !v.mono {
			continue
		}
		if h := r.high[v.key]; h > v.num {
			v.num = h
		}
		r.high[v.key] = v.num
		if v.typ == "counter" {
			v.value = strconv.FormatUint(v.num%(1<<32), 10)
		} else {
			v.value = strconv.FormatUint(v.num, 10)
		}
	}
	r.vars = vars
	r.built = time.Now()
}

func (r *responder) table() []snmpVar {
	if r.vars == nil || time.Since(r.built) >= r.cacheFor {
		r.rebuild()
	}
	return r.vars
}

// get returns the object at o.
func (r *responder) get(o oid) (snmpVar, bool) {
	vars := r.table()
	i := sort.Search(len(vars), func(i int) bool { return !vars[i].oid.less(o) })
	if i < len(vars) && !o.less(vars[i].oid) {
		return vars[i], true
	}
	return snmpVar{}, false
}

// next returns the first object strictly after o.
func (r *responder) next(o oid) (snmpVar, bool) {
	vars := r.table()
	i := sort.Search(len(vars), func(i int) bool { return o.less(vars[i].oid) })
	if i < len(vars) {
		return vars[i], true
	}
	return snmpVar{}, false
}

func writeVar(w io.Writer, v snmpVar) {
	fmt.Fprintf(w, "%s\n%s\n%s\n", v.key, v.typ, v.value)
}

// servePersist speaks net-snmp's pass_persist on in/out until EOF. It
// never writes to stderr: snmpd reads stderr as part of the protocol.
func (r *responder) servePersist(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 4096), 64<<10)
	w := bufio.NewWriter(out)
	reply := func(f func()) error {
		f()
		return w.Flush()
	}
	// readOID reads the OID line of a request; a malformed one gives nil
	// (answered NONE), EOF gives false.
	readOID := func() (oid, bool) {
		if !sc.Scan() {
			return nil, false
		}
		o, _ := parseOID(sc.Text())
		return o, true
	}
	for sc.Scan() {
		var err error
		switch strings.TrimSpace(strings.ToLower(sc.Text())) {
		case "ping":
			err = reply(func() { w.WriteString("PONG\n") })
		case "get", "getnext":
			cmd := strings.TrimSpace(strings.ToLower(sc.Text()))
			o, more := readOID()
			if !more {
				return nil
			}
			r.mu.Lock()
			var v snmpVar
			found := false
			if o != nil {
				if cmd == "get" {
					v, found = r.get(o)
				} else {
					v, found = r.next(o)
				}
			}
			r.mu.Unlock()
			err = reply(func() {
				if found {
					writeVar(w, v)
				} else {
					w.WriteString("NONE\n")
				}
			})
		case "set":
			// set, OID, "TYPE VALUE"; the blank line snmpd adds is skipped below.
			sc.Scan()
			sc.Scan()
			err = reply(func() { w.WriteString("not-writable\n") })
		default:
			// Blank lines (after a set) and anything unknown get no answer.
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// snmpCommand is `maillogs snmp`: pass_persist without flags, pass with
// -g, -n or -s.
func (a *app) snmpCommand() *cli.Command {
	return &cli.Command{
		Name:  "snmp",
		Usage: "answer net-snmp: pass_persist on stdin/stdout, or pass with -g/-n/-s",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base", EnvVars: []string{"MAILLOGS_SNMP_BASE"}, Value: defaultBase, Usage: "the OID the tree hangs under"},
			&cli.StringFlag{Name: "g", Usage: "pass: GET this OID"},
			&cli.StringFlag{Name: "n", Usage: "pass: GETNEXT after this OID"},
			&cli.StringFlag{Name: "s", Usage: "pass: SET this OID (refused: not-writable)"},
		},
		Action: func(c *cli.Context) error {
			a.lg.w = io.Discard // stderr is snmpd's protocol pipe
			base, ok := parseOID(c.String("base"))
			if !ok {
				return exitError(2)
			}
			r := newResponder(a, base)
			switch {
			case c.IsSet("s"):
				fmt.Fprintln(a.out, "not-writable")
			case c.IsSet("g"), c.IsSet("n"):
				arg := c.String("g")
				if c.IsSet("n") {
					arg = c.String("n")
				}
				o, ok := parseOID(arg)
				if !ok {
					return nil
				}
				var v snmpVar
				found := false
				if c.IsSet("g") {
					v, found = r.get(o)
				} else {
					v, found = r.next(o)
				}
				if found {
					writeVar(a.out, v)
				}
			default:
				return r.servePersist(a.in, a.out)
			}
			return nil
		},
	}
}
