"""pyFAI's MultiGeometry.integrate1d, one whole job in ms: the images read (fabio), the integrators loaded from their
PONIs, the ranges guessed and every image integrated into one pattern (the first call, so its engines are built
here, as Roentgen builds its matrices in its run). Python's and pyFAI's import time is not counted.

usage: pyfai_multi.py METHOD NPT IMAGE PONI [IMAGE PONI …]
"""
import sys, time, logging
import numpy as np, fabio, pyFAI
from pyFAI.multi_geometry import MultiGeometry

logging.disable(logging.WARNING)
method, npt, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
m = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython")}[method]
t0 = time.perf_counter()
data, ais = [], []
for image, poni in zip(rest[0::2], rest[1::2]):
    d = fabio.open(image).data
    ai = pyFAI.load(poni)
    ai.detector.max_shape = ai.detector.shape = d.shape
    data.append(d)
    ais.append(ai)
masks = [d < 0 if np.issubdtype(d.dtype, np.signedinteger) else None for d in data]
mg = MultiGeometry(ais, unit="2th_deg", threadpoolsize=0)
mg.integrate1d(data, npt, lst_mask=masks, error_model="poisson", method=m)
print(f"{(time.perf_counter() - t0) * 1e3:.1f}")
