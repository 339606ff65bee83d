"""pyFAI 2026.9.0's integrations with a detector orientation other than 3 (PONI 2.1, Detector_config "orientation"),
the anchor of Tests/IntegrationTests/OrientationTests.swift (pyfai_orientation.json). Run from the project root:

    python3 Tests/Fixtures/images/make_orientation_reference.py > Tests/Fixtures/images/pyfai_orientation.json

The frame is CeO2_Pilatus1M.tif, a CeO2 frame stored upside down relative to its PONI (Dioptas flipped images on
loading): the same PONI with orientation 2 (rows reversed) is the geometry of the image as stored, and the CeO2 rings
appear in its pattern. Negative pixels masked. Cases: orientation 2, 500 bins, 2th_deg, no split, Poisson; orientation 1,
bbox, azimuthal error model; orientation 4, full splitting. Floats rounded to 9 significant digits.
"""
import json, logging, os, sys, tempfile
import numpy as np, fabio, pyFAI

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")


def r(a):
    return [None if not np.isfinite(v) else float(f"{v:.9g}") for v in np.asarray(a, dtype=float).ravel()]


base = {}
for line in open(os.path.join(root, "CeO2_Pilatus1M.poni")):
    if ":" in line and not line.startswith("#"):
        k, v = line.split(":", 1)
        base[k.strip()] = v.strip()
data = fabio.open(os.path.join(root, "CeO2_Pilatus1M.tif")).data
cases = []
for name, orientation, method, errors in [("orientation2_no", 2, "no", "poisson"), ("orientation1_bbox_azimuthal", 1, "bbox", "azimuthal"),
                                          ("orientation4_full", 4, "full", "poisson")]:
    poni = ("poni_version: 2.1\nDetector: Detector\n"
            f'Detector_config: {{"pixel1": 0.000172, "pixel2": 0.000172, "max_shape": [1043, 981], "orientation": {orientation}}}\n'
            + "".join(f"{k}: {base[k]}\n" for k in ["Distance", "Poni1", "Poni2", "Rot1", "Rot2", "Rot3", "Wavelength"]))
    with tempfile.NamedTemporaryFile("w", suffix=".poni", delete=False) as t:
        t.write(poni)
    ai = pyFAI.load(t.name)
    os.unlink(t.name)
    assert ai.detector.orientation == orientation
    m = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}[method]
    res = ai.integrate1d(data, 500, unit="2th_deg", method=m, mask=data < 0, error_model=errors)
    cases.append(dict(name=name, poni_text=poni, method=method, errors=errors, npt=500,
                      radial=r(res.radial), intensity=r(res.intensity), sigma=r(res.sigma)))
json.dump({"pyFAI": pyFAI.version, "image": "images/CeO2_Pilatus1M.tif", "cases": cases}, sys.stdout)
