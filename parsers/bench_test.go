package parsers

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/maillogs/maillogs/tai64n"
)

// shapes are each kind's lines in the forms ../shared/bench/genlogs.py and
// the corpus show; %[1]d is the line number, %[2]d a small number from it.
var shapes = map[string][]string{
	"send": {
		"new msg %[3]d",
		"info msg %[3]d: bytes %[1]d from <sender%[2]d@example.net> qp %[2]d uid 89",
		"starting delivery %[1]d: msg %[3]d to remote user%[2]d@example.org",
		"status: local 0/10 remote 1/20",
		"delivery %[1]d: success: did_0+0+1/",
		"status: local 0/10 remote 0/20",
		"end msg %[3]d",
	},
	"smtp": {
		"tcpserver: status: %[2]d/200",
		"tcpserver: pid %[1]d from 198.51.100.%[2]d",
		"tcpserver: ok %[1]d mail.example.com:192.0.2.10:25 :198.51.100.%[2]d::56124",
		"rblsmtpd: 198.51.100.%[2]d pid %[1]d: 451 http://www.spamhaus.org/query/bl?ip=198.51.100.%[2]d",
		"tcpserver: end %[1]d status 0",
	},
	"pop3": {
		"tcpserver: pid %[1]d from 192.0.2.%[2]d",
		"vchkpw-pop3: (PLAIN) login success user%[2]d@example.org:192.0.2.%[2]d",
		"vchkpw-pop3: password fail user%[2]d@example.org:192.0.2.%[2]d",
		"tcpserver: end %[1]d status 0",
		"dovecot: pop3-login: Login: user=<user%[2]d@example.org>, method=PLAIN, rip=192.0.2.%[2]d, lip=192.0.2.1, mpid=%[1]d, TLS, session=<fzDAEldbr82XVI7P>",
		"dovecot: pop3(user%[2]d@example.org)<%[1]d><fzDAEldbr82XVI7P>: Disconnected: Logged out top=0/0, retr=%[2]d/%[1]d, del=1/8, size=55676",
		"courierpop3login: LOGOUT, user=user%[2]d, ip=[::ffff:192.0.2.%[2]d], top=0, retr=1, rcvd=24, sent=%[1]d, time=0",
	},
	"imap": {
		"dovecot: imap-login: Login: user=<user%[2]d@example.org>, method=PLAIN, rip=203.0.113.%[2]d, lip=192.0.2.10, mpid=%[1]d, TLS, session=<fzDAEldbr82XVI7P>",
		"dovecot: imap(user%[2]d@example.org)<%[1]d><fzDAEldbr82XVI7P>: Logged out in=%[2]d out=%[1]d",
		"dovecot: imap-login: Disconnected (auth failed, 1 attempts in 4 secs): user=<admin%[2]d@example.com>, method=PLAIN, rip=203.0.113.26, lip=192.0.2.10, TLS",
		"imapd-ssl: LOGOUT, user=user%[2]d, ip=[::ffff:192.0.2.5], headers=0, body=0, rcvd=48, sent=%[1]d, time=344, starttls=1",
	},
	"auth": {
		"vpopmail[%[1]d]: vchkpw-smtp: (CRAM-MD5) login success user%[2]d@example.org:192.0.2.%[2]d",
		"vpopmail[%[1]d]: vchkpw-submission: password fail (pass: 'x') user%[2]d@example.org:198.51.100.%[2]d",
	},
	"webmail": {
		"sqwebmaild: LOGIN, user=user%[2]d@example.net, ip=[192.0.2.%[2]d]",
		"dovecot: imap-login: Login: user=<user%[2]d@example.net>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, secured",
	},
	"spam": {
		"spamd[%[1]d]: spamd: clean message (-1.3/5.0) for user%[2]d:1337 in 0.2 seconds, %[1]d bytes.",
		"spamd[%[1]d]: spamd: identified spam (10.2/5.0) for user%[2]d:1533 in 1.5 seconds, %[1]d bytes.",
		"spamd[%[1]d]: spamd: result: Y 10 - BAYES_99 scantime=1.5,size=%[1]d,user=user%[2]d,uid=1533,required_score=5.0",
	},
	"virus": {
		"clamd[11292]: stream(192.0.2.%[2]d@%[1]d): OK",
		"clamd[11292]: stream(192.0.2.%[2]d@%[1]d): HTML.Phishing.Pay-%[2]d FOUND",
		"simscan:[%[1]d]:CLEAN (-1.21/9999.00):3.3608s:subject:198.51.100.%[2]d:from@example.net:to@example.org",
	},
	"qpsmtpd": {
		"%[1]d Accepted connection %[2]d/30 from 198.51.100.%[2]d",
		"%[1]d logging::logterse plugin: ` 198.51.100.%[2]d\th.example\th.example\t<a@example.com>\t\tdnsbl\t903\thttp://www.spamhaus.org/query/bl?ip=198.51.100.%[2]d\tmsg denied before queued",
		"%[1]d logging::logterse plugin: ` 198.51.100.%[2]d\th.example\th.example\t<a@example.com>\t<b@example.org>\tqueued\t<%[1]d@example.com>\tNo, hits=-2.6 required=5.0_",
		"%[1]d connection_time plugin: Connection time from 198.51.100.%[2]d: 1.566 sec.",
		"%[1]d 250 2.0.0 Queued",
	},
}

// synthetic writes n TAI64N-labelled lines of a kind, as multilog t gives them.
func synthetic(kind string, n int) []byte {
	var b bytes.Buffer
	t0 := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	forms := shapes[kind]
	for i := 0; i < n; i++ {
		b.WriteString(tai64n.FromTime(t0.Add(time.Duration(i) * 50 * time.Millisecond)).String())
		b.WriteByte(' ')
		fmt.Fprintf(&b, forms[i%len(forms)], 20000+i, i%250, 10000+i/len(forms))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// TestSyntheticParses keeps the benchmark honest: every synthetic line is
// understood by its kind.
func TestSyntheticParses(t *testing.T) {
	for _, kind := range Kinds() {
		c, _ := New(kind, ref, time.UTC)
		c.Write(synthetic(kind, 1000))
		c.Close()
		if u := c.Tally.Get("unparsed"); u != 0 || c.Tally.Get("lines") != 1000 {
			t.Errorf("%s: %d of %d synthetic lines unparsed", kind, u, c.Tally.Get("lines"))
		}
	}
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
