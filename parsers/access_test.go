package parsers

import (
	"strings"
	"testing"
	"time"

	"github.com/maillogs/maillogs/counters"
)

// A failed login is never a success, whatever the daemon, and a line cut
// short or holding odd names neither panics nor counts a login.
func TestAccessEdges(t *testing.T) {
	long := strings.Repeat("x", 70<<10)
	tests := []struct {
		kind, line string
		want       map[string]uint64 // every other success/failure counter must stay 0
		user       string            // a user that must be counted, if any
	}{
		{"pop3", "dovecot: pop3-login: Disconnected (auth failed, 3 attempts in 9 secs): user=<a b@c>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2",
			map[string]uint64{"pop3_failure": 3, "pop3_connect": 1}, "a b@c"},
		{"pop3", "pop3-login: Aborted login (auth failed, 1 attempts): user=<ünïcødé@例え.jp>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, TLS",
			map[string]uint64{"pop3_ssl_failure": 1, "pop3_ssl_connect": 1}, "ünïcødé@例え.jp"},
		{"pop3", "auth: passwd-file(u,192.0.2.1): Password mismatch", map[string]uint64{"auth_process": 1}, ""},
		{"pop3", "pop3d: LOGIN FAILED, user=LOGIN, ip=[::ffff:192.0.2.1]", map[string]uint64{"pop3_failure": 1}, "LOGIN"},
		{"pop3", "pop3d: LOGIN FAILED, user=x@y, ip=[::ffff:192.0.2.1], login success", map[string]uint64{"pop3_failure": 1}, "x@y"},
		{"pop3", "vchkpw-pop3: password fail (pass: 'login success') u@d:192.0.2.1", map[string]uint64{"pop3_failure": 1}, "u@d"},
		{"pop3", "ipop3d[1]: Login failed user=Login auth=x host=h [192.0.2.1]", map[string]uint64{"pop3_failure": 1}, "Login"},
		{"pop3", "pop3-login: Login: user=<" + long + ">, rip=192.0.2.1", map[string]uint64{"pop3_success": 1, "pop3_connect": 1}, ""},
		{"pop3", "pop3-login: Login: ", map[string]uint64{"pop3_success": 1, "pop3_connect": 1}, ""},
		{"pop3", "pop3-login: Disconnected (auth failed, ", map[string]uint64{"pop3_connect": 1}, ""},
		{"pop3", "pop3(u): Disconnected: Logged out top=, retr=/, del=", map[string]uint64{"pop3_logout": 1}, ""},
		{"pop3", "pop3d: LOGIN", map[string]uint64{"unparsed": 1}, ""},
		{"imap", "imap-login: Login: user=<web>, method=PLAIN, rip=::1, lip=::1, secured", map[string]uint64{"imap_webmail": 1, "imap_connect": 1}, "web"},
		{"imap", "imapd: LOGIN FAILED, user=x, ip=[::ffff:127.0.0.1]", map[string]uint64{"imap_failure": 1}, "x"},
		{"auth", "vchkpw-smtp: password fail u@d:192.0.2.1", map[string]uint64{"smtp_auth_failure": 1, "smtp_auth_connect": 1}, "u@d"},
		{"auth", "postfix/smtpd[1]: warning: unknown[192.0.2.1]: SASL PLAIN authentication failed: sasl_username=evil", map[string]uint64{"smtp_auth_failure": 1, "smtp_auth_connect": 1}, ""},
		{"webmail", "sqwebmaild: LOGIN FAILED, user=u, ip=[192.0.2.1]", map[string]uint64{"webmail_failure": 1, "webmail_connect": 1}, "u"},
		{"webmail", "imap-login: Aborted login (auth failed, 1 attempts): user=<u>, rip=127.0.0.1, lip=127.0.0.1", map[string]uint64{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.line[:min(len(tt.line), 50)], func(t *testing.T) {
			c, _ := New(tt.kind, ref, time.UTC)
			c.Write([]byte(tt.line + "\n"))
			c.Close()
			for _, name := range c.Tally.Vocab.Names {
				if name == "lines" || name == "other" {
					continue
				}
				if got := c.Tally.Get(name); got != tt.want[name] {
					t.Errorf("%s = %d, want %d", name, got, tt.want[name])
				}
			}
			if tt.user != "" && c.Tally.Users[tt.user] == nil {
				t.Errorf("user %q not counted; users: %v", tt.user, counters.SortedNames(c.Tally.Users))
			}
			for u, ut := range c.Tally.Users {
				if tt.want[c.Tally.Vocab.Kind+"_failure"] > 0 && ut.C[1] > 0 { // login
					t.Errorf("user %q counted a login on a failure", u)
				}
			}
		})
	}
}
