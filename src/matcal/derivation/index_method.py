"""The index method (Traa, seed 000): write f with explicit sums, differentiate with respect to
X_jk, and read the matrix back off the indices.

The steps, in order:

1. f in index notation, one rule at a time, wherever it fits (Traa eq. 4–7): ``trace_index``
   (tr P = Σ_i P_ii), ``product_index`` ([PQ]_ik = Σ_j P_ij Q_jk), ``transpose_to_indices``
   ([Pᵀ]_ij = P_ji), ``linearity`` ([P + Q]_ij = P_ij + Q_ij), ``hadamard_index``,
   ``sum_index``, ``diag_index``, ``index_notation`` (an index-notation input). Only what
   depends on X is expanded; functions of X (log, inv, det …) stay whole, indexed.
2. ``product_rule`` (or ``chain_rule`` through functions of X): ∂f/∂X_pq by the engine's
   rules (:func:`matcal.engine.differentiate.differentiate_tensor`), ∂X_jk/∂X_pq = δ_jp δ_kq.
3. ``delta_elimination``: the δ's collapse the sums (:func:`matcal.tensor.terms.simplify_tensor`) —
   "∂X_jk/∂X_jk = 1 and the other terms vanish"; the free indices take X's own names (Traa's
   ∂f/∂X_jk = Σ_i A_ij B_ki, eq. 8).
4. The reduction rules of :mod:`matcal.forms.matrix`, term by term (``contraction``,
   ``hadamard``, ``trace``, ``row_sum``, ``diagonal_scaling`` …), consecutive uses of one rule
   in one step: Σ_i A_ij B_ki = [BA]_kj. Factors are first ordered along the chain from one
   free index to the other, the way with fewer transposes.
5. ``read_off``: ∇f has X's layout, rows j and columns k, so [BA]_kj is read off as (BA)ᵀ
   (eq. 9); then ``transpose_of_product`` / ``simplify`` to the form ``matcal.gradient`` prints.

A sum over an index, f = Σ_k f_k (Traa eq. 42–46), is gone inside: ``index_sum`` writes f as
Σ_k of its body, steps 1–4 derive the body at a fixed k (every form carries the Σ_k, see
:class:`~matcal.derivation.index_form.IndexForm`, so each is checked on the whole sum),
``read_off`` reads the matrix of each fixed k, and ``sum_over_index`` sums it over k by
linearity, ∂/∂X Σ_k f_k = Σ_k ∂f_k/∂X.
"""

from __future__ import annotations

import itertools

from matcal.core.build import add, mul, number, transpose
from matcal.derivation.differential_method import final_rule
from matcal.derivation.expansions import Alternative, expansion, identity_of
from matcal.derivation.index_form import (
    LETTERS, IndexForm, from_tensor, labels, to_tensor,
)
from matcal.derivation.steps import Step
from matcal.engine.differentiate import differentiate_tensor
from matcal.engine.rules import IDENTITIES as INDEX_IDENTITIES
from matcal.engine.support import names_in
from matcal.tensor.terms import Atom, Index, Term, atom, fresh_for, simplify_tensor
from matcal.forms.matrix import identity_of as reduction_identity
from matcal.forms.matrix import reduction_steps, term_to_matrix
from matcal.core.shapes import Dim
from matcal.core.nodes import (
    Add, Expr, Hadamard, IndexSum, MatMul, Transpose, Var, walk,
)




class _Names:
    """Preferred names for indices, handed out in order of first appearance."""

    def __init__(self, expr: Expr):
        reserved = {n.index for n in walk(expr) if isinstance(n, IndexSum)}
        self.pool = [n for n in LETTERS if n not in reserved] + [f"i{n}" for n in range(1, 99)]
        self.preferred: dict[Index, str] = {}
        self.sums: tuple[tuple[str, Dim], ...] = ()

    def take(self, prefer: str = "") -> str:
        """The first unused name, from ``prefer`` if one is free, else from the pool."""
        used = set(self.preferred.values())
        return next(n for n in [*prefer, *self.pool] if n not in used and n in self.pool)

    def name_new(self, terms) -> None:
        for term in terms:
            for _, ix in term.factors:
                for i in ix:
                    if i not in self.preferred:
                        self.preferred[i] = self.take()

    def form(self, free: tuple[Index, ...], terms) -> IndexForm:
        return IndexForm(free, tuple(terms), tuple(self.preferred.items()), self.sums)


