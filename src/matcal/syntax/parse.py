"""Text in the input language → typed matrix expression.

The grammar is ``grammar.lark`` (Lark, LALR). Typing follows the naming convention of
matrixcalculus.org (``a``–``g`` scalars, ``h``–``z`` vectors, ``A``–``Z`` matrices, lower-case
Greek names scalars), overridable per name. Dimensions are symbolic and unified while the
tree is built; at the end they get readable names (m, n, p, …) in order of appearance.
Every error carries the input line and a caret at the offending position. Input is bounded
(:data:`MAX_LENGTH` characters, :data:`MAX_NESTING` levels), chains of one operator are read
without recursion, and each folding the smart constructors make is reported to
:mod:`matcal.core.rewrites` (``parse: …``) for the value-checked mode.
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache
from importlib import resources
from typing import Mapping, NamedTuple

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from matcal.core import build as b
from matcal.core.rebuild import map_bottom_up
from matcal.core.errors import ConstantError, MatcalError, OptionsError, ParseError, ShapeError
from matcal.syntax.calls import KNOWN_FUNCTIONS, CallSyntax
from matcal.syntax.indices import IndexSyntax
from matcal.syntax.messages import syntax_error
from matcal.core import rewrites
from matcal.core.nodes import (
    Add, Einsum, Expr, Hadamard, Identity, IndexSum, MatMul, MatPower, Number, Ones, Power,
    Transpose, Var, Zero, walk,
)
from matcal.core.shapes import SCALAR, Dim, Shape, Unifier, fresh_dim, product_dim, readable_names

KINDS = ("scalar", "vector", "matrix", "symmetric")

GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
    "rho sigma tau upsilon phi chi psi omega".split()
)

NOT_A_NUMBER = frozenset(("nan", "NaN", "NAN", "inf", "Inf", "INF", "Infinity", "infinity"))
"""Names refused because they read as non-finite constants."""



@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("matcal.syntax").joinpath("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def default_kind(name: str) -> str:
    """The kind a name has by the naming convention.

    >>> default_kind("x"), default_kind("b"), default_kind("X"), default_kind("lambda")
    ('vector', 'scalar', 'matrix', 'scalar')
    """
    if name in GREEK or name[0] in "abcdefg":
        return "scalar"
    if name[0].islower() or name[0] == "_":
        return "vector"
    return "matrix"


def check_types(types: Mapping[str, str] | None) -> dict[str, str]:
    """Validate a ``types`` mapping (name → one of ``KINDS``); raises OptionsError."""
    if types is not None and not isinstance(types, Mapping):
        raise OptionsError(f"types must be a mapping from each name to its kind, e.g. "
                           f"{{'x': 'scalar'}}; got {type(types).__name__} {types!r}")
    out = dict(types or {})
    for name, kind in out.items():
        if kind not in KINDS:
            raise OptionsError(
                f"types: {name!r} has kind {kind!r}; use one of {', '.join(KINDS)}"
            )
    return out


def parse(text: str, types: Mapping[str, str] | None = None) -> Expr:
    """Parse ``text`` into a typed matrix expression with symbolic dimensions.

    Args:
        text: an expression in the input language, e.g. ``"tr(A*X*B)"``.
        types: optional mapping name → ``"scalar" | "vector" | "matrix" | "symmetric"``
            overriding the naming convention.

    Returns:
        The expression; ``expr.shape`` is its symbolic shape.

    Raises:
        ParseError: syntax error, unknown function or wrong number of arguments.
        ShapeError: operand shapes that no dimensions can reconcile.
        OptionsError: a bad ``types`` entry.

    >>> str(parse("tr(A*X*B)"))
    'tr(A*X*B)'
    """
    return parse_source(text, types).expr


class Parsed(NamedTuple):
    """An expression parsed from text, and the variables the text named that ``expr`` lost as
    it was built (``(1 - 1)*A`` is a zero without A): their values, when given, size what
    nothing in ``expr`` does (:func:`matcal.api.evaluate`)."""

    expr: Expr
    folded_away: tuple[Var, ...]


def parse_source(text: str, types: Mapping[str, str] | None = None) -> Parsed:
    """:func:`parse`, with the variables the text named but the expression lost.

    Raises:
        Everything :func:`parse` raises.

    >>> tuple(v.name for v in parse_source("(1 - 1)*A + B").folded_away)
    ('A',)
    """
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as text, got {type(text).__name__}")
    kinds = check_types(types)
    if not text.strip():
        raise ParseError("the expression is empty; write one, e.g. tr(A*X)", text, len(text))
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is {len(text):,} characters long; matcal reads at "
                         f"most {MAX_LENGTH:,}: split it, or name repeated parts", text, MAX_LENGTH)
    lhs, body = _split_definition(text)
    try:
        tree = _parser().parse(body)
    except UnexpectedInput as err:
        raise syntax_error(text, err) from None
    _check_nesting(text, tree)
    typer = _Typer(text, kinds)
    expr = typer.run(tree, lhs)
    return Parsed(expr, typer.folded_away)


MAX_LENGTH = 100_000
"""Longest input text, in characters."""
MAX_NESTING = 80
"""Deepest nesting of calls, parentheses and operators of different precedence. Chains of
one operator (a flat sum of many terms, a run of transposes, ``--x``) do not count: they are
read without recursion. Every tree walk of matcal stays within Python's recursion limit below
it."""


def _check_nesting(text: str, tree: Tree) -> None:
    """ParseError at the first place nested deeper than :data:`MAX_NESTING`."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise ParseError(f"the expression is nested more than {MAX_NESTING} levels deep; "
                             "matcal reads at most that: name an inner part and simplify",
                             text, _pos(node))
        if not isinstance(node, Tree):
            continue
        for n, child in enumerate(node.children):
            chained = (node.data == "binop" and n == 0) or (
                node.data in ("negate", "plus", "transpose") and isinstance(child, Tree)
                and child.data == node.data)
            stack.append((child, depth if chained else depth + 1))


