"""The one term type: coefficient × indexed factors, summed over the indices not free.

A :class:`Tensor` is a sum of :class:`Term` s over free indices, each term a numeric
coefficient times a product of factors, summed over every index that is not free (einsum
semantics; an index may appear in any number of factors). A factor is an :class:`Atom` — a
matrix expression indexed by 0, 1 or 2 indices, ``A[i,j]``, ``x[i]``, ``det(X)[]`` — or a
Kronecker :class:`Delta` ``δ[i,j]``. This is the representation of Laue, Mitterreiter &
Giesen (NeurIPS 2018) and of Traa's index method (seed 000, eq. 4–12).

Every stage uses these types: the engine (:mod:`matcal.engine.differentiate`) with
:class:`Index` objects, which are unique and so never capture one another; the index
notation of the input language and of printed results (:class:`matcal.core.nodes.Einsum`),
whose indices are their names (``"i"``, ``"j"``); the matrix read-back
(:mod:`matcal.forms.matrix`) and both derivation methods (:mod:`matcal.derivation`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Iterator, Union

from matcal.core.shapes import Dim, Shape

_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Index:
    """A named index ranging over ``dim``; ``id`` makes it unique."""

    id: int
    dim: Dim

    def __repr__(self) -> str:
        return f"i{self.id}"


def fresh(dim: Dim) -> Index:
    """A new index over ``dim``, unequal to every other."""
    return Index(next(_ids), dim)


def fresh_for(shape: Shape) -> tuple[Index, ...]:
    """Fresh indices for the axes of ``shape`` (none for a scalar)."""
    return tuple(fresh(d) for d in shape.dims)


Label = Union[Index, str]
"""An index: an :class:`Index` in the engine, its name in index notation as written."""


@dataclass(frozen=True, slots=True)
class Atom:
    """A matrix expression indexed: ``expr[idx]`` (idx follows ``expr.shape.dims``). It
    unpacks as ``expr, idx``."""

    expr: Expr  # noqa: F821 - a matcal.core.nodes.Expr (nodes imports this module)
    idx: tuple[Label, ...]

    def __iter__(self) -> Iterator:
        return iter((self.expr, self.idx))


@dataclass(frozen=True, slots=True)
class Delta:
    """Kronecker delta ``δ[a,b]``: 1 where a = b, else 0."""

    a: Label
    b: Label


Factor = Union[Atom, Delta]


def indices_of(f: Factor) -> tuple[Label, ...]:
    """The indices of a factor, in order."""
    return f.idx if isinstance(f, Atom) else (f.a, f.b)


@dataclass(frozen=True, slots=True)
class Term:
    """``coeff`` times the product of ``factors``, summed over indices not free."""

    coeff: float
    factors: tuple[Factor, ...]

    def times(self, c: float, *factors: Factor) -> Term:
        """This term times ``c`` and ``factors``."""
        return Term(self.coeff * c, self.factors + factors)


@dataclass(frozen=True, slots=True)
class Tensor:
    """Sum of terms with free indices ``free`` (in the order of the result's axes)."""

    free: tuple[Index, ...]
    terms: tuple[Term, ...]
