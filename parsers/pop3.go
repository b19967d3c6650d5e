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

var pop3Access = accessIDs{
	proto: "pop3",
	tcp: &tcpIDs{
		connect: POP3Vocab.ID("pop3_connect"), ok: POP3Vocab.ID("pop3_ok"), deny: POP3Vocab.ID("pop3_deny"),
		end: POP3Vocab.ID("pop3_end"), endErr: POP3Vocab.ID("pop3_end_error"), fatal: POP3Vocab.ID("tcpserver_error"),
		gauge: "pop3_concurrency",
	},
	connect: POP3Vocab.ID("pop3_connect"), sslConnect: POP3Vocab.ID("pop3_ssl_connect"),
	success: POP3Vocab.ID("pop3_success"), sslSuccess: POP3Vocab.ID("pop3_ssl_success"),
	failure: POP3Vocab.ID("pop3_failure"), sslFailure: POP3Vocab.ID("pop3_ssl_failure"),
	authLogin: POP3Vocab.ID("pop3_success_auth"),
	logout:    POP3Vocab.ID("pop3_logout"), disconnect: POP3Vocab.ID("pop3_disconnect"),
	retrieved: POP3Vocab.ID("pop3_retrieved"), deleted: POP3Vocab.ID("pop3_deleted"),
	bytesIn: POP3Vocab.ID("pop3_bytes_received"), bytesOut: POP3Vocab.ID("pop3_bytes_sent"),
	webmail: -1, authProc: POP3Vocab.ID("auth_process"), vchkpwConnect: -1, other: POP3Vocab.ID("other"),
	progs: map[string]bool{
		"vchkpw-pop3": false, "vchkpw-pop3s": true,
		"pop3d": false, "courierpop3login": false, "courierpop3d": false, "pop3d-ssl": true,
		"ipop3d": false,
	},
}

func init() {
	register(POP3Vocab, []string{"pop3_concurrency", "pop3_concurrency_max"}, func(t *counters.Tally, b []byte) bool {
		return parseAccess(t, b, &pop3Access)
	})
}
