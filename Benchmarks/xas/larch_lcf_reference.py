#!/usr/bin/env python3
"""Runs Larch's lincombo_fit on ../shared/data/xas/lcf inputs and prints weights ± stderr.

The numbers printed here are the Larch anchors used in Tests/XASTests/LinearCombinationFitTests.swift.
Run: /work/.venv-xas/bin/python Benchmarks/xas/larch_lcf_reference.py [path/to/shared/data]
"""
import json, sys, os
import numpy as np
from larch import Group
from larch.math import lincombo_fit

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/data")
lcf = os.path.join(root, "xas/lcf")

def run(sample, standards, lo, hi, sum_to_one, bounded):
    n = len(standards)
    mins = [0.0] * n if bounded else None
    maxs = [1.0] * n if bounded else None
    out = lincombo_fit(sample, standards, arrayname="norm", xmin=lo, xmax=hi,
                       sum_to_one=sum_to_one, minvals=mins, maxvals=maxs)
    return {lab: (out.params[lab].value, out.params[lab].stderr) for lab in out.weights} | {
        "_chisqr": out.chisqr, "_redchi": out.redchi, "_rfactor": out.rfactor, "_ndata": len(out.xdata)}

fe = json.load(open(os.path.join(lcf, "fe_synthetic_inputs.json")))
stds = [Group(energy=np.array(s["energy"]), norm=np.array(s["norm"]), label=s["label"]) for s in fe["standards"]]
mix = np.loadtxt(os.path.join(lcf, "fe_mixture_synthetic.dat"))
sample = Group(energy=mix[:, 0], norm=mix[:, 1], label="mixture")
lo, hi = fe["fit_setup"]["fit_range_eV"]
print("fe_synthetic sum_to_one_bounded", run(sample, stds, lo, hi, True, True))
print("fe_synthetic free", run(sample, stds, lo, hi, False, False))

au = json.load(open(os.path.join(lcf, "au_cyanobacteria_inputs.json")))
stds = [Group(energy=np.array(s["energy"]), norm=np.array(s["norm"]), label=s["group"]) for s in au["standards"]]
for s in au["samples"]:
    g = Group(energy=np.array(s["energy"]), norm=np.array(s["norm"]), label=s["group"])
    lo, hi = s["fit_range_eV"]
    print("au", s["group"], "sum_to_one_bounded", run(g, stds, lo, hi, True, True))
    print("au", s["group"], "sum_to_one_free", run(g, stds, lo, hi, True, False))
