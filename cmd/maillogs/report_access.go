package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
)

// loginCounters are the per-hour counters that together count every login
// of a kind, auths included: what the hourly histogram shows.
var loginCounters = map[string][]string{
	"pop3": {"pop3_success", "pop3_ssl_success"},
	"imap": {"imap_success", "imap_ssl_success", "imap_webmail"},
}

// accessReport is the daily POP3 or IMAP report of pop3stat: totals, a
// row per user, and the logins of each hour.
type accessReport struct {
	Kind     string       `json:"kind"`
	Day      string       `json:"day"`
	Logins   uint64       `json:"logins"`
	Auths    uint64       `json:"auths"`
	Accesses uint64       `json:"accesses"`
	Logouts  uint64       `json:"logouts"`
	Failures uint64       `json:"failures"`
	Users    []accessUser `json:"users"`
	Omitted  int          `json:"omitted"` // users left out by --top
	Hours    [24]uint64   `json:"hours"`   // logins and auths per local hour
	title    string
}

type accessUser struct {
	User         string `json:"user"`
	Accesses     uint64 `json:"accesses"`
	Logins       uint64 `json:"logins"`
	Auths        uint64 `json:"auths"`
	Logouts      uint64 `json:"logouts"`
	Deleted      uint64 `json:"deleted"`
	Failures     uint64 `json:"failures"`
	NotLoggedOut uint64 `json:"not_logged_out"`
}

func (a *app) accessReport(c *cli.Context, kind string) error {
	order := c.String("sort")
	if c.IsSet("top") && !c.IsSet("sort") {
		order = "accesses" // the top N are the busiest N
	}
	if order != "user" && order != "accesses" {
		return a.fail(2, fmt.Errorf("unknown --sort %q", order), "sort by user or by accesses")
	}
	aliases, err := a.userMap(c)
	if err != nil {
		return err
	}
	r := &accessReport{Kind: kind, Users: []accessUser{}}
	err = a.readDay(c, func(day reportDay, sn *counters.Snapshot) {
		r.Day, r.title = day.String(), day.title()
		for name, u := range mergeUsers(kind, sn.UsersOn(kind, day.Key), aliases) {
			row := accessUser{
				User:     name,
				Logins:   u.Counters["login"],
				Auths:    u.Counters["auth"],
				Logouts:  u.Counters["logout"],
				Deleted:  u.Counters["deleted"],
				Failures: u.Counters["failure"],
			}
			row.Accesses = row.Logins + row.Auths
			if row.Accesses > row.Logouts {
				row.NotLoggedOut = row.Accesses - row.Logouts
			}
			r.Logins += row.Logins
			r.Auths += row.Auths
			r.Logouts += row.Logouts
			r.Failures += row.Failures
			if row.Accesses+row.Logouts+row.Deleted > 0 {
				r.Users = append(r.Users, row)
			}
		}
		r.Accesses = r.Logins + r.Auths
		for h, m := range dayHours(sn, kind, day) {
			r.Hours[h] = sumOf(m, loginCounters[kind]...)
		}
	})
	if err != nil {
		return err
	}
	sort.Slice(r.Users, func(i, j int) bool {
		x, y := r.Users[i], r.Users[j]
		if order == "accesses" && x.Accesses != y.Accesses {
			return x.Accesses > y.Accesses
		}
		return x.User < y.User
	})
	r.Users, r.Omitted = topRows(c, r.Users)
	return a.writeReport(c, r)
}

func (r *accessReport) text(w io.Writer) {
	name := strings.ToUpper(r.Kind)
	fmt.Fprintf(w, "%s report for %s\n\n", name, r.title)
	figures(w,
		figure{label: "Total " + name + " logins:", n: r.Logins},
		figure{label: "Total " + name + " auths:", n: r.Auths},
		figure{},
		figure{label: "Total " + name + " accesses:", n: r.Accesses},
		figure{label: "Total " + name + " logouts:", n: r.Logouts},
		figure{label: "Failed logins:", n: r.Failures},
	)
	if len(r.Users) == 0 {
		fmt.Fprintf(w, "No %s user logged in.\n\n", name)
	} else {
		r.table(w)
	}
	histogram(w, "Hourly logins and auths", "login", r.Hours)
}

// table writes the per-user rows: "user:  Accs ( In Auth)  Out Deld  Check".
func (r *accessReport) table(w io.Writer) {
	var big uint64
	names := make([]string, len(r.Users))
	check := 2 // "Ok"
	for i, u := range r.Users {
		big = max(big, u.Accesses, u.Logouts, u.Deleted)
		names[i] = u.User + ":"
		check = max(check, len(notLoggedOut(u)))
	}
	n := digits(big, 4)
	rest := 1 + n + 2 + n + 1 + n + 2 + n + 1 + n + 2 + check // " Accs ( In Auth) Out Deld  Check"
	nw := fitName(names, rest)
	head := fmt.Sprintf("%-*s %*s (%*s %*s) %*s %*s  Check", nw, "User", n, "Accs", n, "In", n, "Auth", n, "Out", n, "Deld")
	fmt.Fprintf(w, "%s\n%s\n", head, strings.Repeat("=", len(head)))
	for i, u := range r.Users {
		nameCell(w, names[i], nw, false)
		check := notLoggedOut(u)
		if r.Logouts == 0 {
			check = "-"
		}
		fmt.Fprintf(w, " %*d (%*d %*d) %*d %*d  %s\n", n, u.Accesses, n, u.Logins, n, u.Auths, n, u.Logouts, n, u.Deleted, check)
	}
	if r.Logouts == 0 {
		// qmail-pop3d under vchkpw logs no logout with a user name.
		fmt.Fprintln(w, "No logout named a user this day, so Check is not known:")
		fmt.Fprintln(w, "the daemon may not log them (qmail-pop3d with vchkpw does not).")
	}
	if r.Omitted > 0 {
		fmt.Fprintf(w, "(%d more users not listed: --top)\n", r.Omitted)
	}
	fmt.Fprintln(w)
}

// notLoggedOut is the Check column: Ok, or how many accesses ended without
// a logout.
func notLoggedOut(u accessUser) string {
	if u.NotLoggedOut == 0 {
		return "Ok"
	}
	return fmt.Sprintf("for %d time(s) not logged out", u.NotLoggedOut)
}
