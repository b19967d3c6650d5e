package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
)

// sendReport is yesterday's mail as the Perl maillogs yesterday (through
// qmailanalog's zoverall) gave it, from the stored hours.
type sendReport struct {
	Day         string            `json:"day"`
	Messages    uint64            `json:"messages"` // new messages queued
	Bytes       uint64            `json:"bytes"`
	Deliveries  map[string]uint64 `json:"deliveries"` // "local_start", "remote_deferral", "all_success", …
	Recipients  uint64            `json:"recipients"` // deliveries that ended: success or failure
	Bounces     uint64            `json:"bounces"`
	Triple      uint64            `json:"triple_bounces"`
	BusiestHour int               `json:"busiest_hour"` // local hour, -1 on a day without mail
	Hours       [24]uint64        `json:"hours"`        // new messages per local hour
	title       string
}

func (a *app) sendReport(c *cli.Context) error {
	r := &sendReport{Deliveries: map[string]uint64{}, BusiestHour: -1}
	err := a.readDay(c, func(day reportDay, sn *counters.Snapshot) {
		r.Day, r.title = day.String(), day.title()
		hours := dayHours(sn, "send", day)
		m := sumHours(hours)
		r.Messages, r.Bytes = m["message_new"], m["message_bytes"]
		r.Bounces, r.Triple = m["message_bounce"], m["message_triple_bounce"]
		for _, what := range []string{"start", "success", "failure", "deferral"} {
			r.Deliveries["all_"+what] = m["delivery_"+what]
		}
		for _, where := range []string{"local", "remote"} {
			r.Deliveries[where+"_start"] = m["delivery_start_"+where]
			for _, what := range []string{"success", "failure", "deferral"} {
				r.Deliveries[where+"_"+what] = m["delivery_"+where+"_"+what]
			}
		}
		r.Recipients = r.Deliveries["all_success"] + r.Deliveries["all_failure"]
		for h, hm := range hours {
			r.Hours[h] = hm["message_new"]
			if r.Hours[h] > 0 && (r.BusiestHour < 0 || r.Hours[h] > r.Hours[r.BusiestHour]) {
				r.BusiestHour = h
			}
		}
	})
	if err != nil {
		return err
	}
	return a.writeReport(c, r)
}

func (r *sendReport) text(w io.Writer) {
	fmt.Fprintf(w, "qmail-send report for %s\n\n", r.title)
	d := r.Deliveries
	n := digits(d["all_start"], 6)
	avg := uint64(0)
	if r.Messages > 0 {
		avg = r.Bytes / r.Messages
	}
	figures(w,
		figure{label: "Messages queued:", n: r.Messages},
		figure{label: "Bytes queued:", n: r.Bytes, note: fmt.Sprintf("(%s, %d bytes a message)", humanBytes(r.Bytes), avg)},
		figure{label: "Recipients done:", n: r.Recipients, note: "(delivered, or failed for good)"},
		figure{label: "Bounces:", n: r.Bounces, note: fmt.Sprintf("(%d triple bounces)", r.Triple)},
	)
	fmt.Fprintf(w, "%-22s%*s %*s %*s\n", "Deliveries", n, "local", n, "remote", n, "all")
	for _, row := range []struct{ head, what string }{
		{"attempted", "start"}, {"delivered", "success"}, {"failed", "failure"}, {"deferred", "deferral"},
	} {
		fmt.Fprintf(w, "  %-20s%*d %*d %*d\n", row.head, n, d["local_"+row.what], n, d["remote_"+row.what], n, d["all_"+row.what])
	}
	if r.BusiestHour < 0 {
		fmt.Fprintf(w, "\nNo message was queued.\n")
		return
	}
	fmt.Fprintf(w, "\nBusiest hour: %02d:00-%02d:00, %d messages queued\n\n", r.BusiestHour, (r.BusiestHour+1)%24, r.Hours[r.BusiestHour])
	histogram(w, "Messages queued each hour", "message", r.Hours)
}

