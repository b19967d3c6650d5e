package parsers

import (
	"github.com/maillogs/maillogs/counters"
)

// IMAPVocab is the IMAP counter vocabulary: courier imapd, dovecot, UW
// imapd and vchkpw-imap. A login from a loopback address is the webmail's
// own and counts as imap_webmail, never as imap_success.
var IMAPVocab = counters.NewVocab("imap",
	"imap_connect", "imap_ok", "imap_deny", "imap_end", "imap_end_error", "tcpserver_error",
	"imap_success", "imap_failure",
	"imap_ssl_connect", "imap_ssl_success", "imap_ssl_failure",
	"imap_logout", "imap_disconnect", "imap_bytes_received", "imap_bytes_sent",
	"imap_webmail", "imap_success_auth", "auth_process", "other",
)

var imapAccess = accessIDs{
	proto: "imap",
	tcp: &tcpIDs{
		connect: IMAPVocab.ID("imap_connect"), ok: IMAPVocab.ID("imap_ok"), deny: IMAPVocab.ID("imap_deny"),
		end: IMAPVocab.ID("imap_end"), endErr: IMAPVocab.ID("imap_end_error"), fatal: IMAPVocab.ID("tcpserver_error"),
		gauge: "imap_concurrency",
	},
	connect: IMAPVocab.ID("imap_connect"), sslConnect: IMAPVocab.ID("imap_ssl_connect"),
	success: IMAPVocab.ID("imap_success"), sslSuccess: IMAPVocab.ID("imap_ssl_success"),
	failure: IMAPVocab.ID("imap_failure"), sslFailure: IMAPVocab.ID("imap_ssl_failure"),
	authLogin: IMAPVocab.ID("imap_success_auth"),
	logout:    IMAPVocab.ID("imap_logout"), disconnect: IMAPVocab.ID("imap_disconnect"),
	retrieved: -1, deleted: -1,
	bytesIn: IMAPVocab.ID("imap_bytes_received"), bytesOut: IMAPVocab.ID("imap_bytes_sent"),
	webmail: IMAPVocab.ID("imap_webmail"), authProc: IMAPVocab.ID("auth_process"), vchkpwConnect: -1,
	other: IMAPVocab.ID("other"),
	progs: map[string]bool{
		"vchkpw-imap": false, "vchkpw-imaps": true,
		"imapd": false, "imaplogin": false, "courierimaplogin": false, "imapd-ssl": true,
	},
}

func init() {
	register(IMAPVocab, []string{"imap_concurrency", "imap_concurrency_max"}, func(t *counters.Tally, b []byte) bool {
		return parseAccess(t, b, &imapAccess)
	})
}
