#!/usr/bin/env bash
# capture-traces.sh: reproduces the stack-trace fixtures in this folder from real runtimes.
# Documented for reviewers; NOT run in CI (it needs the runtimes below and root for /srv/app).
#
# Runtimes (Debian 12 packages unless noted): python3 3.11 (pyenv) + Flask 3.1 in a venv
# under /tmp, openjdk 17 (default-jdk-headless), nodejs 20, php8.2-cli, golang-go 1.19,
# ruby 3.1, swift 6.3 (swift.org toolchain). Each program is written under /srv/app/<lang>/
# so frames show a deploy path, run there, and its real stderr (or `curl -si` answer) is
# saved as <lang>-<what>.log / .http. Servers bind 127.0.0.1 only, run under setsid and are
# stopped by process-group id. Timestamps and pids in the fixtures are whatever the run gave.
#
# Not made by this script: dotnet-*.log (no .NET runtime in Debian 12). They follow the
# formats of dotnet/runtime src/libraries/System.Private.CoreLib/src/System/Exception.cs
# (ToString: "Type: message", newline + " ---> " inner, newline + "   --- End of inner
# exception stack trace ---") and System/Diagnostics/StackTrace.cs ("   at T.M(P p)" +
# " in F:line N", "--- End of stack trace from previous location ---"), the host's
# "Unhandled exception. " prefix and the Microsoft.Extensions.Logging console formatter
# ("fail: Category[EventId]", message lines indented by 6 spaces), as catalogued in
# signatures.md (DOTNET-TRACE, ASPNETCORE-DEVPAGE). benign-*.log are hand-written near misses.
#
# Usage: capture-traces.sh [OUTPUT_DIR]   (default: this script's folder)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
app=/srv/app
venv=/tmp/lw-traces-venv
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done; }
trap cleanup EXIT
mkdir -p "$out" "$app"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; return 1; }

# ---------------------------------------------------------------- Python
mkdir -p "$app/py/shop"
cat > "$app/py/shop/__init__.py" <<'PY'
PY
cat > "$app/py/shop/pricing.py" <<'PY'
import json

RATES = {"EUR": 1.0, "USD": 1.08}


def load_order(raw):
    return json.loads(raw)


def price(order):
    line = order["items"][0]
    return line["unit_price"] * RATES[order["currency"]]


def price_raw(raw):
    try:
        order = load_order(raw)
    except ValueError as exc:
        raise RuntimeError("order payload could not be parsed") from exc
    return price(order)


def price_or_report(order):
    try:
        return price(order)
    except KeyError:
        report = {"order": order["id"]}
        return report["total"] / 0
PY
cat > "$app/py/plain.py" <<'PY'
from shop.pricing import price
print(price({"id": 42, "currency": "EUR", "items": [{"sku": "A-1", "qty": 2}]}))
PY
cat > "$app/py/chained.py" <<'PY'
import sys
from shop.pricing import price_or_report, price_raw
which = sys.argv[1]
if which == "context":
    price_or_report({"id": 42, "currency": "GBP", "items": [{"unit_price": 3}]})
else:
    price_raw('{"id": 42, "currency": ')
PY
cat > "$app/py/group.py" <<'PY'
from shop.pricing import price

orders = [
    {"id": 1, "currency": "EUR", "items": [{"unit_price": 3}]},
    {"id": 2, "currency": "CHF", "items": [{"unit_price": 4}]},
    {"id": 3, "currency": "EUR", "items": []},
]


def price_all(batch):
    errors, totals = [], []
    for order in batch:
        try:
            totals.append(price(order))
        except Exception as exc:
            errors.append(exc)
    if errors:
        raise ExceptionGroup(f"{len(errors)} orders could not be priced", errors)
    return totals


price_all(orders)
PY
cat > "$app/py/logexc.py" <<'PY'
import logging
from shop.pricing import price
logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("shop.worker")
try:
    price({"id": 42, "currency": "EUR", "items": [{"unit_price": None}]})
except Exception:
    log.exception("could not price order %s", 42)
log.warning("order %s moved to the retry queue", 42)
PY
cat > "$app/py/threads.py" <<'PY'
# Two worker threads each log their traceback line by line (logger.error per line), so
# the lines interleave; the format prefixes every line with time and thread name.
import logging, threading, traceback
from shop.pricing import price, price_raw
logging.basicConfig(format="%(asctime)s [%(threadName)s] %(message)s")
log = logging.getLogger("shop")
turn = threading.Condition()
state = {"turn": 0, "done": [False, False]}


