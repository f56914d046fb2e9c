"""Symbolic shapes and their unification.

A shape is a pair (rows, cols) of symbolic dimensions, either of which may be absent:
a scalar is (None, None), a (column) vector (n, None), a row vector (None, n) — what a
transposed vector is — and a matrix (m, n). Matrix products then need no special cases:
(a, b) * (b, c) = (a, c) covers inner and outer products of vectors too.

Dimensions are names, unified with a union-find (:class:`Unifier`) while an expression is
typed; a mismatch is reported by the caller, which knows the operator.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dim:
    """A symbolic dimension, e.g. ``n``; a product of dims (``m·p``, the rows of a Kronecker
    product) lists its ``factors``."""

    name: str
    factors: tuple["Dim", ...] = ()

    def __str__(self) -> str:
        return self.name


def product_dim(a: Dim, b: Dim) -> Dim:
    """The dim a·b (size = size of a × size of b)."""
    factors = (a.factors or (a,)) + (b.factors or (b,))
    return Dim("·".join(d.name for d in factors), factors)


@dataclass(frozen=True, slots=True)
class Shape:
    """Shape of an expression: ``rows`` and ``cols`` dims, ``None`` where absent."""

    rows: Dim | None = None
    cols: Dim | None = None
    more: tuple[Dim, ...] = ()
    """Axes after the second, for tensors of order 3 and more (derivatives of higher order)."""

    @staticmethod
    def of(dims: tuple[Dim, ...]) -> "Shape":
        """The shape with these axes: () scalar, (n,) vector, (m, n) matrix, more: tensor."""
        if len(dims) <= 2:
            return Shape(*dims)
        return Shape(dims[0], dims[1], tuple(dims[2:]))

    @property
    def is_scalar(self) -> bool:
        return self.rows is None and self.cols is None

    @property
    def is_vector(self) -> bool:
        """A column vector."""
        return self.rows is not None and self.cols is None

    @property
    def is_row(self) -> bool:
        return self.rows is None and self.cols is not None

    @property
    def is_matrix(self) -> bool:
        return self.rows is not None and self.cols is not None and not self.more

    @property
    def is_tensor(self) -> bool:
        """Order 3 or more."""
        return bool(self.more)

    @property
    def is_square(self) -> bool:
        return self.is_matrix and self.rows == self.cols

    @property
    def dims(self) -> tuple[Dim, ...]:
        """The dims present, in order: (), (n,) or (m, n); the axes of the NumPy value."""
        return tuple(d for d in (self.rows, self.cols) if d is not None) + self.more

    @property
    def T(self) -> Shape:
        return Shape(self.cols, self.rows)

    def describe(self) -> str:
        """Human form used in messages, e.g. ``matrix m×n`` or ``vector n``."""
        if self.is_scalar:
            return "scalar"
        if self.is_vector:
            return f"vector {self.rows}"
        if self.is_row:
            return f"row vector 1×{self.cols}"
        if self.is_tensor:
            return f"tensor {'×'.join(map(str, self.dims))}"
        return f"matrix {self.rows}×{self.cols}"

    def map(self, fn) -> Shape:
        """The shape with ``fn`` applied to every dim."""
        return Shape(
            None if self.rows is None else fn(self.rows),
            None if self.cols is None else fn(self.cols),
            tuple(fn(d) for d in self.more),
        )

    def substitute(self, mapping: dict[Dim, Dim]) -> Shape:
        return self.map(lambda d: mapping.get(d, d))


SCALAR = Shape()

_counter = itertools.count(1)


def fresh_dim() -> Dim:
    """A new dimension no other expression uses."""
    return Dim(f"_d{next(_counter)}")


class Unifier:
    """Union-find over dims. ``unify`` returns False when two shapes cannot be made equal."""

    def __init__(self) -> None:
        self._parent: dict[Dim, Dim] = {}

    def find(self, d: Dim) -> Dim:
        root = d
        while root in self._parent:
            root = self._parent[root]
        while d in self._parent and self._parent[d] != root:
            self._parent[d], d = root, self._parent[d]
        return root

    def unify_dims(self, a: Dim, b: Dim) -> None:
        """Make ``a`` and ``b`` one dim. Two products of as many factors are unified factor by
        factor (m·n = p·q gives m = p and n = q), the symbolic reading of kron shapes."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if rb.factors and not ra.factors:
            ra, rb = rb, ra  # keep the product as the root: its factors give its size
        self._parent[rb] = ra
        if ra.factors and len(ra.factors) == len(rb.factors):
            for x, y in zip(ra.factors, rb.factors):
                self.unify_dims(x, y)

    def unify_optional(self, a: Dim | None, b: Dim | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        self.unify_dims(a, b)
        return True

    def unify(self, s: Shape, t: Shape) -> bool:
        """Make shapes ``s`` and ``t`` equal; False when their kinds differ."""
        if (s.rows is None) != (t.rows is None) or (s.cols is None) != (t.cols is None):
            return False
        if len(s.more) != len(t.more):
            return False
        self.unify_optional(s.rows, t.rows)
        self.unify_optional(s.cols, t.cols)
        for a, b in zip(s.more, t.more):
            self.unify_dims(a, b)
        return True

    def resolve(self, s: Shape) -> Shape:
        return s.map(self.find)


_READABLE = ["m", "n", "p", "q", "r", "s", "t", "u", "v", "w", "k", "l"]


def readable_names(dims: list[Dim]) -> dict[Dim, Dim]:
    """Map dims (in order of first appearance) to short readable names m, n, p, …"""
    names = itertools.chain(_READABLE, (f"n{i}" for i in itertools.count(1)))
    out: dict[Dim, Dim] = {}
    for d in dims:
        if d not in out:
            out[d] = Dim(next(names))
    return out
