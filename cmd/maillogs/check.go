package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

// health is what check found; snmp serves the same facts.
type health struct {
	StoreOK    bool
	StoreErr   error
	Chunks     map[string]counters.ChunkStats
	Spooled    int
	Unfinished map[string]int // kind → @….u files not counted
	Unwired    map[string]int // kind → @….s files not counted
	Missing    map[string]bool
}

// chunkIDOf hashes a chunk file as the processor would have.
func (a *app) chunkIDOf(kind, path string, buf []byte) (counters.ChunkID, error) {
	r, closeFn, _, err := openChunk(path)
	if err != nil {
		return counters.ChunkID{}, err
	}
	defer closeFn()
	h := counters.NewChunkHash(kind)
	for {
		n, err := r.Read(buf)
		h.Write(buf[:n])
		if err != nil {
			if err == io.EOF {
				return counters.SumID(h), nil
			}
			return counters.ChunkID{}, err
		}
	}
}

func (a *app) health() *health {
	h := &health{Unfinished: map[string]int{}, Unwired: map[string]int{}, Missing: map[string]bool{}}
	sp, _ := spooled(a.cfg.spoolDir())
	h.Spooled = len(sp)
	st, err := counters.Open(a.cfg.DB, counters.Options{ReadOnly: true, Timeout: a.cfg.LockTimeout})
	if err != nil {
		h.StoreErr = err
		return h
	}
	defer st.Close()
	buf := make([]byte, 256<<10)
	h.StoreErr = st.View(func(sn *counters.Snapshot) error {
		if err := sn.Check(); err != nil {
			return err
		}
		h.Chunks = sn.Chunks()
		for _, k := range parsers.Kinds() {
			dir := a.cfg.dir(k)
			files, err := archives(dir, false)
			if err != nil {
				h.Missing[k] = true
				continue
			}
			for _, f := range files {
				id, err := a.chunkIDOf(k, f, buf)
				if err != nil || sn.Committed(id) {
					continue
				}
				if filepath.Ext(f) == ".u" {
					h.Unfinished[k]++
				} else {
					h.Unwired[k]++
				}
			}
		}
		return nil
	})
	h.StoreOK = h.StoreErr == nil
	return h
}

func (a *app) check(c *cli.Context) error {
	h := a.health()
	bad := false
	out := a.out
	if h.StoreOK {
		fmt.Fprintf(out, "store: ok: %s\n", a.cfg.DB)
		for _, k := range counters.SortedNames(h.Chunks) {
			st := h.Chunks[k]
			fmt.Fprintf(out, "store: %s: %d chunks counted, last at %s\n", k, st.Chunks, st.LastCommit.Format("2006-01-02 15:04:05"))
		}
	} else {
		bad = true
		fmt.Fprintf(out, "store: FAULT: %v\n", h.StoreErr)
		fmt.Fprintf(out, "store: fix: %s\n", storeFix(h.StoreErr, a.cfg.DB))
	}
	if h.Spooled > 0 {
		bad = true
		fmt.Fprintf(out, "spool: %d chunks wait in %s\n", h.Spooled, a.cfg.spoolDir())
		fmt.Fprintf(out, "spool: fix: run 'maillogs catchup' once the store is healthy\n")
	} else {
		fmt.Fprintf(out, "spool: empty\n")
	}
	for _, k := range parsers.Kinds() {
		dir := a.cfg.dir(k)
		switch {
		case h.Missing[k]:
			fmt.Fprintf(out, "%s: %s: no such log directory (set MAILLOGS_%s_DIR if this kind is used)\n", k, dir, upper(k))
		case h.Unfinished[k] > 0:
			bad = true
			fmt.Fprintf(out, "%s: %s: %d @….u files were never processed (a crash of multilog)\n", k, dir, h.Unfinished[k])
			fmt.Fprintf(out, "%s: fix: run 'maillogs catchup'\n", k)
		case h.Unwired[k] > 0:
			bad = true
			fmt.Fprintf(out, "%s: %s: %d finished @….s files were never counted: is the processor wired?\n", k, dir, h.Unwired[k])
			fmt.Fprintf(out, "%s: fix: put '!/usr/local/bin/%slog' in its multilog line, then run 'maillogs catchup --kind %s %s'\n", k, k, k, dir)
		default:
			fmt.Fprintf(out, "%s: %s: ok\n", k, dir)
		}
	}
	if bad {
		return exitError(1)
	}
	return nil
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// storeFix says what to do about a store fault. The processors' hint,
// check's fix line and the queries' hint all come from here.
func storeFix(err error, path string) string {
	switch {
	case errors.Is(err, counters.ErrLocked):
		return "a process held the store's lock past MAILLOGS_LOCK_TIMEOUT: find it with 'fuser " + path + "'"
	case errors.Is(err, counters.ErrEmpty), errors.Is(err, counters.ErrCorrupt):
		return "the store is damaged: 'maillogs rebuild' moves it aside and counts the log archives and the spool into a new one"
	case errors.Is(err, os.ErrNotExist):
		return "no store at MAILLOGS_DB (" + path + "): the processors create it at their first rotation when its directory exists and the log user may write it (make install makes it); is MAILLOGS_DB the same for them and for this command?"
	case errors.Is(err, os.ErrPermission):
		return "the store's permissions: the log user writes it, snmpd's group reads it (directory 0750, file 0640)"
	}
	return "run 'maillogs check' to see what is wrong with the store"
}
