"""Helpers shared by the pyFAI fixture scripts beside this file (they import it from their own folder)."""
import os, tempfile
import numpy as np, pyFAI


def rounded(values, digits=9):
    """A flat list of floats rounded to `digits` significant digits, None for NaN and infinities (JSON null)."""
    return [None if not np.isfinite(t) else float(f"{t:.{digits}g}") for t in np.asarray(values, dtype=float).ravel()]


def load_poni(text):
    """pyFAI's integrator for a PONI file's text."""
    with tempfile.NamedTemporaryFile("w", suffix=".poni", delete=False) as t:
        t.write(text)
    ai = pyFAI.load(t.name)
    os.unlink(t.name)
    return ai
