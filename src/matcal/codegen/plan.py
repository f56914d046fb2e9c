"""What a generated function computes, planned before any text is written.

Two passes over the outputs (the value and every derivative) that make the code share work
the way a careful person would:

* :func:`canonical` writes equal parts alike, so that they are seen to be equal and
  printed well: ``inv(X')`` as ``inv(X)'`` (one inverse for both), and a sum of diagonal
  matrices as the diagonal matrix of the sum (so that a product scales by one vector);
* :func:`group_shared_chains` finds a run of matrix factors that occurs in two products —
  as written, or transposed (``X'*B'`` is ``(B*X)'``) — and makes it one factor of its own,
  a product computed once and then used (transposed where needed) by both;
* :func:`use_counts` counts how often each node is used across all outputs; a node used
  twice is a common subexpression, which the printer computes once into a temporary.
"""

from __future__ import annotations

import functools
from collections import Counter
from typing import Iterable

from matcal.core.build import add, scale
from matcal.core.nodes import (
    Add, DiagMatrix, Expr, Identity, Inverse, MatMul, Number, Ones, Transpose, Var, Zero,
    walk,
)

Chain = tuple[Expr, ...]


def flip(f: Expr) -> Expr:
    """The factor ``f'`` as a node, with no rewriting beyond ``(f')' = f`` and the factors
    that are their own transpose (a diagonal matrix, a symmetric variable)."""
    if isinstance(f, Transpose):
        return f.arg
    if isinstance(f, DiagMatrix) or (isinstance(f, Var) and f.symmetric):
        return f
    return Transpose(f)


def flipped(run: Chain) -> Chain:
    """(F1 F2 … Fk)' = Fk' … F2' F1'."""
    return tuple(flip(f) for f in reversed(run))


def _matrix_factors(e: MatMul) -> Chain:
    return tuple(f for f in e.factors if not f.shape.is_scalar)


@functools.lru_cache(maxsize=4096)
def _text(e: Expr) -> str:
    return str(e)


def _shared_run(chains: list[Chain]) -> Chain | None:
    """The longest run of two or more factors that occurs in two places of ``chains`` (in two
    chains, or twice in one without overlap) as written or transposed, not a whole chain
    that occurs only as itself; None when there is none. Runs are compared by the texts of
    their factors (each factor's text, and its transpose's, computed once)."""
    texts = [([_text(f) for f in c], [_text(flip(f)) for f in c]) for c in chains]
    longest = max((len(c) for c in chains), default=0)
    for size in range(longest, 1, -1):
        seen: Counter[tuple[str, ...]] = Counter()
        whole: dict[tuple[str, ...], bool] = {}  # key → only ever a whole chain
        runs: dict[tuple[str, ...], Chain] = {}
        for chain, (fwd, bwd) in zip(chains, texts):
            last_end: dict[tuple[str, ...], int] = {}
            for i in range(len(chain) - size + 1):
                forward = tuple(fwd[i:i + size])
                backward = tuple(reversed(bwd[i:i + size]))
                key = min(forward, backward)
                if last_end.get(key, -1) > i:
                    continue  # overlaps its previous occurrence in this chain
                last_end[key] = i + size
                seen[key] += 1
                whole[key] = whole.get(key, True) and len(chain) == size
                if key not in runs:
                    run = chain[i:i + size]
                    runs[key] = run if key == forward else flipped(run)
        for key in sorted(seen):
            if seen[key] >= 2 and not whole[key]:
                return runs[key]
    return None


def _replace(chain: Chain, key: Chain, node: Expr) -> Chain:
    """``chain`` with each occurrence of ``key`` (or of its transpose) as the one factor
    ``node`` (or ``node'``)."""
    out: list[Expr] = []
    i, size = 0, len(key)
    while i < len(chain):
        run = chain[i:i + size]
        if len(run) == size and run == key:
            out.append(node)
            i += size
        elif len(run) == size and flipped(run) == key:
            out.append(flip(node))
            i += size
        else:
            out.append(chain[i])
            i += 1
    return tuple(out)


