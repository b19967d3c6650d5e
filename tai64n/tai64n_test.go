package tai64n

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Vectors from ../shared/reference/protocols.md §2.4, checked there against
// daemontools tai64nlocal and s6-tai64nlocal with TZ=UTC.
func TestParseVectors(t *testing.T) {
	tests := []struct {
		label  string
		dt, s6 string
	}{
		{"@4000000048ec03873b1a841c", "2008-10-08 00:49:01.991593500", "2008-10-08 00:48:38.991593500"},
		{"@400000003b4a39c23294b13c", "2001-07-09 23:09:44.848605500", "2001-07-09 23:09:22.848605500"},
		{"@400000000000000a00000000", "1970-01-01 00:00:00.000000000", "1970-01-01 00:00:00.000000000"},
		{"@400000002a2b2c2d00000000", "1992-06-02 08:06:59.000000000", "1992-06-02 08:06:43.000000000"},
		{"@400000005868468a00000000", "2017-01-01 00:00:00.000000000", "2016-12-31 23:59:34.000000000"},
		{"@40000000586846a300000000", "2017-01-01 00:00:25.000000000", "2016-12-31 23:59:59.000000000"},
		{"@40000000586846a500000000", "2017-01-01 00:00:27.000000000", "2017-01-01 00:00:00.000000000"},
		{"@400000006592008a000001f4", "2024-01-01 00:00:00.000000500", "2023-12-31 23:59:33.000000500"},
		{"@400000006592008a3b9ac9ff", "2024-01-01 00:00:00.999999999", "2023-12-31 23:59:33.999999999"},
	}
	const layout = "2006-01-02 15:04:05.000000000"
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			l, err := Parse([]byte(tt.label + " rest"))
			if err != nil {
				t.Fatalf("Parse(%q) error %v", tt.label, err)
			}
			if got := l.Time(Daemontools).UTC().Format(layout); got != tt.dt {
				t.Errorf("Parse(%q).Time(Daemontools) = %s, want %s", tt.label, got, tt.dt)
			}
			if got := l.Time(TAI).UTC().Format(layout); got != tt.s6 {
				t.Errorf("Parse(%q).Time(TAI) = %s, want %s", tt.label, got, tt.s6)
			}
			if got := l.String(); got != tt.label {
				t.Errorf("Parse(%q).String() = %s", tt.label, got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrShort},
		{"@", ErrShort},
		{"@4000000048ec0387 y", ErrShort},
		{"x4000000048ec03873b1a841c", ErrNoAt},
		{" @4000000048ec03873b1a841c", ErrNoAt},
		{"@4000000048ec03873b1a841g", ErrHex},
		{"@400000006592008affffffff", ErrNano},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.in)); !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestParseUppercase(t *testing.T) {
	l, err := Parse([]byte("@4000000048EC03873B1A841C"))
	if err != nil || l.String() != "@4000000048ec03873b1a841c" {
		t.Errorf("Parse(uppercase) = %v, %v", l, err)
	}
}

func TestFromTimeRoundTrip(t *testing.T) {
	now := time.Date(2026, 11, 21, 6, 46, 23, 123456500, time.UTC)
	l := FromTime(now)
	back, err := Parse([]byte(l.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !back.Time(Daemontools).Equal(now) {
		t.Errorf("round trip = %v, want %v", back.Time(Daemontools), now)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"@4000000048ec03873b1a841c x", "@400000006592008affffffff", "@", "", "@4000000048EC03873B1A841C"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrShort) && !errors.Is(err, ErrNoAt) && !errors.Is(err, ErrHex) && !errors.Is(err, ErrNano) {
				t.Fatalf("Parse(%q) untyped error %v", b, err)
			}
			return
		}
		if got := l.String(); got != strings.ToLower(string(b[:LabelLen])) {
			t.Fatalf("String(Parse(%q)) = %q", b, got)
		}
		_ = l.Time(TAI)
	})
}

func BenchmarkParse(b *testing.B) {
	in := []byte("@4000000048ec03873b1a841c new msg 1")
	b.ReportAllocs()
	b.SetBytes(LabelLen)
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleParse() {
	l, err := Parse([]byte("@400000006592008a000001f4 new msg 42"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Time(Daemontools).UTC().Format(time.RFC3339Nano))
	// Output: 2024-01-01T00:00:00.0000005Z
}

func ExampleFromTime() {
	fmt.Println(FromTime(time.Date(2024, 1, 1, 0, 0, 0, 500, time.UTC)))
	// Output: @400000006592008a000001f4
}
