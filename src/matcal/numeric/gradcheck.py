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

from matcal.core.errors import MatcalError
from matcal.core.nodes import (
    Add, Det, Einsum, Expr, Inverse, LogDet, MatPower, Var, variables, walk,
)
from matcal.numeric.evaluate import bind_values, check_values, evaluate_expr
from matcal.core.shapes import Dim


def random_values(
    expr: Expr, rng: np.random.Generator, positive: bool = False,
    sizes: dict[Dim, int] | None = None,
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
        if var.integer:  # the exponent of a matrix power: a whole number, 2 to 4
            draw = float(rng.integers(2, 5))
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
    estimate whose error estimate is smallest (Numerical Recipes §5.7).

    The step is chosen per direction: unless ``h`` is given, Ridders' method starts from 0.01,
    0.001 and 0.0001 times the root-mean-square of the value (at least 1e-2) and the estimate
    with the smallest error estimate wins — a steep function (a deep composition) needs a small
    first step, a flat one a large step against rounding."""
    return directional_estimate(expr, values, name, direction, h)[0]


def directional_estimate(expr: Expr, values: Mapping[str, Any], name: str, direction: Any,
                         h: float | None = None) -> tuple[Any, float]:
    """(:func:`directional_derivative`, its error estimate)."""
    if h is not None:
        return _ridders(expr, values, name, direction, h)
    base = 0.01 * max(float(np.sqrt(np.mean(np.square(values[name])))), 1e-2)
    tries = [_ridders(expr, values, name, direction, base * 10.0**-k) for k in range(3)]
    return min(tries, key=lambda t: t[1])


def _ridders(expr: Expr, values: Mapping[str, Any], name: str, direction: Any,
             h: float) -> tuple[Any, float]:
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
    return best, error


def relative_error(a: Any, b: Any, scale: float = 0.0) -> float:
    """max |a − b| / max(max |a|, max |b|, scale, 1e-300)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)), scale,
                1e-300)
    return float(np.max(np.abs(a - b), initial=0)) / scale


METHOD = ("central differences with Richardson extrapolation (Ridders) along 3 random "
          "directions, relative to the larger of the two slopes, the derivative's terms and "
          "the function's scale")
"""How :func:`compare_with_differences` measures, in words (the CLI prints it)."""


def compare_with_differences(expr: Expr, derivative: Expr, wrt: str, values: Mapping[str, Any],
                             directions: int = 3, seed: int | None = 0,
                             sizes: tuple[Var, ...] = ()) -> float:
    """Relative error of ``derivative`` (laid out as shape(expr) + shape(wrt)) against
    finite differences of ``expr`` along random directions V; the largest over directions.

    Each error is |⟨D, V⟩ − D_V f| over the largest of: |⟨D, V⟩|, |D_V f|, Σ_terms |⟨term, V⟩|
    (what the derivative's terms add up from: their rounding is the floor of any comparison)
    |f|·‖V‖/max(‖X‖, 1) (the slope the function's own scale gives) and
    :data:`ROUNDING_FLOOR`. So a derivative that
    is zero within rounding — an unsimplified zero such as the gradient of the constant
    tr(X*inv(X'*X)*X') — passes, and a wrong one still fails by its size against f's scale.
    ``sizes``: variables whose values size constants of ``derivative`` that nothing else
    sizes (:attr:`matcal.result.Derivative.sizes`).
    """
    rng = np.random.default_rng(seed)
    var = variables(expr).get(wrt)
    check_values(values)
    merged = dict(values)
    bind_values(expr, merged)
    context = tuple(variables(expr).values()) + sizes  # sizes: what sizes constants
    if var is None:  # expr does not depend on wrt: its derivative must be zero
        return float(np.max(np.abs(evaluate_expr(derivative, merged, context)), initial=0))
    deriv = np.asarray(evaluate_expr(derivative, merged, context))
    want = np.shape(evaluate_expr(expr, merged)) + np.shape(merged[wrt]) * max(
        1, (deriv.ndim - np.ndim(evaluate_expr(expr, merged))) // max(np.ndim(merged[wrt]), 1))
    if deriv.shape != want and np.ndim(merged[wrt]):
        return float("inf")  # not even laid out as shape(f) + shape(X): wrong
    terms = [np.asarray(evaluate_expr(t, merged, context)) for t in _terms(derivative)]
    f = np.asarray(evaluate_expr(expr, merged))
    x_norm = max(float(np.linalg.norm(np.ravel(merged[wrt]))), 1.0)
    worst = 0.0
    axes = list(range(f.ndim, deriv.ndim))
    for _ in range(directions):
        v = random_direction(var, merged[wrt], rng)
        numeric = directional_derivative(expr, merged, wrt, v)

        def along(d):
            d = np.broadcast_to(d, deriv.shape)
            return np.tensordot(d, np.asarray(v), axes=(axes, list(range(len(axes)))))

        analytic = along(deriv)
        scale = sum(float(np.max(np.abs(along(t)), initial=0)) for t in terms)
        scale = max(scale, ROUNDING_FLOOR, FUNCTION_SCALE * float(np.max(np.abs(f), initial=0))
                    * float(np.linalg.norm(np.ravel(v))) / x_norm)
        if np.any(deriv):
            worst = max(worst, relative_error(analytic, numeric, scale))
        else:  # exactly zero: the slope differences show is rounding (small) or a wrong zero
            worst = max(worst, float(np.max(np.abs(numeric), initial=0)) / max(1.0, scale))
    return worst


FUNCTION_SCALE = 1e-4
"""The slope a function of size |f| shows to rounding is ~1e-16·|f| over a relative step of at
most 1e-2: this factor of |f|·‖V‖/‖X‖ keeps that rounding below 1e-8 of the scale while a
slope 1e-4 of |f| is still compared in full."""

ROUNDING_FLOOR = 1e-13
"""Slopes below this are rounding, whatever their ratio (det of a singular product has both
slopes ~1e-30): the smallest scale a comparison is made at."""


def _terms(e: Expr) -> list[Expr]:
    """The terms of a sum (of every term of an index-notation tensor); else [e]."""
    if isinstance(e, Add):
        return list(e.terms)
    if isinstance(e, Einsum) and len(e.terms) > 1:
        return [Einsum(e.out, e.dims, (t,), e.wrt) for t in e.terms]
    return [e]