_IDX = r"[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*"
_PLAIN_LHS = re.compile(rf"\s*[A-Za-z_]\w*\s*\[\s*({_IDX})\s*\]\s*\Z")
_DERIVATIVE_LHS = re.compile(
    rf"\s*d(\d*)\s*[A-Za-z_]\w*\s*(?:\[\s*({_IDX})\s*\])?\s*/"
    rf"((?:\s*d\s*[A-Za-z_]\w*\s*\[\s*{_IDX}\s*\])+)\s*\Z"
)
_WRT_PART = re.compile(rf"d\s*([A-Za-z_]\w*)\s*\[\s*({_IDX})\s*\]")


def _names(group: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in group.split(",")) if group else ()


def _split_definition(text: str):
    """For ``T[i,j] = …`` or ``dF[i,j]/dX[k,l] = …``: (left side, the text with the left side
    blanked out so positions in errors still point into the original text); else (None, text).

    The left side is (all index names in order, [(variable, its index names), …]).
    """
    k = text.find("=")
    if k < 0:
        return None, text
    lhs = text[:k]
    plain = _PLAIN_LHS.match(lhs)
    derivative = None if plain else _DERIVATIVE_LHS.match(lhs)
    if plain:
        out, parts = _names(plain.group(1)), []
    elif derivative:
        parts = [(v, _names(ix)) for v, ix in _WRT_PART.findall(derivative.group(3))]
        out = _names(derivative.group(2)) + tuple(n for _, ix in parts for n in ix)
        if derivative.group(1) and int(derivative.group(1)) != len(parts):
            raise ParseError(f"d{derivative.group(1)} needs {derivative.group(1)} d-terms "
                             f"below the bar, got {len(parts)}", text, 0)
    else:
        raise ParseError(
            "'=' defines a tensor in index notation: write T[i,j] = A[i,k]*B[k,j], or a "
            "derivative dF[i,j]/dX[k,l] = …", text, k
        )
    if len(set(out)) != len(out):
        raise ParseError("an index appears twice on the left side", text, 0)
    return (out, parts), " " * (k + 1) + text[k + 1 :]


