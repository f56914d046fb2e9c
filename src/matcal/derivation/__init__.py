"""Derivations step by step, in both methods of the seed notes, checked numerically.

:func:`explain` derives the gradient of a scalar expression the way a careful person does by
hand — Ang's differentials (:mod:`.differential_method`) or Traa's index notation
(:mod:`.index_method`) — and returns the derivation as data (:mod:`.steps`), every step
checked at random values (:mod:`.verify`). :mod:`.render` shows it as text, Markdown or LaTeX.

This package sits above the public API: the trace trick asks ``matcal.gradient`` for the G of
each term, and the last step reaches exactly what ``matcal.gradient`` returns.
"""

from __future__ import annotations

from typing import Mapping

from matcal.api import check_gradient, gradient
from matcal.derivation.differential_method import differential_steps, differential_variable
from matcal.derivation.index_method import index_steps
from matcal.derivation.steps import METHODS, Derivation, Step
from matcal.derivation.verify import DIFFERENCES_TOLERANCE, Checker, check_steps
from matcal.errors import MatcalError, OptionsError
from matcal.nodes import Expr, Var, variables
from matcal.parse import check_types, parse

__all__ = ["explain", "Derivation", "Step"]


def explain(expr: Expr | str, wrt: str, method: str = "differential",
            types: Mapping[str, str] | None = None, seed: int | None = 0) -> Derivation:
    """The gradient of a scalar expression, derived step by step and checked numerically.

    Args:
        expr: a scalar-valued expression, as an :class:`Expr` or text.
        wrt: the name of the variable X (scalar, vector or matrix).
        method: ``"differential"`` — Ang's method (seed 001): df by the rules of
            differentials, the trace trick to tr(Gᵀ dX), ∇f = G read off — or ``"index"`` —
            Traa's method (seed 000): f with explicit sums, ∂f/∂X_jk by the product rule and δ
            elimination, and the matrix read back off the indices.
        types: optional name → kind mapping, as for :func:`matcal.parse`.
        seed: seed of the random values at which every step is checked.

    Returns:
        A :class:`Derivation`: the steps (rule, before, after, justification, and the relative
        error of the numerical check of each), and the gradient — shaped like X, equal to
        ``matcal.gradient(expr, wrt, types)`` — with its check against central differences.

    Raises:
        OptionsError: an unknown ``method`` or a bad ``types`` entry.
        DerivativeError: ``expr`` is not a scalar, or ``wrt`` is not a name.
        ParseError, ShapeError: bad text.

    >>> d = explain("tr(A*X*B)", "X")
    >>> [(s.rule, str(s.after)) for s in d.steps[3:]]  # doctest: +NORMALIZE_WHITESPACE
    [('constant_rule', 'tr(A*dX*B)'), ('trace_cyclic', 'tr(B*A*dX)'),
     ('read_off', "(B*A)'"), ('transpose_of_product', "A'*B'")]
    >>> d.all_verified
    True
    """
    if method not in METHODS:
        raise OptionsError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    check_types(types)
    e = expr if isinstance(expr, Expr) else parse(expr, types)
    final = gradient(e, wrt, types)
    var = variables(e).get(wrt) or Var(wrt, final.shape)
    if method == "differential":
        dX = differential_variable(e, var)
        steps, differential = differential_steps(e, var, dX, final), dX
    else:
        steps, differential = index_steps(e, var, final), None
    checked = check_steps(steps, Checker(e, var, differential, seed), "f")
    try:
        error: float | None = check_gradient(e, wrt, types, seed=seed)
    except MatcalError:
        error = None
    verified = None if error is None else bool(error <= DIFFERENCES_TOLERANCE)
    return Derivation(e, wrt, method, checked, final, differential and differential.name,
                      verified, error)
