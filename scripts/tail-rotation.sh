#!/usr/bin/env bash
# tail-rotation.sh: `leakwatch tail` against real logrotate (Debian's package), run by
# .ci/run. For each rotation mode (create, copytruncate, compress + delaycompress), RUNS
# times: a writer appends numbered lines at RATE lines a second (every 97th a leak: a
# request for the Werkzeug debugger's resources), logrotate is forced twice while it
# writes, and the follower's alerts are checked against what is on disk afterwards
# (the log and its rotated copies, decompressed): every leak line there is alerted
# exactly once, in order. A last scenario kills the follower with SIGKILL mid-stream,
# restarts it on the same state and output, and checks the same.
#
# Usage: scripts/tail-rotation.sh [LEAKWATCH] [RUNS] [RATE]
#   (defaults: .build/release/leakwatch, 20, 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
leakwatch=$(realpath "${1:-.build/release/leakwatch}")
runs=${2:-20}
rate=${3:-5000}
command -v logrotate >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq logrotate >/dev/null; }
logrotate=$(command -v logrotate || echo /usr/sbin/logrotate)
work=$(mktemp -d)
follower=
writer=
cleanup() {
    [ -n "$follower" ] && kill -KILL "$follower" 2>/dev/null || true
    [ -n "$writer" ] && kill -KILL "$writer" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
failures=0 passes=0

# The writer: numbered lines at a steady rate for SECONDS; with REOPEN it reopens the
# log when the path's inode changes (as Python's WatchedFileHandler does after a rename).
cat > "$work/writer.py" <<'PY'
import os, sys, time
path, rate, seconds, reopen = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "reopen"
def open_log(flags=os.O_CREAT):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | flags, 0o644)
    return fd, os.fstat(fd).st_ino
fd, inode = open_log()
start = time.monotonic()
total = int(rate * seconds)
for n in range(1, total + 1):
    if reopen:
        # Reopen once logrotate has created the new file; never create it ourselves
        # (logrotate's `create` fails if the path exists already).
        try:
            if os.stat(path).st_ino != inode:
                new_fd, new_inode = open_log(0)
                os.close(fd); fd, inode = new_fd, new_inode
        except FileNotFoundError:
            pass
    if n % 97 == 0:
        line = '10.0.0.7 - - [03/Dec/2026:10:00:00 +0000] "GET /?__debugger__=yes&cmd=resource&f=style.css&n=%06d HTTP/1.1" 200 6078 "-" "curl/7.88"\n' % n
    else:
        line = '10.0.0.8 - - [03/Dec/2026:10:00:00 +0000] "GET /api/orders/%06d HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n' % n
    os.write(fd, line.encode())
    delay = start + n / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
PY

# check NAME DIR: leaks on disk vs alerts written.
check() {
    local name=$1 dir=$2
    if python3 - "$dir" <<'PY'
import glob, gzip, json, os, re, sys
d = sys.argv[1]
on_disk = []
for path in sorted(glob.glob(os.path.join(d, "app.log*"))):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        on_disk += [int(m.group(1)) for m in re.finditer(r"__debugger__=yes&cmd=resource&f=style\.css&n=(\d+)", f.read())]
alerted = []
for line in open(os.path.join(d, "alerts.jsonl")):
    record = json.loads(line)
    if record["type"] == "notice":
        print("notice:", record["data"]["message"], file=sys.stderr)
    if record["type"] == "finding" and record["data"]["rule_id"] == "probe-debugger-resource":
        alerted.append(int(re.search(r"n=(\d+)", record["data"]["excerpt"]).group(1)))
missing = sorted(set(on_disk) - set(alerted))
repeated = sorted({n for n in alerted if alerted.count(n) > 1})
unordered = [(a, b) for a, b in zip(alerted, alerted[1:]) if b < a]
if missing or repeated or unordered or not on_disk:
    print("on disk %d leaks, alerted %d; missing %s; repeated %s; out of order %s" % (
        len(on_disk), len(alerted), missing[:10], repeated[:10], unordered[:5]), file=sys.stderr)
    sys.exit(1)
print("%d leaks on disk, each alerted once, in order" % len(on_disk))
PY
    then
        passes=$((passes + 1))
    else
        echo "FAIL $name (files: $(ls "$dir" | tr '\n' ' '))" >&2
        failures=$((failures + 1))
    fi
}

# start_follower DIR: leakwatch tail on DIR/app.log, alerts appended to DIR/alerts.jsonl.
start_follower() {
    "$leakwatch" tail --from-start --fold-window 0 --state "$1/state.json" --output "$1/alerts.jsonl" "$1/app.log" \
        2>> "$1/follower.err" &
    follower=$!
}

rotate_config() { # rotate_config DIR OPTIONS...
    local dir=$1; shift
    { echo "$dir/app.log {"; for option in "$@"; do echo "    $option"; done; echo "    rotate 20"; echo "    missingok"; echo "}"; } \
        > "$dir/logrotate.conf"
}

one_run() { # one_run MODE INDEX
    local mode=$1 index=$2 dir="$work/$1-$2"
    mkdir -p "$dir"
    case $mode in
        create) rotate_config "$dir" create; reopen=reopen ;;
        copytruncate) rotate_config "$dir" copytruncate; reopen=keep ;;
        compress) rotate_config "$dir" create compress delaycompress; reopen=reopen ;;
    esac
    : > "$dir/app.log"
    start_follower "$dir"
    python3 "$work/writer.py" "$dir/app.log" "$rate" 1.6 $reopen &
    writer=$!
    sleep 0.5; "$logrotate" -f -s "$dir/logrotate.state" "$dir/logrotate.conf"
    sleep 0.5; "$logrotate" -f -s "$dir/logrotate.state" "$dir/logrotate.conf"
    wait "$writer"; writer=
    sleep 3.2   # the old file's drain grace (2 s) and the idle flush
    kill -TERM "$follower"; wait "$follower" || echo "follower exited $?" >&2
    follower=
    check "$mode run $index" "$dir"
    rm -rf "$dir"
}

started=$(date +%s)
for mode in ${MODES:-create copytruncate compress}; do
    for index in $(seq 1 "$runs"); do one_run "$mode" "$index"; done
    echo "$mode: $runs runs done ($(( $(date +%s) - started ))s)"
done

# SIGKILL mid-stream, restart on the same state and output.
dir="$work/kill"; mkdir -p "$dir"; rotate_config "$dir" create; : > "$dir/app.log"
start_follower "$dir"
python3 "$work/writer.py" "$dir/app.log" "$rate" 3 reopen &
writer=$!
sleep 0.8; kill -KILL "$follower"; wait "$follower" 2>/dev/null || true
sleep 0.4; "$logrotate" -f -s "$dir/logrotate.state" "$dir/logrotate.conf"
sleep 0.3; start_follower "$dir"
sleep 0.6; kill -KILL "$follower"; wait "$follower" 2>/dev/null || true
start_follower "$dir"
wait "$writer"; writer=
sleep 3.2
kill -TERM "$follower"; wait "$follower" || true
follower=
check "SIGKILL and restart" "$dir"

echo "== $passes passed, $failures failed in $(( $(date +%s) - started ))s"
[ "$failures" -eq 0 ]
