"""Typing of the binary operators: ``+ - * / .* ./ .^ ^``, one method each, ``_op_<TOKEN>``.

Each checks its operands' shapes (unifying dimensions), says what is wrong and what to write
instead, and builds the node through the smart constructors. A chain of one operator is read
without recursion. A mixin of the parser's typer: it relies on ``expr``, ``fail``,
``folded``, ``text``, ``vars`` and ``unifier``.
"""

from __future__ import annotations

from lark import Token, Tree

from matcal.core import build as b
from matcal.core import rewrites
from matcal.core.errors import MatcalError, ShapeError
from matcal.core.nodes import (
    Add, Expr, Hadamard, MatMul, MatPower, Number, Ones, Power, SymbolicPower, Var, Zero,
)
from matcal.core.shapes import readable_names


class OperatorSyntax:
    """The binary operators of the input language (a mixin of the typer)."""

    def _binop(self, t: Tree) -> Expr:
        """A chain of binary operators, folded left to right along the left spine of the
        tree (a flat sum of many terms needs no recursion)."""
        chain = []
        while isinstance(t, Tree) and t.data == "binop":
            left_t, op, right_t = t.children
            chain.append((op, right_t))
            t = left_t
        acc = self.expr(t)
        for op, right_t in reversed(chain):
            right = self.expr(right_t)
            try:
                left, acc = acc, getattr(self, "_op_" + op.type)(acc, right, op, right_t)
                if rewrites.active():
                    self.folded(f"{left} {op} {right}", _written(left, op, right, acc), acc)
            except MatcalError as err:
                if err.text is not None:
                    raise
                raise type(err)(err.message, self.text, op.start_pos) from None
        return acc

    def _op_PLUS(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        left, right = broadcast(left, right)
        self.same_shape(left, right, op, "add")
        return b.add(left, right)

    def _op_MINUS(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        left, right = broadcast(left, right)
        self.same_shape(left, right, op, "subtract")
        return b.sub(left, right)

    def same_shape(self, left: Expr, right: Expr, op: Token, verb: str) -> None:
        if self.unifier.unify(left.shape, right.shape):
            return
        hint = ""
        if {left.shape.is_vector, right.shape.is_vector} == {True} or (
            left.shape.is_row or right.shape.is_row
        ):
            hint = "; a transpose (') may be missing"
        self.fail(
            ShapeError,
            f"'{op}': cannot {verb} {self.describe(left)} and {self.describe(right)}{hint}",
            op,
        )

    def describe(self, e: Expr) -> str:
        """The shape of ``e`` for a message, with the readable dim names of the final result."""
        seen = [self.unifier.find(d) for v in self.vars.values() for d in v.shape.dims]
        shape = self.unifier.resolve(e.shape)
        names = readable_names(seen + list(shape.dims))
        return shape.substitute(names).describe()

    def _op_STAR(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        if left.shape.is_scalar or right.shape.is_scalar:
            return b.mul(left, right)
        outer = left.shape.cols is None and right.shape.rows is None  # column times row
        if not outer and (left.shape.cols is None or right.shape.rows is None):
            hint = "; did you mean .* (element-wise) or a transpose (')?"
            if left.shape.is_vector and right.shape.is_vector:
                hint = "; for the inner product write x'*y, for element-wise x.*y"
            self.fail(
                ShapeError,
                f"'*': cannot multiply {self.describe(left)} by {self.describe(right)}{hint}",
                op,
            )
        if not outer:
            self.unifier.unify_dims(left.shape.cols, right.shape.rows)
        return b.mul(left, right)

    def elementwise(self, left: Expr, right: Expr, op: Token) -> None:
        if left.shape.is_scalar or right.shape.is_scalar:
            return
        if not self.unifier.unify(left.shape, right.shape):
            self.fail(
                ShapeError,
                f"'{op}': element-wise operands must have the same shape, got "
                f"{self.describe(left)} and {self.describe(right)}",
                op,
            )

    def _op_DOTSTAR(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        self.elementwise(left, right, op)
        return b.hadamard(left, right)

    def _op_DOTSLASH(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        self.elementwise(left, right, op)
        return b.hadamard(left, b.reciprocal(right))

    def _op_SLASH(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        if not right.shape.is_scalar:
            self.fail(
                ShapeError,
                f"'/': divides by a scalar only, got {self.describe(right)}; "
                "use ./ for element-wise division or *inv(...) for the inverse",
                op,
            )
        return b.mul(left, b.reciprocal(right))

    def _op_DOTCARET(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        self.elementwise(left, right, op)
        return b.power(left, right)

    def _op_CARET(self, left: Expr, right: Expr, op: Token, right_t) -> Expr:
        if left.shape.is_scalar:
            if not right.shape.is_scalar:
                self.fail(ShapeError, f"'^': the exponent must be a scalar, got "
                          f"{self.describe(right)}; use .^ for element-wise powers", op)
            return b.power(left, right)
        k = b.numeric_value(right)
        if k is None and left.shape.is_matrix and self.integer_valued(right):
            self.square(left, op, "'^' (matrix power)")
            return SymbolicPower(left, right)  # X^k for a symbolic integer k
        if not left.shape.is_matrix or k is None or k != int(k):
            self.fail(
                ShapeError,
                f"'^': the power of {self.describe(left)} needs a square matrix and an "
                "integer exponent (a number, or a name declared integer: --types k:integer); "
                "use .^ for element-wise powers",
                op,
            )
        self.square(left, op, "'^' (matrix power)")
        return b.mat_power(left, int(k))

    def integer_valued(self, e: Expr) -> bool:
        """Whether ``e`` is built from whole numbers and names declared integer by + - *."""
        if isinstance(e, Number):
            return e.value == int(e.value)
        if isinstance(e, Zero):
            return e.shape.is_scalar
        if isinstance(e, Var):
            return self.kinds.get(e.name) == "integer"
        if isinstance(e, (Add, MatMul)):
            return all(self.integer_valued(c) for c in e.children())
        return False

    def square(self, e: Expr, where, what: str) -> None:
        if not e.shape.is_matrix:
            self.fail(ShapeError, f"{what} needs a square matrix, got {self.describe(e)}", where)
        self.unifier.unify_dims(e.shape.rows, e.shape.cols)


def broadcast(left: Expr, right: Expr) -> tuple[Expr, Expr]:
    """A scalar added to (or subtracted from) a vector or matrix stands for that scalar times
    ones of its shape, as NumPy broadcasts it: ``1 + exp(u)`` is ``vector(1) + exp(u)``."""
    if left.shape.is_scalar and not right.shape.is_scalar:
        return b.mul(left, Ones(right.shape)), right
    if right.shape.is_scalar and not left.shape.is_scalar:
        return left, b.mul(right, Ones(left.shape))
    return left, right


_WRITTEN = {
    "PLUS": lambda a, c: Add((a, c)), "MINUS": lambda a, c: Add((a, MatMul((Number(-1.0), c)))),
    "STAR": lambda a, c: MatMul((a, c)), "DOTSTAR": lambda a, c: Hadamard((a, c)),
    "DOTSLASH": lambda a, c: Hadamard((a, Power(c, Number(-1.0)))),
    "SLASH": lambda a, c: MatMul((a, Power(c, Number(-1.0)))),
    "DOTCARET": lambda a, c: Power(a, c),
}
"""Each binary operator as the raw node it means, before any folding."""


def _written(left: Expr, op: Token, right: Expr, built: Expr) -> Expr:
    """The node ``left op right`` as written; a matrix power as MatPower(left, k)."""
    if op.type == "CARET":
        return Power(left, right) if left.shape.is_scalar else MatPower(
            left, int(b.numeric_value(right)))
    return _WRITTEN[op.type](left, right)
