"""Sums over an index written as matrix products: the ``sum_over_selection`` rewrite rule.

Σ_k of a product whose only k-dependent factors are one or two selections at k is a plain
matrix expression (the definition of the product, Traa eq. 4, read backwards):

- Σ_k M[:,k] N[k,:] = M N;  Σ_k v[k] M[:,k] = M v;  Σ_k v[k] N[k,:] = vᵀ N;  Σ_k v[k] w[k] = vᵀw;
- Σ_k M[:,k] = M 1;  Σ_k N[k,:] = 1ᵀ N;  Σ_k v[k] = sum(v).

The other factors of the product must not depend on k; they stay where they are.
"""

from __future__ import annotations

from matcal.core.build import mul, total, transpose
from matcal.core.nodes import (
    Expr, IndexSum, MatMul, Number, Ones, Power, Select, Transpose, Zero, walk,
)
from matcal.core.shapes import Shape


def uses_index(e: Expr, k: str) -> bool:
    """Whether ``e`` selects with the index ``k`` (or sums over it)."""
    return any(
        isinstance(n, Select) and k in (n.row, n.col) or isinstance(n, IndexSum) and n.index == k
        for n in walk(e)
    )


def _role(s: Expr, k: str) -> tuple[str, Expr] | None:
    """('entry', v) for v[k], ('column', M) for M[:,k] (or N[k,:]' with M = N'), ('row', N)
    for N[k,:]; None for anything else."""
    if isinstance(s, Transpose) and isinstance(s.arg, Select) and s.arg.arg.shape.is_matrix:
        inner = s.arg
        s = Select(transpose(inner.arg), inner.col, inner.row)
    if not isinstance(s, Select) or uses_index(s.arg, k):
        return None
    if not s.arg.shape.is_matrix:
        return ("entry", s.arg) if s.row == k else None
    if s.row is None and s.col == k:
        return "column", s.arg
    if s.col is None and s.row == k:
        return "row", s.arg
    return None


def sum_over_selection(e: Expr) -> Expr | None:
    """Σ_k over selections at k as a matrix product (see the module docstring); else None."""
    if not isinstance(e, IndexSum):
        return None
    k = e.index
    parts = list(e.body.factors) if isinstance(e.body, MatMul) else [e.body]
    at = [n for n, p in enumerate(parts) if uses_index(p, k)]
    roles = [_role(parts[n], k) for n in at]
    if not 1 <= len(at) <= 2 or None in roles:
        return None
    ones = Ones(Shape(e.dim, None))
    kinds = [r[0] for r in roles]
    args = [r[1] for r in roles]
    if len(at) == 1:
        parts[at[0]] = {
            "entry": lambda v: total(v),
            "column": lambda m: mul(m, ones),
            "row": lambda n: transpose(mul(transpose(n), ones)),
        }[kinds[0]](args[0])
        return mul(*parts)
    first, second = at
    if kinds == ["column", "row"]:
        if any(not p.shape.is_scalar for p in parts[first + 1 : second]):
            return None
        parts[first] = mul(args[0], args[1])
    elif kinds == ["entry", "entry"]:
        parts[first] = mul(transpose(args[0]), args[1])
    elif "entry" in kinds and ("column" in kinds or "row" in kinds):
        v = args[kinds.index("entry")]
        where = at[1 - kinds.index("entry")]
        m = args[1 - kinds.index("entry")]
        parts[where] = mul(m, v) if "column" in kinds else transpose(mul(transpose(m), v))
        parts[first if where == second else second] = Number(1.0)
        return mul(*parts)
    else:
        return None
    del parts[second]
    return mul(*parts)


def count_over(dim, variables, taken: set[str] = frozenset()) -> Expr | None:
    """The number n of entries along ``dim``, written through a variable that has that axis:
    ``sum(k, y[k]^0)``, ``sum(k, (B[k,:]*B[k,:]')^0)`` — text that still says what n is, where
    ``tr(eye)`` or ``sum(vector(1))`` would lose it. None when no variable has the axis."""
    k = next(n for n in ("k", "p", "q", "r", "s", "t", "u", "v", "w") if n not in taken)
    for var in variables:
        shape = var.shape
        if shape.is_vector and shape.rows == dim:
            unit = Select(var, k)
        elif shape.is_matrix and shape.rows == dim:
            row = Select(var, k, None)
            unit = MatMul((row, Transpose(row)))
        elif shape.is_matrix and shape.cols == dim:
            col = Select(var, None, k)
            unit = MatMul((Transpose(col), col))
        else:
            continue
        return IndexSum(k, dim, Power(unit, Zero(Shape())))
    return None
