package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// VirusVocab is the virus scanners' vocabulary: clamd, qmail-scanner and
// simscan. virus_found counts every infected message whichever scanner
// said so; virus_family_<name> counts it under its signature without the
// variant number (HTML.Phishing.Pay-33 → virus_family_html_phishing_pay).
var VirusVocab = counters.NewVocab("virus",
	"virus_found", "virus_clean",
	"clamd_found", "clamd_ok", "clamd_error",
	"qs_clean", "qs_virus", "qs_policy",
	"simscan_virus", "simscan_clean", "other",
)

var (
	vFound    = VirusVocab.ID("virus_found")
	vClean    = VirusVocab.ID("virus_clean")
	vClamd    = VirusVocab.ID("clamd_found")
	vClamdOK  = VirusVocab.ID("clamd_ok")
	vClamdErr = VirusVocab.ID("clamd_error")
	vQSClean  = VirusVocab.ID("qs_clean")
	vQSVirus  = VirusVocab.ID("qs_virus")
	vQSPolicy = VirusVocab.ID("qs_policy")
	vSimVirus = VirusVocab.ID("simscan_virus")
	vSimClean = VirusVocab.ID("simscan_clean")
	vOther    = VirusVocab.ID("other")
)

func init() { register(VirusVocab, nil, parseVirus) }

func parseVirus(t *counters.Tally, b []byte) bool {
	if r, ok := cut(b, "simscan:"); ok {
		return simscanVirus(t, r)
	}
	prog, rest, ok := program(b)
	if !ok {
		return false
	}
	switch {
	case bytes.HasPrefix(prog, []byte("clamd")):
		return clamd(t, rest)
	case bytes.HasPrefix(prog, []byte("qmail-scanner")):
		return qmailScanner(t, rest)
	}
	return false
}

// clamd counts "stream(192.0.2.1@4711): Eicar-Test-Signature FOUND",
// "/path: Win.Trojan.Agent-1 FOUND", "…: OK" (LogClean) and errors.
func clamd(t *counters.Tally, r []byte) bool {
	r = bytes.TrimRight(r, " ")
	switch {
	case bytes.HasSuffix(r, []byte(" FOUND")):
		sig := r[:len(r)-len(" FOUND")]
		if i := bytes.LastIndex(sig, []byte(": ")); i >= 0 {
			sig = sig[i+2:]
		}
		t.Inc(vClamd)
		found(t, sig)
	case bytes.HasSuffix(r, []byte(": OK")) && !bytes.HasPrefix(r, []byte("SelfCheck")):
		t.Inc(vClamdOK)
		t.Inc(vClean)
	case bytes.Contains(r, []byte("ERROR")):
		t.Inc(vClamdErr)
	default:
		t.Inc(vOther)
	}
	return true
}

// qmailScanner counts qmail-scanner's syslog lines, "Clear:RC:1(…):…" for
// a clean message, "Policy:…" for a policy block, and any other tag
// ("Virus:NAME:…", "CLAMDSCAN:NAME:…") for a virus.
func qmailScanner(t *counters.Tally, r []byte) bool {
	tag, rest, ok := bytes.Cut(r, []byte(":"))
	if !ok || len(tag) == 0 || bytes.IndexByte(tag, ' ') >= 0 {
		t.Inc(vOther)
		return true
	}
	switch string(tag) {
	case "Clear":
		t.Inc(vQSClean)
		t.Inc(vClean)
	case "Policy":
		t.Inc(vQSPolicy)
	default:
		name, _, _ := bytes.Cut(rest, []byte(":"))
		t.Inc(vQSVirus)
		found(t, name)
	}
	return true
}

// simscanVirus counts simscan's "[pid]:CLEAN (…)" and "[pid]:VIRUS…" lines.
func simscanVirus(t *counters.Tally, r []byte) bool {
	r = simscanVerdict(r)
	switch {
	case bytes.HasPrefix(r, []byte("CLEAN")):
		t.Inc(vSimClean)
		t.Inc(vClean)
	case bytes.HasPrefix(r, []byte("VIRUS")), bytes.HasPrefix(r, []byte("virus:")):
		var name []byte
		if o := bytes.IndexByte(r, '('); o >= 0 && o < 20 {
			name, _, _ = bytes.Cut(r[o+1:], []byte(")"))
		} else if _, f, ok := bytes.Cut(r, []byte(":")); ok {
			name, _, _ = bytes.Cut(bytes.TrimLeft(f, " "), []byte(":"))
		}
		t.Inc(vSimVirus)
		found(t, name)
	default:
		t.Inc(vOther)
	}
	return true
}

// found counts one infected message under its signature family.
func found(t *counters.Tally, sig []byte) {
	t.Inc(vFound)
	sig = bytes.TrimSpace(sig)
	for { // drop the variant numbers: "Pay-33", "Agent-1234-0"
		i := bytes.LastIndexByte(sig, '-')
		if i <= 0 {
			break
		}
		if _, rest, ok := parseUint(sig[i+1:]); !ok || len(rest) > 0 {
			break
		}
		sig = sig[:i]
	}
	t.AddName(counterName("virus_family_", sig), 1)
}
