package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
	"github.com/maillogs/maillogs/tai64n"
)

// Defaults. Every setting can be given as an environment variable, so that
// an envdir next to a run file configures everything.
const (
	defaultDB          = "/var/lib/maillogs/maillogs.db"
	defaultLogBase     = "/var/log/qmail"
	defaultLockTimeout = 3 * time.Second
	// processBound is the longest a processor run waits on the store, all
	// included, before it spools its chunk and lets multilog go on.
	defaultProcessBound = 8 * time.Second
	// defaultKeepDays is how many days of per-day and per-hour data (what
	// the reports read) the writers keep; two months covers "last month".
	defaultKeepDays = 62
)

// config is what every command reads from its flags and environment.
type config struct {
	DB           string
	Spool        string
	LockTimeout  time.Duration
	ProcessBound time.Duration
	Mode         tai64n.Mode
	Loc          *time.Location
	KeepDays     int               // 0 keeps every day
	dirs         map[string]string // kind → log directory
}

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// loadConfig reads the environment: MAILLOGS_DB, MAILLOGS_SPOOL,
// MAILLOGS_LOCK_TIMEOUT, MAILLOGS_PROCESS_TIMEOUT, MAILLOGS_TAI64N
// (daemontools or tai), MAILLOGS_KEEP_DAYS and MAILLOGS_<KIND>_DIR.
func loadConfig() *config {
	c := &config{
		DB:           os.Getenv("MAILLOGS_DB"),
		Spool:        os.Getenv("MAILLOGS_SPOOL"),
		LockTimeout:  envDuration("MAILLOGS_LOCK_TIMEOUT", defaultLockTimeout),
		ProcessBound: envDuration("MAILLOGS_PROCESS_TIMEOUT", defaultProcessBound),
		Loc:          time.Local,
		KeepDays:     defaultKeepDays,
		dirs:         map[string]string{},
	}
	if c.DB == "" {
		c.DB = defaultDB
	}
	if v := os.Getenv("MAILLOGS_KEEP_DAYS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			c.KeepDays = n
		}
	}
	if strings.EqualFold(os.Getenv("MAILLOGS_TAI64N"), "tai") {
		c.Mode = tai64n.TAI
	}
	for _, k := range parsers.Kinds() {
		d := os.Getenv("MAILLOGS_" + strings.ToUpper(k) + "_DIR")
		if d == "" {
			d = filepath.Join(defaultLogBase, k)
		}
		c.dirs[k] = d
	}
	return c
}

// spoolDir is where chunks wait that could not be committed: beside the
// store unless MAILLOGS_SPOOL says otherwise.
func (c *config) spoolDir() string {
	if c.Spool != "" {
		return c.Spool
	}
	return filepath.Join(filepath.Dir(c.DB), "spool")
}

// dir returns the log directory of kind.
func (c *config) dir(kind string) string { return c.dirs[kind] }

// kindOfPath returns the kind whose log directory holds path, or "".
func (c *config) kindOfPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	for k, d := range c.dirs {
		ad, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		if abs == ad || filepath.Dir(abs) == ad {
			return k
		}
	}
	return ""
}

// retention is how long writers keep the per-day and per-hour data.
func (c *config) retention() counters.Retention {
	return counters.Retention{Days: c.KeepDays, Loc: c.Loc}
}
