"""Index notation → matrix notation: read a matrix expression back off the indices.

This is the last step of Traa's method (seed 000, eq. 8–9: "the indices of the rows and
columns must be j and k … so we have to transpose"). A term is a product of indexed factors;
it is reduced pairwise, by named rules, until one factor carries exactly the free indices:

- ``contraction``: an index shared by two factors and summed — Σ_k P_ak Q_kb = [PQ]_ab, with
  transposes to bring k inside (Traa eq. 4);
- ``trace`` / ``diagonal``: a factor P_aa — tr P when a is summed, else diag(P)_a;
- ``hadamard``: two factors on the same indices — P_ab Q_ab = [P ⊙ Q]_ab (Traa eq. 30);
- ``row_sum``: an index in one factor only, summed — Σ_k P_ak = [P 1]_a (Traa eq. 33), and
  Σ_ab P_ab = sum(P) when both are;
- ``diagonal_scaling``: a vector sharing a kept index with a matrix — v_a P_ab = [diag(v) P]_ab;
- ``outer``: two vectors on the two free indices — v_a w_b = [v wᵀ]_ab.

Contractions go first: they give the shortest forms (``diag(B*A)`` rather than
``(A'.*B)*vector(1)``). :func:`term_to_matrix` returns None when no matrix form exists (e.g.
results with more than two free indices, or a factor with more than two); the caller then
keeps index notation. Each reduction, and the final read-off, is reported to
:mod:`matcal.core.rewrites` under its rule's name.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

from matcal.core.build import (
    diag_matrix, diag_vector, hadamard, mul, number, total, trace, transpose,
)
from matcal.core import rewrites
from matcal.core.rule_tables import NamedRule, identity_in
from matcal.tensor.terms import Atom, Delta, Index, Tensor, Term
from matcal.core.nodes import Expr, Identity, Ones
from matcal.core.shapes import Shape

Item = tuple[Expr, tuple[Index, ...]]


def reduce_term(term: Term, free: tuple[Index, ...]) -> tuple[list[Expr], list[Item]]:
    """Apply the reduction rules until none fits: (scalar factors, remaining indexed factors)."""
    items = _items(term)
    scalars: list[Expr] = [number(term.coeff)]
    while True:
        scalars += [e for e, ix in items if not ix]
        items = [(e, ix) for e, ix in items if ix]
        step = _reduce_named(items, free)
        if step is None:
            return scalars, items
        if rewrites.active():
            rewrites.fired(step[0], _as_tensor(items, free), _as_tensor(step[1], free))
        items = step[1]


def _as_tensor(items: list[Item], free: tuple[Index, ...]) -> Tensor:
    """Items as the one-term tensor they stand for (what a rewrite check evaluates)."""
    return Tensor(free, (Term(1.0, tuple(Atom(e, ix) for e, ix in items)),))


def reduction_steps(
    term: Term, free: tuple[Index, ...]
) -> Iterator[tuple[str, list[Item], list[Item]]]:
    """The reductions :func:`reduce_term` makes, one rule application at a time.

    Args:
        term: a term in index notation (its coefficient is left out of the items).
        free: the free indices, in the order of the result's axes.

    Yields:
        (rule, before, after): the name of the rule (``trace``, ``diagonal``, ``contraction``,
        ``hadamard``, ``row_sum``, ``diagonal_scaling``) and the term's factors before and
        after it, as (matrix expression, indices) items; a scalar factor has no indices.
        What is left after the last step is what :func:`term_to_matrix` assembles.

    Source: Traa, seed 000, eq. 8 (Σ_i A_ij B_ki = [BA]_kj).

    >>> from matcal.tensor.terms import Atom, fresh
    >>> from matcal.core.nodes import Var
    >>> from matcal.core.shapes import Dim, Shape
    >>> m = Dim("m")
    >>> A, B = Var("A", Shape(m, m)), Var("B", Shape(m, m))
    >>> i, j, k = fresh(m), fresh(m), fresh(m)
    >>> [(rule, str(after[0][0])) for rule, _, after in
    ...  reduction_steps(Term(1.0, (Atom(B, (k, i)), Atom(A, (i, j)))), (j, k))]
    [('contraction', 'B*A')]
    """
    scalars: list[Item] = []
    items = _items(term)
    while True:
        scalars += [(e, ix) for e, ix in items if not ix]
        items = [(e, ix) for e, ix in items if ix]
        step = _reduce_named(items, free)
        if step is None:
            return
        name, new = step
        yield name, scalars + items, scalars + new
        items = new


def term_to_matrix(term: Term, free: tuple[Index, ...]) -> Expr | None:
    """The term as a matrix expression whose axes are ``free`` (≤ 2); None if none exists."""
    scalars, items = reduce_term(term, free)
    core = _assemble(items, free)
    if core is None:
        return None
    out = mul(*scalars, core)
    if rewrites.active():
        rewrites.fired("read_off", Tensor(free, (term,)), out)
    return out


def tensor_to_matrix(t: Tensor) -> list[Expr] | None:
    """Every term of ``t`` in matrix form, or None if some term has none."""
    out = []
    for term in t.terms:
        m = term_to_matrix(term, t.free)
        if m is None:
            return None
        out.append(m)
    return out


def _items(term: Term) -> list[Item]:
    """The factors of ``term`` as items: δ as the identity, row vectors as columns."""
    items: list[Item] = []
    for f in term.factors:
        if isinstance(f, Delta):
            items.append((Identity(f.a.dim), (f.a, f.b)))
        else:
            items.append(_column(f))
    return items


def _column(a: Atom) -> Item:
    """A one-index factor as a column vector (row vectors are transposed)."""
    if len(a.idx) == 1 and a.expr.shape.is_row:
        return transpose(a.expr), a.idx
    return a.expr, a.idx


def _counts(items: list[Item], free: tuple[Index, ...]) -> Counter:
    c = Counter(i for _, ix in items for i in ix)
    c.update(free)
    return c


REDUCTIONS: list[NamedRule] = []
"""The read-back rules, in the order they are tried (contractions before the rest: they give
the shortest forms); ``fn(items, free, occ)`` → the items after one application (``occ``: how
often each index occurs), or None."""


def reduction(name: str, identity: str):
    """Register ``fn`` as the next read-back rule."""
    def register(fn):
        REDUCTIONS.append(NamedRule(name, identity, fn))
        return fn

    return register


def identity_of(name: str) -> str:
    """The identity of the read-back rule called ``name``.

    >>> identity_of("trace")
    'Σ_a P_aa = tr(P)'
    """
    return identity_in(REDUCTIONS, name)


def _reduce_named(items: list[Item], free: tuple[Index, ...]) -> tuple[str, list[Item]] | None:
    """(rule name, items) after the first read-back rule that fits; None when none does."""
    if any(len(ix) > 2 for _, ix in items):  # a tensor factor: no matrix rule applies
        return None
    occ = _counts(items, free)
    for r in REDUCTIONS:
        out = r.fn(items, free, occ)
        if out is not None:
            return r.name, out
    return None


@reduction("trace", "Σ_a P_aa = tr(P)")
def _trace(items, free, occ):
    """Σ_a P_aa = tr(P): a factor on a repeated index that occurs nowhere else."""
    for n, (e, ix) in enumerate(items):
        if len(ix) == 2 and ix[0] == ix[1] and occ[ix[0]] == 2:
            return items[:n] + [(trace(e), ())] + items[n + 1 :]
    return None


@reduction("diagonal", "P_aa = [diag(P)]_a")
def _diagonal(items, free, occ):
    """P_aa = [diag(P)]_a: a factor on a repeated index that is kept or occurs elsewhere."""
    for n, (e, ix) in enumerate(items):
        if len(ix) == 2 and ix[0] == ix[1]:
            return items[:n] + [(diag_vector(e), (ix[0],))] + items[n + 1 :]
    return None


@reduction("contraction", "Σ_k P_ak Q_kb = [PQ]_ab (Traa eq. 4), transposing to bring k inside")
def _contraction(items, free, occ):
    """Σ_k P_ak Q_kb = [PQ]_ab (Traa eq. 4): an index two factors share, summed."""
    for p, (e, ix) in enumerate(items):
        for k in ix:
            if occ[k] != 2 or k in free:
                continue
            for q in range(p + 1, len(items)):
                if k in items[q][1]:
                    return _contract(items, p, q, k)
    return None


@reduction("hadamard", "P_ab Q_ab = [P ⊙ Q]_ab (Traa eq. 30)")
def _hadamard(items, free, occ):
    """P_ab Q_ab = [P ⊙ Q]_ab (Traa eq. 30): two factors on the same indices."""
    for p in range(len(items)):
        for q in range(p + 1, len(items)):
            (e, ix), (g, jx) = items[p], items[q]
            if set(ix) == set(jx) and len(set(ix)) == len(ix):
                g = g if jx == ix else transpose(g)
                return _replace(items, p, q, (hadamard(e, g), ix))
    return None


@reduction("row_sum", "Σ_k P_ak = [P 1]_a (Traa eq. 33)")
def _row_sums(items, free, occ):
    """Σ_k P_ak = [P 1]_a (Traa eq. 33): an index in one factor only, summed; Σ_ab P_ab =
    sum(P) when both are."""
    for n, (e, ix) in enumerate(items):
        if all(occ[k] == 1 and k not in free for k in ix):  # Σ_ab P_ab = sum(P)
            return items[:n] + [(total(e), ())] + items[n + 1 :]
        for pos, k in enumerate(ix):
            if occ[k] == 1 and k not in free:
                return items[:n] + [_row_sum(e, ix, pos)] + items[n + 1 :]
    return None


@reduction("diagonal_scaling", "v_a P_ab = [diag(v) P]_ab")
def _diagonal_scaling(items, free, occ):
    """v_a P_ab = [diag(v) P]_ab: a vector sharing a kept index with a matrix."""
    for p, (v, vx) in enumerate(items):
        if len(vx) != 1:
            continue
        for q, (m, mx) in enumerate(items):
            if len(mx) == 2 and vx[0] in mx:
                scaled = mul(diag_matrix(v), m) if mx[0] == vx[0] else mul(m, diag_matrix(v))
                return _replace(items, q, p, (scaled, mx))
    return None


def _replace(items: list[Item], keep: int, drop: int, new: Item) -> list[Item]:
    out = list(items)
    out[keep] = new
    del out[drop]
    return out


def _contract(items: list[Item], p: int, q: int, k: Index) -> list[Item]:
    """Σ_k P_..k Q_k.. as one matrix product, oriented so k is inner."""
    (e, ix), (g, jx) = items[p], items[q]
    left = e if len(ix) == 2 and ix[1] == k else transpose(e)  # k as the column index
    right = g if len(jx) == 1 or jx[0] == k else transpose(g)  # k as the row index
    a, b = _other(ix, k), _other(jx, k)
    product = mul(left, right)
    if a is None and b is not None:
        product = transpose(product)  # a row vector: keep vectors as columns
    new = (product, tuple(i for i in (a, b) if i is not None))
    return _replace(items, p, q, new)


def _other(ix: tuple[Index, ...], k: Index) -> Index | None:
    rest = [i for i in ix if i != k]
    return rest[0] if rest else None


def _row_sum(e: Expr, ix: tuple[Index, ...], pos: int) -> Item:
    """Σ_k P_ak = [P 1]_a (Traa eq. 33); a vector sums to a scalar."""
    k = ix[pos]
    if len(ix) == 1:
        return total(e), ()
    ones = Ones(Shape(k.dim, None))
    if pos == 1:
        return mul(e, ones), (ix[0],)
    return mul(transpose(e), ones), (ix[1],)


def _assemble(items: list[Item], free: tuple[Index, ...]) -> Expr | None:
    """The remaining factors laid out along ``free``; None if they do not fit."""
    if not free:
        return number(1.0) if not items else None
    if len(items) == 1:
        e, ix = items[0]
        if ix == free:
            return e
        if len(free) == 2 and ix == (free[1], free[0]):
            return transpose(e)
        return None
    if len(free) == 2 and len(items) == 2:
        (e, ix), (g, jx) = items
        if len(ix) == 1 and len(jx) == 1:
            if (ix[0], jx[0]) == free:
                return mul(e, transpose(g))
            if (jx[0], ix[0]) == free:
                return mul(g, transpose(e))
    return None
