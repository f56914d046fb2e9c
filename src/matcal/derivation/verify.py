"""Numerical checks of a derivation's steps at random values, so a reader can trust each one.

One draw of values serves the whole derivation: every variable of f (drawn as
:func:`matcal.numeric.gradcheck.sample_values` draws them, so that f is finite) and a random
direction V for X (symmetric for a symmetric X), which is also the value of dX. Then:

- an expression is evaluated with NumPy; an unexpanded differential d(U) is dU at dX = V,
  exactly: the engine's derivative of U in index notation contracted with dX
  (:func:`matcal.derivation.differentials.by_index`), independently of the rules of
  differentials it checks (and valid inside a sum over an index, where U depends on k);
- an index form is evaluated with :func:`numpy.einsum`, its free indices as the axes; the body
  f_k of a sum Σ_k f_k (Traa eq. 42–45) is evaluated at every k and summed, so a step inside
  the sum is checked on the whole sum, with the same checks as any other;
- a step that keeps its left side: ``before`` and ``after`` have the same value;
- ``f → df``, ``f → partial`` and ``f → grad``: the directional derivative of f along V by
  Richardson extrapolated central differences
  (:func:`matcal.numeric.gradcheck.directional_derivative`) against df at dX = V, or ⟨∂f, V⟩;
- ``df → grad``: df at dX = V against ⟨∇f, V⟩.

For a vector f (a Jacobian) the same checks hold axis by axis: ⟨J, V⟩ contracts the axes of X
and keeps those of f, so df at dX = V is checked against J V.

The relative error, max |a − b| / max(|a|, |b|, 1) (absolute for values below 1, so that an
expression that cancels to 0 up to rounding passes), must stay below :data:`TOLERANCE`, or
:data:`DIFFERENCES_TOLERANCE` for a check by central differences.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any, Mapping

import numpy as np

from matcal.numeric.gradcheck import directional_derivative, random_direction, sample_values
from matcal.derivation.differentials import Context, Differential, by_index, replace
from matcal.derivation.index_form import IndexForm
from matcal.derivation.steps import Shown, Step
from matcal.core.errors import MatcalError
from matcal.tensor.terms import Atom, Tensor
from matcal.core.nodes import Expr, Identity, Var, variables, walk
from matcal.numeric.einsum import einsum_value
from matcal.numeric.evaluate import Evaluator, bind_values, evaluate_expr

TOLERANCE = 1e-8
"""Largest relative error of an exact check (equal values)."""

DIFFERENCES_TOLERANCE = 1e-6
"""Largest relative error of a check against central differences."""


class Checker:
    """Random values for f's variables and a direction V = dX; checks steps at them.

    Args:
        expr: the function f (for a Hessian's Jacobian steps, the gradient ∇f).
        var: the variable X.
        dX: the variable standing for dX in the steps (differential method), else None.
        seed: seed of the random values.
        parts: the derivatives of the parts of f recorded as it was differentiated
            (:attr:`matcal.result.Derivative.parts`), which give dU exactly without
            differentiating U again.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(A*X)")
    >>> checker = Checker(e, variables(e)["X"], None, seed=0)
    >>> checker.check(Step("trace_cyclic", e, parse("tr(X*A)"), "", "f"), "f").verified
    True
    """

    def __init__(self, expr: Expr, var: Var, dX: Var | None, seed: int | None,
                 parts: Mapping[Expr, Tensor] | None = None):
        rng = np.random.default_rng(seed)
        self.expr, self.var = expr, var
        self.lead = len(expr.shape.dims)
        self.values: dict[str, Any] = sample_values(expr, seed)
        self.context = tuple(variables(expr).values()) + (var,)
        _, self.sizes = bind_values(expr, self.values)
        for d in var.shape.dims:
            self.sizes.setdefault(d, 3)
        if var.name not in self.values:  # f does not depend on X
            shape = tuple(self.sizes[d] for d in var.shape.dims)
            self.values[var.name] = float(rng.standard_normal()) if not shape else \
                rng.standard_normal(shape)
        self.direction = random_direction(var, self.values[var.name], rng)
        self.extra: dict[str, Any] = {}
        self.dX = dX
        self.parts = parts
        if dX is not None:
            self.extra[dX.name] = self.direction

    # ------------------------------------------------------------ values

    def value(self, shown: Shown, env: dict[str, int] | None = None) -> Any:
        """The value of an expression (dX = V; d(U) = dU along V) or of an index form;
        ``env`` gives the values of the indices of enclosing sums."""
        if isinstance(shown, IndexForm):
            terms = shown.terms
            dims = [range(self.sizes[d]) for _, d in shown.sums]
            total: Any = 0.0
            for at in itertools.product(*dims):
                inner = {**(env or {}), **{k: n for (k, _), n in zip(shown.sums, at)}}
                total = total + self.tensor_value(shown.free, terms, inner)
            return total
        markers = {n for n in walk(shown) if isinstance(n, Differential)}
        if markers:
            context = Context(self.var, self.dX, self.parts)
            shown = replace(shown, {m: by_index(context, m.arg) for m in markers})
        values = {**self.values, **self.extra}
        if not env:
            return evaluate_expr(shown, values, self.context)
        out = Evaluator(*bind_values(shown, values, self.context), env)(shown)
        return float(out) if np.ndim(out) == 0 else np.asarray(out)

    def tensor_value(self, free, terms, env: dict[str, int] | None = None) -> Any:
        """Σ over terms of coeff · einsum of the factors, laid out along ``free``
        (:func:`matcal.numeric.evaluate.einsum_value`); ``env`` as for :meth:`value`."""

        def factor(f: Atom) -> Any:
            if isinstance(f.expr, Identity) and f.idx:
                return np.eye(self.sizes[f.idx[0].dim])
            return self.value(f.expr, env)

        total = einsum_value(free, tuple(self.sizes[i.dim] for i in free), terms, factor,
                             lambda i: self.sizes[i.dim])
        return float(total) if np.ndim(total) == 0 else total

    def contract(self, value: Any) -> Any:
        """⟨value, V⟩ over the last axes (those of X), keeping the first ones (those of f)."""
        v = np.asarray(self.direction, dtype=float)
        arr = np.asarray(value, dtype=float)
        axes = list(range(self.lead, arr.ndim))
        if arr.shape[self.lead:] != v.shape:  # a step of the wrong shape: it fails
            raise _WrongShape(f"{arr.shape} does not end in X's shape {v.shape}")
        return np.tensordot(arr, v, axes=(axes, list(range(v.ndim))))

    def differences(self) -> Any:
        """The directional derivative of f along V by central differences."""
        return directional_derivative(self.expr, self.values, self.var.name, self.direction)

    # ------------------------------------------------------------ checks

    def error(self, step: Step, before_lhs: str) -> tuple[float, float]:
        """(relative error, tolerance) of ``step``, whose ``before`` has left side
        ``before_lhs``."""
        pair = (before_lhs, step.lhs)
        if pair == ("f", "df"):
            return _relative(self.value(step.after), self.differences()), \
                DIFFERENCES_TOLERANCE
        if pair in (("f", "partial"), ("f", "grad")):
            return _relative(self.contract(self.value(step.after)), self.differences()), \
                DIFFERENCES_TOLERANCE
        if pair == ("df", "grad"):
            return _relative(self.value(step.before),
                                  self.contract(self.value(step.after))), TOLERANCE
        return _relative(self.value(step.before), self.value(step.after)), TOLERANCE

    def check(self, step: Step, before_lhs: str) -> Step:
        """``step`` with ``verified`` and ``error`` filled in."""
        try:
            with np.errstate(all="ignore"):
                error, tolerance = self.error(step, before_lhs)
        except _WrongShape:
            return dataclasses.replace(step, verified=False, error=float("inf"))
        except (MatcalError, ArithmeticError, ValueError, np.linalg.LinAlgError):
            return dataclasses.replace(step, verified=None, error=None)
        if np.isnan(error):
            return dataclasses.replace(step, verified=None, error=None)
        return dataclasses.replace(step, verified=error <= tolerance, error=error)


class _WrongShape(ValueError):
    """A value that cannot be contracted with the direction V: the step is wrong."""


def _relative(a: Any, b: Any) -> float:
    """max |a − b| / max(max |a|, max |b|, 1): relative, but absolute for values below 1, so
    an expression that cancels to 0 up to rounding (``-(y + x) + y + x``) passes; infinite
    when the shapes differ.

    >>> _relative(1e-17, -1e-17), _relative([4.0], [5.0]), _relative(1.0, [1.0])
    (2e-17, 0.2, inf)
    """
    if np.shape(a) != np.shape(b):
        return float("inf")
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)), 1.0)
    return float(np.max(np.abs(a - b), initial=0)) / scale


def check_steps(steps: list[Step], checker: Checker, start: str) -> tuple[Step, ...]:
    """Every step checked; ``start`` is the left side of the first step's ``before``.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(A*X)")
    >>> checker = Checker(e, variables(e)["X"], None, seed=0)
    >>> steps = [Step("r", e, parse("tr(X*A)"), "", "f"),
    ...          Step("r", e, parse("2*A'"), "", "grad")]
    >>> [s.verified for s in check_steps(steps, checker, "f")]
    [True, False]
    """
    out = []
    lhs = start
    for step in steps:
        out.append(checker.check(step, lhs))
        lhs = step.lhs
    return tuple(out)
