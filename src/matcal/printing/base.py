"""The printer base class; the precedence table every printer shares is
:mod:`matcal.core.notation`.

A printer is a class with one ``_print_<NodeClass>`` method per node class; ``doprint``
dispatches on the class name and ``parenthesize`` wraps a child whose precedence is below
the level its parent needs. Nodes never know how they are printed (STYLE 4).

What every target writes the same way lives here, once: sums with their signs (``a - 2*b``),
which factors of a product are a coefficient, a numerator or a denominator, and where a nested
product needs parentheses. A target only says how each piece looks.
"""

from __future__ import annotations

import math

from matcal.core.nodes import Add, Expr, Hadamard, MatMul, Number, Select, Transpose
from matcal.core.notation import (  # noqa: F401 - the printers' names for the notation
    ADD, ATOM, MUL, POSTFIX, POWER, UNARY, as_quotient, broadcast_constant, chain_groups,
    precedence, reciprocal_of, split_product,
)

class Printer:
    """Dispatches on the node class; subclasses define ``_print_<Class>``."""

    def doprint(self, e: Expr) -> str:
        method = getattr(self, "_print_" + type(e).__name__, None)
        if method is None:  # pragma: no cover - tests assert every class has a method
            raise NotImplementedError(f"{type(self).__name__} cannot print {type(e).__name__}")
        return method(e)

    def parenthesize(self, e: Expr, level: int, strict: bool = False) -> str:
        """Print ``e``, in parentheses when it binds looser than ``level`` (or equally, if
        strict)."""
        p = precedence(e)
        text = self.doprint(e)
        if p < level or (strict and p == level):
            return self.wrap(text)
        return text

    def wrap(self, text: str) -> str:
        return f"({text})"

    broadcasts = False
    """Whether a constant term of a sum of vectors or matrices prints as its number
    (``1 + exp(u)``, scalar broadcasting) rather than ``vector(1) + exp(u)``."""

    def _print_Add(self, e: Add) -> str:
        """Terms joined by `` + `` and `` - ``: a negative coefficient prints as subtraction."""
        return signed_sum([self.unsigned(self.broadcast(t, e.terms)) for t in e.terms])

    def broadcast(self, term: Expr, terms: tuple[Expr, ...]) -> Expr:
        """``term`` as it prints in the sum of ``terms``: its number, where it is a constant
        that scalar broadcasting writes as a number and this printer does so."""
        if not self.broadcasts:
            return term
        c = broadcast_constant(term, terms)
        return term if c is None else c

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


def selected_entry(e: Expr, names: tuple[str, ...]) -> tuple[Expr, tuple[str, str]] | None:
    """(B, (k, n)) for the fixed row B[k,:] (or its transpose, or a column B[:,k]) indexed by
    ``names`` = (n,): the entry B_kn (Traa eq. 42); None for anything else."""
    s = e.arg if isinstance(e, Transpose) else e
    if not (isinstance(s, Select) and len(names) == 1 and s.arg.shape.is_matrix
            and (s.row is None) != (s.col is None)):
        return None
    return s.arg, ((s.row, names[0]) if s.col is None else (names[0], s.col))
