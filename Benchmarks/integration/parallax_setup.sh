#!/usr/bin/env bash
# The set-up cost of the parallax correction: one Pilatus 6M frame integrated with a 1 mm CdTe sensor.
#
#   [PYTHON=python3] Benchmarks/integration/parallax_setup.sh [ROUNDS=3]
#
# Each round, interleaved: pyFAI's first integrate1d with parallax (parallax_setup.py: the arrays and the
# integration, Python's start and the file's reading not counted) and the whole
# `roentgen integrate FRAME --poni P --sensor CdTe,1mm --method M -o OUT` (start, reading, geometry, matrix,
# integration, writing). The per-frame cost after set-up is the same as without parallax (the same matrix).
# Needs a release build: swift build -c release --product roentgen
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
PY=${PYTHON:-python3}
R=.build/release/roentgen
IMG=../shared/data/images/run2_1_00148.cbf
PONI=../shared/data/images/derived_poni/run2_1_00148_header.poni
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
echo "load: $(uptime | sed 's/.*load average: //')"
for method in no bbox; do
  ratios=()
  for ((r = 0; r < ROUNDS; r++)); do
    py=$("$PY" Benchmarks/integration/parallax_setup.py "$PONI" "$IMG" "$method" "CdTe,1mm" 2>/dev/null | tail -1)
    t0=$(date +%s.%N); $R integrate "$IMG" --poni "$PONI" --sensor CdTe,1mm --method "$method" --npt 1000 -o /tmp/roentgen-parallax-setup.xye 2>/dev/null; t1=$(date +%s.%N)
    sw=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    echo "$method round $r: pyFAI ${py}s, Roentgen ${sw}s"
    ratios+=("$(python3 -c "print(float('$py')/$sw)")")
  done
  python3 -c "
import statistics as s
r=[float(x) for x in '${ratios[*]}'.split()]
print(f'$method: pyFAI / Roentgen: median {s.median(r):.2f}x (min {min(r):.2f}, max {max(r):.2f})')"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
