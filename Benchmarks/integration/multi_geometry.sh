#!/usr/bin/env bash
# Several images with their own geometries into one pattern: Roentgen's `integrate --multi-geometry` beside pyFAI
# 2026.9's MultiGeometry.integrate1d, one whole job each (images read, geometries loaded, ranges guessed, matrices or
# engines built, every image integrated and combined; Roentgen's whole process, pyFAI's after its imports), 2th_deg,
# Poisson, negative pixels masked, in interleaved rounds. Prints each round and the median ratio with its spread.
#
#   Benchmarks/integration/multi_geometry.sh [ROUNDS=5] [METHODS="no bbox"]
# Needs a release build: swift build -c release --product roentgen
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}; METHODS=${2:-no bbox}
D=../shared/data/images
R=.build/release/roentgen
export OMP_NUM_THREADS=2
pair=("$D/Pilatus1M.edf" "$D/Pilatus1M.poni" "$D/CeO2_Pilatus1M.tif" "$D/CeO2_Pilatus1M.poni")
for method in $METHODS; do
  ratios=(); line=""
  for ((r = 0; r < ROUNDS; r++)); do
    py=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 Benchmarks/integration/pyfai_multi.py "$method" 1000 "${pair[@]}" 2>/dev/null | tail -1)
    t0=$(date +%s%N)
    $R integrate "${pair[0]}" "${pair[2]}" --poni "${pair[1]}" --poni "${pair[3]}" --multi-geometry --method "$method" --npt 1000 -o /tmp/roentgen-mg.xye 2>/dev/null
    sw=$(python3 -c "print(f'{($(date +%s%N) - $t0) / 1e6:.1f}')")
    ratio=$(python3 -c "print(f'{$py/$sw:.2f}')")
    ratios+=("$ratio"); line+="$py/$sw($ratio) "
  done
  summary=$(python3 -c "import statistics as s; v=[float(x) for x in '${ratios[*]}'.split()]; print(f'median {s.median(v):.2f}x (min {min(v):.2f}, max {max(v):.2f})')")
  printf "%-5s %s -> %s\n" "$method" "$line" "$summary"
done
