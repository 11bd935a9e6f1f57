#!/usr/bin/env bash
# Captures real HTTP traffic for LeakWatch's HTTP/HAR decoder: raw `curl -si` output
# (byte for byte what curl printed) and HAR 1.2 files written by mitmproxy.
#
# What runs (all on 127.0.0.1, each server in its own process group via setsid, stopped by
# killing that group on EXIT):
#   app "on"   Flask 3.1.3 / Werkzeug 3.1.9, app.run(debug=True): the Werkzeug debugger.
#              Flask-Compress (+ brotli, backports.zstd) compresses 2xx Flask responses by
#              Accept-Encoding (zstd/br/gzip/deflate; streamed ones with zstd/br/deflate).
#   app "off"  the same app with debug off.
#   nginx      (nginx-light from Debian) reverse proxy in front of each app: gzip on,
#              gzip_proxied any, gzip_min_length 0, proxy_http_version 1.1, Accept-Encoding
#              stripped towards the app, so nginx does the compressing and answers
#              gzip + chunked. nginx's gzip filter compresses only 200/403/404 responses:
#              the 500 debugger page passes uncompressed, /console (200) comes back gzipped.
#   apache2    (Debian's Apache httpd 2.4) reverse proxy in front of each app with
#              SetOutputFilter BROTLI_COMPRESS;DEFLATE: compresses any status, so the 500
#              debugger page comes back br + chunked or gzip.
#   mitmdump   (mitmproxy from PyPI, needs Python >= 3.12) three times:
#              - an "encoder" reverse proxy in front of app "on" whose addon encodes
#                uncompressed responses with the client's first accepted coding
#                (Flask-Compress never compresses non-2xx responses and neither nginx nor
#                Apache speak "deflate", so the 500 debugger page gets deflate this way);
#              - a recorder with hardump=har/fifty-entries.har (listeners in front of app
#                "on" and app "off");
#              - a recorder with hardump=har/gzip-entries.har (listeners in front of nginx
#                and app "on").
#
# Output ($1, default: the folder this script is in):
#   http/*.http        curl stdout, byte for byte (see README.md for each file)
#   http/*.log         the servers' own logs of the run
#   har/*.har          mitmproxy's HAR files; har/README.md names the leaking entries
#   versions.txt       the versions used
#
# Virtualenvs: /tmp/lw-http-venv (app) and /tmp/lw-http-mitm (mitmproxy), reused if present.
# Usage: capture-http.sh [OUTPUT_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
work=$(mktemp -d /tmp/lw-http-capture.XXXXXX)
pgids=()

