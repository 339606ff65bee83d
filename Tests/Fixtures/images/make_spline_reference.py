"""A Fit2D distortion spline and pyFAI 2026.9.0's answers with it, the anchor of
Tests/IntegrationTests/SplineTests.swift. Run from the project root with pyFAI 2026.9, fabio and scipy
(../shared beside the project):

    python3 Tests/Fixtures/images/make_spline_reference.py

It writes two files:
- Tests/Fixtures/images/taper_pilatus1m.spline: a synthetic FReLoN-like taper distortion for a 1043 x 981 detector
  (the Pilatus 1M frame's shape, 172 um pixels): barrel distortion about (x 470, y 540) of 2.5 px at 600 px from it,
  plus ripples of 0.6 px along y and 0.4 px along x; ΔX(x, y) and ΔY(x, y) fitted by scipy's RectBivariateSpline
  (bicubic, s = 50) and written by pyFAI's own `Spline.write` (Fit2D's format; VALID REGION 0 0 981 1043 as Fit2D
  writes a full detector). There is no spline file in ../shared; the distortion is made up, what pyFAI does
  with it is not.
- Tests/Fixtures/images/pyfai_spline.json:
  * `displacement`: pyFAI's `Spline.splineFuncX/Y` at probe points (its `ext._bispev`, Float32);
  * `probes`: at probe pixels of the Pilatus 1M frame with Pilatus1M.poni and the spline (λ 1.03264 Å): pyFAI's
    centre 2θ and χ (rad, `center_array`), the relative solid angle (`solidAngleArray`, with its spline area
    factor) and the 2θ at the pixel's first corner (`corner_array`);
  * `cases`: integrate1d of the AgBh frame with the spline (negative pixels masked): no split 2th_deg, bbox q_nm^-1
    with polarisation 0.95, full 2th_deg; and a bbox cake (integrate2d) 2th_deg 300 x 36;
  * `calibration`: control points on the AgBh rings of that geometry (pixel centres whose spline-moved 2θ lies
    within 0.002 deg of a ring, every 7th, with a fixed jitter of up to 0.3 px), pyFAI GeometryRefinement's chi2 of
    them at the PONI, and its refine2 from the PONI + 5 mm, wavelength and rot3 fixed.
Floats are rounded to 12 significant digits (patterns 9).
"""
import json, logging, os
import numpy as np, fabio, pyFAI, scipy.interpolate as si
from pyFAI.spline import Spline
from pyFAI.detectors import Detector
from pyFAI.integrator.azimuthal import AzimuthalIntegrator
from pyFAI.geometryRefinement import GeometryRefinement
from pyFAI.calibrant import get_calibrant

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
here = "Tests/Fixtures/images"
spline_path = os.path.join(here, "taper_pilatus1m.spline")
rows, cols = 1043, 981

y, x = np.mgrid[0:rows, 0:cols].astype(float)
xc, yc = 470.0, 540.0
rr = ((x - xc) ** 2 + (y - yc) ** 2) / 600.0 ** 2
dx = -2.5 * (x - xc) / 600.0 * rr + 0.6 * np.sin(2 * np.pi * y / 700.0)
dy = -2.5 * (y - yc) / 600.0 * rr + 0.4 * np.cos(2 * np.pi * x / 800.0)
sp = Spline()
sp.pixelSize = (172.0, 172.0)
sp.grid = 2500.0
sp.xmin, sp.ymin, sp.xmax, sp.ymax = 0.0, 0.0, float(cols), float(rows)
for disp, tag in ((dx, "x"), (dy, "y")):
    f = si.RectBivariateSpline(np.arange(cols, dtype=float), np.arange(rows, dtype=float), disp.T, s=50.0)
    tx, ty = f.get_knots()
    c = f.get_coeffs()
    if tag == "x":
        sp.xSplineKnotsX, sp.xSplineKnotsY, sp.xSplineCoeff = tx, ty, c
    else:
        sp.ySplineKnotsX, sp.ySplineKnotsY, sp.ySplineCoeff = tx, ty, c
sp.write(spline_path)

def g(v, digits=12):
    return [None if not np.isfinite(t) else float(f"{t:.{digits}g}") for t in np.asarray(v, dtype=float).ravel()]

spline = Spline(spline_path)
pts = [(0.0, 0.0), (0.5, 0.5), (490.25, 521.75), (980.5, 1042.5), (981.0, 1043.0), (-3.0, 2000.0), (123.5, 777.5), (700.0, 130.0)]
displacement = [dict(x=px, y=py, dx=float(spline.splineFuncX(np.array([px]), np.array([py]), True)[0]),
                     dy=float(spline.splineFuncY(np.array([px]), np.array([py]), True)[0])) for px, py in pts]