class _Typer(CallSyntax, IndexSyntax):
    """Builds nodes from the parse tree, unifying dimensions as it goes."""

    def __init__(self, text: str, kinds: dict[str, str]):
        self.text = text
        self.kinds = kinds
        self.unifier = Unifier()
        self.vars: dict[str, Var] = {}
        self.scope: dict[str, Dim] = {}  # indices bound by enclosing sum(k, ...)
        self.folded_away: tuple[Var, ...] = ()  # the variables named but lost, once run

    def run(self, tree: Tree | Token, lhs=None) -> Expr:
        with rewrites.resolving_dims(self.unifier.find):
            expr = self.expr(tree) if lhs is None else self.definition(*lhs, tree)
        return self._resolve(expr)

    def folded(self, what: str, raw: Expr, built: Expr) -> Expr:
        """``built``, reported to :mod:`matcal.core.rewrites` as the folding of ``raw`` (the node as
        written) by the smart constructors: ``parse: (b.^p).^q`` and the like."""
        if rewrites.active():
            rewrites.fired(f"parse: {what}", raw, built)
        return built

    # ------------------------------------------------------------ dims

    def _resolve(self, expr: Expr) -> Expr:
        nodes = list(walk(expr))
        present = {node.name for node in nodes if isinstance(node, Var)}
        folded = [v for v in self.vars.values() if v.name not in present]  # A in (1 - 1)*A
        order: list[Dim] = []
        for node in nodes + folded:
            for d in node.shape.dims:
                root = self.unifier.find(d)
                order.extend(root.factors or (root,))
        names = readable_names([self.unifier.find(d) for d in order])

        def rename(d: Dim) -> Dim:
            root = self.unifier.find(d)
            if root.factors:  # a Kronecker product's dims stay products of readable names
                return functools.reduce(product_dim, map(rename, root.factors))
            return names[root]

        def fix(node: Expr) -> Expr:
            if isinstance(node, Var):
                return Var(node.name, node.shape.map(rename), node.symmetric)
            if isinstance(node, (Ones, Zero)):
                return type(node)(node.shape.map(rename))
            if isinstance(node, Identity):
                return Identity(rename(node.n))
            if isinstance(node, IndexSum):
                return IndexSum(node.index, rename(node.dim), node.body)
            if isinstance(node, Einsum):
                return Einsum(node.out, tuple(map(rename, node.dims)), node.terms, node.wrt)
            return node

        self.folded_away = tuple(fix(v) for v in folded)
        return map_bottom_up(expr, fix)

    # ------------------------------------------------------------ errors

    def fail(self, cls, message: str, where) -> None:
        raise cls(message, self.text, _pos(where))

    # ------------------------------------------------------------ nodes

    def expr(self, t: Tree | Token) -> Expr:
        if isinstance(t, Token):  # pragma: no cover - the grammar wraps all tokens
            raise ParseError("unexpected token", self.text, t.start_pos)
        method = getattr(self, "_" + t.data)
        try:
            return method(t)
        except MatcalError as err:  # from the smart constructors: ``2^1024``, ``1/0``
            if err.text is not None:
                raise
            raise type(err)(err.message, self.text, _pos(t)) from None

    def _number(self, t: Tree) -> Expr:
        token: Token = t.children[0]
        value = float(token)
        if value == float("inf"):
            self.fail(ParseError, f"the number {token} is too large for a float", token)
        return b.number(value)

    def _name(self, t: Tree) -> Expr:
        token: Token = t.children[0]
        name = str(token)
        if name == "eye":
            n = fresh_dim()
            return Identity(n)
        if name in NOT_A_NUMBER:
            self.fail(ConstantError, f"{name} is not a number matcal computes with: constants "
                      "must be finite real numbers", token)
        if name in KNOWN_FUNCTIONS:
            self.fail(ParseError, f"{name} is a function; call it as {name}(...)", token)
        return self.var(name)

    def var(self, name: str) -> Var:
        v = self.vars.get(name)
        if v is None:
            kind = self.kinds.get(name) or default_kind(name)
            if kind == "scalar":
                shape = SCALAR
            elif kind == "vector":
                shape = Shape(fresh_dim(), None)
            elif kind == "matrix":
                shape = Shape(fresh_dim(), fresh_dim())
            else:
                n = fresh_dim()
                shape = Shape(n, n)
            v = self.vars[name] = Var(name, shape, kind == "symmetric")
        return v

    def _negate(self, t: Tree) -> Expr:
        sign, inner = self._signs(t)
        e = self.expr(inner)
        return self.folded(f"-({e})", MatMul((Number(-1.0), e)), b.neg(e)) if sign < 0 else e

    _plus = _negate

    def _signs(self, t: Tree) -> tuple[int, Tree]:
        """Unary ``-`` and ``+`` chains (``--x``), walked without recursion."""
        sign = 1
        while isinstance(t, Tree) and t.data in ("negate", "plus"):
            sign *= -1 if t.data == "negate" else 1
            t = t.children[1]
        return sign, t

    def _transpose(self, t: Tree) -> Expr:
        ticks = 0
        while isinstance(t, Tree) and t.data == "transpose":  # a chain of ticks: no recursion
            ticks += 1
            t = t.children[0]
        e = self.expr(t)
        return self.folded(f"({e})'", Transpose(e), b.transpose(e)) if ticks % 2 else e

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
        self.same_shape(left, right, op, "add")
        return b.add(left, right)

    def _op_MINUS(self, left: Expr, right: Expr, op: Token, _rt) -> Expr:
        self.same_shape(left, right, op, "subtract")
        return b.sub(left, right)

    def same_shape(self, left: Expr, right: Expr, op: Token, verb: str) -> None:
        if self.unifier.unify(left.shape, right.shape):
            return
        hint = ""
        if left.shape.is_scalar or right.shape.is_scalar:
            other = right if left.shape.is_scalar else left
            const = "vector" if other.shape.is_vector else "matrix"
            where = "to" if verb == "add" else "from"
            hint = f"; to {verb} a constant c {where} every entry write c*{const}(1)"
        elif {left.shape.is_vector, right.shape.is_vector} == {True} or (
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
        if not left.shape.is_matrix or k is None or k != int(k):
            self.fail(
                ShapeError,
                f"'^': the power of {self.describe(left)} needs a square matrix and an "
                "integer exponent; use .^ for element-wise powers",
                op,
            )
        self.square(left, op, "'^' (matrix power)")
        return b.mat_power(left, int(k))

    def square(self, e: Expr, where, what: str) -> None:
        if not e.shape.is_matrix:
            self.fail(ShapeError, f"{what} needs a square matrix, got {self.describe(e)}", where)
        self.unifier.unify_dims(e.shape.rows, e.shape.cols)

    # ------------------------------------------------------------ calls

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


def _pos(where) -> int | None:
    if isinstance(where, Token):
        return where.start_pos
    if isinstance(where, Tree) and not where.meta.empty:
        return where.meta.start_pos
    return None


