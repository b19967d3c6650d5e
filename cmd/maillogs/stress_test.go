package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stressScale is how many lines each generator writes: enough for about
// 150 rotations of each directory in make test; MAILLOGS_SOAK=1 (make
// soak) writes ten times more.
func stressScale() int {
	if os.Getenv("MAILLOGS_SOAK") != "" {
		return 100000
	}
	return 10000
}

// stressKinds are the generators: one line shape per kind and the counter
// each line moves.
var stressKinds = []struct {
	kind, counter string
	line          func(i int) string
}{
	{"send", "message_new", func(i int) string { return fmt.Sprintf("new msg %d", i) }},
	{"smtp", "smtp_connect", func(i int) string { return fmt.Sprintf("tcpserver: pid %d from 192.0.2.%d", i, i%250) }},
	{"pop3", "pop3_success", func(i int) string {
		return fmt.Sprintf("vchkpw-pop3: (PLAIN) login success user%d@example.org:192.0.2.%d", i%50, i%250)
	}},
}

// Three real multilogs with tiny chunks rotate hundreds of times while
// generators write known lines; a real pass_persist responder is walked
// the whole time, and catchup and dump run in a loop. At the end every
// counter equals the lines written, no processor run took longer than its
// bound, and no value the walker was served ever went down.
func TestStressRotations(t *testing.T) {
	needTool(t, "multilog")
	e := newEnv(t)
	n := stressScale()
	times := filepath.Join(e.dir, "times")
	logs := map[string]*multilog{}
	for _, k := range stressKinds {
		// The processor runs under a wrapper that writes how long it took.
		wrap := filepath.Join(e.dir, k.kind+"log-timed")
		os.WriteFile(wrap, []byte(fmt.Sprintf("#!/bin/sh\ns=$(date +%%s%%N)\n%s\nrc=$?\necho $(( ($(date +%%s%%N) - s) / 1000000 )) %s >> %s\nexit $rc\n",
			filepath.Join(binDir, k.kind+"log"), k.kind, times)), 0o755)
		logs[k.kind] = startMultilog(t, e, wrap, filepath.Join(e.dir, k.kind), 4096)
	}

	for _, k := range stressKinds { // the first rotations create the store
		fmt.Fprintln(logs[k.kind].in, k.line(0))
		logs[k.kind].rotate()
	}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	var walks, checked int
	var drops []string
	bg.Add(1)
	go func() { // the walker: a pass_persist session, walked over and over
		defer bg.Done()
		walks, checked, drops = walkWhile(t, e, stop)
	}()
	loops := 0
	bg.Add(1)
	go func() { // catchup and dump, as cron and people run them
		defer bg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, args := range [][]string{{"catchup", "-q"}, {"dump"}} {
				if _, errs, code := e.maillogsCode(args...); code != 0 {
					t.Errorf("maillogs %s: exit %d: %s", args[0], code, errs)
				}
			}
			loops++
		}
	}()

	var gen sync.WaitGroup
	for _, k := range stressKinds {
		gen.Add(1)
		go func() {
			defer gen.Done()
			w := bufio.NewWriter(logs[k.kind].in)
			for i := 1; i < n; i++ {
				fmt.Fprintln(w, k.line(i))
				if i%500 == 499 {
					w.Flush()
					time.Sleep(time.Millisecond)
				}
			}
			w.Flush()
		}()
	}
	gen.Wait()
	for _, k := range stressKinds { // EOF: multilog reads the pipe dry, runs its processors and exits
		logs[k.kind].in.Close()
	}
	for _, k := range stressKinds {
		done := make(chan error, 1)
		go func() { done <- logs[k.kind].cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s multilog: %v: %s", k.kind, err, logs[k.kind].stder.String())
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("%s multilog did not finish after EOF", k.kind)
		}
	}
	close(stop)
	bg.Wait()
	if _, errs, code := e.maillogsCode("catchup", "-q"); code != 0 { // as cron would, for anything spooled
		t.Errorf("final catchup: exit %d: %s", code, errs)
	}

	rotations := 0
	for _, k := range stressKinds {
		files, _ := filepath.Glob(filepath.Join(e.dir, k.kind, "@*.s"))
		rotations += len(files)
		v := e.values(k.kind)
		wantValues(t, v, map[string]uint64{"lines": uint64(n), k.counter: uint64(n), "unparsed": 0})
	}
	raw, _ := os.ReadFile(times)
	worst, runs := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(line)
		if len(f) == 2 {
			ms, _ := strconv.Atoi(f[0])
			worst, runs = max(worst, ms), runs+1
		}
	}
	if bound := defaultProcessBound.Milliseconds(); int64(worst) > bound {
		t.Errorf("a processor run took %d ms, longer than its %d ms bound", worst, bound)
	}
	if len(drops) > 0 {
		t.Errorf("the walker saw %d values go down: %v", len(drops), drops[:min(len(drops), 5)])
	}
	if walks < 3 || checked < 100*walks {
		t.Errorf("the walker finished %d walks and compared %d Counter64 values", walks, checked)
	}
	if t.Failed() {
		return
	}
	t.Logf("stress: %d lines of each of 3 kinds, %d rotations, %d processor runs (slowest %d ms), %d walks comparing %d values, %d catchup+dump loops, every counter exact",
		n, rotations, runs, worst, walks, checked, loops)
}

// walkWhile walks the SNMP tree through a real `maillogs snmp`
// pass_persist process until stop closes, and returns how many walks it
// made, how many Counter64 values it compared, and every one that went down.
func walkWhile(t *testing.T, e *env, stop chan struct{}) (walks, checked int, drops []string) {
	c := e.cmd("maillogs", "snmp")
	in, _ := c.StdinPipe()
	outp, _ := c.StdoutPipe()
	if err := c.Start(); err != nil {
		t.Error(err)
		return 0, 0, nil
	}
	defer func() { in.Close(); c.Wait() }()
	r := bufio.NewReader(outp)
	last := map[string]uint64{}
	for {
		select {
		case <-stop:
			return walks, checked, drops
		default:
		}
		oid := defaultBase
		for {
			fmt.Fprintf(in, "PING\ngetnext\n%s\n", oid)
			if pong, _ := r.ReadString('\n'); pong != "PONG\n" {
				t.Errorf("pass_persist said %q to PING", pong)
				return walks, checked, drops
			}
			got, _ := r.ReadString('\n')
			got = strings.TrimSpace(got)
			if got == "NONE" || got == "" {
				break
			}
			typ, _ := r.ReadString('\n')
			val, _ := r.ReadString('\n')
			oid = got
			if strings.TrimSpace(typ) != "counter64" {
				continue
			}
			v, _ := strconv.ParseUint(strings.TrimSpace(val), 10, 64)
			if prev, ok := last[oid]; ok {
				checked++
				if v < prev {
					drops = append(drops, fmt.Sprintf("%s %d→%d", oid, prev, v))
				}
			}
			last[oid] = v
		}
		walks++
	}
}
