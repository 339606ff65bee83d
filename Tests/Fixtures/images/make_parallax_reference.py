"""pyFAI 2026.9.0's parallax correction (PONI version 3: `Parallax: True` and a `sensor` in Detector_config), the
anchor of Tests/IntegrationTests/ParallaxTests.swift. Run from the project root with pyFAI 2026.9 and fabio
(../shared beside the project):

    python3 Tests/Fixtures/images/make_parallax_reference.py

It writes Tests/Fixtures/images/pyfai_parallax.json:
- `mu`: the linear absorption coefficient (1/m) pyFAI's `SensorMaterial.mu` gives for each sensor material at
  energies below, on and above absorption edges (its tables, linear interpolation within an edge's block);
- `corrections`: `Parallax.correct(sin_incidence, distance)` (m) of a thin Si sensor (1000 um) and a thick CdTe one at
  14 keV and 0.4384 m, at sines of the incidence angle from 0 to 0.99;
- `probes`: centre 2θ and χ (rad) and the 2θ of the first corner at probe pixels of the Pilatus 300K-W frame
  b_toney_Lab6_thtth_rightside_scan2_0009.tif (a detector tilted by 38.7°, incidence angles up to ~48°) with its
  PONI made version 3 with a 1000 um Si sensor and `Parallax: True`, and the same without parallax;
- `cases`: integrate1d of that frame (the Pilatus300kw's gaps masked by the detector, as the differential does):
  Si 1000 um no split 2th_deg; bbox q_nm^-1 with polarisation 0.99; full 2th_deg; a thick CdTe sensor (no
  thickness) no split r_mm; CdTe 1000 um at 0.31 A (40 keV, above the Cd and Te K edges) bbox 2th_deg; and a
  bbox cake (integrate2d) 300 x 36 with Si 1000 um. Each case carries its PONI text.
- `calibration`: pyFAI GeometryRefinement on the frame's 72 control points (its .npt, LaB6) with the Si 1000 um
  parallax: chi2 at the PONI with and without the correction, and refine2 from the PONI + 5 mm (tilts, rot3 and
  the wavelength held; pyFAI corrects with the start geometry's parallax throughout).
Floats are rounded to 12 significant digits (patterns 9).
"""
import json, logging, os
import numpy as np, fabio, pyFAI
from pyfai_fixture_tools import load_poni as load, rounded


def g(v, digits=12):
    return rounded(v, digits)
from pyFAI.detectors.sensors import ALL_MATERIALS

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
here = "Tests/Fixtures/images"
IMAGE = "b_toney_Lab6_thtth_rightside_scan2_0009.tif"



base = {}
for line in open(os.path.join(root, "b_toney_Lab6_thtth_rightside_scan2_0009.poni")):
    if ":" in line and not line.startswith("#"):
        k, v = line.split(":", 1)
        base[k.strip()] = v.strip()


def poni_text(sensor, parallax=True, wavelength=None):
    config = {"pixel1": 0.000172, "pixel2": 0.000172, "orientation": 3}
    if sensor is not None:
        config["sensor"] = sensor
    text = "poni_version: 3\nDetector: Pilatus300kw\nDetector_config: " + json.dumps(config) + "\n"
    for k in ["Distance", "Poni1", "Poni2", "Rot1", "Rot2", "Rot3"]:
        text += f"{k}: {base[k]}\n"
    text += f"Wavelength: {wavelength or base['Wavelength']}\nParallax: {parallax}\n"
    return text



SI = {"material": "Si", "thickness": 0.001}
CDTE_THICK = {"material": "CdTe"}
CDTE = {"material": "CdTe", "thickness": 0.001}

energies = [5.0, 8.04, 11.1, 11.103, 14.0, 26.711, 26.72, 31.81, 40.0, 60.0, 100.0]
mu = {name: [dict(energy_keV=e, mu=float(m.mu(e, unit="m"))) for e in energies if any(r.min <= e < r.max for r in m._data)]
      for name, m in ALL_MATERIALS.items()}

corrections = []
sines = np.array([0.0, 0.05, 0.2, 0.45, 0.6123, 0.7, 0.85, 0.95, 0.99])
for name, sensor in (("si_1000um", SI), ("cdte_thick", CDTE_THICK)):
    ai = load(poni_text(sensor))
    corrections.append(dict(name=name, energy_keV=ai.energy, distance=ai.dist, mu=ai.parallax.sensor.mu,
                            sin_incidence=g(sines), correction=g(ai.parallax.correct(sines, ai.dist))))

