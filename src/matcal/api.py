"""The public API: parse, differentiate, evaluate and print matrix expressions (the checks and
explain are in :mod:`matcal.checking`).

Layout (one rule for every derivative): the derivative of f with respect to X has shape
shape(f) + shape(X), as ``jax.jacobian`` lays it out. For a scalar f it is the gradient, the
same shape as X (the definition of both seed notes: seed 000 eq. 3; seed 001, "the (i, j)
entry is ∂f/∂X_ij"). A symmetric X gets sym(G) = (G + Gᵀ)/2.
"""

from __future__ import annotations

import functools
import re
from importlib import metadata
from typing import Any, Mapping, Sequence

from matcal.core.errors import DerivativeError, MatcalError, OptionsError
from matcal.core.nodes import Expr, Var, variables, walk
from matcal.numeric.evaluate import evaluate_expr
from matcal.syntax.parse import MAX_LENGTH, Parsed, parse, parse_source
from matcal.syntax.types import check_types, default_kind
from matcal.printing import to_latex as _expr_to_latex
from matcal.result import Derivative, Derivatives, derive
from matcal.core.shapes import Dim, Shape, readable_names

__all__ = [
    "parse", "gradient", "derivative", "jacobian", "hessian", "evaluate", "to_latex",
    "vec_derivative", "Derivative", "Derivatives", "MatcalError",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

MAX_ORDER = 12
"""Highest order of derivative; the size of a result is bounded too (MAX_TERMS)."""


@functools.lru_cache(maxsize=1)
def installed_version() -> str:
    """The installed version of matcal (``(not installed)`` when run from a source tree)."""
    try:
        return metadata.version("matcal")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "(not installed)"


def valid_seed(seed: Any) -> int | None:
    """``seed`` if it is None or a whole number ≥ 0, else OptionsError."""
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        return seed
    raise OptionsError(f"seed must be a whole number ≥ 0 (or None for fresh randomness), got "
                       f"{seed!r}")


Source = Expr | str | Parsed | Derivative
"""What the functions below take: an expression, its text (or the text parsed, with what it
folded away: :func:`matcal.syntax.parse.parse_source`), or a derivative they returned."""


def _as_expr(expr: Source, types: Mapping[str, str] | None) -> tuple[Expr, tuple[Var, ...]]:
    """The expression ``expr`` stands for, and the variables that size what nothing in it does:
    those its text named but parsing folded away, or those of the derivative it is."""
    if isinstance(expr, Derivative):
        return expr.form, expr.sizes
    if isinstance(expr, Expr):
        return expr, ()
    if isinstance(expr, Parsed):
        return expr
    return parse_source(expr, types)


def _variable(e: Expr, wrt: str, types: Mapping[str, str] | None,
              sizes: tuple[Var, ...] = ()) -> Var:
    """The variable named ``wrt`` in ``e`` or ``sizes`` (X in ∂²/∂X² of tr(X), whose first
    derivative ``eye`` has no X); if absent, a new one of its kind and fresh dims."""
    if not isinstance(wrt, str) or not _NAME.match(wrt):
        raise DerivativeError(f"wrt must be a variable name such as 'X', got {wrt!r}")
    found = variables(e).get(wrt) or next((v for v in sizes if v.name == wrt), None)
    if found is not None:
        return found
    kind = check_types(types).get(wrt) or default_kind(wrt)
    used = [d for node in walk(e) for d in node.shape.dims]
    names = readable_names(used + [Dim("_a"), Dim("_b")])
    a, b = names[Dim("_a")], names[Dim("_b")]
    shape = {"scalar": Shape(), "integer": Shape(), "vector": Shape(a, None),
             "matrix": Shape(a, b), "square": Shape(a, a), "symmetric": Shape(a, a)}[kind]
    return Var(wrt, shape, kind == "symmetric")


def gradient(expr: Source, wrt: str | Sequence[str],
             types: Mapping[str, str] | None = None) -> Derivative | Derivatives:
    """Gradient of a scalar expression, in closed matrix form, simplified.

    Args:
        expr: a scalar-valued expression, as an :class:`Expr`, text, or a
            :class:`Derivative`.
        wrt: the name of the variable (scalar, vector n, or matrix m×n); or a list of names,
            for a :class:`~matcal.result.Derivatives` with the gradient by each.
        types: optional name → kind mapping (``"scalar"``, ``"vector"``, ``"matrix"``,
            ``"symmetric"``) overriding the naming convention.

    Returns:
        The gradient as a :class:`Derivative`, shaped like ``wrt`` (shape(f) + shape(X) with f
        scalar): the m×n matrix of ∂f/∂X_ij (seed 000 eq. 3). For a symmetric X,
        sym(G) = (G + Gᵀ)/2. A variable the expression does not contain has the zero gradient.

    Raises:
        ParseError, ShapeError: bad text.
        DerivativeError: ``expr`` is not scalar (use a Jacobian), or ``wrt`` is not a name.

    Source: index-notation differentiation (Traa, seed 000; Laue et al., NeurIPS 2018).

    >>> str(gradient("tr(A*X*B)", "X"))
    "A'*B'"
    """
    return _of_scalar(expr, wrt, 1, types, "gradient", "its derivative is a Jacobian "
                      "(shape(f) + shape(X)): use jacobian / --jacobian")


def _of_scalar(expr: Source, wrt: str | Sequence[str], order: int, types, name: str,
               hint: str) -> Derivative | Derivatives:
    """:func:`derivative` of an expression that must be scalar (else DerivativeError)."""
    e, sizes = _as_expr(expr, types)
    if not e.shape.is_scalar:
        raise DerivativeError(
            f"{name} needs a scalar expression, but {e} is a {e.shape.describe()}; {hint}"
        )
    return _derivative(e, sizes, wrt, order, types)


def derivative(expr: Source, wrt: str | Sequence[str], order: int = 1,
               types: Mapping[str, str] | None = None) -> Derivative | Derivatives:
    """Derivative of any order of any expression, in matrix form whenever one exists.

    Args:
        expr: scalar-, vector- or matrix-valued expression, as an :class:`Expr`, text, or a
            :class:`Derivative` (then this is a derivative of higher order).
        wrt: the variable's name; or a list of names (order 1), for a
            :class:`~matcal.result.Derivatives` with the derivative by each.
        order: 1 (gradient / Jacobian), 2 (Hessian), 3, 4, …
        types: optional name → kind mapping.

    Returns:
        A :class:`Derivative` laid out as shape(expr) + shape(wrt) × order (as
        ``jax.jacobian``): for a vector y(x) the m×n Jacobian ∂y_i/∂x_j; for a scalar and a
        vector x the n×n Hessian. With at most two axes it is in matrix notation
        (``A'*diag(exp(A*x))*A``); with more, in index notation, ``dF[i,j]/dX[k,l] = …``,
        which parses back.

    Raises:
        DerivativeError: order < 1 or a bad ``wrt``; a result too large to print or read.
        ParseError, ShapeError: bad text.

    Source: index-notation differentiation (Laue, Mitterreiter & Giesen, NeurIPS 2018).

    >>> str(derivative("x'*B*x", "x", order=2))
    "B + B'"
    """
    e, sizes = _as_expr(expr, types)
    return _derivative(e, sizes, wrt, order, types)


def _derivative(e: Expr, sizes: tuple[Var, ...], wrt: str | Sequence[str], order: int,
                types) -> Derivative | Derivatives:
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= MAX_ORDER:
        raise DerivativeError(f"order must be a whole number from 1 to {MAX_ORDER}, got "
                              f"{order!r}")
    if isinstance(wrt, (list, tuple)):  # several variables: one derivative each
        if not wrt or len(set(wrt)) != len(wrt):
            raise DerivativeError(f"wrt: name each variable once, got {list(wrt)!r}")
        if order != 1:
            raise DerivativeError("several variables give a first derivative each; for a "
                                  "Hessian or a higher order, name one variable")
        return Derivatives({name: _derivative(e, sizes, name, 1, types) for name in wrt})
    result = derive(e, _variable(e, wrt, types, sizes), order, sizes)
    printed = len(str(result))
    if printed > MAX_LENGTH:
        raise DerivativeError(
            f"the derivative prints to {printed:,} characters, more than the {MAX_LENGTH:,} an "
            "input may have, so its text could not be read back; ask for a lower order, or "
            "differentiate a part of the expression")
    return result


def as_derivative(expr: Source, wrt: str | None, order: int, types) -> Derivative:
    """``expr`` itself when it is a :class:`Derivative` (``wrt`` may then be None), else its
    derivative of ``order`` by ``wrt``."""
    if isinstance(expr, Derivative):
        if wrt not in (None, expr.wrt.name):
            raise DerivativeError(f"this derivative is by {expr.wrt.name}, not {wrt}")
        return expr
    if wrt is None:
        raise DerivativeError("name the variable: wrt='X', or pass a Derivative")
    return derivative(expr, wrt, order, types)


def vec_derivative(expr: Source, wrt: str | None = None, order: int = 1,
                   types: Mapping[str, str] | None = None) -> Expr | None:
    """The derivative in Kronecker form, ∂vec(F)/∂vec(X)ᵀ, when it has one.

    Args:
        expr: an expression; with ``order=2`` a scalar (then F is its gradient). Or a
            :class:`Derivative`, whose form it gives (``wrt`` and ``order`` are then its own).
        wrt: the variable (a matrix, or a vector with a matrix-valued F).
        order: 1 or 2.
        types: optional name → kind mapping.

    Returns:
        The mn×pq matrix J with J[i + m·j, k + p·l] = ∂F_ij/∂X_kl (vec stacks columns;
        Magnus & Neudecker; Matrix Cookbook §10.2.2) as a sum of Kronecker products, e.g.
        ``kron(B', A)`` for A*X*B; None when some term is no Kronecker product (∂X'/∂X) or the
        derivative has fewer than 3 axes (then :func:`derivative` is already a matrix).

    Raises:
        Everything :func:`derivative` raises.

    >>> str(vec_derivative("A*X*B", "X"))
    "kron(B', A)"
    """
    if not isinstance(expr, Derivative) and order not in (1, 2):
        return None
    return as_derivative(expr, wrt, order, types).vec


def jacobian(expr: Source, wrt: str | Sequence[str],
             types: Mapping[str, str] | None = None) -> Derivative | Derivatives:
    """First derivative of a (usually vector- or matrix-valued) expression.

    Returns:
        shape(expr) + shape(wrt): for a vector y (m) and a vector x (n) the m×n Jacobian
        J_ij = ∂y_i/∂x_j (numerator layout), e.g. ``diag(cos(A*x + y))*A`` for sin(A*x + y).

    Raises:
        Everything :func:`derivative` raises.

    >>> str(jacobian("A*x", "x"))
    'A'
    """
    return derivative(expr, wrt, 1, types)


def hessian(expr: Source, wrt: str, types: Mapping[str, str] | None = None) -> Derivative:
    """Second derivative of a scalar expression.

    Returns:
        n×n for a vector variable (e.g. ``A'*diag(exp(A*x))*A`` for sum(exp(A*x))); the
        4th-order tensor H[i,j,k,l] = ∂²f/∂X_ij∂X_kl for a matrix variable.

    Raises:
        DerivativeError: ``expr`` is not scalar (use derivative with order=2).

    >>> str(hessian("sum(exp(A*x))", "x"))
    "A'*diag(exp(A*x))*A"
    """
    return _of_scalar(expr, wrt, 2, types, "hessian", "use derivative(expr, wrt, order=2)")


def to_latex(expr: Expr | Derivative) -> str:
    """An expression or a derivative in LaTeX, in the notation of the seed notes.

    >>> to_latex(gradient("tr(A*X*B)", "X"))
    '\\\\mathbf{A}^T \\\\mathbf{B}^T'
    """
    return expr.to_latex() if isinstance(expr, Derivative) else _expr_to_latex(expr)


def evaluate(expr: Source, values: Mapping[str, Any],
             types: Mapping[str, str] | None = None,
             shape: tuple[int, ...] | None = None) -> Any:
    """Numeric value of an expression or a derivative.

    Args:
        expr: an :class:`Expr`, text, or a :class:`Derivative`.
        values: every name of the expression → a float (scalar), a 1-D array or a column of
            shape (n, 1) (vector), or a 2-D array (matrix); their sizes fix the symbolic
            dimensions.
        types: optional name → kind mapping, as for :func:`parse`.
        shape: the expected shape of the result. Needed only for an :class:`Expr` (or the
            text of a derivative) whose constants only the layout sizes, e.g. ``-2*A*matrix(1)``
            (the gradient of sum(A'*A)) or ``eye`` (of tr(X)); a :class:`Derivative` knows
            its sizes from the values of the variables it came from, and text from the names
            it contains.

    Returns:
        A float for a scalar, else an ndarray laid out as the expression's shape (vectors 1-D).

    Raises:
        ValuesError: a name without a value, a value of the wrong kind or size.

    >>> evaluate("x'*y", {"x": [1.0, 2.0], "y": [3.0, 4.0]})
    11.0
    """
    e, sizes = _as_expr(expr, types)
    return evaluate_expr(e, values, sizes, shape)
