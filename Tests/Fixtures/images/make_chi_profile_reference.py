"""pyFAI 2026.9.0's azimuthal profiles I(chi) (`AzimuthalIntegrator.integrate_radial`), the anchor of
Tests/IntegrationTests/ChiProfileTests.swift (pyfai_chi_profile.json). pyFAI's integrate_radial gives no sigma; the
Poisson sigma is made here the same way from its integrate2d_ng(error_model="poisson") cake: sqrt(sum of the
variance over the radial bins) / sum of the normalisation. Run from the project root with pyFAI 2026.9 and fabio:

    python3 Tests/Fixtures/images/make_chi_profile_reference.py > Tests/Fixtures/images/pyfai_chi_profile.json

Cases (negative pixels of the Pilatus frames masked, as Roentgen does by default):
- the Pilatus 1M AgBh frame, the first AgBh ring 1.0-1.25 deg 2theta, 100 radial x 360 chi bins, no splitting;
- the Pixium frame with its mask, q 25-32 nm^-1, 50 x 180 bins, bbox, polarisation 0.99, chi -150..150 deg;
- the CeO2_Pilatus1M frame, 2theta 5-10 deg, 100 x 72 bins, bbox;
- the AgBh ring again with full pixel splitting (pyFAI's default method for integrate_radial).
Floats are rounded to 9 significant digits.
"""
import json, logging, os, sys
import numpy as np, fabio, pyFAI

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
methods = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}


def r(a):
    return [None if not np.isfinite(v) else float(f"{v:.9g}") for v in np.asarray(a, dtype=float).ravel()]


cases = []
def case(name, image, poni, data, mask, unit, radial_range, npt_rad, npt_azim, method, extra, **kw):
    ai = pyFAI.load(os.path.join(root, poni.split("/", 1)[1]))
    res = ai.integrate_radial(data, npt_azim, npt_rad=npt_rad, radial_unit=unit, radial_range=radial_range, mask=mask,
                              method=methods[method], **kw)
    cake = ai.integrate2d_ng(data, npt_rad, npt_azim, unit=unit, radial_range=radial_range, mask=mask, method=methods[method],
                             error_model="poisson", **kw)
    norm = cake._sum_normalization.sum(axis=-1)
    sigma = np.sqrt(cake.sum_variance.sum(axis=-1)) / norm
    sigma[cake.count.sum(axis=-1) == 0] = 0
    cases.append(dict(name=name, image=image, poni=poni, unit=unit, npt=npt_rad, npt_azim=npt_azim, method=method,
                      arguments=extra, chi=r(res.radial), intensity=r(res.intensity), sigma=r(sigma)))


edf = fabio.open(os.path.join(root, "Pilatus1M.edf")).data
case("pilatus1m_agbh_ring", "images/Pilatus1M.edf", "images/Pilatus1M.poni", edf, edf < 0, "2th_deg", (1.0, 1.25), 100, 360, "no",
     ["--radial-range", "1.0:1.25"])
pix = fabio.open(os.path.join(root, "pixium_03150.tif")).data
pmask = fabio.open(os.path.join(root, "DLS_CeO2_1200mm.mask")).data != 0
case("pixium_bbox_sector", "images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni", pix, pmask, "q_nm^-1", (25, 32), 50, 180,
     "bbox", ["--mask", "images/DLS_CeO2_1200mm.mask", "--radial-range", "25:32", "--polarization", "0.99", "--azimuth-range=-150:150"],
     polarization_factor=0.99, azimuth_range=(-150, 150))
ceo2 = fabio.open(os.path.join(root, "CeO2_Pilatus1M.tif")).data
case("ceo2_bbox", "images/CeO2_Pilatus1M.tif", "images/CeO2_Pilatus1M.poni", ceo2, ceo2 < 0, "2th_deg", (5, 10), 100, 72, "bbox",
     ["--radial-range", "5:10"])
case("pilatus1m_full", "images/Pilatus1M.edf", "images/Pilatus1M.poni", edf, edf < 0, "2th_deg", (1.0, 1.25), 100, 360, "full",
     ["--radial-range", "1.0:1.25"])
json.dump({"pyFAI": pyFAI.version, "cases": cases}, sys.stdout)
