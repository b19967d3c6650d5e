package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/maillogs/maillogs/parsers"
)

// Every <kind>log link counts its sample log into the store, and `maillogs
// dump` then says exactly what the parser golden says.
func TestEveryKindLink(t *testing.T) {
	e := newEnv(t)
	for _, kind := range parsers.Kinds() {
		logs, _ := filepath.Glob(filepath.Join("..", "..", "parsers", "testdata", kind+"-*.log"))
		if len(logs) == 0 {
			t.Errorf("%s: no sample log in parsers/testdata", kind)
			continue
		}
		want := map[string]uint64{}
		for _, log := range logs {
			in, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			if out, errs, code := e.runProc(kind+"log", in); code != 0 || string(out) != string(in) || errs != "" {
				t.Fatalf("%slog %s: exit %d, stderr %q, pass-through exact %v", kind, log, code, errs, string(out) == string(in))
			}
			golden, err := os.ReadFile(strings.TrimSuffix(log, ".log") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(golden), "\n") {
				name, v, ok := strings.Cut(line, " ")
				if !ok || !strings.HasPrefix(name, kind+".") {
					continue
				}
				n, _ := strconv.ParseUint(v, 10, 64)
				name = strings.TrimPrefix(name, kind+".")
				switch {
				case !isGauge(kind, name):
					want[name] += n
				case len(logs) == 1: // with more, the latest line of any file wins
					want[name] = n
				}
			}
		}
		wantValues(t, e.values(kind, "--no-live"), want)
	}
}

// maillogs users lists what the POP3 and IMAP lines said of each user, a
// mapping file merges a user's two names, and --online keeps the recent.
func TestUsersCommand(t *testing.T) {
	e := newEnv(t)
	for _, kind := range []string{"pop3", "imap"} {
		in, _ := os.ReadFile(filepath.Join("..", "..", "parsers", "testdata", kind+"-mixed.log"))
		e.runProc(kind+"log", in)
	}
	var rows []userRow
	if err := jsonUnmarshal(e.maillogs("users", "--kind", "pop3", "--format", "json", "--no-live"), &rows); err != nil {
		t.Fatal(err)
	}
	byName := map[string]userRow{}
	for _, r := range rows {
		byName[r.User] = r
	}
	if r := byName["test@example.net"]; r.Counters["retrieved"] != 3 || r.Counters["deleted"] != 2 || r.Counters["bytes_sent"] != 10314 || r.Host != "172.17.0.1" {
		t.Errorf("test@example.net = %+v", r)
	}
	if r := byName["zoë@example.net"]; r.Counters["failure"] != 2 || r.Counters["login"] != 0 {
		t.Errorf("zoë@example.net = %+v, want 2 failures and no login", r)
	}
	if _, ok := byName["info@example.com"]; ok {
		t.Error("an IMAP user is listed under pop3")
	}

	m := filepath.Join(e.dir, "users.map")
	os.WriteFile(m, []byte("# canonical names\nuser02 user03\nMary Ann Smith\tmary\n"), 0o644)
	out := e.maillogs("users", "--kind", "pop3", "--format", "tsv", "--map", m, "--no-live")
	if !strings.Contains(out, "\tpop3\tuser03\t0\t1\t1\t0\t2\t0\t4\t0\t0\t") {
		t.Errorf("user02 and user03 not merged:\n%s", out)
	}
	if !strings.Contains(out, "\tpop3\tmary\t0\t1\t0\t1\t1\t1\t0\t30\t1000\t") || strings.Contains(out, "Mary Ann") {
		t.Errorf("a name with spaces not mapped:\n%s", out)
	}
	// The sample lines are months old: nobody is on line now.
	if out := e.maillogs("users", "--online", "--no-live"); strings.TrimSpace(out) != "no users" {
		t.Errorf("--online listed old users:\n%s", out)
	}
	// Seen two minutes ago: on line within 10 minutes, not within one.
	recent := time.Now().Add(-2 * time.Minute).UTC().Format("2006-01-02 15:04:05")
	e.runProc("pop3log", stampedIn(t, time.UTC, recent+" ipop3d[9]: Login user=live host=h [192.0.2.99] nmsgs=1/1"))
	server, _ := os.Hostname()
	out = e.maillogs("users", "--online", "--format", "tsv", "--no-live")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], server+"\tpop3\tlive\t0\t1\t") || !strings.HasSuffix(lines[1], "\t192.0.2.99") {
		t.Errorf("--online tsv:\n%s", out)
	}
	if out := e.maillogs("users", "--online", "--within", "1m", "--no-live"); strings.TrimSpace(out) != "no users" {
		t.Errorf("--within 1m listed a user seen 2 minutes ago:\n%s", out)
	}
	if _, errs, code := e.maillogsCode("users", "--map", filepath.Join(e.dir, "missing")); code != 1 || !strings.Contains(errs, "hint:") {
		t.Errorf("missing map: exit %d, stderr %q", code, errs)
	}
}
