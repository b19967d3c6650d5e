package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/maillogs/maillogs/counters"
	"github.com/maillogs/maillogs/parsers"
)

// app is the maillogs command with its streams, so tests can run it in
// process.
type app struct {
	in       *os.File
	out, err io.Writer
	cfg      *config
	lg       *logger
}

func newApp(in *os.File, out, errw io.Writer) *app {
	return &app{in: in, out: out, err: errw, cfg: loadConfig(), lg: &logger{name: "maillogs", w: errw}}
}

// exitError carries an exit status out of an Action; its message, if any,
// was printed already.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// fail prints an error line and hint lines and returns exit status 1 (2 for
// a usage error).
func (a *app) fail(code int, err error, hints ...string) error {
	a.lg.errorf("%v", err)
	for _, h := range hints {
		a.lg.hintf("%s", h)
	}
	return exitError(code)
}

// storeFail explains a failure to open the store for reading.
func (a *app) storeFail(err error) error {
	return a.fail(1, err, storeFix(err, a.cfg.DB))
}

func (a *app) exit(args []string) int {
	err := a.cli().Run(args)
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return int(ee)
	default:
		a.lg.errorf("%v", err)
		a.lg.hintf("run 'maillogs help' for the commands and their flags")
		return 2
	}
}

func (a *app) cli() *cli.App {
	kinds := parsers.Kinds()
	noLive := &cli.BoolFlag{Name: "no-live", Usage: "answer the store alone, without counting the log directories' current files"}
	format := &cli.StringFlag{Name: "format", Value: "text", Usage: "text or json"}
	cmds := []*cli.Command{
		{
			Name:      "process",
			Usage:     "be a multilog processor for a log kind (what the sendlog, smtplog, … links do)",
			ArgsUsage: " ",
			Flags:     []cli.Flag{&cli.StringFlag{Name: "kind", Required: true, Usage: strings.Join(kinds, ", ")}},
			Action: func(c *cli.Context) error {
				kind := c.String("kind")
				if parsers.Vocab(kind) == nil {
					a.lg.errorf("unknown kind %q; copying the input through uncounted", kind)
					a.lg.hintf("kinds are: %s", strings.Join(kinds, ", "))
					if _, err := io.Copy(a.out, a.in); err != nil {
						return exitError(exitCopyFailed)
					}
					return nil
				}
				if code := process("maillogs process", kind, a.cfg, a.in, a.out, a.err); code != 0 {
					return exitError(code)
				}
				return nil
			},
		},
		{
			Name:  "dump",
			Usage: "print every counter as 'kind.counter value', sorted, zeros included",
			Flags: []cli.Flag{format, noLive,
				&cli.BoolFlag{Name: "users", Usage: "print the per-user counters instead"},
				&cli.StringSliceFlag{Name: "kind", Usage: "only these kinds"},
			},
			Action: a.dump,
		},
		{
			Name:      "catchup",
			Usage:     "count spooled chunks, @….u files and old archives, each exactly once",
			ArgsUsage: "[DIR|FILE]…",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "kind", Usage: "the kind of the files given (else taken from the directory or spool name)"},
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress line"},
			},
			Action: a.catchup,
		},
		{
			Name:   "check",
			Usage:  "say whether the store is healthy, what is spooled and which log directories wait; exit 1 if anything is wrong",
			Action: a.check,
		},
	}
	cmds = append(cmds, a.snmpCommand(), a.usersCommand(), a.reportCommand(), a.rebuildCommand())
	for _, k := range kinds {
		k := k
		cmds = append(cmds, &cli.Command{
			Name:  k,
			Usage: "print the " + k + " counters on one line, name:value:name:value… (the Perl maillogs form)",
			Flags: []cli.Flag{noLive},
			Action: func(c *cli.Context) error {
				return a.oneLine(c, k)
			},
		})
	}
	return &cli.App{
		Name:      "maillogs",
		Usage:     "ever-increasing mail counters from multilog directories",
		Version:   version(),
		Reader:    a.in,
		Writer:    a.out,
		ErrWriter: a.err,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", EnvVars: []string{"MAILLOGS_DB"}, Value: defaultDB, Usage: "the counter store"},
		},
		Before: func(c *cli.Context) error {
			a.cfg.DB = c.String("db")
			return nil
		},
		Commands:       cmds,
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

