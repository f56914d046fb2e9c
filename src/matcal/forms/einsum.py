"""Index notation as an expression: the printed form of derivatives no matrix notation holds.

A :class:`~matcal.tensor.terms.Tensor` becomes an :class:`~matcal.core.nodes.Einsum` node whose
text is ``dF[i,j]/dX[k,l] = -inv(X)[i,k]*inv(X)[l,j]`` — in the input language, so it parses
back. Each term is first reduced as far as matrix notation goes
(:func:`matcal.forms.matrix.reduce_term`: chains become products, ``A[i,k]*B[k,j]`` becomes
``(A*B)[i,j]``); what is left keeps its indices. Free indices are named i, j, k, l, … in the
order of the result's axes; summed indices take the next free letters. Equal terms are
collected, and terms that differ in one matrix factor on the same two indices share it:
``(A + A')[i,k]*eye[j,l]``.
"""

from __future__ import annotations

import itertools

from matcal.core.build import (
    add, is_symmetric, mul, neg, scale, split_coefficient, transpose,
)
from matcal.tensor.terms import Atom, Index, Tensor, Term
from matcal.forms.matrix import reduce_term, tensor_to_matrix
from matcal.core.nodes import (
    Add, Einsum, Expr, IndexSum, MatMul, Number, Var, Zero, walk,
)
from matcal.core.shapes import Shape
from matcal.simplify.engine import simplify

_LETTERS = "ijklpqrstuvwabcdefgh"


def _names():
    yield from _LETTERS
    for n in itertools.count(1):
        yield f"i{n}"


def tensor_to_expr(t: Tensor, wrt: tuple[Var, ...] = ()) -> Expr:
    """``t`` in matrix notation, simplified, when it has at most two axes and a matrix form;
    else in index notation (``wrt`` as for :func:`tensor_to_einsum`); the zero of its layout
    when it has no terms."""
    if len(t.free) > 2 or (terms := tensor_to_matrix(t)) is None:
        return tensor_to_einsum(t, wrt)
    return simplify(add(*terms)) if terms else Zero(Shape.of(tuple(i.dim for i in t.free)))


def tensor_to_einsum(t: Tensor, wrt: tuple[Var, ...] = ()) -> Einsum:
    """``t`` as an index-notation expression, laid out along ``t.free``; ``wrt``: the variable
    once per order when ``t`` is a derivative (it then prints as ``dF[i,j]/dX[k,l] = …``)."""
    taken = {n.index for term in t.terms for f in term.factors if isinstance(f, Atom)
             for n in walk(f.expr) if isinstance(n, IndexSum)}  # bound by sum(k, ...) inside
    names = (n for n in _names() if n not in taken)
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

        coeff, product = split_coefficient(_simplified(mul(*scalars)))
        factors = [Atom(s, ()) for s in _scalar_factors(product)]
        for e, ix in items:  # each factor simplified: inv(P)*inv(P) = inv(P)^2
            c, e = split_coefficient(_simplified(e))
            coeff *= c
            factors.append(Atom(e, tuple(name(i) for i in ix)))
        terms.append(_canonical(Term(coeff, tuple(factors)), set(label.values()), taken))
    if wrt and not wrt[0].shape.dims:
        wrt = ()  # a scalar variable adds no axes: a plain tensor
    return Einsum(tuple(label[i] for i in t.free), tuple(i.dim for i in t.free), _collect(terms),
                  wrt)


def _simplified(e: Expr) -> Expr:
    """``e`` simplified — unless that drops the only variable telling the size of a dimension
    it still has (``C - C + s*matrix(1)`` is sized by C; ``s*matrix(1)`` by nothing), which the
    printed text would then not parse back to a value."""
    out = simplify(e)
    if out == e:
        return out
    lost = _sized_by(e) - _sized_by(out)
    if lost and any(d in lost for n in walk(out) for d in n.shape.dims):
        return e
    return out


