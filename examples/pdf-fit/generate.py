#!/usr/bin/env python3
"""Writes examples/pdf-fit/<case>-<fit>.yaml from the shared recipes (../shared/data/xrd/pdf-fit/*/recipe.json).

Every fit of every recipe becomes one Roentgen fit file: the data file, radiation, Qmax and fit range; the recipe's
fixed values as data-set / phase settings; the refinement parameters @n with their start values; the PDFfit2
constraints `variable = formula`. Paths are written relative to this folder (the recipes' are relative to the
folder holding `shared/`). Run from anywhere: python3 examples/pdf-fit/generate.py
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# examples/pdf-fit -> repository root -> the folder holding shared/
WORKSPACE = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
RECIPES = os.path.join(WORKSPACE, "shared", "data", "xrd", "pdf-fit")
DATASET = ("qdamp", "qbroad", "dscale")
PHASE = ("pscale", "delta1", "delta2", "sratio", "rcut", "spdiameter", "stepcut")


def rel(path):
    return os.path.relpath(os.path.join(WORKSPACE, path), HERE)


def number(x):
    return repr(float(x)) if not float(x).is_integer() else str(float(x))


def write(case, name, fit):
    constrained = {c["var"] for c in fit["constraints"]}
    lines = [
        f"# {case} / {name}: {fit.get('note', '')}".rstrip(),
        f"# Made by examples/pdf-fit/generate.py from shared/data/xrd/pdf-fit/{case}/recipe.json",
        f"title: {case}-{name}",
        "data:",
        f"  file: {rel(fit['data']['file'])}",
        f"  radiation: {fit['stype']}",
        f"  qmax: {number(fit['qmax'])}",
        f"  fit_range: [{number(fit['fit_range'][0])}, {number(fit['fit_range'][1])}]",
    ]
    fixed = fit.get("fixed", {})
    for k in DATASET:
        if k in fixed and k not in constrained:
            lines.append(f"  {k}: {number(fixed[k])}")
    lines += ["phases:", f"  - structure: {rel(fit['structure']['file'])}"]
    for k in PHASE:
        if k in fixed and isinstance(fixed[k], (int, float)) and k not in constrained:
            lines.append(f"    {k}: {number(fixed[k])}")
    lines.append("parameters:")
    for p in fit["parameters"]:
        lines.append(f"  \"@{p['idx']}\": {number(p['start'])}    # {p['on']}")
    lines.append("constraints:")
    for c in fit["constraints"]:
        lines.append(f"  {c['var']}: \"{c['formula'].strip()}\"")
    path = os.path.join(HERE, f"{case}-{name}.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def main():
    for case in sorted(os.listdir(RECIPES)):
        recipe = os.path.join(RECIPES, case, "recipe.json")
        if not os.path.exists(recipe):
            continue
        with open(recipe) as f:
            r = json.load(f)
        for name, fit in r["fits"].items():
            print(write(case, name, fit))


if __name__ == "__main__":
    sys.exit(main())