def index_steps(expr: Expr, var: Var, final: Expr, result: str = "∇f") -> list[Step]:
    """The steps of the index method from f = ``expr`` to ∇f = ``final`` (module docstring).

    Args:
        expr: the function f: a scalar, or a vector (or a matrix by a scalar) whose
            Jacobian has at most two axes; f_i then carries its own free index i from the
            start, and ∂f_i/∂x_j is read off as the Jacobian J_ij (numerator layout).
        var: the variable X.
        final: ``matcal.derivative(expr, X)``.
        result: the name of what is read off, for the justifications: ``∇f``, ``J``, or
            ``H`` when f is a gradient.

    Returns:
        Unverified steps: ``before`` and ``after`` are :class:`IndexForm` s, except the first
        ``before`` (f itself) and the matrix expressions from ``read_off`` on.

    >>> from matcal.syntax.parse import parse
    >>> from matcal.core.nodes import variables
    >>> e = parse("tr(A*X*B)")
    >>> steps = index_steps(e, variables(e)["X"], parse("A'*B'"))
    >>> [(s.rule, str(s.after)) for s in steps[1:5]]  # doctest: +NORMALIZE_WHITESPACE
    [('product_index', 'Σ_i Σ_j Σ_k A[i,j]*X[j,k]*B[k,i]'),
     ('product_rule', 'Σ_i Σ_j Σ_k A[i,j]*δ[j,p]*δ[k,q]*B[k,i]'),
     ('delta_elimination', 'Σ_i A[i,j]*B[k,i]'), ('contraction', '(B*A)[k,j]')]
    """
    names = _Names(expr)
    out = fresh_for(expr.shape)  # f's own indices: f_i for a vector
    for i in out:
        names.preferred[i] = names.take()
    body, names.sums = _peel(expr, var)
    steps: list[Step] = []
    if names.sums:
        f_sum = names.form(out, [_start(body, out)])
        steps.append(Step("index_sum", expr, f_sum, _sum_text(_SUM_TEXT, names.sums), "f"))
    steps += _in_indices(body, var, names, steps[-1].after if steps else expr, out)
    f_form = steps[-1].after if steps else names.form(out, [_start(expr, out)])
    before = steps[-1].after if steps else expr
    raw = differentiate_tensor(to_tensor(f_form), var)
    free = raw.free
    for i in free[len(out):]:
        names.preferred[i] = names.take("pqrstuvw")
    names.name_new(from_tensor(raw, {}).terms)
    current = names.form(free, from_tensor(raw, {}).terms)
    rule, why = _differentiation(f_form, var)
    steps.append(Step(rule, before, current, why, "partial"))
    simplified = simplify_tensor(raw)
    own = next((ix for t in f_form.terms for e, ix in t.factors if e == var), None)
    if own is not None and len(set(own)) == len(own) == len(free) - len(out) \
            and not set(own) & set(out):
        for i, j in zip(free[len(out):], own):  # ∂f/∂X_jk: the free indices take X's own names
            names.preferred[i] = names.preferred[j]
    if simplified != raw:
        eliminated = names.form(free, from_tensor(simplified, {}).terms)
        steps.append(Step("delta_elimination", current, eliminated, "Σ_j P_..j.. δ_jp = "
                          "P_..p..: ∂X_jk/∂X_jk = 1 and the other terms vanish", "partial"))
        current = eliminated
    reduced: list[Expr | None] = []
    for n, term in enumerate(simplified.terms):
        term = _chain_order(term, free)
        items = None
        for rule, group in itertools.groupby(reduction_steps(term, free), key=lambda s: s[0]):
            items = list(group)[-1][2]
            new_terms = list(current.terms)
            new_terms[n] = Term(term.coeff, tuple(Atom(*item) for item in items))
            form = names.form(free, new_terms)
            steps.append(Step(rule, current, form, reduction_identity(rule), "partial"))
            current = form
        reduced.append(_read(term, items, free))
    body_final = _body(final, names.sums)
    read = add(*reduced) if reduced and None not in reduced else body_final
    flipped = any(isinstance(n, Transpose) and isinstance(n.arg, (MatMul, Add, Hadamard))
                  for n in walk(read)) and read != body_final
    text = _read_off_text(current, var, flipped, len(out), result)
    if names.sums and read is not None:
        per_index = names.form(free, [Term(1.0, (Atom(read, free),))])
        steps.append(Step("read_off", current, per_index, text + _sum_text(_FIXED_TEXT, names.sums),
                          "partial"))
        current, read = per_index, _resum(read, names.sums)
        steps.append(Step("sum_over_index", current, read, _sum_text(_SUM_OVER_TEXT, names.sums),
                          "grad"))
    else:
        steps.append(Step("read_off", current, read or final, text, "grad"))
        read = read or final
    if read != final:
        steps.append(Step(*final_rule(read, final), "grad"))
    return steps


