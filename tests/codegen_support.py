"""Shared by the code-generation tests: the reference cases, values, the flattened outputs
of a generated function, and a central-difference check of them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import matcal
from matcal.numeric.gradcheck import sample_values
from test_cookbook import COOKBOOK
from test_higher_order import CASES, MATRIX_FORMS

SEEDS = json.loads((Path(__file__).parents[1] / "examples" / "seeds.json").read_text())
WRITTEN = {"traa-46": "sum(k, tr(V'*log(A*diag(B[k,:]*X)*C)))"}  # as examples/run_seeds.py


def reference_cases() -> list:
    """(expression, wrt, order, types) of the seeds, the Cookbook tests and the higher-order
    tests, as pytest params."""
    out = []
    for s in SEEDS:
        out.append(pytest.param(WRITTEN.get(s["id"], s["expr"]), s["wrt"], 1, s.get("types"),
                                id=f"seed {s['id']}"))
    for p in COOKBOOK:
        expr, wrt, types, _shapes, _positive = p.values
        out.append(pytest.param(expr, wrt, 1, types, id=p.id))
    for expr, wrt, order, types in [*CASES, *(m[:4] for m in MATRIX_FORMS)]:
        out.append(pytest.param(expr, wrt, order, types, id=f"order {order}: {expr} by {wrt}"))
    return out


def values_for(expr, wrt, order, types, seed=1) -> dict:
    d = matcal.derivative(expr, wrt, order, types)
    return sample_values(d.expression, seed=seed)


def is_symmetric_variable(expr, wrt, types) -> bool:
    """Whether ``wrt`` is a symmetric variable of ``expr`` (its directions are symmetric)."""
    return any(getattr(n, "symmetric", False) and getattr(n, "name", None) == wrt
               for n in matcal.core.nodes.walk(matcal.parse(expr, types)))


def flat(out) -> list:
    """(value, d1, d2) or (value, (d1, d2)) as [value, d1, d2], NumPy float arrays."""
    items = [out[0]]
    for o in out[1:]:
        items.extend(o if isinstance(o, tuple) else [o])
    return [np.asarray(to_numpy(o), dtype=float) for o in items]


def to_numpy(o):
    if hasattr(o, "detach"):
        return o.detach().cpu().numpy()
    return np.asarray(o)


def expected(expr, wrt, order, types, values) -> list:
    """matcal.evaluate of the value and of each derivative up to ``order``."""
    out = [matcal.evaluate(expr, values, types)]
    for j in range(1, order + 1):
        out.append(matcal.evaluate(matcal.derivative(expr, wrt, j, types), values))
    return [np.asarray(o, dtype=float) for o in out]


def assert_close(got: list, want: list) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-8, atol=1e-9 * (1 + np.max(np.abs(w),
                                                                           initial=0)))


def central_differences(fn, values: dict, wrt: str, symmetric: bool, order: int,
                        convert=np.asarray, seed: int = 0) -> None:
    """Each derivative of ``fn``'s outputs against a Richardson-extrapolated central
    difference of the output below it, along a random direction (symmetric for a symmetric
    variable)."""
    rng = np.random.default_rng(seed)
    point = {k: np.asarray(v, dtype=float) for k, v in values.items()}

    def outs(at):
        return flat(fn(**{k: convert(v) for k, v in at.items()}))

    base = outs(point)
    for j in range(1, order + 1):
        v = rng.standard_normal(np.shape(point[wrt]))
        if symmetric:
            v = (v + v.T) / 2

        def slope(h):
            plus, minus = dict(point), dict(point)
            plus[wrt] = point[wrt] + h * v
            minus[wrt] = point[wrt] - h * v
            return (outs(plus)[j - 1] - outs(minus)[j - 1]) / (2 * h)

        estimate = (4 * slope(5e-4) - slope(1e-3)) / 3
        exact = np.tensordot(base[j], v, axes=v.ndim)
        gap = np.linalg.norm(estimate - exact)
        scale = max(np.linalg.norm(exact), np.linalg.norm(estimate))
        assert gap <= 1e-6 * scale + 1e-8 * (1 + np.linalg.norm(base[j - 1])), (j, gap, scale)
