#!/bin/sh
# Reads every absorption file in ../shared/data/xas N times with Roentgen (release build) and
# with Larch (xraylarch from PyPI in /work/.venv-formats), and prints the per-format ratio.
# Usage: Benchmarks/formats-xas/run.sh [N]   (default N = 20)
set -e
N=${1:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$(cd "$HERE/../../../shared/data/xas" 2>/dev/null && pwd) || { echo "../shared/data/xas is absent"; exit 1; }
VENV=${VENV:-/work/.venv-formats}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q xraylarch
fi
FILES=$(find "$DATA/xdi_spec/data" "$DATA/xaslib" "$DATA/larch" "$DATA/demeter" -type f ! -name '*.json' ! -name 'notdata.0' | sort)
cd "$HERE"
swift build -c release >/dev/null
OURS=$(mktemp) THEIRS=$(mktemp)
# shellcheck disable=SC2086
"$(swift build -c release --show-bin-path)/XASFormatsBench" "$N" $FILES > "$OURS"
# shellcheck disable=SC2086
"$VENV/bin/python" bench_larch.py "$N" $FILES > "$THEIRS" 2>/dev/null
python3 compare.py "$OURS" "$THEIRS"
rm -f "$OURS" "$THEIRS"
