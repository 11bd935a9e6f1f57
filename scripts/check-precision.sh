#!/usr/bin/env bash
# Precision and recall of the built-in rules on generated logs (issue 3), run by .ci/run:
#   - 100 MB of benign lines (genlogs.py --leak-rate 0): no finding at low or above;
#   - 100 MB with seeded leaks (--seed 7 --manifest): every seeded leak event is found,
#     and every finding at low or above lies inside a seeded event.
# Usage: scripts/check-precision.sh [LEAKWATCH] [SIZE]   (defaults: .build/release/leakwatch, 100M)
set -euo pipefail
cd "$(dirname "$0")/.."
leakwatch=${1:-.build/release/leakwatch}
size=${2:-100M}
# A verbatim copy of ../shared/bench/genlogs.py, so a clean clone can run this alone.
genlogs=${GENLOGS:-scripts/genlogs.py}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$genlogs" -q --size "$size" --leak-rate 0 "$work/benign.log"
status=0
"$leakwatch" scan --fail-on low -f jsonl "$work/benign.log" > "$work/benign.jsonl" || status=$?
if [ "$status" -ne 0 ]; then
    echo "FAIL benign $size: exit $status, findings at low or above:" >&2
    grep '"type":"finding"' "$work/benign.jsonl" | head -5 >&2
    exit 1
fi
echo "PASS benign $size: no finding at low or above"

python3 "$genlogs" -q --size "$size" --seed 7 --manifest "$work/leaks.tsv" "$work/leaky.log"
"$leakwatch" scan -f jsonl "$work/leaky.log" > "$work/leaky.jsonl" || [ $? -eq 1 ]
python3 - "$work/leaks.tsv" "$work/leaky.jsonl" <<'PY'
import json, sys
events = [(int(first), int(first) + int(count) - 1, kind)
          for first, count, kind in (line.split("\t") for line in open(sys.argv[1]).read().split("\n") if line)]
findings = [record["data"] for record in map(json.loads, open(sys.argv[2])) if record["type"] == "finding"]
severities = ["info", "low", "medium", "high", "critical"]
missed = [e for e in events if not any(e[0] <= f["line"] <= e[1] for f in findings)]
stray = [f for f in findings if severities.index(f["severity"]) >= 1
         and not any(e[0] <= f["line"] <= e[1] for e in events)]
kinds = sorted({e[2] for e in events})
print(f"seeded {len(events)} leak events of {len(kinds)} kinds ({', '.join(kinds)}); {len(findings)} findings")
for first, last, kind in missed:
    print(f"FAIL missed {kind} at lines {first}-{last}", file=sys.stderr)
for f in stray[:10]:
    print(f"FAIL finding outside every seeded leak: line {f['line']} {f['rule_id']} {f['excerpt'][:100]}", file=sys.stderr)
if missed or stray:
    sys.exit(1)
print("PASS seeded: every leak found, nothing at low or above outside them")
PY
