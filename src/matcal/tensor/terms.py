"""Index (Einstein) notation: the engine's representation of derivatives of any order, and
the index rules that simplify it.

The terms are the one term type of :mod:`matcal.core.terms` (re-exported here): derivatives
of order 3 and 4 are terms with more free indices, nothing more.

Atoms keep matrix expressions whole (``inv(X'*X)[k,l]``), so structurally equal
sub-expressions stay equal without renaming bound indices. :func:`simplify_term` applies the
index rules, a table of named rules (``_index_rule``), reporting each to
:mod:`matcal.core.rewrites`: ``delta_elimination``, ``transpose_to_indices``,
``constant_factor``, ``zero_factor``, ``identity_to_delta``, ``drop_ones``.
"""

from __future__ import annotations

from matcal.core import rewrites
from matcal.core.build import split_coefficient
from matcal.core.nodes import Expr, Identity, Number, Ones, Trace, Transpose, Zero
from matcal.core.shapes import Shape
from matcal.core.terms import (  # noqa: F401 - the engine's names for the one term type
    Atom, Delta, Factor, Index, Tensor, Term, fresh, fresh_for, indices_of,
)


def atom(expr: Expr, idx: tuple[Index, ...]) -> Term:
    """The one-factor term ``expr[idx]``, its numeric coefficient pulled out."""
    c, rest = split_coefficient(expr)
    if isinstance(rest, Number) and rest.value == 1:
        return Term(c, ())
    return Term(c, (Atom(rest, idx),))


def _rename(f: Factor, old: Index, new: Index) -> Factor:
    swap = tuple(new if i == old else i for i in indices_of(f))
    return Atom(f.expr, swap) if isinstance(f, Atom) else Delta(*swap)


def simplify_term(term: Term, free: tuple[Index, ...]) -> Term | None:
    """Apply the index rules to one term until none applies; None when the term is zero.
    Each rule that fires is reported to :mod:`matcal.core.rewrites` under its name."""
    coeff = term.coeff
    factors = list(term.factors)
    free_set = set(free)
    while coeff != 0:
        step = None
        for n, f in enumerate(factors):
            step = _index_rule(f, factors, n, free_set)
            if step is not None:
                break
        if step is None:
            return Term(coeff, tuple(factors))
        name, c, new = step
        if rewrites.active():
            rewrites.fired(name, Tensor(free, (Term(coeff, tuple(factors)),)),
                           Tensor(free, (Term(coeff * c, tuple(new)),) if c else ()))
        coeff, factors = coeff * c, new
    return None


def _index_rule(f: Factor, factors: list[Factor], n: int, free: set[Index]):
    """(rule name, factor of the coefficient, the new factors) of the first index rule that
    applies to factor ``n``; None when none does."""
    rest = factors[:n] + factors[n + 1 :]
    if isinstance(f, Delta):
        replaced = _eliminate_delta(f, factors, n, free)
        return None if replaced is None else ("delta_elimination", 1.0, replaced)
    e = f.expr
    if isinstance(e, Zero):
        return "zero_factor", 0.0, rest
    if isinstance(e, Transpose):  # A'[i,j] = A[j,i]
        return "transpose_to_indices", 1.0, _put(factors, n, Atom(e.arg, tuple(reversed(f.idx))))
    if isinstance(e, Identity):  # I[i,j] = δ[i,j]
        return "identity_to_delta", 1.0, _put(factors, n, Delta(*f.idx))
    if isinstance(e, Number):
        return "constant_factor", e.value, rest
    c, plain = split_coefficient(e)
    if c != 1:  # (c·A)[i,j] = c·A[i,j]
        return "constant_factor", c, _put(factors, n, Atom(plain, f.idx))
    if isinstance(e, Ones) and _covered(f, factors, n):  # 1[i] = 1 where i is elsewhere
        return "drop_ones", 1.0, rest
    return None


def _put(factors: list[Factor], n: int, new: Factor) -> list[Factor]:
    out = list(factors)
    out[n] = new
    return out


def _covered(f: Atom, factors: list[Factor], n: int) -> bool:
    """Every index of ``f`` also appears in another factor."""
    others = {i for m, g in enumerate(factors) if m != n for i in indices_of(g)}
    return all(i in others for i in f.idx)


def _eliminate_delta(d: Delta, factors: list[Factor], n: int, free: set[Index]):
    """delta_elimination: Σ_j A[..j..] δ[i,j] = A[..i..]. None when ``d`` must stay."""
    rest = factors[:n] + factors[n + 1 :]
    if d.a == d.b:
        i = d.a
        if any(i in indices_of(g) for g in rest):
            return rest
        if i in free:
            return rest + [Atom(Ones(Shape(i.dim, None)), (i,))]
        return rest + [Atom(Trace(Identity(i.dim)), ())]
    if d.b not in free:
        old, new = d.b, d.a
    elif d.a not in free:
        old, new = d.a, d.b
    else:
        return None
    out = [_rename(g, old, new) for g in rest]
    if not any(new in indices_of(g) for g in out):  # Σ_old δ[old,new] = 1 for every new
        out.append(Atom(Ones(Shape(new.dim, None)), (new,)) if new in free
                   else Atom(Trace(Identity(new.dim)), ()))
    return out


def simplify_tensor(t: Tensor) -> Tensor:
    """Every term through :func:`simplify_term`; zero terms dropped."""
    terms = [simplify_term(term, t.free) for term in t.terms]
    return Tensor(t.free, tuple(term for term in terms if term is not None))
