"""The printer base class and the one precedence table every printer shares.

A printer is a class with one ``_print_<NodeClass>`` method per node class; ``doprint``
dispatches on the class name and ``parenthesize`` wraps a child whose precedence is below
the level its parent needs. Nodes never know how they are printed (STYLE 4).
"""

from __future__ import annotations

from matcal.build import numeric_value
from matcal.nodes import Add, Expr, Hadamard, MatMul, Number, Power, Transpose

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
        p = numeric_value(f.exponent) if isinstance(f, Power) else None
        movable = isinstance(e, Hadamard) or f.shape.is_scalar
        if p is not None and p < 0 and movable:
            den.append(f.base if p == -1 else Power(f.base, Number(-p)))
        else:
            num.append(f)
    return coefficient, num, den


def format_number(value: float) -> str:
    """Shortest text that reads back as the same float: ``2``, ``0.5``, ``1e-08``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
