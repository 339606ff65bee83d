#!/usr/bin/env bash
# Azimuthal integration per frame: Roentgen beside pyFAI 2026 (pip install pyFAI fabio), same
# images, same settings (1000 points, 2θ in degrees, solid angle, Poisson errors, the references'
# masks), in interleaved rounds. Prints each round's ms per frame and the median ratio
# pyFAI / Roentgen with its spread (min–max over rounds).
#
# "clip" is sigma clipping (pyFAI's sigma_clip, thres 5, max_iter 5; Roentgen's --sigma-clip 5).
#
# "full" is full pixel splitting (pyFAI ("full", "csr", "cython")).
#
# "cake-no", "cake-bbox", "cake-full": 2-D cakes, 500 radial x 360 azimuthal bins (pyFAI's integrate2d;
# Roentgen's --npt 500 --npt-azim 360).
#
# "fiber", "fiber-profile": grazing incidence (pyFAI's FiberIntegrator, no splitting, no error model): a 500 x 500
# map of the exit angles (every image, no wavelength needed) at an incident angle of 0.2 deg, and its
# integrate_fiber profile along the vertical exit angle over -1..1 deg horizontally (Roentgen: --errors none).
#
#   Benchmarks/integration/run.sh [ROUNDS=5] [CALLS=20] [METHODS="no bbox full clip"]
# Needs a release build: swift build -c release --product roentgen
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-5}; CALLS=${2:-20}; METHODS=${3:-no bbox full clip}
D=../shared/data/images
R=.build/release/roentgen
export OMP_NUM_THREADS=2
cases=(
  "Pilatus1M|$D/Pilatus1M.edf|$D/Pilatus1M.poni|negative|"
  "Pixium|$D/pixium_03150.tif|$D/DLS_CeO2_1200mm_pyFAI.poni|file:$D/DLS_CeO2_1200mm.mask|--mask $D/DLS_CeO2_1200mm.mask"
  "Pilatus6M|$D/run2_1_00148.cbf|$D/derived_poni/run2_1_00148_header.poni|negative|"
  "mar345|$D/example.mar2300|$D/derived_poni/example_mar2300_header.poni|zero|--dummy 0"
)
printf "%-10s %-6s %s\n" image method "rounds: pyFAI ms / Roentgen ms (ratio)"
for method in $METHODS; do
  for c in "${cases[@]}"; do
    IFS='|' read -r name image poni rule extra <<<"$c"
    ratios=(); line=""
    for ((r = 0; r < ROUNDS; r++)); do
      py=$(python3 Benchmarks/integration/pyfai_bench.py "$image" "$poni" "$method" "$CALLS" "$rule" 2>/dev/null | tail -1)
      npt=1000
      case "$method" in
        clip) how="--method no --sigma-clip 5" ;;
        cake-*) how="--method ${method#cake-} --npt-azim 360"; npt=500 ;;
        fiber) how="--incident-angle 0.2 --unit-ip exit_angle_horz_deg --unit-oop exit_angle_vert_deg --npt-ip 500 --npt-oop 500 --errors none"; npt="" ;;
        fiber-profile) how="--incident-angle 0.2 --unit-ip exit_angle_horz_deg --unit-oop exit_angle_vert_deg --npt-ip 500 --npt-oop 500 --errors none --fiber-profile oop --ip-range=-1:1"; npt="" ;;
        *) how="--method $method" ;;
      esac
      # shellcheck disable=SC2086
      sw=$($R integrate "$image" --poni "$poni" $how ${npt:+--npt $npt} $extra --threads 2 --repeat-times "$CALLS" -o /tmp/roentgen-bench.xye 2>&1 >/dev/null | sed -n 's/.*: \([0-9.]*\) ms per frame.*/\1/p' | tail -1)
      ratio=$(python3 -c "print(f'{$py/$sw:.2f}')")
      ratios+=("$ratio"); line+="$py/$sw($ratio) "
    done
    summary=$(python3 -c "import statistics as s; v=[float(x) for x in '${ratios[*]}'.split()]; print(f'median {s.median(v):.2f}x (min {min(v):.2f}, max {max(v):.2f})')")
    printf "%-10s %-6s %s -> %s\n" "$name" "$method" "$line" "$summary"
  done
done
