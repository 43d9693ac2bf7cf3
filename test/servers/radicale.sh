#!/bin/bash
# Radicale 3.1.8 on 127.0.0.1:15232, htpasswd (plain) auth, calendar pre-created on disk.
set -euo pipefail
ST=${ST:-/tmp/caldav-radicale}
PORT=${PORT:-15232}
case "${1:-}" in
install) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends radicale ;;
start)
  mkdir -p "$ST/collections/collection-root/alice/calendar"
  cat > "$ST/config" <<EOF
[server]
hosts = 127.0.0.1:$PORT
[auth]
type = htpasswd
htpasswd_filename = $ST/users
htpasswd_encryption = plain
# default delay is 1 s after every failed login
delay = 0
[rights]
type = owner_only
[storage]
filesystem_folder = $ST/collections
[logging]
level = warning
EOF
  printf 'alice:secret\n' > "$ST/users"
  # a collection = a directory with .Radicale.props; tag VCALENDAR makes it a calendar
  printf '{"D:displayname": "Calendar", "tag": "VCALENDAR"}' \
      > "$ST/collections/collection-root/alice/calendar/.Radicale.props"
  # /usr/bin/radicale (Debian's python3), not a pyenv/venv python
  /usr/bin/radicale -C "$ST/config" > "$ST/radicale.log" 2>&1 &
  echo $! > "$ST/pid"
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/.well-known/caldav" && break; sleep 0.1; done
  ;;
stop)
  if [ -f "$ST/pid" ]; then
    pid=$(cat "$ST/pid"); kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$ST" ;;
*) echo "usage: $0 install|start|stop"; exit 2;;
esac
