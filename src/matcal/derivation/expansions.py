"""The expansions of the index method: each construct of f written in index notation, as
Traa writes f = Σ_i Σ_j Σ_k A_ij X_jk B_ki (seed 000, eq. 4–12, 29).

A table of named rules, one entry per node class: the name a derivation step carries, the
identity it applies (with its source), and the function that writes ``e[ix]`` as terms of
indexed factors. :func:`expansion` finds the entry that fits.
"""

from __future__ import annotations

from matcal.core.nodes import (
    Add, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, MatMul, SumEntries, Trace,
    Transpose, Var,
)
from matcal.core.rule_tables import NamedRule, identity_in, registers
from matcal.core.terms import Index, fresh, fresh_for
from matcal.engine.support import chain_indices, names_in
from matcal.tensor.terms import atom

Alternative = tuple[float, list[tuple[Expr, tuple[Index, ...]]]]
"""A term of an expansion: its coefficient and its factors, (expression, indices) each."""


EXPANSIONS: dict[type, NamedRule] = {}
"""Node class → the expansion that writes it in index notation: ``fn(e, ix)`` → the terms of
``e[ix]``."""


def expands(name: str, identity: str, *classes: type):
    """Register ``fn`` as the expansion of ``classes``."""
    return registers(EXPANSIONS, name, identity, *classes)


def identity_of(name: str) -> str:
    """The identity of the expansion called ``name``.

    >>> identity_of("product_index")
    '[PQ]_ik = Σ_j P_ij Q_jk (Traa eq. 4)'
    """
    return identity_in(EXPANSIONS.values(), name)


def expansion(e: Expr, ix: tuple[Index, ...], var: Var) -> tuple[str, list[Alternative]] | None:
    """The rule that writes ``e[ix]`` in index notation and the terms it gives; None if none
    does. A transpose always expands; anything else only where it depends on X."""
    found = EXPANSIONS.get(type(e))
    if found is None or (not isinstance(e, Transpose) and var.name not in names_in(e)):
        return None
    return found.name, found.fn(e, ix)


@expands("transpose_to_indices", "[Pᵀ]_ij = P_ji", Transpose)
def _transpose(e: Transpose, ix):
    """[Pᵀ]_ij = P_ji."""
    return [(1.0, [(e.arg, tuple(reversed(ix)))])]


@expands("trace_index", "tr(P) = Σ_i P_ii", Trace)
def _trace(e: Trace, ix):
    """tr(P) = Σ_i P_ii."""
    i = fresh(e.arg.shape.rows)
    return [product([(e.arg, (i, i))])]


@expands("product_index", "[PQ]_ik = Σ_j P_ij Q_jk (Traa eq. 4)", MatMul)
def _matmul(e: MatMul, ix):
    """[PQ]_ik = Σ_j P_ij Q_jk (Traa eq. 4)."""
    return [product(list(zip(e.factors, chain_indices(e.factors, ix))))]


@expands("hadamard_index", "[P ⊙ Q]_ij = P_ij Q_ij", Hadamard)
def _hadamard(e: Hadamard, ix):
    """[P ⊙ Q]_ij = P_ij Q_ij (a scalar factor carries no indices)."""
    return [product([(f, () if f.shape.is_scalar else ix) for f in e.factors])]


@expands("linearity", "[P + Q]_ij = P_ij + Q_ij", Add)
def _add(e: Add, ix):
    """[P + Q]_ij = P_ij + Q_ij."""
    return [product([(t, ix)]) for t in e.terms]


@expands("sum_index", "sum(P) = Σ_i Σ_j P_ij", SumEntries)
def _sum(e: SumEntries, ix):
    """sum(P) = Σ_i Σ_j P_ij."""
    return [product([(e.arg, fresh_for(e.arg.shape))])]


_DIAG = "[diag(x)]_ij = x_i δ_ij (Traa eq. 29); [diag(P)]_i = P_ii"


@expands("diag_index", _DIAG, DiagMatrix)
def _diag_matrix(e: DiagMatrix, ix):
    """[diag(x)]_ij = x_i δ_ij (Traa eq. 29)."""
    c, pairs = product([(e.arg, ix[:1])])
    return [(c, pairs + [(Identity(ix[0].dim), ix)])]


@expands("diag_index", _DIAG, DiagVector)
def _diag_vector(e: DiagVector, ix):
    """[diag(P)]_i = P_ii."""
    return [product([(e.arg, (ix[0], ix[0]))])]


@expands("index_notation", "indices not on the left are summed", Einsum)
def _einsum(e: Einsum, ix):
    """T[i,j] = Σ_k … : indices not on the left are summed (the summation convention)."""
    out = []
    for term in e.terms:
        names = dict(zip(e.out, ix))
        for f in term.factors:
            for n, d in zip(f.idx, f.expr.shape.dims):
                names.setdefault(n, fresh(d))
        c, pairs = product([(f.expr, tuple(names[n] for n in f.idx)) for f in term.factors])
        out.append((term.coeff * c, pairs))
    return out


def product(pairs) -> Alternative:
    """Factors (expression, indices), their numeric coefficients pulled out."""
    coeff, out = 1.0, []
    for e, ix in pairs:
        a = atom(e, ix)
        coeff *= a.coeff
        out += [(f.expr, f.idx) for f in a.factors]
    return coeff, out
