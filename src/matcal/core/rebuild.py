"""Rebuilding expressions through the smart constructors: a node with new children, a map
over every node, and the smart constructors of sums over an index (whose body may stop
selecting with the index as it is rebuilt).
"""

from __future__ import annotations

from matcal.core.build import (
    add, det, diag_matrix, diag_vector, hadamard, inverse, kron, logdet, mat_power, mul,
    numeric_value, power, total, trace, transpose,
)
from matcal.core.nodes import (
    Add, Det, DiagMatrix, DiagVector, Expr, Hadamard, Identity, IndexSum, Inverse, Kron, LogDet,
    MatMul, MatPower, Power, Select, SumEntries, SymbolicPower, Trace, Transpose, Zero, walk,
)


# ---------------------------------------------------------------- index sums


def index_sum(old: IndexSum, body: Expr) -> Expr:
    """``sum(k, body)`` in place of ``old``; once ``body`` no longer selects with k (it folded,
    or was simplified: x[k] - x[k] + a), Σ_k body = (the range of k)·body."""
    k = old.index
    if any(isinstance(n, Select) and k in (n.row, n.col) or isinstance(n, IndexSum)
           and n.index == k for n in walk(body)):
        return IndexSum(k, old.dim, body)
    return mul(index_range(old), body)


def index_range(e: IndexSum) -> Expr:
    """The number of values k takes in ``sum(k, ...)``, as ``sum(k, y[k]^0)`` with a selection
    of the sum's own, so that its text still says what sizes k."""
    for node in walk(e.body):
        if isinstance(node, Select) and e.index in (node.row, node.col):
            if node.shape.is_scalar:
                unit = node
            elif node.shape.is_row:
                unit = mul(node, transpose(node))
            else:
                unit = mul(transpose(node), node)
            return IndexSum(e.index, e.dim, power(unit, Zero(unit.shape)))
    return Trace(Identity(e.dim))


# ---------------------------------------------------------------- generic rebuilding

_SMART = {
    Add: lambda e, *c: add(*c),
    MatMul: lambda e, *c: mul(*c),
    Hadamard: lambda e, *c: hadamard(*c),
    Power: lambda e, b, p: power(b, p),
    MatPower: lambda e, b: mat_power(b, e.k),
    Transpose: lambda e, a: transpose(a),
    Trace: lambda e, a: trace(a),
    Det: lambda e, a: det(a),
    LogDet: lambda e, a: logdet(a),
    Inverse: lambda e, a: inverse(a),
    SumEntries: lambda e, a: total(a),
    DiagMatrix: lambda e, a: diag_matrix(a),
    DiagVector: lambda e, a: diag_vector(a),
    Kron: lambda e, a, c: kron(a, c),
    IndexSum: lambda e, body: index_sum(e, body),
    SymbolicPower: lambda e, b, k: symbolic_power(b, k),
}


def symbolic_power(base: Expr, k: Expr) -> Expr:
    """``base^k``: a numeric power once k is a whole number (r = 2 in a sum over r)."""
    v = numeric_value(k)
    if v is not None and v == int(v):
        return mat_power(base, int(v))
    return SymbolicPower(base, k)


def rebuild(e: Expr, children: tuple[Expr, ...]) -> Expr:
    """``e`` with new children, through the smart constructor of its class."""
    if not children:
        return e
    smart = _SMART.get(type(e))
    return smart(e, *children) if smart else e.rebuild(*children)


def map_bottom_up(e: Expr, fn, memo: dict | None = None) -> Expr:
    """Apply ``fn`` to every node, children first, rebuilding through smart constructors."""
    memo = {} if memo is None else memo
    out = memo.get(e)
    if out is None:
        kids = e.children()
        new = rebuild(e, tuple(map_bottom_up(c, fn, memo) for c in kids)) if kids else e
        out = memo[e] = fn(new)
    return out
