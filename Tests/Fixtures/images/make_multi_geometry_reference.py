"""pyFAI 2026.9.0's MultiGeometry.integrate1d (several images, each with its own geometry, into one pattern), the
anchor of Tests/IntegrationTests/MultiGeometryTests.swift (pyfai_multi_geometry.json). Run from the project root with
pyFAI 2026.9 and fabio:

    python3 Tests/Fixtures/images/make_multi_geometry_reference.py > Tests/Fixtures/images/pyfai_multi_geometry.json

pyFAI's rule: the radial range (and the chi range) default to the smallest and largest pixel-centre values over every
geometry; each image is integrated with integrate1d_ng over that range, its normalisation multiplied by its absolute
solid angle at the PONI, pixel1 * pixel2 / dist^2 (with the solid-angle correction); the per-bin sums of signal,
normalisation, count and variance are added, and I = sum signal / sum normalisation, sigma = sqrt(sum variance) / sum
normalisation.

Cases: the Pilatus 1M AgBh frame (1.58 m) and the CeO2 Pilatus 1M frame (its own PONI, ~0.1 m), negative pixels masked,
2th_deg, 600 bins, no splitting and bbox, Poisson; and the Pixium frame as two images, each with the file mask and one
half of the rows masked, bbox, polarisation 0.99 - whose pattern must be the whole frame's (checked here too).
Floats rounded to 9 significant digits.
"""
import json, logging, os, sys
import numpy as np, fabio, pyFAI
from pyFAI.multi_geometry import MultiGeometry

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
methods = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython")}


def r(a):
    return [None if not np.isfinite(v) else float(f"{v:.9g}") for v in np.asarray(a, dtype=float).ravel()]


def path(p):
    return os.path.join(root, p.split("/", 1)[1])


def ai_for(poni, data):
    """pyFAI's integrator for a PONI, its detector given the image's shape (a PONI naming no detector has none)."""
    ai = pyFAI.load(path(poni))
    ai.detector.max_shape = ai.detector.shape = data.shape
    return ai


cases = []
edf = fabio.open(path("images/Pilatus1M.edf")).data
ceo2 = fabio.open(path("images/CeO2_Pilatus1M.tif")).data
for m in ("no", "bbox"):
    mg = MultiGeometry([ai_for("images/Pilatus1M.poni", edf), ai_for("images/CeO2_Pilatus1M.poni", ceo2)], unit="2th_deg", threadpoolsize=0)
    res = mg.integrate1d([edf, ceo2], 600, lst_mask=[edf < 0, ceo2 < 0], error_model="poisson", method=methods[m])
    cases.append(dict(name=f"pilatus_pair_{m}", images=["images/Pilatus1M.edf", "images/CeO2_Pilatus1M.tif"],
                      ponis=["images/Pilatus1M.poni", "images/CeO2_Pilatus1M.poni"], arguments=["--npt", "600", "--method", m],
                      radial_range=list(mg.radial_range), azimuth_range=list(mg.azimuth_range),
                      radial=r(res.radial), intensity=r(res.intensity), sigma=r(res.sigma)))

pix = fabio.open(path("images/pixium_03150.tif")).data
pmask = fabio.open(path("images/DLS_CeO2_1200mm.mask")).data != 0
top, bottom = pmask.copy(), pmask.copy()
top[720:, :] = True      # the first image keeps rows 0-719
bottom[:720, :] = True   # the second rows 720 on
PIXPONI = "images/DLS_CeO2_1200mm_pyFAI.poni"
mg = MultiGeometry([ai_for(PIXPONI, pix), ai_for(PIXPONI, pix)], unit="q_nm^-1", threadpoolsize=0)
res = mg.integrate1d([pix, pix], 800, lst_mask=[top, bottom], error_model="poisson", method=methods["bbox"], polarization_factor=0.99)
ai = ai_for(PIXPONI, pix)
whole = ai.integrate1d_ng(pix, 800, unit="q_nm^-1", mask=pmask, error_model="poisson", method=methods["bbox"], polarization_factor=0.99,
                          radial_range=mg.radial_range, azimuth_range=mg.azimuth_range,
                          normalization_factor=ai.detector.pixel1 * ai.detector.pixel2 / ai.dist ** 2)
filled = whole.intensity != 0
assert np.allclose(res.intensity[filled], whole.intensity[filled], rtol=1e-5), "the halves do not add up to the whole frame"
cases.append(dict(name="pixium_halves", images=["images/pixium_03150.tif", "images/pixium_03150.tif"], ponis=[PIXPONI, PIXPONI],
                  arguments=["--npt", "800", "--unit", "q_nm^-1", "--method", "bbox", "--polarization", "0.99"],
                  half_rows=720, radial_range=list(mg.radial_range), azimuth_range=list(mg.azimuth_range),
                  radial=r(res.radial), intensity=r(res.intensity), sigma=r(res.sigma)))
json.dump({"pyFAI": pyFAI.version, "cases": cases}, sys.stdout)
