"""Numeric evaluation with NumPy: one entry per node class.

Values are bound to names (floats, 1-D arrays for vectors, 2-D arrays for matrices); their
sizes bind the symbolic dimensions, which then give ``eye``, ``vector(1)`` and ``matrix(1)``
their sizes. Common sub-expressions are computed once (a memo keyed by node) and matrix
chains of up to ten factors go through :func:`numpy.linalg.multi_dot`, which orders the
products by cost (longer ones go left to right: the ordering search is cubic). A matrix that
is singular to working precision is not inverted: evaluation refuses it (:data:`SINGULAR`).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Mapping

import numpy as np

from matcal.core.errors import ValuesError
from matcal.core.functions import FUNCTIONS
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum,
    Inverse, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones, Power,
    RangeSum, Select, Softmax, SumEntries, SymbolicPower, Trace, Transpose, Var, variables,
    walk, Zero,
)
from matcal.core.shapes import Dim, Shape
from matcal.numeric.einsum import einsum_value

Sizes = dict[Dim, int]


def bind_values(expr: Expr, values: Mapping[str, Any], context: tuple[Var, ...] = (),
                shape: tuple[int, ...] | None = None) -> tuple[dict[str, Any], Sizes]:
    """Check ``values`` against the variables of ``expr``; return arrays and dim sizes.

    ``context``: variables not in ``expr`` whose values, when given, size what the values of
    its own variables (and ``shape``) leave unknown; they never cause an error.

    Raises:
        ValuesError: a name is missing, a value has the wrong number of axes, the sizes of
            two values disagree on a shared dimension, or a constant's size cannot be told.
    """
    check_values(values)
    names = variables(expr)
    missing = [n for n in names if n not in values]
    if missing:
        raise ValuesError(
            f"values: no value for {', '.join(missing)}; give every name of the expression "
            f"({', '.join(names)})"
        )
    arrays: dict[str, Any] = {}
    sizes: Sizes = {}
    source: dict[Dim, str] = {}
    for name, var in names.items():
        arr = _as_array(name, values[name], var.shape)
        if var.symmetric and arr.shape[0] != arr.shape[1]:
            raise ValuesError(f"values: {name} is a symmetric matrix, so it must be square, "
                              f"but has shape {arr.shape}")
        arrays[name] = arr if arr.ndim else float(arr)
        for d, n in zip(var.shape.dims, arr.shape):
            if d in sizes and sizes[d] != n:
                raise ValuesError(
                    f"values: {name} has shape {arr.shape}, but dimension {d} is already "
                    f"{sizes[d]} from {source[d]}"
                )
            sizes[d] = n
            source.setdefault(d, name)
    for d, n in list(sizes.items()):  # a value sized a Kronecker product's dim m·n
        product = _product_size(d, sizes)
        if product is not None and product != n:
            raise ValuesError(f"values: {source[d]} has size {n} along {d}, but "
                              f"{' × '.join(str(sizes[f]) for f in d.factors)} = {product} "
                              "from the other values")
    if shape is not None:  # the expected layout sizes what only the layout fixes
        if len(shape) != len(expr.shape.dims):
            raise ValuesError(f"shape {tuple(shape)} has {len(shape)} axes, but the "
                              f"expression is a {expr.shape.describe()}")
        for d, n in zip(expr.shape.dims, shape):
            if sizes.setdefault(d, int(n)) != n:
                raise ValuesError(f"shape {tuple(shape)} disagrees with the values: "
                                  f"dimension {d} is {sizes[d]}")
    _fill_from_context(sizes, context, names, values)
    for node in walk(expr):
        for d in node.shape.dims:
            if d not in sizes and (product := _product_size(d, sizes)) is not None:
                sizes[d] = product
            if d not in sizes:
                raise ValuesError(
                    f"values: cannot tell the size {d} of {node!s}; no value fixes it "
                    "(pass shape=, the expected shape of the result — for a derivative "
                    "shape(f) + shape(X) — or evaluate the Expr matcal returned)"
                )
    return arrays, sizes


def _product_size(d: Dim, sizes: Sizes) -> int | None:
    """The size of a product dim m·n from its factors' sizes; None if not a product or unknown."""
    if d.factors and all(f in sizes for f in d.factors):
        return int(np.prod([sizes[f] for f in d.factors]))
    return None


