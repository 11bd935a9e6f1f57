#!/usr/bin/env bash
# Benchmark (issue 7): leakwatch against ripgrep on the same corpus, in one run,
# alternating, several times each. A benchmark, not a test: it prints numbers, ratios
# and the issue's targets as PASS/MISS lines, and exits 0 unless a check of correctness
# fails (counts that disagree, findings that change with --no-prefilter).
#
# Usage: scripts/bench.sh [RUNS] [SIZES]   (defaults: 5, "100M 1G")
# Needs: rg and GNU time (apt-get install ripgrep time), python3.
#
# The corpora come from scripts/genlogs.py (a copy of ../shared/bench/genlogs.py), seed 1,
# and are kept in bench-data/. The patterns are scripts/patterns-baseline.txt (a copy of
# ../shared/bench/patterns-baseline.txt). rg -P runs once per size: it takes ~50 s a GiB.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
sizes=${2:-100M 1G}
data=$root/bench-data
patterns=$root/scripts/patterns-baseline.txt
cores=$(nproc)
mkdir -p "$data"
(cd "$root" && swift build -c release > /dev/null)
leakwatch=$root/.build/release/leakwatch
failed=0

# Commands by key, in the order they are timed and printed.
keys=(pf1 pfN bi1 biN rg1 rgN rgP)
declare -A names=(
    [pf1]="leakwatch --pattern-file, -j1"
    [pfN]="leakwatch --pattern-file, -j$cores"
    [bi1]="leakwatch built-in rules, -j1"
    [biN]="leakwatch built-in rules, -j$cores"
    [rg1]="rg -j1 -c -f"
    [rgN]="rg -c -f"
    [rgP]="rg -j1 -P -c -f (one run)"
)
command_for() {  # KEY CORPUS
    case $1 in
        pf1) echo "$leakwatch scan -j1 --no-builtin --pattern-file $patterns --fail-on none $2" ;;
        pfN) echo "$leakwatch scan -j$cores --no-builtin --pattern-file $patterns --fail-on none $2" ;;
        bi1) echo "$leakwatch scan -j1 --fail-on none $2" ;;
        biN) echo "$leakwatch scan -j$cores --fail-on none $2" ;;
        rg1) echo "rg -j1 -c -f $patterns $2" ;;
        rgN) echo "rg -c -f $patterns $2" ;;
        rgP) echo "rg -j1 -P -c -f $patterns $2" ;;
    esac
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
check() {  # DESCRIPTION CONDITION(awk expression over nothing)
    if awk "BEGIN { exit !($2) }"; then echo "PASS $1"; else echo "MISS $1"; fi
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $cores cores, $(. /etc/os-release && echo "$PRETTY_NAME")"
echo "tools: $(rg --version | head -n 1), $("$leakwatch" --version | tail -n 1), $(swift --version 2>&1 | sed -n 1p)"

for size in $sizes; do
    corpus=$data/corpus-$size-seed1.log
    manifest=$data/corpus-$size-seed1.leaks.tsv
    if [ ! -f "$corpus" ] || [ ! -f "$manifest" ]; then
        python3 "$root/scripts/genlogs.py" --size "$size" --seed 1 --manifest "$manifest" -q "$corpus"
    fi
    bytes=$(stat -c %s "$corpus")
    cat "$corpus" > /dev/null   # warm the page cache

    # Correctness first: the same matching lines as rg, and the same findings with the
    # prefilter off (a regex on every line) as on.
    expected=$(rg -j1 -c -f "$patterns" "$corpus" || true)
    for threads in 1 "$cores"; do
        got=$("$leakwatch" scan -j"$threads" --no-builtin --pattern-file "$patterns" --fail-on none -f jsonl "$corpus" |
              python3 -c 'import json, sys; print(len({r["data"]["line"] for r in map(json.loads, sys.stdin) if r["type"] == "finding"}))')
        if [ "$got" = "$expected" ]; then
            echo "PASS $size: --pattern-file -j$threads reports $got matching lines, as rg -c does"
        else
            echo "FAIL $size: --pattern-file -j$threads reports $got matching lines, rg -c $expected"; failed=1
        fi
    done
    if [ "$size" = 100M ]; then
        for rules in builtin patterns; do
            if [ $rules = builtin ]; then set -- ; else set -- --no-builtin --pattern-file "$patterns"; fi
            on=$("$leakwatch" scan -j1 "$@" --fail-on none -f jsonl "$corpus" | grep -v '"type":"summary"' | md5sum)
            off=$("$leakwatch" scan -j1 --no-prefilter "$@" --fail-on none -f jsonl "$corpus" | grep -v '"type":"summary"' | md5sum)
            if [ "$on" = "$off" ]; then
                echo "PASS $size: $rules findings identical with --no-prefilter"
            else
                echo "FAIL $size: $rules findings differ with --no-prefilter"; failed=1
            fi
        done
        "$leakwatch" scan -j1 --fail-on none -f jsonl "$corpus" > "$data/findings.jsonl"
        python3 - "$manifest" "$data/findings.jsonl" <<'PY' || failed=1
import json, sys
events = [(int(a), int(a) + int(n) - 1, kind) for a, n, kind in (l.split("\t") for l in open(sys.argv[1]).read().split("\n") if l)]
lines = {r["data"]["line"] for r in map(json.loads, open(sys.argv[2])) if r["type"] == "finding"}
missed = [e for e in events if not any(e[0] <= line <= e[1] for line in lines)]
print(("FAIL" if missed else "PASS") + f" 100M: {len(events) - len(missed)} of {len(events)} seeded leaks in the manifest found")
sys.exit(1 if missed else 0)
PY
    fi

    declare -A times=() rss=()
    order=("${keys[@]}")
    for run in $(seq 1 "$runs"); do
        for key in "${order[@]}"; do
            [ "$key" = rgP ] && [ "$run" -gt 1 ] && continue
            # Wall time from bash's microsecond clock (GNU time's %e has 10 ms steps),
            # peak RSS from GNU time.
            started=$EPOCHREALTIME
            peak_kb=$( { /usr/bin/time -f "%M" $(command_for "$key" "$corpus") > /dev/null; } 2>&1 | tail -n 1)
            ended=$EPOCHREALTIME
            times[$key]+="$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.4f", b - a }') "
            rss[$key]+="$peak_kb "
        done
        # Reverse the order each round, so no command always runs first or last.
        order=($(printf '%s\n' "${order[@]}" | tac))
    done

    echo
    echo "corpus: $corpus, $bytes bytes, $runs runs each (median), page cache warm"
    printf '%-36s %9s %9s %13s %13s\n' command "median s" "MB/s" "peak RSS MB" "speed x rg-j1"
    declare -A medians=()
    for key in "${keys[@]}"; do medians[$key]=$(echo "${times[$key]}" | median); done
    for key in "${keys[@]}"; do
        awk -v n="${names[$key]}" -v m="${medians[$key]}" -v b="$bytes" -v p="$(echo "${rss[$key]}" | max)" -v r="${medians[rg1]}" \
            'BEGIN { printf "%-36s %9.3f %9.0f %13.1f %13.2f\n", n, m, b / m / 1e6, p / 1024, r / m }'
    done
    check "$size: --pattern-file -j1 at least 1.5x rg -j1 ($(awk -v a="${medians[rg1]}" -v b="${medians[pf1]}" 'BEGIN{printf "%.2f", a/b}')x)" "${medians[rg1]} / ${medians[pf1]} >= 1.5"
    check "$size: built-in rules -j1 at least rg -j1 ($(awk -v a="${medians[rg1]}" -v b="${medians[bi1]}" 'BEGIN{printf "%.2f", a/b}')x)" "${medians[rg1]} / ${medians[bi1]} >= 1.0"
    check "$size: --pattern-file -j$cores at least 1.8x -j1 ($(awk -v a="${medians[pf1]}" -v b="${medians[pfN]}" 'BEGIN{printf "%.2f", a/b}')x)" "${medians[pf1]} / ${medians[pfN]} >= 1.8"
    check "$size: built-in rules -j$cores at least 1.8x -j1 ($(awk -v a="${medians[bi1]}" -v b="${medians[biN]}" 'BEGIN{printf "%.2f", a/b}')x)" "${medians[bi1]} / ${medians[biN]} >= 1.8"
    peak=$(for key in pf1 pfN bi1 biN; do echo "${rss[$key]}"; done | max)
    check "$size: peak RSS of every leakwatch run under 32 MB ($((peak / 1024)) MB)" "$peak < 32768"
    unset times rss medians
done
exit $failed
