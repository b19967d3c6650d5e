package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// The mail-access daemons (POP3, IMAP, SMTP AUTH, webmail) share their
// grammars: dovecot, courier, UW, vpopmail's vchkpw and tcpserver each log
// every protocol the same way. One accessIDs says which counters of a kind
// those lines move; an id of -1 means the kind has no such counter.

type accessIDs struct {
	proto string // dovecot's service name: "pop3", "imap", "submission"
	tcp   *tcpIDs

	connect, sslConnect                      int
	success, sslSuccess, failure, sslFailure int
	authLogin                                int // UW "Auth user=" logins, counted in success too
	logout, disconnect                       int
	retrieved, deleted, bytesIn, bytesOut    int
	webmail                                  int // loopback logins: the webmail's own, never success
	authProc                                 int // dovecot auth-process lines: detail, never a failure
	vchkpwConnect                            int // every vchkpw line is an attempt (SMTP AUTH)
	other                                    int // known daemons' lines that move nothing here

	// loopbackLogin, when set, takes the loopback logins instead of the
	// webmail counter.
	loopbackLogin func(t *counters.Tally, user, host []byte)
	opensSession  bool // a login opens the user's webmail session

	// progs maps the program names of this protocol's courier, UW and
	// vchkpw daemons to whether they speak TLS.
	progs map[string]bool
}

// mailAccess returns the ids of a mail-reading protocol's vocabulary,
// whose counters are named <proto>_connect, <proto>_success, …; a name the
// vocabulary lacks gives -1.
func mailAccess(v *counters.Vocab, proto string, progs map[string]bool) accessIDs {
	id := func(name string) int { return v.Index(proto + "_" + name) }
	return accessIDs{
		proto: proto,
		tcp: &tcpIDs{
			connect: id("connect"), ok: id("ok"), deny: id("deny"), end: id("end"), endErr: id("end_error"),
			fatal: v.Index("tcpserver_error"), gauge: proto + "_concurrency",
		},
		connect: id("connect"), sslConnect: id("ssl_connect"),
		success: id("success"), sslSuccess: id("ssl_success"), failure: id("failure"), sslFailure: id("ssl_failure"),
		authLogin: id("success_auth"), logout: id("logout"), disconnect: id("disconnect"),
		retrieved: id("retrieved"), deleted: id("deleted"), bytesIn: id("bytes_received"), bytesOut: id("bytes_sent"),
		webmail: id("webmail"), authProc: v.Index("auth_process"), vchkpwConnect: -1, other: v.Index("other"),
		progs: progs,
	}
}

func (a *accessIDs) add(t *counters.Tally, id int, n uint64) {
	if id >= 0 && n > 0 {
		t.Add(id, n)
	}
}

// accessProgs are every access daemon's program names; a line from one not
// in a kind's progs belongs to another protocol.
var accessProgs = map[string]bool{
	"pop3d": true, "pop3d-ssl": true, "courierpop3login": true, "courierpop3d": true, "ipop3d": true,
	"imapd": true, "imapd-ssl": true, "imaplogin": true, "courierimaplogin": true,
	"vchkpw-pop3": true, "vchkpw-pop3s": true, "vchkpw-imap": true, "vchkpw-imaps": true,
	"vchkpw-smtp": true, "vchkpw-smtps": true, "vchkpw-submission": true, "vchkpw-webmail": true,
	"sqwebmaild": true, "sqwebmail": true,
}

// parseAccess counts one line of any access daemon for the kind of a.
func parseAccess(t *counters.Tally, b []byte, a *accessIDs) bool {
	if service, user, msg, ok := dovecotLine(b); ok {
		return parseDovecot(t, a, service, user, msg)
	}
	prog, rest, ok := program(b)
	if !ok {
		return false
	}
	if string(prog) == "vpopmail" { // syslog: "vpopmail[939]: vchkpw-pop3: …"
		if p2, r2, ok := program(rest); ok {
			prog, rest = p2, r2
		}
	}
	if string(prog) == "dovecot" { // "dovecot: Dovecot v1.0.10 starting up"
		a.add(t, a.other, 1)
		return true
	}
	if string(prog) == "tcpserver" && a.tcp != nil {
		return parseTCPServer(t, rest, a.tcp)
	}
	ssl, mine := a.progs[string(prog)]
	switch {
	case !mine && accessProgs[string(prog)]:
		a.add(t, a.other, 1)
		return true
	case !mine:
		return false
	case bytes.HasPrefix(prog, []byte("vchkpw-")):
		return parseVchkpw(t, rest, ssl, a)
	}
	return parseCourier(t, rest, ssl, a) || parseUW(t, rest, a)
}

