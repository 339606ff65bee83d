"""pyFAI 2026.9's detector catalogue, as Roentgen uses it. Writes two files (run from the project root:
python3 Tests/Fixtures/images/make_detector_catalog.py):

- Sources/Integration/DetectorCatalog.swift: for every detector class pyFAI registers, its name, every name
  pyFAI's `detector_factory` accepts for it, the binnings pyFAI builds from a PONI's pixel size (the pixel
  size pyFAI writes, the shape it then gives the detector), its dummy value and delta (the value pyFAI's
  integrators mask when no dummy is given: -2 +- 1.5 for the DECTRIS-like detectors, 0 for Lambda), and
  which of pyFAI's mask rules it uses
  (module gaps `_Dectris.calc_mask` and its CdTe variants, the circle of the image plates and round CCDs,
  or none). Detectors whose pixels pyFAI does not place on a regular grid (curved, hexagonal, or with wider
  pixels at chip borders) are listed with the reason, so that a PONI naming one is refused, not integrated
  wrongly. Names and numbers only; the rules themselves are Roentgen's code (DetectorModel.swift).
- Tests/Fixtures/images/pyfai_detector_catalog.json: the anchor of DetectorCatalogTests: for every
  detector and binning, pyFAI's pixel size, shape and built-in mask (masked count, sum of the masked
  pixels' flat indices, and of their squares mod 2^64 as a decimal string).

A binning is measured, not assumed: pyFAI's detector is built from {"pixel1": p·b, "pixel2": p·b} for
b = 1…4 (p: the unbinned pixel), or from each entry of its own binned-pixel table (Rayonix) or valid-size
table (Mar345), and kept when pyFAI keeps that pixel size and can build its mask.
"""
import json, os, warnings, logging
import numpy as np
import pyFAI
from pyFAI.detectors import ALL_DETECTORS, detector_factory

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

# pyFAI's mask rules, by the class that defines calc_mask (checked against the masks in DetectorCatalogTests).
MASK_RULES = {"_Dectris": "modules", "_Lambda": "modules", "Maxipix": "modules",
              "PilatusCdTe": "modules", "Eiger2CdTe": "modules", "Pilatus4_CdTe": "modules",
              "Mar345": "circle", "Rayonix133": "circle", "RayonixSx165": "circle",
              "Detector": "none", "Mythen": "none", "FReLoN": "none", "Lambda9M": "none"}
CENTRE_GAPS = {"PilatusCdTe": (-1, 3), "Eiger2CdTe": (-1, 2), "Pilatus4_CdTe": (0, 1)}


def mask_owner(cls):
    return next(c.__name__ for c in cls.__mro__ if "calc_mask" in c.__dict__)


def irregular_reason(cls, d):
    """Why pyFAI's pixels of this detector are not a regular grid of pixel1 × pixel2 cells, or None."""
    if not d.IS_FLAT:
        return "a curved detector (pixels in 3-D)"
    if cls.__name__.startswith("Pixirad"):
        return "hexagonal pixels"
    if not getattr(d, "uniform_pixel", True) or not getattr(d, "IS_CONTIGUOUS", True):
        return "pixels of several sizes (wider pixels at chip borders)"
    s0, s1 = d.shape
    rng = np.random.default_rng(1)
    i = np.concatenate([np.arange(s0), np.zeros(s1, int), rng.integers(0, s0, 2000)]).astype(float)
    j = np.concatenate([np.zeros(s0, int), np.arange(s1), rng.integers(0, s1, 2000)]).astype(float)
    p = d.calc_cartesian_positions(i, j)
    off = max(np.abs(p[0] - (i + 0.5) * d.pixel1).max(), np.abs(p[1] - (j + 0.5) * d.pixel2).max())
    if off > 1e-12 or (len(p) > 2 and p[2] is not None and np.abs(p[2]).max() > 0):
        return "modules placed off a regular grid"
    return None


def fingerprint(mask):
    if mask is None:
        return 0, 0, 0
    idx = np.flatnonzero(np.asarray(mask)).astype(np.uint64)
    with np.errstate(over="ignore"):
        sq = int(np.sum(idx * idx, dtype=np.uint64))
    return int(idx.size), int(idx.sum(dtype=np.uint64)), sq


classes = {}
for key, cls in ALL_DETECTORS.items():
    classes.setdefault(cls, []).append(key)

