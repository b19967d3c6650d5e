package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/parsers"
)

// chunkFile is one file catch-up counts.
type chunkFile struct {
	kind, path string
	spooled    bool // remove it once it is counted
}

// archives lists a log directory's finished (@….s) and unprocessed (@….u)
// files, oldest first; with unprocessedOnly, the @….u files alone.
func archives(dir string, unprocessedOnly bool) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || len(n) < 27 || n[0] != '@' {
			continue
		}
		if strings.HasSuffix(n, ".u") || (!unprocessedOnly && strings.HasSuffix(n, ".s")) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out, nil
}

// warnLinks says which chunk-named entries of dir are not regular files:
// they are skipped, never followed, and never skipped silently.
func (a *app) warnLinks(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() && !e.IsDir() && (n[0] == '@' || strings.HasSuffix(n, ".chunk")) {
			a.lg.warnf("skipped %s: not a regular file (a symlink is never followed in the spool or a log directory)", filepath.Join(dir, n))
		}
	}
}

// catchupList works out which files to count and their kinds.
func (a *app) catchupList(args []string, kindFlag string) ([]chunkFile, error) {
	var files []chunkFile
	spoolDir := a.cfg.spoolDir()
	addSpool := func() error {
		a.warnLinks(spoolDir)
		sp, err := spooled(spoolDir)
		for _, p := range sp {
			files = append(files, chunkFile{kind: parseSpoolName(filepath.Base(p)), path: p, spooled: true})
		}
		return err
	}
	if len(args) == 0 {
		if err := addSpool(); err != nil {
			return nil, err
		}
		for _, k := range parsers.Kinds() {
			a.warnLinks(a.cfg.dir(k))
			us, err := archives(a.cfg.dir(k), true)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
			for _, p := range us {
				files = append(files, chunkFile{kind: k, path: p})
			}
		}
		return files, nil
	}
	for _, arg := range args {
		fi, err := os.Lstat(arg)
		if err != nil {
			return nil, err
		}
		if abs, _ := filepath.Abs(arg); fi.IsDir() && abs == mustAbs(spoolDir) {
			if err := addSpool(); err != nil {
				return nil, err
			}
			continue
		}
		kind := kindFlag
		if fi.IsDir() {
			if kind == "" {
				kind = a.cfg.kindOfPath(filepath.Join(arg, "current"))
			}
			if kind == "" {
				return nil, fmt.Errorf("cannot tell the log kind of %s", arg)
			}
			a.warnLinks(arg)
			as, err := archives(arg, false)
			if err != nil {
				return nil, err
			}
			for _, p := range as {
				files = append(files, chunkFile{kind: kind, path: p})
			}
			continue
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", arg)
		}
		spool := false
		if kind == "" {
			if kind = parseSpoolName(filepath.Base(arg)); kind != "" {
				spool = true
			}
		}
		if kind == "" {
			kind = a.cfg.kindOfPath(arg)
		}
		if kind == "" {
			return nil, fmt.Errorf("cannot tell the log kind of %s", arg)
		}
		files = append(files, chunkFile{kind: kind, path: arg, spooled: spool})
	}
	return files, nil
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// openChunk opens a chunk file, uncompressing it when it is gzip.
func openChunk(path string) (io.Reader, func() error, time.Time, error) {
	f, err := openNoFollow(path)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, time.Time{}, fmt.Errorf("%s is not a regular file", path)
	}
	br := bufio.NewReaderSize(f, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, time.Time{}, fmt.Errorf("read %s: %w", path, err)
		}
		return zr, f.Close, fi.ModTime(), nil
	}
	return br, f.Close, fi.ModTime(), nil
}

// countFile counts one chunk file; it returns whether it was new.
func (a *app) countFile(cf chunkFile, buf []byte) (bool, uint64, error) {
	if parsers.Vocab(cf.kind) == nil {
		return false, 0, fmt.Errorf("unknown log kind %q", cf.kind)
	}
	r, closeFn, mtime, err := openChunk(cf.path)
	if err != nil {
		return false, 0, err
	}
	defer closeFn()
	cr, err := newChunkReader(cf.kind, mtime, a.cfg)
	if err != nil {
		return false, 0, err
	}
	if err := cr.copy(r, nil, buf); err != nil {
		return false, 0, fmt.Errorf("%s: %w", cf.path, err)
	}
	added, err := commitChunk(a.cfg, cr.id(), cr.count.Tally, cr.info(cf.kind))
	if err != nil {
		return false, 0, err
	}
	if cf.spooled {
		if err := os.Remove(cf.path); err != nil {
			a.lg.warnf("counted %s but could not remove it: %v", cf.path, err)
		}
	}
	return added, cr.count.Bytes(), nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (a *app) catchup(c *cli.Context) error {
	kind := c.String("kind")
	if kind != "" && parsers.Vocab(kind) == nil {
		return a.fail(2, fmt.Errorf("unknown kind %q", kind), "kinds are: "+strings.Join(parsers.Kinds(), ", "))
	}
	files, err := a.catchupList(c.Args().Slice(), kind)
	if err != nil {
		return a.fail(1, err, "give a log directory with --kind, a file with --kind, or no argument for the spool and the @….u files of the MAILLOGS_<KIND>_DIR directories")
	}
	return a.countFiles(files, !c.Bool("quiet") && isTerminal(a.err))
}

// countFiles counts each file once into the store and says how it went;
// catchup and rebuild share it.
func (a *app) countFiles(files []chunkFile, progress bool) error {
	buf := make([]byte, 256<<10)
	var counted, already, failed int
	var bytes uint64
	last := time.Now()
	for i, cf := range files {
		added, n, err := a.countFile(cf, buf)
		bytes += n
		switch {
		case err != nil:
			failed++
			a.lg.errorf("catchup %s: %v", cf.path, err)
		case added:
			counted++
		default:
			already++
		}
		if progress && time.Since(last) > 500*time.Millisecond {
			fmt.Fprintf(a.err, "\rcatchup: %d/%d files, %.1f MB", i+1, len(files), float64(bytes)/1e6)
			last = time.Now()
		}
	}
	if progress {
		fmt.Fprint(a.err, "\r\033[K")
	}
	fmt.Fprintf(a.out, "catchup: %d chunks counted, %d already counted, %d failed\n", counted, already, failed)
	if failed > 0 {
		a.lg.hintf("fix what the errors above say and run catchup again: what was counted is not counted twice")
		return exitError(1)
	}
	return nil
}
