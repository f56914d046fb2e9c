"""The printer base class and the one precedence table every printer shares.

A printer is a class with one ``_print_<NodeClass>`` method per node class; ``doprint``
dispatches on the class name and ``parenthesize`` wraps a child whose precedence is below
the level its parent needs. Nodes never know how they are printed (STYLE 4).

What every target writes the same way lives here, once: sums with their signs (``a - 2*b``),
which factors of a product are a coefficient, a numerator or a denominator, and where a nested
product needs parentheses. A target only says how each piece looks.
"""

from __future__ import annotations

import math

from matcal.core.build import numeric_value
from matcal.core.nodes import Add, Expr, Hadamard, MatMul, MatPower, Number, Power, Transpose

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
    if isinstance(e, MatPower):
        return POWER
    if isinstance(e, Transpose):
        return POSTFIX
    return ATOM


class Printer:
    """Dispatches on the node class; subclasses define ``_print_<Class>``."""

    def doprint(self, e: Expr) -> str:
        method = getattr(self, "_print_" + type(e).__name__, None)
        if method is None:  # pragma: no cover - tests assert every class has a method
            raise NotImplementedError(f"{type(self).__name__} cannot print {type(e).__name__}")
        return method(e)

    def parenthesize(self, e: Expr, level: int, strict: bool = False) -> str:
        """Print ``e``, in parentheses when it binds looser than ``level`` (or equally, if strict)."""
        p = precedence(e)
        text = self.doprint(e)
        if p < level or (strict and p == level):
            return self.wrap(text)
        return text

    def wrap(self, text: str) -> str:
        return f"({text})"

    def _print_Add(self, e: Add) -> str:
        """Terms joined by `` + `` and `` - ``: a negative coefficient prints as subtraction."""
        return signed_sum([self.unsigned(term) for term in e.terms])

    def unsigned(self, term: Expr) -> tuple[bool, str]:
        """(is negative, text of the term without its sign)."""
        if isinstance(term, Number) and term.value < 0:
            return True, self.doprint(Number(-term.value))
        if isinstance(term, (MatMul, Hadamard)) and isinstance(term.factors[0], Number):
            c = term.factors[0].value
            if c < 0:
                rest = term.factors[1:]
                if c != -1:
                    rest = (Number(-c),) + rest
                body = rest[0] if len(rest) == 1 else type(term)(rest)
                return True, self.parenthesize(body, ADD + 1)
        return False, self.doprint(term)

    def scaled(self, coefficient: float, text: str, sep: str) -> str:
        """``text`` (a product, maybe empty) times a number: ``2*X``, ``-X``, ``X``, ``2``."""
        if not text:
            return self.doprint(Number(coefficient))
        if coefficient == 1:
            return text
        if coefficient == -1:
            return "-" + text
        return self.doprint(Number(coefficient)) + sep + text

    def factor(self, f: Expr, i: int, parent: MatMul | Hadamard) -> str:
        """Factor ``i`` of a product: a nested product in parentheses, except ``c*(A.*B)``."""
        if isinstance(f, (MatMul, Hadamard)):
            lone = isinstance(parent, MatMul) and len(parent.factors) == 2 and i == 0
            if lone and isinstance(f, Hadamard) and isinstance(parent.factors[0], Number):
                return self.doprint(f)  # c*(A.*B) reads back from c*A.*B
            return self.wrap(self.doprint(f))
        return self.parenthesize(f, MUL + 1)


def signed_sum(terms: list[tuple[bool, str]]) -> str:
    """``[(False, "a"), (True, "b")]`` → ``"a - b"``; a negative first term gets a ``-``."""
    out = ""
    for i, (negative, body) in enumerate(terms):
        if i == 0:
            out = ("-" if negative else "") + body
        else:
            out += (" - " if negative else " + ") + body
    return out


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


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: ``2``, ``0.5``, ``1e-08``."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def derivative_sides(e) -> tuple[int, tuple[str, ...], list[tuple[str, tuple[str, ...]]]]:
    """Of an :class:`~matcal.core.nodes.Einsum`: (order, the function's index names, [(variable
    name, its index names)] once per order); order 0 and no parts for a plain tensor."""
    if not e.wrt:
        return 0, e.out, []
    rank = len(e.wrt[0].shape.dims)
    k = len(e.wrt)
    nf = len(e.out) - k * rank
    parts = [(e.wrt[0].name, e.out[nf + n * rank : nf + (n + 1) * rank]) for n in range(k)]
    return k, e.out[:nf], parts
