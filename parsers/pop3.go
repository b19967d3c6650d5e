package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// POP3Vocab is the POP3 counter vocabulary.
var POP3Vocab = counters.NewVocab("pop3",
	"pop3_connect", "pop3_ok", "pop3_deny", "pop3_end", "pop3_end_error", "tcpserver_error",
	"pop3_success", "pop3_failure",
	"pop3_ssl_connect", "pop3_ssl_success", "pop3_ssl_failure",
	"pop3_logout", "pop3_retrieved", "pop3_deleted", "pop3_bytes_received", "pop3_bytes_sent",
)

var pop3TCP = tcpIDs{
	connect: POP3Vocab.ID("pop3_connect"), ok: POP3Vocab.ID("pop3_ok"), deny: POP3Vocab.ID("pop3_deny"),
	end: POP3Vocab.ID("pop3_end"), endErr: POP3Vocab.ID("pop3_end_error"), fatal: POP3Vocab.ID("tcpserver_error"),
	gauge: "pop3_concurrency",
}

// authIDs are the counters a login line moves, plain and over TLS.
type authIDs struct {
	success, failure, sslSuccess, sslFailure int
}

var pop3Auth = authIDs{
	success: POP3Vocab.ID("pop3_success"), failure: POP3Vocab.ID("pop3_failure"),
	sslSuccess: POP3Vocab.ID("pop3_ssl_success"), sslFailure: POP3Vocab.ID("pop3_ssl_failure"),
}

func init() { register(POP3Vocab, []string{"pop3_concurrency", "pop3_concurrency_max"}, parsePOP3) }

func parsePOP3(t *counters.Tally, b []byte) bool {
	prog, rest, ok := program(b)
	if !ok {
		return false
	}
	switch string(prog) {
	case "tcpserver":
		return parseTCPServer(t, rest, &pop3TCP)
	case "vchkpw-pop3":
		return parseVchkpw(t, rest, false, &pop3Auth)
	case "vchkpw-pop3s":
		return parseVchkpw(t, rest, true, &pop3Auth)
	case "vpopmail":
		// syslog: "vpopmail[939]: vchkpw-pop3: …"
		if p2, r2, ok := program(rest); ok {
			switch string(p2) {
			case "vchkpw-pop3":
				return parseVchkpw(t, r2, false, &pop3Auth)
			case "vchkpw-pop3s":
				return parseVchkpw(t, r2, true, &pop3Auth)
			}
		}
	}
	return false
}

// parseVchkpw counts vpopmail's vchkpw lines:
//
//	(PLAIN) login success user@dom:IP
//	password fail user@dom:IP          password fail (pass: 'x') user@dom:IP
//	vpopmail user not found user@:IP   null password given user:IP
//
// The user is what follows the verdict, up to the last ':' (user names may
// hold spaces); the address is what follows that ':'.
func parseVchkpw(t *counters.Tally, r []byte, ssl bool, ids *authIDs) bool {
	success := false
	var after []byte
	for _, v := range vchkpwVerdicts {
		if i := bytes.Index(r, []byte(v)); i >= 0 {
			success = v == "login success"
			after = r[i+len(v):]
			break
		}
	}
	if after == nil {
		return false
	}
	switch {
	case success && ssl:
		t.Inc(ids.sslSuccess)
	case success:
		t.Inc(ids.success)
	case ssl:
		t.Inc(ids.sslFailure)
	default:
		t.Inc(ids.failure)
	}
	if user, host := vchkpwUser(after); len(user) > 0 {
		if success {
			t.User(user, counters.ULogin, 1, host)
		} else {
			t.User(user, counters.UFailure, 1, host)
		}
	}
	return true
}

var vchkpwVerdicts = []string{"login success", "password fail", "user not found", "null password given"}

func vchkpwUser(w []byte) (user, host []byte) {
	w = bytes.TrimLeft(w, " ")
	if bytes.HasPrefix(w, []byte("(pass:")) {
		i := bytes.Index(w, []byte(") "))
		if i < 0 {
			return nil, nil
		}
		w = w[i+2:]
	}
	i := bytes.LastIndexByte(w, ':')
	if i < 0 {
		return nil, nil
	}
	return bytes.TrimSuffix(w[:i], []byte("@")), w[i+1:]
}