def check_values(values: Any) -> None:
    """Raise ValuesError unless ``values`` is a mapping (name → number or array)."""
    if not isinstance(values, Mapping):
        raise ValuesError("values must be a mapping from each name to a number or an array, "
                          f"got {type(values).__name__}")


def _fill_from_context(sizes: Sizes, context: tuple[Var, ...], names: Mapping[str, Var],
                       values: Mapping[str, Any]) -> None:
    """Sizes that only ``context`` fixes — the variables of the expression a derivative came
    from, or that folded away while parsing. They fill what the expression's own values leave
    unknown and never raise: a variable whose value does not fit is someone else's, skipped.
    """
    for var in context:
        if var.name in names or var.name not in values:
            continue
        try:
            dims = np.shape(np.asarray(values[var.name], dtype=float))
        except (TypeError, ValueError):
            continue
        if len(dims) != len(var.shape.dims):
            continue
        found: Sizes = {}
        for d, n in zip(var.shape.dims, dims):
            if found.setdefault(d, n) != n or sizes.get(d, n) != n:
                break
        else:
            for d, n in found.items():
                sizes.setdefault(d, n)


def _as_array(name: str, value: Any, shape: Shape) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValuesError(f"values: {name} is not numeric: {value!r}") from None
    want = len(shape.dims)
    if want == 1 and arr.ndim == 2 and arr.shape[1] == 1:  # a column (n, 1) is the vector
        arr = arr[:, 0]
    if arr.ndim != want:
        kind = ("a number", "a 1-D array (vector)", "a 2-D array (matrix)")[want]
        also = " or a column of shape (n, 1)" if want == 1 else ""
        raise ValuesError(f"values: {name} must be {kind}{also}, got an array of shape "
                          f"{arr.shape}")
    return arr


EVAL: dict[type, Callable[["Evaluator", Any], Any]] = {}


def _rule(cls: type):
    def register(fn):
        EVAL[cls] = fn
        return fn

    return register


class Evaluator:
    """Evaluates nodes with bound values; results memoized per node."""

    def __init__(self, arrays: dict[str, Any], sizes: Sizes, env: dict[str, int] | None = None):
        self.arrays = arrays
        self.sizes = sizes
        self.env = env or {}  # values of the indices bound by enclosing sum(k, ...)
        self.memo: dict[Expr, Any] = {}

    def __call__(self, e: Expr) -> Any:
        out = self.memo.get(e)
        if out is None:
            try:
                out = self.memo[e] = EVAL[type(e)](self, e)
            except np.linalg.LinAlgError as err:
                raise ValuesError(f"cannot evaluate {e}: {err}") from None
        return out

    def dims(self, shape: Shape) -> tuple[int, ...]:
        return tuple(self.sizes[d] for d in shape.dims)


def evaluate_expr(expr: Expr, values: Mapping[str, Any], context: tuple[Var, ...] = (),
                  shape: tuple[int, ...] | None = None) -> Any:
    """Value of ``expr``: a float for a scalar, else an ndarray (1-D vector, 2-D matrix).

    ``context``: variables whose values (when given) fix sizes though ``expr`` lacks them —
    the variables of the expression a derivative was taken of. ``shape``: the expected shape
    of the result, which sizes constants only the layout fixes (``eye`` in ∂X/∂X).
    """
    arrays, sizes = bind_values(expr, values, context, shape)
    out = Evaluator(arrays, sizes)(expr)
    return float(out) if np.ndim(out) == 0 else np.asarray(out)


