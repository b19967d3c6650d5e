#!/bin/sh
# make demo: real multilog directories, real processors, bundled sample logs.
# Everything lives in ./demo (removed first); nothing outside it is touched.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/bin
demo=$top/demo
corpus=${MAILLOGS_CORPUS:-$top/../shared/corpus}
command -v multilog >/dev/null || { echo "demo: error: multilog not found"; echo "demo: hint: apt-get install daemontools (make deps does)"; exit 1; }

kinds="send smtp pop3 imap auth webmail spam virus qpsmtpd"
rm -rf "$demo"; mkdir -p "$demo/lib" "$demo/log"
export MAILLOGS_DB=$demo/lib/maillogs.db TZ=${TZ:-UTC}
for k in $kinds; do eval "export MAILLOGS_$(echo $k | tr a-z A-Z)_DIR=\$demo/log/\$k"; done

# samples KIND: the bundled logs of a kind, labels removed (multilog t adds its own).
samples() {
  k=$1; set -- "$top"/parsers/testdata/$k-*.log
  case $k in
  send) set -- "$@" "$corpus/vipwoody-qMail-Log-Parser/qmail-send" ;;
  smtp) set -- "$@" "$corpus/fail2ban/qmail" ;;
  pop3) set -- "$@" "$corpus/ossec-docs/vpopmail.rst.lines.log" "$corpus/ossec-docs/courier.rst.lines.log" ;;
  imap) set -- "$@" "$corpus/LadyWhyFi-dovecot-postfix-lab/mail.log" ;;
  virus) set -- "$@" "$corpus/ossec-docs/clamav.rst.lines.log" ;;
  esac
  for f; do [ -f "$f" ] && sed 's/^@[0-9a-fA-F]\{24\} //' "$f"; done
  return 0
}

for k in $kinds; do
  mkfifo "$demo/$k.fifo"
  multilog t s4096 n9999 "!$bin/${k}log" "$demo/log/$k" < "$demo/$k.fifo" 2>>"$demo/multilog.err" &
  echo $! > "$demo/$k.pid"
  exec 3>"$demo/$k.fifo"
  # Feed in slices with a forced rotation (SIGALRM, as svc -a does) between them.
  samples $k > "$demo/$k.in"
  total=$(wc -l < "$demo/$k.in"); step=$(( total / 5 + 1 )); start=1
  while [ "$start" -le "$total" ]; do
    sed -n "${start},$((start + step - 1))p" "$demo/$k.in" >&3
    sleep 0.3; kill -ALRM "$(cat "$demo/$k.pid")"; start=$((start + step))
  done
  # The last slice stays in current: maillogs counts it live.
  printf 'a last line, counted live from current\n' >&3
  exec 3>&-
done
for k in $kinds; do
  pid=$(cat "$demo/$k.pid")
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
done

echo "== multilog directories (archives are the input, byte for byte)"
for k in $kinds; do
  printf '%s: %s rotated chunks, %s lines fed\n' "$k" "$(ls "$demo/log/$k" | grep -c '^@.*\.s$')" "$(wc -l < "$demo/$k.in")"
done
echo "== maillogs dump (non-zero counters; every counter: $bin/maillogs dump)"
"$bin/maillogs" dump | grep -v ' 0$'
echo "== maillogs send (the one-line form munin and snmpd extend read)"
"$bin/maillogs" send
echo "== maillogs users --kind pop3 (per-user counters of pop3, imap, auth, webmail)"
"$bin/maillogs" users --kind pop3
echo "== maillogs report pop3 --day today --top 5 (also: imap, traffic, send, qpsmtpd; cron runs them for yesterday)"
"$bin/maillogs" report pop3 --day today --top 5
echo "== maillogs check"
"$bin/maillogs" check || true
echo "(demo files are in $demo; set MAILLOGS_DB=$MAILLOGS_DB to query them)"
