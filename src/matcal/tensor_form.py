"""Index notation as an expression: the printed form of derivatives no matrix notation holds.

A :class:`~matcal.index.Tensor` becomes an :class:`~matcal.nodes.Einsum` node whose text is
``T[i,j,k,l] = inv(X)[i,k]*inv(X)[l,j]`` — in the input language, so it parses back. Each
term is first reduced as far as matrix notation goes (:func:`matcal.matrix_form.reduce_term`:
chains become products, ``A[i,k]*B[k,j]`` becomes ``(A*B)[i,j]``); what is left keeps its
indices. Free indices are named i, j, k, l, … in the order of the result's axes; summed
indices take the next free letters.
"""

from __future__ import annotations

import itertools

from matcal.build import numeric_value
from matcal.index import Index, Tensor
from matcal.matrix_form import reduce_term
from matcal.nodes import Einsum, Identity, IndexFactor, IndexTerm

_LETTERS = "ijklpqrstuvwabcdefgh"


def _names():
    yield from _LETTERS
    for n in itertools.count(1):
        yield f"i{n}"


def tensor_to_einsum(t: Tensor) -> Einsum:
    """``t`` as an index-notation expression, laid out along ``t.free``."""
    names = _names()
    label: dict[Index, str] = {i: next(names) for i in t.free}
    summed_pool = list(itertools.islice(names, 64))
    terms = []
    for term in t.terms:
        scalars, items = reduce_term(term, t.free)
        local = dict(label)
        pool = iter(summed_pool)

        def name(i: Index) -> str:
            if i not in local:
                local[i] = next(pool)
            return local[i]

        coeff = 1.0
        factors: list[IndexFactor] = []
        for s in scalars:
            v = numeric_value(s)
            if v is not None:
                coeff *= v
            else:
                factors.append(IndexFactor(s, ()))
        for e, ix in items:
            factors.append(IndexFactor(e, tuple(name(i) for i in ix)))
        terms.append(_canonical(IndexTerm(coeff, tuple(factors)), set(label.values())))
    return Einsum(tuple(label[i] for i in t.free), tuple(i.dim for i in t.free), _collect(terms))


def _canonical(term: IndexTerm, free: set[str]) -> IndexTerm:
    """Factors in a fixed order, δ's indices sorted, summed indices renamed in order of
    appearance — so equal terms compare equal (``collect_like_terms`` in index form)."""

    def key(f: IndexFactor):
        idx = tuple(sorted(f.idx)) if isinstance(f.expr, Identity) else f.idx
        return (str(f.expr), tuple(n if n in free else "" for n in idx))

    factors = [
        IndexFactor(f.expr, tuple(sorted(f.idx)) if isinstance(f.expr, Identity) else f.idx)
        for f in sorted(term.factors, key=key)
    ]
    pool = iter(n for n in _LETTERS if n not in free)
    rename: dict[str, str] = {}
    out = []
    for f in factors:
        idx = tuple(n if n in free else rename.setdefault(n, next(pool)) for n in f.idx)
        out.append(IndexFactor(f.expr, idx))
    return IndexTerm(term.coeff, tuple(out))


def _collect(terms: list[IndexTerm]) -> tuple[IndexTerm, ...]:
    total: dict[tuple[IndexFactor, ...], float] = {}
    for t in terms:
        total[t.factors] = total.get(t.factors, 0.0) + t.coeff
    return tuple(IndexTerm(c, f) for f, c in total.items() if c != 0)



