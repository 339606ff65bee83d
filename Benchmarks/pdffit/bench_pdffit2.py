#!/usr/bin/env python3
"""One diffpy.pdffit2 refinement of a shared recipe fit, timed: prints JSON {case, fit, seconds, rw}.

    bench_pdffit2.py SHARED_DATA CASE FIT

Sets up PdfFit exactly as the recipe states it (data, stype, qmax, fixed values, parameters @n with start
values, constraints, fit range) and times PdfFit.refine() alone (Roentgen's `seconds` is its refinement alone too).
"""
import json
import os
import sys
import time

import numpy
from diffpy.pdffit2 import PdfFit, redirect_stdout
from diffpy.structure import loadStructure

redirect_stdout(open(os.devnull, "w"))


def main(shared, case, fit):
    recipe = json.load(open(os.path.join(shared, "xrd", "pdf-fit", case, "recipe.json")))
    f = recipe["fits"][fit]
    path = lambda p: os.path.join(shared, p[len("shared/data/"):])
    pf = PdfFit()
    sfile = path(f["structure"]["file"])
    if sfile.endswith(".stru"):
        pf.read_struct(sfile)
    else:
        pf.add_structure(loadStructure(sfile))
    dfile = path(f["data"]["file"])
    if "PDFgetX3" in f["data"]["format"]:
        rows = []
        started = False
        for line in open(dfile):
            if line.startswith("#L"):
                started = True
                continue
            if started and line.strip():
                rows.append([float(x) for x in line.split()[:2]])
        a = numpy.array(rows)
        pf.read_data_lists(f["stype"], f["qmax"], 0.0, list(a[:, 0]), list(a[:, 1]))
    else:
        pf.read_data(dfile, f["stype"], f["qmax"], 0.0)
    fixed = f.get("fixed", {})
    for k in ("qdamp", "qbroad", "dscale"):
        if k in fixed:
            pf.setvar(k, fixed[k])
    for k in ("delta1", "delta2", "sratio", "rcut", "spdiameter", "pscale"):
        if k in fixed and isinstance(fixed[k], (int, float)):
            pf.setvar(k, fixed[k])
    for c in f["constraints"]:
        pf.constrain(c["var"], c["formula"])
    for p in f["parameters"]:
        pf.setpar(p["idx"], p["start"])
    pf.pdfrange(1, f["fit_range"][0], f["fit_range"][1])
    t0 = time.perf_counter()
    pf.refine(toler=1e-8)
    seconds = time.perf_counter() - t0
    print(json.dumps({"case": case, "fit": fit, "seconds": seconds, "rw": pf.getrw()}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
