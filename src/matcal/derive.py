"""Derivative of an expression with respect to a variable, in its printed form.

The derivative in index notation (:mod:`matcal.differentiate`), shown through
:func:`matcal.tensor_form.tensor_to_expr`: in matrix notation, simplified, when it has at most
two axes and one exists, else in index notation. The public API and the derivations
(:mod:`matcal.derivation`) both call it.
"""

from __future__ import annotations

from matcal.differentiate import derivative_tensor
from matcal.index import Tensor, fresh_for
from matcal.nodes import Expr, Var, variables
from matcal.shapes import Shape
from matcal.tensor_form import tensor_to_expr


def derivative_of(e: Expr, var: Var, order: int = 1) -> Expr:
    """∂^order e / ∂var^order, laid out as shape(e) + shape(var) × order.

    Matrix notation when the result has at most two axes and one exists, else index notation
    (``dF[i,j]/dX[k,l] = …``); the zero of that layout when ``e`` does not contain ``var``.

    >>> from matcal.parse import parse
    >>> e = parse("tr(A*X*B)")
    >>> str(derivative_of(e, variables(e)["X"]))
    "A'*B'"
    """
    if var.name in variables(e):
        tensor = derivative_tensor(e, var, order)
    else:
        tensor = Tensor(fresh_for(Shape.of(e.shape.dims + var.shape.dims * order)), ())
    return tensor_to_expr(tensor, (var,) * order)
