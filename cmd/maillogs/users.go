package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
)

// userKinds are the kinds whose lines name users.
var userKinds = []string{"pop3", "imap", "auth", "webmail"}

func (a *app) usersCommand() *cli.Command {
	return &cli.Command{
		Name:  "users",
		Usage: "list the per-user counters: connections, logins, failures, logouts, messages and bytes, last seen",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "kind", Usage: "only these kinds (default: " + strings.Join(userKinds, ", ") + ")"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or tsv (tab-separated, one user and kind a line, with a header; json and tsv name this server first)"},
			&cli.StringFlag{Name: "map", EnvVars: []string{"MAILLOGS_USER_MAP"}, Usage: "a file of 'alias canonical' lines: count an alias (user@domain, a bare name) as its canonical user"},
			&cli.BoolFlag{Name: "online", Usage: "only users seen within --within"},
			&cli.DurationFlag{Name: "within", Value: 10 * time.Minute, Usage: "how recently a user must have been seen to be on line"},
			&cli.BoolFlag{Name: "no-live", Usage: "answer the store alone, without counting the log directories' current files"},
		},
		Action: a.users,
	}
}

// userRow is one user of one kind, as listed.
type userRow struct {
	Server   string            `json:"server"` // this host, for loads from many servers
	Kind     string            `json:"kind"`
	User     string            `json:"user"`
	Counters map[string]uint64 `json:"counters"`
	LastSeen int64             `json:"last_seen"` // unix seconds, 0 if never
	Host     string            `json:"host"`
}

func (a *app) users(c *cli.Context) error {
	kinds := c.StringSlice("kind")
	if len(kinds) == 0 {
		kinds = userKinds
	}
	if err := a.checkKinds(kinds); err != nil {
		return err
	}
	if err := a.checkFormat(c, "text", "json", "tsv"); err != nil {
		return err
	}
	f := c.String("format")
	aliases, err := a.userMap(c)
	if err != nil {
		return err
	}
	views, err := gather(a.cfg, kinds, !c.Bool("no-live"), true)
	if err != nil {
		return a.storeFail(err)
	}
	since := time.Time{}
	if c.Bool("online") {
		since = time.Now().Add(-c.Duration("within"))
	}
	rows := userRows(views, kinds, aliases, since)
	server, _ := os.Hostname()
	for i := range rows {
		rows[i].Server = server
	}
	switch f {
	case "json":
		if rows == nil {
			rows = []userRow{}
		}
		return writeJSON(a.out, rows)
	case "tsv":
		return writeUsers(a.out, rows, true)
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.out, "no users")
		return nil
	}
	return writeUsers(a.out, rows, false)
}

// userRows merges aliases into their canonical users and keeps those seen
// at or after since, sorted by kind and user.
func userRows(views map[string]*kindView, kinds []string, aliases map[string]string, since time.Time) []userRow {
	var rows []userRow
	for _, k := range kinds {
		merged := mergeUsers(k, views[k].Users, aliases)
		for _, name := range counters.SortedNames(merged) {
			row := merged[name]
			if !since.IsZero() && row.LastSeen < since.Unix() {
				continue
			}
			rows = append(rows, *row)
		}
	}
	return rows
}

// mergeUsers sums the records of users that the alias map names as one,
// keeping the latest sighting.
func mergeUsers(kind string, recs map[string]*counters.UserRecord, aliases map[string]string) map[string]*userRow {
	merged := map[string]*userRow{}
	for name, r := range recs {
		if canon, ok := aliases[name]; ok {
			name = canon
		}
		row := merged[name]
		if row == nil {
			row = &userRow{Kind: kind, User: name, Counters: map[string]uint64{}}
			merged[name] = row
		}
		for n, v := range r.Counters {
			row.Counters[n] += v
		}
		if seen := r.LastSeen.Unix(); !r.LastSeen.IsZero() && seen >= row.LastSeen {
			row.LastSeen, row.Host = seen, r.Host
		}
	}
	return merged
}

// userColumns are the per-user counters in listing order, with their
// column heads.
var userColumns = [...]struct{ name, head string }{
	{"connect", "CONN"}, {"login", "LOGIN"}, {"auth", "AUTH"}, {"failure", "FAIL"}, {"logout", "OUT"},
	{"retrieved", "RETR"}, {"deleted", "DELE"}, {"bytes_received", "RCVD"}, {"bytes_sent", "SENT"},
}

func writeUsers(w io.Writer, rows []userRow, tsv bool) error {
	out, end := w, "\t\n" // tabwriter ends a cell at a tab
	var tw *tabwriter.Writer
	if !tsv {
		tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
		out = tw
	} else {
		end = "\n"
	}
	head := []string{"SERVER", "KIND", "USER"}
	if !tsv {
		head = head[1:] // the text form is read on the server itself
	}
	for _, c := range userColumns {
		head = append(head, c.head)
	}
	head = append(head, "LAST SEEN", "HOST")
	if tsv {
		for i := range head {
			head[i] = strings.ToLower(strings.ReplaceAll(head[i], " ", "_"))
		}
	}
	fmt.Fprint(out, strings.Join(head, "\t")+end)
	clean := strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")
	for _, r := range rows {
		cells := []string{r.Kind, clean.Replace(r.User)}
		if tsv {
			cells = append([]string{clean.Replace(r.Server)}, cells...)
		}
		for _, c := range userColumns {
			cells = append(cells, fmt.Sprint(r.Counters[c.name]))
		}
		seen, host := "-", r.Host
		switch {
		case tsv:
			seen = fmt.Sprint(r.LastSeen)
		case r.LastSeen > 0:
			seen = time.Unix(r.LastSeen, 0).Format("2006-01-02 15:04:05")
		}
		if host == "" && !tsv {
			host = "-"
		}
		fmt.Fprint(out, strings.Join(append(cells, seen, clean.Replace(host)), "\t")+end)
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

// readUserMap reads 'alias canonical' lines; the canonical name is the
// last word, so an alias may hold spaces.
func readUserMap(path string) (map[string]string, error) {
	m := map[string]string{}
	if path == "" {
		return m, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("user map: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexAny(line, " \t")
		if i < 0 {
			return nil, fmt.Errorf("user map %s:%d: %q has no canonical name", path, n, line)
		}
		m[strings.TrimSpace(line[:i])] = line[i+1:]
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("user map: %w", err)
	}
	return m, nil
}
