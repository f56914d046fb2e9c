"""The normal form of a matrix expression: a key to compare expressions by, however written.

Transposes are pushed to the leaves and what commutes is put in one order, so two
expressions with equal normal forms are equal; the simplifier's rules compare terms and
factors by it (``y.*x`` and ``x.*y`` are one term, ``Pᵀ(P⁻¹)ᵀ`` cancels). It is never printed.
"""

from __future__ import annotations

from functools import lru_cache

from matcal.core.build import (
    add, hadamard, is_symmetric, mul, transpose,
)
from matcal.core.rebuild import rebuild
from matcal.core.nodes import (
    Add, Apply, Expr, Hadamard, Inverse, MatMul,
    MatPower, Power, Transpose,
)


def normal_form(e: Expr) -> Expr:
    """``e`` with every transpose pushed down to the leaves — (PQ)ᵀ = QᵀPᵀ, (P⁻¹)ᵀ = (Pᵀ)⁻¹,
    (P + Q)ᵀ = Pᵀ + Qᵀ (Matrix Cookbook §1.1), (P ⊙ Q)ᵀ = Pᵀ ⊙ Qᵀ — and what commutes in
    a canonical order (by its structure): the terms of sums, the factors of Hadamard products,
    the scalar factors of products, and the two ways uᵀv = vᵀu of a scalar chain. Expressions
    with equal normal forms are equal, however they are written; it is a key to compare by,
    not to print.

    >>> from matcal.syntax.parse import parse
    >>> normal_form(parse("(inv(X)*A)'")) == normal_form(parse("A'*inv(X')"))
    True
    >>> normal_form(parse("y.*x")) == normal_form(parse("x.*y"))
    True
    """
    return _normal(e, False)


@lru_cache(maxsize=4096)
def _normal(e: Expr, flip: bool) -> Expr:
    """The normal form of ``e``, or of ``e'`` when ``flip``."""
    if isinstance(e, Transpose):
        return _normal(e.arg, not flip)
    flip = flip and not (e.shape.is_scalar or is_symmetric(e))
    if isinstance(e, MatMul):
        if e.shape.is_scalar and not all(f.shape.is_scalar for f in e.factors):  # uᵀv = vᵀu
            return min(_product(e.factors, False), _product(e.factors, True), key=_structural_order)
        return _product(e.factors, flip)
    if isinstance(e, (Add, Hadamard)):
        parts = sorted((_normal(c, flip) for c in e.children()), key=_structural_order)
        return add(*parts) if isinstance(e, Add) else hadamard(*parts)
    if isinstance(e, (Power, Apply, Inverse, MatPower)):  # the transpose goes inside
        return rebuild(e, tuple(_normal(c, flip) for c in e.children()))
    out = rebuild(e, tuple(_normal(c, False) for c in e.children()))
    return transpose(out) if flip else out


def _product(factors: tuple[Expr, ...], flip: bool) -> Expr:
    """The normal form of a product (of its transpose when ``flip``): scalars in order."""
    scalars = sorted((_normal(f, False) for f in factors if f.shape.is_scalar),
                     key=_structural_order)
    chain = [_normal(f, flip) for f in factors if not f.shape.is_scalar]
    return mul(*scalars, *(reversed(chain) if flip else chain))


def _structural_order(e: Expr) -> str:
    """A total order on expressions, from their structure alone (not from any printed form)."""
    return repr(e)
