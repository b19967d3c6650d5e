package main

import (
	"fmt"
	"hash"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

// Exit status of a processor that could not copy its input: multilog then
// runs it again on the same chunk, which is right, and nothing is lost.
const exitCopyFailed = 111

// chunkReader streams a chunk once: every byte goes to the hash and the
// parser, and to a tee (stdout, a spool file) when there is one.
type chunkReader struct {
	hash  hash.Hash
	count *parsers.Counter
}

func newChunkReader(kind string, ref time.Time, cfg *config) (*chunkReader, error) {
	c, err := parsers.New(kind, ref, cfg.Loc)
	if err != nil {
		return nil, err
	}
	c.Split.Mode = cfg.Mode
	return &chunkReader{hash: counters.NewChunkHash(kind), count: c}, nil
}

// copy reads r to EOF into the hash, the parser and tee. It returns an
// error that says which side failed.
func (cr *chunkReader) copy(r io.Reader, tee io.Writer, buf []byte) error {
	for {
		n, rerr := r.Read(buf)
		if n > 0 {
			if tee != nil {
				if _, err := tee.Write(buf[:n]); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
			cr.hash.Write(buf[:n])
			cr.count.Write(buf[:n])
		}
		if rerr == io.EOF {
			cr.count.Close()
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("read input: %w", rerr)
		}
	}
}

func (cr *chunkReader) id() counters.ChunkID { return counters.SumID(cr.hash) }

func (cr *chunkReader) info(kind string) counters.ChunkInfo {
	return counters.ChunkInfo{
		Kind:      kind,
		Committed: time.Now(),
		Lines:     cr.count.Tally.Fixed[counters.Lines],
		Bytes:     cr.count.Bytes(),
	}
}

// commitChunk opens the store, commits one chunk and closes it again, so
// that the lock is held for one transaction only.
func commitChunk(cfg *config, id counters.ChunkID, t *counters.Tally, info counters.ChunkInfo) (bool, error) {
	st, err := counters.Open(cfg.DB, counters.Options{Timeout: cfg.LockTimeout, Retention: cfg.retention()})
	if err != nil {
		return false, err
	}
	added, err := st.Commit(id, t, info)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close store: %w", cerr)
	}
	return added, err
}

// process is a multilog processor run: stdin is the rotated chunk, stdout
// the file multilog keeps. Rules (DESIGN.md §2): stdout is stdin byte for
// byte; exit non-zero only when that copy failed; any other trouble spools
// the chunk, says one line on stderr and exits 0, within a bounded time.
func process(name, kind string, cfg *config, in *os.File, out io.Writer, errw io.Writer) int {
	start := time.Now()
	lg := &logger{name: name, w: errw}

	// Until the copy is complete a TERM must not look like success (svlogd
	// takes death by signal for success): exit 111 so the chunk is re-run.
	var copied atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		for range sigs {
			if !copied.Load() {
				os.Exit(exitCopyFailed)
			}
		}
	}()

	cr, err := newChunkReader(kind, start, cfg)
	if err != nil {
		lg.errorf("%v", err)
		return exitCopyFailed
	}
	// A seekable stdin (multilog's previous, svlogd's @….u) can be read
	// again to spool it; anything else is teed to a spool file as it goes.
	var tee io.Writer = out
	var tmp *spoolTemp
	if _, err := in.Seek(0, io.SeekCurrent); err != nil {
		if tmp, err = newSpoolTemp(cfg.spoolDir(), kind); err == nil {
			tee = io.MultiWriter(out, tmp)
		}
	}
	if err := cr.copy(in, tee, make([]byte, 256<<10)); err != nil {
		lg.errorf("%v", err)
		lg.hintf("the logger runs this chunk again; nothing was counted")
		tmp.discard()
		return exitCopyFailed
	}
	copied.Store(true)

	id := cr.id()
	crashPoint("before-commit")
	done := make(chan error, 1)
	go func() {
		_, err := commitChunk(cfg, id, cr.count.Tally, cr.info(kind))
		if err == nil {
			crashPoint("after-commit")
		}
		done <- err
	}()
	wait := cfg.ProcessBound - time.Since(start)
	select {
	case err = <-done:
	case <-time.After(max(wait, 0)):
		err = fmt.Errorf("store did not answer within %v", cfg.ProcessBound)
	}
	if err != nil {
		// The commit may still finish after we spool: catch-up then finds
		// the chunk counted and skips it, so nothing is counted twice.
		where, serr := spoolChunk(cfg.spoolDir(), kind, id, in, tmp)
		if serr != nil {
			lg.errorf("%v; could not spool the chunk either: %v", err, serr)
			lg.hintf("the chunk is kept only in this log directory's next @….s file: after fixing, run maillogs catchup on that file")
		} else {
			lg.errorf("%v; chunk spooled as %s", err, where)
			lg.hintf("%s; then 'maillogs catchup' (cron runs it) counts the chunk", storeFix(err, cfg.DB))
		}
		return 0
	}
	tmp.discard()
	writeState(kind, id, cr)
	reportPeak(errw)
	return 0
}

// crashPoint kills the process with SIGKILL at the named point when
// MAILLOGS_TEST_CRASH names it: the crash tests use it to stop a run
// exactly between its commit and its exit.
func crashPoint(name string) {
	if os.Getenv("MAILLOGS_TEST_CRASH") == name {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
}

// writeState leaves a hint for the next run on fd 5 (multilog's newstate).
// It is only a hint: a missing or closed fd 5 (s6-log ≤ 2.11.3.2) is fine.
// The fd is written with a raw syscall: an os.File would close it when
// collected.
func writeState(kind string, id counters.ChunkID, cr *chunkReader) {
	var st syscall.Stat_t
	if syscall.Fstat(5, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return
	}
	line := fmt.Sprintf("maillogs %s chunk %s lines %d\n", kind, id, cr.count.Tally.Fixed[counters.Lines])
	syscall.Write(5, []byte(line))
}

// reportPeak prints the process's peak resident memory (VmHWM, which starts
// anew at exec) when MAILLOGS_TEST_HWM is set: the memory test reads it.
func reportPeak(w io.Writer) {
	if os.Getenv("MAILLOGS_TEST_HWM") == "" {
		return
	}
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			fmt.Fprintf(w, "test-hwm: %s\n", strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
		}
	}
}

// logger writes the one-line errors and hints of STYLE.md.
type logger struct {
	name string
	w    io.Writer
}

func (l *logger) errorf(format string, a ...any) {
	fmt.Fprintf(l.w, "%s: error: %s\n", l.name, fmt.Sprintf(format, a...))
}

func (l *logger) warnf(format string, a ...any) {
	fmt.Fprintf(l.w, "%s: warning: %s\n", l.name, fmt.Sprintf(format, a...))
}

func (l *logger) hintf(format string, a ...any) {
	fmt.Fprintf(l.w, "%s: hint: %s\n", l.name, fmt.Sprintf(format, a...))
}
