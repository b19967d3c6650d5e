package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
)

// reportWidth is the width every text report keeps to, so that cron's mail
// reads well in any terminal.
const reportWidth = 80

func (a *app) reportCommand() *cli.Command {
	day := &cli.StringFlag{Name: "day", Value: "yesterday", Usage: "yesterday, today or YYYY-MM-DD: a calendar day in the local time zone (TZ)"}
	format := &cli.StringFlag{Name: "format", Value: "text", Usage: "text (fits 80 columns) or json"}
	top := &cli.IntFlag{Name: "top", Usage: "list only the first N rows (0: all); the totals still count every row"}
	userMap := &cli.StringFlag{Name: "map", EnvVars: []string{"MAILLOGS_USER_MAP"}, Usage: "a file of 'alias canonical' lines: count an alias as its canonical user"}
	access := func(kind string) *cli.Command {
		return &cli.Command{
			Name:  kind,
			Usage: "one day of " + strings.ToUpper(kind) + ": logins, auths, logouts per user, and the logins of each hour",
			Flags: []cli.Flag{day, format, top, userMap,
				&cli.StringFlag{Name: "sort", Value: "user", Usage: "user (by name) or accesses (the busiest first)"},
			},
			ArgsUsage: "[DAY]",
			Action:    func(c *cli.Context) error { return a.accessReport(c, kind) },
		}
	}
	return &cli.Command{
		Name:  "report",
		Usage: "print one day's report from the store alone: pop3, imap, traffic, send or qpsmtpd",
		Description: "Reports read the per-day and per-hour data of the store, kept for MAILLOGS_KEEP_DAYS\n" +
			"days (62 by default), so they do not care when the logs were rotated or deleted. Only\n" +
			"the report goes to stdout: a crontab line mails it as it is.",
		Subcommands: []*cli.Command{
			access("pop3"),
			access("imap"),
			{
				Name:  "traffic",
				Usage: "one day's bytes received and sent per user, the heaviest first",
				Flags: []cli.Flag{day, format, top, userMap,
					&cli.StringFlag{Name: "kind", Value: "imap", Usage: "imap or pop3"},
					&cli.StringFlag{Name: "threshold", Value: "0", Usage: "list only users whose total is above this (3MB, 2.5 GiB, 2900000)"},
					&cli.StringFlag{Name: "unit", Value: "MB", Usage: "B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (of 1024)"},
				},
				ArgsUsage: "[DAY]",
				Action:    a.trafficReport,
			},
			{
				Name:      "send",
				Usage:     "one day of qmail-send: messages, bytes, recipients, local and remote outcomes, bounces, the busiest hour",
				Flags:     []cli.Flag{day, format},
				ArgsUsage: "[DAY]",
				Action:    a.sendReport,
			},
			{
				Name:      "qpsmtpd",
				Usage:     "one day of qpsmtpd: connections, queued, and denials per plugin and per DNSBL zone",
				Flags:     []cli.Flag{day, format, top},
				ArgsUsage: "[DAY]",
				Action:    a.qpsmtpdReport,
			},
		},
	}
}

// reportDay is the calendar day a report covers, in the local zone.
type reportDay struct {
	Key      int32     // YYYYMMDD, the per-user day key
	From, To time.Time // [From, To): 23, 24 or 25 hours
}

func (d reportDay) String() string { return d.From.Format("2006-01-02") }

// title is the day as a report heads it: "Fri 2026-11-20 (CET +0100)".
func (d reportDay) title() string { return d.From.Format("Mon 2006-01-02 (MST -0700)") }

// parseDay reads a day: yesterday, today or YYYY-MM-DD, in loc.
func parseDay(s string, now time.Time, loc *time.Location) (reportDay, error) {
	now = now.In(loc)
	var from time.Time
	switch strings.ToLower(s) {
	case "today":
		from = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	case "yesterday", "":
		from = time.Date(now.Year(), now.Month(), now.Day()-1, 0, 0, 0, 0, loc)
	default:
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		if err != nil {
			return reportDay{}, fmt.Errorf("day %q is not yesterday, today or a date like 2026-11-20", s)
		}
		from = t
	}
	to := time.Date(from.Year(), from.Month(), from.Day()+1, 0, 0, 0, 0, loc)
	return reportDay{Key: counters.Day(from), From: from, To: to}, nil
}

// errPruned says that a day's data is no longer kept.
var errPruned = errors.New("older than the days kept")

