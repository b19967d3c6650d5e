package parsers

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/maillogs/maillogs/tai64n"
)

// synthetic writes n lines of a kind in the shapes ../shared/bench/genlogs.py
// writes, TAI64N-labelled as multilog t gives them.
func synthetic(kind string, n int) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	label := func(i int) string { return tai64n.FromTime(t0.Add(time.Duration(i) * 50 * time.Millisecond)).String() }
	for i := 0; b.Len() >= 0 && i < n; i++ {
		l := label(i)
		m := 10000 + i/7
		switch kind {
		case "send":
			switch i % 7 {
			case 0:
				fmt.Fprintf(&b, "%s new msg %d\n", l, m)
			case 1:
				fmt.Fprintf(&b, "%s info msg %d: bytes %d from <sender%d@example.net> qp %d uid 89\n", l, m, 500+i%200000, i%97, 1000+i%500)
			case 2:
				fmt.Fprintf(&b, "%s starting delivery %d: msg %d to remote user%d@example.org\n", l, 20000+i/7, m, i%50)
			case 3, 5:
				fmt.Fprintf(&b, "%s status: local 0/10 remote 1/20\n", l)
			case 4:
				fmt.Fprintf(&b, "%s delivery %d: success: did_0+0+1/\n", l, 20000+i/7)
			case 6:
				fmt.Fprintf(&b, "%s end msg %d\n", l, m)
			}
		case "smtp":
			switch i % 5 {
			case 0:
				fmt.Fprintf(&b, "%s tcpserver: status: %d/200\n", l, i%200)
			case 1:
				fmt.Fprintf(&b, "%s tcpserver: pid %d from 198.51.100.%d\n", l, i, i%250)
			case 2:
				fmt.Fprintf(&b, "%s tcpserver: ok %d mail.example.com:192.0.2.10:25 :198.51.100.%d::56124\n", l, i, i%250)
			case 3:
				fmt.Fprintf(&b, "%s rblsmtpd: 198.51.100.%d pid %d: 451 http://www.spamhaus.org/query/bl?ip=198.51.100.%d\n", l, i%250, i, i%250)
			case 4:
				fmt.Fprintf(&b, "%s tcpserver: end %d status 0\n", l, i)
			}
		case "pop3":
			switch i % 4 {
			case 0:
				fmt.Fprintf(&b, "%s tcpserver: pid %d from 192.0.2.%d\n", l, i, i%250)
			case 1:
				fmt.Fprintf(&b, "%s vchkpw-pop3: (PLAIN) login success user%d@example.org:192.0.2.%d\n", l, i%50, i%250)
			case 2:
				fmt.Fprintf(&b, "%s vchkpw-pop3: password fail user%d@example.org:192.0.2.%d\n", l, i%50, i%250)
			case 3:
				fmt.Fprintf(&b, "%s tcpserver: end %d status 0\n", l, i)
			}
		}
	}
	return b.Bytes()
}

// BenchmarkParse reports MB/s and lines/s of each parser on a 1 M-line log.
func BenchmarkParse(b *testing.B) {
	for _, kind := range Kinds() {
		in := synthetic(kind, 1_000_000)
		lines := bytes.Count(in, []byte("\n"))
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				c, _ := New(kind, ref, time.UTC)
				c.Write(in)
				c.Close()
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
