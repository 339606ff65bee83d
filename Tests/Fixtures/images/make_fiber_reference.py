"""pyFAI 2026.9.0's grazing-incidence / fiber integration (`pyFAI.integrator.fiber.FiberIntegrator`), the anchor of
Tests/IntegrationTests/FiberIntegrationTests.swift (pyfai_fiber.json). Run from the project root with pyFAI 2026.9,
numexpr and fabio:

    python3 Tests/Fixtures/images/make_fiber_reference.py > Tests/Fixtures/images/pyfai_fiber.json

- `probes`: the fiber units at probe pixels of two frames (the 38.7-degree tilted Pilatus 300K-W and the Pixium flat
  panel), for each sample orientation 1-8 with an incident angle of 0.25 deg and a tilt angle of 1.3 deg, and for
  orientation 1 with both angles 0; pyFAI's `center_array` (its numexpr formulas), internal units (nm^-1, rad).
- `maps`: `integrate2d_grazing_incidence` (and its polar form, `integrate2d_polar`: qtot and chigi) (no splitting, pyFAI's histogram engine, the method pyFAI asks for GI);
  pyFAI's FiberIntegrator passes no error model, so sigma comes from the same call through `integrate2d_ng` with the
  same units and error_model="poisson" (which is what integrate2d_fiber calls), whose intensities are checked equal.
- `profiles`: `integrate_fiber` (and `integrate1d_polar`) (vertical_integration True: along the out-of-plane axis, summed over the in-plane
  range; False: the other way); sigma = sqrt(sum of the variance) / sum of the normalisation over the summed axis of
  the Poisson map, as integrate_fiber computes it when the map has a variance.
Each case holds the `roentgen integrate` arguments that ask for the same thing. Floats rounded to 9 significant digits
(the probes' to 17: they are compared to 1e-11).
"""
import json, logging, os, sys
import numpy as np, fabio, pyFAI
from pyFAI.integrator.fiber import FiberIntegrator
from pyFAI import units

logging.disable(logging.WARNING)
root = os.environ.get("IMAGES", "../shared/data/images")
NO = ("no", "histogram", "cython")


def r(a, digits=9):
    return [None if not np.isfinite(v) else float(f"{v:.{digits}g}") for v in np.asarray(a, dtype=float).ravel()]


def fiber(poni):
    return pyFAI.load(os.path.join(root, poni.split("/", 1)[1]), type_="pyFAI.integrator.fiber.FiberIntegrator")


PROBE_UNITS = ["qip_nm^-1", "qoop_nm^-1", "qtot_nm^-1", "exit_angle_vert_rad", "exit_angle_horz_rad", "chigi_rad"]
probes = []
for image, poni, pixels in [
    ("images/b_toney_Lab6_thtth_rightside_scan2_0009.tif", "images/b_toney_Lab6_thtth_rightside_scan2_0009.poni",
     [(0, 0), (0, 1474), (194, 0), (194, 1474), (97, 737), (10, 300), (150, 1200), (60, 20)]),
    ("images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni",
     [(0, 0), (0, 1439), (1440, 0), (1440, 1439), (692, 700), (700, 692), (720, 720), (100, 1000), (1300, 150)]),
]:
    shape = fabio.open(os.path.join(root, image.split("/", 1)[1])).data.shape
    settings = [(o, 0.25, 1.3) for o in range(1, 9)] + [(1, 0.0, 0.0)]
    for orientation, inc, tilt in settings:
        fi = fiber(poni)
        values = {}
        for name in PROBE_UNITS:
            u = units.get_unit_fiber(name, incident_angle=np.deg2rad(inc), tilt_angle=np.deg2rad(tilt),
                                     sample_orientation=orientation)
            a = fi.center_array(shape, unit=u, scale=False)
            values[name] = r([a[i, j] for i, j in pixels], 17)
            fi.reset()
        probes.append(dict(image=image, poni=poni, shape=list(shape), sample_orientation=orientation, incident_angle_deg=inc,
                           tilt_angle_deg=tilt, pixels=[list(p) for p in pixels], values=values))

maps, profiles = [], []


