"""Times xylib (PyPI xylib-py-wheels) and xrdpattern (PyPI) on the files of files.txt.

usage: python anchors.py DATA_ROOT FILE_LIST [SECONDS_PER_FILE]
Prints `tool<TAB>file<TAB>points<TAB>seconds per read` (best of 5 batches, CPU time of the
thread: time.thread_time, like the Swift harness), or FAIL.
Runs in the venv made by run.sh (/work/.venv-formats-xrd); never imported by Roentgen.
"""
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")

root, listing = sys.argv[1], sys.argv[2]
budget = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
files = [l.strip() for l in open(listing) if l.strip() and not l.startswith("#")]


def xylib_read(path):
    # Only the C++ parse (load_file reads every block and column into memory); reading the
    # values back point by point through the Python binding would time the binding, not xylib.
    import xylib
    d = xylib.load_file(path, "")
    return sum(d.get_block(b).get_point_count() for b in range(d.get_block_count()))


def xrdpattern_read(path):
    from xrdpattern.pattern import XrdPattern
    p = XrdPattern.load(fpath=path)
    return len(p.two_theta_values)


def timed(fn, path):
    n = fn(path)
    per = 1
    while True:
        t0 = time.thread_time()
        for _ in range(per):
            fn(path)
        if time.thread_time() - t0 >= budget / 5 or per >= 1 << 16:
            break
        per *= 2
    best = float("inf")
    for _ in range(5):
        t0 = time.thread_time()
        for _ in range(per):
            fn(path)
        best = min(best, (time.thread_time() - t0) / per)
    return n, best


devnull = os.open(os.devnull, os.O_WRONLY)
for tool, fn in (("xylib", xylib_read), ("xrdpattern", xrdpattern_read)):
    for f in files:
        path = os.path.join(root, f)
        saved, saved_out = os.dup(2), os.dup(1)
        os.dup2(devnull, 2)   # xrdpattern logs to stdout/stderr on every read
        os.dup2(devnull, 1)
        try:
            n, t = timed(fn, path)
            line = f"{tool}\t{f}\t{n}\t{t}"
        except Exception as e:  # noqa: BLE001 - a failing anchor is a result, not an error
            line = f"{tool}\t{f}\t0\tFAIL\t{type(e).__name__}: {str(e)[:80]}"
        finally:
            os.dup2(saved, 2)
            os.dup2(saved_out, 1)
            os.close(saved)
            os.close(saved_out)
        print(line, flush=True)
