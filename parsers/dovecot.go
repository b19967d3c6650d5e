package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// dovecotLine splits a dovecot line, through syslog ("dovecot[7]: imap-login:
// Info: Login: …"), log_path ("imap-login: Info: …") or dovecot 1.x
// ("dovecot: POP3(user): …"), into its service ("imap-login", "pop3",
// "auth-worker"), the user in parentheses after a mail service, and the
// message with its level ("Info: ") removed.
func dovecotLine(b []byte) (service, user, msg []byte, ok bool) {
	for range 2 { // "dovecot[442]: dovecot: auth(default): …"
		if r, found := cut(b, "dovecot"); found && len(r) > 0 && (r[0] == ':' || r[0] == '[') {
			if _, rest, ok := program(b); ok {
				b = rest
			}
		}
	}
	i := 0
	for i < len(b) && (b[i] >= 'a' && b[i] <= 'z' || b[i] >= 'A' && b[i] <= 'Z' || b[i] >= '0' && b[i] <= '9' || b[i] == '-') {
		i++
	}
	if i == 0 || i == len(b) {
		return nil, nil, nil, false
	}
	service = b[:i]
	rest := b[i:]
	if rest[0] == '(' {
		e := bytes.Index(rest, []byte(": "))
		if e < 0 {
			return nil, nil, nil, false
		}
		c := bytes.LastIndexByte(rest[:e], ')')
		if c < 0 {
			return nil, nil, nil, false
		}
		user = rest[1:c]
		rest = rest[e:]
	}
	msg, ok = cut(rest, ": ")
	if !ok || !dovecotService(service) {
		return nil, nil, nil, false
	}
	for _, level := range [...]string{"Info: ", "Warning: ", "Error: ", "Fatal: ", "Debug: ", "Panic: "} {
		if m, ok := cut(msg, level); ok {
			msg = m
			break
		}
	}
	return service, user, msg, true
}

// dovecotService reports whether s names one of dovecot's processes.
func dovecotService(s []byte) bool {
	if bytes.HasSuffix(s, []byte("-login")) {
		return true
	}
	var buf [24]byte
	switch string(lower(buf[:0], s)) {
	case "pop3", "imap", "submission", "lmtp", "lda", "managesieve", "auth", "auth-worker", "dovecot-auth",
		"master", "config", "log", "anvil", "ssl-params", "ssl-build-param", "indexer", "indexer-worker", "stats", "doveadm":
		return true
	}
	return false
}

// parseDovecot counts one dovecot line for the protocol of a.
func parseDovecot(t *counters.Tally, a *accessIDs, service, user, msg []byte) bool {
	var buf [24]byte
	svc := lower(buf[:0], service)
	switch {
	case bytes.HasSuffix(svc, []byte("-login")) && string(svc[:len(svc)-len("-login")]) == a.proto:
		dovecotLogin(t, a, msg)
	case string(svc) == a.proto && len(user) > 0:
		dovecotSession(t, a, user, msg)
	case string(svc) == "auth" || string(svc) == "auth-worker" || string(svc) == "dovecot-auth":
		// With auth_verbose the auth process writes a line of its own
		// about a failed login; the login process's line counts it.
		a.add(t, a.authProc, 1)
	default:
		a.add(t, a.other, 1)
	}
	return true
}

