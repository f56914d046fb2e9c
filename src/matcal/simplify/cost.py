"""The cost of an expression, on its tree: what "shorter" means to the simplifier.

The cost counts the symbols the expression is written with in the input language — one per
name, number, operator, comma and function call, two per pair of parentheses the precedence
of :mod:`matcal.core.notation` requires (brackets of a selection do not count) — computed
from the tree, never from printed text, so
that the algebra does not depend on a printer. ``2*A'*(A*x - b)`` costs 12.
"""

from __future__ import annotations

from functools import lru_cache

from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum,
    RangeSum, Inverse, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones,
    Power, Select, Softmax, SumEntries, Trace, Transpose, Var, Zero,
)
from matcal.core.notation import (
    ADD, ATOM, MUL, POSTFIX, POWER, as_quotient, broadcast_constant, chain_groups, precedence,
    reciprocal_of, split_product,
)

_CALLS = (Trace, Det, LogDet, Inverse, SumEntries, Norm1, Norm2, LogSumExp, Softmax, DiagMatrix,
          DiagVector, Apply)


@lru_cache(maxsize=8192)
def cost(e: Expr) -> int:
    """The number of symbols ``e`` is written with (see the module docstring).

    >>> from matcal.syntax.parse import parse
    >>> cost(parse("2*A'*(A*x - b)", {"b": "vector"})), cost(parse("tr(X)"))
    (12, 4)
    """
    if isinstance(e, (Var, Identity)):
        return 1
    if isinstance(e, Number):
        return 1 if e.value >= 0 else 2
    if isinstance(e, (Ones, Zero)):
        if e.shape.is_scalar:
            return 1
        return 4 + (1 if e.shape.is_row else 0)  # vector(1)', matrix(0)
    if isinstance(e, Add):  # a constant term broadcast in the sum is written as its number
        terms = [c if (c := broadcast_constant(t, e.terms)) is not None else t for t in e.terms]
        return sum(_unsigned(t) + 1 for t in terms) - 1 + (1 if _negative(terms[0]) else 0)
    if isinstance(e, MatMul):
        quotient = as_quotient(e)
        return _product(quotient if quotient is not None else e)
    if isinstance(e, Hadamard):
        return _product(e)
    if isinstance(e, Power):
        inverse = reciprocal_of(e)
        if inverse is not None:
            return 2 + _wrapped(inverse, POWER)
        return _wrapped(e.base, POSTFIX) + 1 + _wrapped(e.exponent, ATOM)
    if isinstance(e, MatPower):
        return _wrapped(e.base, POSTFIX) + 2
    if isinstance(e, Transpose):
        return _wrapped(e.arg, POSTFIX) + 1
    if isinstance(e, _CALLS):
        return 3 + cost(e.arg)
    if isinstance(e, Kron):
        return 4 + cost(e.left) + cost(e.right)
    if isinstance(e, Select):
        named = sum(1 for k in (e.row, e.col) if k is not None)  # B[k,:]: B, k and a comma
        return _wrapped(e.arg, POSTFIX) + named + (1 if e.arg.shape.is_matrix else 0)
    if isinstance(e, IndexSum):
        return 5 + cost(e.body)
    if isinstance(e, RangeSum):
        return 7 + cost(e.first) + cost(e.last) + cost(e.body)
    if isinstance(e, Einsum):
        return 4 + len(e.out) + sum(2 + sum(cost(f.expr) + len(f.idx) + 1 for f in t.factors)
                                    for t in e.terms)
    return 1 + sum(cost(c) for c in e.children())  # pragma: no cover - every class above


def _wrapped(e: Expr, level: int) -> int:
    """The cost of ``e`` where it must bind at least as tightly as ``level``."""
    return cost(e) + (2 if precedence(e) < level else 0)


def _negative(term: Expr) -> bool:
    if isinstance(term, Number):
        return term.value < 0
    return (isinstance(term, (MatMul, Hadamard)) and isinstance(term.factors[0], Number)
            and term.factors[0].value < 0)


def _unsigned(term: Expr) -> int:
    """The cost of a term of a sum without its sign (a negative one is written ``a - b``)."""
    if not _negative(term):
        return cost(term)
    if isinstance(term, Number):
        return 1
    c, rest = -term.factors[0].value, term.factors[1:]
    body = rest[0] if len(rest) == 1 else type(term)(rest)
    if c != 1:
        body = type(term)((Number(c),) + tuple(rest))
    return _wrapped(body, ADD + 1)


def _product(e: MatMul | Hadamard) -> int:
    """A product: its coefficient, its numerator factors joined by operators (a nested product
    or a chain's scalar-valued run in parentheses), then each denominator after a ``/``."""
    coefficient, num, den = split_product(e)
    parts = 0
    if num:
        groups = chain_groups(num) if isinstance(e, MatMul) and len(num) > 2 else [[f] for f in num]
        at = 0
        for group in groups:
            inner = sum(_factor(f, at + n, e) for n, f in enumerate(group)) + len(group) - 1
            parts += inner + (2 if len(group) > 1 else 0)
            at += len(group)
        parts += len(groups) - 1
        if coefficient == -1:
            parts += 1
        elif coefficient != 1:
            parts += cost(Number(coefficient)) + 1
    else:
        parts = cost(Number(coefficient))
    return parts + sum(1 + _wrapped(d, POWER) for d in den)


def _factor(f: Expr, i: int, parent: MatMul | Hadamard) -> int:
    if isinstance(f, (MatMul, Hadamard)):
        lone = isinstance(parent, MatMul) and len(parent.factors) == 2 and i == 0
        if lone and isinstance(f, Hadamard) and isinstance(parent.factors[0], Number):
            return cost(f)
        return cost(f) + 2
    return _wrapped(f, MUL + 1)
