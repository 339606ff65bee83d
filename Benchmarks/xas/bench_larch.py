#!/usr/bin/env python3
"""Times Larch's pre_edge + autobk + xftf (defaults) per reference spectrum on the same inputs
as Benchmarks/xas/Sources/XASBench (input.energy / input.mu of ../shared/data/xas/reference).
Prints one line 'JSON {"id":…, "larch_ms":…}' per spectrum (median of N repeats)."""
import json, os, sys, time, warnings
import numpy as np
from larch import Group
from larch.xafs import pre_edge, autobk, xftf

warnings.filterwarnings("ignore")
root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/data")
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
index = json.load(open(os.path.join(root, "xas/reference/index.json")))
for entry in index["spectra"]:
    ref = json.load(open(os.path.join(root, "xas/reference", entry["id"] + ".json")))
    energy, mu = np.array(ref["input"]["energy"]), np.array(ref["input"]["mu"])
    kmax = ref.get("kmax_data") or 0
    times, cpu, err = [], [], None
    for _ in range(repeats):
        g = Group(energy=energy.copy(), mu=mu.copy())
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            pre_edge(g)
            if kmax >= 6:
                autobk(g, rbkg=1, kweight=1)
                xftf(g, kmin=0, kmax=20, dk=1, kweight=2, window="kaiser")
        except Exception as e:  # Larch raises on demeter_mn3o4_mrcat
            err = str(e)
        times.append((time.perf_counter() - t0) * 1e3)
        cpu.append((time.process_time() - c0) * 1e3)
    out = {"id": entry["id"], "larch_ms": float(np.median(times)), "larch_cpu_ms": float(np.median(cpu))}
    if err:
        out["larch_error"] = err
    print("JSON " + json.dumps(out), flush=True)
