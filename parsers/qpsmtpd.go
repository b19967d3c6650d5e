package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// QpsmtpdVocab is qpsmtpd's vocabulary: connections, refusals, the
// logterse plugin's one line per message (queued, or denied by a plugin:
// qp_denied_<plugin>, and per DNSBL host as SME Server's awk one-liner
// counts them: qp_dnsbl_<host>), and the connection_time plugin's seconds.
var QpsmtpdVocab = counters.NewVocab("qpsmtpd",
	"qp_connect", "qp_too_many", "qp_hosts_allow_deny", "qp_queued", "qp_denied",
	"qp_connection_time_ms", "qp_connection_time_count", "other",
)

var (
	qpConnect  = QpsmtpdVocab.ID("qp_connect")
	qpTooMany  = QpsmtpdVocab.ID("qp_too_many")
	qpHostDeny = QpsmtpdVocab.ID("qp_hosts_allow_deny")
	qpQueued   = QpsmtpdVocab.ID("qp_queued")
	qpDenied   = QpsmtpdVocab.ID("qp_denied")
	qpTimeMS   = QpsmtpdVocab.ID("qp_connection_time_ms")
	qpTimeN    = QpsmtpdVocab.ID("qp_connection_time_count")
	qpOther    = QpsmtpdVocab.ID("other")
)

func init() {
	register(QpsmtpdVocab, []string{"qpsmtpd_concurrency", "qpsmtpd_concurrency_max"}, parseQpsmtpd)
}

// parseQpsmtpd counts a qpsmtpd line. Under multilog each starts with the
// process id ("15751 logging::logterse plugin: …"); under syslog with
// "qpsmtpd[15751]: ".
func parseQpsmtpd(t *counters.Tally, b []byte) bool {
	if prog, rest, ok := program(b); ok && bytes.HasPrefix(prog, []byte("qpsmtpd")) {
		b = rest
	} else if _, rest, ok := parseUint(b); ok && len(rest) > 0 && rest[0] == ' ' {
		b = rest[1:]
	} else {
		return false
	}
	switch {
	case bytes.HasPrefix(b, []byte("Accepted connection ")):
		// Accepted connection 4/30 from 86.139.2.73
		t.Inc(qpConnect)
		cur, r, ok1 := parseUint(b[len("Accepted connection "):])
		r, ok2 := cut(r, "/")
		max, _, ok3 := parseUint(r)
		if ok1 && ok2 && ok3 {
			t.SetGauge("qpsmtpd_concurrency", cur)
			t.SetGauge("qpsmtpd_concurrency_max", max)
		}
	case bytes.HasPrefix(b, []byte("Too many connections")):
		t.Inc(qpTooMany)
	case bytes.Contains(b, []byte("Denying connection")):
		t.Inc(qpHostDeny)
	case bytes.Contains(b, []byte("logterse plugin: ")):
		logterse(t, b[bytes.Index(b, []byte("logterse plugin: "))+len("logterse plugin: "):])
	case bytes.HasPrefix(b, []byte("connection_time plugin: ")):
		// Connection time from 209.74.246.66: 1.566 sec.
		i := bytes.LastIndex(b, []byte(": "))
		ms, _, ok := parseFixed(b[i+2:], 3)
		if !ok || ms < 0 {
			t.Inc(qpOther)
			return true
		}
		t.Add(qpTimeMS, uint64(ms))
		t.Inc(qpTimeN)
	default:
		t.Inc(qpOther)
	}
	return true
}

// logterse counts one message's fate. Its fields are tab-separated after
// a backquote: ip, host, helo, from, to, disposition (plugin name or
// "queued"), code or message id, message text, …
func logterse(t *counters.Tally, r []byte) {
	var f [8][]byte
	n := 0
	for n < len(f) {
		field, rest, more := bytes.Cut(r, []byte("\t"))
		f[n] = field
		n++
		if !more {
			break
		}
		r = rest
	}
	if n < 6 {
		t.Inc(qpOther)
		return
	}
	plugin := bytes.TrimSpace(f[5])
	if string(plugin) == "queued" {
		t.Inc(qpQueued)
		return
	}
	t.Inc(qpDenied)
	t.AddName(counterName("qp_denied_", plugin), 1)
	if bytes.HasPrefix(plugin, []byte("dnsbl")) {
		t.AddName(counterName("qp_dnsbl_", urlHostRaw(f[7])), 1)
	}
}
