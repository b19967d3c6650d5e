package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
)

// units are the byte units of --unit and --threshold, by lower-case name.
var units = map[string]uint64{
	"b": 1, "": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseBytes reads a human size: "3MB", "2.5 GiB", "2900000", "500k".
func parseBytes(s string) (uint64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	n, err := strconv.ParseFloat(t[:i], 64)
	u, ok := units[strings.ToLower(strings.TrimSpace(t[i:]))]
	if err != nil || !ok || n < 0 || n*float64(u) >= math.MaxUint64 {
		return 0, fmt.Errorf("%q is not a size like 3MB, 2.5GiB or 2900000", s)
	}
	return uint64(math.Round(n * float64(u))), nil
}

// trafficReport is seed 003's per-user traffic table: received plus sent,
// the heaviest first, with the connections that moved it.
type trafficReport struct {
	Kind      string        `json:"kind"`
	Day       string        `json:"day"`
	Unit      string        `json:"unit"`
	Threshold uint64        `json:"threshold"` // bytes
	Users     []trafficUser `json:"users"`
	Total     trafficUser   `json:"total"`
	Under     int           `json:"under_threshold"` // users at or under it
	Omitted   int           `json:"omitted"`         // users left out by --top
	title     string
	unitBytes uint64
}

type trafficUser struct {
	User        string `json:"user"`
	Bytes       uint64 `json:"bytes"`
	Received    uint64 `json:"received"`
	Sent        uint64 `json:"sent"`
	Connections uint64 `json:"connections"` // logins and auths
}

func (a *app) trafficReport(c *cli.Context) error {
	kind := c.String("kind")
	if loginCounters[kind] == nil {
		return a.fail(2, fmt.Errorf("no traffic report for kind %q", kind), "use --kind imap or --kind pop3")
	}
	threshold, err := parseBytes(c.String("threshold"))
	if err != nil {
		return a.fail(2, fmt.Errorf("--threshold: %w", err), "sizes are a number and a unit: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB")
	}
	unit := c.String("unit")
	per, ok := units[strings.ToLower(unit)]
	if !ok || unit == "" {
		return a.fail(2, fmt.Errorf("unknown --unit %q", unit), "units are B, KB, MB, GB, TB (powers of 1000) and KiB, MiB, GiB, TiB (of 1024)")
	}
	aliases, err := a.userMap(c)
	if err != nil {
		return err
	}
	r := &trafficReport{Kind: kind, Unit: unit, Threshold: threshold, Users: []trafficUser{}, unitBytes: per}
	r.Total.User = "-- total --"
	err = a.readDay(c, func(day reportDay, sn *counters.Snapshot) {
		r.Day, r.title = day.String(), day.title()
		for name, u := range mergeUsers(kind, sn.UsersOn(kind, day.Key), aliases) {
			row := trafficUser{
				User:        name,
				Received:    u.Counters["bytes_received"],
				Sent:        u.Counters["bytes_sent"],
				Connections: u.Counters["login"] + u.Counters["auth"],
			}
			row.Bytes = row.Received + row.Sent
			r.Total.Received += row.Received
			r.Total.Sent += row.Sent
			r.Total.Bytes += row.Bytes
			r.Total.Connections += row.Connections
			if row.Bytes > threshold {
				r.Users = append(r.Users, row)
			} else {
				r.Under++
			}
		}
	})
	if err != nil {
		return err
	}
	sort.Slice(r.Users, func(i, j int) bool {
		x, y := r.Users[i], r.Users[j]
		if x.Bytes != y.Bytes {
			return x.Bytes > y.Bytes
		}
		return x.User < y.User
	})
	r.Users, r.Omitted = topRows(c, r.Users)
	return a.writeReport(c, r)
}

// in returns n in the report's unit, rounded to the nearest.
func (r *trafficReport) in(n uint64) uint64 { return n/r.unitBytes + (n%r.unitBytes*2)/r.unitBytes }

func (r *trafficReport) text(w io.Writer) {
	fmt.Fprintf(w, "== %s traffic per user on %s ==\n\n", strings.ToUpper(r.Kind), r.title)
	rows := append(append([]trafficUser{}, r.Users...), r.Total)
	var big, conns uint64
	names := []string{}
	for _, u := range rows {
		big = max(big, r.in(u.Bytes))
		conns = max(conns, u.Connections)
		names = append(names, u.User)
	}
	n, cn := digits(big, 6), digits(conns, 5)
	rest := 1 + n + 1 + len(r.Unit) + 4 + cn + 5 + n + 3 + n + 2 // " 624 MB  [#    3: r     0 s   623 ]"
	nw := max(fitName(names, rest), 28)
	if nw+rest > reportWidth {
		nw = reportWidth - rest
	}
	for i, u := range rows {
		if i == len(rows)-1 {
			if len(r.Users) == 0 {
				fmt.Fprintf(w, "No user moved more than %s.\n", r.threshold())
			}
			fmt.Fprintln(w)
		}
		nameCell(w, u.User, nw, true)
		fmt.Fprintf(w, " %*d %s  [#%*d: r %*d s %*d ]\n", n, r.in(u.Bytes), r.Unit, cn, u.Connections, n, r.in(u.Received), n, r.in(u.Sent))
	}
	switch {
	case r.Under > 0 && r.Threshold > 0:
		fmt.Fprintf(w, "\n%d users moved %s or less and are not listed.\n", r.Under, r.threshold())
	case r.Under > 0:
		fmt.Fprintf(w, "\n%d users moved no bytes that the log names and are not listed.\n", r.Under)
	}
	if r.Omitted > 0 {
		fmt.Fprintf(w, "%d more users are not listed (--top).\n", r.Omitted)
	}
}

// threshold is --threshold as given back to the reader.
func (r *trafficReport) threshold() string {
	if r.Threshold%r.unitBytes == 0 {
		return fmt.Sprintf("%d %s", r.Threshold/r.unitBytes, r.Unit)
	}
	return fmt.Sprintf("%d bytes", r.Threshold)
}
