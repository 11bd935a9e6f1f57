#!/usr/bin/env bash
# Captures real output of several Werkzeug/Flask versions with the debugger on, for the
# rules in patterns/werkzeug.rules, probes.rules and debugmode.rules.
#
# For each version: a virtualenv in /tmp with Flask and Werkzeug from PyPI, one small app
# on 127.0.0.1 (debug on), and the full debugger walk an attacker makes, recorded as
# `curl -si` output (*.http) and the server's own stdout+stderr (devserver.log):
#   index.http              GET /                                     (ordinary page)
#   error-page.http         GET /orders/1                             (debugger traceback page, 500)
#   console.http            GET /console                              (interactive console page)
#   debugger-resource.http  GET /orders/1?__debugger__=yes&cmd=resource&f=style.css
#   printpin.http           GET /console?__debugger__=yes&cmd=printpin&s=SECRET
#   pinauth-wrong.http      GET /console?__debugger__=yes&cmd=pinauth&pin=000-000-000&s=SECRET
#   pinauth.http            the same with the right PIN (read from devserver.log): Set-Cookie __wzd...
#   exec.http               GET /console?__debugger__=yes&cmd=1%2B1&frm=0&s=SECRET   (with the cookie)
#   exec-import.http        cmd=__import__(%27os%27).getpid() on the console    (with the cookie)
#   exec-frame.http         cmd=order_id&frm=<frame id from error-page.http> on /orders/1
# The 3.1 run is repeated with WERKZEUG_DEBUG_PIN=off (files *-pin-off.*): no PIN, the
# console runs code for anyone.
#
# Servers start with setsid (own process group: the reloader's child goes with it) and are
# stopped by that group's id. Nothing listens on anything but 127.0.0.1.
#
# Real access logs (access-logs/*-real-*.log): the 3.1 app wrapped in DebuggedApplication
# under gunicorn (its access log), behind nginx (combined format), and the same walk plus
# ordinary traffic and look-alikes sent through nginx. Needs nginx (apt-get install nginx-light);
# skipped without it.
#
# Other development servers' banners (debugmode.rules): Django's runserver and uvicorn
# --reload, into devservers/<server>-<version>-*.log.
#
# Usage: samples/capture-werkzeug-versions.sh [OUTPUT_DIR]  (default: this script's folder)
#   PARTS="versions devservers access" (default: all three) picks what to capture;
#   VERSIONS="0.6.2 3.1" limits the versions part to those names.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
work=$(mktemp -d /tmp/lw-wz-capture.XXXXXX)
pgids=()
parts=${PARTS:-versions devservers access}
want() { case " $parts " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

cleanup() {
    for pg in "${pgids[@]}"; do
        kill -TERM -- "-$pg" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# version sets: name | python | pip requirements | how the app is started:
#   run      app.run(debug=True)
#   cli      FLASK_ENV=development flask run            (Flask 1.0-2.1)
#   cli-old  FLASK_DEBUG=1 flask run                    (Flask 0.11/0.12: "Forcing debug mode on")
#   plain    werkzeug.run_simple(use_debugger=True)     (Werkzeug 0.6, before Flask's CLI and the PIN)
# Werkzeug 0.11 does not import on Python >= 3.11 (a regex with inline flags), 0.6 is
# Python 2 only: those use pyenv's interpreters ($PYENV_ROOT/versions/X/bin/python).
pyenv=${PYENV_ROOT:-/root/.pyenv}/versions
versions=(
    "3.1|python3|flask==3.1.* werkzeug==3.1.*|run"
    "2.0.3|python3|flask==2.0.3 werkzeug==2.0.3|cli"
    "1.0.1|python3|flask==1.1.4 werkzeug==1.0.1 jinja2==2.11.3 markupsafe==2.0.1 itsdangerous==1.1.0 click==7.1.2|run"
    "0.15.6|python3|flask==1.0.4 werkzeug==0.15.6 jinja2==2.11.3 markupsafe==2.0.1 itsdangerous==1.1.0 click==7.1.2|run"
    "0.11.15|$pyenv/3.6.15/bin/python|flask==0.12.5 werkzeug==0.11.15 jinja2==2.10.3 markupsafe==1.1.1 itsdangerous==0.24 click==6.7|cli-old"
    "0.6.2|$pyenv/2.7.18/bin/python|werkzeug==0.6.2|plain"
)

mkdir -p "$work/srv/shop"
cat > "$work/srv/shop/app.py" <<'PY'
import sys

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "capture-only-not-a-real-key"


@app.route("/")
def index():
    return "hello from the shop\n"


@app.route("/orders/<int:order_id>")
def order(order_id):
    orders = {1: {"total": 12.5}}
    return {"id": order_id, "total": orders[order_id]["total"] / 0}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=True)
PY

# the same shop as a bare WSGI app, for Werkzeug 0.6 on Python 2
cat > "$work/srv/shop/plain.py" <<'PY'
import sys

from werkzeug import run_simple


def app(environ, start_response):
    if environ.get("PATH_INFO", "/").startswith("/orders/"):
        orders = {1: {"total": 12.5}}
        orders[1]["total"] / 0
    start_response("200 OK", [("Content-Type", "text/plain")])
    return ["hello from the shop\n"]


if __name__ == "__main__":
    run_simple("127.0.0.1", int(sys.argv[1]), app, use_reloader=True,
               use_debugger=True, use_evalex=True)
PY

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start VENV MODE LOG [ENV...]: starts the app, sets $port and $pg (process group id)
start() {
    local venv=$1 mode=$2 log=$3
    shift 3
    port=$(free_port)
    if [ "$mode" = cli ]; then
        (cd "$work/srv/shop" && exec env PYTHONUNBUFFERED=1 FLASK_APP=app.py FLASK_ENV=development "$@" \
            setsid "$venv/bin/flask" run --host 127.0.0.1 --port "$port") > "$log" 2>&1 &
    elif [ "$mode" = cli-old ]; then
        (cd "$work/srv/shop" && exec env PYTHONUNBUFFERED=1 FLASK_APP=app.py FLASK_DEBUG=1 "$@" \
            setsid "$venv/bin/flask" run --host 127.0.0.1 --port "$port") > "$log" 2>&1 &
    elif [ "$mode" = plain ]; then
        (cd "$work/srv/shop" && exec env PYTHONUNBUFFERED=1 PYTHONPATH="$venv" "$@" \
            setsid "$python" plain.py "$port") > "$log" 2>&1 &
    else
        (cd "$work/srv/shop" && exec env PYTHONUNBUFFERED=1 "$@" \
            setsid "$venv/bin/python" app.py "$port") > "$log" 2>&1 &
    fi
    pg=$!
    pgids+=("$pg")
    for _ in $(seq 1 150); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.1
    done
}

stop() {
    sleep 0.5
    kill -TERM -- "-$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

capture() { # capture FILE URL [curl options]: the response as curl -si shows it
    local file=$1 url=$2
    shift 2
    curl -si --max-time 15 "$@" "$url" > "$file" || true
}

# walk DIR SUFFIX PIN-REQUIRED: the attacker's walk against the server on $port
walk() {
    local d=$1 sfx=$2 pinned=$3 base=http://127.0.0.1:$port jar=$work/cookies.txt
    rm -f "$jar"
    capture "$d/index$sfx.http" "$base/"
    capture "$d/error-page$sfx.http" "$base/orders/1"
    capture "$d/console$sfx.http" "$base/console"
    capture "$d/debugger-resource$sfx.http" "$base/orders/1?__debugger__=yes&cmd=resource&f=style.css"
    local secret frame pin
    secret=$(sed -n 's/.*SECRET = "\([^"]*\)".*/\1/p' "$d/console$sfx.http" | head -n 1)
    frame=$(sed -n 's/.*<div class="frame[^"]*" id="frame-\([0-9]*\)".*/\1/p' "$d/error-page$sfx.http" | tail -n 1)
    if [ "$pinned" = yes ]; then
        capture "$d/printpin$sfx.http" "$base/console?__debugger__=yes&cmd=printpin&s=$secret"
        capture "$d/pinauth-wrong$sfx.http" "$base/console?__debugger__=yes&cmd=pinauth&pin=000-000-000&s=$secret"
        pin=$(sed -n 's/.*\* Debugger \(PIN\|pin code\): \([0-9-]*\).*/\2/p' "$d/devserver$sfx.log" | head -n 1)
        capture "$d/pinauth$sfx.http" "$base/console?__debugger__=yes&cmd=pinauth&pin=$pin&s=$secret" -c "$jar"
    fi
    capture "$d/exec$sfx.http" "$base/console?__debugger__=yes&cmd=1%2B1&frm=0&s=$secret" -b "$jar"
    capture "$d/exec-import$sfx.http" "$base/console?__debugger__=yes&cmd=__import__(%27os%27).getpid()&frm=0&s=$secret" -b "$jar"
    if [ -n "$frame" ]; then
        capture "$d/exec-frame$sfx.http" "$base/orders/1?__debugger__=yes&cmd=order_id&frm=$frame&s=$secret" -b "$jar"
    fi
}

# walk_06 DIR: Werkzeug <= 0.6 has no SECRET and no PIN; its endpoint is the path
# .../__debugger__ (relative to the page), the console's frame is 0.
walk_06() {
    local d=$1 base=http://127.0.0.1:$port frame
    capture "$d/index.http" "$base/"
    capture "$d/error-page.http" "$base/orders/1"
    capture "$d/console.http" "$base/console"
    capture "$d/debugger-resource.http" "$base/orders/__debugger__?cmd=resource&f=style.css"
    frame=$(sed -n 's/.*<div class="frame[^"]*" id="frame-\([0-9]*\)".*/\1/p' "$d/error-page.http" | tail -n 1)
    capture "$d/exec.http" "$base/__debugger__?cmd=1%2B1&frm=0"
    capture "$d/exec-frame.http" "$base/orders/__debugger__?cmd=order_id&frm=$frame"
    capture "$d/source.http" "$base/orders/__debugger__?cmd=source&frm=$frame"
}

for spec in "${versions[@]}"; do
    want versions || break
    case " ${VERSIONS:-${spec%%|*}} " in *" ${spec%%|*} "*) ;; *) continue ;; esac
    IFS='|' read -r name python reqs mode <<<"$spec"
    venv=/tmp/lw-wz-venv-$name
    if [ "$mode" = plain ]; then # Python 2: no venv module, install into a plain folder
        # shellcheck disable=SC2086
        "$python" -m pip install --quiet --disable-pip-version-check --target "$venv" $reqs 2>/dev/null
        wz=$name fl=none pyv=$("$python" --version 2>&1)
    else
        [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
        # shellcheck disable=SC2086
        "$venv/bin/pip" install --quiet --disable-pip-version-check $reqs 2>/dev/null
        wz=$("$venv/bin/pip" show werkzeug 2>/dev/null | sed -n 's/^Version: //p')
        fl=$("$venv/bin/pip" show flask 2>/dev/null | sed -n 's/^Version: //p')
        pyv=$("$venv/bin/python" --version 2>&1)
    fi
    d=$out/werkzeug-$wz-debug-on
    mkdir -p "$d"
    case $mode in
        run) how='app.run(debug=True)' ;;
        cli) how='FLASK_ENV=development flask run' ;;
        cli-old) how='FLASK_DEBUG=1 flask run' ;;
        plain) how='werkzeug.run_simple(use_debugger=True, use_evalex=True, use_reloader=True)' ;;
    esac
    printf 'Flask==%s\nWerkzeug==%s\n%s\nstarted with: %s\n' "$fl" "$wz" "$pyv" "$how" > "$d/versions.txt"

    start "$venv" "$mode" "$d/devserver.log"
    if [ "$mode" = plain ]; then
        walk_06 "$d"
    else
        walk "$d" "" yes
    fi
    if [ "$name" = 3.1 ]; then
        # Werkzeug >= 3.0.3 trusts only localhost/127.0.0.1 as Host: any other Host gets
        # the page with EVALEX = false and 400 for debugger calls.
        capture "$d/error-page-untrusted-host.http" "http://127.0.0.1:$port/orders/1" -H 'Host: shop.example.com'
        capture "$d/console-untrusted-host.http" "http://127.0.0.1:$port/console" -H 'Host: shop.example.com'
        capture "$d/exec-untrusted-host.http" "http://127.0.0.1:$port/console?__debugger__=yes&cmd=1%2B1&frm=0&s=x" -H 'Host: shop.example.com'
        # an edit under the reloader: " * Detected change in '...', reloading"
        touch "$work/srv/shop/app.py"
        sleep 2.5
    fi
    stop "$pg"

    if [ "$name" = 3.1 ]; then
        start "$venv" "$mode" "$d/devserver-pin-off.log" WERKZEUG_DEBUG_PIN=off
        walk "$d" "-pin-off" no
        stop "$pg"
    fi
    echo "captured Werkzeug $wz / Flask $fl into $d"