// login counts a successful login of user from host.
func (a *accessIDs) login(t *counters.Tally, user, host []byte, ssl bool, uc int) {
	id := a.success
	switch {
	case a.loopbackLogin != nil && loopback(host):
		a.loopbackLogin(t, user, host)
		return
	case a.webmail >= 0 && loopback(host):
		id = a.webmail
	case ssl:
		id = a.sslSuccess
	}
	if id < 0 {
		return
	}
	t.Inc(id)
	if len(user) > 0 {
		t.User(user, uc, 1, host)
		if a.opensSession {
			seen(t, user)
		}
	}
}

// fail counts n failed logins.
func (a *accessIDs) fail(t *counters.Tally, user, host []byte, ssl bool, n uint64) {
	id := a.failure
	if ssl {
		id = a.sslFailure
	}
	if id < 0 || n == 0 {
		return
	}
	t.Add(id, n)
	if len(user) > 0 {
		t.User(user, counters.UFailure, n, host)
	}
}

func (a *accessIDs) connected(t *counters.Tally, user, host []byte, ssl bool) {
	id := a.connect
	if ssl {
		id = a.sslConnect
	}
	if id < 0 {
		return
	}
	t.Inc(id)
	if len(user) > 0 {
		t.User(user, counters.UConnect, 1, host)
	}
}

// session counts the end of a session and what it moved.
func (a *accessIDs) session(t *counters.Tally, user, host []byte, logout bool, retr, del, in, out uint64) {
	if logout {
		a.add(t, a.logout, 1)
	} else {
		a.add(t, a.disconnect, 1)
	}
	a.add(t, a.retrieved, retr)
	a.add(t, a.deleted, del)
	a.add(t, a.bytesIn, in)
	a.add(t, a.bytesOut, out)
	if len(user) == 0 {
		return
	}
	if logout {
		t.User(user, counters.ULogout, 1, host)
	}
	for _, c := range [...]struct {
		id int
		n  uint64
	}{{counters.URetrieved, retr}, {counters.UDeleted, del}, {counters.UBytesReceived, in}, {counters.UBytesSent, out}} {
		if c.n > 0 {
			t.User(user, c.id, c.n, host)
		}
	}
}

// loopback reports whether host is a loopback address, as IPv4, IPv6 or
// IPv4-mapped IPv6.
func loopback(host []byte) bool {
	host = bytes.TrimPrefix(host, []byte("::ffff:"))
	return bytes.HasPrefix(host, []byte("127.")) || string(host) == "::1"
}

