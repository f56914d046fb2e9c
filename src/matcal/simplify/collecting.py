"""Simplifier rules on sums: like terms, common factors, common coefficients, diagonals.

Each rule maps a sum to an equal one or returns None; :mod:`matcal.simplify.engine` holds the
table that names them and the order they are tried in.
"""

from __future__ import annotations

from matcal.core.build import (
    add, count_transposes, is_symmetric, mul, number,
    split_coefficient, transpose,
)
from matcal.core.nodes import (
    Add, DiagMatrix, Expr, Identity, MatMul,
    Number, Ones,
)
from matcal.core.shapes import Shape
from matcal.simplify.cost import cost
from matcal.simplify.normal import normal_form


def collect_like_terms(e: Expr) -> Expr | None:
    """c₁·T + c₂·T = (c₁ + c₂)·T, terms compared by :func:`normal_form`, so ``y.*x + x.*y``
    and ``inv(X)'*inv(X)' + (inv(X)*inv(X))'`` collect; the shortest form of T is kept."""
    if not isinstance(e, Add):
        return None
    order: list[Expr] = []
    total: dict[Expr, float] = {}  # by normal form: the summed coefficient of it
    shown: dict[Expr, tuple[float, Expr]] = {}  # by normal form: (c, T) with c·(it) = T
    for t in e.terms:
        c, rest = split_coefficient(t)
        c_normal, key = split_coefficient(normal_form(rest))
        if key not in total:
            order.append(key)
            total[key] = 0.0
        total[key] += c * c_normal
        if key not in shown or cost(rest) < cost(shown[key][1]):
            shown[key] = (c_normal, rest)
    if len(order) == len(e.terms):
        return None
    return add(*(mul(number(total[k] / shown[k][0]), shown[k][1]) for k in order))


def _chain(e: Expr) -> tuple[float, list[Expr]]:
    """(coefficient, factors) of a term seen as a product."""
    c, rest = split_coefficient(e)
    if isinstance(rest, MatMul):
        return c, list(rest.factors)
    if isinstance(rest, Number):
        return c, []
    return c, [rest]


def factor_common(e: Expr) -> Expr | None:
    """P·Q + R·Q = (P + R)·Q and Q·P + Q·R = Q·(P + R), when that is no longer."""
    if not isinstance(e, Add):
        return None
    terms = list(e.terms)
    paired = _transpose_pairs(terms)
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            if i in paired or j in paired:
                continue  # keep T + T' visible: symmetric results print in symmetric form
            merged = _factor_pair(terms[i], terms[j])
            if merged is None:
                continue
            candidate = add(*terms[:i], merged, *terms[i + 1 : j], *terms[j + 1 :])
            if cost(candidate) <= cost(e):
                return candidate
    return None


def _transpose_pairs(terms: list[Expr]) -> set[int]:
    """Positions of terms whose transpose is another term."""
    out = set()
    for i, t in enumerate(terms):
        if t.shape.is_matrix and not is_symmetric(t):
            tt = transpose(t)
            for j, u in enumerate(terms):
                if j != i and u == tt:
                    out |= {i, j}
    return out


def _factor_pair(s: Expr, t: Expr) -> Expr | None:
    cs, fs = _chain(s)
    ct, ft = _chain(t)
    if not fs or not ft or len(fs) + len(ft) < 3 or any(f.shape.is_scalar for f in fs + ft):
        return None  # two matrix chains, one of them at least two long
    if fs[0] == ft[0]:
        return mul(fs[0], _inner(cs, fs[1:], ct, ft[1:], fs[0].shape.cols))
    if fs[-1] == ft[-1]:
        return mul(_inner(cs, fs[:-1], ct, ft[:-1], fs[-1].shape.rows), fs[-1])
    return None


def _inner(cs: float, fs: list[Expr], ct: float, ft: list[Expr], n) -> Expr:
    """c_s·F_s + c_t·F_t, a factor left empty standing for the identity (Q = I·Q), and
    diagonal terms merged (P − diag(t)·P = diag(1 − t)·P)."""
    inner = add(mul(number(cs), *(fs or [Identity(n)])), mul(number(ct), *(ft or [Identity(n)])))
    return merge_diagonals(inner) or inner


def common_coefficient(e: Expr) -> Expr | None:
    """c·A + c·B = c·(A + B) when every term has the coefficient ±c, |c| ≠ 1, and that is
    shorter — or as short, for a symmetric pair c·T + c·Tᵀ, which then reads c·(T + Tᵀ)."""
    if not isinstance(e, Add):
        return None
    parts = [split_coefficient(t) for t in e.terms]
    c = abs(parts[0][0])
    if c == 1 or any(abs(p[0]) != c for p in parts):
        return None
    sign = -1.0 if all(p[0] < 0 for p in parts) else 1.0
    pair = len(parts) == 2 and parts[1][1] == transpose(parts[0][1])  # c·(T + Tᵀ): symmetric
    if pair and count_transposes(parts[1][1]) < count_transposes(parts[0][1]):
        parts.reverse()
    inner = add(*(mul(number(p[0] / (sign * c)), p[1]) for p in parts))
    candidate = mul(number(sign * c), inner)
    shorter = cost(candidate) < cost(e) or pair and cost(candidate) == cost(e)
    return candidate if shorter else None


def merge_diagonals(e: Expr) -> Expr | None:
    """c₁·diag(u) + c₂·diag(v) = diag(c₁·u + c₂·v) (diag is linear), for two or more
    diagonal terms of a sum: one diagonal matrix, which a product scales by one vector; the
    identity among them is diag(1) (I − diag(t.^2) = diag(1 − t.^2))."""
    if not isinstance(e, Add):
        return None
    diagonal, rest, ones = [], [], 0
    for t in e.terms:
        c, body = split_coefficient(t)
        if isinstance(body, Identity):  # I = diag(1)
            body = DiagMatrix(Ones(Shape(body.n, None)))
            ones += 1
        if isinstance(body, DiagMatrix) and body.arg.shape.is_vector:
            diagonal.append(mul(number(c), body.arg) if c != 1 else body.arg)
        else:
            rest.append(t)
    if len(diagonal) - ones < 1 or len(diagonal) < 2:
        return None
    return add(*rest, DiagMatrix(add(*diagonal)))
