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
from functools import lru_cache
from importlib import resources
from typing import Mapping, NamedTuple

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from matcal.core import build as b
from matcal.core.rebuild import map_bottom_up
from matcal.core.errors import ConstantError, MatcalError, ParseError
from matcal.syntax.calls import KNOWN_FUNCTIONS, CallSyntax
from matcal.syntax.indices import IndexSyntax
from matcal.syntax.definitions import split_definition
from matcal.syntax.messages import syntax_error
from matcal.syntax.operators import OperatorSyntax
from matcal.syntax.types import check_types, default_kind
from matcal.core import rewrites
from matcal.core.nodes import (
    Einsum, Expr, Identity, IndexSum, MatMul, Number, Ones, Transpose, Var, Zero, walk,
)
from matcal.core.shapes import SCALAR, Dim, Shape, Unifier, fresh_dim, product_dim, readable_names

NOT_A_NUMBER = frozenset(("nan", "NaN", "NAN", "inf", "Inf", "INF", "Infinity", "infinity"))
"""Names refused because they read as non-finite constants."""



@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("matcal.syntax").joinpath("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=True)


def parse(text: str, types: Mapping[str, str] | None = None) -> Expr:
    """Parse ``text`` into a typed matrix expression with symbolic dimensions.

    Args:
        text: an expression in the input language, e.g. ``"tr(A*X*B)"``.
        types: optional mapping name → ``"scalar" | "vector" | "matrix" | "square" | "symmetric"``
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
    lhs, body = split_definition(text)
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


class _Typer(CallSyntax, IndexSyntax, OperatorSyntax):
    """Builds nodes from the parse tree, unifying dimensions as it goes."""

    def __init__(self, text: str, kinds: dict[str, str]):
        self.text = text
        self.kinds = kinds
        self.unifier = Unifier()
        self.vars: dict[str, Var] = {}
        self.scope: dict[str, Dim] = {}  # indices bound by enclosing sum(k, ...)
        self.ranges: set[str] = set()  # indices of sum(r, first, last, ...), bound inside
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
                return Var(node.name, node.shape.map(rename), node.symmetric, node.integer)
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
        if name in self.ranges and name not in self.vars:
            self.fail(ParseError, f"{name} is the index of a sum({name}, first, last, ...) "
                      "and has a value only inside it; name this variable otherwise", token)
        return self.var(name)

    def var(self, name: str) -> Var:
        v = self.vars.get(name)
        if v is None:
            kind = self.kinds.get(name) or default_kind(name)
            if kind in ("scalar", "integer"):
                shape = SCALAR
            elif kind == "vector":
                shape = Shape(fresh_dim(), None)
            elif kind == "matrix":
                shape = Shape(fresh_dim(), fresh_dim())
            else:
                n = fresh_dim()
                shape = Shape(n, n)
            v = self.vars[name] = Var(name, shape, kind == "symmetric", kind == "integer")
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

def _pos(where) -> int | None:
    if isinstance(where, Token):
        return where.start_pos
    if isinstance(where, Tree) and not where.meta.empty:
        return where.meta.start_pos
    return None


