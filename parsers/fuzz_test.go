package parsers

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
)

// FuzzParsers feeds arbitrary bytes to every parser, split at an arbitrary
// point: no panic, every line counted once, unparsed never above lines,
// and the same counts whatever the split.
func FuzzParsers(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.log")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b, uint16(len(b)/2))
	}
	f.Add([]byte("@4000000048ec03873b1a841c delivery 1: success: x\r\nOct 19 04:02:59 h vpopmail[1]: vchkpw-pop3: password fail (pass: 'x') a b@c:1.2.3.4"), uint16(7))
	f.Add([]byte("qmail: 1157520813.485077 rblsmtpd: 1.2.3.4 pid 1 zone: 451 http://"), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		want := uint64(bytes.Count(data, []byte("\n")))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			want++
		}
		s := int(split) % (len(data) + 1)
		for _, kind := range Kinds() {
			whole, _ := New(kind, ref, time.UTC)
			whole.Write(data)
			whole.Close()
			parts, _ := New(kind, ref, time.UTC)
			parts.Write(data[:s])
			parts.Write(data[s:])
			parts.Close()
			tl := whole.Tally
			if got := tl.Fixed[counters.Lines]; got != want {
				t.Fatalf("%s: lines = %d, want %d", kind, got, want)
			}
			if tl.Fixed[counters.Unparsed] > tl.Fixed[counters.Lines] {
				t.Fatalf("%s: unparsed %d > lines %d", kind, tl.Fixed[counters.Unparsed], tl.Fixed[counters.Lines])
			}
			for i := range tl.Fixed {
				if tl.Fixed[i] != parts.Tally.Fixed[i] {
					t.Fatalf("%s: %s = %d whole, %d split at %d", kind, tl.Vocab.Names[i], tl.Fixed[i], parts.Tally.Fixed[i], s)
				}
			}
		}
	})
}

// Lines longer than MaxLine, split across writes in every way, count once.
func TestLongLines(t *testing.T) {
	line := append(bytes.Repeat([]byte("x"), 3*MaxLine), '\n')
	in := append(append([]byte("new msg 1\n"), line...), "new msg 2"...)
	for _, step := range []int{1, 7, 4096, MaxLine - 1, MaxLine + 1, len(in)} {
		c, _ := New("send", ref, time.UTC)
		for i := 0; i < len(in); i += step {
			c.Write(in[i:min(i+step, len(in))])
		}
		c.Close()
		if got := c.Tally.Get("lines"); got != 3 {
			t.Errorf("step %d: lines = %d, want 3", step, got)
		}
		if got := c.Tally.Get("message_new"); got != 2 {
			t.Errorf("step %d: message_new = %d, want 2", step, got)
		}
	}
}
