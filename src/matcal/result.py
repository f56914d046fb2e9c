"""The result of a derivative: :class:`Derivative`, what every consumer takes.

A derivative is computed once (:func:`derive`) and carries what it came from — the expression
f, the variable X, the order, the tensor in index notation and the sizes it needs — so
evaluating, checking, explaining or printing it never derives again. Layout: shape(f) +
shape(X) × order, as ``jax.jacobian`` lays it out (the gradient of a scalar is shaped like X).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from matcal.engine.pipeline import printed_form, sized_counts, tensors_of
from matcal.engine.power_series import needs_series, series_gradient
from matcal.engine.support import Parts
from matcal.core.errors import DerivativeError
from matcal.tensor.terms import Atom, Tensor, Term, fresh_for
from matcal.forms.kron import vec_form
from matcal.core.nodes import Expr, Var, variables
from matcal.printing import to_latex
from matcal.core.shapes import Shape


@dataclass(frozen=True, eq=False)
class Derivative:
    """∂^order f / ∂X^order, in closed matrix form when one exists, else in index notation.

    Attributes:
        expression: f, the expression differentiated.
        wrt: the variable X.
        order: 1 (gradient, Jacobian), 2 (Hessian), 3, …
        tensor: the derivative in index notation (free indices: those of f, then X's per
            order).
        form: the derivative as an expression: matrix notation (``A'*B'``) with at most two
            axes when it has one, else index notation (``dF[i,j]/dX[k,l] = …``). Its text
            parses back to an expression of the same value.
        sizes: variables whose values size the constants of ``form`` that no variable in it
            sizes (``eye`` in ∂X/∂X, the zero gradient of an absent variable).

    It compares equal to its form. ``str()`` is the text of ``form`` and :meth:`to_latex` its
    LaTeX; :attr:`shape` its symbolic shape; :attr:`vec` the Kronecker form; :meth:`as_dict`
    the JSON record of the ``matcal --json`` command.

    >>> from matcal.api import gradient
    >>> gradient("norm2(A*x - b)^2", "x", {"b": "vector"})
    Derivative("2*A'*(A*x - b)", wrt='x')
    """

    expression: Expr
    wrt: Var
    order: int
    tensor: Tensor
    form: Expr
    sizes: tuple[Var, ...]
    lower_tensors: tuple[Tensor, ...] = ()
    """The derivatives of orders 1 … order − 1, from the same differentiation."""
    parts: Mapping[Expr, Tensor] = field(default_factory=dict)
    """The first derivative of f and of each part of f differentiation went through (node →
    ∂node/∂X in index notation), which derivations read dU off."""

    @property
    def shape(self) -> Shape:
        """The symbolic shape, shape(f) + shape(X) × order (matrix notation keeps vectors as
        columns and drops the axes of scalars)."""
        return self.form.shape

    @functools.cached_property
    def lower(self) -> Expr:
        """The derivative of order − 1 as an expression (f itself for order 1), which
        ``check_derivative`` differences."""
        if self.order == 1:
            return self.expression
        return printed_form(self.lower_tensors[-1], self.expression, self.wrt, self.order - 1,
                            self.sizes)

    @functools.cached_property
    def vec(self) -> Expr | None:
        """∂vec(F)/∂vec(X)ᵀ as a sum of Kronecker products (vec stacks columns; Magnus &
        Neudecker; Matrix Cookbook §10.2.2); for a Hessian F is the gradient. None when some
        term is no Kronecker product (∂X'/∂X), the order is above 2, or X is a scalar."""
        if (self.wrt.name not in variables(self.expression) or self.order not in (1, 2)
                or not self.wrt.shape.dims):
            return None
        return vec_form(self.tensor, len(self.wrt.shape.dims))

    def to_latex(self) -> str:
        """The derivative in LaTeX, in the notation of the seed notes."""
        return to_latex(self.form)

    def _repr_latex_(self) -> str:
        """Jupyter's rich display: the derivative typeset (``$...$``)."""
        return f"${self.to_latex()}$"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the text of the derivative and its LaTeX."""
        return {"text/plain": str(self), "text/latex": self._repr_latex_()}

    def as_dict(self) -> dict[str, Any]:
        """The JSON record ``matcal --json`` prints: ``expression``, ``wrt``, ``derivative``,
        ``latex``, ``shapes`` (name → kind and symbolic shape) and, for a derivative of three or
        more axes with a Kronecker form, ``vec_form``."""
        record: dict[str, Any] = {
            "expression": str(self.expression),
            "wrt": self.wrt.name,
            "derivative": str(self),
            "latex": self.to_latex(),
            "shapes": shapes(self.expression),
        }
        if len(self.shape.dims) >= 3 and self.vec is not None:
            record["vec_form"] = str(self.vec)
        return record

    def __eq__(self, other: object) -> bool:
        """Equal to a derivative of equal form by the same variable and order, and to an
        expression equal to its form (``gradient("tr(A*X)", "X") == parse("A'")``)."""
        if isinstance(other, Derivative):
            return (self.form, self.wrt, self.order) == (other.form, other.wrt, other.order)
        if isinstance(other, Expr):
            return self.form == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.form)

    def __str__(self) -> str:
        return str(self.form)

    def __repr__(self) -> str:
        order = f", order={self.order}" if self.order != 1 else ""
        return f"Derivative({str(self)!r}, wrt={self.wrt.name!r}{order})"


class Derivatives(Mapping[str, Derivative]):
    """The derivatives of one expression by several variables, one :class:`Derivative` each,
    in the order the variables were named: ``gradient("norm2(W*x + b - y)^2", ["W", "b"])``.

    A read-only mapping name → Derivative. ``str()`` prints one line per variable,
    ``W: 2*(W*x + b - y)*x'``; :meth:`as_dict` is the ``--json`` record, with one entry per
    variable under ``derivatives``.
    """

    def __init__(self, items: Mapping[str, Derivative]):
        self._items = dict(items)

    def __getitem__(self, name: str) -> Derivative:
        return self._items[name]

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def as_dict(self) -> dict[str, Any]:
        """``expression``, ``wrt`` (the names), ``shapes``, and under ``derivatives`` each
        variable's record (as :meth:`Derivative.as_dict`, without the shared entries)."""
        first = next(iter(self._items.values()))
        shared = {"expression", "wrt", "shapes"}
        return {
            "expression": str(first.expression),
            "wrt": list(self._items),
            "derivatives": {name: {k: v for k, v in d.as_dict().items() if k not in shared}
                            for name, d in self._items.items()},
            "shapes": shapes(first.expression),
        }

    def __str__(self) -> str:
        return "\n".join(f"{name}: {d}" for name, d in self._items.items())

    def _repr_latex_(self) -> str:
        """Jupyter's rich display: one typeset line per variable."""
        lines = r" \\ ".join(rf"\mathbf{{{name}}}: & {d.to_latex()}"
                              for name, d in self._items.items())
        return rf"$\begin{{aligned}} {lines} \end{{aligned}}$"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the text (a line per variable) and its LaTeX."""
        return {"text/plain": str(self), "text/latex": self._repr_latex_()}

    def __repr__(self) -> str:
        return f"Derivatives({', '.join(f'{n}={str(d)!r}' for n, d in self._items.items())})"


def derive(e: Expr, var: Var, order: int = 1, sizes: tuple[Var, ...] = ()) -> Derivative:
    """∂^order e / ∂var^order as a :class:`Derivative`, differentiated once.

    Args:
        e: the expression f.
        var: the variable X (need not occur in f: the derivative is then zero).
        order: at least 1.
        sizes: further variables that size constants of f (those folded away as it was
            parsed, or those of the derivative f came from).

    The gradient of a scalar through a matrix power with a symbolic exponent, which the
    engine refuses (k terms), is the sum over a range of :mod:`matcal.engine.power_series`.

    Raises:
        DerivativeError: the derivative has too many terms (``MAX_TERMS``); a derivative
            beyond the gradient through a symbolic power.
    """
    parts: Parts = {}
    sources = tuple(dict.fromkeys((*variables(e).values(), var, *sizes)))
    try:
        tensors = tensors_of(e, var, order, parts)
    except DerivativeError:  # B^k with a symbolic k outside tr: a sum over a range
        if not (order == 1 and e.shape.is_scalar and needs_series(e, var)):
            raise
        form = sized_counts(series_gradient(e, var), sources)
        own = fresh_for(var.shape)
        return Derivative(e, var, 1, Tensor(own, (Term(1.0, (Atom(form, own),)),)), form,
                          sources)
    form = printed_form(tensors[-1], e, var, order, sizes)
    return Derivative(e, var, order, tensors[-1], form, sources, tensors[:-1],
                      MappingProxyType(parts))


def kind_of(var: Var) -> str:
    """The kind of a variable, as ``--types`` names it: scalar, vector, matrix, square (a
    matrix n×n, declared or by its use: X in tr(X)), symmetric or integer."""
    if var.symmetric:
        return "symmetric"
    if var.integer:
        return "integer"
    if var.shape.is_square:
        return "square"
    return ("scalar", "vector", "matrix")[len(var.shape.dims)]


def shapes(expr: Expr) -> dict[str, dict[str, Any]]:
    """name → {"kind": ..., "shape": [dims]} for every variable of ``expr``."""
    return {
        name: {"kind": kind_of(var), "shape": [str(d) for d in var.shape.dims]}
        for name, var in variables(expr).items()
    }
