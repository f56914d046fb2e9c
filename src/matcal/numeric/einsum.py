"""The one einsum evaluator of matcal: the value of a sum of index-notation terms.

The Einsum node (:mod:`matcal.numeric.evaluate`), the value-checked mode
(:mod:`matcal.numeric.rewrite_check`) and the derivation checks
(:mod:`matcal.derivation.verify`) all evaluate terms through :func:`einsum_value`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np

from matcal.core.terms import Atom, Delta, Label, Term

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def einsum_value(free: tuple[Label, ...], shape: tuple[int, ...], terms: Iterable[Term],
                 factor_value: Callable[[Atom], Any],
                 delta_size: Callable[[Label], int] | None = None) -> Any:
    """The value of a sum of index-notation terms, laid out along ``free`` (of numeric
    ``shape``): Σ over terms of coeff · einsum of the factors, summed over the indices not
    free (the summation convention; Laue et al., NeurIPS 2018). The one einsum evaluator of
    matcal: the Einsum node, the value-checked mode and the derivation checks all use it.

    Args:
        free: the result's indices, in the order of its axes.
        shape: the sizes of those axes.
        terms: the terms (:class:`matcal.core.terms.Term`).
        factor_value: the value of an Atom's expression (a float for one with no indices).
        delta_size: the size of a δ's index; needed only when a term has a δ.

    A free index that no factor of a term carries makes the term constant along it.
    """
    letters: dict[Label, str] = {}

    def sub(ix) -> str:
        return "".join(letters.setdefault(i, _LETTERS[len(letters)]) for i in ix)

    target = sub(free)
    total: Any = np.zeros(shape)
    for term in terms:
        scale, operands, subs = term.coeff, [], []
        for f in term.factors:
            if isinstance(f, Delta):
                operands.append(np.eye(delta_size(f.a)))
                subs.append(sub((f.a, f.b)))
            elif f.idx:
                operands.append(np.asarray(factor_value(f), dtype=float))
                subs.append(sub(f.idx))
            else:
                scale = scale * factor_value(f)
        carried = set("".join(subs))
        for i, n in zip(free, shape):
            if letters[i] not in carried:
                operands.append(np.ones(n))
                subs.append(letters[i])
        part = np.einsum(",".join(subs) + "->" + target, *operands,
                         optimize=len(operands) > 2) if operands else 1.0
        total = total + scale * part
    return total
