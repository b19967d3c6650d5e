package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// WebmailVocab is the webmail vocabulary: sqwebmail, SquirrelMail
// (squirrel_logger), Horde/IMP, vchkpw-webmail, and IMAP logins from
// loopback, which are the webmail's own.
var WebmailVocab = counters.NewVocab("webmail",
	"webmail_connect", "webmail_success", "webmail_failure", "webmail_logout",
	"webmail_imap_login", "other",
)

// webmailSession is how long a user's webmail activity keeps one session:
// the IMAP logins a webmail makes for every page within it are one login.
const webmailSession = 15 * 60

var (
	wConnect = WebmailVocab.ID("webmail_connect")
	wSuccess = WebmailVocab.ID("webmail_success")
	wFailure = WebmailVocab.ID("webmail_failure")
	wLogout  = WebmailVocab.ID("webmail_logout")
	wIMAP    = WebmailVocab.ID("webmail_imap_login")
	wOther   = WebmailVocab.ID("other")
)

// webmailApp counts the webmail programs' own lines; every id is the
// webmail's.
var webmailApp = accessIDs{
	proto:   "webmail",
	connect: wConnect, sslConnect: wConnect, success: wSuccess, sslSuccess: wSuccess,
	failure: wFailure, sslFailure: wFailure, authLogin: -1, logout: wLogout, disconnect: -1,
	retrieved: -1, deleted: -1, bytesIn: -1, bytesOut: -1, webmail: -1, authProc: -1,
	vchkpwConnect: wConnect, other: wOther, opensSession: true,
	progs: map[string]bool{"vchkpw-webmail": false, "sqwebmaild": false, "sqwebmail": false},
}

// webmailIMAP counts nothing of an IMAP log but its loopback logins.
var webmailIMAP = accessIDs{
	proto: "imap", connect: -1, sslConnect: -1, success: -1, sslSuccess: -1, failure: -1, sslFailure: -1,
	authLogin: -1, logout: -1, disconnect: -1, retrieved: -1, deleted: -1, bytesIn: -1, bytesOut: -1,
	webmail: wIMAP, authProc: wOther, vchkpwConnect: -1, other: wOther,
	loopbackLogin: webmailLoopback,
	progs:         map[string]bool{"imapd": false, "imapd-ssl": true, "imaplogin": false, "courierimaplogin": false},
}

func init() { register(WebmailVocab, nil, parseWebmail) }

func parseWebmail(t *counters.Tally, b []byte) bool {
	if i := bytes.Index(b, []byte("[LOG")); i >= 0 && (bytes.HasPrefix(b[i:], []byte("[LOGIN")) || bytes.HasPrefix(b[i:], []byte("[LOGOUT]"))) {
		return squirrelLogger(t, b[i:])
	}
	if i := bytes.Index(b, []byte("webmail login: by ")); i >= 0 {
		// SquirrelMail through Mail::Toaster's FAQ: "Successful webmail
		// login: by user (domain) at 192.0.2.1 on …"
		user, host := squirrelUser(b[i+len("webmail login: by "):], " at ")
		webmailLogin(t, bytes.Contains(b[:i], []byte("Successful")), user, host)
		return true
	}
	prog, rest, _ := program(b)
	switch {
	case string(prog) == "HORDE":
		return horde(t, rest)
	case bytes.HasPrefix(prog, []byte("sqwebmail")):
		if bytes.HasPrefix(rest, []byte("LOGIN")) { // every attempt is a connection
			t.Inc(wConnect)
		}
		return parseAccess(t, b, &webmailApp)
	case bytes.Contains(b, []byte("vchkpw-webmail: ")):
		return parseAccess(t, b, &webmailApp)
	}
	return parseAccess(t, b, &webmailIMAP)
}

// webmailLogin counts a webmail program's own login verdict and opens the
// user's session.
func webmailLogin(t *counters.Tally, ok bool, user, host []byte) {
	t.Inc(wConnect)
	if !ok {
		t.Inc(wFailure)
		if len(user) > 0 {
			t.User(user, counters.UFailure, 1, host)
		}
		return
	}
	t.Inc(wSuccess)
	if len(user) > 0 {
		t.User(user, counters.ULogin, 1, host)
		seen(t, user)
	}
}

// webmailLoopback counts an IMAP login from loopback: one more
// webmail_imap_login, and a webmail login only when it opens a session.
func webmailLoopback(t *counters.Tally, user, host []byte) {
	t.Inc(wIMAP)
	if len(user) == 0 {
		return
	}
	if last, ok := t.Seen[string(user)]; !ok || max(t.Now()-last, last-t.Now()) > webmailSession {
		t.Inc(wConnect)
		t.Inc(wSuccess)
		t.User(user, counters.ULogin, 1, host)
	}
	seen(t, user)
}

func seen(t *counters.Tally, user []byte) {
	if t.Seen == nil {
		t.Seen = map[string]int64{}
	}
	t.Seen[string(user)] = t.Now()
}

// squirrelLogger counts the squirrel_logger plugin's lines:
//
//	[LOGIN] user (domain) from 192.0.2.1: …
//	[LOGIN_ERROR] user (domain) from 192.0.2.1: Unknown user or password incorrect.
func squirrelLogger(t *counters.Tally, b []byte) bool {
	tag, rest, ok := bytes.Cut(b, []byte("] "))
	if !ok {
		return false
	}
	user, host := squirrelUser(rest, " from ")
	switch string(tag) {
	case "[LOGIN":
		webmailLogin(t, true, user, host)
	case "[LOGIN_ERROR":
		webmailLogin(t, false, user, host)
	case "[LOGOUT":
		t.Inc(wLogout)
		if len(user) > 0 {
			t.User(user, counters.ULogout, 1, host)
		}
	default:
		t.Inc(wOther)
	}
	return true
}

// squirrelUser splits "user (domain) <sep>192.0.2.1…" into the user and
// the address.
func squirrelUser(r []byte, sep string) (user, host []byte) {
	before, after, ok := bytes.Cut(r, []byte(sep))
	if !ok {
		return nil, nil
	}
	user = bytes.TrimSpace(before)
	if o := bytes.LastIndex(user, []byte(" (")); o > 0 {
		user = user[:o]
	}
	host = after
	if e := bytes.IndexAny(host, ": "); e >= 0 {
		host = host[:e]
	}
	return user, host
}

// horde counts Horde/IMP's login lines:
//
//	[imp] Login success for user [192.0.2.1] to {imap.example.com:993}
//	[imp] FAILED LOGIN 192.0.2.1 to mail.example.com:993[imap/ssl] as user [on line …]
func horde(t *counters.Tally, r []byte) bool {
	switch {
	case bytes.Contains(r, []byte("Login success for ")):
		u := r[bytes.Index(r, []byte("Login success for "))+len("Login success for "):]
		user, rest, _ := bytes.Cut(u, []byte(" ["))
		host, _, _ := bytes.Cut(rest, []byte("]"))
		webmailLogin(t, true, user, host)
	case bytes.Contains(r, []byte("FAILED LOGIN ")):
		h := r[bytes.Index(r, []byte("FAILED LOGIN "))+len("FAILED LOGIN "):]
		host, _, _ := bytes.Cut(h, []byte(" "))
		var user []byte
		if i := bytes.Index(h, []byte(" as ")); i >= 0 {
			user, _, _ = bytes.Cut(h[i+len(" as "):], []byte(" "))
		}
		webmailLogin(t, false, user, host)
	default:
		t.Inc(wOther)
	}
	return true
}
