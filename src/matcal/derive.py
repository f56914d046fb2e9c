"""Derivative of an expression with respect to a variable, in its printed form.

The one place where the engine's pieces meet: the derivative in index notation
(:mod:`matcal.differentiate`), read back into matrix notation (:mod:`matcal.matrix_form`) and
simplified (:mod:`matcal.simplify`) when it has at most two axes, else kept in index notation
(:mod:`matcal.tensor_form`). The public API and the derivations (:mod:`matcal.derivation`) both
call it; neither does the assembly itself.
"""

from __future__ import annotations

from matcal.build import add
from matcal.differentiate import derivative_tensor
from matcal.index import Tensor, fresh_for
from matcal.matrix_form import tensor_to_matrix
from matcal.nodes import Expr, Var, Zero, variables
from matcal.shapes import Shape
from matcal.simplify import simplify
from matcal.tensor_form import tensor_to_einsum


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
    if len(tensor.free) > 2 or (terms := tensor_to_matrix(tensor)) is None:
        return tensor_to_einsum(tensor, (var,) * order)
    return simplify(add(*terms)) if terms else Zero(Shape.of(tuple(i.dim for i in tensor.free)))
