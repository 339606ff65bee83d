"""pyFAI 2026.9.0's full pixel splitting (`integrate1d`, method ("full", "csr", "cython")), the anchor of
Tests/IntegrationTests/FullSplitTests.swift (pyfai_full_split.json). Run from the project root with pyFAI 2026.9 and
fabio (../shared beside the project):

    python3 Tests/Fixtures/images/make_full_split_reference.py > Tests/Fixtures/images/pyfai_full_split.json

Cases (negative pixels of the signed Pilatus frames masked, as Roentgen does by default):
- the Pilatus 1M AgBh frame (beam centre on the detector: pixels across chi = +-180 deg), 2th_deg, 1000 bins, Poisson;
- the same, r_mm, 300 bins, azimuthal error model, polarisation 0.99;
- the Pixium frame with its Deflate TIFF mask, q_nm^-1, 500 bins, a radial range 10:40, an azimuthal sector -60:30 deg;
- the Pilatus 300K-W LaB6 frame on a 38.7 deg tilted arm (float32 TIFF; the PONI's Pilatus300kw gap mask), 2th_deg,
  400 bins: strongly tilted pixels.
Cakes (integrate2d, method ("full", "csr", "cython"), Poisson), intensity/sigma (azimuth, radial) row-major:
- the Pilatus 1M frame, 2th_deg, 100 x 36 (pixels across chi = +-180 deg);
- the Pixium frame with its mask and polarisation 0.99, 2th_deg, 60 x 24;
- the tilted LaB6 frame, q_nm^-1, 60 x 30.
Floats are rounded to 9 significant digits (cake intensities and sigmas to 7).
"""
import json, logging, os, sys
import numpy as np, fabio, pyFAI

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")


def r(a, digits=9):
    return [None if not np.isfinite(v) else float(f"{v:.{digits}g}") for v in np.asarray(a, dtype=float).ravel()]


cases = []
def case(name, image, poni, data, mask, unit, npt, errors="poisson", extra=None, **kw):
    ai = pyFAI.load(os.path.join(root, poni.split("/", 1)[1]))
    res = ai.integrate1d(data, npt, unit=unit, method=("full", "csr", "cython"), mask=mask, error_model=errors, **kw)
    c = dict(name=name, image=image, poni=poni, unit=unit, npt=npt, errors=errors, arguments=extra or [],
             radial=r(res.radial), intensity=r(res.intensity), sigma=r(res.sigma))
    cases.append(c)


edf = fabio.open(os.path.join(root, "Pilatus1M.edf")).data
case("pilatus1m_2th", "images/Pilatus1M.edf", "images/Pilatus1M.poni", edf, edf < 0, "2th_deg", 1000)
case("pilatus1m_r_azimuthal_polarization", "images/Pilatus1M.edf", "images/Pilatus1M.poni", edf, edf < 0, "r_mm", 300,
     errors="azimuthal", extra=["--errors", "azimuthal", "--polarization", "0.99"], polarization_factor=0.99)
pix = fabio.open(os.path.join(root, "pixium_03150.tif")).data
pmask = fabio.open(os.path.join(root, "DLS_CeO2_1200mm.mask")).data != 0
case("pixium_range_sector", "images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni", pix, pmask, "q_nm^-1", 500,
     extra=["--mask", "images/DLS_CeO2_1200mm.mask", "--radial-range", "10:40", "--azimuth-range=-60:30"],
     radial_range=(10, 40), azimuth_range=(-60, 30))
lab6 = fabio.open(os.path.join(root, "b_toney_Lab6_thtth_rightside_scan2_0009.tif")).data
case("tilted_lab6", "images/b_toney_Lab6_thtth_rightside_scan2_0009.tif", "images/b_toney_Lab6_thtth_rightside_scan2_0009.poni",
     lab6, None, "2th_deg", 400)
cakes = []
def cake(name, image, poni, data, mask, unit, nr, na, extra=None, **kw):
    ai = pyFAI.load(os.path.join(root, poni.split("/", 1)[1]))
    res = ai.integrate2d(data, nr, na, unit=unit, method=("full", "csr", "cython"), mask=mask, error_model="poisson", **kw)
    cakes.append(dict(name=name, image=image, poni=poni, unit=unit, npt=nr, npt_azim=na, arguments=extra or [],
                      radial=r(res.radial), azimuthal=r(res.azimuthal), intensity=r(res.intensity, 7), sigma=r(res.sigma, 7)))


cake("pilatus1m_cake", "images/Pilatus1M.edf", "images/Pilatus1M.poni", edf, edf < 0, "2th_deg", 100, 36)
cake("pixium_cake", "images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni", pix, pmask, "2th_deg", 60, 24,
     extra=["--mask", "images/DLS_CeO2_1200mm.mask", "--polarization", "0.99"], polarization_factor=0.99)
cake("tilted_lab6_cake", "images/b_toney_Lab6_thtth_rightside_scan2_0009.tif", "images/b_toney_Lab6_thtth_rightside_scan2_0009.poni",
     lab6, None, "q_nm^-1", 60, 30)
json.dump({"pyFAI": pyFAI.version, "cases": cases, "cakes": cakes}, sys.stdout)
