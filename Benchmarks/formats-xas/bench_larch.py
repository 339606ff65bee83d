"""Times Larch's readers on the same files: read_xdi, read_athena (no pre-edge), read_ascii.

Usage: bench_larch.py N FILE...  -> JSON {file: {"reader": name, "seconds_per_read": t}} (null if Larch fails)
"""
import contextlib
import json
import sys
import time
import warnings

warnings.filterwarnings("ignore")
from larch.io import read_ascii, read_athena, read_xdi  # noqa: E402


def reader_for(path):
    low = path.lower()
    with open(path, "rb") as fh:
        head = fh.read(64)
    if b"XDI/" in head[:20]:
        return "read_xdi", read_xdi
    if low.endswith(".prj"):
        return "read_athena", lambda p: read_athena(p, do_preedge=False, do_bkg=False, do_fft=False)
    return "read_ascii", read_ascii


def main():
    n = int(sys.argv[1])
    out = {}
    real_stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # Larch prints notes while reading
        time_all(n, out)
    json.dump(out, real_stdout)


def time_all(n, out):
    for path in sys.argv[2:]:
        name, fn = reader_for(path)
        try:
            fn(path)
        except Exception:
            out[path] = {"reader": name, "seconds_per_read": None}
            continue
        start = time.perf_counter()
        for _ in range(n):
            fn(path)
        out[path] = {"reader": name, "seconds_per_read": (time.perf_counter() - start) / n}


if __name__ == "__main__":
    main()
