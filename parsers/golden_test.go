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
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			golden := filepath.Join("testdata", "corpus-"+strings.NewReplacer("/", "_", ".", "_").Replace(tt.file)+".golden")
			checkGolden(t, dump(countFile(t, tt.kind, filepath.Join(dir, tt.file))), golden)
		})
	}
}
