"""pyFAI's integrate1d time per frame (ms, median of N calls after one warm-up) for one image.

usage: pyfai_bench.py IMAGE PONI METHOD(no|bbox|full|clip|cake-no|cake-bbox|cake-full|fiber|fiber-profile) N [MASKRULE]
(clip: sigma_clip, thres 5, max_iter 5, Poisson errors, CSR without splitting;
 cake-M: integrate2d, 500 radial x 360 azimuthal bins, method M as below;
 fiber: FiberIntegrator.integrate2d_grazing_incidence, 500 x 500 exit-angle bins, incident angle 0.2 deg, no errors;
 fiber-profile: integrate_fiber of the same map along the vertical exit angle over -1..1 deg horizontally)
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
elif method in ("fiber", "fiber-profile"):
    # FiberIntegrator, no splitting (pyFAI's GI method): 500 x 500 bins of the exit angles (no wavelength needed,
    # so every image qualifies), incident angle 0.2 deg; pyFAI's fiber calls take no error model.
    from pyFAI.integrator.fiber import FiberIntegrator
    ai = pyFAI.load(poni, type_="pyFAI.integrator.fiber.FiberIntegrator")
    kw = dict(npt_ip=500, npt_oop=500, unit_ip="exit_angle_horz_deg", unit_oop="exit_angle_vert_deg", mask=mask,
              correctSolidAngle=True, method=("no", "histogram", "cython"), incident_angle=np.deg2rad(0.2))
    if method == "fiber":
        run = ai.integrate2d_grazing_incidence
    else:
        run = ai.integrate_fiber
        kw.update(vertical_integration=True, ip_range=(-1, 1))
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