poni = pyFAI.load(os.path.join(root, "Pilatus1M.poni"))
WAVELENGTH = 1.03264e-10


def integrator():
    det = Detector(splinefile=spline_path)
    return AzimuthalIntegrator(dist=poni.dist, poni1=poni.poni1, poni2=poni.poni2, rot1=poni.rot1, rot2=poni.rot2,
                               rot3=poni.rot3, detector=det, wavelength=WAVELENGTH)


img = fabio.open(os.path.join(root, "Pilatus1M.edf")).data
mask = img < 0
ai = integrator()
tth = ai.center_array(img.shape, unit="2th_rad", scale=False)
chi = ai.center_array(img.shape, unit="chi_rad", scale=False)
sa = ai.solidAngleArray(img.shape)
corner = integrator().corner_array(img.shape, unit="2th_rad", scale=False)
probe_pixels = [(0, 0), (0, 980), (1042, 0), (1042, 980), (263, 180), (521, 490), (800, 100), (100, 800), (600, 333)]
probes = [dict(row=r_, column=c_, tth=float(tth[r_, c_]), chi=float(chi[r_, c_]), solid_angle=float(sa[r_, c_]),
               corner_tth=float(corner[r_, c_, 0, 0])) for r_, c_ in probe_pixels]

METHODS = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}
cases = []
for name, method, unit, npt, kw in [("no_2th", "no", "2th_deg", 1000, {}),
                                    ("bbox_q_polarization", "bbox", "q_nm^-1", 800, {"polarization_factor": 0.95}),
                                    ("full_2th", "full", "2th_deg", 600, {})]:
    res = integrator().integrate1d(img, npt, unit=unit, method=METHODS[method], mask=mask, error_model="poisson", **kw)
    cases.append(dict(name=name, method=method, unit=unit, npt=npt, polarization=kw.get("polarization_factor"),
                      radial=g(res.radial, 9), intensity=g(res.intensity, 9), sigma=g(res.sigma, 9)))
cake = integrator().integrate2d(img, 300, 36, unit="2th_deg", method=METHODS["bbox"], mask=mask, error_model="poisson")
cake_case = dict(name="bbox_cake", method="bbox", unit="2th_deg", npt=300, npt_azim=36, radial=g(cake.radial, 9),
                 azimuthal=g(cake.azimuthal, 9), intensity=g(cake.intensity, 9), sigma=g(cake.sigma, 9))

# Control points near the AgBh rings of the spline geometry.
agbh = get_calibrant("AgBh")
agbh.wavelength = WAVELENGTH
ring_tth = np.array(agbh.get_2th()[:6])
near = np.abs(tth[..., None] - ring_tth[None, None, :]) < np.radians(0.002)
rr_, cc_, kk_ = np.nonzero(near & ~mask[..., None])
sel = np.arange(0, len(rr_), 7)
jitter = 0.3 * np.sin(np.arange(len(sel)) * 1.7)
points = np.stack([rr_[sel] + jitter, cc_[sel] - jitter, kk_[sel]], axis=1).astype(float)


def refinement(dd):
    return GeometryRefinement(points.copy(), dist=poni.dist + dd, poni1=poni.poni1, poni2=poni.poni2, rot1=poni.rot1,
                              rot2=poni.rot2, rot3=poni.rot3, detector=Detector(splinefile=spline_path),
                              wavelength=WAVELENGTH, calibrant=agbh)


chi2_poni = refinement(0).chi2()
gr = refinement(0.005)
gr.refine2(1000000, fix=["wavelength", "rot3"])
calibration = dict(points=[[float(f"{a:.12g}") for a in p] for p in points], chi2_at_poni=float(chi2_poni),
                   refined=dict(dist=gr.dist, poni1=gr.poni1, poni2=gr.poni2, rot1=gr.rot1, rot2=gr.rot2,
                                chi2=float(gr.chi2()), fit2d_center_x=gr.getFit2D()["centerX"],
                                fit2d_center_y=gr.getFit2D()["centerY"], fit2d_direct_distance_mm=gr.getFit2D()["directDist"]))

out = dict(pyFAI=pyFAI.version, spline="images/taper_pilatus1m.spline", image="images/Pilatus1M.edf",
           poni="images/Pilatus1M.poni", wavelength=WAVELENGTH, displacement=displacement, probes=probes,
           cases=cases, cake=cake_case, calibration=calibration)
with open(os.path.join(here, "pyfai_spline.json"), "w") as fh:
    json.dump(out, fh)
print(len(points), "control points;", "chi2 at PONI", chi2_poni, "refined", calibration["refined"])
