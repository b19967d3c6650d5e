package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

func (a *app) rebuildCommand() *cli.Command {
	return &cli.Command{
		Name: "rebuild",
		Usage: "move a damaged store aside and count every archive, @….u file and spooled chunk of every log directory into a new one " +
			"(only what the archives still hold comes back)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Usage: "rebuild even a healthy store"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress line"},
		},
		Action: a.rebuild,
	}
}

// rebuild is the one way a store is ever replaced: asked for by name, the
// old file kept beside it.
func (a *app) rebuild(c *cli.Context) error {
	db := a.cfg.DB
	st, err := counters.Open(db, counters.Options{ReadOnly: true, Timeout: a.cfg.LockTimeout})
	switch {
	case err == nil:
		st.Close()
		if !c.Bool("force") {
			return a.fail(1, fmt.Errorf("the store %s is healthy; not rebuilding it", db),
				"a rebuild keeps only what the archives still hold, so graphs would drop; add --force if that is what you want")
		}
	case errors.Is(err, counters.ErrLocked):
		return a.storeFail(err)
	case errors.Is(err, os.ErrNotExist):
		// Nothing to move aside: count into a new store.
	}
	if _, err := os.Lstat(db); err == nil {
		aside := db + ".damaged-" + time.Now().Format("20060102-150405")
		if err := os.Rename(db, aside); err != nil {
			return a.fail(1, fmt.Errorf("move the store aside: %w", err), "the store's directory must be writable by this user")
		}
		fmt.Fprintf(a.out, "rebuild: moved %s to %s\n", db, aside)
	}
	var dirs []string
	for _, k := range parsers.Kinds() {
		if dirExists(a.cfg.dir(k)) {
			dirs = append(dirs, a.cfg.dir(k))
		}
	}
	if sp := a.cfg.spoolDir(); dirExists(sp) {
		dirs = append(dirs, sp)
	}
	files, err := a.catchupList(dirs, "")
	if err != nil {
		return a.fail(1, err, "the log directories are MAILLOGS_<KIND>_DIR: "+strings.Join(dirs, ", "))
	}
	if len(files) == 0 {
		a.lg.warnf("no archives found in %s: the new store starts at zero", strings.Join(dirs, ", "))
	}
	return a.countFiles(files, !c.Bool("quiet") && isTerminal(a.err))
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
