package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/tai64n"
)

var update = flag.Bool("update", false, "rewrite the report .golden files")

// checkReport compares a report with testdata/<name>.golden and holds every
// text report to the rules of cron mail: at most 80 columns, no trailing
// blanks.
func checkReport(t *testing.T, got, name string) {
	t.Helper()
	if !strings.HasSuffix(name, ".json") {
		for i, line := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(line); n > reportWidth {
				t.Errorf("%s line %d is %d columns: %q", name, i+1, n, line)
			}
			if strings.TrimRight(line, " ") != line {
				t.Errorf("%s line %d ends in blanks: %q", name, i+1, line)
			}
		}
	}
	golden := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/maillogs -run Report -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// stamped returns log lines as multilog's t option labels them; each entry
// is "YYYY-MM-DD HH:MM:SS text", a Berlin wall-clock time.
func stamped(t *testing.T, lines ...string) []byte { return stampedIn(t, berlin, lines...) }

// stampedIn is stamped with the times read in loc.
func stampedIn(t *testing.T, loc *time.Location, lines ...string) []byte {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		at, err := time.ParseInLocation("2006-01-02 15:04:05", l[:19], loc)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %s\n", tai64n.FromTime(at), l[20:])
	}
	return []byte(b.String())
}

// reportEnv is a store counted from two POP3 chunks (a rotation at 10:00 on
// Friday 2026-11-20) in Berlin time. Its users: anna logs in on both sides
// of midnight; bob authenticates twice and logs out once; dave logs in
// through vchkpw, which never logs a logout; erin moves bytes through
// dovecot; a mailbox name too long for the table; mallory fails three
// times; carol logs in one second before midnight.
func reportEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.vars = append(e.vars, "TZ=Europe/Berlin", "MAILLOGS_KEEP_DAYS=0")
	long := "a.very.long.mailbox.name.for.the.accounts.team@customer-domain.example"
	chunks := [][]byte{stamped(t,
		"2026-11-19 23:59:58 ipop3d[100]: Login user=anna host=h [192.0.2.7] nmsgs=3/3",
		"2026-11-20 00:00:01 ipop3d[100]: Logout user=anna host=h [192.0.2.7] nmsgs=3 ndele=1",
		"2026-11-20 08:15:00 ipop3d[101]: Login user=anna host=h [192.0.2.7] nmsgs=2/2",
		"2026-11-20 08:16:00 ipop3d[101]: Logout user=anna host=h [192.0.2.7] nmsgs=2 ndele=2",
		"2026-11-20 09:00:00 ipop3d[102]: Auth user=bob host=w [192.0.2.8] nmsgs=7/7",
		"2026-11-20 09:05:00 ipop3d[102]: Logout user=bob host=w [192.0.2.8] nmsgs=7 ndele=0",
		"2026-11-20 09:30:00 vchkpw-pop3: (PLAIN) login success dave@example.com:192.0.2.20",
	), stamped(t,
		"2026-11-20 10:00:00 dovecot: pop3-login: Login: user=<erin>, method=PLAIN, rip=192.0.2.9, lip=192.0.2.1, mpid=18, TLS, session=<a>",
		"2026-11-20 10:01:00 dovecot: pop3(erin)<18><a>: Disconnected: Logged out top=0/0, retr=3/5000000, del=1/3, size=5100000",
		"2026-11-20 12:00:00 ipop3d[103]: Login user="+long+" host=h [192.0.2.30] nmsgs=1/1",
		"2026-11-20 12:00:05 ipop3d[103]: Logout user="+long+" host=h [192.0.2.30] nmsgs=1 ndele=1",
		"2026-11-20 13:00:00 ipop3d[104]: Auth user=bob host=w [192.0.2.8] nmsgs=7/7",
		"2026-11-20 14:00:00 dovecot: pop3-login: Login: user=<erin>, method=PLAIN, rip=192.0.2.9, lip=192.0.2.1, mpid=19, TLS, session=<b>",
		"2026-11-20 14:02:00 dovecot: pop3(erin)<19><b>: Disconnected: Logged out top=0/0, retr=1/1200000, del=0/2, size=1300000",
		"2026-11-20 17:00:00 ipop3d[105]: Login failed user=mallory auth=mallory host=x [198.51.100.1]",
		"2026-11-20 17:00:01 ipop3d[105]: Login failed user=mallory auth=mallory host=x [198.51.100.1]",
		"2026-11-20 17:00:02 ipop3d[105]: Login failed user=mallory auth=mallory host=x [198.51.100.1]",
		"2026-11-20 23:59:59 ipop3d[106]: Login user=carol host=c [192.0.2.40] nmsgs=0/0",
		"2026-11-21 00:00:00 ipop3d[106]: Logout user=carol host=c [192.0.2.40] nmsgs=0 ndele=0",
	)}
	for i, c := range chunks {
		if _, errs, code := e.runProc("pop3log", c); code != 0 || errs != "" {
			t.Fatalf("chunk %d: exit %d: %s", i, code, errs)
		}
	}
	return e
}