cleanup() {
    for pg in "${pgids[@]}"; do
        kill -TERM -- "-$pg" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
command -v apache2 >/dev/null || { apt-get update -qq && apt-get install -y -qq apache2 >/dev/null; }

venv=/tmp/lw-http-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    flask==3.1.3 werkzeug==3.1.9 flask-compress brotli

# mitmproxy 12 needs Python >= 3.12
mpy=
for c in python3.13 python3.12 "${PYENV_ROOT:-/root/.pyenv}"/versions/3.1[2-9]*/bin/python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
        mpy=$c; break
    fi
done
[ -n "$mpy" ] || { echo "need Python >= 3.12 for mitmproxy" >&2; exit 1; }
mvenv=/tmp/lw-http-mitm
[ -x "$mvenv/bin/mitmdump" ] || { "$mpy" -m venv "$mvenv"; "$mvenv/bin/pip" install --quiet --disable-pip-version-check mitmproxy; }

H=$out/http
A=$out/har
mkdir -p "$H" "$A" "$work/shop/static" "$work/nginx" "$work/mitm"

# --- the app -----------------------------------------------------------------------------
cat > "$work/shop/app.py" <<'PY'
import gzip
import sys
import traceback

from flask import Flask, Response, abort, jsonify, redirect, request
from flask_compress import Compress

app = Flask(__name__)
app.config["SECRET_KEY"] = "capture-only-not-a-real-key"
app.config["DATABASE_URL"] = "postgresql://shop:capture-only-password@127.0.0.1:5432/shop"
Compress(app)

PRODUCTS = [
    {"id": 1, "name": "teapot", "price": 12.5},
    {"id": 2, "name": "mug", "price": 4.0},
    {"id": 3, "name": "kettle", "price": 30.0},
]

PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{title} - the shop</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body>
<header><h1>The shop</h1><nav><a href="/">home</a> <a href="/products">products</a>
<a href="/about">about</a> <a href="/contact">contact</a></nav></header>
<main><h2>{title}</h2>
<p>{text}</p>
<p>Teapots, mugs and kettles, shipped within two days. Free delivery on orders over
twenty euros. Every product comes with a thirty day return policy and a friendly note.</p>
</main>
<footer>the shop, open every day</footer>
</body>
</html>
"""


def page(title, text):
    return PAGE.format(title=title, text=text)


@app.route("/")
def index():
    return page("Welcome", "hello from the shop")


@app.route("/about")
def about():
    return page("About", "A small shop for tea things.")


@app.route("/contact")
def contact():
    return page("Contact", "Write to us at the shop counter.")


@app.route("/search")
def search():
    q = request.args.get("q", "")
    hits = [p for p in PRODUCTS if q.lower() in p["name"]]
    return page("Search", f"{len(hits)} result(s) for your search")


@app.route("/products")
def products():
    return jsonify(PRODUCTS)


@app.route("/products/<int:pid>")
def product(pid):
    for p in PRODUCTS:
        if p["id"] == pid:
            return jsonify(p)
    abort(404)


@app.route("/api/health")
def health():
    return jsonify(status="ok")


@app.route("/cart", methods=["POST"])
def cart():
    data = request.get_json(silent=True) or {}
    return jsonify(added=data.get("id"), items=1), 201


@app.route("/boom", methods=["GET", "POST"])
def boom():
    orders = {1: {"total": 12.5}}
    return {"id": 1, "total": orders[1]["total"] / 0}


@app.route("/redirect")
def to_boom():
    return redirect("/boom")


@app.route("/debug/config")
def config_dump():
    # the kind of page people leave in: a dump of the app's configuration
    return jsonify({k: str(v) for k, v in sorted(app.config.items())})


@app.route("/stream")
def stream():
    fail = request.args.get("fail") == "1"

    def generate():
        yield "order export started\n"
        for p in PRODUCTS:
            yield f"order {p['id']}: {p['name']} ok\n"
        yield (f"config: DEBUG={app.debug} SECRET_KEY={app.config['SECRET_KEY']} "
               f"DATABASE_URL={app.config['DATABASE_URL']}\n")
        try:
            orders = {1: {"total": 12.5}}
            orders[1]["total"] / 0
        except ZeroDivisionError:
            yield "export warning:\n" + traceback.format_exc()
        if fail:
            raise RuntimeError("export aborted mid-stream")
        yield "order export finished\n"

    return Response(generate(), mimetype="text/plain")


@app.route("/download/crash-report.gz")
def crash_report():
    try:
        {}["missing"]
    except KeyError:
        text = traceback.format_exc()
    body = gzip.compress(("crash report\n" + text).encode(), mtime=0)
    return Response(body, mimetype="application/gzip",
                    headers={"Content-Disposition": "attachment; filename=crash-report.gz"})


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=sys.argv[2] == "on")
PY

cat > "$work/shop/static/style.css" <<'CSS'
body { font-family: sans-serif; margin: 2em auto; max-width: 40em; color: #222; }
header nav a { margin-right: 1em; }
footer { margin-top: 3em; color: #777; font-size: small; }
CSS
cat > "$work/shop/static/app.js" <<'JS'
document.addEventListener("DOMContentLoaded", function () {
  var n = document.querySelectorAll("nav a").length;
  console.log("nav links: " + n);
});
JS
# a small real PNG (16x16, two colours), written without any image library
"$venv/bin/python" - "$work/shop/static/logo.png" <<'PY'
import struct, sys, zlib
w = h = 16
rows = b"".join(b"\x00" + b"".join(b"\xc0\x40\x20" if (x // 4 + y // 4) % 2 else b"\xf0\xe0\xc0" for x in range(w)) for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY

free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() { # wait_port PORT: until something answers HTTP there
    for _ in $(seq 1 150); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2; return 1
}

start_app() { # start_app MODE LOG: sets $port
    port=$(free_port)
    (cd "$work/shop" && exec env PYTHONUNBUFFERED=1 setsid "$venv/bin/python" app.py "$port" "$1") > "$2" 2>&1 &
    pgids+=($!)
    wait_port "$port"
}

start_app on "$H/devserver-debug-on.log";  on=$port
start_app off "$H/devserver-debug-off.log"; off=$port

# --- nginx in front of both apps ---------------------------------------------------------
n_on=$(free_port); n_off=$(free_port)
cat > "$work/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    access_log $H/nginx-access.log combined;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    client_max_body_size 10m;
    client_body_buffer_size 1m;             # keep request bodies in memory (temp dirs are root's)
    gzip on;
    gzip_proxied any;
    gzip_types text/html text/plain application/json text/css application/javascript;
    gzip_min_length 0;
    proxy_http_version 1.1;
    proxy_set_header Accept-Encoding "";   # nginx compresses, not the app
    server {
        listen 127.0.0.1:$n_on;
        location / { proxy_pass http://127.0.0.1:$on; }
    }
    server {
        listen 127.0.0.1:$n_off;
        location / { proxy_pass http://127.0.0.1:$off; }
    }
}
NGX
(exec setsid nginx -p "$work/nginx" -c "$work/nginx/nginx.conf") > /dev/null 2>&1 &
pgids+=($!)
wait_port "$n_on"

# --- Apache httpd in front of both apps: mod_brotli + mod_deflate ------------------------
# nginx's gzip filter only compresses 200/403/404 responses, so the 500 debugger page goes
# through nginx uncompressed; Apache's SetOutputFilter compresses any status.
a_on=$(free_port); a_off=$(free_port)
mkdir -p "$work/apache"
M=/usr/lib/apache2/modules
cat > "$work/apache/httpd.conf" <<APC
ServerRoot $work/apache
PidFile $work/apache/httpd.pid
ServerName 127.0.0.1
Listen 127.0.0.1:$a_on
Listen 127.0.0.1:$a_off
LoadModule mpm_event_module $M/mod_mpm_event.so
LoadModule authz_core_module $M/mod_authz_core.so
LoadModule filter_module $M/mod_filter.so
LoadModule deflate_module $M/mod_deflate.so
LoadModule brotli_module $M/mod_brotli.so
LoadModule proxy_module $M/mod_proxy.so
LoadModule proxy_http_module $M/mod_proxy_http.so
User www-data
Group www-data
ErrorLog $work/apache/error.log
SetOutputFilter BROTLI_COMPRESS;DEFLATE
<VirtualHost 127.0.0.1:$a_on>
    ProxyPass / http://127.0.0.1:$on/
</VirtualHost>
<VirtualHost 127.0.0.1:$a_off>
    ProxyPass / http://127.0.0.1:$off/
</VirtualHost>
APC
(exec setsid apache2 -f "$work/apache/httpd.conf" -DFOREGROUND) > "$work/apache/stdout.log" 2>&1 &
pgids+=($!)
wait_port "$a_on"

# --- mitmproxy: an encoding proxy for the 500 pages --------------------------------------
cat > "$work/mitm/encode.py" <<'PY'
"""Encode responses that came back uncompressed with the client's first accepted coding."""
from mitmproxy import http


def response(flow: http.HTTPFlow) -> None:
    if flow.response.headers.get("content-encoding"):
        return
    for item in flow.request.headers.get("accept-encoding", "").split(","):
        coding = item.split(";")[0].strip().lower()
        if coding in ("br", "deflate", "gzip", "zstd"):
            flow.response.encode(coding)
            return
PY
mitm() { # mitm LOG ARGS...: starts mitmdump in its own process group; sets $mpg
    (exec setsid "$mvenv/bin/mitmdump" --set confdir="$work/mitm/conf" --quiet "${@:2}") > "$1" 2>&1 &
    mpg=$!
    pgids+=("$mpg")
}
stop_mitm() { # stop_mitm PGID: SIGINT (mitmdump writes its hardump on the way out) and wait
    kill -INT -- "-$1" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    wait "$1" 2>/dev/null || true
}
enc=$(free_port)
mitm "$work/mitm/encoder.log" --mode "reverse:http://127.0.0.1:$on@127.0.0.1:$enc" -s "$work/mitm/encode.py"
enc_pg=$mpg
wait_port "$enc"

# --- raw HTTP captures ---------------------------------------------------------------------
c() { # c FILE URL [curl options]: exactly what curl prints
    curl -s --max-time 15 "${@:3}" "$2" > "$H/$1" || true
}
d=http://127.0.0.1:$on      # debug on, direct
n=http://127.0.0.1:$n_on    # debug on, through nginx
o=http://127.0.0.1:$off     # debug off, direct
no=http://127.0.0.1:$n_off  # debug off, through nginx
e=http://127.0.0.1:$enc     # debug on, through the encoding mitmproxy
ap=http://127.0.0.1:$a_on   # debug on, through Apache
apo=http://127.0.0.1:$a_off # debug off, through Apache

c index.http                          "$d/" -i
c index-flask-compress-gzip.http      "$d/" -i -H 'Accept-Encoding: gzip'
c boom.http                           "$d/boom" -i
c boom-nginx-gzip.http                "$n/boom" -i -H 'Accept-Encoding: gzip'
c console.http                        "$d/console" -i
c console-nginx-gzip.http             "$n/console" -i -H 'Accept-Encoding: gzip'
c console-nginx-gzip-raw.http         "$n/console" -i -H 'Accept-Encoding: gzip' --raw
c console-nginx-compressed.http       "$n/console" -i --compressed
c boom-apache-gzip.http               "$ap/boom" -i -H 'Accept-Encoding: gzip'
c boom-apache-gzip-raw.http           "$ap/boom" -i -H 'Accept-Encoding: gzip' --raw
c boom-apache-br.http                 "$ap/boom" -i -H 'Accept-Encoding: br'
c boom-apache-br-raw.http             "$ap/boom" -i -H 'Accept-Encoding: br' --raw
c boom-apache-compressed.http         "$ap/boom" -i --compressed
c stream.http                         "$d/stream" -i
c stream-raw.http                     "$d/stream" -i --raw
c stream-nginx-raw.http               "$n/stream" -i --raw
c stream-nginx-gzip.http              "$n/stream" -i -H 'Accept-Encoding: gzip'
c stream-nginx-gzip-raw.http          "$n/stream" -i -H 'Accept-Encoding: gzip' --raw
c stream-fail-raw.http                "$d/stream?fail=1" -i --raw
c stream-fail-debug-off-raw.http      "$o/stream?fail=1" -i --raw
c stream-br.http                      "$d/stream" -i -H 'Accept-Encoding: br'
c stream-br-raw.http                  "$d/stream" -i -H 'Accept-Encoding: br' --raw
c stream-deflate-raw.http             "$d/stream" -i -H 'Accept-Encoding: deflate' --raw
c stream-zstd-raw.http                "$d/stream" -i -H 'Accept-Encoding: zstd' --raw
c stream-br-compressed.http           "$d/stream" -i -H 'Accept-Encoding: br' --compressed
c redirect-follow.http                "$d/redirect" -i -L
head -c 204800 /dev/zero | tr '\0' 'x' > "$work/body.bin"
c boom-post-expect-100.http           "$d/boom" -i -L -H 'Expect: 100-continue' --data-binary "@$work/body.bin"
c boom-post-expect-100-apache-gzip-raw.http "$ap/boom" -i -L -H 'Expect: 100-continue' -H 'Accept-Encoding: gzip' --raw --data-binary "@$work/body.bin"
c boom-deflate.http                   "$e/boom" -i -H 'Accept-Encoding: deflate'
c boom-br.http                        "$e/boom" -i -H 'Accept-Encoding: br'
c boom-br-compressed.http             "$e/boom" -i -H 'Accept-Encoding: br' --compressed
c config-deflate.http                 "$d/debug/config" -i -H 'Accept-Encoding: deflate'
c config-br.http                      "$d/debug/config" -i -H 'Accept-Encoding: br'
c config-compressed.http              "$d/debug/config" -i --compressed
c boom-debug-off.http                 "$o/boom" -i
c boom-debug-off-nginx-gzip-raw.http  "$no/boom" -i -H 'Accept-Encoding: gzip' --raw
c boom-debug-off-apache-br-raw.http   "$apo/boom" -i -H 'Accept-Encoding: br' --raw
c index-debug-off-nginx-gzip-raw.http "$no/" -i -H 'Accept-Encoding: gzip' --raw
stop_mitm "$enc_pg"

# --- HAR: fifty entries, two of them leak ------------------------------------------------
h_on=$(free_port); h_off=$(free_port)
mitm "$work/mitm/fifty.log" --mode "reverse:http://127.0.0.1:$on@127.0.0.1:$h_on" \
    --mode "reverse:http://127.0.0.1:$off@127.0.0.1:$h_off" --set hardump="$A/fifty-entries.har"
fifty_pg=$mpg
wait_port "$h_on"; wait_port "$h_off"
# wait_port asked "/" of both listeners: those are entries 0 (on) and 1 (off)
ok=http://127.0.0.1:$h_off
leak=http://127.0.0.1:$h_on
g() { curl -s -o /dev/null --max-time 15 "$@"; }
ua='Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'
for i in $(seq 1 3); do                                   # entries 2-16
    g -A "$ua" "$ok/"
    g -A "$ua" "$ok/static/style.css"
    g -A "$ua" "$ok/static/app.js"
    g -A "$ua" "$ok/products"
    g -A "$ua" "$ok/products/$i"
done
g -A "$ua" "$leak/boom"                                   # entry 17: debugger traceback page
for p in about contact "search?q=mug" "search?q=tea" products/9 nope api/health; do  # 18-24
    g -A "$ua" "$ok/$p"
done
g -A "$ua" -H 'Content-Type: application/json' --data '{"id": 2}' "$ok/cart"       # 25
g -A "$ua" "$ok/boom"                                     # 26: debug off, generic 500 page
for i in $(seq 1 14); do                                  # 27-40
    case $((i % 7)) in
        0) g -A "$ua" "$ok/" ;;
        1) g -A "$ua" "$ok/products" ;;
        2) g -A "$ua" "$ok/static/style.css" ;;
        3) g -A "$ua" "$ok/products/$((i % 3 + 1))" ;;
        4) g -A "$ua" "$ok/missing-$i" ;;
        5) g -A "$ua" "$ok/api/health" ;;
        6) g -A "$ua" "$ok/about" ;;
    esac