def canonical(roots: Iterable[Expr]) -> list[Expr]:
    """The outputs with ``inv(M')`` as ``inv(M)'`` ((Mᵀ)⁻¹ = (M⁻¹)ᵀ, Matrix Cookbook eq. 146)
    and ``c1*diag(u) + c2*diag(v)`` as ``diag(c1*u + c2*v)`` (diag is linear); every value
    is unchanged."""
    memo: dict[Expr, Expr] = {}

    def visit(e: Expr) -> Expr:
        out = memo.get(e)
        if out is not None:
            return out
        kids = e.children()
        node = e.rebuild(*(visit(c) for c in kids)) if kids else e
        if isinstance(node, Inverse) and isinstance(node.arg, Transpose):
            node = Transpose(Inverse(node.arg.arg))
        elif isinstance(node, Add):
            vectors = [_diagonal_of(t) for t in node.terms]
            if all(v is not None for v in vectors):
                node = DiagMatrix(add(*vectors))
        memo[e] = node
        return node

    return [visit(r) for r in roots]


def _diagonal_of(term: Expr) -> Expr | None:
    """v for ``diag(v)``, c*v for ``c*diag(v)``; None otherwise."""
    if isinstance(term, DiagMatrix):
        return term.arg
    if (isinstance(term, MatMul) and len(term.factors) == 2
            and isinstance(term.factors[0], Number) and isinstance(term.factors[1], DiagMatrix)):
        return scale(term.factors[0].value, term.factors[1].arg)
    return None


def group_shared_chains(roots: Iterable[Expr]) -> list[Expr]:
    """The outputs with every shared run of matrix factors grouped into one product node.

    ``A'*C*X'*B'`` and ``tr(A*X*B*X*C')`` share ``B*X*C'`` (the first holds its transpose):
    both then hold the node ``MatMul(B, X, C')``, which :func:`use_counts` sees twice. The
    grouped products are raw nodes (no smart constructor flattens them again); the value of
    every output is unchanged, as matrix multiplication is associative and (PQ)' = Q'P'.
    """
    roots = list(roots)
    products = list(dict.fromkeys(
        n for r in roots for n in walk(r)
        if isinstance(n, MatMul) and len(_matrix_factors(n)) >= 2))
    chains = {p: _matrix_factors(p) for p in products}
    while True:
        run = _shared_run(list(chains.values()))
        if run is None:
            break
        node = MatMul(run)
        chains = {p: _replace(c, run, node) for p, c in chains.items()}
        chains[node] = run
    table: dict[Expr, Expr] = {}
    for p, chain in chains.items():
        if chain != _matrix_factors(p):  # scalar factors first, then the grouped chain
            table[p] = MatMul(tuple(f for f in p.factors if f.shape.is_scalar) + chain)
    if not table:
        return roots
    memo: dict[Expr, Expr] = {}
    return [substitute(r, table, memo) for r in roots]


def substitute(e: Expr, table: dict[Expr, Expr], memo: dict[Expr, Expr] | None = None) -> Expr:
    """``e`` with each node of ``table`` replaced (raw rebuilds: no node is simplified)."""
    memo = {} if memo is None else memo
    out = memo.get(e)
    if out is not None:
        return out
    node = table.get(e, e)
    kids = node.children()
    out = node.rebuild(*(substitute(c, table, memo) for c in kids)) if kids else node
    memo[e] = out
    return out


CHEAP = (Var, Number, Identity, Ones, Zero, Transpose, DiagMatrix)
"""Nodes never worth a temporary: a name, a constant, a transposed view, or a diagonal
matrix (which the printer never forms inside a product)."""


def use_counts(roots: Iterable[Expr]) -> Counter[Expr]:
    """How many times each node is used across ``roots``: a node's children are counted once,
    however often the node itself is used (it is computed once) — except under a node never
    worth a temporary (``K'`` twice uses K twice)."""
    counts: Counter[Expr] = Counter()

    def visit(e: Expr) -> None:
        counts[e] += 1
        if counts[e] == 1 or isinstance(e, CHEAP):
            for c in e.children():
                visit(c)

    for r in roots:
        visit(r)
    return counts


def shared(counts: Counter[Expr]) -> set[Expr]:
    """The nodes used twice or more that are worth a temporary."""
    return {e for e, n in counts.items() if n >= 2 and not isinstance(e, CHEAP)}
