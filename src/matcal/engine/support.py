"""What the rules of differentiation share: the names an expression depends on, the budget of
terms, the record of parts, and the indices of the factors of a product.
"""

from __future__ import annotations

from functools import lru_cache

from matcal.core.errors import DerivativeError
from matcal.core.nodes import Expr, Var
from matcal.core.terms import Index, Tensor, fresh


@lru_cache(maxsize=8192)
def names_in(e: Expr) -> frozenset[str]:
    """Names of the variables ``e`` depends on."""
    if isinstance(e, Var):
        return frozenset((e.name,))
    out: frozenset[str] = frozenset()
    for c in e.children():
        out |= names_in(c)
    return out


MAX_TERMS = 1000
"""Most terms a derivative may have in index notation, at any stage of its computation."""


def too_large(n: int) -> DerivativeError:
    """The error for a derivative of ``n`` terms, over :data:`MAX_TERMS`."""
    return DerivativeError(
        f"the derivative has more than {MAX_TERMS} terms in index notation ({n} at least), too "
        "many to simplify or read; ask for a lower order, or differentiate a part of the "
        "expression"
    )


Parts = dict[Expr, Tensor]
"""A record of the derivatives of the sub-expressions differentiation went through: node →
∂node/∂X in index notation (unsimplified). The derivations read dU off it for each part U of f
(:func:`matcal.derivation.differentials.by_index`) instead of differentiating U again."""


def chain_indices(factors: tuple[Expr, ...], idx: tuple[Index, ...]) -> list[tuple[Index, ...]]:
    """Indices of the factors of a matrix product with result indices ``idx``.

    [X Y]_ij = Σ_k X_ik Y_kj (Traa eq. 4): neighbours share a fresh summed index; scalar
    factors get none; an outer product (column then row) shares none.
    """
    positions = [k for k, f in enumerate(factors) if not f.shape.is_scalar]
    out: list[tuple[Index, ...]] = [()] * len(factors)
    it = iter(idx)
    link = next(it) if positions and factors[positions[0]].shape.rows is not None else None
    for n, k in enumerate(positions):
        shape = factors[k].shape
        row = link if shape.rows is not None else None
        if shape.cols is None:
            col = None
        elif n == len(positions) - 1:
            col = next(it)
        else:
            col = fresh(shape.cols)
        out[k] = tuple(i for i in (row, col) if i is not None)
        link = col
    return out


def own(e: Expr, idx: tuple[Index, ...]) -> tuple[Index, ...]:
    """``idx`` for a non-scalar operand of an element-wise operation, () for a broadcast scalar."""
    return () if e.shape.is_scalar else idx