// parseVchkpw counts vpopmail's vchkpw lines:
//
//	(PLAIN) login success user@dom:IP
//	password fail user@dom:IP          password fail (pass: 'x') user@dom:IP
//	vpopmail user not found user@:IP   null password given user:IP
//
// The user is what follows the verdict, up to the last ':' (user names may
// hold spaces); the address is what follows that ':'.
func parseVchkpw(t *counters.Tally, r []byte, ssl bool, a *accessIDs) bool {
	// The verdict opens the message ("(PLAIN) login success …"): a password
	// quoted later ("(pass: 'login success')") must never make a success.
	if len(r) > 0 && r[0] == '(' {
		if i := bytes.Index(r, []byte(") ")); i > 0 {
			r = r[i+2:]
		}
	}
	r = bytes.TrimPrefix(r, []byte("vpopmail "))
	success := false
	var after []byte
	for _, v := range vchkpwVerdicts {
		if rest, ok := cut(r, v); ok {
			success = v == "login success"
			after = rest
			break
		}
	}
	if after == nil {
		a.add(t, a.other, 1)
		return true
	}
	user, host := vchkpwUser(after)
	a.add(t, a.vchkpwConnect, 1)
	if success {
		a.login(t, user, host, ssl, counters.ULogin)
	} else {
		a.fail(t, user, host, ssl, 1)
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

// parseCourier counts courier-imap's pop3d/imapd (and sqwebmail) lines:
//
//	Connection, ip=[::ffff:192.0.2.1]
//	LOGIN, user=u, ip=[…]             LOGIN FAILED, user=u, ip=[…]
//	LOGOUT, user=u, ip=[…], top=0, retr=0, rcvd=24, sent=96, time=0
//	DISCONNECTED, user=u, ip=[…], headers=0, body=0, rcvd=48, sent=292, time=344
func parseCourier(t *counters.Tally, r []byte, ssl bool, a *accessIDs) bool {
	verb := r
	if i := bytes.Index(r, []byte(", ")); i >= 0 {
		verb = r[:i]
	} else {
		return false
	}
	user, _ := courierField(r, "user=")
	ip, _ := courierField(r, "ip=")
	ip = bytes.TrimPrefix(bytes.TrimSuffix(bytes.TrimPrefix(ip, []byte("[")), []byte("]")), []byte("::ffff:"))
	switch string(verb) {
	case "Connection":
		a.connected(t, nil, ip, ssl)
	case "LOGIN":
		a.login(t, user, ip, ssl, counters.ULogin)
	case "LOGIN FAILED":
		a.fail(t, user, ip, ssl, 1)
	case "LOGOUT", "DISCONNECTED", "TIMEOUT":
		retr, _ := numField(r, "retr=")
		in, _ := numField(r, "rcvd=")
		out, _ := numField(r, "sent=")
		a.session(t, user, ip, string(verb) == "LOGOUT", retr, 0, in, out)
	default:
		return false
	}
	return true
}

// courierField returns the value of key up to the next ", ": courier user
// names may hold spaces.
func courierField(r []byte, key string) ([]byte, bool) {
	i := bytes.Index(r, []byte(", "+key))
	if i < 0 {
		return nil, false
	}
	v := r[i+2+len(key):]
	if e := bytes.Index(v, []byte(", ")); e >= 0 {
		v = v[:e]
	}
	return v, true
}

// parseUW counts the University of Washington ipop3d/imapd lines:
//
//	pop3 service init from 192.0.2.1        pop3s SSL service init from …
//	Login user=u host=h [192.0.2.1] nmsgs=177/177
//	Auth user=u host=h [192.0.2.1] nmsgs=177/177      (imapd: Authenticated user=…)
//	Logout user=u host=h [192.0.2.1] nmsgs=177 ndele=3
//	Login failed user=u auth=u host=h [192.0.2.1]     (and its other refusals)
func parseUW(t *counters.Tally, r []byte, a *accessIDs) bool {
	if i := bytes.Index(r, []byte("service init from ")); i > 0 {
		a.connected(t, nil, r[i+len("service init from "):], bytes.Contains(r[:i], []byte("SSL")))
		return true
	}
	user, host := uwUser(r)
	switch {
	case user == nil:
		if bytes.HasPrefix(r, []byte("Autologout")) || bytes.HasPrefix(r, []byte("Command stream end of file")) ||
			bytes.HasPrefix(r, []byte("Killed")) {
			a.session(t, nil, nil, false, 0, 0, 0, 0)
			return true
		}
		return false
	case bytes.HasPrefix(r, []byte("Login user=")):
		a.login(t, user, host, false, counters.ULogin)
	case bytes.HasPrefix(r, []byte("Auth user=")), bytes.HasPrefix(r, []byte("Authenticated user=")):
		a.login(t, user, host, false, counters.UAuth)
		a.add(t, a.authLogin, 1)
	case bytes.HasPrefix(r, []byte("Logout user=")):
		del, _ := numField(r, "ndele=")
		a.session(t, user, host, true, 0, del, 0, 0)
	case bytes.HasPrefix(r, []byte("Login ")), bytes.HasPrefix(r, []byte("Failed ")), bytes.Contains(r, []byte("failure")):
		a.fail(t, user, host, false, 1)
	default:
		a.session(t, user, host, false, 0, 0, 0, 0)
	}
	return true
}

// uwUser returns the user= word (up to " host=" or " auth=") and the
// address in brackets.
func uwUser(r []byte) (user, host []byte) {
	i := bytes.Index(r, []byte("user="))
	if i < 0 {
		return nil, nil
	}
	user = r[i+len("user="):]
	for _, stop := range []string{" auth=", " host=", " [", " nmsgs="} {
		if e := bytes.Index(user, []byte(stop)); e >= 0 {
			user = user[:e]
		}
	}
	if o := bytes.LastIndexByte(r, '['); o >= 0 {
		if c := bytes.IndexByte(r[o:], ']'); c > 0 {
			host = r[o+1 : o+c]
		}
	}
	return user, host
}
