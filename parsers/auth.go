package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// AuthVocab is the SMTP AUTH vocabulary: vpopmail's vchkpw-smtp and
// vchkpw-submission, dovecot's submission-login, courieresmtpd and postfix
// smtpd SASL lines. Every attempt is a connect; it is then a success or a
// failure.
var AuthVocab = counters.NewVocab("auth",
	"smtp_auth_connect", "smtp_auth_success", "smtp_auth_failure",
	"auth_process", "other",
)

var authAccess = accessIDs{
	proto:   "submission",
	connect: AuthVocab.ID("smtp_auth_connect"), sslConnect: AuthVocab.ID("smtp_auth_connect"),
	success: AuthVocab.ID("smtp_auth_success"), sslSuccess: AuthVocab.ID("smtp_auth_success"),
	failure: AuthVocab.ID("smtp_auth_failure"), sslFailure: AuthVocab.ID("smtp_auth_failure"),
	authLogin: -1, logout: -1, disconnect: -1, retrieved: -1, deleted: -1, bytesIn: -1, bytesOut: -1,
	webmail: -1, authProc: AuthVocab.ID("auth_process"),
	vchkpwConnect: AuthVocab.ID("smtp_auth_connect"), other: AuthVocab.ID("other"),
	progs: map[string]bool{"vchkpw-smtp": false, "vchkpw-submission": false, "vchkpw-smtps": true},
}

func init() { register(AuthVocab, nil, parseAuth) }

func parseAuth(t *counters.Tally, b []byte) bool {
	prog, rest, ok := program(b)
	if ok {
		switch {
		case string(prog) == "courieresmtpd":
			// error,relay=::ffff:1.2.3.4,msg="535 Authentication failed.",cmd: AUTH PLAIN …
			if !bytes.Contains(rest, []byte("535 Authentication failed")) {
				authAccess.add(t, authAccess.other, 1)
				return true
			}
			host, _ := field(rest, "relay=")
			if e := bytes.IndexByte(host, ','); e >= 0 {
				host = host[:e]
			}
			authAccess.connected(t, nil, host, false)
			authAccess.fail(t, nil, host, false, 1)
			return true
		case bytes.HasPrefix(prog, []byte("postfix")) && bytes.HasSuffix(prog, []byte("/smtpd")):
			return parsePostfixSASL(t, rest)
		}
	}
	return parseAccess(t, b, &authAccess)
}

// parsePostfixSASL counts postfix smtpd's SASL verdicts:
//
//	4F2A1C: client=host[192.0.2.1], sasl_method=PLAIN, sasl_username=u
//	warning: host[192.0.2.1]: SASL LOGIN authentication failed: …
func parsePostfixSASL(t *counters.Tally, r []byte) bool {
	a := &authAccess
	host := r
	if o := bytes.IndexByte(host, '['); o >= 0 {
		host = host[o+1:]
		if c := bytes.IndexByte(host, ']'); c >= 0 {
			host = host[:c]
		}
	} else {
		host = nil
	}
	switch {
	case bytes.HasPrefix(r, []byte("warning: ")):
		if !bytes.Contains(r, []byte(" authentication failed")) || !bytes.Contains(r, []byte("SASL ")) {
			a.add(t, a.other, 1)
			return true
		}
		a.connected(t, nil, host, false)
		a.fail(t, nil, host, false, 1)
	case bytes.Contains(r, []byte(", sasl_username=")):
		user, _ := field(r, "sasl_username=")
		a.connected(t, user, host, false)
		a.login(t, user, host, false, counters.UAuth)
	default:
		a.add(t, a.other, 1)
	}
	return true
}