done
g -A "$ua" "$leak/console"                                # entry 41: interactive console
for p in "" products static/app.js contact products/2 api/health search?q=kettle "" ; do  # 42-49
    g -A "$ua" "$ok/$p"
done
stop_mitm "$fifty_pg"

# --- HAR: compressed and binary bodies ---------------------------------------------------
g_n=$(free_port); g_d=$(free_port)
mitm "$work/mitm/gzip.log" --mode "reverse:http://127.0.0.1:$n_on@127.0.0.1:$g_n" \
    --mode "reverse:http://127.0.0.1:$on@127.0.0.1:$g_d" --set hardump="$A/gzip-entries.har"
gz_pg=$mpg
wait_port "$g_n"; wait_port "$g_d"                        # entries 0 (nginx /) and 1 (app /)
gn=http://127.0.0.1:$g_n; gd=http://127.0.0.1:$g_d
g -H 'Accept-Encoding: gzip' "$gn/"                       # 2  nginx gzip+chunked, harmless
g -H 'Accept-Encoding: gzip' "$gn/boom"                   # 3  nginx gzip+chunked debugger page
g -H 'Accept-Encoding: gzip' "$gn/stream"                 # 4  nginx gzip+chunked stream with config + traceback
g -H 'Accept-Encoding: br' "$gd/stream"                   # 5  Flask-Compress br, chunked
g -H 'Accept-Encoding: deflate' "$gd/debug/config"        # 6  Flask-Compress deflate config dump
g -H 'Accept-Encoding: zstd' "$gd/products"               # 7  below COMPRESS_MIN_SIZE: not compressed
g -H 'Accept-Encoding: gzip' "$gd/static/logo.png"        # 8  PNG: base64
g -H 'Accept-Encoding: gzip' "$gd/download/crash-report.gz"  # 9  application/gzip with a traceback inside: base64
g "$gd/?__debugger__=yes&cmd=resource&f=console.png"     # 10 a debugger resource (PNG): base64
stop_mitm "$gz_pg"

