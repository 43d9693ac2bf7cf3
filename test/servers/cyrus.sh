#!/bin/bash
# Cyrus IMAP 3.6 httpd (CalDAV) on 127.0.0.1:15235, private config/spool under $ST, runs as user 'cyrus'.
set -euo pipefail
ST=${ST:-/tmp/caldav-cyrus}
PORT=${PORT:-15235}
IMAPPORT=${IMAPPORT:-15143}   # only used once, to autocreate the user INBOX
CYR=/usr/lib/cyrus/bin
case "${1:-}" in
install)
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cyrus-imapd cyrus-caldav sasl2-bin
  ;;
start)
  mkdir -p "$ST"/{conf,spool,run/socket,run/proc,run/lock}
  cat > "$ST/imapd.conf" <<EOF
configdirectory: $ST/conf
defaultpartition: default
partition-default: $ST/spool
proc_path: $ST/run/proc
mboxname_lockpath: $ST/run/lock
lmtpsocket: $ST/run/socket/lmtp
idlesocket: $ST/run/socket/idle
notifysocket: $ST/run/socket/notify
servername: localhost
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $ST/sasldb2
sasl_mech_list: PLAIN DIGEST-MD5
autocreate_quota: 0
httpmodules: caldav
httpallowcompress: no
caldav_realm: cyrus
EOF
  cat > "$ST/cyrus.conf" <<EOF
START {
  recover cmd="$CYR/ctl_cyrusdb -C $ST/imapd.conf -r"
}
SERVICES {
  http cmd="$CYR/httpd -C $ST/imapd.conf" listen="127.0.0.1:$PORT" prefork=0
  imap cmd="$CYR/imapd -C $ST/imapd.conf" listen="127.0.0.1:$IMAPPORT" prefork=0
}
EVENTS {
}
EOF
  echo secret | saslpasswd2 -p -c -f "$ST/sasldb2" -u localhost alice
  chown -R cyrus:mail "$ST"
  runuser -u cyrus -- $CYR/master -C "$ST/imapd.conf" -M "$ST/cyrus.conf" -p "$ST/master.pid" -L "$ST/master.log" >"$ST/master.out" 2>&1 &
  echo $! > "$ST/master.bgpid"
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
  # one IMAP login autocreates alice's INBOX (autocreate_quota: 0); without it httpd answers 500
  # ("could not autoprovision calendars for userid alice: Invalid user")
  curl -sS -u alice:secret "imap://127.0.0.1:$IMAPPORT/" -X 'LIST "" "*"' >/dev/null
  # first authenticated DAV request autoprovisions /dav/calendars/user/alice/{Default,Inbox,Outbox}/
  curl -sS -u alice:secret -X PROPFIND -H 'Depth: 0' -o /dev/null -w 'PROPFIND home %{http_code}\n' \
       "http://127.0.0.1:$PORT/dav/calendars/user/alice/"
  ;;
stop)
  for f in master.pid master.bgpid; do
    [ -f "$ST/$f" ] || continue
    pid=$(cat "$ST/$f"); kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi   # never leave a master behind
  done
  rm -rf "$ST"
  ;;
*) echo "usage: $0 install|start|stop"; exit 2;;
esac
