#!/bin/bash
# sabre/dav 1.8.12 (Debian php-sabre-dav) CalDAV example server on 127.0.0.1:15236 via `php -S`, SQLite storage.
# SABRE_AUTH=digest (default; stock PDO backend, realm "SabreDAV") or SABRE_AUTH=basic (tiny AbstractBasic subclass).
set -euo pipefail
ST=${ST:-/tmp/caldav-sabredav}
PORT=${PORT:-15236}
SABRE_AUTH=${SABRE_AUTH:-digest}
EX=/usr/share/doc/php-sabre-dav/examples/sql
case "${1:-}" in
install) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends php-sabre-dav php8.2-sqlite3 php8.2-cli ;;
start)
  mkdir -p "$ST"
  # schema from the package examples + user alice (digesta1 = md5("alice:SabreDAV:secret")) + one calendar
  cat > "$ST/init.php" <<'EOF'
<?php
[$_, $db, $ex] = $argv;
$pdo = new PDO("sqlite:$db");
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
foreach (['sqlite.calendars.sql', 'sqlite.principals.sql', 'sqlite.users.sql', 'sqlite.locks.sql'] as $f) {
    $pdo->exec(file_get_contents("$ex/$f"));
}
$pdo->exec("INSERT INTO principals (uri,email,displayname) VALUES ('principals/alice','alice@example.com','Alice Test')");
$pdo->exec("INSERT INTO principals (uri) VALUES ('principals/alice/calendar-proxy-read'), ('principals/alice/calendar-proxy-write')");
$pdo->prepare("INSERT INTO users (username,digesta1) VALUES ('alice', ?)")->execute([md5('alice:SabreDAV:secret')]);
$pdo->exec("INSERT INTO calendars (principaluri,displayname,uri,ctag,description,calendarorder,calendarcolor,components,transparent)
            VALUES ('principals/alice','Calendar','calendar',1,'',0,'','VEVENT,VTODO',0)");
EOF
  php "$ST/init.php" "$ST/db.sqlite" "$EX"
  # the package's examples/calendarserver.php, adapted: baseUri '/', no error->exception mapping
  # (sabre 1.8 raises PHP 8.2 deprecations), optional Basic backend
  cat > "$ST/server.php" <<EOF
<?php
error_reporting(E_ALL & ~E_DEPRECATED & ~E_USER_DEPRECATED);
// sabre 1.8 has no /.well-known handling of its own (normally a web-server rewrite); emulate it
if (preg_match('#^/\.well-known/(caldav|carddav)#', \$_SERVER['REQUEST_URI'])) {
    header('Location: /', true, 301);
    return;
}
date_default_timezone_set('UTC');
require_once 'Sabre/autoload.php';
\$pdo = new \PDO('sqlite:$ST/db.sqlite');
\$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
if ('$SABRE_AUTH' === 'basic') {
    \$authBackend = new class extends \Sabre\DAV\Auth\Backend\AbstractBasic {
        protected function validateUserPass(\$u, \$p) { return \$u === 'alice' && \$p === 'secret'; }
    };
} else {
    \$authBackend = new \Sabre\DAV\Auth\Backend\PDO(\$pdo);
}
\$calendarBackend = new \Sabre\CalDAV\Backend\PDO(\$pdo);
\$principalBackend = new \Sabre\DAVACL\PrincipalBackend\PDO(\$pdo);
\$tree = array(
    new \Sabre\CalDAV\Principal\Collection(\$principalBackend),
    new \Sabre\CalDAV\CalendarRootNode(\$principalBackend, \$calendarBackend),
);
\$server = new \Sabre\DAV\Server(\$tree);
\$server->setBaseUri('/');
\$server->addPlugin(new \Sabre\DAV\Auth\Plugin(\$authBackend, 'SabreDAV'));
\$server->addPlugin(new \Sabre\DAVACL\Plugin());
\$server->addPlugin(new \Sabre\CalDAV\Plugin());
\$server->exec();
EOF
  # server.php is used as the php -S router, so every path goes through sabre
  setsid php -S 127.0.0.1:$PORT "$ST/server.php" > "$ST/php.log" 2>&1 &
  echo $! > "$ST/pid"
  for i in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
  ;;
stop)
  [ -f "$ST/pid" ] && kill -- "-$(cat "$ST/pid")" 2>/dev/null || true
  rm -rf "$ST" ;;
*) echo "usage: $0 install|start|stop"; exit 2;;
esac
