#!/bin/sh
# Times Roentgen's diffraction readers (release build) and, in the same run, xylib and xrdpattern
# (PyPI, in the venv /work/.venv-formats-xrd) on the same files; prints per-format time ratios.
# usage: Benchmarks/formats-xrd/run.sh [SECONDS_PER_FILE]   (default 0.5)
set -e
here=$(cd "$(dirname "$0")" && pwd)
data=${ROENTGEN_SHARED_DATA:-$here/../../../shared/data}/xrd
budget=${1:-0.5}
venv=${VENV:-/work/.venv-formats-xrd}
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    # xylib-py-wheels builds from source on Python 3.11: needs swig and the boost headers (apt: swig libboost-dev).
    "$venv/bin/pip" install -q xylib-py-wheels xrdpattern
fi
cd "$here"
swift build -c release --product formats-xrd-bench >&2
"$here/.build/release/formats-xrd-bench" "$data" files.txt "$budget" > /tmp/formats-xrd-roentgen.tsv
"$venv/bin/python" anchors.py "$data" files.txt "$budget" > /tmp/formats-xrd-anchors.tsv
python3 report.py /tmp/formats-xrd-roentgen.tsv /tmp/formats-xrd-anchors.tsv "$data/reference/parse_index.json" "$data/MANIFEST.md"
