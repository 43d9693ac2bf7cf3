#!/bin/bash
# Xandikos 0.2.8 on 127.0.0.1:15233 behind a tiny Basic-auth aiohttp wrapper (xandikos has no auth of its own).
set -euo pipefail
ST=${ST:-/tmp/caldav-xandikos}
PORT=${PORT:-15233}
case "${1:-}" in
install) DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends xandikos ;;
start)
  mkdir -p "$ST"
  cat > "$ST/xandikos-auth.py" <<'EOF'
#!/usr/bin/python3
"""Xandikos + Basic auth gate. Usage: xandikos-auth.py DATA_DIR PORT USER PASSWORD"""
import base64, logging, os, sys
from aiohttp import web
from xandikos.web import XandikosApp, XandikosBackend, WELLKNOWN_DAV_PATHS, RedirectDavHandler

root, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
logging.basicConfig(level=logging.WARNING)
principal = "/%s/" % user
os.makedirs(root, exist_ok=True)
backend = XandikosBackend(root)
backend._mark_as_principal(principal)
backend.create_principal(principal, create_defaults=True)  # -> /USER/calendars/calendar/
dav = XandikosApp(backend, current_user_principal=principal)
expected = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()

@web.middleware
async def basic_auth(request, handler):
    public = request.path == "/health" or request.path.startswith("/.well-known/")
    if not public and request.headers.get("Authorization") != expected:
        return web.Response(status=401, text="Unauthorized",
                            headers={"WWW-Authenticate": 'Basic realm="xandikos"'})
    return await handler(request)

async def dav_handler(request):
    return await dav.aiohttp_handler(request, "/")

app = web.Application(middlewares=[basic_auth])
app.router.add_get("/health", lambda r: web.Response(text="ok"))
for path in WELLKNOWN_DAV_PATHS:
    app.router.add_route("*", path, RedirectDavHandler("/").__call__)
app.router.add_route("*", "/{path_info:.*}", dav_handler)
web.run_app(app, host="127.0.0.1", port=port, print=None)
EOF
  /usr/bin/python3 "$ST/xandikos-auth.py" "$ST/data" "$PORT" alice secret > "$ST/xandikos.log" 2>&1 &
  echo $! > "$ST/pid"
  for i in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/health" && break; sleep 0.1; done
  ;;
stop)
  if [ -f "$ST/pid" ]; then
    pid=$(cat "$ST/pid"); kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$ST" ;;
*) echo "usage: $0 install|start|stop"; exit 2;;
esac
