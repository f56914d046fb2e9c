"""Index notation as input: ``T[i,j,k,l] = A[i,k]*eye[j,l] - inv(X)[i,k]*…``.

The left side names the result's axes, in order — ``T[i,j,k,l]``, or for a derivative
``dF[i,j]/dX[k,l]`` (``d2f/dX[i,j]dX[k,l]`` for order 2), whose ``dX[k,l]`` also says that k and
l range over the axes of the variable X; on the right every vector or matrix carries
its indices (``A[i,k]``, ``(A*X)[i,j]``, ``inv(X)[l,k]``, ``eye[j,l]`` for δ_jl), and every index
that is not on the left is summed (Einstein's convention, as in Traa's eq. 4–7). Terms combine
with ``+ -``, factors with ``*`` (or ``.*``) and ``/`` by a scalar. This is the form in which
matcal prints derivatives that no matrix notation expresses, so they parse back.

Also index sums and selection inside ordinary expressions: ``sum(k, x'*B[k,:]')``, ``B[:,k]``,
``x[k]`` (Traa eq. 42), with k bound by the enclosing sum.

A mixin of the parser's typer: it relies on ``expr``, ``fail``, ``describe``, ``scope`` and
``unifier``.
"""

from __future__ import annotations

from lark import Token, Tree

from matcal.core import build as b
from matcal.core.build import numeric_value, reciprocal
from matcal.core.errors import ParseError, ShapeError
from matcal.core.nodes import Einsum, Expr, IndexSum, RangeSum, Select, Var, walk
from matcal.core.terms import Atom, Term
from matcal.core.shapes import SCALAR, Dim, fresh_dim

RawTerm = tuple[float, list[tuple[Expr, tuple[str, ...]]]]


def has_index(t) -> bool:
    """Whether the parse tree ``t`` contains an indexed sub-expression in index notation —
    not counting selections inside ``sum(k, ...)``, which that sum binds."""
    if isinstance(t, Token) or t is None:
        return False
    if t.data == "call" and str(t.children[0]) == "sum" and len(t.children) == 3:
        return False
    return t.data == "indexed" or any(has_index(c) for c in t.children)


