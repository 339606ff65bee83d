"""pyFAI's integrate1d time per frame (ms, median of N calls after one warm-up) for one image.

usage: pyfai_bench.py IMAGE PONI METHOD(no|bbox|full|clip|cake-no|cake-bbox|cake-full) N [MASKRULE]
(clip: sigma_clip, thres 5, max_iter 5, Poisson errors, CSR without splitting;
 cake-M: integrate2d, 500 radial x 360 azimuthal bins, method M as below)
Same settings as Roentgen's side: 1000 points, 2th_deg, solid angle on, no polarisation,
Poisson errors, negative pixels (signed images) or zeros (mar345) masked as the references do.
"""
import sys, time, statistics
import numpy as np, fabio, pyFAI

image, poni, method, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rule = sys.argv[5] if len(sys.argv) > 5 else "none"
data = fabio.open(image).data
mask = None
if rule == "negative":
    mask = data < 0
elif rule == "zero":
    mask = data == 0
elif rule.startswith("file:"):
    mask = fabio.open(rule[5:]).data != 0
ai = pyFAI.load(poni)
if method == "clip":
    run = ai.sigma_clip
    kw = dict(npt=1000, unit="2th_deg", mask=mask, correctSolidAngle=True, error_model="poisson", thres=5, max_iter=5)
elif method.startswith("cake-"):
    run = ai.integrate2d
    m = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}[method[5:]]
    kw = dict(npt_rad=500, npt_azim=360, unit="2th_deg", method=m, mask=mask, correctSolidAngle=True, error_model="poisson")
else:
    run = ai.integrate1d
    m = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}[method]
    kw = dict(npt=1000, unit="2th_deg", method=m, mask=mask, correctSolidAngle=True, error_model="poisson")
run(data, **kw)   # warm-up: geometry and CSR matrix built here
times = []
for _ in range(n):
    t0 = time.perf_counter()
    run(data, **kw)
    times.append((time.perf_counter() - t0) * 1e3)
print(f"{statistics.median(times):.3f}")
