"""pyFAI 2026.9.0's azimuthal-error-model integrations and 2-D cakes of a real frame, the anchors of
Tests/IntegrationTests/PyFAIReferenceTests.swift (pyfai_azimuthal_error.json, pyfai_cake.json).

Frame: ../shared/data/images/Pilatus1M.edf (ESRF BM26 AgBh SAXS, Pilatus 1M) with Pilatus1M.poni (no wavelength, so
2th_deg), negative pixels (module gaps -1, bad pixels -2) masked as the references do. Run from the project root with
/work/.venv-xas/bin/python (pyFAI 2026.9.0, fabio 2026.6.0):

    /work/.venv-xas/bin/python Tests/Fixtures/images/make_pyfai_references.py

- pyfai_azimuthal_error.json: integrate1d, 200 bins, solid angle on, error_model="azimuthal", methods
  ("no","histogram","cython") and ("bbox","csr","cython"), polarisation None and 0.99; and the same with "poisson".
- pyfai_cake.json: integrate2d, 100 radial x 36 azimuthal bins, 2th_deg, solid angle on, Poisson errors, methods
  ("no","histogram","cython") and ("bbox","csr","cython"); intensity/sigma/count are (azimuth, radial) row-major.
- pyfai_other_images.json: four cases, each of which an earlier Roentgen got wrong by more than 1e-4 (found by a
  differential run over every image, Tests/Fixtures/images/pyfai_differential.py): Pilatus1M.edf (data < 0 masked)
  integrate1d, 1000 bins, 2th_deg, ("bbox","csr","cython") - the bbox half-extents come from pyFAI's float32 corner
  array (1.7e-4 off before); CeO2_Pilatus1M.tif (data < 0 masked) integrate2d 60 x 24, 2th_deg, no split - pyFAI's
  2-D histogram spans the unmasked pixels only; the same frame with every column < 400 masked too - the same rule
  in azimuth; and the CeO2 frame with a uniform dark of 7 counts, integrate1d 300 bins, no split - pyFAI's Poisson
  variance is max(raw, 1) of the raw frame, the dark adds nothing to it (Roentgen added it). The 1M-pixel frames
  keep the test quick (the larger CBF and mar345 frames showed the same faults). Two more: 1-D patterns of an
  azimuthal sector (azimuth_range) on the CeO2 frame, no split over chi -30..45 deg and bbox over 100..180 deg, 300
  bins (pyFAI keeps a pixel by its centre's chi without splitting, and whole when its chi box overlaps with bbox).
  And the CeO2 frame with no mask at all (pyFAI's mask=None; `--keep-negative`), 300 bins, no split.
Floats are rounded to 8 significant digits; the sums give the bins' exact definitions.
"""
import json, os, sys
import numpy as np, fabio, pyFAI

