// Command maillogs turns qmail and friends' multilog chunks into
// ever-increasing counters and answers them to people, scripts and snmpd.
//
// One binary, many names: as sendlog, smtplog, pop3log (any <kind>log) it is
// a multilog processor; as maillogs it queries, dumps and catches up.
package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	_ "time/tzdata" // TZ works where the system has no zoneinfo (containers, minimal Debian)

	"github.com/maillogs/maillogs/parsers"
)

// Version is set with -ldflags "-X main.Version=…" by make.
var Version string

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// processorKind returns the kind a program name stands for: "sendlog" is
// "send". It returns "" for any other name.
func processorKind(name string) string {
	base := filepath.Base(name)
	k, ok := strings.CutSuffix(base, "log")
	if !ok {
		return ""
	}
	for _, kind := range parsers.Kinds() {
		if k == kind {
			return kind
		}
	}
	return ""
}

// run dispatches on argv[0]; it returns the exit status.
func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	if kind := processorKind(args[0]); kind != "" {
		name := filepath.Base(args[0])
		if len(args) > 1 && (args[1] == "--version" || args[1] == "-v") {
			fmt.Fprintf(stdout, "%s %s\n", name, version())
			return 0
		}
		if len(args) > 1 {
			fmt.Fprintf(stderr, "%s: error: a multilog processor takes no arguments (got %q)\n", name, args[1:])
			fmt.Fprintf(stderr, "%s: hint: use it as: multilog t '!%s' ./main; settings come from MAILLOGS_DB\n", name, args[0])
			// The input is still copied: a wrong run line must not stall mail.
		}
		return process(name, kind, loadConfig(), stdin, stdout, stderr)
	}
	return newApp(stdin, stdout, stderr).exit(args)
}
