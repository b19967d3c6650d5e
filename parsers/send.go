package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// SendVocab is the qmail-send counter vocabulary.
var SendVocab = counters.NewVocab("send",
	"message_new", "message_info", "message_bytes", "message_end",
	"message_bounce", "message_triple_bounce",
	"delivery_start", "delivery_start_local", "delivery_start_remote",
	"delivery_success", "delivery_failure", "delivery_deferral",
	"delivery_local_success", "delivery_local_failure", "delivery_local_deferral",
	"delivery_remote_success", "delivery_remote_failure", "delivery_remote_deferral",
	"status", "warning", "alert",
)

var (
	sNew          = SendVocab.ID("message_new")
	sInfo         = SendVocab.ID("message_info")
	sBytes        = SendVocab.ID("message_bytes")
	sEnd          = SendVocab.ID("message_end")
	sBounce       = SendVocab.ID("message_bounce")
	sTriple       = SendVocab.ID("message_triple_bounce")
	sStart        = SendVocab.ID("delivery_start")
	sStartLocal   = SendVocab.ID("delivery_start_local")
	sStartRemote  = SendVocab.ID("delivery_start_remote")
	sStatus       = SendVocab.ID("status")
	sWarning      = SendVocab.ID("warning")
	sAlert        = SendVocab.ID("alert")
	sOutcome      = map[string]int{"success": SendVocab.ID("delivery_success"), "failure": SendVocab.ID("delivery_failure"), "deferral": SendVocab.ID("delivery_deferral")}
	sLocalOutcome = map[string]int{"success": SendVocab.ID("delivery_local_success"), "failure": SendVocab.ID("delivery_local_failure"), "deferral": SendVocab.ID("delivery_local_deferral")}
	sRemoteOutc   = map[string]int{"success": SendVocab.ID("delivery_remote_success"), "failure": SendVocab.ID("delivery_remote_failure"), "deferral": SendVocab.ID("delivery_remote_deferral")}
)

func init() {
	register(SendVocab, []string{"concurrency_local", "concurrency_local_max", "concurrency_remote", "concurrency_remote_max"}, parseSend)
}

// parseSend counts one qmail-send line.
func parseSend(t *counters.Tally, b []byte) bool {
	if len(b) < 6 {
		return false
	}
	switch b[0] {
	case 'n':
		if r, ok := cut(b, "new msg "); ok {
			if _, _, ok := parseUint(r); ok {
				t.Inc(sNew)
				return true
			}
		}
	case 'i':
		if r, ok := cut(b, "info msg "); ok {
			_, r, ok := parseUint(r)
			if !ok {
				return false
			}
			r, ok = cut(r, ": bytes ")
			if !ok {
				return false
			}
			n, _, ok := parseUint(r)
			if !ok {
				return false
			}
			t.Inc(sInfo)
			t.Add(sBytes, n)
			return true
		}
	case 's':
		if r, ok := cut(b, "starting delivery "); ok {
			return sendStart(t, r)
		}
		if r, ok := cut(b, "status: "); ok {
			return sendStatus(t, r)
		}
	case 'd':
		if r, ok := cut(b, "delivery "); ok {
			return sendResult(t, r)
		}
	case 'e':
		if r, ok := cut(b, "end msg "); ok {
			if _, _, ok := parseUint(r); ok {
				t.Inc(sEnd)
				return true
			}
		}
	case 'b':
		if _, ok := cut(b, "bounce msg "); ok {
			t.Inc(sBounce)
			return true
		}
	case 't':
		if _, ok := cut(b, "triple bounce: "); ok {
			t.Inc(sTriple)
			return true
		}
	case 'w':
		if _, ok := cut(b, "warning: "); ok {
			t.Inc(sWarning)
			return true
		}
	case 'a':
		if _, ok := cut(b, "alert: "); ok {
			t.Inc(sAlert)
			return true
		}
	}
	return false
}

// sendStart counts "starting delivery D: msg M to local|remote ADDR".
func sendStart(t *counters.Tally, r []byte) bool {
	id, r, ok := parseUint(r)
	if !ok {
		return false
	}
	r, ok = cut(r, ": msg ")
	if !ok {
		return false
	}
	_, r, ok = parseUint(r)
	if !ok {
		return false
	}
	switch {
	case bytes.HasPrefix(r, []byte(" to local ")):
		t.Inc(sStart)
		t.Inc(sStartLocal)
		t.Start(id, "local")
	case bytes.HasPrefix(r, []byte(" to remote ")):
		t.Inc(sStart)
		t.Inc(sStartRemote)
		t.Start(id, "remote")
	default:
		return false
	}
	return true
}

// sendResult counts "delivery D: success|failure|deferral: text".
func sendResult(t *counters.Tally, r []byte) bool {
	id, r, ok := parseUint(r)
	if !ok {
		return false
	}
	r, ok = cut(r, ": ")
	if !ok {
		return false
	}
	e := bytes.IndexByte(r, ':')
	if e < 0 {
		return false
	}
	var outcome string // a constant, so that the line's bytes are not copied
	switch string(r[:e]) {
	case "success":
		outcome = "success"
	case "failure":
		outcome = "failure"
	case "deferral":
		outcome = "deferral"
	default:
		return false
	}
	t.Inc(sOutcome[outcome])
	if dest, ok := t.Finish(id, outcome); ok {
		if dest == "local" {
			t.Inc(sLocalOutcome[outcome])
		} else {
			t.Inc(sRemoteOutc[outcome])
		}
	}
	return true
}

// sendStatus sets the concurrency gauges from "status: local l/L remote r/R".
func sendStatus(t *counters.Tally, r []byte) bool {
	if _, ok := cut(r, "exiting"); ok {
		t.Inc(sStatus)
		return true
	}
	r, ok := cut(r, "local ")
	if !ok {
		return false
	}
	l, r, ok1 := parseUint(r)
	r, ok2 := cut(r, "/")
	lmax, r, ok3 := parseUint(r)
	r, ok4 := cut(r, " remote ")
	rem, r, ok5 := parseUint(r)
	r, ok6 := cut(r, "/")
	rmax, _, ok7 := parseUint(r)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return false
	}
	t.Inc(sStatus)
	t.SetGauge("concurrency_local", l)
	t.SetGauge("concurrency_local_max", lmax)
	t.SetGauge("concurrency_remote", rem)
	t.SetGauge("concurrency_remote_max", rmax)
	return true
}