root = os.environ.get("IMAGES", os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data/images")))
out = os.path.dirname(os.path.abspath(__file__))
data = fabio.open(os.path.join(root, "Pilatus1M.edf")).data
mask = data < 0
ai = pyFAI.load(os.path.join(root, "Pilatus1M.poni"))
methods = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython")}


def r(a):
    return None if a is None else [None if not np.isfinite(v) else float(f"{v:.8g}") for v in np.asarray(a, dtype=float).ravel()]


one = []
for model in ("azimuthal", "poisson"):
    for name, m in methods.items():
        for pol in (None, 0.99):
            res = ai.integrate1d(data, 200, unit="2th_deg", method=m, mask=mask, correctSolidAngle=True,
                                 polarization_factor=pol, error_model=model)
            one.append(dict(error_model=model, method=name, polarization_factor=pol, radial=r(res.radial),
                            intensity=r(res.intensity), sigma=r(res.sigma), count=r(res.count),
                            sum_signal=r(res.sum_signal), sum_normalization=r(res.sum_normalization),
                            sum_variance=r(res.sum_variance)))
meta = dict(pyFAI=pyFAI.version, image="images/Pilatus1M.edf", poni="images/Pilatus1M.poni", mask="data < 0",
            masked_pixels=int(mask.sum()))
with open(os.path.join(out, "pyfai_azimuthal_error.json"), "w") as f:
    json.dump(dict(meta, npt=200, unit="2th_deg", correctSolidAngle=True, results=one), f, separators=(",", ":"))

cakes = []
for name, m in methods.items():
    res = ai.integrate2d(data, 100, 36, unit="2th_deg", method=m, mask=mask, correctSolidAngle=True, error_model="poisson")
    cakes.append(dict(method=name, radial=r(res.radial), azimuthal=r(res.azimuthal), intensity=r(res.intensity),
                      sigma=r(res.sigma), count=r(res.count)))
with open(os.path.join(out, "pyfai_cake.json"), "w") as f:
    json.dump(dict(meta, npt_rad=100, npt_azim=36, unit="2th_deg", correctSolidAngle=True, error_model="poisson",
                   results=cakes), f, separators=(",", ":"))

other = []
res = ai.integrate1d(data, 1000, unit="2th_deg", method=methods["bbox"], mask=mask, correctSolidAngle=True,
                     error_model="poisson")
other.append(dict(case="pilatus1m_bbox_1000", image="images/Pilatus1M.edf", poni="images/Pilatus1M.poni",
                  mask="data < 0", columns_below_masked=0, npt=1000, npt_azim=0, unit="2th_deg", method="bbox",
                  radial=r(res.radial), azimuthal=None, intensity=r(res.intensity), sigma=r(res.sigma)))
ceo2 = fabio.open(os.path.join(root, "CeO2_Pilatus1M.tif")).data
aiceo2 = pyFAI.load(os.path.join(root, "CeO2_Pilatus1M.poni"))
res = aiceo2.integrate2d(ceo2, 60, 24, unit="2th_deg", method=methods["no"], mask=ceo2 < 0, correctSolidAngle=True,
                         error_model="poisson")
other.append(dict(case="ceo2_cake_no", image="images/CeO2_Pilatus1M.tif", poni="images/CeO2_Pilatus1M.poni",
                  mask="data < 0", columns_below_masked=0, npt=60, npt_azim=24, unit="2th_deg", method="no",
                  radial=r(res.radial), azimuthal=r(res.azimuthal), intensity=r(res.intensity), sigma=r(res.sigma)))
cmask = ceo2 < 0
cmask[:, :400] = True
res = aiceo2.integrate2d(ceo2, 60, 24, unit="2th_deg", method=methods["no"], mask=cmask, correctSolidAngle=True,
                         error_model="poisson")
other.append(dict(case="ceo2_cake_no_half", image="images/CeO2_Pilatus1M.tif", poni="images/CeO2_Pilatus1M.poni",
                  mask="data < 0, and columns < 400", columns_below_masked=400, npt=60, npt_azim=24, unit="2th_deg",
                  method="no", radial=r(res.radial), azimuthal=r(res.azimuthal), intensity=r(res.intensity),
                  sigma=r(res.sigma)))
res = aiceo2.integrate1d(ceo2, 300, unit="2th_deg", method=methods["no"], mask=ceo2 < 0, correctSolidAngle=True,
                         error_model="poisson", dark=np.full(ceo2.shape, 7.0))
other.append(dict(case="ceo2_dark7", image="images/CeO2_Pilatus1M.tif", poni="images/CeO2_Pilatus1M.poni",
                  mask="data < 0", columns_below_masked=0, dark=7.0, npt=300, npt_azim=0, unit="2th_deg",
                  method="no", radial=r(res.radial), azimuthal=None, intensity=r(res.intensity), sigma=r(res.sigma)))
for name, sector in (("no", (-30.0, 45.0)), ("bbox", (100.0, 180.0))):
    res = aiceo2.integrate1d(ceo2, 300, unit="2th_deg", method=methods[name], mask=ceo2 < 0, correctSolidAngle=True,
                             error_model="poisson", azimuth_range=sector)
    other.append(dict(case=f"ceo2_sector_{name}", image="images/CeO2_Pilatus1M.tif", poni="images/CeO2_Pilatus1M.poni",
                      mask="data < 0", columns_below_masked=0, azimuth_range=list(sector), npt=300, npt_azim=0,
                      unit="2th_deg", method=name, radial=r(res.radial), azimuthal=None, intensity=r(res.intensity),
                      sigma=r(res.sigma)))
res = aiceo2.integrate1d(ceo2, 300, unit="2th_deg", method=methods["no"], mask=None, correctSolidAngle=True,
                         error_model="poisson")
other.append(dict(case="ceo2_no_mask", image="images/CeO2_Pilatus1M.tif", poni="images/CeO2_Pilatus1M.poni",
                  mask="none", columns_below_masked=0, npt=300, npt_azim=0, unit="2th_deg", method="no",
                  radial=r(res.radial), azimuthal=None, intensity=r(res.intensity), sigma=r(res.sigma)))
with open(os.path.join(out, "pyfai_other_images.json"), "w") as f:
    json.dump(dict(pyFAI=pyFAI.version, correctSolidAngle=True, error_model="poisson", results=other), f,
              separators=(",", ":"))
print("written", [len(c["intensity"]) for c in cakes], len(one), [c["case"] for c in other])
