// Package parsers turns mail daemon log lines into counter deltas. Each
// log kind has a Parser; every parser first strips the line's time prefix
// with a Splitter, then switches on the daemon's words.
package parsers

import (
	"bytes"
	"time"

	"github.com/maillogs/maillogs/tai64n"
)

// Splitter strips the time prefix of a line: a TAI64N label, a syslog
// date and host, an ISO 8601 date and host, and qmail's splogger stamp.
// Syslog dates carry no year: it is taken from the reference time, a date
// more than a day after it being last year's (December lines read in
// January).
type Splitter struct {
	Mode tai64n.Mode
	Loc  *time.Location

	ref     time.Time
	refYear int
	// cache of the last syslog hour converted
	cMon, cDay, cHour int
	cUnix             int64
}

// NewSplitter returns a splitter whose syslog years follow ref.
func NewSplitter(ref time.Time, loc *time.Location) *Splitter {
	s := &Splitter{Loc: loc, cMon: -1}
	s.SetRef(ref)
	return s
}

// SetRef sets the reference time for syslog years.
func (s *Splitter) SetRef(ref time.Time) {
	s.ref = ref.In(s.Loc)
	s.refYear = s.ref.Year()
	s.cMon = -1
}

// Split returns the line's time (unix seconds, 0 when it has none) and its
// text after every prefix. A trailing CR is removed.
func (s *Splitter) Split(b []byte) (int64, []byte) {
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	var when int64
	if len(b) > tai64n.LabelLen && b[0] == '@' && b[tai64n.LabelLen] == ' ' {
		if l, err := tai64n.Parse(b); err == nil {
			when = l.Unix(s.Mode)
			b = b[tai64n.LabelLen+1:]
			b = skipFacility(b)
		}
	}
	if t, rest, ok := s.syslog(b); ok {
		if when == 0 {
			when = t
		}
		b = rest
	} else if t, rest, ok := iso(b); ok {
		if when == 0 {
			when = t
		}
		b = rest
	}
	if t, rest, ok := splogger(b); ok {
		if when == 0 {
			when = t
		}
		b = rest
	}
	return when, b
}

// skipFacility removes socklog's "mail.info: " prefix.
func skipFacility(b []byte) []byte {
	i := bytes.IndexByte(b, ':')
	if i < 3 || i > 16 || len(b) < i+2 || b[i+1] != ' ' {
		return b
	}
	dot := bytes.IndexByte(b[:i], '.')
	if dot <= 0 || dot == i-1 {
		return b
	}
	for _, c := range b[:i] {
		if !(c >= 'a' && c <= 'z' || c == '.' || c >= '0' && c <= '9') {
			return b
		}
	}
	return b[i+2:]
}

var months = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func digit(c byte) bool { return c >= '0' && c <= '9' }

func twoDigits(b []byte) (int, bool) {
	if !digit(b[0]) || !digit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// syslog parses "Mon DD HH:MM:SS " (day space- or zero-padded, or one
// digit) and the host that follows, if there is one.
func (s *Splitter) syslog(b []byte) (int64, []byte, bool) {
	if len(b) < 15 || b[3] != ' ' {
		return 0, nil, false
	}
	mon := -1
	for i, m := range months {
		if b[0] == m[0] && b[1] == m[1] && b[2] == m[2] {
			mon = i + 1
			break
		}
	}
	if mon < 0 {
		return 0, nil, false
	}
	p := 4
	if b[p] == ' ' {
		p++
	}
	day := 0
	for p < len(b) && digit(b[p]) && day < 100 {
		day = day*10 + int(b[p]-'0')
		p++
	}
	if day < 1 || day > 31 || len(b) < p+10 || b[p] != ' ' || b[p+3] != ':' || b[p+6] != ':' {
		return 0, nil, false
	}
	hh, ok1 := twoDigits(b[p+1:])
	mm, ok2 := twoDigits(b[p+4:])
	ss, ok3 := twoDigits(b[p+7:])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 {
		return 0, nil, false
	}
	rest := b[p+9:]
	if len(rest) > 0 && rest[0] != ' ' {
		return 0, nil, false
	}
	rest = bytes.TrimLeft(rest, " ")
	unix := s.hour(mon, day, hh) + int64(mm*60+ss)
	return unix, skipHost(rest), true
}

// hour returns the unix time of the start of the given local hour, in the
// year the reference time implies.
func (s *Splitter) hour(mon, day, hh int) int64 {
	if mon == s.cMon && day == s.cDay && hh == s.cHour {
		return s.cUnix
	}
	t := time.Date(s.refYear, time.Month(mon), day, hh, 0, 0, 0, s.Loc)
	if t.After(s.ref.Add(24 * time.Hour)) {
		t = time.Date(s.refYear-1, time.Month(mon), day, hh, 0, 0, 0, s.Loc)
	}
	s.cMon, s.cDay, s.cHour, s.cUnix = mon, day, hh, t.Unix()
	return s.cUnix
}

// skipHost removes the host word that follows a syslog date. A word that
// ends in ':' or holds '[' is the program, not a host (dovecot's own
// log_timestamp files have none).
func skipHost(b []byte) []byte {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return b
	}
	w := b[:sp]
	if w[len(w)-1] == ':' || bytes.IndexByte(w, '[') >= 0 {
		return b
	}
	return b[sp+1:]
}

// iso parses an RFC 3339 date ("2024-01-15T10:00:00.123+01:00 ") and the
// host after it.
func iso(b []byte) (int64, []byte, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || !digit(b[0]) {
		return 0, nil, false
	}
	sp := bytes.IndexByte(b, ' ')
	if sp < 19 {
		return 0, nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(b[:sp]))
	if err != nil {
		return 0, nil, false
	}
	return t.Unix(), skipHost(b[sp+1:]), true
}

// splogger parses qmail's "qmail: 1157520813.485077 " prefix.
func splogger(b []byte) (int64, []byte, bool) {
	const p = "qmail: "
	if !bytes.HasPrefix(b, []byte(p)) {
		return 0, nil, false
	}
	r := b[len(p):]
	var sec int64
	i := 0
	for i < len(r) && digit(r[i]) && i < 12 {
		sec = sec*10 + int64(r[i]-'0')
		i++
	}
	if i == 0 || i >= len(r) || r[i] != '.' {
		return 0, nil, false
	}
	i++
	for i < len(r) && digit(r[i]) {
		i++
	}
	if i >= len(r) || r[i] != ' ' {
		return 0, nil, false
	}
	return sec, r[i+1:], true
}
