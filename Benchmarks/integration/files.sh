#!/usr/bin/env bash
# A series of single-frame image files (a Pilatus writing one CBF per frame): Roentgen beside pyFAI 2026.
#
#   [METHODS="no bbox"] [PYTHON=python3] [SRC=IMAGE PONI=P] Benchmarks/integration/files.sh [ROUNDS=3] [FILES=200] [DIR=/tmp/roentgen-bench/cbf]
#
# SRC/PONI choose another frame (e.g. SRC=../shared/data/images/Pilatus1M.edf PONI=../shared/data/images/Pilatus1M.poni
# DIR=/tmp/roentgen-bench/edf: an ESRF EDF series); the copies keep its extension.
#
# The series is FILES copies of the Pilatus 6M frame (run2_1_00148.cbf, 2463 x 2527 int32, byte-offset compressed,
# 6.2 MB each) under distinct names, made once and kept. Each round, interleaved:
#   pyFAI    pyfai_files.py: fabio opens each file, integrate1d (negative pixels masked) writes its .dat
#            (the integrator built on the first file before the clock; Python's start not counted).
#   Roentgen `roentgen integrate DIR/*.cbf --poni P --method M --npt 1000 -o OUTDIR`: the whole command (start,
#            geometry and matrix, each file read one ahead of the integration, one .xye per file), wall time.
# Prints seconds and ms per file per round, and the median ratio pyFAI / Roentgen with its spread.
# Needs a release build: swift build -c release --product roentgen
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}; FILES=${2:-200}; DIR=${3:-/tmp/roentgen-bench/cbf}
PY=${PYTHON:-python3}
R=.build/release/roentgen
SRC=${SRC:-../shared/data/images/run2_1_00148.cbf}
PONI=${PONI:-../shared/data/images/derived_poni/run2_1_00148_header.poni}
EXT=${SRC##*.}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OMP_NUM_THREADS=2
mkdir -p "$DIR"
for ((k = 0; k < FILES; k++)); do f=$(printf "%s/frame_%05d.%s" "$DIR" "$k" "$EXT"); [ -f "$f" ] || cp "$SRC" "$f"; done
LIST=""; for ((k = 0; k < FILES; k++)); do LIST+=$(printf "%s/frame_%05d.%s " "$DIR" "$k" "$EXT"); done
OUT=/tmp/roentgen-bench/files-out
echo "series: $FILES copies of $SRC in $DIR; load: $(uptime | sed 's/.*load average: //')"
now() { date +%s.%N; }
for method in ${METHODS:-no bbox}; do
  rp=(); line=""
  for ((r = 0; r < ROUNDS; r++)); do
    rm -rf "$OUT"; py_s=$("$PY" Benchmarks/integration/pyfai_files.py "$PONI" "$method" "$OUT" $LIST 2>/dev/null | tail -1)
    rm -rf "$OUT"; t0=$(now); $R integrate $LIST --poni "$PONI" --method "$method" --npt 1000 -o "$OUT" 2>/dev/null; t1=$(now)
    sw_s=$(python3 -c "print(f'{$t1-$t0:.3f}')")
    rp+=("$(python3 -c "print(float('$py_s')/$sw_s)")")
    line+="pyFAI ${py_s}s ($(python3 -c "print(f'{float(\"$py_s\")/$FILES*1e3:.1f}')") ms/file), Roentgen ${sw_s}s ($(python3 -c "print(f'{$sw_s/$FILES*1e3:.1f}')") ms/file); "
  done
  echo "$method: $line"
  python3 -c "
import statistics as s
rp=[float(x) for x in '${rp[*]}'.split()]
print(f'$method: pyFAI / Roentgen: median {s.median(rp):.2f}x (min {min(rp):.2f}, max {max(rp):.2f})')"
done
echo "load after: $(uptime | sed 's/.*load average: //')"
