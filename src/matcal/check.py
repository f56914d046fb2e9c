"""Numerical checks of derivatives against central finite differences (shipped, like
autograd's ``check_grads``): random values, random directions, Richardson-extrapolated
central differences, and the relative error of the directional derivative.

The values are of moderate size and drawn again until the expression is finite and every
matrix it inverts is well conditioned, and the step is relative to the value's scale: a
difference quotient is only as good as the function is tame at the scale of the step.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from matcal.errors import MatcalError
from matcal.nodes import Det, Expr, Inverse, LogDet, MatPower, Var, variables, walk
from matcal.numeric import bind_values, check_values, evaluate_expr
from matcal.shapes import Dim


def random_values(
    expr: Expr, rng: np.random.Generator, positive: bool = False, sizes: dict[Dim, int] | None = None
) -> dict[str, Any]:
    """Random values for every variable of ``expr``, with consistent random sizes (2–5).

    Square matrices are near the identity, I + G/(2√n) (I + U/n when positive), so they are
    usually well conditioned with a determinant of moderate size (:func:`sample_values`
    draws again when not); symmetric variables get symmetric values.
    ``positive=True`` draws entries in [0.5, 1.5] (for log, sqrt…), else standard normal.
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
            n = dims[0]
            draw = np.eye(n) + (draw / n if positive else draw / (2 * np.sqrt(n)))
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
    """Random values at which ``expr`` is finite and every matrix it inverts is well
    conditioned (:func:`well_posed`): standard normal draws first, positive ones (for log,
    sqrt…) after; new sizes with every draw (a wide X makes X'*X singular)."""
    rng = np.random.default_rng(seed)
    values: dict[str, Any] = {}
    for attempt in range(_DRAWS):
        values = random_values(expr, rng, positive=attempt >= _DRAWS // 2)
        if well_posed(expr, values):
            return values
    return values


_DRAWS = 16
MAX_CONDITION = 1e4
"""Largest condition number of a matrix that sampled values let an expression invert."""


def well_posed(expr: Expr, values: Mapping[str, Any]) -> bool:
    """``expr`` is finite at ``values``, and each argument of inv, det, logdet and of a
    negative matrix power has condition number at most :data:`MAX_CONDITION`."""
    try:
        with np.errstate(all="ignore"):
            if not np.all(np.isfinite(evaluate_expr(expr, values))):
                return False
            for node in walk(expr):
                arg = inverted(node)
                if arg is not None:
                    m = np.asarray(evaluate_expr(arg, values))
                    if m.ndim == 2 and not np.linalg.cond(m) <= MAX_CONDITION:
                        return False
    except MatcalError:  # e.g. a singular matrix
        return False
    return True


def inverted(node: Expr) -> Expr | None:
    """The matrix ``node`` inverts (or whose determinant it takes), if any."""
    if isinstance(node, (Inverse, Det, LogDet)):
        return node.arg
    if isinstance(node, MatPower) and node.k < 0:
        return node.base
    return None


def random_direction(var: Var, value: Any, rng: np.random.Generator) -> Any:
    """A random unit-scale direction shaped like ``value`` (symmetric for a symmetric var)."""
    d = rng.standard_normal(np.shape(value))
    if var.symmetric:
        d = (d + d.T) / 2
    return float(d) if np.ndim(d) == 0 else d


def directional_derivative(expr: Expr, values: Mapping[str, Any], name: str, direction: Any,
                           h: float | None = None) -> Any:
    """d/dt expr(values with name ← value + t·direction) at t = 0, by Ridders' method: central
    differences at steps h, h/1.4, h/1.4², … extrapolated to step 0 (Richardson), keeping the
    estimate whose error estimate is smallest (Numerical Recipes §5.7). The first step ``h``
    is 0.01 times the root-mean-square of the value (at least 1e-2), unless given."""
    if h is None:
        h = 0.01 * max(float(np.sqrt(np.mean(np.square(values[name])))), 1e-2)

    def at(t: float) -> Any:
        moved = dict(values)
        moved[name] = values[name] + t * direction
        return evaluate_expr(expr, moved)

    def central(step: float) -> np.ndarray:
        with np.errstate(all="ignore"):
            return (np.asarray(at(step)) - np.asarray(at(-step))) / (2 * step)

    def gap(a: np.ndarray, b: np.ndarray) -> float:
        d = np.max(np.abs(a - b), initial=0)
        return float(d) if np.isfinite(d) else np.inf

    shrink, safe = 1.4, 2.0
    previous = [central(h)]
    best, error = previous[0], np.inf
    for _ in range(11):
        h /= shrink
        row = [central(h)]
        factor = shrink**2
        for j in range(1, len(previous) + 1):  # extrapolate the row to step 0
            row.append((row[j - 1] * factor - previous[j - 1]) / (factor - 1))
            factor *= shrink**2
            estimate = max(gap(row[j], row[j - 1]), gap(row[j], previous[j - 1]))
            if estimate <= error:
                best, error = row[j], estimate
        if gap(row[-1], previous[-1]) >= safe * error:  # higher orders got worse: stop
            break
        previous = row
    return best


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
    check_values(values)
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
        if np.any(deriv):
            worst = max(worst, relative_error(analytic, numeric))
        else:  # an exactly zero derivative: any slope differences show is rounding or wrong
            worst = max(worst, float(np.max(np.abs(numeric), initial=0)))
    return worst
