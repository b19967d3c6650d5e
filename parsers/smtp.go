package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// SMTPVocab is the vocabulary of the qmail-smtpd log directory: tcpserver,
// rblsmtpd, qmail-smtpd and its common patches (chkuser, simscan, badhelo).
var SMTPVocab = counters.NewVocab("smtp",
	"smtp_connect", "smtp_ok", "smtp_deny", "smtp_end", "smtp_end_error", "tcpserver_error",
	"rbl_blocked", "rbl_temporary", "rbl_permanent",
	"spamhaus", "spamcop", "sorbs", "dsbl", "njabl", "ordb", "maps", "ignorant", "monkeys", "visi",
	"rbl_other", "reverse_dns",
	"chkuser_accepted", "chkuser_rejected", "chkuser_relaying", "chkuser_other",
	"simscan_clean", "simscan_virus", "simscan_spam_reject", "simscan_spam_passed",
	"badhelo", "badmailfrom", "badmailto", "badiprbl",
	"mail_recv", "policy_check",
)

// tcpIDs are the counters a kind's tcpserver lines move.
type tcpIDs struct {
	connect, ok, deny, end, endErr, fatal int
	gauge                                 string // concurrency gauge name prefix
}

var smtpTCP = tcpIDs{
	connect: SMTPVocab.ID("smtp_connect"), ok: SMTPVocab.ID("smtp_ok"), deny: SMTPVocab.ID("smtp_deny"),
	end: SMTPVocab.ID("smtp_end"), endErr: SMTPVocab.ID("smtp_end_error"), fatal: SMTPVocab.ID("tcpserver_error"),
	gauge: "smtp_concurrency",
}

var (
	mRBL        = SMTPVocab.ID("rbl_blocked")
	mRBLTemp    = SMTPVocab.ID("rbl_temporary")
	mRBLPerm    = SMTPVocab.ID("rbl_permanent")
	mRBLOther   = SMTPVocab.ID("rbl_other")
	mReverse    = SMTPVocab.ID("reverse_dns")
	mChkAcc     = SMTPVocab.ID("chkuser_accepted")
	mChkRej     = SMTPVocab.ID("chkuser_rejected")
	mChkRelay   = SMTPVocab.ID("chkuser_relaying")
	mChkOther   = SMTPVocab.ID("chkuser_other")
	mSimClean   = SMTPVocab.ID("simscan_clean")
	mSimVirus   = SMTPVocab.ID("simscan_virus")
	mSimSpamRej = SMTPVocab.ID("simscan_spam_reject")
	mSimSpamOK  = SMTPVocab.ID("simscan_spam_passed")
	mMailRecv   = SMTPVocab.ID("mail_recv")
	mPolicy     = SMTPVocab.ID("policy_check")
	mBad        = []struct {
		word string
		id   int
	}{
		{"badhelo", SMTPVocab.ID("badhelo")}, {"badmailfrom", SMTPVocab.ID("badmailfrom")},
		{"badmailto", SMTPVocab.ID("badmailto")}, {"badiprbl", SMTPVocab.ID("badiprbl")},
	}
)

// wellKnownLists keeps the Perl maillogs names for the lists everyone knew:
// a zone or URL host containing the key counts under the name.
var wellKnownLists = []struct{ key, name string }{
	{"spamhaus", "spamhaus"}, {"spamcop", "spamcop"}, {"dsbl.org", "dsbl"}, {"rfc-ignorant", "ignorant"},
	{"sorbs", "sorbs"}, {"njabl", "njabl"}, {"ordb", "ordb"}, {"mail-abuse", "maps"},
	{"monkeys", "monkeys"}, {"visi.com", "visi"},
}

func init() { register(SMTPVocab, []string{"smtp_concurrency", "smtp_concurrency_max"}, parseSMTP) }

func parseSMTP(t *counters.Tally, b []byte) bool {
	prog, rest, ok := program(b)
	if ok {
		switch string(prog) {
		case "tcpserver":
			return parseTCPServer(t, rest, &smtpTCP)
		case "rblsmtpd":
			return parseRBL(t, rest)
		case "policy_check":
			t.Inc(mPolicy)
			return true
		}
	}
	if bytes.HasPrefix(b, []byte("mail recv: ")) {
		t.Inc(mMailRecv)
		return true
	}
	if bytes.HasPrefix(b, []byte("simscan:")) {
		return parseSimscan(t, b[len("simscan:"):])
	}
	if i := bytes.Index(b, []byte("CHKUSER ")); i >= 0 {
		r := b[i+len("CHKUSER "):]
		switch {
		case bytes.HasPrefix(r, []byte("accepted")):
			t.Inc(mChkAcc)
		case bytes.HasPrefix(r, []byte("rejected")):
			t.Inc(mChkRej)
		case bytes.HasPrefix(r, []byte("relaying")):
			t.Inc(mChkRelay)
		default:
			t.Inc(mChkOther)
		}
		return true
	}
	for _, w := range mBad {
		if bytes.Contains(b, []byte(w.word)) {
			t.Inc(w.id)
			return true
		}
	}
	return false
}

