"""Typing of function calls: ``tr(X)``, ``kron(A, B)``, ``exp(x)``, ``vector(c)``, ``sum(k, …)``.

One method per function of the input language, ``_fn_<name>``, each checking its operand's
shape and building the node through the smart constructors; unknown names get the closest
known one as a suggestion. A mixin of the parser's typer: it relies on ``expr``, ``fail``,
``describe``, ``square``, ``index_sum`` and ``unifier``.
"""

from __future__ import annotations

import difflib

from lark import Token, Tree

from matcal.core import build as b
from matcal.core.errors import ParseError, ShapeError
from matcal.core.functions import FUNCTIONS
from matcal.core import rewrites
from matcal.core.nodes import (
    Apply, Det, DiagMatrix, DiagVector, Expr, Inverse, LogDet, LogSumExp, Norm1, Norm2, Ones,
    Softmax, SumEntries, Trace,
)
from matcal.core.shapes import Shape, fresh_dim

MATRIX_FUNCTIONS = ("tr", "det", "logdet", "inv", "diag", "sum", "norm1", "norm2",
                    "logsumexp", "softmax", "vector", "matrix", "kron")
ARITY = {"kron": 2}
"""Functions of more than one argument; every other function takes one."""
KNOWN_FUNCTIONS = MATRIX_FUNCTIONS + tuple(FUNCTIONS)

SYNONYMS = {
    "trace": "tr", "Tr": "tr", "inverse": "inv", "determinant": "det", "log_det": "logdet",
    "norm": "norm2", "frob": "norm2", "ln": "log", "transpose": "the postfix ' as in X'",
    "ones": "vector(1) or matrix(1)", "zeros": "vector(0) or matrix(0)", "identity": "eye",
    "eye": "eye without parentheses", "diagm": "diag", "max0": "relu",
    "lse": "logsumexp", "log_sum_exp": "logsumexp", "soft_max": "softmax",
}
"""Names users reach for, and what the input language calls them."""

NOT_IN_LANGUAGE = {
    "max": "not differentiable everywhere; matcal has relu and abs (max(a, b) = (a + b + "
           "abs(a - b))/2)",
    "min": "not differentiable everywhere; matcal has relu and abs (min(a, b) = (a + b - "
           "abs(a - b))/2)",
    "expm": "the matrix exponential is not in the language; exp acts entry-wise",
    "logm": "the matrix logarithm is not in the language; log acts entry-wise, logdet is "
            "log det",
    "sqrtm": "the matrix square root is not in the language; sqrt acts entry-wise",
    "floor": "piecewise constant, so its derivative is 0 wherever it exists",
    "ceil": "piecewise constant, so its derivative is 0 wherever it exists",
    "round": "piecewise constant, so its derivative is 0 wherever it exists",
}
"""Functions users reach for that the language does not have, and why."""


WRITTEN = {"tr": Trace, "det": Det, "logdet": LogDet, "inv": Inverse, "sum": SumEntries,
           "diag": None, "norm1": Norm1, "norm2": Norm2}
"""Matrix functions as the raw nodes they mean (diag: by its argument's kind)."""


