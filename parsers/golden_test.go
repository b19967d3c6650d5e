package parsers

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
)

var update = flag.Bool("update", false, "rewrite the .golden files")

// ref is the reference time of every golden run: syslog lines take their
// year from it.
var ref = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// countFile runs the kind's parser over a whole file.
func countFile(t *testing.T, kind, path string) *Counter {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(kind, ref, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	c.Write(data)
	c.Close()
	return c
}

// dump renders a counter's values and users as the golden text.
func dump(c *Counter) string {
	var b bytes.Buffer
	tl := c.Tally
	counters.WriteDump(&b, tl.Vocab.Kind, tl.Values())
	for _, u := range counters.SortedNames(tl.Users) {
		ut := tl.Users[u]
		var parts []string
		for i, n := range ut.C {
			if n != 0 {
				parts = append(parts, fmt.Sprintf("%s=%d", counters.UserNames[i], n))
			}
		}
		fmt.Fprintf(&b, "user %q %s host=%s\n", u, strings.Join(parts, " "), ut.Host)
	}
	if len(tl.Starts) > 0 {
		ids := make([]string, 0, len(tl.Starts))
		for id, d := range tl.Starts {
			ids = append(ids, fmt.Sprintf("%d:%s", id, d))
		}
		sort.Strings(ids)
		fmt.Fprintf(&b, "open deliveries %s\n", strings.Join(ids, " "))
	}
	if len(tl.Results) > 0 {
		fmt.Fprintf(&b, "unmatched results %d\n", len(tl.Results))
	}
	return b.String()
}

func checkGolden(t *testing.T, got, golden string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./parsers -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("dump differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
	}
}

// TestGolden runs every testdata/<kind>-*.log through its kind's parser.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.log")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, f := range files {
		name := filepath.Base(f)
		kind := name[:strings.IndexByte(name, '-')]
		if kind == "edge" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			checkGolden(t, dump(countFile(t, kind, f)), strings.TrimSuffix(f, ".log")+".golden")
		})
	}
}

// corpusDir returns ../shared/corpus. A missing corpus fails in CI and
// skips elsewhere.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MAILLOGS_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus missing: %v (set MAILLOGS_CORPUS to ../shared/corpus)", err)
		}
		t.Skipf("corpus missing: %v", err)
	}
	return dir
}

// TestCorpusGolden runs the corpus files whose licence keeps them out of
// testdata; their goldens live here.
func TestCorpusGolden(t *testing.T) {
	dir := corpusDir(t)
	tests := []struct{ kind, file string }{
		{"send", "vipwoody-qMail-Log-Parser/qmail-send"}, // 50,006 lines of a production qmail-send, 2010
		{"smtp", "fail2ban/qmail"},                       // splogger and old rblsmtpd forms
		{"pop3", "ossec-docs/vpopmail.rst.lines.log"},    // vchkpw success and failures
		{"pop3", "ossec-docs/courier.rst.lines.log"},     // courier pop3d: Connection, LOGIN, LOGOUT, LOGIN FAILED
		{"imap", "ossec-docs/courier.rst.lines.log"},     // the same log read as IMAP: imaplogin lines
		{"pop3", "ossec-docs/dovecot.rst.lines.log"},     // dovecot 1.0 POP3(u) Logged out top/retr/del
		{"imap", "ossec-docs/dovecot.rst.lines.log"},
		{"pop3", "fail2ban/dovecot"}, // dovecot 1.x–2.4 failures, syslog and TAI64N
		{"imap", "fail2ban/dovecot"},
		{"pop3", "fail2ban/uwimap-auth"}, // UW ipop3d/imapd Login failed
		{"imap", "fail2ban/uwimap-auth"},
		{"pop3", "fail2ban/courier-auth"}, // courier LOGIN FAILED with and without user=
		{"imap", "fail2ban/courier-auth"},
		{"imap", "crowdsec-hub/dovecot-logs.log"}, // dovecot 2.3 auth-worker and login failures
		{"pop3", "lograptor/dovecot.log"},         // dovecot 1.x/2.0 sessions with traffic
		{"imap", "lograptor/dovecot.log"},
		{"imap", "LadyWhyFi-dovecot-postfix-lab/mail.log"}, // 1,055 lines of a real dovecot 2.2 + postfix
		{"pop3", "LadyWhyFi-dovecot-postfix-lab/mail.log"},
		{"imap", "qmail-grafical-stats/dovecot.log"}, // dovecot 2.x log_path lines without a host
		{"pop3", "epylog/logins.testcase"},           // UW ipop3d Login nmsgs=
		{"imap", "epylog/logins.testcase"},
		{"webmail", "epylog/logins.testcase"},            // Horde/IMP FAILED LOGIN
		{"auth", "ossec-docs/vpopmail.rst.lines.log"},    // vchkpw-smtp and vchkpw-submission
		{"auth", "fail2ban/courier-smtp"},                // courieresmtpd 535 Authentication failed
		{"webmail", "ossec-docs/vpopmail.rst.lines.log"}, // vchkpw-webmail
		{"webmail", "fail2ban/squirrelmail"},             // squirrel_logger [LOGIN_ERROR]
		{"webmail", "ossec-docs/squirrelmail.rst.lines.log"},
		{"spam", "epylog/spamd.testcase"},            // spamd clean message / identified spam
		{"virus", "ossec-docs/clamav.rst.lines.log"}, // clamd stream: … FOUND
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.file, func(t *testing.T) {
			name := tt.kind + "-" + strings.NewReplacer("/", "_", ".", "_").Replace(tt.file)
			golden := filepath.Join("testdata", "corpus-"+name+".golden")
			checkGolden(t, dump(countFile(t, tt.kind, filepath.Join(dir, tt.file))), golden)
		})
	}
}
