"""The structure of the written notation, shared by every printer and by the cost of an
expression: how tightly each construct binds (the one precedence table), which factors of a
product are a coefficient, a numerator or a denominator, and how a matrix chain groups.
"""

from __future__ import annotations

from matcal.core.build import numeric_value
from matcal.core.nodes import (
    Add, Expr, Hadamard, MatMul, MatPower, Number, Ones, Power, SymbolicPower, Transpose,
)

ADD = 10
MUL = 20
UNARY = 30
POWER = 40
POSTFIX = 50
ATOM = 60


def precedence(e: Expr) -> int:
    """How tightly the printed form of ``e`` binds (higher: tighter)."""
    if isinstance(e, Add):
        return ADD
    if isinstance(e, (MatMul, Hadamard)):
        first = e.factors[0]
        if isinstance(first, Number) and first.value < 0:
            return UNARY - 5  # "-2*X" binds like a product with a leading unary minus
        return MUL
    if isinstance(e, Number):
        return UNARY if e.value < 0 else ATOM
    if isinstance(e, Power):
        p = numeric_value(e.exponent)
        return MUL if p is not None and p < 0 else POWER
    if isinstance(e, (MatPower, SymbolicPower)):
        return POWER
    if isinstance(e, Transpose):
        return POSTFIX
    return ATOM


def reciprocal_of(e: Expr) -> Expr | None:
    """The denominator ``b.^p`` (``b`` for p = 1) of ``b.^-p``, numeric p > 0; else None."""
    p = numeric_value(e.exponent) if isinstance(e, Power) else None
    if p is None or p >= 0:
        return None
    return e.base if p == -1 else Power(e.base, Number(-p))


def as_quotient(e: MatMul) -> Hadamard | None:
    """``c*(1./b)``, a number times an element-wise reciprocal, as the Hadamard product that
    prints ``c./b`` (``-1./X.^2``, not ``-(1./X.^2)``); None for any other product."""
    if len(e.factors) == 2 and isinstance(e.factors[0], Number):
        f = e.factors[1]
        if not f.shape.is_scalar and reciprocal_of(f) is not None:
            return Hadamard(e.factors)
    return None


def split_product(e: MatMul | Hadamard) -> tuple[float, list[Expr], list[Expr]]:
    """(numeric coefficient, numerator factors, denominator factors) of a product.

    A factor ``b.^-p`` (numeric p > 0) goes to the denominator as ``b.^p`` (``b`` for p = 1);
    in a matrix product only scalar factors can, as ``A/b``.
    """
    coefficient = 1.0
    num: list[Expr] = []
    den: list[Expr] = []
    for f in e.factors:
        if isinstance(f, Number):
            coefficient *= f.value
            continue
        d = reciprocal_of(f)
        if d is not None and (isinstance(e, Hadamard) or f.shape.is_scalar):
            den.append(d)
        else:
            num.append(f)
    return coefficient, num, den


def chain_groups(factors: list[Expr]) -> list[list[Expr]]:
    """The factors of a matrix product in runs that print as one chain read left to right.

    Parsing ``x'*y*z'*w`` makes ``x'*y`` a scalar factor of its own, a product of another
    shape; so a vector that would close a scalar-valued prefix of the chain is grouped with
    the factor after it: ``x'*(y*z')*w``.
    """
    groups: list[list[Expr]] = []
    last: list[Expr] | None = None  # the group of the latest matrix factor
    rows = cols = None  # of the chain so far (None: a vector's missing axis)
    for f in factors:
        if f.shape.is_scalar:
            groups.append([f])
            continue
        if last is None:
            rows = f.shape.rows
        elif rows is None and cols is None:  # the chain so far is a scalar
            last.append(f)
            cols = f.shape.cols
            continue
        last = [f]
        groups.append(last)
        cols = f.shape.cols
    return groups


def broadcast_constant(term: Expr, terms: tuple[Expr, ...]) -> Number | None:
    """The number c that the term ``c*vector(1)`` (or ``matrix(1)``, or ones alone) of the sum
    of ``terms`` is written as, when another term gives the sum its shape: ``1 + exp(u)`` reads
    back as ``vector(1) + exp(u)`` (scalar broadcasting). None for any other term."""
    c = _ones_multiple(term)
    if c is None or all(_ones_multiple(t) is not None for t in terms):
        return None
    return Number(c)


def _ones_multiple(e: Expr) -> float | None:
    """c for ``c*vector(1)``, ``c*matrix(1)`` or ones alone (c = 1); else None."""
    if isinstance(e, MatMul) and len(e.factors) == 2 and isinstance(e.factors[0], Number):
        return e.factors[0].value if isinstance(e.factors[1], Ones) else None
    return 1.0 if isinstance(e, Ones) else None
