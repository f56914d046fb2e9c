"""Differentiation in index notation, any order: the entry point of the engine.

The rules, one per node class, are the table :data:`matcal.engine.rules.RULES` (the product
and chain rules with Kronecker deltas; Traa's index method, seed 000 eq. 7–8; Laue et al.,
NeurIPS 2018). Because a derivative is again a :class:`~matcal.core.terms.Tensor`,
differentiating it once more gives order 2, 3, 4, … with no new rules
(:func:`derivative_tensors`). Work is bounded: at most :data:`MAX_TERMS` terms at any stage,
and matrix powers differentiate as k terms of powers, never as k-fold products.
"""

from __future__ import annotations

from matcal.core.nodes import Expr, Var
from matcal.core.terms import Delta, Tensor, Term, fresh_for
from matcal.engine.rules import Differentiator
from matcal.engine.support import MAX_TERMS, Parts, too_large
from matcal.tensor.terms import atom, simplify_tensor


def derivative_tensor(expr: Expr, wrt: Var, order: int = 1) -> Tensor:
    """∂^order expr / ∂wrt^order in index notation, laid out as shape(expr) + shape(wrt)*order.

    Raises:
        ValueError: order < 1 (the public API checks first and raises a MatcalError).
    """
    return derivative_tensors(expr, wrt, order)[-1]


def derivative_tensors(expr: Expr, wrt: Var, order: int = 1,
                       parts: Parts | None = None) -> tuple[Tensor, ...]:
    """The derivatives of orders 1, 2, …, ``order`` of ``expr`` by ``wrt``, each differentiated
    from the one before it (so all of them cost what the last one does). ``parts``, when
    given, records the first derivative of ``expr`` and of each sub-expression on the way.

    Raises:
        ValueError: order < 1 (the public API checks first and raises a MatcalError).
    """
    if order < 1:
        raise ValueError("order must be at least 1")
    idx = fresh_for(expr.shape)
    t = Tensor(idx, (atom(expr, idx),))
    out: list[Tensor] = []
    for n in range(order):
        if not t.terms:  # zero: every higher derivative is zero too
            t = Tensor(t.free + fresh_for(wrt.shape), ())
        else:
            t = simplify_tensor(differentiate_tensor(t, wrt, parts if n == 0 else None))
        if len(t.terms) > MAX_TERMS:
            raise too_large(len(t.terms))
        out.append(t)
    if parts is not None:
        parts[expr] = out[0]
    return tuple(out)


def differentiate_tensor(t: Tensor, wrt: Var, parts: Parts | None = None) -> Tensor:
    """One more derivative: free indices ``t.free + widx`` (product rule over each term);
    ``parts`` as for :func:`derivative_tensors`."""
    widx = fresh_for(wrt.shape)
    D = Differentiator(wrt, widx, parts)
    terms: list[Term] = []
    for term in t.terms:
        atoms = [f for f in term.factors]
        for p, f in enumerate(atoms):
            if isinstance(f, Delta):
                continue
            for dt in D.d(f.expr, f.idx):
                others = tuple(g for q, g in enumerate(atoms) if q != p)
                terms.append(Term(term.coeff * dt.coeff, others[:p] + dt.factors + others[p:]))
    return Tensor(t.free + widx, tuple(terms))
