"""Differential check of `roentgen integrate` against pyFAI 2026.9 on every image of ../shared/data/images that has a
PONI: 1-D (every unit, no split, bbox/CSR and full/CSR, solid angle on/off, polarisation none/0.99, two bin counts; the azimuthal
error model and a fixed radial range), 2-D cakes (2th and q, both methods, two grids, polarisation none/0.99), dark
and flat frames (synthetic, on two frames), and sigma clipping (`clip`: pyFAI's sigma_clip against `--sigma-clip`;
every unit, both error models, thresholds 0/3/5, 1 or 5 passes, polarisation, dark and flat). Each case prints `ok` or `BAD` with the largest relative differences
(intensity, sigma) and the radial/azimuthal bin-centre offset in bins; `ok` means within 1e-4 and 1e-6 bins.
Not part of `swift test` (it needs pyFAI); PyFAIFixtureTests holds the cases this found. Run from the project root:

    swift build -c release --product roentgen
    /work/.venv-xas/bin/python Tests/Fixtures/images/pyfai_differential.py [.build/release/roentgen] [1d|cake|darkflat|clip]

Last run (2026-12-07): 500 cases (1d 208 + 156, cake 112, darkflat 24), all ok; with full splitting (session 13) 1d 546
cases all ok, cake 168 cases of which 4 BAD: the mar345 plate's 100 x 36 full cakes, innermost radial bin, from a pixel
with a corner exactly on the beam centre whose clamped quadrilateral has zero area (see docs/integration.md; pyFAI's 2-D
full splitting also starts from an uninitialised buffer, so its first pixel's cells can change between runs); clip (session 13): 212 cases, all ok
(bin centres within 1e-5 bins: pyFAI's CSR engine puts r_mm and q_nm^-1 centres 5e-9 relative off).
Session 14 (float32 dummy test, flat-is-dummy pixels, monitor normalisation in the code): 1d + darkflat + clip 794
cases all ok; clip with the hybrid error model added: 316 cases (104 hybrid) all ok. The clip run
found one fault first: with polarisation, a pixel of the mar345 plate sat on the cut's edge and fell on the other
side (σ 8.5e-4 off, 4 cases); the normalisation is now multiplied in float32 as pyFAI's preprocessing does.
Session 17 (every pyFAI detector's built-in mask): the mar345 plate with a PONI naming `Mar345` (its round mask from
the name, no --dummy), `ONLY=Mar345 … 1d cake`: 108 cases, 106 ok; the 2 BAD are the q_nm^-1 full 100 x 36 cakes'
innermost bin, the zero-area centre pixel above.
"""
import itertools, json, os, subprocess, sys, tempfile
import numpy as np, fabio, h5py, pyFAI

HERE = os.path.dirname(os.path.abspath(__file__))
I = os.environ.get("IMAGES", os.path.normpath(os.path.join(HERE, "../../../../shared/data/images")))
R = sys.argv[1] if len(sys.argv) > 1 else ".build/release/roentgen"
WHAT = sys.argv[2:] or ["1d", "cake", "darkflat", "clip"]
CASES = [  # image, PONI, mask rule, units (None = all)
    ("Pilatus1M.edf", "Pilatus1M.poni", "neg", ["2th_deg", "r_mm"]),   # no wavelength: no q
    ("CeO2_Pilatus1M.tif", "CeO2_Pilatus1M.poni", "neg", None),
    ("run2_1_00148.cbf", "derived_poni/run2_1_00148_header.poni", "neg", None),
    ("example.mar2300", "derived_poni/example_mar2300_header.poni", "zero", None),
    ("AgBehenate_228.hdf5", "derived_poni/AgBehenate_228_nexus.poni", "neg", None),
    ("b_toney_Lab6_thtth_rightside_scan2_0009.tif", "b_toney_Lab6_thtth_rightside_scan2_0009.poni", "det", None),  # Pilatus300kw gaps from the PONI
    ("pixium_03150.tif", "DLS_CeO2_1200mm_pyFAI.poni", "file", None),
]
# The mar345 plate with a PONI naming the detector (pyFAI's Mar345 at 150 um): its round mask comes with the name.
_named = os.path.join(tempfile.mkdtemp(), "example_mar2300_Mar345.poni")
with open(_named, "w") as _f:
    _f.write(open(os.path.join(I, "derived_poni/example_mar2300_header.poni")).read()
             .replace("Detector: Detector", "Detector: Mar345").replace(', "max_shape": [2300, 2300]', ""))
CASES.append(("example.mar2300", _named, "det", None))
if os.environ.get("ONLY"):  # e.g. ONLY=Mar345 runs the cases whose image or PONI path contains it
    CASES = [c for c in CASES if os.environ["ONLY"] in c[0] + c[1]]