// TestReportGolden: the POP3 and traffic reports of a fixed store, for a
// day across a rotation, the days on both sides of it, and an empty day.
func TestReportGolden(t *testing.T) {
	e := reportEnv(t)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"report-pop3", []string{"report", "pop3", "--day", "2026-11-20"}},
		{"report-pop3-accesses-top", []string{"report", "pop3", "--day", "2026-11-20", "--top", "2"}}, // --top sorts by accesses
		{"report-pop3-before", []string{"report", "pop3", "2026-11-19"}},                              // the day as an argument
		{"report-pop3-after", []string{"report", "pop3", "--day", "2026-11-21"}},
		{"report-pop3-empty", []string{"report", "pop3", "--day", "2026-11-18"}},
		{"report-pop3.json", []string{"report", "pop3", "--day", "2026-11-20", "--format", "json"}},
		{"report-traffic", []string{"report", "traffic", "--kind", "pop3", "--day", "2026-11-20", "--unit", "KB"}},
		{"report-traffic-threshold", []string{"report", "traffic", "--kind", "pop3", "--day", "2026-11-20", "--threshold", "6MB"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkReport(t, e.maillogs(tt.args...), tt.name)
		})
	}
}

// accessJSON runs a POP3 report in JSON.
func accessJSON(t *testing.T, e *env, day string) accessReport {
	t.Helper()
	var r accessReport
	out := e.maillogs("report", "pop3", "--day", day, "--format", "json")
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r
}

// TestReportDayBoundaries: days are Berlin calendar days, whatever the
// line's form. Summer time ends on 2026-10-25 (the day has 25 hours, 02
// comes twice) and starts on 2026-03-29 (23 hours, no 02); syslog lines of
// December 31 read on January 1 belong to the year before.
func TestReportDayBoundaries(t *testing.T) {
	e := newEnv(t)
	e.vars = append(e.vars, "TZ=Europe/Berlin", "MAILLOGS_KEEP_DAYS=0")
	login := func(user string) string {
		return "Login user=" + user + " host=h [192.0.2.7] nmsgs=1/1"
	}
	chunk := stampedIn(t, time.UTC,
		"2026-03-29 00:30:00 ipop3d[1]: "+login("spring"), // 01:30 CET
		"2026-03-29 01:30:00 ipop3d[1]: "+login("spring"), // 03:30 CEST
		"2026-10-24 21:59:59 ipop3d[1]: "+login("late"),   // 23:59:59 CEST, the 24th
		"2026-10-24 22:00:00 ipop3d[1]: "+login("fall"),   // 00:00 CEST, the 25th
		"2026-10-24 23:30:00 ipop3d[1]: "+login("fall"),   // 01:30 CEST
		"2026-10-25 00:30:00 ipop3d[1]: "+login("fall"),   // 02:30 CEST
		"2026-10-25 01:30:00 ipop3d[1]: "+login("fall"),   // 02:30 CET
		"2026-10-25 02:30:00 ipop3d[1]: "+login("fall"),   // 03:30 CET
		"2026-10-25 22:59:59 ipop3d[1]: "+login("fall"),   // 23:59:59 CET
		"2026-10-25 23:00:00 ipop3d[1]: "+login("next"),   // 00:00 CET, the 26th
	)
	if _, errs, code := e.runProc("pop3log", chunk); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// A syslog file read on New Year's Day, as catchup reads an archive.
	old := filepath.Join(e.dir, "maillog.0")
	os.WriteFile(old, []byte("Dec 31 23:59:59 mx ipop3d[2]: "+login("eve")+"\n"+
		"Jan  1 00:00:02 mx ipop3d[3]: "+login("newyear")+"\n"), 0o644)
	at := time.Date(2027, 1, 1, 12, 0, 0, 0, berlin)
	os.Chtimes(old, at, at)
	e.maillogs("catchup", "--kind", "pop3", old)

	for _, tt := range []struct {
		day   string
		users map[string]uint64
		hours map[int]uint64
	}{
		{"2026-03-29", map[string]uint64{"spring": 2}, map[int]uint64{1: 1, 3: 1}},
		{"2026-10-24", map[string]uint64{"late": 1}, map[int]uint64{23: 1}},
		{"2026-10-25", map[string]uint64{"fall": 6}, map[int]uint64{0: 1, 1: 1, 2: 2, 3: 1, 23: 1}},
		{"2026-10-26", map[string]uint64{"next": 1}, map[int]uint64{0: 1}},
		{"2026-12-31", map[string]uint64{"eve": 1}, map[int]uint64{23: 1}},
		{"2027-01-01", map[string]uint64{"newyear": 1}, map[int]uint64{0: 1}},
	} {
		r := accessJSON(t, e, tt.day)
		got := map[string]uint64{}
		for _, u := range r.Users {
			got[u.User] = u.Logins
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.users) {
			t.Errorf("%s: logins %v, want %v", tt.day, got, tt.users)
		}
		for h, n := range r.Hours {
			if n != tt.hours[h] {
				t.Errorf("%s: hour %02d has %d logins, want %d", tt.day, h, n, tt.hours[h])
			}
		}
	}
}

