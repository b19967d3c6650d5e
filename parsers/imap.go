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

var imapAccess = mailAccess(IMAPVocab, "imap", map[string]bool{
	"vchkpw-imap": false, "vchkpw-imaps": true,
	"imapd": false, "imaplogin": false, "courierimaplogin": false, "imapd-ssl": true,
})

func init() {
	register(IMAPVocab, []string{"imap_concurrency", "imap_concurrency_max"}, func(t *counters.Tally, b []byte) bool {
		return parseAccess(t, b, &imapAccess)
	})
}