def work(me, fn, arg):
    try:
        fn(arg)
    except Exception:
        lines = traceback.format_exc().rstrip("\n").split("\n")
    for line in lines:
        with turn:
            turn.wait_for(lambda: state["turn"] == me or state["done"][1 - me])
            log.error("%s", line)
            state["turn"] = 1 - me
            turn.notify_all()
    with turn:
        state["done"][me] = True
        turn.notify_all()


a = threading.Thread(target=work, name="Thread-1", args=(0, price, {"id": 7, "currency": "EUR", "items": []}))
b = threading.Thread(target=work, name="Thread-2", args=(1, price_raw, '{"id": 8,'))
a.start(); b.start(); a.join(); b.join()
PY
cat > "$app/py/jsonlog.py" <<'PY'
import json, logging, sys
from shop.pricing import price


class JsonFormatter(logging.Formatter):
    def format(self, record):
        doc = {"ts": self.formatTime(record), "level": record.levelname,
               "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            doc["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(doc)


h = logging.StreamHandler(sys.stdout)
h.setFormatter(JsonFormatter())
log = logging.getLogger("shop.api")
log.addHandler(h)
log.setLevel(logging.INFO)
log.info("GET /orders/42")
try:
    price({"id": 42, "currency": "JPY", "items": [{"unit_price": 3}]})
except Exception:
    log.exception("unhandled error on /orders/42")
log.info("GET /health")
PY
cat > "$app/py/webapp.py" <<'PY'
# A Flask app whose error handler sends the traceback to the client (the anti-pattern).
import sys, traceback
from flask import Flask, request
from shop.pricing import price

app = Flask(__name__)


@app.errorhandler(Exception)
def show_error(exc):
    return traceback.format_exc(), 500, {"Content-Type": "text/plain; charset=utf-8"}


@app.route("/orders/<int:order_id>")
def order(order_id):
    return {"total": price({"id": order_id, "currency": request.args.get("cur", "EUR"), "items": [{"unit_price": 3}]})}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
PY
(
  cd "$app/py"
  python3 plain.py 2> "$out/python-plain.log"
  python3 chained.py context 2> "$out/python-chained-context.log"
  python3 chained.py cause 2> "$out/python-chained-cause.log"
  python3 group.py 2> "$out/python-exception-group.log"
  python3 logexc.py 2> "$out/python-logging-exception.log"
  # syslog-style prefix on every line, added by a shell loop (as a log shipper would).
  python3 plain.py 2>&1 | while IFS= read -r line; do
      printf '%s web1 shop[%d]: %s\n' "$(date '+%b %e %H:%M:%S')" 812 "$line"; done > "$out/python-syslog-prefixed.log"
  python3 threads.py 2> "$out/python-threads-interleaved.log"
  # The same stderr as a container runtime stores it: Docker json-file (one JSON object per
  # line, "log" ends with \n) and Kubernetes CRI ("<RFC3339Nano> stderr F <line>"); the
  # wrapping is done here by a few lines of Python, as the runtimes' log drivers would.
  python3 plain.py 2>&1 | python3 -c '
import sys, json, datetime
for line in sys.stdin:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    print(json.dumps({"log": line, "stream": "stderr", "time": now}, separators=(",", ":")))' > "$out/python-docker-json-file.log"
  python3 plain.py 2>&1 | python3 -c '
import sys, datetime
for line in sys.stdin:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
    sys.stdout.write(now + " stderr F " + line)' > "$out/python-cri.log"
  python3 jsonlog.py > "$out/python-json-log.log" 2>&1
  # Flask (in a venv under /tmp) sending the traceback as the response body.
  [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "flask>=3,<4"; }
  port=$(free_port)
  setsid "$venv/bin/python" webapp.py "$port" > /tmp/lw-webapp.log 2>&1 & pids+=($!)
  wait_port "$port" && curl -si "http://127.0.0.1:$port/orders/42?cur=NOK" > "$out/python-flask-traceback-body.http"
  kill -TERM -- "-${pids[-1]}"
)

# ---------------------------------------------------------------- Java
mkdir -p "$app/java/src/com/acme/shop"
cat > "$app/java/src/com/acme/shop/PricingService.java" <<'JAVA'
package com.acme.shop;

import java.util.List;
import java.util.Map;

public class PricingService {
    private final Map<String, String> unitPrices = Map.of("A-1", "12.50", "B-2", "abc");

    public int priceCents(String sku) {
        try {
            return Integer.parseInt(unitPrices.get(sku).replace(".", ""));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("price of " + sku + " is not a number", e);
        }
    }

    public int total(List<String> skus) {
        return skus.stream().mapToInt(this::priceCents).sum();
    }
}
JAVA
cat > "$app/java/src/com/acme/shop/Main.java" <<'JAVA'
package com.acme.shop;

import java.util.List;

public class Main {
    public static void main(String[] args) {
        PricingService pricing = new PricingService();
        if (args.length > 0 && args[0].equals("npe")) {
            System.out.println(pricing.total(List.of("A-1", "Z-9")));
        } else {
            System.out.println(pricing.total(List.of("A-1", "B-2")));
        }
    }
}
JAVA
(
  cd "$app/java" && mkdir -p classes && javac -d classes src/com/acme/shop/*.java
  java -cp classes com.acme.shop.Main 2> "$out/java-caused-by.log"
  java -cp classes com.acme.shop.Main npe 2> "$out/java-npe.log"
)

# ---------------------------------------------------------------- Node
mkdir -p "$app/node/lib"
cat > "$app/node/lib/orders.js" <<'JS'
const orders = new Map([[42, { id: 42, items: [] }]]);

function findOrder(id) {
  const order = orders.get(id);
  if (!order.items.length) {
    throw new Error(`order ${id} has no items`);
  }
  return order;
}

function priceOrder(id) {
  const order = findOrder(id);
  return order.items.reduce((sum, item) => sum + item.price, 0);
}

module.exports = { findOrder, priceOrder };
JS
cat > "$app/node/server.js" <<'JS'
const { priceOrder } = require('./lib/orders');

function handle(req) {
  return { total: priceOrder(req.id) };
}

if (process.argv[2] === 'type') {
  [7].map((id) => handle({ id }));
} else {
  handle({ id: 42 });
}
JS
cat > "$app/node/checkout.js" <<'JS'
const { priceOrder } = require('./lib/orders');

function checkout(id) {
  try {
    return priceOrder(id);
  } catch (err) {
    throw new Error(`checkout failed for order ${id}`, { cause: err });
  }
}

checkout(42);
JS
(
  cd "$app/node"
  node server.js 2> "$out/node-uncaught-error.log"
  node checkout.js 2> "$out/node-error-cause.log"
  node server.js type 2> "$out/node-type-error.log"
)

# ---------------------------------------------------------------- PHP
mkdir -p "$app/php/src" "$app/php/public"
cat > "$app/php/src/Orders.php" <<'PHP'
<?php
namespace App;

class Orders
{
    private array $orders = [42 => ['id' => 42, 'items' => []]];

    public function find(int $id): array
    {
        if (!isset($this->orders[$id])) {
            throw new \RuntimeException("order $id not found");
        }
        return $this->orders[$id];
    }
}
PHP
cat > "$app/php/src/Checkout.php" <<'PHP'
<?php
namespace App;

class Checkout
{
    public function __construct(private Orders $orders) {}

    public function run(int $id): float
    {
        try {
            $order = $this->orders->find($id);
        } catch (\RuntimeException $e) {
            throw new \LogicException("checkout failed for order $id", 0, $e);
        }
        return array_sum(array_column($order['items'], 'price'));
    }
}
PHP
cat > "$app/php/src/Report.php" <<'PHP'
<?php
// Builds a report line by line until memory_limit stops it (a fatal error without a trace).
$rows = [];
for ($i = 0; $i < 1000000; $i++) {
    $rows[] = str_repeat("order $i;", 64);
}
echo count($rows), "\n";
PHP
cat > "$app/php/public/index.php" <<'PHP'
<?php
require __DIR__ . '/../src/Orders.php';
require __DIR__ . '/../src/Checkout.php';

$id = (int) ($_GET['id'] ?? ($argv[1] ?? 7));
$checkout = new App\Checkout(new App\Orders());
echo $checkout->run($id), "\n";
PHP
(
  cd "$app/php"
  rm -f /tmp/lw-php-error.log
  php -d display_errors=0 -d log_errors=1 -d error_log=/tmp/lw-php-error.log public/index.php 7
  cp /tmp/lw-php-error.log "$out/php-uncaught-error-log.log"
  php -d display_errors=stderr -d log_errors=0 -d html_errors=0 public/index.php 7 2> "$out/php-uncaught-cli.log"
  rm -f /tmp/lw-php-error.log
  php -d memory_limit=2M -d display_errors=0 -d log_errors=1 -d error_log=/tmp/lw-php-error.log src/Report.php
  cp /tmp/lw-php-error.log "$out/php-fatal-memory.log"
  port=$(free_port)
  setsid php -d display_errors=1 -d html_errors=1 -d log_errors=0 -S "127.0.0.1:$port" -t public > /tmp/lw-php-server.log 2>&1 & pids+=($!)
  wait_port "$port" && curl -si "http://127.0.0.1:$port/index.php?id=9" > "$out/php-uncaught-body.http"
  kill -TERM -- "-${pids[-1]}"
)

# ---------------------------------------------------------------- Go
mkdir -p "$app/go/cmd/api"
cat > "$app/go/go.mod" <<'GO'
module example.com/shop

go 1.19
GO
cat > "$app/go/cmd/api/main.go" <<'GO'
package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
)

type order struct {
	ID    int
	Items []int
}

var orders = map[int]*order{42: {ID: 42}}

func firstItem(id int) int {
	o := orders[id]
	return o.Items[0]
}

func handleOrder(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.URL.Query().Get("id"))
	fmt.Fprintf(w, "first item: %d\n", firstItem(id))
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "serve" {
		http.HandleFunc("/orders", handleOrder)
		fmt.Fprintln(os.Stderr, http.ListenAndServe("127.0.0.1:"+os.Args[2], nil))
		return
	}
	fmt.Println(firstItem(7))
}
GO
(
  cd "$app/go" && go build -o /tmp/lw-shop-api ./cmd/api
  /tmp/lw-shop-api 2> "$out/go-panic.log"
  port=$(free_port)
  setsid /tmp/lw-shop-api serve "$port" 2> "$out/go-http-panic-serving.log" & pids+=($!)
  wait_port "$port" && curl -s "http://127.0.0.1:$port/orders?id=42" > /dev/null
  sleep 0.5; kill -TERM -- "-${pids[-1]}"
)

# ---------------------------------------------------------------- Ruby
mkdir -p "$app/ruby/lib"
cat > "$app/ruby/lib/orders.rb" <<'RB'
require "json"

module Shop
  class Orders
    def initialize
      @orders = { 42 => { "id" => 42, "items" => [] } }
    end

    def find(id)
      @orders.fetch(id)
    end

    def load(raw)
      JSON.parse(raw)
    rescue JSON::ParserError
      raise ArgumentError, "order payload could not be parsed"
    end
  end
end
RB
cat > "$app/ruby/app.rb" <<'RB'
require_relative "lib/orders"

def handle(id)
  Shop::Orders.new.find(id)
end

if ARGV[0] == "cause"
  Shop::Orders.new.load('{"id": 42,')
else
  handle(7)
end
RB
(
  cd "$app/ruby"
  ruby app.rb 2> "$out/ruby-uncaught.log"
  ruby app.rb cause 2> "$out/ruby-cause.log"
)

# ---------------------------------------------------------------- Swift
mkdir -p "$app/swift"
cat > "$app/swift/main.swift" <<'SW'
struct Order { let id: Int; let items: [Int] }
let orders: [Int: Order] = [42: Order(id: 42, items: [])]

func findOrder(_ id: Int) -> Order {
    return orders[id]!
}

func handle(_ id: Int) -> Int {
    return findOrder(id).items.count
}

print(handle(7))
SW
(
  cd "$app/swift" && swiftc -g -Onone -o /tmp/lw-shop-swift main.swift
  SWIFT_BACKTRACE=enable=yes,interactive=no /tmp/lw-shop-swift 2> "$out/swift-crash-backtrace.log"
  # optimised build: no "Fatal error:" line, frames without source locations
  swiftc -O -o /tmp/lw-shop-swift-O main.swift
  SWIFT_BACKTRACE=enable=yes,interactive=no /tmp/lw-shop-swift-O 2> "$out/swift-crash-optimized.log"
)