img = fabio.open(os.path.join(root, IMAGE)).data.astype(np.float64)
shape = img.shape
probe_pixels = [(0, 0), (0, 1474), (194, 0), (194, 1474), (97, 737), (10, 500), (150, 1200), (60, 300)]
with_parallax = load(poni_text(SI))
without = load(poni_text(SI, parallax=False))
probes = []
tth_p = with_parallax.center_array(shape, unit="2th_rad", scale=False)
chi_p = with_parallax.center_array(shape, unit="chi_rad", scale=False)
corner_p = load(poni_text(SI)).corner_array(shape, unit="2th_rad", scale=False)
tth_0 = without.center_array(shape, unit="2th_rad", scale=False)
for r_, c_ in probe_pixels:
    probes.append(dict(row=r_, column=c_, tth=float(tth_p[r_, c_]), chi=float(chi_p[r_, c_]),
                       corner_tth=float(corner_p[r_, c_, 0, 0]), tth_without=float(tth_0[r_, c_])))

METHODS = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}
cases = []
for name, sensor, wavelength, method, unit, npt, kw in [
        ("si_no_2th", SI, None, "no", "2th_deg", 1000, {}),
        ("si_bbox_q_polarization", SI, None, "bbox", "q_nm^-1", 800, {"polarization_factor": 0.99}),
        ("si_full_2th", SI, None, "full", "2th_deg", 600, {}),
        ("cdte_thick_no_r", CDTE_THICK, None, "no", "r_mm", 700, {}),
        ("cdte_40keV_bbox_2th", CDTE, 3.1e-11, "bbox", "2th_deg", 1000, {})]:
    text = poni_text(sensor, wavelength=wavelength)
    ai = load(text)
    assert ai.parallax is not None, name
    res = ai.integrate1d(img, npt, unit=unit, method=METHODS[method], error_model="poisson", **kw)
    cases.append(dict(name=name, poni_text=text, method=method, unit=unit, npt=npt, polarization=kw.get("polarization_factor"),
                      radial=g(res.radial, 9), intensity=g(res.intensity, 9), sigma=g(res.sigma, 9)))
text = poni_text(SI)
cake = load(text).integrate2d(img, 300, 36, unit="2th_deg", method=METHODS["bbox"], error_model="poisson")
cake_case = dict(name="si_bbox_cake", poni_text=text, method="bbox", unit="2th_deg", npt=300, npt_azim=36,
                 radial=g(cake.radial, 9), azimuthal=g(cake.azimuthal, 9), intensity=g(cake.intensity, 9), sigma=g(cake.sigma, 9))

from pyFAI.geometryRefinement import GeometryRefinement
from pyFAI.calibrant import get_calibrant
from pyFAI.control_points import ControlPoints
pts = np.array(ControlPoints(os.path.join(root, "b_toney_Lab6_thtth_rightside_scan2_0009.npt")).getList())
ref = load(poni_text(SI))
lab6 = get_calibrant("LaB6")
lab6.wavelength = ref.wavelength


def refinement(dd, parallax=True):
    gr = GeometryRefinement(pts.copy(), dist=ref.dist + dd, poni1=ref.poni1, poni2=ref.poni2, rot1=ref.rot1, rot2=ref.rot2,
                            rot3=ref.rot3, detector=load(poni_text(SI)).detector, wavelength=ref.wavelength, calibrant=lab6)
    if parallax:
        gr.enable_parallax(True)
        assert gr.parallax is not None
    return gr


gr = refinement(0.005)
gr.refine2(1000000, fix=["wavelength", "rot1", "rot2", "rot3"])
calibration = dict(points=len(pts), chi2_at_poni=float(refinement(0).chi2()), chi2_without=float(refinement(0, False).chi2()),
                   refined=dict(dist=gr.dist, poni1=gr.poni1, poni2=gr.poni2, chi2=float(gr.chi2())))
print("calibration", calibration)
out = dict(pyFAI=pyFAI.version, image="images/" + IMAGE, mu=mu, corrections=corrections, probes=probes,
           probe_poni=poni_text(SI), cases=cases, cake=cake_case, calibration=calibration)
with open(os.path.join(here, "pyfai_parallax.json"), "w") as fh:
    json.dump(out, fh)
print({k: len(v) for k, v in mu.items()}, [(c["name"], c["correction"][3]) for c in corrections])
print([(p["row"], p["column"], np.degrees(p["tth"] - p["tth_without"])) for p in probes])
