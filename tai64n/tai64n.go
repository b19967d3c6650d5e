// Package tai64n reads and writes the TAI64N labels that daemontools
// multilog, runit svlogd and s6-log put in front of every line: '@'
// followed by 24 lowercase hexadecimal digits (16 for the TAI64 second,
// 8 for the nanosecond).
//
// daemontools and svlogd write 2^62 + 10 + unix seconds (they ignore leap
// seconds); s6-log built against skalibs without --enable-tai-clock adds the
// leap seconds too. Mode selects which of the two a label is read as.
package tai64n

import (
	"errors"
	"time"
)

// LabelLen is the length of a label: '@' and 24 hex digits.
const LabelLen = 25

// offset is what daemontools adds to unix seconds: 2^62 + 10.
const offset = 1<<62 + 10

// Mode says how a label's seconds relate to unix time.
type Mode int

const (
	// Daemontools labels are 2^62 + 10 + unix seconds (multilog, svlogd).
	Daemontools Mode = iota
	// TAI labels count leap seconds as well (s6-log on Debian).
	TAI
)

// Errors returned by Parse.
var (
	// ErrShort is returned for input shorter than a label.
	ErrShort = errors.New("tai64n: label too short")
	// ErrNoAt is returned when the input does not start with '@'.
	ErrNoAt = errors.New("tai64n: label does not start with @")
	// ErrHex is returned for a digit that is not hex.
	ErrHex = errors.New("tai64n: label is not 24 hex digits")
	// ErrNano is returned when the nanosecond field is 10^9 or more.
	ErrNano = errors.New("tai64n: nanoseconds out of range")
)

// Label is a decoded TAI64N label.
type Label struct {
	Sec  uint64 // TAI64 seconds, 2^62 based
	Nano uint32 // 0..999999999
}

var hexval = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10) // s6-tai64nlocal reads either case
	}
	return t
}()

// Parse decodes the label at the start of b. Digits may be of either case,
// as s6-tai64nlocal reads them; String writes lowercase. Only the first LabelLen bytes
// are read; what follows is the caller's business.
func Parse(b []byte) (Label, error) {
	if len(b) < LabelLen {
		return Label{}, ErrShort
	}
	if b[0] != '@' {
		return Label{}, ErrNoAt
	}
	var sec uint64
	for _, c := range b[1:17] {
		v := hexval[c]
		if v == 0xff {
			return Label{}, ErrHex
		}
		sec = sec<<4 | uint64(v)
	}
	var nano uint32
	for _, c := range b[17:25] {
		v := hexval[c]
		if v == 0xff {
			return Label{}, ErrHex
		}
		nano = nano<<4 | uint32(v)
	}
	if nano >= 1e9 {
		return Label{}, ErrNano
	}
	return Label{Sec: sec, Nano: nano}, nil
}

// Unix returns the label as unix seconds under mode m.
func (l Label) Unix(m Mode) int64 {
	s := int64(l.Sec - offset)
	if m == TAI {
		s -= leapsBefore(s)
	}
	return s
}

// Time returns the label as a time.Time under mode m.
func (l Label) Time(m Mode) time.Time {
	return time.Unix(l.Unix(m), int64(l.Nano))
}

const hexdigits = "0123456789abcdef"

// Append appends the 25-byte text form of l to dst.
func (l Label) Append(dst []byte) []byte {
	dst = append(dst, '@')
	for i := 60; i >= 0; i -= 4 {
		dst = append(dst, hexdigits[l.Sec>>uint(i)&0xf])
	}
	for i := 28; i >= 0; i -= 4 {
		dst = append(dst, hexdigits[l.Nano>>uint(i)&0xf])
	}
	return dst
}

// String returns the text form of l.
func (l Label) String() string { return string(l.Append(make([]byte, 0, LabelLen))) }

// FromTime returns the daemontools label for t, as multilog would write it.
func FromTime(t time.Time) Label {
	return Label{Sec: uint64(t.Unix()) + offset, Nano: uint32(t.Nanosecond())}
}

// leaps holds the unix times (UTC) at which a leap second was inserted,
// from 1972-07-01 to 2017-01-01: 27 entries, the 10 s before 1972 being
// part of the offset.
var leaps = [...]int64{
	78796800, 94694400, 126230400, 157766400, 189302400, 220924800, 252460800,
	283996800, 315532800, 362793600, 394329600, 425865600, 489024000, 567993600,
	631152000, 662688000, 709948800, 741484800, 773020800, 820454400, 867715200,
	915148800, 1136073600, 1230768000, 1341100800, 1435708800, 1483228800,
}

// leapsBefore returns how many leap seconds a TAI-mode count s (unix based,
// leap seconds included) holds.
func leapsBefore(s int64) int64 {
	var n int64
	for i, l := range leaps {
		if s >= l+int64(i)+1 {
			n = int64(i) + 1
		}
	}
	return n
}
