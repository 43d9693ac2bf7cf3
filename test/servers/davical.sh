#!/bin/bash
# DAViCal 1.1.12 on 127.0.0.1:15234 with a throwaway PostgreSQL 15 cluster (unix socket only, port 15433).
# Writes the GLOBAL /etc/davical/127.0.0.1-conf.php: never run two instances at once (test/servers/harness.ts holds a lock).
# Needs root once for apt-get and for /etc/davical/127.0.0.1-conf.php; PG runs as 'postgres'.
set -euo pipefail
ST=${ST:-/tmp/caldav-davical}       # state dir
PORT=${PORT:-15234}
PGPORT_=${PGPORT_:-15433}
PGBIN=/usr/lib/postgresql/15/bin
case "${1:-}" in
install)
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends davical php8.2-cgi
  ;;
start)
  mkdir -p "$ST"
  install -d -o postgres -g postgres "$ST/pgdata" "$ST/pgsock"
  runuser -u postgres -- $PGBIN/initdb -D "$ST/pgdata" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$ST/initdb.log"
  runuser -u postgres -- $PGBIN/pg_ctl -D "$ST/pgdata" -l "$ST/pgdata/pg.log" -w \
      -o "-p $PGPORT_ -k $ST/pgsock -c listen_addresses=''" start >/dev/null
  export PGHOST="$ST/pgsock" PGPORT=$PGPORT_
  # schema + roles davical_dba/davical_app; 2nd arg = admin password
  PGUSER=postgres /usr/share/davical/dba/create-database.sh davical adminpw >"$ST/createdb.log" 2>&1
  # user alice / secret ('**' prefix = plain-text password; needed for Digest)
  psql -qX -v ON_ERROR_STOP=1 -U davical_dba davical <<'SQL'
INSERT INTO usr (active, email_ok, updated, username, password, fullname, email)
  VALUES (true, now(), now(), 'alice', '**secret', 'Alice Test', 'alice@example.com');
INSERT INTO principal (type_id, user_no, displayname, default_privileges)
  SELECT 1, user_no, 'Alice Test', 0::BIT(24) FROM usr WHERE username = 'alice';
SQL
  # DAViCal reads /etc/davical/<SERVER_NAME>-conf.php first; php -S sets SERVER_NAME=127.0.0.1
  cat > /etc/davical/127.0.0.1-conf.php <<EOF
<?php
\$c->pg_connect[] = "host=$ST/pgsock port=$PGPORT_ dbname=davical user=davical_app";
\$c->system_name = "DAViCal test";
\$c->admin_email = 'admin@example.com';
EOF
  # DAVICAL_DIGEST=1: challenge with Digest (Basic is still accepted). The file is re-read on every request.
  if [ "${DAVICAL_DIGEST:-0}" = 1 ]; then echo '$c->http_auth_mode = "Digest";' >> /etc/davical/127.0.0.1-conf.php; fi
  cat > "$ST/router.php" <<'EOF'
<?php
if (preg_match('#^/\.well-known/(caldav|carddav)#', $_SERVER['REQUEST_URI'])) {
    header('Location: /caldav.php/', true, 301);
    return true;
}
return false;
EOF
  # setsid: own process group, so 'kill -- -PGID' also ends the PHP_CLI_SERVER_WORKERS children
  PHP_CLI_SERVER_WORKERS=4 setsid php -S 127.0.0.1:$PORT -t /usr/share/davical/htdocs "$ST/router.php" >"$ST/php.log" 2>&1 &
  echo $! > "$ST/php.pid"
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/robots.txt" && break; sleep 0.1; done
  # calendar collection
  curl -sS -u alice:secret -X MKCALENDAR -o /dev/null -w 'MKCALENDAR %{http_code}\n' \
       "http://127.0.0.1:$PORT/caldav.php/alice/calendar/"
  ;;
stop)
  [ -f "$ST/php.pid" ] && kill -- "-$(cat "$ST/php.pid")" 2>/dev/null || true
  [ -d "$ST/pgdata" ] && runuser -u postgres -- $PGBIN/pg_ctl -D "$ST/pgdata" -m fast -w stop >/dev/null || true
  rm -rf "$ST" /etc/davical/127.0.0.1-conf.php
  ;;
*) echo "usage: $0 install|start|stop"; exit 2;;
esac
