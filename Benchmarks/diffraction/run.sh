#!/usr/bin/env bash
# Diffraction benchmark: Swift (release) vs pymatgen / numpy on the same inputs; prints ratios.
# Installs the anchors into a venv outside the repo (default /work/.venv-diffraction).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${ROENTGEN_SHARED_DATA:-$here/../../../shared/data}"
venv="${VENV:-/work/.venv-diffraction}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import pymatgen, numpy" 2>/dev/null || "$venv/bin/pip" install -q pymatgen numpy
cifs=$(ls "$data"/xrd/cif/common/*.cif "$data"/xrd/cif/diffpy/*.cif "$data"/xrd/cif/xrd_autoanalyzer_refs/*.cif)
(cd "$here" && swift build -c release -q)
bin="$(cd "$here" && swift build -c release --show-bin-path)/DiffractionBench"
swift_out=$("$bin" simulate $cifs); echo "$swift_out"
py_out=$("$venv/bin/python" "$here/bench_pymatgen.py" $cifs); echo "$py_out"
n="${N:-100000}"
swift_id=$("$bin" identify "$n"); echo "$swift_id"
py_id=$("$venv/bin/python" "$here/bench_numpy_search.py" "$n"); echo "$py_id"
python3 - "$swift_out" "$py_out" "$swift_id" "$py_id" <<'PY'
import json, sys
d = {}
for block in sys.argv[1:]:
    for line in block.splitlines():
        if line.startswith("JSON "): d.update(json.loads(line[5:]))
print(f"simulation speed-up vs pymatgen: {d['pymatgen_simulate_ms']/d['swift_simulate_ms']:.0f}x (simulation), "
      f"{d['pymatgen_read_simulate_ms']/d['swift_read_simulate_ms']:.0f}x (read + simulate)")
if "swift_identify_ms" in d and "numpy_cosine_ms" in d:
    print(f"identification over {d.get('references')} references: {d['swift_identify_ms']:.1f} ms (goal < 100 ms); "
          f"numpy cosine {d['numpy_cosine_ms']:.1f} ms; ratio {d['numpy_cosine_ms']/d['swift_identify_ms']:.1f}x")
PY
