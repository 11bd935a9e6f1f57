#!/usr/bin/env bash
# real-peers.sh: run real Python web frameworks with debug ON and OFF, capture what they
# serve and log, and check that leakwatch reports the debug-on captures and stays quiet
# about the debug-off ones.
#
# Peers (installed from PyPI into throw-away virtualenvs, run on 127.0.0.1, free ports):
#   flask3   current Flask/Werkzeug, app.run(debug=True|False)
#   flask2   Flask 2.0.3 + Werkzeug 2.0.3 (itsdangerous/jinja2/markupsafe pinned for Python 3.11)
#   django   current Django, `manage.py runserver` style with DEBUG from DJANGO_DEBUG
#   fastapi  current FastAPI under uvicorn, FastAPI(debug=True|False)
# With --extra also: bottle, tornado, pyramid (+ pyramid_debugtoolbar), Flask-DebugToolbar,
# PHP's built-in server (Debian php-cli, display_errors On|Off, phpinfo()) and a node http
# server answering like Express's default error handler (finalhandler).
#
# For every peer and mode, NAME-debug-on/ and NAME-debug-off/ get: index.http (a normal page),
# error-page.http (a route that raises, asked for with a browser's Accept header),
# error-page-text.http (the same with `Accept: text/plain`, django/fastapi), not-found.http
# (a 404) and server.log (the server's stdout+stderr), all `curl -si` bytes as received.
#
# Assertions (one PASS/FAIL line each; exit 1 if any fails):
#   - `curl -si .../orders/1 | leakwatch scan -` against the live Flask 3 server exits 1
#     with the debugger page found (debug on) and 0 (debug off);
#   - each debug-on capture yields the expected categories (leakwatch -f jsonl, parsed with
#     python3);
#   - every debug-off response and every normal page yields nothing at `low` or above
#     (`--fail-on low` exits 0);
#   - debug-off server logs yield nothing at `high` or above and no debugger/debug-page
#     finding (a development server's own warning, `medium`, and a logged traceback, `low`,
#     are expected there: the servers are dev servers and log errors whatever the mode).
#
# Usage: scripts/real-peers.sh [LEAKWATCH] [--out DIR] [--rules DIR]... [--extra]
#   LEAKWATCH  the binary to test (default .build/release/leakwatch)
#   --out DIR  write the captures into DIR (default: a temporary folder, removed at exit)
#   --rules    passed through to `leakwatch scan` (extra rule files; the built-in rules run too)
#   --extra    also run the extra peers listed above
# Needs: python3 (with venv; installs python3-venv with apt-get if missing), curl; --extra
# installs php-cli and nodejs with apt-get if missing. Runs as root on Debian 12 in CI.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=.build/release/leakwatch
out=
extra=0
rules=()
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2; shift 2 ;;
        --out=*) out=${1#--out=}; shift ;;
        --rules) rules+=(--rules "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift 2 ;;
        --extra) extra=1; shift ;;
        -h|--help) sed -n '2,35p' "$0"; exit 0 ;;
        -*) echo "real-peers.sh: unknown option $1" >&2; exit 64 ;;
        *) bin=$1; shift ;;
    esac
done
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
[ -x "$bin" ] || { echo "real-peers.sh: no leakwatch binary at $bin" >&2; exit 2; }

