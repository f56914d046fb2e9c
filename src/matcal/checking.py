"""The public checks: a derivative against central differences, and a derivation step by
step with every step checked (:func:`explain`).

They take the :class:`~matcal.result.Derivative` that :mod:`matcal.api` returned, as it is —
nothing is derived again — or an expression and a variable, and derive it once.
"""

from __future__ import annotations

from typing import Any, Mapping

from matcal.api import Source, as_derivative, gradient, valid_seed
from matcal.core.errors import DerivativeError, MatcalError, OptionsError
from matcal.core.nodes import Expr, Var, variables, walk
from matcal.derivation import (
    DIFFERENCES_TOLERANCE, METHODS, Checker, Derivation, check_steps, differential_steps,
    differential_variable, index_steps,
)
from matcal.derivation.steps import RESULT_NAMES
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
            types: Mapping[str, str] | None = None, seed: int | None = 0,
            order: int = 1) -> Derivation:
    """A derivative derived step by step, every step checked numerically: the gradient of a
    scalar, the Jacobian of a vector, or the Hessian of a scalar.

    Args:
        expr: an expression, as an :class:`Expr` or text, or its derivative as a
            :class:`Derivative` (then ``wrt`` and ``order`` are its own, and nothing is
            derived again).
        wrt: the name of the variable X (scalar, vector or matrix).
        method: ``"differential"`` — Ang's method (seed 001): df by the rules of
            differentials, the trace trick to tr(Gᵀ dX), ∇f = G read off — or ``"index"`` —
            Traa's method (seed 000): f with explicit sums, ∂f/∂X_jk by the product rule and δ
            elimination, and the matrix read back off the indices.
        types: optional name → kind mapping, as for :func:`matcal.parse`.
        seed: seed of the random values at which every step is checked.
        order: 1 — the gradient of a scalar f (shaped like X), or the Jacobian of a vector f
            (df = J dx, J_ij = ∂f_i/∂x_j: numerator layout); 2 — the Hessian of a scalar f,
            derived as the Jacobian of its gradient, H = ∂(∇f)/∂x (d(∇f) = H dx, so
            d²f = dxᵀ H dx), after the gradient's own derivation (:attr:`Derivation.first`).

    Returns:
        A :class:`Derivation`: the steps (rule, before, after, justification, and the relative
        error of the numerical check of each), and the result — equal to
        ``matcal.derivative(expr, wrt, order, types)`` — with its check against central
        differences.

    Raises:
        OptionsError: an unknown ``method`` or a bad ``types`` entry.
        DerivativeError: ``wrt`` is not a name; an order above 2, or a Hessian of a
            non-scalar; a derivative with more than two axes (a Jacobian by a matrix, a
            Hessian by a matrix), which no matrix is read off: ask for the derivative itself.
        ParseError, ShapeError: bad text.

    >>> d = explain("tr(A*X*B)", "X")
    >>> [(s.rule, str(s.after)) for s in d.steps[3:]]  # doctest: +NORMALIZE_WHITESPACE
    [('constant_rule', 'tr(A*dX*B)'), ('trace_cyclic', 'tr(B*A*dX)'),
     ('read_off', "(B*A)'"), ('transpose_of_product', "A'*B'")]
    >>> d.all_verified
    True
    >>> h = explain("x'*A*x", "x", order=2)
    >>> str(h.gradient), str(h.result), h.all_verified
    ("(A + A')*x", "A + A'", True)
    """
    if method not in METHODS:
        raise OptionsError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    check_types(types)
    seed = valid_seed(seed)
    d = as_derivative(expr, wrt, order, types)
    if d.order > 2:
        raise DerivativeError(f"a derivation step by step is written for a gradient, a "
                              f"Jacobian or a Hessian, not a derivative of order {d.order}")
    if d.order == 1:
        kind = "gradient" if d.expression.shape.is_scalar else "jacobian"
        return _derivation(d, method, seed, kind)
    if not d.expression.shape.is_scalar:
        raise DerivativeError("a Hessian is of a scalar function; for a vector, derive its "
                              "Jacobian (order 1)")
    gradient_of = Derivative(d.expression, d.wrt, 1, d.lower_tensors[0], d.lower, d.sizes,
                             (), d.parts)
    first = _derivation(gradient_of, method, seed, "gradient")
    return _derivation(d, method, seed, "hessian", first)


def _derivation(d: Derivative, method: str, seed: int | None, kind: str,
                first: Derivation | None = None) -> Derivation:
    """The derivation of ``d`` (of its order-1 part: for a Hessian the Jacobian of the
    gradient that ``first`` reached), its steps and result checked."""
    e = first.result if first is not None else d.expression
    name = d.wrt.name
    uses = sum(1 for node in walk(e) if isinstance(node, Var) and node.name == name)
    if uses > MAX_DERIVATION_USES:
        raise DerivativeError(
            f"{name} occurs {uses} times; a derivation step by step is written for at most "
            f"{MAX_DERIVATION_USES} (one product-rule term each): ask for the derivative itself")
    var = variables(d.expression).get(name) or d.wrt
    axes = len(e.shape.dims) + len(var.shape.dims)
    if axes > 2:
        raise DerivativeError(
            f"the {kind.capitalize()}{_of(kind, e)} by the {_kind_name(var)} {name} has "
            f"{axes} axes, and a derivation step by step reads off a matrix (at most two): "
            "ask for the derivative itself, which prints in index notation")
    parts = None if first is not None else d.parts
    differential = None
    if method == "differential":
        differential = differential_variable(e, var)
        steps = differential_steps(e, var, differential, d.form, parts, RESULT_NAMES[kind])
    else:
        steps = index_steps(e, var, d.form, RESULT_NAMES[kind])
    checked = check_steps(steps, Checker(e, var, differential, seed, parts), "f")
    try:
        error: float | None = _check(d, None, seed)
    except MatcalError:
        error = None
    verified = None if error is None else bool(error <= DIFFERENCES_TOLERANCE)
    return Derivation(d.expression, name, method, checked, d.form,
                      differential and differential.name, verified, error, kind, first)


def _of(kind: str, e: Expr) -> str:
    return f" of this {_kind_name(e)}" if kind == "jacobian" else ""


def _kind_name(e: Expr) -> str:
    return ("scalar", "vector", "matrix")[len(e.shape.dims)]