UNITS = ["2th_deg", "q_A^-1", "q_nm^-1", "r_mm"]
METHODS = {"no": ("no", "histogram", "cython"), "bbox": ("bbox", "csr", "cython"), "full": ("full", "csr", "cython")}
CAKE_METHODS = METHODS


def load(img, rule):
    path = os.path.join(I, img)
    data = h5py.File(path)["/entry/data/data"][()] if img.endswith("hdf5") else fabio.open(path).data
    args, mask = [], None
    if rule == "neg": mask = data < 0
    elif rule == "zero": mask = data == 0; args = ["--dummy", "0"]
    elif rule == "file":
        mpath = os.path.join(I, "DLS_CeO2_1200mm.mask")
        mask = fabio.open(mpath).data != 0; args = ["--mask", mpath]
    return data.astype(np.float64), mask, args


def run(cmd):
    p = subprocess.run([R, "integrate"] + cmd + ["--json"], capture_output=True, text=True)
    if p.returncode:
        return None, p.stderr.strip()[:200]
    return json.loads(p.stdout.splitlines()[0]), None


def arr(v):
    return np.array([np.nan if x is None else x for x in np.ravel(np.array(v, dtype=object))], float)


def compare(key, res, j, azim=False, centres=1e-6, full_cake=False):
    rx, ri, rs = arr(j["radial"]), arr(j["intensity"]), arr(j["sigma"])
    pi, ps = np.ravel(res.intensity), np.ravel(res.sigma)
    if ri.size != pi.size:
        print("SHAPE", key, ri.size, pi.size); return
    dx = np.max(np.abs(rx - res.radial)) / (res.radial[1] - res.radial[0])
    da = np.max(np.abs(arr(j["azimuthal"]) - res.azimuthal)) / (res.azimuthal[1] - res.azimuthal[0]) if azim else 0
    ok = (pi != 0) & ~np.isnan(ri)
    # Full-split cakes: pyFAI lays the areas in float32; a cell holding a sliver of a pixel moves by float32 rounding,
    # so I is compared on the scale of max(|I|, sigma) and sigma within 2e-4 (FullSplitTests).
    iscale = np.maximum(np.abs(pi[ok]), np.abs(ps[ok])) if full_cake else np.abs(pi[ok])
    di = np.max(np.abs(ri[ok] - pi[ok]) / iscale) if ok.any() else 0
    ds = np.max(np.abs(rs[ok] - ps[ok]) / np.maximum(np.abs(ps[ok]), 1e-30)) if ok.any() else 0   # σ 0 in both: 0 (float32)
    empty = int(np.sum((pi == 0) & ~(np.nan_to_num(ri) == 0)) + np.sum((pi != 0) & np.isnan(ri)))
    good = dx <= centres and da <= 1e-6 and di <= 1e-4 and ds <= (2e-4 if full_cake else 1e-4) and not empty
    print(f"{'ok ' if good else 'BAD'} {key}: radial {dx:.1e} bins, azimuth {da:.1e} bins, I {di:.1e}, sigma {ds:.1e}, empty-bin mismatches {empty}", flush=True)


def dark_and_flat(shape):
    """A synthetic dark (5-8 counts) and flat (1 +- 0.1), and a folder holding them as dark.tif and flat.tif."""
    from PIL import Image
    rng = np.random.default_rng(1)
    dark = (5 + rng.integers(0, 4, shape)).astype(np.float32)
    rows, cols = np.indices(shape)
    flat = (1 + 0.1 * np.sin(rows / 50) * np.cos(cols / 70)).astype(np.float32)
    tmp = tempfile.mkdtemp()
    Image.fromarray(dark).save(os.path.join(tmp, "dark.tif")); Image.fromarray(flat).save(os.path.join(tmp, "flat.tif"))
    return dark, flat, tmp


