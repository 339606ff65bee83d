#!/usr/bin/env python3
"""Times Larch's feffit() on the cases of ../shared/data/xas/feffit (the same fits as
examples/feffit/*.yaml: recipe.json, k and chi columns of chi_<id>.dat, paths, parameters,
transform). Usage: bench_larch.py DATA_ROOT REPEATS [CASE...]. Prints one line
'JSON {"id":…, "larch_ms":…, "chi_square":…, "params": {name: [value, stderr]}}' per fit
(median of REPEATS; paths and data are read outside the timing)."""
import json, os, sys, time, warnings
import numpy as np
from larch import Group
from larch.fitting import param, param_group
from larch.xafs import feffpath, feffit_transform, feffit_dataset, feffit

warnings.filterwarnings("ignore")
root = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
only = set(sys.argv[3:])
folder = os.path.join(root, "xas/feffit")
for case in ["cu_1shell", "cu_3shell_c3", "cu_13paths_ms", "cu_3temp_einstein", "feo_2path", "znse_1shell"]:
    recipe = json.load(open(os.path.join(folder, case, "recipe.json")))
    variants = recipe.get("variants", {"main": {"transform_overrides": {}}})
    for vname, variant in variants.items():
        fid = case if len(variants) == 1 else f"{case}-{vname}"
        if only and fid not in only:
            continue

        def make():
            pars = {}
            for p in recipe["params"]:
                if p["expr"]:
                    pars[p["name"]] = param(expr=p["expr"])
                else:
                    kws = dict(vary=p["vary"])
                    if p["min"] is not None: kws["min"] = p["min"]
                    if p["max"] is not None: kws["max"] = p["max"]
                    pars[p["name"]] = param(p["value"], **kws)
            params = param_group(**pars)
            dsets = []
            for d in recipe["datasets"]:
                arr = np.loadtxt(os.path.join(folder, case, d["chi_file"]))
                data = Group(k=arr[:, 0], chi=arr[:, 1])
                t = dict(d["transform"]); t.update(variant.get("transform_overrides", {}))
                trans = feffit_transform(**{k: v for k, v in t.items() if v is not None})
                paths = {}
                for p in d["paths"]:
                    kws = {k: p[k] for k in ("s02", "e0", "deltar", "sigma2", "third", "fourth", "ei") if p[k] is not None}
                    if p["degen"] is not None: kws["degen"] = p["degen"]
                    paths[p["label"]] = feffpath(os.path.join(folder, case, p["file"]), label=p["label"], **kws)
                dsets.append(feffit_dataset(data=data, paths=paths, transform=trans))
            return params, dsets

        times, cpu, out = [], [], None
        for _ in range(repeats):
            params, dsets = make()
            t0, c0 = time.perf_counter(), time.process_time()
            out = feffit(params, dsets)
            times.append((time.perf_counter() - t0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
        res = {"id": fid, "larch_ms": float(np.median(times)), "larch_cpu_ms": float(np.median(cpu)), "nfev": int(out.nfev),
               "chi_square": float(out.chi_square), "rfactor": float(out.rfactor), "n_idp": float(out.n_independent),
               "params": {n: [float(p.value), float(p.stderr or 0)] for n, p in out.params.items()
                          if not n.startswith(("s02_", "e0_", "deltar_", "sigma2_", "third_", "fourth_", "ei_", "degen_")) or n in [q["name"] for q in recipe["params"]]}}
        print("JSON " + json.dumps(res), flush=True)