// TestReportPruned: a day older than the retention is refused with the
// setting to change, never shown as an empty day.
func TestReportPruned(t *testing.T) {
	e := newEnv(t)
	e.vars = append(e.vars, "MAILLOGS_KEEP_DAYS=30")
	old := time.Now().AddDate(0, 0, -40).UTC()
	chunk := stampedIn(t, time.UTC, old.Format("2006-01-02 15:04:05")+" ipop3d[1]: Login user=ann host=h [192.0.2.7] nmsgs=1/1")
	if _, errs, code := e.runProc("pop3log", chunk); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out, errs, code := e.maillogsCode("report", "pop3", "--day", old.Format("2006-01-02"))
	if code != 1 || out != "" || !strings.Contains(errs, "older than the days kept") || !strings.Contains(errs, "hint: ") || !strings.Contains(errs, "MAILLOGS_KEEP_DAYS") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	if got := e.values("pop3")["pop3_success"]; got != 1 {
		t.Errorf("pop3_success = %d after pruning, want 1", got)
	}
	e.maillogs("report", "pop3", "--day", "today")
}

// TestReportUsage: every wrong flag says what is wrong and what to write,
// on stderr, and exits 2 with nothing on stdout.
func TestReportUsage(t *testing.T) {
	e := reportEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "pop3", "--day", "20.11.2026"}, `day "20.11.2026" is not yesterday, today or a date`},
		{[]string{"report", "pop3", "--format", "xml"}, `unknown format "xml"`},
		{[]string{"report", "pop3", "--day", "today", "2026-11-20"}, `"2026-11-20" is one word too many`},
		{[]string{"report", "send", "2026-11-20", "2026-11-21"}, `"2026-11-21" is one word too many`},
		{[]string{"report", "pop3", "--sort", "size"}, `unknown --sort "size"`},
		{[]string{"report", "traffic", "--kind", "smtp"}, `no traffic report for kind "smtp"`},
		{[]string{"report", "traffic", "--threshold", "3 parsecs"}, `"3 parsecs" is not a size`},
		{[]string{"report", "traffic", "--unit", "MiBB"}, `unknown --unit "MiBB"`},
		{[]string{"report", "pop3", "--map", "/nonexistent"}, "user map"}, // exit 1: below
		{[]string{"users", "--format", "csv"}, `unknown format "csv"`},
		{[]string{"users", "--kind", "pop4"}, `unknown kind "pop4"`},
		{[]string{"dump", "--kind", "pop4"}, `unknown kind "pop4"`},
	} {
		out, errs, code := e.maillogsCode(tt.args...)
		want := 2
		if slices.Contains(tt.args, "--map") {
			want = 1 // a bad file, not a bad command line
		}
		if code != want || out != "" || !strings.Contains(errs, tt.want) || !strings.Contains(errs, "hint: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s", tt.args, code, out, errs)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"2900000", 2900000, true}, {"3MB", 3e6, true}, {"3 mb", 3e6, true},
		{"2.5GiB", 5 << 29, true}, {"500k", 5e5, true}, {"1.5 KB", 1500, true}, {"7B", 7, true},
		{"", 0, false}, {"MB", 0, false}, {"-3MB", 0, false}, {"3 parsecs", 0, false}, {"1e30TB", 0, false},
	} {
		got, err := parseBytes(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// corpusFile returns a file of ../shared/corpus. A missing corpus fails in
// CI and skips elsewhere.
func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	dir := os.Getenv("MAILLOGS_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpus")
	}
	p, err := filepath.Abs(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus missing: %v (set MAILLOGS_CORPUS to ../shared/corpus)", err)
		}
		t.Skipf("corpus missing: %v", err)
	}
	return p
}

