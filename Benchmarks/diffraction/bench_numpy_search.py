#!/usr/bin/env python3
"""numpy cosine search on the same synthetic library the Swift benchmark wrote (/tmp/roentgen_bench_library.rxl):
references rendered as dense Gaussian profiles (10-80 deg, 0.05 deg grid, FWHM 0.1 deg, Cu Ka1, LP applied), one
query = matrix-vector product + argmax. Only the query is timed (median of 5)."""
import json, statistics, struct, sys, time
import numpy as np

lam = 1.5406
data = open("/tmp/roentgen_bench_library.rxl", "rb").read()
# The layout of ReferenceLibrary.serialized(): magic, six UInt64 counts, then columns on 8-byte boundaries.
assert data[:8] == b"RXRDLIB2"
n, m = struct.unpack_from("<QQ", data, 8)
pad = lambda x: (x + 7) // 8 * 8
at = 56
offsets = np.frombuffer(data, np.int32, n + 1, at); at = pad(at + 4 * (n + 1))
bins = np.frombuffer(data, np.uint16, m, at); at = pad(at + 2 * m)
weights = np.frombuffer(data, np.float32, m, at)  # per-reference scales follow; rows are normalised below
grid = np.arange(10, 80.0001, 0.05)
q = (bins.astype(np.float64) + 0.5) * 0.002
s = np.clip(q * lam / (4 * np.pi), -1, 1)
tth = np.degrees(2 * np.arcsin(s)); th = np.radians(tth / 2)
inten = weights * (1 + np.cos(2 * th) ** 2) / (np.sin(th) ** 2 * np.cos(th))
ref = np.repeat(np.arange(n), np.diff(offsets))
M = np.zeros((n, grid.size), np.float32)
sigma = 0.1 / 2.3548
idx = np.clip(np.round((tth - 10) / 0.05).astype(int), -10, grid.size + 10)
for d in range(-5, 6):
    j = idx + d
    ok = (j >= 0) & (j < grid.size)
    np.add.at(M, (ref[ok], j[ok]), (inten[ok] * np.exp(-0.5 * ((grid[j[ok]] - tth[ok]) / sigma) ** 2)).astype(np.float32))
M /= np.linalg.norm(M, axis=1, keepdims=True) + 1e-30
xq, yq = np.loadtxt("/tmp/roentgen_bench_query.xy", unpack=True)
times = []
for _ in range(5):
    t0 = time.perf_counter()
    v = np.interp(grid, xq, yq); v = v - v.min(); v = (v / np.linalg.norm(v)).astype(np.float32)
    scores = M @ v
    best = int(np.argmax(scores))
    times.append(time.perf_counter() - t0)
print(f"numpy cosine search: {n} references, median {statistics.median(times)*1e3:.1f} ms per query, top hit ref{best}")
print("JSON " + json.dumps({"numpy_cosine_ms": statistics.median(times) * 1e3}))