func (a *app) dump(c *cli.Context) error {
	kinds := c.StringSlice("kind")
	if len(kinds) == 0 {
		kinds = parsers.Kinds()
	}
	if err := a.checkKinds(kinds); err != nil {
		return err
	}
	if err := a.checkFormat(c, "text", "json"); err != nil {
		return err
	}
	f := c.String("format")
	views, err := gather(a.cfg, kinds, !c.Bool("no-live"), c.Bool("users"))
	if err != nil {
		return a.storeFail(err)
	}
	if c.Bool("users") {
		return a.dumpUsers(views, kinds, f)
	}
	if f == "json" {
		m := map[string]map[string]uint64{}
		for k, v := range views {
			m[k] = v.Values
		}
		return writeJSON(a.out, m)
	}
	for _, k := range kinds {
		if err := counters.WriteDump(a.out, k, views[k].Values); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) dumpUsers(views map[string]*kindView, kinds []string, f string) error {
	if f == "json" {
		m := map[string]map[string]map[string]uint64{}
		for _, k := range kinds {
			m[k] = map[string]map[string]uint64{}
			for u, r := range views[k].Users {
				cm := map[string]uint64{}
				for n, v := range r.Counters {
					cm[n] = v
				}
				if !r.LastSeen.IsZero() {
					cm["last_seen"] = uint64(r.LastSeen.Unix())
				}
				m[k][u] = cm
			}
		}
		return writeJSON(a.out, m)
	}
	for _, k := range kinds {
		users := views[k].Users
		for _, u := range counters.SortedNames(users) {
			r := users[u]
			for _, n := range counters.SortedNames(r.Counters) {
				fmt.Fprintf(a.out, "%s\t%s\t%s\t%d\n", k, u, n, r.Counters[n])
			}
		}
	}
	return nil
}

// checkKinds refuses a kind that has no parser.
func (a *app) checkKinds(kinds []string) error {
	for _, k := range kinds {
		if parsers.Vocab(k) == nil {
			return a.fail(2, fmt.Errorf("unknown kind %q", k), "kinds are: "+strings.Join(parsers.Kinds(), ", "))
		}
	}
	return nil
}

// checkFormat refuses a --format that is not one of formats.
func (a *app) checkFormat(c *cli.Context, formats ...string) error {
	f := c.String("format")
	if slices.Contains(formats, f) {
		return nil
	}
	return a.fail(2, fmt.Errorf("unknown format %q", f), "use --format "+strings.Join(formats, ", "))
}

// userMap reads --map (MAILLOGS_USER_MAP), with the fix when it is wrong.
func (a *app) userMap(c *cli.Context) (map[string]string, error) {
	m, err := readUserMap(c.String("map"))
	if err != nil {
		return nil, a.fail(1, err, "each line of the map is 'alias canonical' ('#' starts a comment); fix the file or leave --map out")
	}
	return m, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// oneLine prints name:value:… with the kind's fixed key set in its fixed
// order, zeros included, for munin plugins and snmpd extend.
func (a *app) oneLine(c *cli.Context, kind string) error {
	views, err := gather(a.cfg, []string{kind}, !c.Bool("no-live"), false)
	if err != nil {
		return a.storeFail(err)
	}
	vals := views[kind].Values
	var b strings.Builder
	keys := append(append([]string{}, parsers.Vocab(kind).Names...), parsers.Gauges(kind)...)
	for i, n := range keys {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%s:%d", n, vals[n])
	}
	b.WriteByte('\n')
	_, err = io.WriteString(a.out, b.String())
	return err
}