def map_case(name, image, poni, data, mask, npt_ip, npt_oop, unit_ip, unit_oop, inc, tilt, orientation, args,
             ip_range=None, oop_range=None, polarization=None):
    fi = fiber(poni)
    kw = dict(incident_angle=np.deg2rad(inc), tilt_angle=np.deg2rad(tilt))
    gi = fi.integrate2d_grazing_incidence(data, npt_ip=npt_ip, npt_oop=npt_oop, unit_ip=unit_ip, unit_oop=unit_oop,
                                          ip_range=ip_range, oop_range=oop_range, sample_orientation=orientation,
                                          mask=mask, polarization_factor=polarization, method=NO, **kw)
    uip = units.parse_fiber_unit(unit_ip, incident_angle=kw["incident_angle"], tilt_angle=kw["tilt_angle"],
                                 sample_orientation=orientation)
    uoop = units.parse_fiber_unit(unit_oop, **uip.get_config_shared())
    ng = fi.integrate2d_ng(data, npt_ip, npt_oop, unit=(uip, uoop), radial_range=ip_range, azimuth_range=oop_range,
                           mask=mask, polarization_factor=polarization, method=NO, error_model="poisson")
    assert np.array_equal(gi.intensity, ng.intensity), name
    maps.append(dict(name=name, image=image, poni=poni, arguments=args, ip=r(gi.inplane), oop=r(gi.outofplane),
                     intensity=r(gi.intensity), sigma=r(ng.sigma)))


def profile_case(name, image, poni, data, mask, vertical, npt, unit_ip, unit_oop, inc, tilt, orientation, args,
                 ip_range=None, oop_range=None, polarization=None, npt_other=1000):
    fi = fiber(poni)
    kw = dict(incident_angle=np.deg2rad(inc), tilt_angle=np.deg2rad(tilt))
    npt_ip, npt_oop = (npt_other, npt) if vertical else (npt, npt_other)
    res = fi.integrate_fiber(data, npt_ip=npt_ip, npt_oop=npt_oop, unit_ip=unit_ip, unit_oop=unit_oop,
                             ip_range=ip_range, oop_range=oop_range, vertical_integration=vertical,
                             sample_orientation=orientation, mask=mask, polarization_factor=polarization, method=NO, **kw)
    uip = units.parse_fiber_unit(unit_ip, incident_angle=kw["incident_angle"], tilt_angle=kw["tilt_angle"],
                                 sample_orientation=orientation)
    uoop = units.parse_fiber_unit(unit_oop, **uip.get_config_shared())
    ng = fi.integrate2d_ng(data, npt_ip, npt_oop, unit=(uip, uoop), radial_range=ip_range, azimuth_range=oop_range,
                           mask=mask, polarization_factor=polarization, method=NO, error_model="poisson")
    axis = -1 if vertical else -2
    norm = ng._sum_normalization.sum(axis=axis)
    sigma = np.sqrt(ng.sum_variance.sum(axis=axis)) / norm
    sigma[ng.count.sum(axis=axis) == 0] = 0
    profiles.append(dict(name=name, image=image, poni=poni, arguments=args, vertical_integration=vertical,
                         radial=r(res.radial), intensity=r(res.intensity), sigma=r(sigma)))


pix = fabio.open(os.path.join(root, "pixium_03150.tif")).data
pmask = fabio.open(os.path.join(root, "DLS_CeO2_1200mm.mask")).data != 0
PIX, PIXPONI = "images/pixium_03150.tif", "images/DLS_CeO2_1200mm_pyFAI.poni"
pixargs = ["--mask", "images/DLS_CeO2_1200mm.mask"]
map_case("pixium_qip_qoop", PIX, PIXPONI, pix, pmask, 60, 50, "qip_nm^-1", "qoop_nm^-1", 0.2, 0.0, 1,
         pixargs + ["--incident-angle", "0.2", "--npt-ip", "60", "--npt-oop", "50", "--polarization", "0.99"],
         polarization=0.99)
map_case("pixium_ranges_orientation3", PIX, PIXPONI, pix, pmask, 45, 35, "qip_A^-1", "qoop_A^-1", 0.12, 0.7, 3,
         pixargs + ["--incident-angle", "0.12", "--tilt-angle", "0.7", "--sample-orientation", "3", "--npt-ip", "45",
                    "--npt-oop", "35", "--unit-ip", "qip_A^-1", "--unit-oop", "qoop_A^-1", "--ip-range=-2:3",
                    "--oop-range=-1.5:2.5"],
         ip_range=(-2, 3), oop_range=(-1.5, 2.5))
