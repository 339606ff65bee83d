#!/usr/bin/env bash
# PDF refinement benchmark: `roentgen pdf fit` (release) beside diffpy.pdffit2 (PyPI, a compiled C++ program)
# on every fit of the shared recipes (examples/pdf-fit/<case>-<fit>.yaml), in the same run. Rounds are
# interleaved (PDFfit2, then Roentgen, case by case); both time their refinement alone (PdfFit.refine();
# Roentgen's `seconds`). Prints per fit the median times, the median ratio and its spread (min–max).
#   Benchmarks/pdffit/run.sh [ROUNDS]        (default 5)
# Installs diffpy.pdffit2 (binary wheel: its sdist needs GSL to build) into a venv outside the repo (default /work/.venv-pdffit).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
data="${ROENTGEN_SHARED_DATA:-$root/../shared/data}"
venv="${VENV:-/work/.venv-pdffit}"
rounds="${1:-5}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import diffpy.pdffit2, diffpy.structure" 2>/dev/null || "$venv/bin/pip" install -q --only-binary diffpy.pdffit2 diffpy.pdffit2 diffpy.structure
(cd "$root" && swift build -c release --product roentgen >&2)
bin="$(cd "$root" && swift build -c release --show-bin-path)/roentgen"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for round in $(seq "$rounds"); do
  for yaml in "$root"/examples/pdf-fit/*.yaml; do
    name="$(basename "$yaml" .yaml)"
    case_="${name%%-*}"; fit="${name#*-}"
    "$venv/bin/python" "$here/bench_pdffit2.py" "$data" "$case_" "$fit" | sed "s/^/pdffit2 $name /" >> "$out"
    "$bin" pdf fit "$yaml" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(json.dumps({'seconds': d['seconds'], 'rw': d['rw']}))" \
      | sed "s/^/roentgen $name /" >> "$out"
  done
  echo "round $round done" >&2
done
python3 - "$out" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, name, payload = line.split(" ", 2)
    runs.setdefault(name, {}).setdefault(who, []).append(json.loads(payload))
print(f"{'fit':34} {'PDFfit2 s':>10} {'Roentgen s':>11} {'ratio':>7} {'spread':>14} {'Rw PDFfit2':>11} {'Rw Roentgen':>12}")
for name in sorted(runs):
    p, r = runs[name]["pdffit2"], runs[name]["roentgen"]
    ratios = [a["seconds"] / b["seconds"] for a, b in zip(p, r)]
    print(f"{name:34} {statistics.median(x['seconds'] for x in p):10.3f} {statistics.median(x['seconds'] for x in r):11.4f} "
          f"{statistics.median(ratios):6.1f}x {min(ratios):6.1f}–{max(ratios):5.1f}x {p[0]['rw']:11.6f} {r[0]['rw']:12.6f}")
PY
