"""Which constants of a printed expression no value would size once its text is read back.

Reading text, the parser sizes ``vector(1)``, ``matrix(0)`` and ``eye`` only through the
operators that tie their axes to something sized: a variable, or the layout of the result
(the ``shape=`` of an evaluation). In ``det(2*eye + diag(sigmoid(vector(0))))`` nothing does:
the tree knew the size (the constant came from ``z - z``), the text does not.
:func:`untied_constants` follows those ties on the tree, with a union-find over the axes of
every node, as the parser's unification would: sums and element-wise operations tie equal
axes, a matrix product its inner axes, a transpose swaps them, tr/det/inv make a matrix
square, diag ties a vector to a square matrix.
"""

from __future__ import annotations

from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum, Inverse,
    Kron, LogDet, MatMul, MatPower, Ones, Power, Select, Trace, Transpose, Var, Zero,
)

_SQUARE = (Trace, Det, LogDet, Inverse, MatPower)
_OPAQUE = (Kron, Select, IndexSum, Einsum)  # their axes are tied by other means: trusted


class _Axes:
    """Union-find over axis slots; a slot is sized when its group holds a sized one."""

    def __init__(self):
        self.parent: list[int] = []
        self.sized: set[int] = set()
        self.of_dim: dict = {}  # Dim of a variable → its slot

    def new(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def tie(self, a: int | None, b: int | None) -> None:
        if a is None or b is None:
            return
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb
            if ra in self.sized:
                self.sized.add(rb)

    def size(self, a: int | None) -> None:
        if a is not None:
            self.sized.add(self.find(a))

    def is_sized(self, a: int | None) -> bool:
        return a is None or self.find(a) in self.sized


def untied_constants(e: Expr) -> list[Expr]:
    """The ones, zeros and identities of ``e`` with an axis that nothing in its text sizes
    (the result's own axes count as sized: an evaluation is given its shape).

    >>> from matcal.syntax.parse import parse
    >>> from matcal.core.build import add, det, diag_matrix, mul, number
    >>> from matcal.core.nodes import Apply, Identity, Zero
    >>> z = parse("z"); I = Identity(z.shape.rows)
    >>> d = diag_matrix(Apply("sigmoid", Zero(z.shape)))
    >>> e = mul(parse("x'*x"), det(add(mul(number(2), I), d)))
    >>> [str(c) for c in untied_constants(e)]
    ['eye', 'vector(0)']
    """
    axes = _Axes()
    constants: list[tuple[Expr, tuple[int | None, int | None]]] = []
    root = _walk(e, axes, constants)
    for slot in root:
        axes.size(slot)
    out: list[Expr] = []
    for node, slots in constants:
        if not all(axes.is_sized(s) for s in slots) and node not in out:
            out.append(node)
    return out


def _walk(e: Expr, axes: _Axes, constants: list) -> tuple[int | None, int | None]:
    """The slots (rows, cols) of ``e``'s axes, after tying them to its children's."""
    r = axes.new() if e.shape.rows is not None else None
    c = axes.new() if e.shape.cols is not None else None
    if isinstance(e, Var):
        for slot, dim in ((r, e.shape.rows), (c, e.shape.cols)):
            if slot is not None:
                axes.tie(slot, axes.of_dim.setdefault(dim, slot))
                axes.size(slot)
        return r, c
    if isinstance(e, (Ones, Zero, Identity)):
        constants.append((e, (r, c)))
        if isinstance(e, Identity):
            axes.tie(r, c)
        return r, c
    if isinstance(e, _OPAQUE):
        axes.size(r), axes.size(c)
        return r, c
    kids = [_walk(k, axes, constants) for k in e.children()]
    if isinstance(e, (Add, Hadamard, Power, Apply)):
        for k, slots in zip(e.children(), kids):
            if not k.shape.is_scalar:
                axes.tie(r, slots[0]), axes.tie(c, slots[1])
    elif isinstance(e, Transpose):
        axes.tie(r, kids[0][1]), axes.tie(c, kids[0][0])
    elif isinstance(e, MatMul):
        chain = [s for k, s in zip(e.children(), kids) if not k.shape.is_scalar]
        if chain:
            axes.tie(r, chain[0][0]), axes.tie(c, chain[-1][1])
            for left, right in zip(chain, chain[1:]):
                axes.tie(left[1], right[0])
    elif isinstance(e, _SQUARE):
        axes.tie(kids[0][0], kids[0][1])
        if isinstance(e, (Inverse, MatPower)):
            axes.tie(r, kids[0][0]), axes.tie(c, kids[0][1])
    elif isinstance(e, DiagMatrix):
        axes.tie(r, c), axes.tie(r, kids[0][0] if kids[0][0] is not None else kids[0][1])
    elif isinstance(e, DiagVector):
        axes.tie(kids[0][0], kids[0][1]), axes.tie(r, kids[0][0])
    return r, c