class IndexSyntax:
    """Typing of index-notation definitions (mixed into the parser's typer)."""

    def definition(self, out: tuple[str, ...], parts, tree: Tree) -> Einsum:
        self.index_dims: dict[str, Dim] = {}
        wrt = []
        for name, idx in parts:  # dX[k,l] below the bar: k, l range over X's axes
            var = self.var(name)
            if len(idx) != len(var.shape.dims):
                self.fail(ParseError, f"{name} is a {self.describe(var)}; d{name} takes "
                          f"{len(var.shape.dims)} indices, got {len(idx)}", tree)
            for n, d in zip(idx, var.shape.dims):
                self.index_dims[n] = d
            wrt.append(var)
        terms = [(c, f) for c, f in self.index_terms(tree) if c != 0]  # "= 0": no terms
        for coeff, factors in terms:
            used = {n for _, idx in factors for n in idx}
            missing = [n for n in out if n not in used]
            if missing:
                self.fail(
                    ParseError,
                    f"index {missing[0]} of the left side is missing from a term on the right; "
                    "every term must carry every index of the left side",
                    tree,
                )
        dims = tuple(self.index_dims.get(n) or fresh_dim() for n in out)
        return Einsum(out, dims, tuple(
            Term(c, tuple(Atom(e, ix) for e, ix in f)) for c, f in terms
        ), tuple(wrt))

    def index_terms(self, t: Tree) -> list[RawTerm]:
        if not has_index(t):
            e = self.expr(t)
            if not e.shape.is_scalar:
                self.fail(ShapeError, f"in index notation a {self.describe(e)} needs indices, "
                          "e.g. A[i,j] or x[i]", t)
            c = numeric_value(e)
            return [(c, [])] if c is not None else [(1.0, [(e, ())])]
        if t.data == "indexed":
            return [(1.0, [self.indexed(t)])]
        if t.data == "negate":
            return [(-c, f) for c, f in self.index_terms(t.children[1])]
        if t.data == "plus":
            return self.index_terms(t.children[1])
        if t.data == "binop":
            left, op, right = t.children
            if op.type in ("PLUS", "MINUS"):
                sign = 1.0 if op.type == "PLUS" else -1.0
                return self.index_terms(left) + [(sign * c, f) for c, f in self.index_terms(right)]
            if op.type in ("STAR", "DOTSTAR"):
                return [(a * b, f + g) for a, f in self.index_terms(left)
                        for b, g in self.index_terms(right)]
            if op.type == "SLASH" and not has_index(right):
                d = self.expr(right)
                if d.shape.is_scalar:
                    return [(c, f + [(reciprocal(d), ())]) for c, f in self.index_terms(left)]
        self.fail(
            ParseError,
            "index notation combines indexed factors with + - * and / by a scalar; apply "
            "functions before indexing, e.g. exp(A)[i,j]",
            t,
        )

    def indexed(self, t: Tree) -> tuple[Expr, tuple[str, ...]]:
        base, *names = t.children
        if has_index(base):
            self.fail(ParseError, "an indexed expression cannot be indexed again", t)
        e = self.expr(base)
        dims = e.shape.dims
        idx = tuple(str(n) for n in names)
        if len(idx) != len(dims) or e.shape.is_row and len(idx) != 1:
            self.fail(ShapeError, f"{self.describe(e)} takes {len(dims)} "
                      f"ind{'ex' if len(dims) == 1 else 'ices'}, got {len(idx)}", names[0])
        for n, d in zip(idx, dims):
            if n in self.index_dims:
                self.unifier.unify_dims(self.index_dims[n], d)
            else:
                self.index_dims[n] = d
        return e, idx

    def index_sum(self, index_t, body_t, where) -> Expr:
        """``sum(k, body)``: Σ_k body; k is bound inside body, its range set where it selects."""
        if not (isinstance(index_t, Tree) and index_t.data == "name"):
            self.fail(ParseError, "sum(k, expr) takes an index name first, e.g. "
                      "sum(k, x'*B[k,:]')", index_t)
        k = str(index_t.children[0])
        if k in self.scope:
            self.fail(ParseError, f"index {k} is already bound by an enclosing sum", index_t)
        self.scope[k] = fresh_dim()
        try:
            body = self.expr(body_t)
        finally:
            dim = self.scope.pop(k)
        if not any(isinstance(n, Select) and k in (n.row, n.col) for n in walk(body)):
            self.fail(ParseError, f"sum({k}, ...) never selects with {k}, so its range is "
                      f"unknown; use it to select, as in B[{k},:] or x[{k}]", index_t)
        return IndexSum(k, dim, body)

    def range_sum(self, index_t, first_t, last_t, body_t, where) -> Expr:
        """``sum(r, first, last, body)``: Σ_{r=first}^{last} body, r a whole number bound in
        body (a matrix power's exponent, as in ``X^r*A*X^(k - 1 - r)``); the bounds are
        integer-valued: numbers, or names declared integer."""
        if not (isinstance(index_t, Tree) and index_t.data == "name"):
            self.fail(ParseError, "sum(r, first, last, expr) takes an index name first, e.g. "
                      "sum(r, 0, k - 1, X^r)", index_t)
        r = str(index_t.children[0])
        if r in self.scope or r in self.vars or r in self.ranges:
            self.fail(ParseError, f"{r} is already a name here; sum over a new one", index_t)
        first, last = self.expr(first_t), self.expr(last_t)
        for end, end_t in ((first, first_t), (last, last_t)):
            if not (end.shape.is_scalar and self.integer_valued(end)):
                self.fail(ShapeError, f"the bounds of sum({r}, first, last, ...) are whole "
                          "numbers: numbers, or names declared integer (--types k:integer), "
                          f"got {end}", end_t)
        kinds, self.kinds = self.kinds, {**self.kinds, r: "integer"}
        self.ranges.add(r)
        self.vars[r] = Var(r, SCALAR, integer=True)
        try:
            body = self.expr(body_t)
        finally:
            self.kinds = kinds
            del self.vars[r]
        return RangeSum(r, first, last, body)

    def _indexed(self, t: Tree) -> Expr:
        """``A[k,:]``, ``A[:,k]``, ``A[i,j]``, ``x[k]`` with indices bound by sum(k, ...)."""
        base, *items = t.children
        names = [None if tok.type == "COLON" else str(tok) for tok in items]
        unbound = [n for n in names if n is not None and n not in self.scope]
        if unbound or all(n is None for n in names):
            self.fail(ParseError, (f"index {unbound[0]} is not bound: sum over it with "
                      f"sum({unbound[0]}, ...), or define a tensor T[i,j] = A[i,k]*B[k,j]")
                      if unbound else "select with an index, e.g. B[k,:]", items[0])
        e = self.expr(base)
        dims = e.shape.dims if not e.shape.is_row else (e.shape.cols,)
        if len(names) != len(dims):
            self.fail(ShapeError, f"{self.describe(e)} takes {len(dims)} "
                      f"ind{'ex' if len(dims) == 1 else 'ices'}, got {len(names)}", items[0])
        for n, d in zip(names, dims):
            if n is not None:
                self.unifier.unify_dims(self.scope[n], d)
        if e.shape.is_row:
            e = b.transpose(e)
        return Select(e, names[0], names[1] if len(names) > 1 else None)