for img, poni, rule, only in CASES:
    data, mask, args = load(img, rule)
    ai = pyFAI.load(os.path.join(I, poni))
    base = [os.path.join(I, img), "--poni", os.path.join(I, poni)] + args
    if "1d" in WHAT:
        for unit, meth, sa, pol, npt in itertools.product(only or UNITS, METHODS, [True, False], [None, 0.99], [1000, 333]):
            if (not sa and pol is not None) or (npt == 333 and (pol is not None or not sa)):
                continue
            res = ai.integrate1d(data, npt, unit=unit, method=METHODS[meth], mask=mask, correctSolidAngle=sa,
                                 polarization_factor=pol, error_model="poisson")
            cmd = base + ["--npt", str(npt), "--unit", unit, "--method", meth] + ([] if sa else ["--no-solid-angle"]) + \
                  ([] if pol is None else ["--polarization", str(pol)])
            j, err = run(cmd)
            key = f"1d {img} {unit} {meth} solid-angle={sa} pol={pol} npt={npt}"
            print("FAIL", key, err) if err else compare(key, res, j)
        for unit, meth, model, ranged in itertools.product(only or UNITS, METHODS, ["azimuthal", "poisson"], [False, True]):
            if model == "poisson" and not ranged:
                continue
            rr = None
            if ranged:
                full = ai.integrate1d(data, 10, unit=unit, method=METHODS["no"], mask=mask).radial
                rr = (float(f"{full[2]:.4g}"), float(f"{full[7]:.4g}"))
            res = ai.integrate1d(data, 500, unit=unit, method=METHODS[meth], mask=mask, polarization_factor=0.95,
                                 error_model=model, radial_range=rr)
            cmd = base + ["--npt", "500", "--unit", unit, "--method", meth, "--polarization", "0.95", "--errors", model] + \
                  ([] if rr is None else ["--radial-range", f"{rr[0]}:{rr[1]}"])
            j, err = run(cmd)
            key = f"1d {img} {unit} {meth} errors={model} range={rr}"
            print("FAIL", key, err) if err else compare(key, res, j)
    if "cake" in WHAT:
        for unit, meth, (nr, na), pol in itertools.product(only or ["2th_deg", "q_nm^-1"], CAKE_METHODS, [(100, 36), (300, 360)], [None, 0.99]):
            res = ai.integrate2d(data, nr, na, unit=unit, method=METHODS[meth], mask=mask, correctSolidAngle=True,
                                 polarization_factor=pol, error_model="poisson")
            cmd = base + ["--npt", str(nr), "--npt-azim", str(na), "--unit", unit, "--method", meth] + \
                  ([] if pol is None else ["--polarization", str(pol)])
            j, err = run(cmd)
            key = f"cake {img} {unit} {meth} {nr}x{na} pol={pol}"
            print("FAIL", key, err) if err else compare(key, res, j, azim=True, full_cake=(meth == "full"))
    if "darkflat" in WHAT and img in ("pixium_03150.tif", "CeO2_Pilatus1M.tif"):
        dark, flat, tmp = dark_and_flat(data.shape)
        for meth, model, use in itertools.product(METHODS, ["poisson", "azimuthal"], ["dark", "flat", "both"]):
            kw, extra = {}, []
            if use in ("dark", "both"): kw["dark"] = dark; extra += ["--dark", os.path.join(tmp, "dark.tif")]
            if use in ("flat", "both"): kw["flat"] = flat; extra += ["--flat", os.path.join(tmp, "flat.tif")]
            res = ai.integrate1d(data, 500, unit="2th_deg", method=METHODS[meth], mask=mask, error_model=model, **kw)
            j, err = run(base + ["--npt", "500", "--method", meth, "--errors", model] + extra)
            key = f"darkflat {img} {meth} errors={model} {use}"
            print("FAIL", key, err) if err else compare(key, res, j)
    if "clip" in WHAT:
        # pyFAI's CSR engine gives its r_mm and q_nm^-1 bin centres 5e-9 relative off the exact ones: 1e-5 bins here.
        for unit, model, (thres, it), pol in itertools.product(only or UNITS, ["poisson", "azimuthal", "hybrid"], [(5.0, 5), (3.0, 1), (0.0, 5)], [None, 0.99]):
            if pol is not None and (thres, it) != (3.0, 1):
                continue
            res = ai.sigma_clip(data, 700, unit=unit, mask=mask, error_model=model, thres=thres, max_iter=it, polarization_factor=pol)
            cmd = base + ["--npt", "700", "--unit", unit, "--errors", model, "--sigma-clip", str(thres), "--clip-iterations", str(it)] + \
                  ([] if pol is None else ["--polarization", str(pol)])
            j, err = run(cmd)
            key = f"clip {img} {unit} errors={model} thres={thres} max_iter={it} pol={pol}"
            print("FAIL", key, err) if err else compare(key, res, j, centres=1e-5)
        if img in ("pixium_03150.tif", "CeO2_Pilatus1M.tif"):
            dark, flat, tmp = dark_and_flat(data.shape)
            for model in ["poisson", "azimuthal"]:
                res = ai.sigma_clip(data, 500, unit="2th_deg", mask=mask, error_model=model, thres=4, max_iter=5, dark=dark, flat=flat)
                j, err = run(base + ["--npt", "500", "--errors", model, "--sigma-clip", "4", "--dark", os.path.join(tmp, "dark.tif"),
                                     "--flat", os.path.join(tmp, "flat.tif")])
                key = f"clip darkflat {img} errors={model}"
                print("FAIL", key, err) if err else compare(key, res, j, centres=1e-5)