// parseTCPServer counts the lines tcpserver -v writes: status, pid … from,
// ok, deny, end … status, and its warnings.
func parseTCPServer(t *counters.Tally, r []byte, ids *tcpIDs) bool {
	switch {
	case bytes.HasPrefix(r, []byte("status: ")):
		cur, r2, ok1 := parseUint(r[len("status: "):])
		r2, ok2 := cut(r2, "/")
		max, _, ok3 := parseUint(r2)
		if !(ok1 && ok2 && ok3) {
			return false
		}
		t.SetGauge(ids.gauge, cur)
		t.SetGauge(ids.gauge+"_max", max)
	case bytes.HasPrefix(r, []byte("pid ")):
		if !bytes.Contains(r, []byte(" from ")) {
			return false
		}
		t.Inc(ids.connect)
	case bytes.HasPrefix(r, []byte("ok ")):
		t.Inc(ids.ok)
	case bytes.HasPrefix(r, []byte("deny ")):
		t.Inc(ids.deny)
	case bytes.HasPrefix(r, []byte("end ")):
		i := bytes.Index(r, []byte(" status "))
		if i < 0 {
			return false
		}
		t.Inc(ids.end)
		if st, _, ok := parseUint(r[i+len(" status "):]); !ok || st != 0 {
			t.Inc(ids.endErr)
		}
	case bytes.HasPrefix(r, []byte("fatal: ")), bytes.HasPrefix(r, []byte("warning: ")):
		t.Inc(ids.fatal)
	default:
		return false
	}
	return true
}

// parseRBL counts a rblsmtpd block. Forms seen in real logs:
//
//	IP pid P: 451 http://www.spamhaus.org/query/bl?ip=IP
//	IP pid P ZONE: 451 TEXT           (patched, names the zone)
//	IP pid P: 553 TEXT                (a local RBLSMTPD rule)
//	ZONE blocked IP …                 (rblsmtpd before 0.70)
func parseRBL(t *counters.Tally, r []byte) bool {
	var zone, text []byte
	if i := bytes.Index(r, []byte(" pid ")); i > 0 {
		_, after, ok := parseUint(r[i+len(" pid "):])
		if !ok {
			return false
		}
		colon := bytes.Index(after, []byte(": "))
		if colon < 0 {
			return false
		}
		zone = bytes.TrimSpace(after[:colon])
		text = after[colon+2:]
	} else if i := bytes.Index(r, []byte(" blocked ")); i > 0 {
		zone = r[:i]
	} else {
		return false
	}
	t.Inc(mRBL)
	switch {
	case bytes.HasPrefix(text, []byte("451")):
		t.Inc(mRBLTemp)
	case bytes.HasPrefix(text, []byte("553")), bytes.HasPrefix(text, []byte("554")):
		t.Inc(mRBLPerm)
	}
	if len(zone) == 0 {
		zone = urlHost(text)
	}
	if len(zone) == 0 {
		if bytes.Contains(bytes.ToLower(text), []byte("reverse dns")) {
			t.Inc(mReverse)
		} else {
			t.Inc(mRBLOther)
		}
		return true
	}
	t.AddName(listName(zone), 1)
	return true
}

// urlHost returns the host of the first http(s) URL in text, without "www.".
func urlHost(text []byte) []byte {
	return bytes.TrimPrefix(urlHostRaw(text), []byte("www."))
}

// urlHostRaw returns the host of the first URL in text, as written.
func urlHostRaw(text []byte) []byte {
	i := bytes.Index(text, []byte("://"))
	if i < 0 {
		return nil
	}
	h := text[i+3:]
	if e := bytes.IndexAny(h, "/?:# "); e >= 0 {
		h = h[:e]
	}
	return h
}

// listName maps a DNSBL zone or URL host to its counter name.
func listName(zone []byte) string {
	var buf [128]byte
	lz := lower(buf[:0], zone)
	for _, k := range wellKnownLists {
		if bytes.Contains(lz, []byte(k.key)) {
			return k.name
		}
	}
	return counterName("rbl_", lz)
}

// parseSimscan counts "simscan:[pid]:CLEAN (…)", "SPAM REJECT", "SPAM
// PASSED", "VIRUS…" and takes its informational lines.
func parseSimscan(t *counters.Tally, r []byte) bool {
	r = simscanVerdict(r)
	switch {
	case bytes.HasPrefix(r, []byte("CLEAN")):
		t.Inc(mSimClean)
	case bytes.HasPrefix(r, []byte("SPAM REJECT")):
		t.Inc(mSimSpamRej)
	case bytes.HasPrefix(r, []byte("SPAM PASSED")):
		t.Inc(mSimSpamOK)
	case bytes.HasPrefix(r, []byte("VIRUS")), bytes.HasPrefix(bytes.ToLower(r), []byte("virus:")):
		t.Inc(mSimVirus)
	}
	return true
}

// simscanVerdict returns what follows simscan's "[pid]:".
func simscanVerdict(r []byte) []byte {
	if i := bytes.Index(r, []byte("]:")); i >= 0 {
		r = r[i+2:]
	}
	return bytes.TrimLeft(r, " ")
}
