package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"

	"github.com/maillogs/maillogs/counters"
)

// Spooled chunks are files named <kind>.<chunk id>.chunk holding the chunk's
// bytes, mode 0640, in a 0750 directory.
const spoolSuffix = ".chunk"

func spoolName(kind string, id counters.ChunkID) string {
	return kind + "." + id.String() + spoolSuffix
}

// parseSpoolName returns the kind of a spool file name, or "".
func parseSpoolName(name string) string {
	base, ok := strings.CutSuffix(name, spoolSuffix)
	if !ok {
		return ""
	}
	kind, id, ok := strings.Cut(base, ".")
	if !ok || len(id) != 64 {
		return ""
	}
	return kind
}

// spoolTemp is a spool file being written while a non-seekable input
// streams through; its final name is known only at the end.
type spoolTemp struct {
	f *os.File
}

func newSpoolTemp(dir, kind string) (*spoolTemp, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, kind+".*.incoming") // mode 0600
	if err != nil {
		return nil, err
	}
	return &spoolTemp{f: f}, nil
}

func (s *spoolTemp) Write(p []byte) (int, error) { return s.f.Write(p) }

// discard removes the temporary file; a nil spoolTemp does nothing.
func (s *spoolTemp) discard() {
	if s != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}

// spoolChunk keeps a chunk for a later catch-up: from tmp when the input
// was teed, else by reading the input again from its start.
func spoolChunk(dir, kind string, id counters.ChunkID, in io.ReadSeeker, tmp *spoolTemp) (string, error) {
	path := filepath.Join(dir, spoolName(kind, id))
	if tmp != nil {
		err := tmp.f.Chmod(0o640)
		if err == nil {
			err = tmp.f.Sync()
		}
		if cerr := tmp.f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp.f.Name(), path)
		}
		if err != nil {
			os.Remove(tmp.f.Name())
			return "", fmt.Errorf("spool: %w", err)
		}
		return path, syncDir(dir)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	pf, err := renameio.NewPendingFile(path, renameio.WithPermissions(0o640), renameio.WithTempDir(dir))
	if err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	defer pf.Cleanup()
	if _, err := io.Copy(pf, in); err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	if err := pf.CloseAtomicallyReplace(); err != nil {
		return "", fmt.Errorf("spool: %w", err)
	}
	return path, syncDir(dir)
}

// syncDir makes a rename in dir durable (renameio does not).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// spooled lists the spool files, oldest name first.
func spooled(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && parseSpoolName(e.Name()) != "" {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}
