package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
	"github.com/maillogs/maillogs/tai64n"
)

// chunkOf returns about size bytes of qmail-send lines.
func chunkOf(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i += 100 {
		in, _ := sendLines(100, i)
		b.Write(in)
	}
	return b.Bytes()
}

// BenchmarkProcessorRun is one processor run on a 100 KB and a 16 MB chunk
// (multilog's largest s), the fsynced commit included. Each iteration
// commits a new chunk: the data is the same, the kind tag differs.
func BenchmarkProcessorRun(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"100KB", 100 << 10}, {"16MB", 16 << 20}} {
		b.Run(size.name, func(b *testing.B) {
			dir := b.TempDir()
			cfg := loadConfig()
			cfg.DB = filepath.Join(dir, "m.db")
			data := chunkOf(size.n)
			in := filepath.Join(dir, "previous")
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			i := 0
			for b.Loop() {
				i++
				// a distinct chunk each time, so that every run commits
				os.WriteFile(in, append(data, fmt.Sprintf("end msg %d\n", i)...), 0o644)
				f, _ := os.Open(in)
				var errb bytes.Buffer
				if code := process("sendlog", "send", cfg, f, io.Discard, &errb); code != 0 || errb.Len() > 0 {
					b.Fatalf("exit %d: %s", code, errb.String())
				}
				f.Close()
			}
		})
	}
}

// The processor's peak memory stays flat in the chunk size: under 32 MB
// for a 16 MB chunk.
func TestProcessorPeakMemory(t *testing.T) {
	e := newEnv(t)
	for _, size := range []int{100 << 10, 16 << 20} {
		path := filepath.Join(e.dir, "chunk")
		os.WriteFile(path, chunkOf(size), 0o644)
		f, _ := os.Open(path)
		fi, _ := f.Stat()
		c := e.cmd("sendlog")
		c.Env = append(c.Env, "MAILLOGS_TEST_HWM=1")
		var errb bytes.Buffer
		c.Stdin, c.Stdout, c.Stderr = f, io.Discard, &errb
		if err := c.Run(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		var rss int64
		if _, err := fmt.Sscanf(errb.String(), "test-hwm: %d kB", &rss); err != nil {
			t.Fatalf("no peak reported: %q", errb.String())
		}
		t.Logf("chunk %d bytes: peak RSS %d KiB", fi.Size(), rss)
		if rss > 32<<10 {
			t.Errorf("chunk %d bytes: peak RSS %d KiB, want under 32 MiB", fi.Size(), rss)
		}
	}
}

// BenchmarkReportPOP3 is the daily POP3 report of a day with 10,000 users
// (each logs in, out, deletes and moves bytes): read, sum and format.
func BenchmarkReportPOP3(b *testing.B) {
	const users = 10000
	dir := b.TempDir()
	db := filepath.Join(dir, "m.db")
	st, err := counters.Open(db, counters.Options{})
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	c, _ := parsers.New("pop3", day, time.UTC)
	for u := 0; u < users; u++ {
		at := tai64n.FromTime(day.Add(time.Duration(u) * 8 * time.Second))
		fmt.Fprintf(c, "%s ipop3d[%d]: Login user=user%05d host=h [192.0.2.7] nmsgs=2/2\n", at, u, u)
		fmt.Fprintf(c, "%s ipop3d[%d]: Logout user=user%05d host=h [192.0.2.7] nmsgs=2 ndele=1\n", at, u, u)
	}
	c.Close()
	if _, err := st.Commit(counters.ChunkID{1}, c.Tally, counters.ChunkInfo{Kind: "pop3"}); err != nil {
		b.Fatal(err)
	}
	st.Close()
	b.ReportAllocs()
	for b.Loop() {
		var errb bytes.Buffer
		a := newApp(os.Stdin, io.Discard, &errb)
		a.cfg.Loc = time.UTC
		if code := a.exit([]string{"maillogs", "--db", db, "report", "pop3", "--day", "2026-11-20"}); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
	b.ReportMetric(float64(users)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
}
