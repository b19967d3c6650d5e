package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// snmpd is a real net-snmp agent on 127.0.0.1 and a free UDP port.
type snmpd struct {
	t    *testing.T
	addr string
	cmd  *exec.Cmd
	log  bytes.Buffer
}

// freePort returns a port of 127.0.0.1 free for network ("tcp" or "udp").
func freePort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func startSnmpd(t *testing.T, e *env, extra string) *snmpd {
	t.Helper()
	bin := needTool(t, "snmpd")
	needTool(t, "snmpget")
	port := freePort(t, "udp")
	conf := filepath.Join(e.dir, "snmpd.conf")
	ml := filepath.Join(binDir, "maillogs")
	text := fmt.Sprintf(`agentAddress udp:127.0.0.1:%d
rocommunity public 127.0.0.1
rwcommunity private 127.0.0.1
pass_persist %s %s snmp
extend maillogs-send %s send
%s`, port, defaultBase, ml, ml, extra)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &snmpd{t: t, addr: "127.0.0.1:" + strconv.Itoa(port)}
	persist := filepath.Join(e.dir, "snmp-persist")
	os.MkdirAll(persist, 0o700)
	s.cmd = exec.Command(bin, "-f", "-Lo", "-C", "-c", conf, "-p", filepath.Join(e.dir, "snmpd.pid"))
	s.cmd.Env = append(e.vars, "SNMP_PERSISTENT_DIR="+persist, "MIBS=", "MIBDIRS=/nonexistent")
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
		}
	})
	waitFor(t, "snmpd to answer", 10*time.Second, func() bool {
		_, err := s.run("snmpget", "-v2c", "-c", "public", ".1.3.6.1.2.1.1.3.0")
		return err == nil
	})
	return s
}

// run runs a net-snmp client against the agent, numeric OIDs, no MIBs.
func (s *snmpd) run(tool string, args ...string) (string, error) {
	full := append([]string{"-On", "-m", "", "-M", "/dev/null", "-t", "3", "-r", "1"}, args[:len(args)-1]...)
	full = append(full, s.addr, args[len(args)-1])
	c := exec.Command(tool, full...)
	out, err := c.CombinedOutput()
	return string(out), err
}

// walk returns oid → "Type: value".
func parseWalk(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		o, v, ok := strings.Cut(l, " = ")
		if ok {
			m[o] = v
		}
	}
	return m
}

func TestSnmpdServesTheDump(t *testing.T) {
	e := newEnv(t)
	in, _ := sendLines(40, 0)
	e.runProc("sendlog", in)
	smtp, _ := os.ReadFile("../../parsers/testdata/smtp-lnav.log")
	e.runProc("smtplog", smtp)
	s := startSnmpd(t, e, "")

	out, err := s.run("snmpwalk", "-v2c", "-c", "public", defaultBase)
	if err != nil {
		t.Fatalf("snmpwalk: %v\n%s\nsnmpd: %s", err, out, s.log.String())
	}
	walk := parseWalk(out)
	var m map[string]map[string]uint64
	e.maillogs("dump", "--format", "json") // warm: the same store
	if err := jsonUnmarshal(e.maillogs("dump", "--format", "json"), &m); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for kind, vals := range m {
		ki := kindIndex[kind]
		for name, v := range vals {
			ci := counterIndex(kind, name)
			col := "1.1.3"
			typ := "Counter64"
			if isGauge(kind, name) {
				col, typ = "2.1.3", "Gauge32"
			}
			o := fmt.Sprintf("%s.%s.%d.%d", defaultBase, col, ki, ci)
			if got, want := walk[o], fmt.Sprintf("%s: %d", typ, v); got != want {
				t.Errorf("%s.%s at %s = %q, want %q", kind, name, o, got, want)
			}
			checked++
		}
	}
	if checked < 60 {
		t.Errorf("checked %d counters, want all of them", checked)
	}
	if got := walk[defaultBase+".3.1.0"]; got != "INTEGER: 1" {
		t.Errorf("store healthy = %q", got)
	}

	// SNMPv1 and MRTG read the Counter32 view.
	o32 := fmt.Sprintf("%s.1.1.4.1.%d", defaultBase, counterIndex("send", "message_new"))
	if out, err := s.run("snmpget", "-v1", "-c", "public", o32); err != nil || !strings.Contains(out, "Counter32: 40") {
		t.Errorf("snmpget -v1 %s: %v %s", o32, err, out)
	}
	// GETBULK walks without "OID not increasing".
	if out, err := s.run("snmpbulkwalk", "-v2c", "-c", "public", "-Cr25", defaultBase); err != nil || strings.Contains(out, "not increasing") || len(parseWalk(out)) != len(walk) {
		t.Errorf("snmpbulkwalk: %v, %d objects (walk %d)\n%s", err, len(parseWalk(out)), len(walk), out)
	}
	// extend runs the one-line form.
	tok := "maillogs-send"
	idx := strconv.Itoa(len(tok))
	for _, c := range []byte(tok) {
		idx += "." + strconv.Itoa(int(c))
	}
	line := e.maillogs("send")
	if out, err := s.run("snmpget", "-v2c", "-c", "public", ".1.3.6.1.4.1.8072.1.3.2.3.1.1."+idx); err != nil || !strings.Contains(out, strings.TrimSpace(line)) {
		t.Errorf("extend: %v %s, want %s", err, out, line)
	}
	// SET is refused.
	set := exec.Command("snmpset", "-On", "-m", "", "-M", "/dev/null", "-v2c", "-c", "private", s.addr, defaultBase+".3.1.0", "i", "2")
	if out, err := set.CombinedOutput(); err == nil || !strings.Contains(string(out), "notWritable") {
		t.Errorf("snmpset: %v %s", err, out)
	}
	if strings.Contains(s.log.String(), "child process stopped") {
		t.Errorf("the pass_persist child died:\n%s", s.log.String())
	}
}

// pass (one process per request) answers like pass_persist.
func TestSnmpdPass(t *testing.T) {
	e := newEnv(t)
	in, _ := sendLines(7, 0)
	e.runProc("sendlog", in)
	base := ".1.3.6.1.4.1.8072.9999.9999.8"
	s := startSnmpd(t, e, fmt.Sprintf("pass %s %s snmp --base %s\n", base, filepath.Join(binDir, "maillogs"), base))
	o := fmt.Sprintf("%s.1.1.3.1.%d", base, counterIndex("send", "message_new"))
	if out, err := s.run("snmpget", "-v2c", "-c", "public", o); err != nil || !strings.Contains(out, "Counter64: 7") {
		t.Errorf("pass get: %v %s", err, out)
	}
	out, err := s.run("snmpwalk", "-v2c", "-c", "public", base)
	if err != nil || len(parseWalk(out)) < 60 {
		t.Errorf("pass walk: %v, %d objects", err, len(parseWalk(out)))
	}
}
