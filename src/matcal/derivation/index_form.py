r"""Index notation with explicit sums, as Traa writes it: f = Σ_i Σ_j Σ_k A_ij X_jk B_ki.

An :class:`IndexForm` is what a step of the index method shows: a sum of terms, each a
coefficient times a product of indexed factors — a matrix expression with its indices
(``A[i,j]``, ``(B*A)[k,j]``, ``log(A*X*B)[i,j]``), the identity on two indices for the
Kronecker δ, or a scalar with none — summed over every index that is not free. It is the
engine's :class:`~matcal.tensor.terms.Tensor` in a form every step can share: a term that is half
reduced to matrix notation (:func:`matcal.forms.matrix.reduction_steps`) is one too.

Indices are named when shown, not when made: free indices first, by the names the engine
prefers for them (X's own indices j, k once the δ's are gone, as Traa's eq. 8), then each
term's summed indices in order of appearance, by their preferred names where those are still
free, else by the next unused letter of i j k l m n p q …. The text form indexes as the input
language does, with the sums written out (``Σ_i Σ_j A[i,j]*X[j,i]``); the LaTeX form is
Traa's (``\sum_{i} \sum_{j} A_{ij} X_{ji}``).

A form can be the body f_k of a sum over an index of the input language, f = Σ_k f_k (Traa
eq. 42–45): ``sums`` holds those indices, shown in front (``Σ_k Σ_i …``), and the form's value
is the sum of the body's values over k. Inside it a selected row B[k,:] is the row vector with
entries B_kn for the fixed k, shown as ``B[k,n]``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from matcal.tensor.terms import Atom, Delta, Index, Tensor, Term
from matcal.core.nodes import Identity, IndexSum, Select, Var, walk  # noqa: F401 - Var: doctests
from matcal.core.shapes import Dim
from matcal.printing.base import format_number, signed_sum
from matcal.printing.latex import LatexPrinter, index_name
from matcal.printing.text import TextPrinter

LETTERS = "ijklmnpqrstuvwabcdefgh"
"""Index names, in the order they are handed out (Traa's i, j, k, l, m, n first)."""


@dataclass(frozen=True, slots=True)
class IndexForm:
    """A sum of terms in index notation with free indices ``free`` (the result's axes); the
    terms are the one term type (:mod:`matcal.core.terms`), their factors Atoms — a δ is the
    identity on its two indices, so every factor unpacks as (expression, indices).

    ``preferred`` maps indices to the names they should be shown with (pairs, so the form
    stays hashable); see the module docstring for how names are settled. ``sums`` are the
    indices (name, dim) of the sums Σ_k the form is the body of, outermost first.
    """

    free: tuple[Index, ...]
    terms: tuple[Term, ...]
    preferred: tuple[tuple[Index, str], ...] = ()
    sums: tuple[tuple[str, Dim], ...] = ()

    def __str__(self) -> str:
        return form_text(self)


def from_tensor(t: Tensor, preferred: dict[Index, str]) -> IndexForm:
    """The form of an engine tensor; δ factors become the identity on their two indices.

    >>> from matcal.tensor.terms import Delta, fresh
    >>> from matcal.core.shapes import Dim, Shape
    >>> m = Dim("m"); i, j = fresh(m), fresh(m)
    >>> t = Tensor((i,), (Term(2.0, (Atom(Var("A", Shape(m, m)), (i, j)), Delta(j, i))),))
    >>> form = from_tensor(t, {})
    >>> str(form), to_tensor(form) == t
    ('2*Σ_j A[i,j]*δ[j,i]', True)
    """
    terms = tuple(Term(term.coeff, tuple(_factor(f) for f in term.factors)) for term in t.terms)
    return IndexForm(t.free, terms, tuple(preferred.items()))


def _factor(f: Atom | Delta) -> Atom:
    return Atom(Identity(f.a.dim), (f.a, f.b)) if isinstance(f, Delta) else f


def to_tensor(form: IndexForm) -> Tensor:
    """The engine tensor of ``form``: the identity on two indices becomes a δ."""
    terms = []
    for term in form.terms:
        factors = tuple(
            Delta(*ix) if isinstance(e, Identity) and len(ix) == 2 else Atom(e, ix)
            for e, ix in term.factors
        )
        terms.append(Term(term.coeff, factors))
    return Tensor(form.free, tuple(terms))


# ---------------------------------------------------------------- names


def labels(form: IndexForm) -> tuple[dict[Index, str], list[dict[Index, str]]]:
    """(names of the free indices, names of each term's indices) as the module docstring says.

    >>> from matcal.tensor.terms import fresh
    >>> from matcal.core.shapes import Dim, Shape
    >>> m = Dim("m"); a, b = fresh(m), fresh(m)
    >>> A = Var("A", Shape(m, m))
    >>> form = IndexForm((), (Term(1.0, (Atom(A, (a, b)),)),), ((b, "i"),))
    >>> labels(form)[1][0][b], labels(form)[1][0][a]
    ('i', 'j')
    """
    preferred = dict(form.preferred)
    reserved = {n.index for t in form.terms for e, _ in t.factors for n in walk(e)
                if isinstance(n, IndexSum)} | {k for k, _ in form.sums}
    reserved |= {k for t in form.terms for e, _ in t.factors for n in walk(e)
                 if isinstance(n, Select) for k in (n.row, n.col) if k is not None}
    pool = list(itertools.islice((n for n in _names() if n not in reserved), 200))
    free = _assign(list(form.free), {}, preferred, pool)
    per_term = []
    for term in form.terms:
        indices = list(dict.fromkeys(i for _, ix in term.factors for i in ix))
        per_term.append(_assign(indices, free, preferred, pool))
    return free, per_term


def _assign(indices: list[Index], given: dict[Index, str], preferred: dict[Index, str],
            pool: list[str]) -> dict[Index, str]:
    """``given`` and names for ``indices``: preferred names first, where still unused, then
    the first unused names of the pool."""
    out = dict(given)
    for i in indices:
        want = preferred.get(i)
        if i not in out and want in pool and want not in out.values():
            out[i] = want
    for i in indices:
        if i not in out:
            out[i] = next(n for n in pool if n not in out.values())
    return out


def _names():
    yield from LETTERS[:22]
    for n in itertools.count(1):
        yield f"i{n}"


def _summed(term: Term, free: tuple[Index, ...], names: dict[Index, str]) -> list[Index]:
    """The indices summed in ``term``, in the order of their names (Σ_i Σ_j Σ_k, as Traa)."""
    out = list(dict.fromkeys(i for _, ix in term.factors for i in ix if i not in free))
    order = {n: k for k, n in enumerate(_names_list())}
    return sorted(out, key=lambda i: order.get(names[i], len(order)))


def _names_list() -> list[str]:
    return list(itertools.islice(_names(), 200))


# ---------------------------------------------------------------- text


_TEXT = TextPrinter()


def form_text(form: IndexForm) -> str:
    """The form in text: ``Σ_i Σ_j A[i,j]*B[j,i]``; δ as ``δ[j,p]``; ``0`` when empty.

    >>> from matcal.tensor.terms import fresh
    >>> from matcal.core.shapes import Dim, Shape
    >>> m = Dim("m"); i, j = fresh(m), fresh(m)
    >>> A, B = Var("A", Shape(m, m)), Var("B", Shape(m, m))
    >>> form_text(IndexForm((), (Term(-1.0, (Atom(A, (i, j)), Atom(B, (j, i)))),)))
    '-Σ_i Σ_j A[i,j]*B[j,i]'
    """
    _, names = labels(form)
    parts = [_TEXT.index_term(term, local.__getitem__, _summed(term, form.free, local), True)
             for term, local in zip(form.terms, names)]
    return _outer(signed_sum(parts) or "0", len(parts), [f"Σ_{k} " for k, _ in form.sums])


def _outer(text: str, terms: int, sums: list[str], parens: tuple[str, str] = ("(", ")")) -> str:
    """``text`` behind the sums over the input language's indices, in parentheses if needed."""
    if not sums:
        return text
    wrap = terms > 1 or text.startswith("-")
    return "".join(sums) + (parens[0] + text + parens[1] if wrap else text)


def free_names(form: IndexForm) -> list[str]:
    """The names of the free indices, in order (as the form is shown).

    >>> from matcal.tensor.terms import fresh
    >>> from matcal.core.shapes import Dim
    >>> i, j = fresh(Dim("m")), fresh(Dim("n"))
    >>> free_names(IndexForm((i, j), (), ((i, "j"), (j, "k")))), free_names(IndexForm((), ()))
    (['j', 'k'], [])
    """
    free, _ = labels(form)
    return [free[i] for i in form.free]


def subscript_text(names: list[str]) -> str:
    """Index names as a subscript in text, e.g. ``[j,k]`` ('' when there are none).

    >>> subscript_text(["j", "k"]), subscript_text([])
    ('[j,k]', '')
    """
    return "[" + ",".join(names) + "]" if names else ""


# ---------------------------------------------------------------- LaTeX


_LATEX = LatexPrinter()


def form_latex(form: IndexForm) -> str:
    r"""The form in LaTeX, as Traa: ``\sum_{i} \sum_{j} A_{ij} B_{ji}``; ``0`` when empty.

    >>> from matcal.tensor.terms import fresh
    >>> from matcal.core.shapes import Dim, Shape
    >>> m = Dim("m"); i, j = fresh(m), fresh(m)
    >>> A, B = Var("A", Shape(m, m)), Var("B", Shape(m, m))
    >>> print(form_latex(IndexForm((j,), (Term(1.0, (Atom(A, (i, j)), Atom(B, (i, i)))),))))
    \sum_{j} A_{ji} B_{jj}
    """
    _, names = labels(form)
    parts = []
    for term, local in zip(form.terms, names):
        body = " ".join(_LATEX.entry(f, local.__getitem__, True) for f in term.factors)
        sums = "".join(r"\sum_{" + index_name(local[i]) + "} "
                       for i in _summed(term, form.free, local))
        parts.append((term.coeff < 0, _scaled(abs(term.coeff), sums + body if body else "", " ")))
    outer = [r"\sum_{" + index_name(k) + "} " for k, _ in form.sums]
    return _outer(signed_sum(parts) or "0", len(parts), outer, (r"\left(", r"\right)"))


def subscript_latex(names: list[str]) -> str:
    """Index names as a LaTeX subscript, e.g. ``_{jk}`` ('' when there are none).

    >>> subscript_latex(["j", "k"]), subscript_latex(["i1", "j"])
    ('_{jk}', '_{i_{1},j}')
    """
    if not names:
        return ""
    short = all(len(n) == 1 for n in names)
    return "_{" + ("" if short else ",").join(map(index_name, names)) + "}"


# ---------------------------------------------------------------- shared


def _scaled(c: float, body: str, sep: str) -> str:
    if not body:
        return format_number(c)
    return body if c == 1 else format_number(c) + sep + body