ton = fabio.open(os.path.join(root, "b_toney_Lab6_thtth_rightside_scan2_0009.tif")).data
TON, TONPONI = "images/b_toney_Lab6_thtth_rightside_scan2_0009.tif", "images/b_toney_Lab6_thtth_rightside_scan2_0009.poni"
map_case("toney_tilted_orientation6", TON, TONPONI, ton, None, 40, 30, "qip_nm^-1", "qoop_nm^-1", 0.3, -0.5, 6,
         ["--incident-angle", "0.3", "--tilt-angle=-0.5", "--sample-orientation", "6", "--npt-ip", "40", "--npt-oop", "30"])
ceo2 = fabio.open(os.path.join(root, "CeO2_Pilatus1M.tif")).data
map_case("ceo2_exit_angles", "images/CeO2_Pilatus1M.tif", "images/CeO2_Pilatus1M.poni", ceo2, ceo2 < 0, 45, 35,
         "exit_angle_horz_deg", "exit_angle_vert_deg", 0.1, 0.0, 1,
         ["--incident-angle", "0.1", "--npt-ip", "45", "--npt-oop", "35", "--unit-ip", "exit_angle_horz_deg",
          "--unit-oop", "exit_angle_vert_deg"])
# Polar maps (pyFAI's integrate2d_polar: qtot against chigi, the polar angle from the film normal; rotate=True swaps
# them) and a polar profile (integrate1d_polar with radial_integration=True: I(chigi) over a q range, the orientation
# distribution of a ring), with ranges on the periodic axis in both positions.
map_case("pixium_polar", PIX, PIXPONI, pix, pmask, 40, 36, "qtot_nm^-1", "chigi_deg", 0.2, 0.0, 1,
         pixargs + ["--incident-angle", "0.2", "--unit-ip", "qtot_nm^-1", "--unit-oop", "chigi_deg", "--npt-ip", "40",
                    "--npt-oop", "36", "--ip-range", "20:40"], ip_range=(20, 40))
map_case("ceo2_polar_rotated", "images/CeO2_Pilatus1M.tif", "images/CeO2_Pilatus1M.poni", ceo2, ceo2 < 0, 30, 30,
         "chigi_deg", "qtot_A^-1", 0.15, 0.3, 2,
         ["--incident-angle", "0.15", "--tilt-angle", "0.3", "--sample-orientation", "2", "--unit-ip", "chigi_deg",
          "--unit-oop", "qtot_A^-1", "--npt-ip", "30", "--npt-oop", "30", "--ip-range=-60:60"], ip_range=(-60, 60))
profile_case("pixium_polar_profile", PIX, PIXPONI, pix, pmask, True, 90, "qtot_nm^-1", "chigi_deg", 0.2, 0.0, 1,
             pixargs + ["--incident-angle", "0.2", "--unit-ip", "qtot_nm^-1", "--unit-oop", "chigi_deg", "--fiber-profile", "oop",
                        "--npt-oop", "90", "--ip-range", "24:26", "--oop-range=-150:170"],
             ip_range=(24, 26), oop_range=(-150, 170))
profile_case("pixium_oop_profile", PIX, PIXPONI, pix, pmask, True, 150, "qip_nm^-1", "qoop_nm^-1", 0.2, 0.0, 1,
             pixargs + ["--incident-angle", "0.2", "--fiber-profile", "oop", "--npt-oop", "150", "--ip-range=-1:1"],
             ip_range=(-1, 1))
profile_case("pixium_ip_profile", PIX, PIXPONI, pix, pmask, False, 200, "qip_A^-1", "qoop_A^-1", 0.2, 0.4, 1,
             pixargs + ["--incident-angle", "0.2", "--tilt-angle", "0.4", "--fiber-profile", "ip", "--npt-ip", "200",
                        "--unit-ip", "qip_A^-1", "--unit-oop", "qoop_A^-1", "--oop-range", "0.5:0.8", "--polarization", "0.95"],
             oop_range=(0.5, 0.8), polarization=0.95)
json.dump({"pyFAI": pyFAI.version, "probes": probes, "maps": maps, "profiles": profiles}, sys.stdout)
