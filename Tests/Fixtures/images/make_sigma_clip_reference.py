"""pyFAI 2026.9.0's sigma clipping (`AzimuthalIntegrator.sigma_clip`, its CSR engine without pixel splitting), the
anchor of Tests/IntegrationTests/SigmaClipTests.swift (pyfai_sigma_clip.json). Run from the project root with pyFAI
2026.9 and fabio (../shared beside the project):

    python3 Tests/Fixtures/images/make_sigma_clip_reference.py > Tests/Fixtures/images/pyfai_sigma_clip.json

Cases (mask: the negative pixels of the signed Pilatus frames, as Roentgen masks them by default):
- the Pilatus 6M protein-crystal frame (run2_1_00148.cbf, solvent ring + Bragg spots), 2th_deg, Poisson, thres 5:
  the case sigma clipping is for; also pyFAI's plain integrate1d (no, csr) of it, to show what clipping changed;
- the same frame with pyFAI's hybrid error model (the cut on the azimuthal spread, the kept pixels' Poisson sigma),
  thres 4, 3 passes;
- the Pilatus 1M AgBh frame, 2th_deg, azimuthal error model, thres 5; and r_mm, Poisson, thres 0 (Chauvenet's
  cut-off alone), max_iter 3;
- the Pixium frame with its Deflate TIFF mask, q_nm^-1, azimuthal, thres 4, polarisation 0.99;
- the same AgBh frame through the API with a dark (row*7 + col*3) mod 11 and a flat 0.9 + 0.05*((row + col) mod 5),
  2th_deg, 400 bins, azimuthal, thres 3, solid angle off;
- the mar345 plate (zeros outside the disc masked, `--dummy 0`), q_A^-1, 700 bins, Poisson, thres 3, one pass,
  polarisation 0.99: a pixel on the cut's edge that a double-precision normalisation put on the other side (σ 8.5e-4 off);
- frame 0 of the Lambda NeXus stack (PONI made up, as in make_lambda_mask_reference.py; negative pixels masked),
  q_A^-1, 300 bins, Poisson, thres 4: the stack path of `integrate`.
Floats are rounded to 9 significant digits.
"""
import json, logging, os, sys, tempfile
import numpy as np, fabio, h5py, pyFAI

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")


def r(a):
    return [None if not np.isfinite(v) else float(f"{v:.9g}") for v in np.asarray(a, dtype=float).ravel()]


def case(name, image, poni, unit, npt, errors, thres, max_iter, mask, data, ai, **kw):
    res = ai.sigma_clip(data, npt, unit=unit, mask=mask, error_model=errors, thres=thres, max_iter=max_iter, **kw)
    return dict(name=name, image=image, poni=poni, unit=unit, npt=npt, errors=errors, thres=thres, max_iter=max_iter,
                radial=r(res.radial), intensity=r(res.intensity), sigma=r(res.sigma))


cases = []
cbf = fabio.open(os.path.join(root, "run2_1_00148.cbf")).data
ai = pyFAI.load(os.path.join(root, "derived_poni/run2_1_00148_header.poni"))
c = case("pilatus6m_spots", "images/run2_1_00148.cbf", "images/derived_poni/run2_1_00148_header.poni", "2th_deg", 1000,
         "poisson", 5.0, 5, cbf < 0, cbf, ai)
c["plain_intensity"] = r(ai.integrate1d(cbf, 1000, unit="2th_deg", method=("no", "csr", "cython"), mask=cbf < 0,
                                        error_model="poisson").intensity)
cases.append(c)
# pyFAI's hybrid error model: the cut on the azimuthal spread, the kept pixels' Poisson sigma (thres 4, 3 passes).
cases.append(case("pilatus6m_hybrid", "images/run2_1_00148.cbf", "images/derived_poni/run2_1_00148_header.poni", "2th_deg", 1000,
                  "hybrid", 4.0, 3, cbf < 0, cbf, ai))

edf = fabio.open(os.path.join(root, "Pilatus1M.edf")).data
ai = pyFAI.load(os.path.join(root, "Pilatus1M.poni"))
cases.append(case("pilatus1m_azimuthal", "images/Pilatus1M.edf", "images/Pilatus1M.poni", "2th_deg", 500, "azimuthal",
                  5.0, 5, edf < 0, edf, ai))
cases.append(case("pilatus1m_chauvenet", "images/Pilatus1M.edf", "images/Pilatus1M.poni", "r_mm", 700, "poisson",
                  0.0, 3, edf < 0, edf, ai))
rows, cols = np.indices(edf.shape)
dark = ((rows * 7 + cols * 3) % 11).astype(np.float64)
flat = 0.9 + 0.05 * ((rows + cols) % 5)
c = case("pilatus1m_dark_flat_api", "images/Pilatus1M.edf", "images/Pilatus1M.poni", "2th_deg", 400, "azimuthal",
         3.0, 5, edf < 0, edf, ai, dark=dark, flat=flat, correctSolidAngle=False)
cases.append(c)

pix = fabio.open(os.path.join(root, "pixium_03150.tif")).data
pmask = fabio.open(os.path.join(root, "DLS_CeO2_1200mm.mask")).data != 0
ai = pyFAI.load(os.path.join(root, "DLS_CeO2_1200mm_pyFAI.poni"))
c = case("pixium_mask_polarization", "images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni", "q_nm^-1", 800,
         "azimuthal", 4.0, 5, pmask, pix, ai, polarization_factor=0.99)
c["mask"] = "images/DLS_CeO2_1200mm.mask"
c["polarization"] = 0.99
cases.append(c)

mar = fabio.open(os.path.join(root, "example.mar2300")).data
ai = pyFAI.load(os.path.join(root, "derived_poni/example_mar2300_header.poni"))
c = case("mar345_polarization_edge", "images/example.mar2300", "images/derived_poni/example_mar2300_header.poni", "q_A^-1", 700,
         "poisson", 3.0, 1, mar == 0, mar, ai, polarization_factor=0.99)
c["polarization"] = 0.99
c["dummy"] = 0
cases.append(c)

PONI = """poni_version: 2
Detector: Detector
Detector_config: {"pixel1": 5.5e-05, "pixel2": 5.5e-05, "max_shape": [516, 1554]}
Distance: 0.2
Poni1: 0.01
Poni2: 0.04
Rot1: 0.0
Rot2: 0.0
Rot3: 0.0
Wavelength: 1e-10
"""
image = "images/lambda_testasapo1_1009_00002_m1_part00000.nxs"
with h5py.File(os.path.join(root, os.path.basename(image)), "r") as f:
    frame = f["/entry/instrument/detector/data"][0].astype(np.float64)
with tempfile.NamedTemporaryFile("w", suffix=".poni", delete=False) as t:
    t.write(PONI)
ai = pyFAI.load(t.name)
os.unlink(t.name)
c = case("lambda_stack_frame0", image, None, "q_A^-1", 300, "poisson", 4.0, 5, frame < 0, frame, ai)
c["poni_text"] = PONI
cases.append(c)

json.dump({"pyFAI": pyFAI.version, "cases": cases}, sys.stdout)