def _start(expr: Expr, out: tuple[Index, ...]) -> Term:
    """f as one term: its numeric coefficient, and f itself with its own indices ``out``
    (none for a scalar)."""
    return atom(expr, out)


def _in_indices(expr: Expr, var: Var, names: _Names, before: Expr | IndexForm,
                out: tuple[Index, ...]) -> list[Step]:
    """The steps writing f (or the body f_k of f = Σ_k f_k) in index notation, one expansion
    rule per step, from ``before``; ``out``: f's own free indices."""
    terms = [_start(expr, out)]
    steps: list[Step] = []
    for _ in range(200):
        rule = next((r[0] for t in terms for e, ix in t.factors
                     if (r := expansion(e, ix, var)) is not None), None)
        if rule is None:
            break
        terms = [new for t in terms for new in _expand(t, rule, var) if new.coeff != 0]
        names.name_new(terms)
        form = names.form(out, terms)
        steps.append(Step(rule, before, form, identity_of(rule), "f"))
        before = form
    return steps


# ---------------------------------------------------------------- sums over an index

_SUM_TEXT = ("f = Σ_{k} f_{k} (Traa eq. 42): the body f_{k} is derived at a fixed {k}, where a "
             "selected row such as B[{k},:] is a constant row vector with entries B[{k},n]; "
             "each step below shows Σ_{k} of the body and is checked on the whole sum")
_FIXED_TEXT = ", for each fixed {k} (Traa eq. 44–45)"
_SUM_OVER_TEXT = ("sum over {k}: ∂/∂X Σ_{k} f_{k} = Σ_{k} ∂f_{k}/∂X (linearity), "
                  "Σ_{k} [M_{k}]_pq = [Σ_{k} M_{k}]_pq (Traa eq. 46)")


def _sum_text(text: str, sums: tuple[tuple[str, Dim], ...]) -> str:
    """``text`` with the sums' index names for k (``k`` or ``k,l`` for nested sums)."""
    return text.format(k=",".join(k for k, _ in sums))


def _peel(expr: Expr, var: Var) -> tuple[Expr, tuple[tuple[str, Dim], ...]]:
    """(f_k, the indices (name, dim) of the sums) for f = Σ_k f_k whose body depends on X
    (nested sums Σ_k Σ_l f_kl too); (f, ()) for anything else."""
    sums: list[tuple[str, Dim]] = []
    while isinstance(expr, IndexSum) and var.name in names_in(expr.body):
        sums.append((expr.index, expr.dim))
        expr = expr.body
    return expr, tuple(sums)


def _body(e: Expr, sums: tuple[tuple[str, Dim], ...]) -> Expr | None:
    """The body of ``e`` = Σ over ``sums`` of a body (``e`` when there are none); None when
    ``e`` is not such a sum (the engine wrote it as a matrix product)."""
    for k, d in sums:
        if not (isinstance(e, IndexSum) and (e.index, e.dim) == (k, d)):
            return None
        e = e.body
    return e


def _resum(body: Expr, sums: tuple[tuple[str, Dim], ...]) -> Expr:
    """Σ over ``sums`` of ``body``, as the input language writes it: ``sum(k, body)``."""
    for k, d in reversed(sums):
        body = IndexSum(k, d, body)
    return body


# ---------------------------------------------------------------- f in index notation


def _expand(term: Term, rule: str, var: Var) -> list[Term]:
    """``term`` with ``rule`` applied to every factor it fits (sums multiply out)."""
    options: list[Alternative] = [(term.coeff, [])]
    for e, ix in term.factors:
        found = expansion(e, ix, var)
        alternatives = found[1] if found is not None and found[0] == rule else [(1.0, [(e, ix)])]
        options = [(c * a, fs + gs) for c, fs in options for a, gs in alternatives]
    return [Term(c, tuple(Atom(e, ix) for e, ix in fs)) for c, fs in options]