started=$(date +%s)
work=$(mktemp -d /tmp/leakwatch-peers.XXXXXX)
[ -n "$out" ] || out=$work/captures
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The apps run from a copy under $work/srv/shop (paths in tracebacks do not depend on where
# the repository is checked out).
apps=$work/srv/shop
mkdir -p "$apps"
cp -R "$here/samples/peers/apps/." "$apps/"
pids=()
failures=0
passes=0

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

log() { echo "-- $*" >&2; }

# ---------------------------------------------------------------- tools ------------
apt_install() { # apt_install PKG...: install Debian packages once (CI runs as root)
    log "apt-get install $*"
    if [ -z "${apt_updated:-}" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
if [ "$extra" = 1 ]; then
    command -v php >/dev/null || apt_install php-cli
    command -v node >/dev/null || apt_install nodejs
fi

# ---------------------------------------------------------------- virtualenvs ------
# venv NAME REQUIREMENT...: create $work/NAME and pip install into it (run in background;
# all installs go in parallel, then `wait_venvs` checks them).
venv_jobs=()
venv() {
    local name=$1; shift
    (python3 -m venv "$work/$name" &&
        "$work/$name/bin/pip" install --quiet --disable-pip-version-check "$@") \
        > "$work/pip-$name.log" 2>&1 &
    venv_jobs+=("$!:$name")
}
wait_venvs() {
    local job ok=1
    for job in "${venv_jobs[@]}"; do
        if ! wait "${job%%:*}"; then
            echo "FAIL pip install for ${job#*:}:" >&2
            cat "$work/pip-${job#*:}.log" >&2
            ok=0
        fi
    done
    [ "$ok" = 1 ] || exit 1
}
log "installing peers from PyPI"
venv flask3 "flask>=3,<4"
venv flask2 flask==2.0.3 werkzeug==2.0.3 "itsdangerous>=2.0,<2.1" "jinja2>=3.0,<3.1" "markupsafe>=2.0,<2.1" "click>=8.0,<8.2"
venv django "django>=4.2"
venv fastapi fastapi uvicorn
if [ "$extra" = 1 ]; then
    venv bottle bottle
    venv tornado tornado
    venv pyramid pyramid pyramid_debugtoolbar
    venv fltoolbar "flask>=3,<4" flask-debugtoolbar
fi
wait_venvs
{
    for v in flask3 flask2 django fastapi bottle tornado pyramid fltoolbar; do
        [ -d "$work/$v" ] || continue
        printf '%s: ' "$v"
        "$work/$v/bin/pip" freeze --disable-pip-version-check |
            grep -iE '^(flask|werkzeug|django|fastapi|starlette|uvicorn|bottle|tornado|pyramid|pyramid.debugtoolbar|flask.debugtoolbar)==' |
            tr '\n' ' '
        echo
    done
    python3 --version
    if [ "$extra" = 1 ]; then php --version | head -n 1; echo "node $(node --version)"; fi
} > "$out/peers-versions.txt"

# ---------------------------------------------------------------- servers ----------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME CMD...: run CMD (in $apps, its own session and process group) with output to
# $out/NAME/server.log; $port is chosen before and may appear in CMD as @PORT@.
# Servers get an empty environment plus a fixed PATH/HOME/LANG: Django's debug page lists
# the process environment (META under runserver) and phpinfo() prints $_ENV, and captures
# are committed as fixtures, so nothing of the CI's or developer's environment may leak in.
current=
start() {
    local name=$1; shift
    local args=() a
    for a in "$@"; do args+=("${a//@PORT@/$port}"); done
    mkdir -p "$out/$name"
    rm -f "$out/$name"/*.http "$out/$name/server.log"
    (cd "$apps" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 \
        PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 setsid "${args[@]}") \
        > "$out/$name/server.log" 2>&1 &
    current=$!
    pids+=("$current")
    local i
    for i in $(seq 1 150); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/" && return 0
        sleep 0.1
    done
    echo "FAIL $name: server did not answer on port $port" >&2
    cat "$out/$name/server.log" >&2
    failures=$((failures + 1))
    return 1
}
stop() { # stop the server started last (its whole process group: reloader children too)
    sleep 0.3
    kill -TERM -- "-$current" 2>/dev/null || true
    wait "$current" 2>/dev/null || true
}
capture() { # capture NAME FILE PATH [curl args...]
    local name=$1 file=$2 path=$3; shift 3
    curl -si --max-time 20 "$@" "http://127.0.0.1:$port$path" > "$out/$name/$file" || true
}
HTML_ACCEPT='Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

# run_peer NAME MODE EXTRA_CAPTURES CMD...: start, capture the standard set, stop.
run_peer() {
    local name=$1 texts=$2; shift 2
    port=$(free_port)
    start "$name" "$@" || return 0
    capture "$name" index.http /
    capture "$name" error-page.http /orders/1 -H "$HTML_ACCEPT"
    [ "$texts" = text ] && capture "$name" error-page-text.http /orders/1 -H 'Accept: text/plain'
    capture "$name" not-found.http /no/such/page -H "$HTML_ACCEPT"
    peer_hook "$name"
    stop
}
peer_hook() { :; }

# piped NAME EXPECTED_STATUS [RULE]: `curl -si URL | leakwatch scan -` against the live
# server, as an operator checks a deployment; the exit status (and a rule) are asserted.
piped() {
    local name=$1 expected=$2 rule=${3:-} rc=0
    curl -si --max-time 20 -H "$HTML_ACCEPT" "http://127.0.0.1:$port/orders/1" \
        | "$bin" scan "${rules[@]}" - > "$work/piped.txt" 2>&1 || rc=$?
    if [ "$rc" = "$expected" ] && { [ -z "$rule" ] || grep -q " $rule: " "$work/piped.txt"; }; then
        echo "PASS $name: curl -si /orders/1 | leakwatch scan - exits $rc${rule:+ and reports $rule}"
        passes=$((passes + 1))
    else
        echo "FAIL $name: curl -si /orders/1 | leakwatch scan - exited $rc, expected $expected${rule:+ with $rule}" >&2
        cat "$work/piped.txt" >&2
        failures=$((failures + 1))
    fi
}

for mode in on off; do
    flag=$([ $mode = on ] && echo on || echo off)
    log "flask3 debug $mode ($(( $(date +%s) - started ))s)"
    if [ $mode = on ]; then
        peer_hook() { piped "$1" 1 werkzeug-debugger-page; }
    else
        peer_hook() { piped "$1" 0; }
    fi
    run_peer flask3-debug-$mode - "$work/flask3/bin/python" flask_app.py @PORT@ $flag
    peer_hook() { :; }
    log "flask2 debug $mode"
    run_peer flask2-debug-$mode - "$work/flask2/bin/python" flask_app.py @PORT@ $flag
    log "django debug $mode"
    run_peer django-debug-$mode text env DJANGO_DEBUG=$([ $mode = on ] && echo 1 || echo 0) \
        "$work/django/bin/python" django_app.py runserver 127.0.0.1:@PORT@
    log "fastapi debug $mode"
    run_peer fastapi-debug-$mode text env FASTAPI_DEBUG=$([ $mode = on ] && echo 1 || echo 0) \
        "$work/fastapi/bin/python" -m uvicorn fastapi_app:app --host 127.0.0.1 --port @PORT@
    if [ "$extra" = 1 ]; then
        log "bottle debug $mode"
        run_peer bottle-debug-$mode - "$work/bottle/bin/python" bottle_app.py @PORT@ $flag
        log "tornado debug $mode"
        run_peer tornado-debug-$mode - "$work/tornado/bin/python" tornado_app.py @PORT@ $flag
        log "pyramid debug $mode"
        run_peer pyramid-debug-$mode - "$work/pyramid/bin/python" pyramid_app.py @PORT@ $flag
        log "flask-debugtoolbar debug $mode"
        run_peer flask-debugtoolbar-debug-$mode - "$work/fltoolbar/bin/python" flask_toolbar_app.py @PORT@ $flag
        log "php display_errors $mode"
        if [ $mode = on ]; then
            peer_hook() {
                capture "$1" warning.http /warn
                capture "$1" phpinfo.http /info.php
            }
        fi
        run_peer php-debug-$mode - php -d display_errors=$([ $mode = on ] && echo On || echo Off) \
            -d html_errors=On -d log_errors=On -S 127.0.0.1:@PORT@ -t php php/index.php
        peer_hook() { :; }
        if [ $mode = on ]; then # the same errors as plain text (html_errors=Off)
            run_peer php-plain-debug-on - php -d display_errors=On -d html_errors=Off \
                -d log_errors=Off -S 127.0.0.1:@PORT@ -t php php/index.php
        fi
        log "express-style node server NODE_ENV=$([ $mode = on ] && echo development || echo production)"
        run_peer express-debug-$mode - env NODE_ENV=$([ $mode = on ] && echo development || echo production) \
            node express_like.js @PORT@
    fi
done

# ---------------------------------------------------------------- assertions -------
# scan FILE: leakwatch's jsonl findings for FILE, as "rule_id category severity" lines.
scan() {
    local rc=0
    "$bin" scan "${rules[@]}" -f jsonl --fail-on none "$1" > "$work/scan.jsonl" 2> "$work/scan.err" || rc=$?
    if [ "$rc" != 0 ]; then
        echo "leakwatch exited $rc: $(cat "$work/scan.err")" >&2
        return 1
    fi
    python3 - "$work/scan.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    rec = json.loads(line)
    if rec.get("type") == "finding":
        d = rec["data"]
        print(d["rule_id"], d["category"], d["severity"])
PY
}
pass() { echo "PASS $*"; passes=$((passes + 1)); }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# expect FILE CATEGORY...: FILE yields at least one finding of each CATEGORY.
expect() {
    local file=$1; shift
    local rel=${file#"$out"/}
    if [ ! -s "$file" ]; then fail "$rel: not captured"; return; fi
    local found cat
    found=$(scan "$file") || { fail "$rel: scan failed"; return; }
    for cat in "$@"; do
        if printf '%s\n' "$found" | awk -v c="$cat" '$2 == c { ok = 1 } END { exit !ok }'; then
            pass "$rel: $cat ($(printf '%s\n' "$found" | awk -v c="$cat" '$2 == c { print $1 }' | sort -u | tr '\n' ' ' | sed 's/ $//'))"
        else
            fail "$rel: expected a $cat finding, got: $(printf '%s\n' "$found" | awk 'NF { print $1 "/" $3 }' | sort -u | tr '\n' ' ' | sed 's/^$/nothing/')"
        fi
    done
}
# quiet FILE [LEVEL]: `leakwatch scan --fail-on LEVEL FILE` exits 0 (default LEVEL low).
quiet() {
    local file=$1 level=${2:-low} rc=0
    local rel=${file#"$out"/}
    if [ ! -s "$file" ]; then fail "$rel: not captured"; return; fi
    "$bin" scan "${rules[@]}" --fail-on "$level" -f text --color never "$file" > "$work/quiet.txt" 2>&1 || rc=$?
    if [ "$rc" = 0 ]; then
        pass "$rel: nothing at $level or above"
    else
        fail "$rel: expected nothing at $level or above (exit $rc):"
        sed 's/^/    /' "$work/quiet.txt" | head -n 20
    fi
}
# none_of FILE CATEGORY...: FILE yields no finding of these categories.
none_of() {
    local file=$1; shift
    local rel=${file#"$out"/}
    if [ ! -s "$file" ]; then fail "$rel: not captured"; return; fi
    local found cat bad=
    found=$(scan "$file") || { fail "$rel: scan failed"; return; }
    for cat in "$@"; do
        if printf '%s\n' "$found" | awk -v c="$cat" '$2 == c { ok = 1 } END { exit !ok }'; then
            bad="$bad $(printf '%s\n' "$found" | awk -v c="$cat" '$2 == c { print $1 }' | sort -u | tr '\n' ' ')"
        fi
    done
    if [ -z "$bad" ]; then pass "$rel: no $*"; else fail "$rel: unexpected$bad"; fi
}
# off_peer NAME: every response of NAME-debug-off is clean; its log has nothing serious.
off_peer() {
    local d=$out/$1 f
    for f in "$d"/*.http; do quiet "$f"; done
    quiet "$d/server.log" high
    none_of "$d/server.log" debugger-exposed framework-debug-page config-dump secret
}

echo "== assertions (leakwatch: $bin${rules[*]:+ ${rules[*]}})"
for v in flask3 flask2; do
    d=$out/$v-debug-on
    expect "$d/error-page.http" debugger-exposed
    expect "$d/server.log" debug-mode-on debugger-exposed
    quiet "$d/index.http"
    quiet "$d/not-found.http"
    off_peer $v-debug-off
done
d=$out/django-debug-on
expect "$d/error-page.http" framework-debug-page
expect "$d/error-page-text.http" framework-debug-page
expect "$d/not-found.http" framework-debug-page
expect "$d/server.log" debug-mode-on
quiet "$d/index.http"
off_peer django-debug-off
d=$out/fastapi-debug-on
expect "$d/error-page.http" framework-debug-page
expect "$d/error-page-text.http" traceback
expect "$d/server.log" traceback
quiet "$d/index.http"
quiet "$d/not-found.http"
off_peer fastapi-debug-off
if [ "$extra" = 1 ]; then
    expect "$out/bottle-debug-on/error-page.http" framework-debug-page
    quiet "$out/bottle-debug-on/index.http"
    off_peer bottle-debug-off
    expect "$out/tornado-debug-on/error-page.http" traceback
    quiet "$out/tornado-debug-on/index.http"
    off_peer tornado-debug-off
    expect "$out/pyramid-debug-on/error-page.http" debugger-exposed
    expect "$out/pyramid-debug-on/index.http" debugger-exposed
    off_peer pyramid-debug-off
    expect "$out/flask-debugtoolbar-debug-on/index.http" framework-debug-page
    off_peer flask-debugtoolbar-debug-off
    expect "$out/php-debug-on/error-page.http" framework-debug-page
    expect "$out/php-debug-on/warning.http" framework-debug-page
    expect "$out/php-debug-on/phpinfo.http" config-dump
    expect "$out/php-plain-debug-on/error-page.http" framework-debug-page
    quiet "$out/php-debug-on/index.http"
    off_peer php-debug-off
    expect "$out/express-debug-on/error-page.http" framework-debug-page
    quiet "$out/express-debug-on/index.http"
    quiet "$out/express-debug-on/not-found.http"
    off_peer express-debug-off
fi

elapsed=$(( $(date +%s) - started ))
echo "== $passes passed, $failures failed in ${elapsed}s (captures in $out)"
[ "$failures" = 0 ]