// dovecotLogin counts a login process line. Each such line ends one
// connection:
//
//	Login: user=<u>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, mpid=7, TLS, session=<…>
//	Disconnected (auth failed, 2 attempts in 4 secs): user=<u>, method=PLAIN, rip=…
//	Aborted login (auth failed, 1 attempts): user=<u>, …        (dovecot 2.0–2.3)
//	Login aborted: Connection closed (auth failed, 3 attempts in 16 secs) (auth_failed): …  (2.4)
//	Aborted login (1 authentication attempts): user=<u>, …      (1.x)
//	Disconnected (no auth attempts in 10 secs): user=<>, rip=…
//
// A failure is counted once per failed attempt, as the line numbers them.
func dovecotLogin(t *counters.Tally, a *accessIDs, msg []byte) {
	user := dovecotUser(msg)
	host, _ := field(msg, "rip=")
	ssl := dovecotTLS(msg)
	if r, ok := cut(msg, "Login: "); ok {
		if len(user) == 0 { // dovecot 0.99: "Login: user [ip]"
			user = r
			if e := bytes.IndexByte(user, ' '); e >= 0 {
				user = user[:e]
			}
		}
		a.connected(t, user, host, ssl)
		a.login(t, user, host, ssl, counters.ULogin)
		return
	}
	if !(bytes.HasPrefix(msg, []byte("Disconnected")) || bytes.HasPrefix(msg, []byte("Aborted login")) ||
		bytes.HasPrefix(msg, []byte("Login aborted")) || bytes.HasPrefix(msg, []byte("Maximum number of connections"))) {
		a.add(t, a.other, 1)
		return
	}
	a.connected(t, user, host, ssl)
	var failed uint64
	switch {
	case bytes.Contains(msg, []byte("(auth failed, ")):
		i := bytes.Index(msg, []byte("(auth failed, "))
		failed, _, _ = parseUint(msg[i+len("(auth failed, "):])
	case bytes.Contains(msg, []byte(" authentication attempts)")):
		i := bytes.Index(msg, []byte(" authentication attempts)"))
		j := bytes.LastIndexByte(msg[:i], '(')
		failed, _, _ = parseUint(msg[j+1 : i])
	case bytes.Contains(msg, []byte("plaintext auth")), bytes.Contains(msg, []byte("dest auth failed")),
		bytes.HasPrefix(msg, []byte("Maximum number of connections")):
		failed = 1 // a login refused before or after the password check
	}
	a.fail(t, user, host, ssl, failed)
}

// dovecotUser returns the name in "user=<…>", or nil.
func dovecotUser(msg []byte) []byte {
	i := bytes.Index(msg, []byte("user=<"))
	if i < 0 {
		return nil
	}
	u := msg[i+len("user=<"):]
	if e := bytes.Index(u, []byte(">, ")); e >= 0 {
		return u[:e]
	}
	return bytes.TrimSuffix(u, []byte(">"))
}

// dovecotTLS reports whether the connection was TLS: a ", TLS" field
// (", TLS: Disconnected", ", TLS handshaking" too). "secured" alone means a
// trusted network, not TLS.
func dovecotTLS(msg []byte) bool {
	for r := msg; ; {
		i := bytes.Index(r, []byte(", TLS"))
		if i < 0 {
			return false
		}
		r = r[i+len(", TLS"):]
		if len(r) == 0 || r[0] == ',' || r[0] == ':' || r[0] == ' ' {
			return true
		}
	}
}

// dovecotSession counts a mail process line, the end of a logged-in
// session with its traffic:
//
//	Disconnected: Logged out top=0/0, retr=1/10014, del=1/8, size=55676   (pop3)
//	Logged out in=412 out=90210                                            (imap, 2.x)
//	Disconnected: Logged out bytes=1719/139719                             (imap, 1.x)
//	Connection closed (…) in=… out=…     Disconnected for inactivity in=… out=…
func dovecotSession(t *counters.Tally, a *accessIDs, user, msg []byte) {
	logout := bytes.Contains(msg, []byte("Logged out"))
	end := logout || bytes.HasPrefix(msg, []byte("Disconnected")) || bytes.HasPrefix(msg, []byte("Connection closed")) ||
		bytes.HasPrefix(msg, []byte("Server shutting down"))
	if !end {
		a.add(t, a.other, 1)
		return
	}
	var retr, del, in, out uint64
	if v, ok := field(msg, "retr="); ok {
		retr, v, _ = parseUint(v)
		if v, ok := cut(v, "/"); ok {
			out, _, _ = parseUint(v)
		}
	}
	if v, ok := field(msg, "top="); ok {
		_, v, _ = parseUint(v)
		if v, ok := cut(v, "/"); ok {
			n, _, _ := parseUint(v)
			out += n
		}
	}
	del, _ = numField(msg, "del=")
	if v, ok := field(msg, "bytes="); ok {
		in, v, _ = parseUint(v)
		if v, ok := cut(v, "/"); ok {
			out, _, _ = parseUint(v)
		}
	}
	if n, ok := numField(msg, "in="); ok {
		in = n
	}
	if n, ok := numField(msg, "out="); ok {
		out = n
	}
	a.session(t, user, nil, logout, retr, del, in, out)
}

// lower appends s in lower case to dst, at most cap(dst) bytes.
func lower(dst, s []byte) []byte {
	for _, c := range s[:min(len(s), cap(dst))] {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
