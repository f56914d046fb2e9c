"""Random values for the tests' numerical checks, shared by test_rules.py and test_cookbook.py.

Their fixed seeds were chosen with exactly this sequence of draws: one size draw (2–4) per
use of a dim, then the entries.
"""

from __future__ import annotations

import numpy as np

from matcal.core.nodes import Expr, variables


def size(d, sizes: dict, rng) -> int:
    """A size in 2-4 per dim (one draw per use); a product dim (of kron) is the product of
    its factors' sizes."""
    if d.factors:
        return sizes.setdefault(d, int(np.prod([size(f, sizes, rng) for f in d.factors])))
    return sizes.setdefault(d, int(rng.integers(2, 5)))


def draw(expr: Expr, seed: int, positive: bool = False, shapes: dict | None = None) -> dict:
    """Values for every variable of ``expr``: sizes 2-4 unless ``shapes`` pins them, square
    matrices shifted by n*I, symmetric ones symmetrized, entries in [0.5, 1.5] if
    ``positive`` else standard normal."""
    rng = np.random.default_rng(seed)
    sizes: dict = {}
    values = {}
    for name, var in variables(expr).items():
        if shapes and name in shapes:
            dims = list(shapes[name])
        else:
            dims = [size(d, sizes, rng) for d in var.shape.dims]
        v = rng.uniform(0.5, 1.5, dims) if positive else rng.standard_normal(dims)
        if len(dims) == 2 and dims[0] == dims[1]:
            if var.symmetric:
                v = (v + v.T) / 2
            v = v + dims[0] * np.eye(dims[0])
        if var.integer:  # a matrix power's exponent: a whole number
            v = float(rng.integers(2, 5))
        values[name] = float(v) if not dims else v
    return values
