"""Kronecker (vec) form of derivatives with respect to a matrix.

Convention (Magnus & Neudecker; Matrix Cookbook §10.2.2): vec stacks columns, and the
derivative of F (m×n) with respect to X (p×q) is the mn×pq matrix J = ∂vec(F)/∂vec(X)ᵀ, with
J[i + m·j, k + p·l] = ∂F_ij/∂X_kl. For a Hessian, F is the gradient. Since
(P ⊗ Q)[a·r + b, c·s + d] = P_ac Q_bd (Q of size r×s), J = P ⊗ Q exactly when
∂F_ij/∂X_kl = P_jl Q_ik. :func:`vec_form` reads each term of the index form that way —
its factors on (i, k) give Q, those on (j, l) give P — and returns None when some term mixes
the two groups (∂X'/∂X, the commutation matrix, is such a case): the index form is then the
only form, which is what "unambiguous" means here.
"""

from __future__ import annotations

from matcal.core.build import add, kron, mul, transpose
from matcal.tensor.terms import Index, Tensor, Term, indices_of
from matcal.forms.matrix import term_to_matrix
from matcal.core.nodes import Add, Expr, Kron
from matcal.simplify.engine import simplify


def vec_form(t: Tensor, wrt_rank: int) -> Expr | None:
    """∂vec(F)/∂vec(X)ᵀ as a sum of Kronecker products, or None if it is not one.

    Args:
        t: a derivative in index notation whose last ``wrt_rank`` free indices are X's.
        wrt_rank: 1 for a vector X, 2 for a matrix X.
    """
    left, right = t.free[: len(t.free) - wrt_rank], t.free[len(t.free) - wrt_rank :]
    if len(left) > 2 or not right or len(left) + len(right) < 3:
        return None
    i, j = (left + (None, None))[:2]
    k, l = (right + (None, None))[:2]
    terms = []
    for term in t.terms:
        split = _split(term, (i, k), (j, l))
        if split is None:
            return None
        q_term, p_term, scalars = split
        q = _as_block(q_term, i, k)
        p = _as_block(p_term, j, l)
        if q is None or p is None or any(s is None for s in scalars):
            return None
        terms.append(mul(*scalars, kron(p, q)))
    return _collect_kron(simplify(add(*terms))) if terms else None


def _split(term: Term, q_idx, p_idx):
    """Factors of ``term`` grouped into components connected by summed indices: those on
    (i, k), those on (j, l), and scalar components; None when a component touches both."""
    q_set = {x for x in q_idx if x is not None}
    p_set = {x for x in p_idx if x is not None}
    kept = q_set | p_set
    groups: list[tuple[set[Index], list]] = []
    for f in term.factors:
        idx = set(indices_of(f))
        touching = [g for g in groups if g[0] & idx - kept]
        new: tuple[set[Index], list] = (idx, [f])
        for g in touching:
            new[0].update(g[0])
            new[1].extend(g[1])
            groups.remove(g)
        groups.append(new)
    q_factors: list = []
    p_factors: list = []
    scalars = [term_to_matrix(Term(term.coeff, ()), ())]
    for idx, factors in groups:
        here = idx & kept
        if not here:
            scalars.append(term_to_matrix(Term(1.0, tuple(factors)), ()))
        elif here <= q_set:
            q_factors += factors
        elif here <= p_set:
            p_factors += factors
        else:
            return None
    return Term(1.0, tuple(q_factors)), Term(1.0, tuple(p_factors)), scalars


def _as_block(term: Term, row: Index | None, col: Index | None) -> Expr | None:
    """The factor of the Kronecker product on indices (row, col): a matrix, a column (only
    row), a row vector (only col) or the scalar 1 (neither)."""
    free = tuple(x for x in (row, col) if x is not None)
    if not free:
        return term_to_matrix(term, ())
    m = term_to_matrix(term, free)
    if m is None:
        return None
    return transpose(m) if row is None else m


def _collect_kron(e: Expr) -> Expr:
    """kron(P₁, Q) + kron(P₂, Q) = kron(P₁ + P₂, Q), and likewise on the right."""
    if not isinstance(e, Add) or not all(isinstance(t, Kron) for t in e.terms):
        return e
    for side in ("right", "left"):
        keys = {getattr(t, side) for t in e.terms}
        if len(keys) == 1:
            other = "left" if side == "right" else "right"
            summed = simplify(add(*(getattr(t, other) for t in e.terms)))
            shared = getattr(e.terms[0], side)
            return kron(summed, shared) if side == "right" else kron(shared, summed)
    return e

