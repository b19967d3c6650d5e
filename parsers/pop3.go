package parsers

import (
	"github.com/maillogs/maillogs/counters"
)

// POP3Vocab is the POP3 counter vocabulary: qmail-pop3d under tcpserver
// with vpopmail's vchkpw, courier pop3d, dovecot and UW ipop3d, in one log
// or many. Plain and TLS counts are disjoint: connections are
// pop3_connect + pop3_ssl_connect.
var POP3Vocab = counters.NewVocab("pop3",
	"pop3_connect", "pop3_ok", "pop3_deny", "pop3_end", "pop3_end_error", "tcpserver_error",
	"pop3_success", "pop3_failure",
	"pop3_ssl_connect", "pop3_ssl_success", "pop3_ssl_failure",
	"pop3_logout", "pop3_retrieved", "pop3_deleted", "pop3_bytes_received", "pop3_bytes_sent",
	"pop3_disconnect", "pop3_success_auth", "auth_process", "other",
)

var pop3Access = mailAccess(POP3Vocab, "pop3", map[string]bool{
	"vchkpw-pop3": false, "vchkpw-pop3s": true,
	"pop3d": false, "courierpop3login": false, "courierpop3d": false, "pop3d-ssl": true,
	"ipop3d": false,
})

func init() {
	register(POP3Vocab, []string{"pop3_concurrency", "pop3_concurrency_max"}, func(t *counters.Tally, b []byte) bool {
		return parseAccess(t, b, &pop3Access)
	})
}
