"""Numerical checks of derivatives against central finite differences (shipped, like
autograd's ``check_grads``): random values, random directions, Richardson-extrapolated
central differences, and the relative error of the directional derivative.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from matcal.nodes import Expr, Var, variables
from matcal.numeric import bind_values, evaluate_expr
from matcal.shapes import Dim


def random_values(
    expr: Expr, rng: np.random.Generator, positive: bool = False, sizes: dict[Dim, int] | None = None
) -> dict[str, Any]:
    """Random values for every variable of ``expr``, with consistent random sizes (2–5).

    Square matrices are shifted by n·I so they are comfortably invertible with positive
    determinant; symmetric variables get symmetric values. ``positive=True`` draws entries in
    [0.5, 1.5] (for log, sqrt…), else standard normal.
    """
    sizes = dict(sizes or {})
    values: dict[str, Any] = {}
    for name, var in variables(expr).items():
        dims = []
        for d in var.shape.dims:
            dims.append(_size(d, sizes, rng))
        draw = rng.uniform(0.5, 1.5, dims) if positive else rng.standard_normal(dims)
        if var.shape.is_square:
            if var.symmetric:
                draw = (draw + draw.T) / 2
            draw = draw + dims[0] * np.eye(dims[0])
        values[name] = float(draw) if not dims else draw
    return values


def _size(d: Dim, sizes: dict[Dim, int], rng: np.random.Generator) -> int:
    """The size of ``d``: drawn in 2–5 once, or the product of its factors' sizes."""
    if d not in sizes:
        if d.factors:
            sizes[d] = int(np.prod([_size(f, sizes, rng) for f in d.factors]))
        else:
            sizes[d] = int(rng.integers(2, 6))
    return sizes[d]


def sample_values(expr: Expr, seed: int | None = None) -> dict[str, Any]:
    """Random values at which ``expr`` is finite: standard normal first, else positive."""
    rng = np.random.default_rng(seed)
    for positive in (False, True, True, True):
        values = random_values(expr, rng, positive)
        with np.errstate(all="ignore"):
            value = evaluate_expr(expr, values)
        if np.all(np.isfinite(value)):
            return values
    return values


def random_direction(var: Var, value: Any, rng: np.random.Generator) -> Any:
    """A random unit-scale direction shaped like ``value`` (symmetric for a symmetric var)."""
    d = rng.standard_normal(np.shape(value))
    if var.symmetric:
        d = (d + d.T) / 2
    return float(d) if np.ndim(d) == 0 else d


def directional_derivative(expr: Expr, values: Mapping[str, Any], name: str, direction: Any,
                           h: float = 1e-3) -> Any:
    """d/dt expr(values with name ← value + t·direction) at t = 0, by Richardson-extrapolated
    central differences (error O(h⁴))."""

    def at(t: float) -> Any:
        moved = dict(values)
        moved[name] = values[name] + t * direction
        return evaluate_expr(expr, moved)

    def central(step: float) -> Any:
        return (np.asarray(at(step)) - np.asarray(at(-step))) / (2 * step)

    return (4 * central(h / 2) - central(h)) / 3


def relative_error(a: Any, b: Any) -> float:
    """max |a − b| / max(max |a|, max |b|, 1e-12)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)), 1e-12)
    return float(np.max(np.abs(a - b), initial=0)) / scale


def compare_with_differences(expr: Expr, derivative: Expr, wrt: str, values: Mapping[str, Any],
                     directions: int = 3, seed: int | None = 0) -> float:
    """Relative error of ``derivative`` (laid out as shape(expr) + shape(wrt)) against
    finite differences of ``expr`` along random directions; the largest over directions."""
    rng = np.random.default_rng(seed)
    var = variables(expr).get(wrt)
    merged = dict(values)
    bind_values(expr, merged)
    if var is None:  # expr does not depend on wrt: its derivative must be zero
        return float(np.max(np.abs(evaluate_expr(derivative, merged)), initial=0))
    deriv = np.asarray(evaluate_expr(derivative, merged, tuple(variables(expr).values())))
    worst = 0.0
    out_axes = len(np.shape(evaluate_expr(expr, merged)))
    for _ in range(directions):
        v = random_direction(var, merged[wrt], rng)
        numeric = directional_derivative(expr, merged, wrt, v)
        axes = list(range(out_axes, deriv.ndim))
        analytic = np.tensordot(deriv, np.asarray(v), axes=(axes, list(range(len(axes)))))
        worst = max(worst, relative_error(analytic, numeric))
    return worst
