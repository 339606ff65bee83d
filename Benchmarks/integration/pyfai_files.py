"""pyFAI 2026 over a series of image files, as pyFAI-integrate processes them: wall time (s) to open each file
with fabio, integrate it (integrate1d, 1000 points, 2th_deg, solid angle, Poisson errors, the file's negative pixels
masked) and write its pattern with pyFAI's own writer (`filename=`, a .dat text file per image). The integrator and its
matrix are built on the first file before the clock starts.

usage: pyfai_files.py PONI METHOD(no|bbox) OUTDIR FILE...
"""
import os, sys, time
import fabio, pyFAI

poni, method, outdir, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
m = ("no", "histogram", "cython") if method == "no" else ("bbox", "csr", "cython")
ai = pyFAI.load(poni)
kw = dict(npt=1000, unit="2th_deg", method=m, correctSolidAngle=True, error_model="poisson")
first = fabio.open(files[0]).data
ai.integrate1d(first, mask=first < 0, **kw)   # geometry and matrix built here, outside the timing
os.makedirs(outdir, exist_ok=True)
t0 = time.perf_counter()
for path in files:
    data = fabio.open(path).data
    ai.integrate1d(data, mask=data < 0, filename=os.path.join(outdir, os.path.basename(path) + ".dat"), **kw)
print(f"{time.perf_counter() - t0:.3f}")
