#!/usr/bin/env bash
# Benchmark: leakwatch against ripgrep on the same corpus, in one run, alternating.
# A benchmark, not a test: it prints numbers and ratios, it asserts nothing.
#
# Usage: scripts/bench.sh [SIZE] [RUNS]   (defaults: 100M, 5)
# Needs: rg (apt-get install ripgrep), python3, GNU time (apt-get install time).
# The corpus comes from ../shared/bench/genlogs.py (seed 1) and is kept in bench-data/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-100M}
runs=${2:-5}
shared=${LEAKWATCH_SHARED:-$root/../shared}
data=$root/bench-data
corpus=$data/corpus-$size-seed1.log
patterns=$shared/bench/patterns-baseline.txt

mkdir -p "$data"
if [ ! -f "$corpus" ]; then
    python3 "$shared/bench/genlogs.py" --size "$size" --seed 1 -q "$corpus"
fi
(cd "$root" && swift build -c release >/dev/null)
leakwatch=$root/.build/release/leakwatch
cat "$corpus" > /dev/null   # warm the page cache
bytes=$(stat -c %s "$corpus")

declare -A names=(
    [lw]="leakwatch scan (built-in rules)"
    [rg]="rg -j1 -c -f patterns-baseline.txt"
)
declare -A commands=(
    [lw]="$leakwatch scan --fail-on none $corpus"
    [rg]="rg -j1 -c -f $patterns $corpus"
)
order=(lw rg)
declare -A times rss
for run in $(seq 1 "$runs"); do
    # Rotate the starting command each round so neither always runs first.
    if (( run % 2 == 0 )); then order=(rg lw); else order=(lw rg); fi
    for key in "${order[@]}"; do
        out=$( { /usr/bin/time -f "%e %M" ${commands[$key]} > /dev/null; } 2>&1 | tail -n 1)
        times[$key]+="${out%% *} "
        rss[$key]+="${out##* } "
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
rg_median=$(echo "${times[rg]}" | median)
echo "corpus: $corpus ($bytes bytes), $runs runs each, $(nproc) cores, $(rg --version | head -n 1), $("$leakwatch" --version | tail -n 1)"
printf '%-40s %10s %10s %12s %10s\n' command "median s" "MB/s" "peak RSS MB" "time x rg"
for key in lw rg; do
    m=$(echo "${times[$key]}" | median)
    peak=$(echo "${rss[$key]}" | max)
    awk -v n="${names[$key]}" -v m="$m" -v b="$bytes" -v p="$peak" -v r="$rg_median" \
        'BEGIN { printf "%-40s %10.3f %10.0f %12.1f %10.2f\n", n, m, b / m / 1e6, p / 1024, m / r }'
done
