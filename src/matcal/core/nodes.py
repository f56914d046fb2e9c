"""Matrix expression nodes: immutable values in matrix notation.

Every node is a frozen, slotted dataclass whose equality and hash are derived from its
fields, so structurally equal expressions are equal. ``node.rebuild(*node.children()) ==
node`` holds for every node, and generic traversals need no per-class code. A node knows its
:class:`~matcal.core.shapes.Shape` (computed once, from its children); it does not know how it is
printed, evaluated or differentiated — those are tables elsewhere, keyed by node class.

Nodes are built raw here; :mod:`matcal.core.build` holds the smart constructors that keep
expressions free of ``0 +``, ``I*``, ``(X')'`` and the like.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcal.core.expr import Expr, cache_hash
from matcal.core.shapes import SCALAR, Dim, Shape, product_dim
from matcal.core.terms import Atom, Term


# ---------------------------------------------------------------- leaves


@dataclass(frozen=True, slots=True)
class Var(Expr):
    """A named variable: scalar, vector, matrix or symmetric matrix (``symmetric=True``); a
    scalar with ``integer=True`` takes whole values (the exponent k of ``X^k``)."""

    name: str
    dims: Shape
    symmetric: bool = False
    integer: bool = False

    def _compute_shape(self) -> Shape:
        return self.dims


@dataclass(frozen=True, slots=True)
class Number(Expr):
    """A real constant."""

    value: float


@dataclass(frozen=True, slots=True)
class Identity(Expr):
    """The n×n identity matrix ``eye``."""

    n: Dim

    def _compute_shape(self) -> Shape:
        return Shape(self.n, self.n)


@dataclass(frozen=True, slots=True)
class Ones(Expr):
    """The vector or matrix of ones, ``vector(1)`` / ``matrix(1)``."""

    dims: Shape

    def _compute_shape(self) -> Shape:
        return self.dims


@dataclass(frozen=True, slots=True)
class Zero(Expr):
    """The zero of a shape (scalar 0, zero vector, zero matrix)."""

    dims: Shape

    def _compute_shape(self) -> Shape:
        return self.dims


# ---------------------------------------------------------------- n-ary


@dataclass(frozen=True, slots=True)
class Add(Expr):
    """Sum of terms of one shape."""

    terms: tuple[Expr, ...]

    def _compute_shape(self) -> Shape:
        return self.terms[0].shape


@dataclass(frozen=True, slots=True)
class MatMul(Expr):
    """Matrix product; scalar factors scale (numeric coefficient first, by convention)."""

    factors: tuple[Expr, ...]

    def _compute_shape(self) -> Shape:
        shaped = [f.shape for f in self.factors if not f.shape.is_scalar]
        if not shaped:
            return SCALAR
        return Shape(shaped[0].rows, shaped[-1].cols)


@dataclass(frozen=True, slots=True)
class Hadamard(Expr):
    """Element-wise (Hadamard) product; scalar factors broadcast."""

    factors: tuple[Expr, ...]

    def _compute_shape(self) -> Shape:
        return _broadcast(self.factors)


@dataclass(frozen=True, slots=True)
class Power(Expr):
    """Element-wise power ``base.^exponent`` (the ordinary power for scalars)."""

    base: Expr
    exponent: Expr

    def _compute_shape(self) -> Shape:
        return _broadcast((self.base, self.exponent))


def _broadcast(args: tuple[Expr, ...]) -> Shape:
    for a in args:
        if not a.shape.is_scalar:
            return a.shape
    return SCALAR


@dataclass(frozen=True, slots=True)
class MatPower(Expr):
    """Matrix power ``X^k`` of a square matrix, integer k (negative: of the inverse)."""

    base: Expr
    k: int

    def _compute_shape(self) -> Shape:
        return self.base.shape


@dataclass(frozen=True, slots=True)
class SymbolicPower(Expr):
    """``X^k`` of a square matrix with a symbolic integer exponent k (a name declared
    ``integer``, or an integer expression of such names): its value takes k's value."""

    base: Expr
    exponent: Expr

    def _compute_shape(self) -> Shape:
        return self.base.shape


