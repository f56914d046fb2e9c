"""The public checks: a derivative against central differences, and a derivation step by
step with every step checked (:func:`explain`).

They take the :class:`~matcal.result.Derivative` that :mod:`matcal.api` returned, as it is —
nothing is derived again — or an expression and a variable, and derive it once.
"""

from __future__ import annotations

from typing import Any, Mapping

from matcal.api import Source, as_derivative, gradient, valid_seed
from matcal.core.errors import DerivativeError, MatcalError, OptionsError
from matcal.core.nodes import Var, variables, walk
from matcal.derivation import (
    DIFFERENCES_TOLERANCE, METHODS, Checker, Derivation, check_steps, differential_steps,
    differential_variable, index_steps,
)
from matcal.numeric.gradcheck import compare_with_differences, sample_values
from matcal.result import Derivative
from matcal.syntax.types import check_types

MAX_DERIVATION_USES = 40
"""Most occurrences of the variable that :func:`explain` derives step by step."""


def check_gradient(expr: Source, wrt: str | None = None,
                   types: Mapping[str, str] | None = None,
                   values: Mapping[str, Any] | None = None, seed: int | None = None) -> float:
    """Relative error of :func:`gradient` against central finite differences.

    Args:
        expr: a scalar expression, an :class:`Expr` or text; or the :class:`Derivative` of
            order 1 to check (then ``wrt`` may be left out).
        wrt: the variable's name.
        types: optional name → kind mapping.
        values: values for every name (random ones, of random consistent sizes, if None).
        seed: seed for the random values and directions.

    Returns:
        max over 3 random directions V of |⟨G, V⟩ − D_V f| / max(|⟨G, V⟩|, |D_V f|), with D_V f
        from central differences extrapolated to step 0 (Ridders' method); ~1e-10 when right.
        Random values are of moderate size, and drawn again until f is finite and every matrix
        it inverts is well conditioned.

    Raises:
        Everything :func:`gradient` and :func:`evaluate` raise.

    >>> check_gradient("tr(A*X*B)", "X", seed=1) < 1e-8
    True
    """
    seed = valid_seed(seed)
    g = expr if isinstance(expr, Derivative) else gradient(expr, wrt, types)
    return _check(as_derivative(g, wrt, 1, types), values, seed)


def check_derivative(expr: Source, wrt: str | None = None, order: int = 1,
                     types: Mapping[str, str] | None = None,
                     values: Mapping[str, Any] | None = None, seed: int | None = None) -> float:
    """Relative error of :func:`derivative` of ``order`` against central differences of the
    derivative of order − 1 (of ``expr`` itself for order 1), along random directions.

    Args:
        expr: an expression or text, or the :class:`Derivative` to check (then ``wrt`` and
            ``order`` are its own); the other arguments as for :func:`check_gradient`.

    Returns:
        The largest relative error over 3 random directions; ~1e-10 when right.

    Raises:
        Everything :func:`derivative` and :func:`evaluate` raise.

    >>> check_derivative("sum(exp(A*x))", "x", order=2, seed=1) < 1e-8
    True
    """
    seed = valid_seed(seed)
    return _check(as_derivative(expr, wrt, order, types), values, seed)


def _check(d: Derivative, values: Mapping[str, Any] | None, seed: int | None) -> float:
    """Relative error of ``d`` against central differences of ``d.lower``."""
    if d.wrt.name not in variables(d.expression):
        return 0.0
    vals = values if values is not None else sample_values(d.expression, seed)
    return compare_with_differences(d.lower, d.form, d.wrt.name, vals, seed=seed,
                                    sizes=d.sizes)


def explain(expr: Source, wrt: str | None = None, method: str = "differential",
            types: Mapping[str, str] | None = None, seed: int | None = 0) -> Derivation:
    """The gradient of a scalar expression, derived step by step and checked numerically.

    Args:
        expr: a scalar-valued expression, as an :class:`Expr` or text, or its gradient as a
            :class:`Derivative` (then ``wrt`` may be left out, and nothing is derived again).
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
        DerivativeError: ``expr`` is not a scalar, or ``wrt`` is not a name; a
            :class:`Derivative` of order above 1.
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
    seed = valid_seed(seed)
    g = expr if isinstance(expr, Derivative) else gradient(expr, wrt, types)
    g = as_derivative(g, wrt, 1, types)
    if g.order != 1 or not g.expression.shape.is_scalar:
        raise DerivativeError("explain derives a gradient: pass a scalar expression or its "
                              f"gradient, not a derivative of order {g.order}")
    e, name = g.expression, g.wrt.name
    uses = sum(1 for node in walk(e) if isinstance(node, Var) and node.name == name)
    if uses > MAX_DERIVATION_USES:
        raise DerivativeError(
            f"{name} occurs {uses} times; a derivation step by step is written for at most "
            f"{MAX_DERIVATION_USES} (one product-rule term each): ask for the gradient itself")
    var = variables(e).get(name) or Var(name, g.form.shape)
    if method == "differential":
        dX = differential_variable(e, var)
        steps, differential = differential_steps(e, var, dX, g.form, g.parts), dX
    else:
        steps, differential = index_steps(e, var, g.form), None
    checked = check_steps(steps, Checker(e, var, differential, seed, g.parts), "f")
    try:
        error: float | None = _check(g, None, seed)
    except MatcalError:
        error = None
    verified = None if error is None else bool(error <= DIFFERENCES_TOLERANCE)
    return Derivation(e, name, method, checked, g.form, differential and differential.name,
                      verified, error)
