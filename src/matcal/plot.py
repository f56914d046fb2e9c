"""The gradient-check plot: the relative error of central differences against the step.

The classic picture of a derivative check (Nocedal & Wright, *Numerical Optimization*, §8.1):
along a random direction V, the central difference (f(X + hV) − f(X − hV)) / 2h is compared
with ⟨D, V⟩ for steps h from 1 down to 1e-13 (times the size of X). For a right derivative the
error falls as h² (the truncation error of central differences) until rounding, which grows
as ε/h, takes over: a V whose bottom lies near 1e-10. A wrong derivative shows a floor far
above it. Drawn with matplotlib (the optional extra ``matcal[plot]``), without pyplot, so it
works with no display and leaves a notebook's backend alone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from matcal.api import Source, as_derivative
from matcal.core.errors import DerivativeError, OptionsError
from matcal.core.nodes import Expr, variables
from matcal.numeric.evaluate import evaluate_expr
from matcal.numeric.gradcheck import random_direction, sample_values
from matcal.syntax.parse import parse

STEPS = np.logspace(0, -13, 66)
"""The steps h, relative to the root-mean-square size of X (at least 1e-2)."""


@dataclass(frozen=True, eq=False)
class CheckPlot:
    """A drawn gradient check.

    Attributes:
        steps: the steps h, largest first.
        errors: the relative error max|Δ/2h − ⟨D, V⟩| / max(|⟨D, V⟩|, |Δ/2h|) at each step.
        min_error: the smallest of them (below ~1e-8 for a right derivative).
        check_steps: the first steps of Ridders' extrapolation that ``--check`` starts from.
        figure: the matplotlib ``Figure``.
        path: where it was saved (a PNG), or None.
    """

    steps: np.ndarray
    errors: np.ndarray
    min_error: float
    check_steps: tuple[float, ...]
    figure: Any
    path: str | None

    def _repr_png_(self) -> bytes:
        """Jupyter's rich display: the plot."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def check_plot(expr: Source, wrt: str | None = None, path: str | None = None, *,
               order: int = 1, types: Mapping[str, str] | None = None,
               seed: int | None = 0, derivative: str | Expr | None = None) -> CheckPlot:
    """Draw the check of a derivative: relative error of central differences against step.

    Args:
        expr: the function f (text, an Expr) or a :class:`~matcal.result.Derivative`.
        wrt: the variable X (not needed for a Derivative).
        path: a ``.png`` file to save the plot to (its text chunk ``Description`` records
            the smallest error); None to only return it.
        order: the derivative's order (2 checks a Hessian against differences of the
            gradient).
        types: optional name → kind mapping.
        seed: seed of the random values and direction.
        derivative: a claimed derivative (text or Expr) to check instead of matcal's own —
            to see what a wrong one looks like.

    Returns:
        A :class:`CheckPlot` (steps, errors, the figure, …); in a notebook it shows itself.

    Raises:
        OptionsError: matplotlib is not installed (``pip install 'matcal[plot]'``).
        DerivativeError, ParseError, ShapeError, ValuesError: as :func:`matcal.derivative`;
            a claimed derivative of another shape.

    Source: Nocedal & Wright, Numerical Optimization, 2nd ed., §8.1 (finite differences:
    truncation O(h²), rounding O(ε/h)).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise OptionsError("the check plot needs matplotlib: pip install 'matcal[plot]'") \
            from None
    d = as_derivative(expr, wrt, order, types)
    claimed = d.form if derivative is None else (
        derivative if isinstance(derivative, Expr) else parse(derivative, types))
    name = d.wrt.name
    values = sample_values(d.expression, seed)
    if name not in values:
        raise DerivativeError(f"{d.expression} does not contain {name}: its derivative is "
                              "zero, and there is nothing to plot")
    context = tuple(variables(d.expression).values()) + d.sizes
    exact = np.asarray(evaluate_expr(claimed, values, context), dtype=float)
    lower = d.lower
    rng = np.random.default_rng(seed)
    v = np.asarray(random_direction(d.wrt, values[name], rng), dtype=float)
    base = np.asarray(evaluate_expr(lower, values, context), dtype=float)
    if exact.shape != base.shape + v.shape:
        raise DerivativeError(f"the derivative has shape {exact.shape}, but shape(f) + "
                              f"shape({name}) is {base.shape + v.shape}")
    slope = np.tensordot(exact, v, axes=v.ndim)
    scale = max(float(np.sqrt(np.mean(np.square(values[name])))), 1e-2)
    steps = STEPS * scale
    errors = np.array([_error(lower, values, context, name, v, h, slope) for h in steps])
    check = tuple(0.01 * scale * 10.0**-k for k in range(3))
    figure = _draw(Figure(figsize=(6.4, 4.4)), steps, errors, check, str(d.expression), name,
                   str(claimed))
    finite = errors[np.isfinite(errors)]
    low = float(np.min(finite)) if finite.size else float("nan")
    if path is not None:
        figure.savefig(path, format="png", dpi=100,
                       metadata={"Description": f"min relative error {low:.3e}"})
    return CheckPlot(steps, errors, low, check, figure, path)


def _error(lower: Expr, values: Mapping[str, Any], context, name: str, v: np.ndarray,
           h: float, slope: np.ndarray) -> float:
    """The relative error of the central difference at step h."""
    plus, minus = dict(values), dict(values)
    plus[name] = values[name] + h * v
    minus[name] = values[name] - h * v
    with np.errstate(all="ignore"):
        difference = (np.asarray(evaluate_expr(lower, plus, context), dtype=float)
                      - np.asarray(evaluate_expr(lower, minus, context), dtype=float)) / (2 * h)
    gap = float(np.max(np.abs(difference - slope), initial=0))
    size = max(float(np.max(np.abs(slope), initial=0)),
               float(np.max(np.abs(difference), initial=0)), 1e-300)
    return max(gap / size, 1e-17)  # an exact match would fall off a log scale


def _draw(figure, steps, errors, check, expression: str, name: str, claimed: str):
    """The figure: the error curve, the h² and ε/h slopes, the check's first steps."""
    ax = figure.subplots()
    ax.loglog(steps, errors, "o-", markersize=3, color="C0", label="relative error")
    finite = np.isfinite(errors)
    if finite.any():
        top = errors[finite][0]
        ax.loglog(steps, top * (steps / steps[0]) ** 2, "--", color="C1",
                  label="slope 2: truncation, O(h²)")
        bottom = errors[finite][-1]
        ax.loglog(steps, bottom * steps[-1] / steps, ":", color="C2",
                  label="slope −1: rounding, O(ε/h)")
        ax.set_ylim(max(np.min(errors[finite]) / 10, 1e-17), max(np.max(errors[finite]) * 10,
                                                                 1e-6))
    for i, h in enumerate(check):
        ax.axvline(h, color="0.6", linewidth=0.8,
                   label="--check starts here (Ridders)" if i == 0 else None)
    ax.set_xlabel(f"step h along a random direction of {name}")
    ax.set_ylabel("relative error of the central difference")
    short = claimed if len(claimed) <= 60 else claimed[:57] + "…"
    ax.set_title(f"d/d{name} of {expression[:50]}\n= {short}", fontsize=9)
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, which="major", alpha=0.3)
    figure.tight_layout()
    return figure
