#!/usr/bin/env bash
# Captures real output of Flask's development server into samples/: one app with
# debug=True (the Werkzeug debugger on) and one with debug off, their server logs, and
# `curl -si` responses. Everything runs on 127.0.0.1 in a throw-away virtualenv; servers
# are stopped by their process id (each runs in its own process group, so the reloader's
# child goes with it).
#
# Usage: samples/capture.sh [OUTPUT_DIR]   (default: the samples/ folder of this script)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
work=$(mktemp -d /tmp/leakwatch-capture.XXXXXX)
pids=()

cleanup() {
    for pid in "${pids[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "flask>=3,<4"

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
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=sys.argv[2] == "on")
PY

free_port() {
    "$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME MODE: runs the app with debug MODE (on/off), logging to NAME/devserver.log;
# sets $port and adds the server's process id to $pids.
start() {
    local name=$1 mode=$2
    port=$(free_port)
    mkdir -p "$out/$name"
    (cd "$work/srv/shop" && exec setsid "$work/venv/bin/python" app.py "$port" "$mode") \
        > "$out/$name/devserver.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/" && break
        sleep 0.1
    done
}

capture() { # capture FILE URL: the full response, headers and body, as curl -si shows it
    curl -si --max-time 10 "$2" > "$1" || true
}

# --- debug on: the Werkzeug debugger -----------------------------------------------
start flask-debug-on on
base=http://127.0.0.1:$port
d=$out/flask-debug-on
capture "$d/index.http" "$base/"
capture "$d/error-page.http" "$base/orders/1"
capture "$d/console.http" "$base/console"
capture "$d/debugger-resource.http" "$base/?__debugger__=yes&cmd=resource&f=debugger.js"
# What an attacker does next, so the server log holds real probe lines: ask the server to
# print the PIN again, then guess it.
secret=$(sed -n 's/.*SECRET = "\([^"]*\)".*/\1/p' "$d/console.http" | head -n 1)
curl -s -o /dev/null "$base/console?__debugger__=yes&cmd=printpin&s=$secret"
curl -s -o /dev/null "$base/console?__debugger__=yes&cmd=pinauth&pin=000-000-000&s=$secret"
sleep 0.5
kill -TERM -- "-${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

# --- debug off: the same app as it should run ----------------------------------------
start flask-debug-off off
base=http://127.0.0.1:$port
d=$out/flask-debug-off
capture "$d/index.http" "$base/"
capture "$d/error-page.http" "$base/orders/1"
sleep 0.5
kill -TERM -- "-${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true

"$work/venv/bin/pip" freeze --disable-pip-version-check | grep -iE '^(flask|werkzeug)==' > "$out/versions.txt"
"$work/venv/bin/python" --version >> "$out/versions.txt"
echo "captured into $out: $(cat "$out/versions.txt" | tr '\n' ' ')"