done

# --- other development servers: Django runserver, uvicorn --reload ---------------------
if want devservers; then
venv=/tmp/lw-wz-venv-devservers
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check django uvicorn 2>/dev/null
dj=$("$venv/bin/pip" show django | sed -n 's/^Version: //p')
uv=$("$venv/bin/pip" show uvicorn | sed -n 's/^Version: //p')
mkdir -p "$out/devservers" "$work/dj"
"$venv/bin/django-admin" startproject shop "$work/dj"
port=$(free_port)
(cd "$work/dj" && exec env PYTHONUNBUFFERED=1 setsid "$venv/bin/python" manage.py runserver "127.0.0.1:$port") \
    > "$out/devservers/django-$dj-runserver.log" 2>&1 &
pg=$!; pgids+=("$pg")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:$port/console"
stop "$pg"

cat > "$work/dj/asgi_shop.py" <<'PY'
async def app(scope, receive, send):
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"hello from the shop\n"})
PY
port=$(free_port)
(cd "$work/dj" && exec env PYTHONUNBUFFERED=1 setsid "$venv/bin/uvicorn" asgi_shop:app --reload --host 127.0.0.1 --port "$port") \
    > "$out/devservers/uvicorn-$uv-reload.log" 2>&1 &
pg=$!; pgids+=("$pg")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
stop "$pg"
echo "captured Django $dj runserver and uvicorn $uv --reload into $out/devservers"
fi

