"""Joins the Roentgen and anchor timings into per-format ratios (anchor time / Roentgen time).

usage: report.py ROENTGEN_TSV ANCHORS_TSV [PARSE_INDEX_JSON [MANIFEST_MD]]
An anchor read that ../shared/data/xrd/reference/parse_index.json declares "NOT a valid reading",
or that the MANIFEST's anchor-coverage table flags `ok*` (xylib's generic text fallback on BRML,
GSAS, RAS; files whose readings are not published are listed only there), is not a read of the
format: it is listed apart and left out of the ratios, as is the format when it has no valid
anchor read.
"""
import json
import sys
from collections import defaultdict

invalid = set()
if len(sys.argv) > 3:
    for entry in json.load(open(sys.argv[3]))["files"]:
        for tool in ("xylib", "xrdpattern"):
            if "NOT a valid reading" in (entry.get(f"{tool}_warning") or ""):
                invalid.add((tool, entry["file"]))

if len(sys.argv) > 4:
    # | file | xylib | xylib format | xrdpattern … | fairmat … | minimal reader |
    for line in open(sys.argv[4]):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[1] in ("ok", "ok*", "FAIL", "-"):
            if cells[1] == "ok*":
                invalid.add(("xylib", cells[0]))
            if cells[3] == "ok*":
                invalid.add(("xrdpattern", cells[0]))

ours, anchors, rejected = {}, defaultdict(dict), []
for line in open(sys.argv[1]):
    f, fmt, n, t = line.rstrip("\n").split("\t")[:4]
    if fmt != "FAIL":
        ours[f] = (fmt, int(n), float(t))
for line in open(sys.argv[2]):
    parts = line.rstrip("\n").split("\t")
    tool, f, n, t = parts[:4]
    if t != "FAIL":
        if (tool, f) in invalid:
            rejected.append((tool, f, float(t)))
        else:
            anchors[tool][f] = float(t)

formats = defaultdict(list)
for f, (fmt, n, t) in ours.items():
    formats[fmt].append(f)

print(f"{'format':20} {'files':>5} {'Roentgen ms':>12} {'xylib ms':>10} {'xylib/R':>8} {'xrdpattern ms':>14} {'xrdp/R':>8}")
worst_xylib, worst_xrdp = float("inf"), float("inf")
for fmt in sorted(formats):
    fs = formats[fmt]
    r_all = sum(ours[f][2] for f in fs)
    cells = []
    for tool in ("xylib", "xrdpattern"):
        common = [f for f in fs if f in anchors[tool]]
        if not common:
            cells.append((None, None, 0))
            continue
        r = sum(ours[f][2] for f in common)
        a = sum(anchors[tool][f] for f in common)
        cells.append((a, a / r, len(common)))
    (xa, xr, xn), (pa, pr, pn) = cells
    if xr is not None:
        worst_xylib = min(worst_xylib, xr)
    if pr is not None:
        worst_xrdp = min(worst_xrdp, pr)
    fmt_ms = lambda v: f"{v * 1e3:.3f}" if v is not None else "-"
    fmt_r = lambda v, n: f"{v:.1f}x" + ("" if n == len(fs) else f"({n})") if v is not None else "fails"
    print(f"{fmt:20} {len(fs):>5} {r_all * 1e3:>12.3f} {fmt_ms(xa):>10} {fmt_r(xr, xn):>8} {fmt_ms(pa):>14} {fmt_r(pr, pn):>8}")
print()
print(f"slowest ratio vs xylib: {worst_xylib:.1f}x (goal >= 1), vs xrdpattern: {worst_xrdp:.1f}x (goal >= 20)")
print("ratios compare the same files only; (n) = files the anchor reads validly; 'fails' = the anchor reads none of them validly.")
for tool, f, t in rejected:
    mine = f"; Roentgen {ours[f][2] * 1e3:.3f} ms" if f in ours else ""
    print(f"not a valid reading (parse_index.json / MANIFEST ok*), left out: {tool} on {f}, {t * 1e3:.3f} ms{mine}")