// readDay parses --day and --format and calls fn with a snapshot of the
// store; it refuses a day whose data was pruned. A failure is reported and
// returned as the exit status.
func (a *app) readDay(c *cli.Context, fn func(reportDay, *counters.Snapshot)) error {
	if err := a.checkFormat(c, "text", "json"); err != nil {
		return err
	}
	given := c.String("day")
	switch {
	case c.NArg() > 1 || c.NArg() == 1 && c.IsSet("day"):
		return a.fail(2, fmt.Errorf("one day per report: %q is one word too many", c.Args().Get(c.NArg()-1)),
			"give the day once, as --day D or as the only argument")
	case c.NArg() == 1:
		given = c.Args().First() // as seed 003's courier-traffic takes it
	}
	day, err := parseDay(given, time.Now(), a.cfg.Loc)
	if err != nil {
		return a.fail(2, err, "a day is yesterday (the default), today, or YYYY-MM-DD in the local time zone")
	}
	st, err := counters.Open(a.cfg.DB, counters.Options{ReadOnly: true, Timeout: a.cfg.LockTimeout})
	if err != nil {
		return a.storeFail(err)
	}
	defer st.Close()
	var kept int32
	err = st.View(func(sn *counters.Snapshot) error {
		if kept = sn.KeptFrom(); day.Key < kept {
			return errPruned
		}
		fn(day, sn)
		return nil
	})
	switch {
	case errors.Is(err, errPruned):
		first := fmt.Sprintf("%04d-%02d-%02d", kept/10000, kept/100%100, kept%100)
		return a.fail(1, fmt.Errorf("%s is %w: the store keeps the days from %s on", day, errPruned, first),
			"the processors keep MAILLOGS_KEEP_DAYS days (62 by default); set it higher in their environment to keep more")
	case err != nil:
		return a.storeFail(err)
	}
	return nil
}

// writeReport writes r as --format asks: JSON, or the report's text.
func (a *app) writeReport(c *cli.Context, r interface{ text(io.Writer) }) error {
	if c.String("format") == "json" {
		return writeJSON(a.out, r)
	}
	r.text(a.out)
	return nil
}

// topRows keeps the first --top rows and says how many it left out.
func topRows[T any](c *cli.Context, rows []T) ([]T, int) {
	if n := c.Int("top"); n > 0 && n < len(rows) {
		return rows[:n], len(rows) - n
	}
	return rows, 0
}

// dayHours sums kind's per-hour counters of day by local clock hour (0–23):
// on the day summer time ends the repeated hour holds both.
func dayHours(sn *counters.Snapshot, kind string, day reportDay) [24]map[string]uint64 {
	var out [24]map[string]uint64
	for i := range out {
		out[i] = map[string]uint64{}
	}
	for h, m := range sn.Hours(kind, day.From, day.To) {
		local := time.Unix(h*3600, 0).In(day.From.Location()).Hour()
		for n, v := range m {
			out[local][n] += v
		}
	}
	return out
}

// sumHours returns the day's totals of hours.
func sumHours(hours [24]map[string]uint64) map[string]uint64 {
	m := map[string]uint64{}
	for _, h := range hours {
		for n, v := range h {
			m[n] += v
		}
	}
	return m
}

// sumOf adds the named counters of m.
func sumOf(m map[string]uint64, names ...string) uint64 {
	var n uint64
	for _, name := range names {
		n += m[name]
	}
	return n
}

// histogram writes 24 rows "HH (count): ####" with bars scaled to fit 50
// marks, under a head that says what one mark stands for (what is
// singular).
func histogram(w io.Writer, head, what string, counts [24]uint64) {
	var top uint64
	for _, n := range counts {
		top = max(top, n)
	}
	per := max((top+49)/50, 1)
	if per > 1 {
		what += "s"
	}
	title := fmt.Sprintf("%s, one # = %d %s", head, per, what)
	fmt.Fprintf(w, "%s\n%s\n", title, strings.Repeat("=", len(title)))
	width := len(fmt.Sprint(top))
	for h, n := range counts {
		fmt.Fprintf(w, "%02d (%*d):", h, width, n)
		if n >= per {
			fmt.Fprintf(w, " %s", strings.Repeat("#", int(n/per)))
		}
		fmt.Fprintln(w)
	}
}

// figure is one labelled number of a report's head.
type figure struct {
	label string
	n     uint64
	note  string // after the number, if any
}

// figures writes labelled numbers in two aligned columns; a figure with
// no label is a rule under the numbers.
func figures(w io.Writer, fs ...figure) {
	lw, nw := 0, 8
	for _, f := range fs {
		lw, nw = max(lw, len(f.label)), max(nw, len(fmt.Sprint(f.n)))
	}
	for _, f := range fs {
		switch {
		case f.label == "":
			fmt.Fprintf(w, "%*s%s\n", lw+1, "", strings.Repeat("-", nw))
		case f.note != "":
			fmt.Fprintf(w, "%-*s %*d  %s\n", lw, f.label, nw, f.n, f.note)
		default:
			fmt.Fprintf(w, "%-*s %*d\n", lw, f.label, nw, f.n)
		}
	}
	fmt.Fprintln(w)
}

// digits returns the width of n printed, at least least.
func digits(n uint64, least int) int { return max(len(fmt.Sprint(n)), least) }

// percent returns n of total in percent, 0 for an empty total.
func percent(n, total uint64) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}

// fitName returns how wide the name column may be: as wide as the longest
// name, but never so wide that a row passes the report width. Longer names
// go on a line of their own (see nameCell).
func fitName(names []string, rest int) int {
	w := 4
	for _, n := range names {
		w = max(w, len(n))
	}
	return max(min(w, reportWidth-rest), 4)
}

// nameCell writes name padded to width; a longer name is written whole on
// its own line, and the row continues under it.
func nameCell(w io.Writer, name string, width int, right bool) {
	if len(name) > width {
		fmt.Fprintf(w, "%s\n%*s", name, width, "")
		return
	}
	if right {
		fmt.Fprintf(w, "%*s", width, name)
		return
	}
	fmt.Fprintf(w, "%-*s", width, name)
}
