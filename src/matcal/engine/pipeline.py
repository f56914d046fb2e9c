"""Derivative of an expression with respect to a variable, in its printed form.

The derivative in index notation (:mod:`matcal.engine.differentiate`), shown through
:func:`matcal.forms.einsum.tensor_to_expr`: in matrix notation, simplified, when it has at most
two axes and one exists, else in index notation. :func:`matcal.result.derive` builds the
result object from it; the derivations (:mod:`matcal.derivation`) read G off each term of a
differential with it.
"""

from __future__ import annotations

from matcal.engine.differentiate import derivative_tensors
from matcal.engine.support import Parts
from matcal.tensor.terms import Tensor, fresh_for
from matcal.core.build import mul
from matcal.core.rebuild import map_bottom_up
from matcal.simplify.sums import count_over
from matcal.core.nodes import (
    DiagMatrix, Einsum, Expr, Identity, IndexSum, MatMul, Number, Ones, Power, SumEntries, Trace,
    Transpose, Var, variables, walk,
)
from matcal.core.shapes import Shape
from matcal.forms.ties import untied_constants
from matcal.forms.einsum import tensor_to_expr


def derivative_of(e: Expr, var: Var, order: int = 1) -> Expr:
    """∂^order e / ∂var^order, laid out as shape(e) + shape(var) × order.

    Matrix notation when the result has at most two axes and one exists, else index notation
    (``dF[i,j]/dX[k,l] = …``); the zero of that layout when ``e`` does not contain ``var``.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(A*X*B)")
    >>> str(derivative_of(e, variables(e)["X"]))
    "A'*B'"
    """
    return printed_form(tensors_of(e, var, order)[-1], e, var, order)


def tensors_of(e: Expr, var: Var, order: int = 1,
               parts: Parts | None = None) -> tuple[Tensor, ...]:
    """The derivatives of orders 1 … ``order`` of ``e`` by ``var`` in index notation, with no
    terms when ``e`` does not contain ``var``; ``parts`` records those of e's parts
    (:func:`matcal.engine.differentiate.derivative_tensors`)."""
    if var.name in variables(e):
        return derivative_tensors(e, var, order, parts)
    return tuple(Tensor(fresh_for(Shape.of(e.shape.dims + var.shape.dims * n)), ())
                 for n in range(1, order + 1))


def printed_form(tensor: Tensor, e: Expr, var: Var, order: int,
                 sources: tuple[Var, ...] = ()) -> Expr:
    """The derivative ``tensor`` (of ``e`` by ``var``, of ``order``) in matrix notation when it
    has at most two axes and one exists, else in index notation; counts of a dimension are
    written through ``var``, the variables of ``e`` or ``sources`` (:func:`sized_counts`)."""
    return sized_counts(tensor_to_expr(tensor, (var,) * order),
                        (var, *variables(e).values(), *sources))


def sized_counts(result: Expr, sources: tuple[Var, ...]) -> Expr:
    """``result`` with each count of a dimension — ``tr(eye)``, ``tr(matrix(1))``,
    ``sum(vector(1))``, which no value sizes once printed — written through a variable of
    ``sources`` that has that axis (``sum(k, y[k]^0)``), so the printed text parses back to
    the same value."""
    taken = {n.index for n in walk(result) if isinstance(n, IndexSum)}
    for node in walk(result):  # the names of index notation, too
        if isinstance(node, Einsum):
            taken |= set(node.out) | {i for t in node.terms for f in t.factors for i in f.idx}
    sources = tuple(sorted(sources, key=lambda v: len(v.shape.dims)))  # y[k] before B[k,:]

    def fix(node: Expr) -> Expr:
        dim = None
        if isinstance(node, Trace) and isinstance(node.arg, Identity):
            dim = node.arg.n
        elif isinstance(node, Trace) and isinstance(node.arg, Ones):  # tr(matrix(1)) = n
            dim = node.arg.shape.rows
        elif (isinstance(node, SumEntries) and isinstance(node.arg, Ones)
              and node.arg.shape.is_vector):
            dim = node.arg.shape.rows
        elif isinstance(node, SumEntries) and isinstance(node.arg, Ones):  # sum(matrix(1)) = m·n
            rows = count_over(node.arg.shape.rows, sources, taken)
            cols = count_over(node.arg.shape.cols, sources, taken | {"k"})
            return mul(rows, cols) if rows is not None and cols is not None else node
        if dim is None:
            return node
        return count_over(dim, sources, taken) or node

    result = map_bottom_up(result, fix)
    untied = untied_constants(result)
    if not untied:
        return result
    table = {c: w for c in untied if (w := _through_source(c, sources)) is not None}
    return map_bottom_up(result, lambda node: table.get(node, node))


def _through_source(c: Expr, sources: tuple[Var, ...]) -> Expr | None:
    """The constant ``c`` written through a variable of ``sources`` of its shape, so that its
    text says what sizes it: ones as ``V.^0``, zeros as ``0*V.^0``, the identity as
    ``diag(v.^0)``; None when no variable has the shape."""
    def ones_like(shape) -> Expr | None:
        for v in sources:
            if v.shape == shape:
                return Power(v, Number(0.0))
            if v.shape == shape.T and not shape.is_vector:
                return Transpose(Power(v, Number(0.0)))
        return None

    if isinstance(c, Identity):
        ones = ones_like(Shape(c.n, None))
        return DiagMatrix(ones) if ones is not None else None
    ones = ones_like(c.shape)
    if ones is None:
        return None
    return ones if isinstance(c, Ones) else MatMul((Number(0.0), ones))