rows, fixture = [], []
for cls, keys in sorted(classes.items(), key=lambda kv: kv[0].__name__):
    if cls.__name__ == "Detector":
        continue
    d = cls()
    if d.max_shape is None:
        continue
    # One spelling per name as Roentgen compares names (case, spaces, '_' and '-' ignored).
    def key(n):
        return "".join(ch for ch in n.lower() if ch.isalnum())
    names, seen_keys = [], {key(cls.__name__)}
    for n in list(getattr(cls, "aliases", ())) + sorted(keys):
        if key(n) not in seen_keys:
            seen_keys.add(key(n))
            names.append(n)
    reason = irregular_reason(cls, d)
    owner = mask_owner(cls)
    entry = dict(name=cls.__name__, aliases=names, irregular=reason, binnings=[], dummy=d.dummy, delta_dummy=d.delta_dummy)
    if reason is None:
        if owner not in MASK_RULES:
            raise SystemExit(f"{cls.__name__}: mask rule of {owner} not known to this script")
        b0 = d.binning
        unbinned = (d.pixel1 / b0[0], d.pixel2 / b0[1])
        if hasattr(cls, "BINNED_PIXEL_SIZE"):
            candidates = [(p, p) for _, p in sorted(cls.BINNED_PIXEL_SIZE.items())]
        elif hasattr(cls, "VALID_SIZE"):
            candidates = sorted({(p, p) for p in cls.VALID_SIZE.values()})
        else:
            candidates = [(unbinned[0] * b, unbinned[1] * b) for b in (1, 2, 3, 4)]
        seen = set()
        for p1, p2 in candidates:
            try:
                e = detector_factory(cls.__name__, {"pixel1": p1, "pixel2": p2})
                m = e.mask
            except Exception:
                continue
            if (e.pixel1, e.pixel2) != (p1, p2) or tuple(e.shape) in seen or min(e.shape) == 0:
                continue
            seen.add(tuple(e.shape))
            count, isum, sqsum = fingerprint(m)
            entry["binnings"].append(dict(pixel1=e.pixel1, pixel2=e.pixel2, shape=list(e.shape), binning=list(e.binning),
                                          default=(e.pixel1, e.pixel2, tuple(e.shape)) == (d.pixel1, d.pixel2, tuple(d.shape)),
                                          masked=count, index_sum=isum, index_square_sum=str(sqsum)))
        if not any(b["default"] for b in entry["binnings"]):
            raise SystemExit(f"{cls.__name__}: the default binning was not found")
    fixture.append(entry)

    def swift_str(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    alias_list = "[" + ", ".join(swift_str(a) for a in names) + "]"
    if reason is not None:
        rows.append(f'        .init(name: "{cls.__name__}", aliases: {alias_list}, irregular: {swift_str(reason)}),')
        continue
    rule = MASK_RULES[owner]
    if rule == "modules":
        ms, mg = cls.MODULE_SIZE, cls.MODULE_GAP
        centre = CENTRE_GAPS.get(owner)
        c = f", centreGap: ({centre[0]}, {centre[1]})" if centre else ""
        mask = f".modules(size: ({ms[0]}, {ms[1]}), gap: ({mg[0]}, {mg[1]}){c})"
    else:
        mask = "." + rule
    default = next(b for b in entry["binnings"] if b["default"])
    ordered = [default] + [b for b in entry["binnings"] if not b["default"]]
    binnings = ", ".join(f'.init(pixel1: {b["pixel1"]!r}, pixel2: {b["pixel2"]!r}, rows: {b["shape"][0]}, columns: {b["shape"][1]}, '
                         f'binning: ({b["binning"][0]}, {b["binning"][1]}))' for b in ordered)
    dummies = "" if d.dummy is None else f", dummy: {float(d.dummy)!r}" + ("" if d.delta_dummy is None else f", deltaDummy: {float(d.delta_dummy)!r}")
    rows.append(f'        .init(name: "{cls.__name__}", aliases: {alias_list}, mask: {mask}{dummies},\n              binnings: [{binnings}]),')

header = ["// Generated by Tests/Fixtures/images/make_detector_catalog.py from pyFAI " + pyFAI.version +
          "'s detector classes. Do not edit.", "",
          "extension DetectorModel {",
          "    /// Every detector pyFAI 2026.9 registers: the names its `detector_factory` accepts, its binnings (the",
          "    /// first is the default: the pixel size pyFAI writes for it and the shape that pixel size gives) and",
          "    /// its built-in mask rule; or why Roentgen cannot integrate it.",
          "    public static let all: [DetectorModel] = ["]
with open("Sources/Integration/DetectorCatalog.swift", "w", encoding="utf-8") as fh:
    fh.write("\n".join(header + rows + ["    ]", "}", ""]))
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "pyfai_detector_catalog.json"), "w") as fh:
    json.dump(dict(pyFAI=pyFAI.version, detectors=fixture), fh, indent=0)
print(len(fixture), "detectors,", sum(len(f["binnings"]) for f in fixture), "binnings,",
      sum(1 for f in fixture if f["irregular"]), "irregular")
