package parsers

import (
	"bytes"
	"fmt"
	"sort"
	"time"

	"github.com/maillogs/maillogs/counters"
)

// MaxLine is the longest line prefix a parser looks at. A longer line is
// still one line, counted once; its bytes past MaxLine are not parsed (the
// processor copies them through all the same).
const MaxLine = 64 << 10

// lineFunc counts one line's text (time prefix removed) into t and reports
// whether it understood it.
type lineFunc func(t *counters.Tally, msg []byte) bool

type kind struct {
	vocab  *counters.Vocab
	gauges []string
	parse  lineFunc
}

var kinds = map[string]kind{}

// register adds a log kind: its counters, the gauges its lines set, and its
// line parser.
func register(v *counters.Vocab, gauges []string, f lineFunc) {
	kinds[v.Kind] = kind{vocab: v, gauges: gauges, parse: f}
}

// Gauges returns the gauge names of kind, in output order.
func Gauges(kindName string) []string { return kinds[kindName].gauges }

// Kinds returns the names of every log kind, sorted.
func Kinds() []string {
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Vocab returns the counter vocabulary of kind, or nil.
func Vocab(kindName string) *counters.Vocab {
	return kinds[kindName].vocab
}

// Counter streams a log's bytes into a Tally. It is an io.Writer: lines
// may arrive split across writes, and a last line without a newline is
// counted by Close.
type Counter struct {
	Tally *counters.Tally
	Split *Splitter
	parse lineFunc
	carry []byte // a partial line, at most MaxLine bytes
	skip  bool   // the partial line overflowed MaxLine: ignore until '\n'
	bytes uint64
}

// New returns a Counter for kind. Syslog years and lines without a time
// follow ref; local days and hours follow loc.
func New(kindName string, ref time.Time, loc *time.Location) (*Counter, error) {
	k, ok := kinds[kindName]
	if !ok {
		return nil, fmt.Errorf("parsers: unknown log kind %q", kindName)
	}
	t := counters.NewTally(k.vocab, ref)
	t.SetLocation(loc)
	return &Counter{Tally: t, Split: NewSplitter(ref, loc), parse: k.parse}, nil
}

// Bytes returns how many bytes were written.
func (c *Counter) Bytes() uint64 { return c.bytes }

// Write counts every complete line in p. It never fails.
func (c *Counter) Write(p []byte) (int, error) {
	c.bytes += uint64(len(p))
	n := len(p)
	if len(c.carry) > 0 || c.skip {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.hold(p)
			return n, nil
		}
		c.hold(p[:i])
		c.Line(c.carry)
		c.carry, c.skip = c.carry[:0], false
		p = p[i+1:]
	}
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		line := p[:i]
		if len(line) > MaxLine {
			line = line[:MaxLine]
		}
		c.Line(line)
		p = p[i+1:]
	}
	c.hold(p)
	return n, nil
}

func (c *Counter) hold(p []byte) {
	if c.skip {
		return
	}
	room := MaxLine - len(c.carry)
	if len(p) > room {
		p = p[:room]
		c.skip = true
	}
	c.carry = append(c.carry, p...)
}

// Close counts a last line that had no newline.
func (c *Counter) Close() error {
	if len(c.carry) > 0 || c.skip {
		c.Line(c.carry)
		c.carry, c.skip = c.carry[:0], false
	}
	return nil
}

// Line counts one line, without its newline.
func (c *Counter) Line(line []byte) {
	t := c.Tally
	when, msg := c.Split.Split(line)
	t.SetTime(when)
	t.Inc(counters.Lines)
	if !c.parse(t, msg) {
		t.Inc(counters.Unparsed)
	}
}

// --- small byte helpers shared by the parsers ---

// uint parses leading decimal digits of b.
func parseUint(b []byte) (n uint64, rest []byte, ok bool) {
	i := 0
	for i < len(b) && digit(b[i]) && i < 19 {
		n = n*10 + uint64(b[i]-'0')
		i++
	}
	return n, b[i:], i > 0
}

// cut returns what follows prefix in b.
func cut(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// program splits "prog[pid]: rest" or "prog: rest" into prog and rest.
func program(b []byte) (prog, rest []byte, ok bool) {
	i := bytes.Index(b, []byte(": "))
	if i <= 0 || i > 40 {
		return nil, b, false
	}
	prog = b[:i]
	if j := bytes.IndexByte(prog, '['); j > 0 {
		prog = prog[:j]
	}
	if bytes.IndexByte(prog, ' ') >= 0 {
		return nil, b, false
	}
	return prog, b[i+2:], true
}

// field returns the value of "key=" in b, up to the next comma or space.
func field(b []byte, key string) ([]byte, bool) {
	i := bytes.Index(b, []byte(key))
	for i > 0 && b[i-1] != ' ' && b[i-1] != ',' && b[i-1] != '(' {
		j := bytes.Index(b[i+1:], []byte(key))
		if j < 0 {
			return nil, false
		}
		i += 1 + j
	}
	if i < 0 {
		return nil, false
	}
	v := b[i+len(key):]
	if e := bytes.IndexAny(v, ", "); e >= 0 {
		v = v[:e]
	}
	return v, true
}

// numField returns the number after "key=" in b.
func numField(b []byte, key string) (uint64, bool) {
	v, ok := field(b, key)
	if !ok {
		return 0, false
	}
	n, _, ok := parseUint(v)
	return n, ok
}

// counterName turns free text from a log (a zone, a host, a plugin) into a
// safe counter name: lowercase letters, digits and '_', at most 64 bytes.
func counterName(prefix string, b []byte) string {
	out := make([]byte, 0, len(prefix)+len(b))
	out = append(out, prefix...)
	under := false
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			out = append(out, c)
			under = false
		default:
			if !under && len(out) > len(prefix) {
				out = append(out, '_')
				under = true
			}
		}
		if len(out) >= 64 {
			break
		}
	}
	for len(out) > len(prefix) && out[len(out)-1] == '_' {
		out = out[:len(out)-1]
	}
	if len(out) == len(prefix) {
		out = append(out, "unknown"...)
	}
	return string(out)
}

// parseFixed parses a decimal such as "-1.35" at the start of b as a
// whole number of 10^-scale units (digits beyond scale are dropped), so
// that sums of scores and seconds stay exact.
func parseFixed(b []byte, scale int) (v int64, rest []byte, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg || len(b) > 0 && b[0] == '+' {
		b = b[1:]
	}
	n, b, ok := parseUint(b)
	if !ok || n > 1<<40 {
		return 0, b, false
	}
	v = int64(n)
	frac := 0
	if len(b) > 0 && b[0] == '.' {
		b = b[1:]
		for len(b) > 0 && digit(b[0]) {
			if frac < scale {
				v = v*10 + int64(b[0]-'0')
				frac++
			}
			b = b[1:]
		}
	}
	for ; frac < scale; frac++ {
		v *= 10
	}
	if neg {
		v = -v
	}
	return v, b, true
}

// addSigned adds v to the counter pos when it is positive and -v to neg
// when it is negative: counters only grow, and pos-neg is the exact sum.
func addSigned(t *counters.Tally, pos, neg int, v int64) {
	if v >= 0 {
		t.Add(pos, uint64(v))
	} else {
		t.Add(neg, uint64(-v))
	}
}