class CallSyntax:
    """Function calls (mixed into the parser's typer)."""

    def _call(self, t: Tree) -> Expr:
        name_tok: Token = t.children[0]
        name = str(name_tok)
        arg_trees = [c for c in t.children[1:] if c is not None]
        if name not in KNOWN_FUNCTIONS:
            self.fail(ParseError, f"unknown function {name!r}{_hint(name)}", name_tok)
        if name == "sum" and len(arg_trees) == 2:
            return self.index_sum(arg_trees[0], arg_trees[1], name_tok)
        if name == "sum" and len(arg_trees) == 4:
            return self.range_sum(*arg_trees, name_tok)
        if name == "sum" and len(arg_trees) != 1:
            self.fail(ParseError, f"sum takes 1, 2 or 4 arguments — sum(X), sum(k, expr), "
                      f"sum(r, first, last, expr) — got {len(arg_trees)}", name_tok)
        arity = ARITY.get(name, 1)
        if len(arg_trees) != arity:
            self.fail(
                ParseError,
                f"{name} takes {arity} argument{'s' if arity > 1 else ''}, got {len(arg_trees)}",
                name_tok,
            )
        if arity > 1:
            return getattr(self, "_fn_" + name)(*map(self.expr, arg_trees), name_tok)
        arg = self.expr(arg_trees[0])
        if name in FUNCTIONS:
            return Apply(name, arg)
        built = getattr(self, "_fn_" + name)(arg, name_tok)
        raw = WRITTEN.get(name, Apply)
        if name in WRITTEN and not arg.shape.is_scalar and rewrites.active():
            raw_node = raw(arg) if name != "diag" else (
                DiagVector(arg) if arg.shape.is_matrix else DiagMatrix(arg))
            self.folded(f"{name}({arg})", raw_node, built)
        return built

    def _fn_tr(self, a: Expr, where) -> Expr:
        if a.shape.is_scalar:
            return a
        self.square(a, where, "tr")
        return b.trace(a)

    def _fn_det(self, a: Expr, where) -> Expr:
        if a.shape.is_scalar:
            return a
        self.square(a, where, "det")
        return b.det(a)

    def _fn_logdet(self, a: Expr, where) -> Expr:
        if a.shape.is_scalar:
            return Apply("log", a)
        self.square(a, where, "logdet")
        return b.logdet(a)

    def _fn_inv(self, a: Expr, where) -> Expr:
        if not a.shape.is_scalar:
            self.square(a, where, "inv")
        return b.inverse(a)

    def _fn_diag(self, a: Expr, where) -> Expr:
        if a.shape.is_vector or a.shape.is_row:  # also of a row: diag(B[k,:]*X), Traa eq. 42
            return b.diag_matrix(a)
        if a.shape.is_matrix:
            self.square(a, where, "diag")
            return b.diag_vector(a)
        self.fail(ShapeError, f"diag takes a vector or a square matrix, got {self.describe(a)}",
                  where)

    def _fn_sum(self, a: Expr, where) -> Expr:
        return b.total(a)

    def _fn_norm1(self, a: Expr, where) -> Expr:
        return Apply("abs", a) if a.shape.is_scalar else Norm1(a)

    def _fn_norm2(self, a: Expr, where) -> Expr:
        return Apply("abs", a) if a.shape.is_scalar else Norm2(a)

    def _fn_logsumexp(self, a: Expr, where) -> Expr:
        return a if a.shape.is_scalar else LogSumExp(self.column(a, where, "logsumexp"))

    def _fn_softmax(self, a: Expr, where) -> Expr:
        if a.shape.is_scalar:
            return b.number(1.0)
        return Softmax(self.column(a, where, "softmax"))

    def column(self, a: Expr, where, name: str) -> Expr:
        """``a`` if it is a (column) vector, else a clear error: ``name`` acts on vectors."""
        if not a.shape.is_vector:
            self.fail(ShapeError, f"{name} takes a vector, got {self.describe(a)}; for each "
                      f"column of a matrix X write sum(k, {name}(X[:,k]) ...)", where)
        return a

    def _fn_kron(self, a: Expr, c: Expr, where) -> Expr:
        both = ((a.shape.is_matrix and c.shape.is_matrix)
                or (a.shape.is_vector and c.shape.is_vector))
        if not both:
            self.fail(ShapeError, "kron takes two matrices or two vectors, got "
                      f"{self.describe(a)} and {self.describe(c)}", where)
        return b.kron(a, c)

    def _fn_vector(self, a: Expr, where) -> Expr:
        return self.constant(a, Shape(fresh_dim(), None), "vector", where)

    def _fn_matrix(self, a: Expr, where) -> Expr:
        return self.constant(a, Shape(fresh_dim(), fresh_dim()), "matrix", where)

    def constant(self, a: Expr, shape: Shape, name: str, where) -> Expr:
        if not a.shape.is_scalar:
            self.fail(ShapeError, f"{name}(c) takes a scalar c, got {self.describe(a)}", where)
        return b.mul(a, Ones(shape))


def _hint(name: str) -> str:
    """What to write instead of the unknown function ``name``: the language's own name for
    it, why it is not in the language, or the closest function by edit distance (the
    constructors vector and matrix only for a near-exact misspelling: ``max`` is no
    ``matrix``)."""
    if name in SYNONYMS:
        return f"; did you mean {SYNONYMS[name]}?"
    if name in NOT_IN_LANGUAGE:
        return f": {NOT_IN_LANGUAGE[name]}"
    constructors = ("vector", "matrix")
    close = difflib.get_close_matches(name, constructors, n=1, cutoff=0.8) or \
        difflib.get_close_matches(name, [f for f in KNOWN_FUNCTIONS if f not in constructors],
                                  n=1, cutoff=0.5)
    if close:
        return f"; did you mean {close[0]}?"
    return f"; known functions: {', '.join(KNOWN_FUNCTIONS)}"
