#!/usr/bin/env bash
# Diffraction benchmark: Swift (release) vs pymatgen / numpy on the same inputs; prints ratios.
# The powder simulation runs ROUNDS interleaved rounds (pymatgen, Roentgen, pymatgen, Roentgen, …) and
# reports the median of the per-round ratios with their spread (min–max), and the load (uptime).
# Uses the anchor venv VENV (default /work/.venv-xas, which has pymatgen and numpy).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${ROENTGEN_SHARED_DATA:-$here/../../../shared/data}"
venv="${VENV:-/work/.venv-xas}"
rounds="${ROUNDS:-5}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import pymatgen, numpy" 2>/dev/null || "$venv/bin/pip" install -q pymatgen numpy
cifs=$(ls "$data"/xrd/cif/common/*.cif "$data"/xrd/cif/diffpy/*.cif "$data"/xrd/cif/xrd_autoanalyzer_refs/*.cif)
(cd "$here" && swift build -c release -q)
bin="$(cd "$here" && swift build -c release --show-bin-path)/DiffractionBench"
echo "load before: $(uptime)"
ratios=""
for r in $(seq 1 "$rounds"); do
  py_out=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/bench_pymatgen.py" $cifs)
  swift_out=$("$bin" simulate $cifs)
  echo "round $r:"; echo "$py_out"; echo "$swift_out"
  ratios="$ratios $(python3 - "$swift_out" "$py_out" <<'PY'
import json, sys
d = {}
for block in sys.argv[1:]:
    for line in block.splitlines():
        if line.startswith("JSON "): d.update(json.loads(line[5:]))
print(f"{d['pymatgen_simulate_ms']/d['swift_simulate_ms']:.3f}")
PY
)"
done
python3 - $ratios <<'PY'
import statistics, sys
r = [float(x) for x in sys.argv[1:]]
print(f"powder simulation vs pymatgen: median ratio {statistics.median(r):.0f}x over {len(r)} interleaved rounds "
      f"(spread {min(r):.0f}-{max(r):.0f}x)")
PY
echo "load after: $(uptime)"
n="${N:-100000}"
swift_id=$("$bin" identify "$n"); echo "$swift_id"
py_id=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/bench_numpy_search.py" "$n"); echo "$py_id"
python3 - "$swift_out" "$py_out" "$swift_id" "$py_id" <<'PY'
import json, sys
d = {}
for block in sys.argv[1:]:
    for line in block.splitlines():
        if line.startswith("JSON "): d.update(json.loads(line[5:]))
print(f"last round, read + simulate: {d['pymatgen_read_simulate_ms']/d['swift_read_simulate_ms']:.0f}x")
if "swift_identify_ms" in d and "numpy_cosine_ms" in d:
    print(f"identification over {d.get('references')} references: {d['swift_identify_ms']:.1f} ms (goal < 100 ms); "
          f"numpy cosine {d['numpy_cosine_ms']:.1f} ms; ratio {d['numpy_cosine_ms']/d['swift_identify_ms']:.1f}x")
PY