// TestReportCorpus: reports of real logs, counted by catchup as archives
// are, in UTC.
func TestReportCorpus(t *testing.T) {
	e := newEnv(t)
	e.vars = append(e.vars, "MAILLOGS_KEEP_DAYS=0")
	// A dovecot 2.2 and postfix syslog file of February 2019: catchup takes
	// the year from the file's time.
	mail := filepath.Join(e.dir, "mail.log")
	b, err := os.ReadFile(corpusFile(t, "LadyWhyFi-dovecot-postfix-lab/mail.log"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(mail, b, 0o644)
	at := time.Date(2019, 2, 20, 12, 0, 0, 0, time.UTC)
	os.Chtimes(mail, at, at)
	e.maillogs("catchup", "--kind", "imap", mail)
	e.maillogs("catchup", "--kind", "send", corpusFile(t, "vipwoody-qMail-Log-Parser/qmail-send"))
	qp, _ := filepath.Abs(filepath.Join("..", "..", "parsers", "testdata", "qpsmtpd-sme.log"))
	e.maillogs("catchup", "--kind", "qpsmtpd", qp)
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"report-corpus-imap", []string{"report", "imap", "--day", "2019-02-18"}},
		{"report-corpus-traffic", []string{"report", "traffic", "--day", "2019-02-18", "--unit", "KiB"}},
		{"report-corpus-send", []string{"report", "send", "--day", "2010-05-04"}},
		{"report-corpus-send.json", []string{"report", "send", "--day", "2010-05-04", "--format", "json"}},
		{"report-qpsmtpd", []string{"report", "qpsmtpd", "--day", "2008-06-26"}},
		{"report-qpsmtpd.json", []string{"report", "qpsmtpd", "--day", "2008-06-26", "--format", "json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkReport(t, e.maillogs(tt.args...), tt.name)
		})
	}
}

// TestReportWithoutLogs: a real multilog rotates a POP3 log twice; the
// reports then read the store alone: they say the same before and after
// the log directory is deleted, and count every login fed.
func TestReportWithoutLogs(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.dir, "pop3")
	m := startMultilog(t, e, filepath.Join(binDir, "pop3log"), dir, 16384)
	const users, rounds = 5, 2
	for r := 0; r < rounds; r++ {
		var b strings.Builder
		for u := 0; u < users; u++ {
			fmt.Fprintf(&b, "ipop3d[%d]: Login user=u%d host=h [192.0.2.7] nmsgs=2/2\n", r*10+u, u)
			if u != 0 { // u0 never logs out
				fmt.Fprintf(&b, "ipop3d[%d]: Logout user=u%d host=h [192.0.2.7] nmsgs=2 ndele=1\n", r*10+u, u)
			}
		}
		io.WriteString(m.in, b.String())
		m.rotate()
	}
	m.in.Close()
	m.cmd.Wait()
	// The days the labels fall on (two if the test straddles midnight).
	days := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "@*.s"))
	if len(files) < rounds {
		t.Fatalf("%d archives, want %d: multilog did not rotate", len(files), rounds)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			l, err := tai64n.Parse([]byte(line))
			if err != nil {
				t.Fatalf("%s: %q: %v", f, line, err)
			}
			days[l.Time(tai64n.Daemontools).UTC().Format("2006-01-02")] = true
		}
	}
	reports := func() (string, uint64, uint64) {
		var text string
		var logins, outs uint64
		for _, d := range counters.SortedNames(days) {
			text += e.maillogs("report", "pop3", "--day", d)
			r := accessJSON(t, e, d)
			logins, outs = logins+r.Logins, outs+r.Logouts
		}
		return text, logins, outs
	}
	before, logins, outs := reports()
	if logins != users*rounds || outs != (users-1)*rounds {
		t.Errorf("reports count %d logins and %d logouts, want %d and %d", logins, outs, users*rounds, (users-1)*rounds)
	}
	if !strings.Contains(before, "u0:") || !strings.Contains(before, fmt.Sprintf("for %d time(s) not logged out", rounds)) {
		t.Errorf("u0 never logged out, the report says:\n%s", before)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if after, _, _ := reports(); after != before {
		t.Errorf("the report changed when the logs went:\n--- before\n%s--- after\n%s", before, after)
	}
}
