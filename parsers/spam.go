package parsers

import (
	"bytes"

	"github.com/maillogs/maillogs/counters"
)

// SpamVocab is SpamAssassin's spamd vocabulary. Scores, thresholds and
// seconds are sums in thousandths, so every average is exact: the mean
// ham score is (sa_ham_score_milli - sa_ham_score_neg_milli) / 1000 / sa_ham.
var SpamVocab = counters.NewVocab("spam",
	"sa_ham", "sa_spam",
	"sa_ham_score_milli", "sa_ham_score_neg_milli", "sa_spam_score_milli", "sa_spam_score_neg_milli",
	"sa_threshold_milli", "sa_ham_ms", "sa_spam_ms", "sa_ham_bytes", "sa_spam_bytes",
	"sa_result", "other",
)

// spamVerdict are the counters one verdict moves.
type spamVerdict struct {
	count, score, scoreNeg, ms, bytes int
}

var (
	saHam = spamVerdict{SpamVocab.ID("sa_ham"), SpamVocab.ID("sa_ham_score_milli"), SpamVocab.ID("sa_ham_score_neg_milli"),
		SpamVocab.ID("sa_ham_ms"), SpamVocab.ID("sa_ham_bytes")}
	saSpam = spamVerdict{SpamVocab.ID("sa_spam"), SpamVocab.ID("sa_spam_score_milli"), SpamVocab.ID("sa_spam_score_neg_milli"),
		SpamVocab.ID("sa_spam_ms"), SpamVocab.ID("sa_spam_bytes")}
	saThreshold = SpamVocab.ID("sa_threshold_milli")
	saResult    = SpamVocab.ID("sa_result")
	saOther     = SpamVocab.ID("other")
)

func init() { register(SpamVocab, []string{"sa_threshold"}, parseSpam) }

// parseSpam counts spamd's verdicts:
//
//	spamd: clean message (-1.3/5.0) for user:1001 in 0.3 seconds, 2074 bytes.
//	spamd: identified spam (10.2/5.0) for user:1001 in 1.2 seconds, 3219 bytes.
//
// spamd's other lines ("result: …", which repeats the verdict, "connection
// from …", "processing message …") count as sa_result or other.
func parseSpam(t *counters.Tally, b []byte) bool {
	prog, rest, ok := program(b)
	if !ok || !bytes.HasPrefix(prog, []byte("spamd")) {
		return false
	}
	if p2, r2, ok := program(rest); ok && string(p2) == "spamd" { // "spamd[1]: spamd: clean …"
		rest = r2
	}
	var v *spamVerdict
	switch {
	case bytes.HasPrefix(rest, []byte("clean message (")):
		v, rest = &saHam, rest[len("clean message ("):]
	case bytes.HasPrefix(rest, []byte("identified spam (")):
		v, rest = &saSpam, rest[len("identified spam ("):]
	case bytes.HasPrefix(rest, []byte("result: ")):
		t.Inc(saResult)
		return true
	default:
		t.Inc(saOther)
		return true
	}
	score, r, ok1 := parseFixed(rest, 3)
	r, ok2 := cut(r, "/")
	threshold, r, ok3 := parseFixed(r, 3)
	if !(ok1 && ok2 && ok3) {
		return false
	}
	t.Inc(v.count)
	addSigned(t, v.score, v.scoreNeg, score)
	if threshold > 0 {
		t.Add(saThreshold, uint64(threshold))
		t.SetGauge("sa_threshold", uint64(threshold)) // thousandths, as the sums
	}
	if i := bytes.Index(r, []byte(" in ")); i >= 0 {
		if ms, r2, ok := parseFixed(r[i+len(" in "):], 3); ok && ms >= 0 {
			t.Add(v.ms, uint64(ms))
			r = r2
		}
	}
	if i := bytes.Index(r, []byte("seconds, ")); i >= 0 {
		if n, _, ok := parseUint(r[i+len("seconds, "):]); ok {
			t.Add(v.bytes, n)
		}
	}
	return true
}