# ---------------------------------------------------------------- differentiation


def _differentiation(f_form: IndexForm, var: Var) -> tuple[str, str]:
    """``product_rule`` when X appears only bare, else ``chain_rule`` and the rules used."""
    inner = {type(e) for t in f_form.terms for e, _ in t.factors
             if var.name in names_in(e) and e != var}
    if not inner:
        return "product_rule", ("∂X_jk/∂X_pq = δ_jp δ_kq for every factor X_jk, the others "
                                "are constant (product rule; Traa eq. 8)")
    used = "; ".join(sorted({_identity(c) for c in inner}))
    return "chain_rule", f"product and chain rules, ∂X_jk/∂X_pq = δ_jp δ_kq; {used}"


def _identity(cls: type) -> str:
    """The identity the engine's rule for ``cls`` applies, as the rule registered it."""
    return INDEX_IDENTITIES.get(cls, cls.__name__)


# ---------------------------------------------------------------- back to matrix notation


def _chain_order(term: Term, free: tuple[Index, ...]) -> Term:
    """``term`` with the matrices along a chain from one free index to the other first, in
    the direction that needs fewer transposes; unchanged when there is no such chain."""
    if len(free) != 2:
        return term
    best = None
    for start, end in ((free[1], free[0]), (free[0], free[1])):
        path = _path(term.factors, start, end)
        if path is not None and (best is None or path[1] < best[1]):
            best = path
    if best is None:
        return term
    order = best[0] + [n for n in range(len(term.factors)) if n not in best[0]]
    return Term(term.coeff, tuple(term.factors[n] for n in order))


def _path(factors, start: Index, end: Index) -> tuple[list[int], int] | None:
    """Positions of matrix factors linking ``start`` to ``end``, and how many are reversed."""
    order, flips, at, seen = [], 0, start, {start}
    while at != end:
        step = None
        for n, f in enumerate(factors):
            if n in order or not isinstance(f, Atom) or len(set(f.idx)) != 2 or at not in f.idx:
                continue
            other = f.idx[1] if f.idx[0] == at else f.idx[0]
            if other not in seen or other == end:
                step = n, other, f.idx[0] != at
                break
        if step is None:
            return None
        order.append(step[0])
        flips += step[2]
        seen.add(step[1])
        at = step[1]
    return order, flips


def _read(term: Term, items, free: tuple[Index, ...]) -> Expr | None:
    """The reduced term as a matrix laid out along ``free``: a transpose is shown, not done."""
    if items is not None:
        scalars = [e for e, ix in items if not ix]
        rest = [(e, ix) for e, ix in items if ix]
        if len(free) == 2 and len(rest) == 1 and rest[0][1] == (free[1], free[0]):
            e = rest[0][0]
            core = Transpose(e) if isinstance(e, (MatMul, Add, Hadamard)) else transpose(e)
            return mul(number(term.coeff), *scalars, core)
    return term_to_matrix(term, free)


def _read_off_text(form: IndexForm, var: Var, flipped: bool, out: int = 0,
                   result: str = "∇f") -> str:
    free, _ = labels(form)
    names = [free[i] for i in form.free]
    if out:
        what = "the Hessian H = ∂(∇f)/∂" if result == "H" else "the Jacobian J = ∂f/∂"
        text = f"{what}{var.name} in numerator layout: " + (
            f"row index {names[0]} (of {'∇f' if result == 'H' else 'f'}), column index "
            f"{names[-1]} (of {var.name})"
            if len(names) == 2 else f"entry {names[0]}")
        if flipped and len(names) == 2:
            return text + f"; an entry [M]_{names[1]}{names[0]} is the ({names[0]},{names[1]}) " \
                "entry of Mᵀ (Traa eq. 9)"
        return text
    if len(names) == 2:
        j, k = names
        layout = f"∇f has the layout of {var.name}: row index {j}, column index {k}"
        if flipped:
            return layout + f"; an entry [M]_{k}{j} is the ({j},{k}) entry of Mᵀ (Traa eq. 9)"
        return layout + f"; an entry [M]_{j}{k} is the ({j},{k}) entry of M (Traa eq. 12)"
    if len(names) == 1:
        return f"∇f has the layout of {var.name}: entry {names[0]}"
    return "∂f/∂x is the gradient of a scalar variable"

