#!/usr/bin/env python3
"""Writes examples/feffit/<case>.yaml from ../shared/data/xas/feffit/<case>/recipe.json (one file per
fit space where a recipe has several variants: <case>-r.yaml, -q, -k). Run from this folder."""
import json, os

SHARED = "../../../shared/data/xas/feffit"
CASES = ["cu_1shell", "cu_3shell_c3", "cu_13paths_ms", "cu_3temp_einstein", "feo_2path", "znse_1shell"]
TKEYS = ["fitspace", "kmin", "kmax", "kweight", "dk", "dk2", "window", "rmin", "rmax", "dr", "dr2", "rwindow", "rbkg", "nfft", "kstep"]


def num(v):
    return repr(v) if isinstance(v, float) else str(v)


def scalar(v):
    if isinstance(v, (int, float)):
        return num(v)
    if isinstance(v, list):
        return "[" + ", ".join(num(x) for x in v) + "]"
    return "'" + str(v).replace("'", "''") + "'"


for case in CASES:
    r = json.load(open(os.path.join(SHARED, case, "recipe.json")))
    variants = r.get("variants", {"main": {"transform_overrides": {}}})
    for vname, variant in variants.items():
        out = [f"# {r['title']}",
               f"# Restates ../shared/data/xas/feffit/{case}/recipe.json ({r['origin']}),"
               + ("" if len(variants) == 1 else f" variant '{vname}',"),
               "# written by make_examples.py. Files are relative to this file.",
               f"title: {scalar(r['title'] + ('' if len(variants) == 1 else f' [{vname} space]'))}",
               "parameters:"]
        for p in r["params"]:
            if p["expr"]:
                out.append(f"  {p['name']}: {{expr: {scalar(p['expr'])}}}")
                continue
            fields = [f"value: {num(p['value'])}", f"vary: {'true' if p['vary'] else 'false'}"]
            if p["min"] is not None:
                fields.append(f"min: {num(p['min'])}")
            if p["max"] is not None:
                fields.append(f"max: {num(p['max'])}")
            out.append(f"  {p['name']}: {{{', '.join(fields)}}}")
        out.append("datasets:")
        for d in r["datasets"]:
            t = dict(d["transform"])
            t.update(variant.get("transform_overrides", {}))
            out.append(f"  - id: {d['id']}")
            out.append(f"    data: {SHARED}/{case}/{d['chi_file']}")
            out.append("    transform:")
            for key in TKEYS:
                if t.get(key) is not None:
                    out.append(f"      {key}: {scalar(t[key])}")
            out.append("    paths:")
            for p in d["paths"]:
                out.append(f"      {p['label']}:")
                out.append(f"        file: {SHARED}/{case}/{p['file']}")
                if p["degen"] is not None:
                    out.append(f"        degen: {num(p['degen'])}")
                for key in ["s02", "e0", "deltar", "sigma2", "third", "fourth", "ei"]:
                    if p[key] is not None:
                        out.append(f"        {key}: {scalar(p[key])}")
        name = case if len(variants) == 1 else f"{case}-{vname}"
        open(f"{name}.yaml", "w").write("\n".join(out) + "\n")
        print("wrote", name + ".yaml")
