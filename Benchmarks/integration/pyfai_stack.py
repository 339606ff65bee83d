"""pyFAI 2026 on a whole stack: wall time (s) to read every frame of an HDF5 dataset with h5py and integrate it
(integrate1d, 1000 points, 2th_deg, solid angle, Poisson errors, negative pixels masked, the integrator and its CSR
matrix built once before the clock starts), keeping every pattern in memory (as Roentgen's NeXus output does).

usage: pyfai_stack.py STACK.h5 DATASET PONI METHOD(no|bbox)
"""
import sys, time
import numpy as np, h5py, pyFAI

path, dataset, poni, method = sys.argv[1:5]
m = ("no", "histogram", "cython") if method == "no" else ("bbox", "csr", "cython")
with h5py.File(path, "r") as f:
    d = f[dataset]
    first = d[0]
    mask = first < 0
    ai = pyFAI.load(poni)
    kw = dict(npt=1000, unit="2th_deg", method=m, mask=mask, correctSolidAngle=True, error_model="poisson")
    ai.integrate1d(first, **kw)   # geometry and matrix built here, outside the timing
    out = np.empty((d.shape[0], 1000)); err = np.empty_like(out)
    t0 = time.perf_counter()
    for k in range(d.shape[0]):
        r = ai.integrate1d(d[k], **kw)
        out[k] = r.intensity; err[k] = r.sigma
    print(f"{time.perf_counter() - t0:.3f}")
