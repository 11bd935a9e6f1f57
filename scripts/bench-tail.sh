#!/usr/bin/env bash
# bench-tail.sh: what `leakwatch tail` costs and how fast it alerts (a benchmark, not a
# test). Prints:
#   - alert latency, from the write of a leak line to its alert read from leakwatch's
#     standard output: p50 and p99 over 1,000 leak lines written among ordinary ones;
#   - CPU (share of one core) while following a file written at 20 MB/s, next to
#     `tail -F` and `tail -F | rg --line-buffered -f patterns-baseline.txt` on the same
#     stream;
#   - CPU while the followed files stay idle for 60 s.
# Usage: scripts/bench-tail.sh [LEAKWATCH] [IDLE_SECONDS]   (defaults: .build/release/leakwatch, 60)
set -euo pipefail
cd "$(dirname "$0")/.."
leakwatch=$(realpath "${1:-.build/release/leakwatch}")
idle=${2:-60}
corpus=bench-data/corpus-100M-seed1.log
[ -f "$corpus" ] || { mkdir -p bench-data; python3 scripts/genlogs.py -q --size 100M --seed 1 "$corpus"; }
patterns=${LEAKWATCH_SHARED:-../shared}/bench/patterns-baseline.txt
python3 - "$leakwatch" "$corpus" "$patterns" "$idle" <<'PY'
import os, signal, statistics, subprocess, sys, tempfile, threading, time, json

leakwatch, corpus, patterns, idle = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
work = tempfile.mkdtemp(prefix="leakwatch-bench-tail.")
ticks = os.sysconf("SC_CLK_TCK")

def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except FileNotFoundError:
            pass
    return total / ticks

def start(cmd, **kw):
    return subprocess.Popen(cmd, start_new_session=True, **kw)

def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    proc.wait()

# 1. Latency: 1,000 leak lines, one every 5 ms among ordinary lines.
log = os.path.join(work, "latency.log")
open(log, "w").close()
follower = start([leakwatch, "tail", "--fold-window", "0", log], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
time.sleep(0.5)
latencies = []
def read_alerts():
    for line in follower.stdout:
        now = time.time_ns()
        record = json.loads(line)
        if record["type"] == "finding" and "&t=" in record["data"]["excerpt"]:
            sent = int(record["data"]["excerpt"].split("&t=")[1].split(" ")[0])
            latencies.append((now - sent) / 1e6)
reader = threading.Thread(target=read_alerts, daemon=True)
reader.start()
with open(log, "a", buffering=1) as out:
    for n in range(1000):
        out.write('10.0.0.8 - - [03/Dec/2026:10:00:00 +0000] "GET /api/orders/%d HTTP/1.1" 200 512 "-" "Mozilla/5.0"\n' % n)
        out.write('10.0.0.7 - - [03/Dec/2026:10:00:00 +0000] "GET /?__debugger__=yes&cmd=resource&f=style.css&t=%d HTTP/1.1" 200 6078\n' % time.time_ns())
        time.sleep(0.005)
deadline = time.time() + 10
while len(latencies) < 1000 and time.time() < deadline:
    time.sleep(0.05)
stop(follower)
latencies.sort()
p50 = statistics.median(latencies)
p99 = latencies[int(len(latencies) * 0.99) - 1]
print("alert latency over %d leak lines: p50 %.2f ms, p99 %.2f ms" % (len(latencies), p50, p99))

# 2. CPU at 20 MB/s, 10 s of the genlogs corpus written in 20 ms slices.
def cpu_while_writing(cmd_for, name, seconds=10.0, rate=20e6):
    log = os.path.join(work, "busy-%s.log" % name)
    open(log, "w").close()
    procs = cmd_for(log)
    time.sleep(0.5)
    pids = [p.pid for p in procs]
    before, started = cpu_seconds(pids), time.time()
    with open(corpus, "rb") as source, open(log, "ab") as out:
        written = 0
        while time.time() - started < seconds:
            target = (time.time() - started) * rate
            if written < target:
                block = source.read(int(min(target - written, 4 << 20)))
                if not block:
                    source.seek(0)
                    continue
                out.write(block)
                out.flush()
                written += len(block)
            time.sleep(0.02)
    time.sleep(1.0)
    used = cpu_seconds(pids) - before
    wall = time.time() - started
    for proc in procs:
        stop(proc)
    print("CPU following a file written at %.0f MB/s for %.0f s: %-48s %.1f%% of a core" % (written / wall / 1e6, seconds, name, 100 * used / wall))

null = subprocess.DEVNULL
cpu_while_writing(lambda log: [start([leakwatch, "tail", log], stdout=null, stderr=null)], "leakwatch tail (built-in rules)")
cpu_while_writing(lambda log: [start(["tail", "-F", "-n", "0", log], stdout=null)], "tail -F")
def tail_rg(log):
    tail = start(["tail", "-F", "-n", "0", log], stdout=subprocess.PIPE)
    rg = start(["rg", "--line-buffered", "-f", patterns], stdin=tail.stdout, stdout=null)
    return [tail, rg]
cpu_while_writing(tail_rg, "tail -F | rg --line-buffered -f baseline")

# 3. Idle.
log = os.path.join(work, "idle.log")
open(log, "w").close()
follower = start([leakwatch, "tail", log, os.path.join(work, "*.log")], stdout=null, stderr=null)
time.sleep(1)
before = cpu_seconds([follower.pid])
time.sleep(idle)
used = cpu_seconds([follower.pid]) - before
stop(follower)
print("CPU while idle for %.0f s: %.3f s (%.3f%% of a core)" % (idle, used, 100 * used / idle))
PY