# --- real access logs: gunicorn + nginx in front of DebuggedApplication -----------------
if want access && command -v nginx >/dev/null; then
    venv=/tmp/lw-wz-venv-3.1
    "$venv/bin/pip" install --quiet --disable-pip-version-check gunicorn 2>/dev/null
    gv=$("$venv/bin/pip" show gunicorn | sed -n 's/^Version: //p')
    wz=$("$venv/bin/pip" show werkzeug | sed -n 's/^Version: //p')
    a=$out/access-logs
    mkdir -p "$a" "$work/nginx"
    cat > "$work/srv/shop/wsgi.py" <<'PY'
from werkzeug.debug import DebuggedApplication

from app import app

app.debug = True  # let errors reach the debugger
application = DebuggedApplication(app, evalex=True)
PY
    : > "$a/gunicorn-$gv-real-werkzeug-$wz.log"
    gport=$(free_port)
    nport=$(free_port)
    (cd "$work/srv/shop" && exec setsid "$venv/bin/gunicorn" -w 1 -b "127.0.0.1:$gport" \
        --access-logfile "$a/gunicorn-$gv-real-werkzeug-$wz.log" wsgi:application) \
        > "$work/gunicorn-error.log" 2>&1 &
    gpg=$!; pgids+=("$gpg")
    for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$gport/" && break; sleep 0.1; done
    cat > "$work/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    access_log $a/nginx-real-werkzeug-$wz.log combined;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nport;
        location / { proxy_pass http://127.0.0.1:$gport; proxy_set_header Host \$host; }
    }
}
NGX
    : > "$a/nginx-real-werkzeug-$wz.log"
    (exec setsid nginx -p "$work/nginx" -c "$work/nginx/nginx.conf") > /dev/null 2>&1 &
    npg=$!; pgids+=("$npg")
    base=http://127.0.0.1:$nport
    for _ in $(seq 1 100); do curl -s -o /dev/null "$base/" && break; sleep 0.1; done
    ua='Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
    scan='Mozilla/5.0 zgrab/0.x'
    get() { curl -s -o "$work/last" -A "$1" "${@:3}" "$base$2"; }
    get "$ua" /
    get "$ua" /orders/2 -e "$base/"
    get "$ua" "/search?q=__debugger__" -e "$base/"
    get "$ua" "/search?q=%3F__debugger__%3Dyes%26cmd%3Dpinauth" -e "$base/"
    get "$ua" /consoles/ps5 -e "$base/"
    get "$ua" /api/console-logs
    get "$scan" "/static/..%2f..%2f..%2f..%2fetc%2fmachine-id"
    get "$scan" "/download?file=../../../../proc/sys/kernel/random/boot_id"
    get "$scan" /console
    get "$scan" "/?__debugger__=yes"
    get "$ua" /orders/1
    page=$work/last
    secret=$(sed -n 's/.*SECRET = "\([^"]*\)".*/\1/p' "$page" | head -n 1)
    frame=$(sed -n 's/.*<div class="frame[^"]*" id="frame-\([0-9]*\)".*/\1/p' "$page" | tail -n 1)
    get "$ua" "/orders/1?__debugger__=yes&cmd=resource&f=style.css" -e "$base/orders/1"
    get "$ua" "/orders/1?__debugger__=yes&cmd=resource&f=debugger.js" -e "$base/orders/1"
    get "$ua" "/orders/1?__debugger__=yes&cmd=resource&f=console.png" -e "$base/orders/1"
    get "$ua" "/orders/1?__debugger__=yes&cmd=printpin&s=$secret" -e "$base/orders/1"
    for guess in 000-000-000 123-456-789; do
        get "$ua" "/orders/1?__debugger__=yes&cmd=pinauth&pin=$guess&s=$secret" -e "$base/orders/1"
    done
    pin=$(sed -n 's/.*\* Debugger pin code: \([0-9-]*\).*/\1/p' "$work/gunicorn-error.log" | head -n 1)
    get "$ua" "/orders/1?__debugger__=yes&cmd=pinauth&pin=$pin&s=$secret" -e "$base/orders/1" -c "$work/jar"
    get "$ua" "/orders/1?__debugger__=yes&cmd=order_id&frm=$frame&s=$secret" -e "$base/orders/1" -b "$work/jar"
    get "$ua" "/?utm_source=debug" -e "$base/orders/1?__debugger__=yes&cmd=resource&f=style.css"
    get "$ua" /console -b "$work/jar"
    get "$ua" "/console?__debugger__=yes&cmd=__import__(%27os%27).getcwd()&frm=0&s=$secret" -e "$base/console" -b "$work/jar"
    get "$scan" "/console?__debugger__=yes&cmd=__import__(%27os%27).popen(%27id%27).read()&frm=0&s=$secret" -H 'Host: shop.example.com'
    get "$ua" /
    sleep 0.5
    stop "$npg"
    stop "$gpg"
    echo "captured gunicorn $gv and nginx access logs into $a"
fi