# --- check the HAR files: 50 entries, the leaks where har/README.md says ----------------
"$venv/bin/python" - "$A/fifty-entries.har" "$A/gzip-entries.har" <<'PY'
import json, sys
fifty = json.load(open(sys.argv[1]))["log"]["entries"]
assert len(fifty) == 50, len(fifty)
markers = ("Werkzeug Debugger", "__debugger__", "Traceback", "SECRET", "EVALEX", "/tmp/")
leaks = [i for i, e in enumerate(fifty) if any(m in e["response"]["content"].get("text", "") for m in markers)]
got = [(i, fifty[i]["request"]["method"], fifty[i]["request"]["url"].split("/", 3)[3], fifty[i]["response"]["status"]) for i in leaks]
assert got == [(17, "GET", "boom", 500), (41, "GET", "console", 200)], got
gz = json.load(open(sys.argv[2]))["log"]["entries"]
assert sum(e["response"]["content"].get("encoding") == "base64" for e in gz) >= 1
print("HAR ok: fifty-entries leaks at", leaks, "; gzip-entries has", len(gz), "entries")
PY

# --- versions ---------------------------------------------------------------------------
{
    "$venv/bin/pip" freeze --disable-pip-version-check | grep -iE '^(flask|werkzeug|flask-compress|brotli|backports.zstd)=='
    "$venv/bin/python" --version
    echo "mitmproxy==$("$mvenv/bin/pip" show mitmproxy | sed -n 's/^Version: //p') ($("$mvenv/bin/python" --version))"
    nginx -v 2>&1
    apache2 -v | head -n 1
    curl --version | head -n 1
} > "$out/versions.txt"
sleep 0.5
echo "captured into $out: $(tr '\n' ' ' < "$out/versions.txt")"