def _sized_by(e: Expr) -> set:
    """The dimensions the variables of ``e`` give a size."""
    return {d for n in walk(e) if isinstance(n, Var) for d in n.shape.dims}


def _scalar_factors(product: Expr) -> list[Expr]:
    """The factors of a scalar product (its numeric coefficient taken out): those of
    ``a*b``, and a chain ``x'*y`` as one."""
    if isinstance(product, Number):
        return []
    if not isinstance(product, MatMul):
        return [product]
    chain = [f for f in product.factors if not f.shape.is_scalar]
    return [f for f in product.factors if f.shape.is_scalar] + ([mul(*chain)] if chain else [])


def _canonical(term: Term, free: set[str], taken: set[str] = frozenset()) -> Term:
    """Factors in a fixed order, δ's indices sorted, summed indices renamed in order of
    appearance — so equal terms compare equal (``collect_like_terms`` in index form)."""

    def ordered(f: Atom) -> tuple[str, ...]:  # S[j,i] = S[i,j] for a symmetric S
        return tuple(sorted(f.idx)) if len(f.idx) == 2 and is_symmetric(f.expr) else f.idx

    def key(f: Atom):
        return (str(f.expr), tuple(n if n in free else "" for n in ordered(f)))

    factors = [Atom(f.expr, ordered(f)) for f in sorted(term.factors, key=key)]
    pool = iter(n for n in _names() if n not in free and n not in taken)
    rename: dict[str, str] = {}
    out = []
    for f in factors:
        idx = tuple(n if n in free else rename.setdefault(n, next(pool)) for n in f.idx)
        out.append(Atom(f.expr, idx))
    return Term(term.coeff, tuple(out))


def _collect(terms: list[Term]) -> tuple[Term, ...]:
    """Equal terms add up; terms equal but for one matrix factor on the same two indices, with
    coefficients ±c, share it: A[i,k]*δ[j,l] + A[k,i]*δ[j,l] = (A + A')[i,k]*δ[j,l]
    (symmetric form), δ[i,k]*B[j,l] − P[i,k]*B[j,l] = (I − P)[i,k]*B[j,l]."""
    total: dict[tuple[Atom, ...], float] = {}
    for t in terms:
        total[t.factors] = total.get(t.factors, 0.0) + t.coeff
    out = [Term(c, f) for f, c in total.items() if c != 0]
    merged = True
    while merged:
        merged = False
        for a in range(len(out)):
            for b in range(a + 1, len(out)):
                joined = _join(out[a], out[b])
                if joined is not None:
                    out[a] = joined
                    del out[b]
                    merged = True
                    break
            if merged:
                break
    return tuple(out)


def _join(s: Term, t: Term) -> Term | None:
    if abs(s.coeff) != abs(t.coeff) or len(s.factors) != len(t.factors):
        return None
    diff = [n for n, (f, g) in enumerate(zip(s.factors, t.factors)) if f != g]
    if len(diff) != 1:
        return None
    f, g = s.factors[diff[0]], t.factors[diff[0]]
    if len(f.idx) != 2 or set(f.idx) != set(g.idx) or f.idx[0] == f.idx[1]:
        return None
    other = g.expr if g.idx == f.idx else transpose(g.expr)
    factors = list(s.factors)
    sign = 1.0 if s.coeff == t.coeff else -1.0  # A*δ - B*δ = (A - B)*δ
    c, joined = split_coefficient(simplify(add(f.expr, scale(sign, other))))  # P + P = 2*P
    if s.coeff * c < 0 and isinstance(joined, Add) and any(
            split_coefficient(u)[0] < 0 for u in joined.terms):  # -(P - I) is (I - P)
        flipped = sorted((neg(u) for u in joined.terms), key=lambda u: split_coefficient(u)[0] < 0)
        c, joined = -c, simplify(add(*flipped))
    factors[diff[0]] = Atom(joined, f.idx)
    return Term(s.coeff * c, tuple(factors))