@_rule(Var)
def _var(ev: Evaluator, e: Var):
    return ev.arrays[e.name]


@_rule(Number)
def _number(ev: Evaluator, e: Number):
    return e.value


@_rule(Identity)
def _identity(ev: Evaluator, e: Identity):
    return np.eye(ev.sizes[e.n])


@_rule(Ones)
def _ones(ev: Evaluator, e: Ones):
    return np.ones(ev.dims(e.shape))


@_rule(Zero)
def _zero(ev: Evaluator, e: Zero):
    return np.zeros(ev.dims(e.shape)) if e.shape.dims else 0.0


@_rule(Add)
def _add(ev: Evaluator, e: Add):
    out = ev(e.terms[0])
    for t in e.terms[1:]:
        out = out + ev(t)
    return out


def _as_2d(value, shape: Shape) -> np.ndarray:
    if shape.is_vector:
        return np.asarray(value).reshape(-1, 1)
    if shape.is_row:
        return np.asarray(value).reshape(1, -1)
    return value


_CHAIN_ORDERED = 10
"""Longest chain whose products multi_dot orders by cost; longer ones go left to right."""


@_rule(MatMul)
def _matmul(ev: Evaluator, e: MatMul):
    scale = 1.0
    chain = []
    for f in e.factors:
        if f.shape.is_scalar:
            scale = scale * ev(f)
        else:
            chain.append(_as_2d(ev(f), f.shape))
    if not chain:
        return scale
    if len(chain) == 1:
        out = chain[0]
    elif len(chain) <= _CHAIN_ORDERED:
        out = np.linalg.multi_dot(chain)  # ordered by cost (its search is cubic in the length)
    else:
        out = functools.reduce(np.matmul, chain)
    shape = e.shape
    if shape.is_scalar:
        out = out[0, 0]
    elif shape.is_vector:
        out = out[:, 0]
    elif shape.is_row:
        out = out[0, :]
    return scale * out


@_rule(Hadamard)
def _hadamard(ev: Evaluator, e: Hadamard):
    out = ev(e.factors[0])
    for f in e.factors[1:]:
        out = out * ev(f)
    return out


@_rule(Power)
def _power(ev: Evaluator, e: Power):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(ev(e.base), ev(e.exponent))


@_rule(MatPower)
def _mat_power(ev: Evaluator, e: MatPower):
    base = ev(e.base)
    return np.linalg.matrix_power(_invertible(base, e.base) if e.k < 0 else base, e.k)


@_rule(SymbolicPower)
def _symbolic_power(ev: Evaluator, e: SymbolicPower):
    k = float(ev(e.exponent))
    if k != int(k):
        raise ValuesError(f"values: the exponent {e.exponent} of {e} must be a whole number, "
                          f"got {k:g}")
    base = ev(e.base)
    return np.linalg.matrix_power(_invertible(base, e.base) if k < 0 else base, int(k))


@_rule(Transpose)
def _transpose(ev: Evaluator, e: Transpose):
    return np.transpose(ev(e.arg))


@_rule(Trace)
def _trace(ev: Evaluator, e: Trace):
    return float(np.trace(ev(e.arg)))


@_rule(Det)
def _det(ev: Evaluator, e: Det):
    return float(np.linalg.det(ev(e.arg)))


@_rule(LogDet)
def _logdet(ev: Evaluator, e: LogDet):
    return float(np.linalg.slogdet(ev(e.arg))[1])


@_rule(Inverse)
def _inverse(ev: Evaluator, e: Inverse):
    return np.linalg.inv(_invertible(ev(e.arg), e.arg))


SINGULAR = 1e13
"""Condition number from which a matrix counts as singular to working precision: its inverse
(and all built on it) would be rounding, so evaluation refuses instead of answering."""