// humanBytes writes n in the largest power-of-1000 unit that keeps it at
// least 1, with one decimal.
func humanBytes(n uint64) string {
	names := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	v, i := float64(n), 0
	for v >= 1000 && i < len(names)-1 {
		v /= 1000
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", v, names[i])
}

// qpsmtpdReport is qplogsumm's per-plugin denial summary for one day, with
// the DNSBL zones that denied.
type qpsmtpdReport struct {
	Day            string       `json:"day"`
	Connections    uint64       `json:"connections"`
	Queued         uint64       `json:"queued"`
	Denied         uint64       `json:"denied"`
	TooMany        uint64       `json:"too_many_connections"`
	HostsAllow     uint64       `json:"hosts_allow_denied"`
	ConnectionTime float64      `json:"average_connection_seconds"`
	Timed          uint64       `json:"timed_connections"`
	Plugins        []namedCount `json:"plugins"`
	Zones          []namedCount `json:"dnsbl_zones"`
	DNSBLDenied    uint64       `json:"dnsbl_denied"` // the zones' sum
	title          string
}

type namedCount struct {
	Name  string `json:"name"`
	Count uint64 `json:"count"`
}

// byPrefix returns the counters of m whose names start with prefix, the
// largest first, with the prefix cut off.
func byPrefix(m map[string]uint64, prefix string) []namedCount {
	out := []namedCount{}
	for n, v := range m {
		if name, ok := strings.CutPrefix(n, prefix); ok && v > 0 {
			out = append(out, namedCount{name, v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (a *app) qpsmtpdReport(c *cli.Context) error {
	r := &qpsmtpdReport{}
	err := a.readDay(c, func(day reportDay, sn *counters.Snapshot) {
		r.Day, r.title = day.String(), day.title()
		m := sumHours(dayHours(sn, "qpsmtpd", day))
		r.Connections, r.Queued, r.Denied = m["qp_connect"], m["qp_queued"], m["qp_denied"]
		r.TooMany, r.HostsAllow = m["qp_too_many"], m["qp_hosts_allow_deny"]
		if r.Timed = m["qp_connection_time_count"]; r.Timed > 0 {
			r.ConnectionTime = float64(m["qp_connection_time_ms"]) / 1000 / float64(r.Timed)
		}
		r.Plugins, r.Zones = byPrefix(m, "qp_denied_"), byPrefix(m, "qp_dnsbl_")
		for i, z := range r.Zones {
			// Counter names have '_' for '.'; host names never hold '_'.
			r.Zones[i].Name = strings.ReplaceAll(z.Name, "_", ".")
			r.DNSBLDenied += z.Count
		}
	})
	if err != nil {
		return err
	}
	r.Plugins, _ = topRows(c, r.Plugins)
	r.Zones, _ = topRows(c, r.Zones)
	return a.writeReport(c, r)
}

func (r *qpsmtpdReport) text(w io.Writer) {
	fmt.Fprintf(w, "qpsmtpd report for %s\n\n", r.title)
	msgs := r.Queued + r.Denied
	figures(w,
		figure{label: "Connections:", n: r.Connections},
		figure{label: "Messages queued:", n: r.Queued, note: fmt.Sprintf("%5.1f%%", percent(r.Queued, msgs))},
		figure{label: "Messages denied:", n: r.Denied, note: fmt.Sprintf("%5.1f%%", percent(r.Denied, msgs))},
		figure{label: "Too many connections:", n: r.TooMany},
		figure{label: "hosts_allow denials:", n: r.HostsAllow},
	)
	if r.Timed > 0 {
		fmt.Fprintf(w, "Connections lasted %.3f s on average (%d timed).\n", r.ConnectionTime, r.Timed)
	}
	for _, t := range []struct {
		head  string
		rows  []namedCount
		total uint64
	}{{"Denied by plugin", r.Plugins, r.Denied}, {"Denied by DNSBL zone", r.Zones, r.DNSBLDenied}} {
		if len(t.rows) == 0 {
			continue
		}
		names := []string{t.head}
		for _, row := range t.rows {
			names = append(names, row.Name)
		}
		cw := digits(t.total, 5)
		nw := fitName(names, 1+cw+7)
		head := fmt.Sprintf("%-*s %*s %6s", nw, t.head, cw, "count", "%")
		fmt.Fprintf(w, "\n%s\n%s\n", head, strings.Repeat("=", len(head)))
		for _, row := range t.rows {
			nameCell(w, row.Name, nw, false)
			fmt.Fprintf(w, " %*d %6.1f\n", cw, row.Count, percent(row.Count, t.total))
		}
	}
}