# ---------------------------------------------------------------- unary


@dataclass(frozen=True, slots=True)
class Transpose(Expr):
    arg: Expr

    def _compute_shape(self) -> Shape:
        return self.arg.shape.T


@dataclass(frozen=True, slots=True)
class Trace(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class Det(Expr):
    arg: Expr


@dataclass(frozen=True, slots=True)
class LogDet(Expr):
    """log det X (of the absolute value of the determinant, as NumPy's slogdet)."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Inverse(Expr):
    arg: Expr

    def _compute_shape(self) -> Shape:
        return self.arg.shape


@dataclass(frozen=True, slots=True)
class SumEntries(Expr):
    """Sum of all entries."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Norm1(Expr):
    """Sum of absolute values of the entries."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Norm2(Expr):
    """Euclidean norm of a vector; Frobenius norm of a matrix."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class LogSumExp(Expr):
    """``logsumexp(x)``: log Σ_i exp(x_i), a scalar of a vector (evaluated without
    overflow)."""

    arg: Expr


@dataclass(frozen=True, slots=True)
class Softmax(Expr):
    """``softmax(x)``: the vector exp(x) / Σ_i exp(x_i), shaped like the vector x."""

    arg: Expr

    def _compute_shape(self) -> Shape:
        return self.arg.shape


@dataclass(frozen=True, slots=True)
class DiagMatrix(Expr):
    """``diag(x)``: the square matrix with the vector x on its diagonal."""

    arg: Expr

    def _compute_shape(self) -> Shape:
        n = self.arg.shape.rows or self.arg.shape.cols  # of a column or a row vector
        return Shape(n, n)


@dataclass(frozen=True, slots=True)
class DiagVector(Expr):
    """``diag(X)``: the vector of the diagonal of a square matrix."""

    arg: Expr

    def _compute_shape(self) -> Shape:
        return Shape(self.arg.shape.rows, None)


@dataclass(frozen=True, slots=True)
class Apply(Expr):
    """An element-wise function from :mod:`matcal.core.functions` applied to every entry."""

    func: str
    arg: Expr

    def _compute_shape(self) -> Shape:
        return self.arg.shape


@dataclass(frozen=True, slots=True)
class Kron(Expr):
    """Kronecker product ``kron(A, B)`` = A ⊗ B: the block matrix [A_ij B] (Matrix Cookbook
    §10.2.1); of two vectors, the vector of all products a_i b_j."""

    left: Expr
    right: Expr

    def _compute_shape(self) -> Shape:
        a, b = self.left.shape, self.right.shape
        return Shape(_times(a.rows, b.rows), _times(a.cols, b.cols))


def _times(x: Dim | None, y: Dim | None) -> Dim | None:
    """Product of two dims; an absent one (a vector's missing axis) counts as 1."""
    if x is None or y is None:
        return y if x is None else x
    return product_dim(x, y)


@dataclass(frozen=True, slots=True)
class Select(Expr):
    """``A[k,:]`` (row k, a row vector), ``A[:,k]`` (column k), ``A[i,j]`` or ``x[k]`` (an entry):
    selection at indices bound by an enclosing :class:`IndexSum`; None stands for ``:``."""

    arg: Expr
    row: str | None
    col: str | None = None

    def _compute_shape(self) -> Shape:
        s = self.arg.shape
        if s.is_vector or s.is_row:
            return SCALAR
        return Shape(s.rows if self.row is None else None, s.cols if self.col is None else None)


@dataclass(frozen=True, slots=True)
class IndexSum(Expr):
    """``sum(k, body)``: Σ_k body, k running over ``dim`` (Traa eq. 42: Σ_k over rows B_k:)."""

    index: str
    dim: Dim
    body: Expr

    def _compute_shape(self) -> Shape:
        return self.body.shape


@dataclass(frozen=True, slots=True)
class RangeSum(Expr):
    """``sum(r, first, last, body)``: Σ_{r=first}^{last} body, r an integer bound in body —
    where it is a scalar ``Var`` of that name, usable as a matrix power's exponent (the
    derivative of X^k, Σ_r X^r dX X^(k−1−r), has k terms). ``first`` and ``last`` are
    integer-valued scalars (numbers, or names declared integer); an empty range sums to 0."""

    index: str
    first: Expr
    last: Expr
    body: Expr

    def _compute_shape(self) -> Shape:
        return self.body.shape


# ---------------------------------------------------------------- index notation


@dataclass(frozen=True, slots=True)
class Einsum(Expr):
    """A tensor in index (Einstein) notation, ``T[i,j,k] = A[i,k]*x[j] + …``.

    Entry ``out`` of the result is the sum of the terms, each summed over every index that is
    not in ``out`` (the summation convention; Laue et al., NeurIPS 2018). ``dims`` are the
    dims of the ``out`` axes. The form of every derivative that no matrix notation expresses.
    The terms are the one term type (:mod:`matcal.core.terms`), whose indices here are their
    names; an identity on two indices is the δ.

    ``wrt`` is empty for a plain tensor; for a derivative of order k it holds the variable k
    times, and the last k·rank(X) names of ``out`` are its axes. It prints as
    ``dF[i,j]/dX[k,l] = …``, so the variable sizes axes the factors leave open (δ in ∂X/∂X).
    """

    out: tuple[str, ...]
    dims: tuple[Dim, ...]
    terms: tuple[Term, ...]
    wrt: tuple[Var, ...] = ()

    def _compute_shape(self) -> Shape:
        return Shape.of(self.dims)

    def children(self) -> tuple[Expr, ...]:
        return tuple(f.expr for t in self.terms for f in t.factors) + self.wrt[:1]

    def rebuild(self, *children: Expr) -> Expr:
        it = iter(children)
        terms = tuple(
            Term(t.coeff, tuple(Atom(next(it), f.idx) for f in t.factors))
            for t in self.terms
        )
        wrt = self.wrt
        if wrt:
            v = next(it)
            wrt = (v,) * len(wrt)
        return Einsum(self.out, self.dims, terms, wrt)


ALL_NODES: tuple[type[Expr], ...] = (
    Var, Number, Identity, Ones, Zero, Add, MatMul, Hadamard, Power, MatPower, SymbolicPower,
    Transpose,
    Trace, Det, LogDet, Inverse, SumEntries, Norm1, Norm2, LogSumExp, Softmax, DiagMatrix,
    DiagVector, Apply, Kron, Select, IndexSum, RangeSum, Einsum,
)
"""Every node class; tests assert each has an entry in every transformation table."""


for _cls in ALL_NODES:
    cache_hash(_cls)


def walk(expr: Expr):
    """All nodes of ``expr``, parents before children."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children()))


def variables(expr: Expr) -> dict[str, Var]:
    """The variables of ``expr`` by name, in order of first appearance; the index r of a
    :class:`RangeSum` is no variable inside its body."""
    out: dict[str, Var] = {}
    if not any(isinstance(n, RangeSum) for n in walk(expr)):
        for node in walk(expr):
            if isinstance(node, Var) and node.name not in out:
                out[node.name] = node
        return out

    def visit(e: Expr, bound: frozenset[str]) -> None:
        if isinstance(e, Var):
            if e.name not in bound and e.name not in out:
                out[e.name] = e
            return
        if isinstance(e, RangeSum):
            visit(e.first, bound)
            visit(e.last, bound)
            visit(e.body, bound | {e.index})
            return
        for c in e.children():
            visit(c, bound)

    visit(expr, frozenset())
    return out
