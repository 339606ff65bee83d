"""Combines the Roentgen and Larch timings per format and prints the speed ratio."""
import json
import sys
from collections import defaultdict

ours = json.load(open(sys.argv[1]))
larch = json.load(open(sys.argv[2]))
by_format = defaultdict(lambda: [0.0, 0.0, 0, 0])  # our time, larch time, files compared, files larch failed
for path, r in ours.items():
    row = by_format[r["format"]]
    theirs = larch.get(path, {}).get("seconds_per_read")
    if theirs is None:
        row[3] += 1
        continue
    row[0] += r["seconds_per_read"]
    row[1] += theirs
    row[2] += 1
print(f"{'format':<14} {'files':>5} {'roentgen ms':>12} {'larch ms':>10} {'speed-up':>9}  larch failed")
total = [0.0, 0.0]
for fmt, (t_ours, t_larch, n, failed) in sorted(by_format.items()):
    ratio = f"{t_larch / t_ours:8.1f}x" if n and t_ours > 0 else "     n/a"
    print(f"{fmt:<14} {n:>5} {t_ours * 1e3:>12.3f} {t_larch * 1e3:>10.3f} {ratio}  {failed}")
    total[0] += t_ours
    total[1] += t_larch
if total[0] > 0:
    print(f"{'all':<14} {'':>5} {total[0] * 1e3:>12.3f} {total[1] * 1e3:>10.3f} {total[1] / total[0]:8.1f}x")