def _invertible(m: np.ndarray, arg: Expr) -> np.ndarray:
    """``m``, or ValuesError when it is singular to working precision."""
    m = np.asarray(m, dtype=float)
    if np.all(np.isfinite(m)):
        cond = np.linalg.cond(m)
        if not cond < SINGULAR:
            raise ValuesError(
                f"cannot evaluate inv({arg}): the matrix is singular to working precision here "
                f"(condition number {cond:.1e}), so any value built on its inverse would be "
                "rounding; evaluate where it is invertible")
    return m


@_rule(SumEntries)
def _sum(ev: Evaluator, e: SumEntries):
    return float(np.sum(ev(e.arg)))


@_rule(Norm1)
def _norm1(ev: Evaluator, e: Norm1):
    return float(np.sum(np.abs(ev(e.arg))))


@_rule(Norm2)
def _norm2(ev: Evaluator, e: Norm2):
    return float(np.sqrt(np.sum(np.square(ev(e.arg)))))


@_rule(LogSumExp)
def _logsumexp(ev: Evaluator, e: LogSumExp):
    """log Σ exp(x_i) = m + log Σ exp(x_i − m), m = max x_i: no overflow."""
    x = np.asarray(ev(e.arg), dtype=float)
    m = float(np.max(x))
    return m + float(np.log(np.sum(np.exp(x - m))))


@_rule(Softmax)
def _softmax(ev: Evaluator, e: Softmax):
    """exp(x − m) / Σ exp(x_i − m), m = max x_i: no overflow."""
    x = np.asarray(ev(e.arg), dtype=float)
    z = np.exp(x - np.max(x))
    return z / np.sum(z)


@_rule(DiagMatrix)
def _diag_matrix(ev: Evaluator, e: DiagMatrix):
    return np.diag(ev(e.arg))


@_rule(DiagVector)
def _diag_vector(ev: Evaluator, e: DiagVector):
    return np.diag(ev(e.arg)).copy()


@_rule(Apply)
def _apply(ev: Evaluator, e: Apply):
    with np.errstate(divide="ignore", invalid="ignore"):
        return FUNCTIONS[e.func].numpy(ev(e.arg))


@_rule(Einsum)
def _einsum(ev: Evaluator, e: Einsum):
    return einsum_value(e.out, tuple(ev.sizes[d] for d in e.dims), e.terms,
                        lambda f: ev(f.expr))


@_rule(Kron)
def _kron(ev: Evaluator, e: Kron):
    out = np.kron(_as_2d(ev(e.left), e.left.shape), _as_2d(ev(e.right), e.right.shape))
    return out if e.shape.is_matrix else out.reshape(-1)


@_rule(Select)
def _select(ev: Evaluator, e: Select):
    value = np.asarray(ev(e.arg))
    if value.ndim == 1:
        return float(value[ev.env[e.row]])
    rows = slice(None) if e.row is None else ev.env[e.row]
    cols = slice(None) if e.col is None else ev.env[e.col]
    out = value[rows, cols]
    return float(out) if np.ndim(out) == 0 else out


@_rule(RangeSum)
def _range_sum(ev: Evaluator, e: RangeSum):
    """Σ_{r=first}^{last} body, the body evaluated at each whole number r."""
    first, last = (_whole(float(ev(end)), end, e) for end in (e.first, e.last))
    total: Any = 0.0
    for r in range(first, last + 1):
        total = total + Evaluator({**ev.arrays, e.index: float(r)}, ev.sizes, ev.env)(e.body)
    if isinstance(total, float) and not e.shape.is_scalar:  # an empty range: zeros
        total = np.zeros(ev.dims(e.shape))
    return total


def _whole(value: float, end: Expr, e: Expr) -> int:
    if value != int(value):
        raise ValuesError(f"values: the bound {end} of {e} must be a whole number, "
                          f"got {value:g}")
    return int(value)


@_rule(IndexSum)
def _index_sum(ev: Evaluator, e: IndexSum):
    total = 0.0
    for k in range(ev.sizes[e.dim]):
        total = total + Evaluator(ev.arrays, ev.sizes, {**ev.env, e.index: k})(e.body)
    return total
