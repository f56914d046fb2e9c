"""The value-checked mode: every rewrite a rule makes is checked numerically as it fires.

An observer of :mod:`matcal.core.rewrites`: when a rule rewrites ``before`` into ``after``
(matrix expressions, or index-notation tensors of :mod:`matcal.tensor.terms`, or a tensor and its
matrix form), both are evaluated at random values — standard normal entries, square matrices
near the identity, symmetric ones symmetric, sizes 2–4 per dimension — or, where those give
no finite value, at positive ones (for log, sqrt, fractional powers). A rule that changes a
value where both sides are finite raises :class:`RewriteMismatch` with the rule's name and
both expressions. Where a side cannot be evaluated (sizes only a later unification fixes, a
selection whose index a sum outside binds, a singular matrix) the rewrite is not checked;
the counts are kept in :class:`RewriteChecker`.

Use it in tests (``with checking_rewrites(): ...``) or for a whole process with
``MATCAL_CHECK_REWRITES=1``. It is slow — every rule evaluates twice — and meant for testing.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from matcal.numeric.gradcheck import inverted
from matcal.tensor.terms import Atom, Tensor, indices_of
from matcal.core.nodes import Expr, Var, walk
from matcal.numeric.einsum import einsum_value
from matcal.numeric.evaluate import Evaluator
from matcal.core import rewrites
from matcal.core.rewrites import dim_resolver, observing
from matcal.core.shapes import Dim


class RewriteMismatch(AssertionError):
    """A rewrite rule changed the value of an expression: a bug in that rule."""


class RewriteChecker:
    """Checks each fired rule; ``checked`` and ``unchecked`` count by rule name."""

    def __init__(self, seed: int = 0, tolerance: float = 1e-7):
        self.rng = np.random.default_rng(seed)
        self.tolerance = tolerance
        self.checked: dict[str, int] = {}
        self.unchecked: dict[str, int] = {}

    def __call__(self, rule: str, before: Any, after: Any) -> None:
        compared = False
        for positive in (False, True):
            try:
                with np.errstate(all="ignore"):
                    a, b = self._values(before, after, positive)
            except Exception:  # noqa: BLE001 - not evaluable here: sizes, singular, domain
                continue
            if a is None:
                continue
            compared = True
            if not _agree(a, b, self.tolerance):
                raise RewriteMismatch(
                    f"rewrite rule {rule!r} changed the value:\n  before: {_show(before)}\n"
                    f"  after:  {_show(after)}\n  values {_summary(a)} and {_summary(b)}"
                )
            break  # positive values only where these were not finite
        counts = self.checked if compared else self.unchecked
        counts[rule] = counts.get(rule, 0) + 1

    def _values(self, before, after, positive: bool):
        """Both values at one random draw, or (None, None) where one is not finite."""
        resolve = dim_resolver() or (lambda d: d)
        sizes: dict[Dim, int] = {}
        for d in _dims(before) + _dims(after):
            _size(d, sizes, resolve, self.rng)
        values = {}
        for name, var in {**_variables(before), **_variables(after)}.items():
            shape = tuple(_size(d, sizes, resolve, self.rng) for d in var.shape.dims)
            values[name] = _draw(var, shape, positive, self.rng)
        if not (_well_posed(before, values, sizes) and _well_posed(after, values, sizes)):
            return None, None
        a, b = _value(before, values, sizes), _value(after, values, sizes)
        if not (_finite(a) and _finite(b)):
            return None, None
        return a, b


@contextmanager
def checking_rewrites(seed: int = 0) -> Iterator[RewriteChecker]:
    """Check every rewrite fired in the block; yields the checker (its counts)."""
    checker = RewriteChecker(seed)
    with observing(checker):
        yield checker


def install_for_process(seed: int = 0) -> RewriteChecker:
    """Check every rewrite from now on, in this context (``MATCAL_CHECK_REWRITES=1``)."""
    checker = RewriteChecker(seed)
    rewrites.observe_from_now(checker)
    return checker


# ---------------------------------------------------------------- values


def _size(d: Dim, sizes: dict, resolve, rng) -> int:
    root = resolve(d)
    if root not in sizes:
        if root.factors:
            sizes[root] = int(np.prod([_size(f, sizes, resolve, rng) for f in root.factors]))
        else:
            sizes[root] = int(rng.integers(2, 5))
    sizes[d] = sizes[root]
    return sizes[root]


def _draw(var: Var, shape: tuple[int, ...], positive: bool, rng):
    draw = rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)
    if len(shape) == 2 and shape[0] == shape[1]:
        if var.symmetric:
            draw = (draw + draw.T) / 2
        draw = np.eye(shape[0]) + draw / (2 * np.sqrt(shape[0]))
    return float(draw) if not shape else draw


def _exprs(x) -> list[Expr]:
    """The matrix expressions inside ``x`` (an Expr or a Tensor)."""
    if isinstance(x, Tensor):
        return [f.expr for t in x.terms for f in t.factors if isinstance(f, Atom)]
    return [x]


def _dims(x) -> list[Dim]:
    """Every dim in ``x``: of its nodes, and of a tensor's indices."""
    dims = [d for e in _exprs(x) for node in walk(e) for d in node.shape.dims]
    if isinstance(x, Tensor):
        dims += [i.dim for i in x.free]
        dims += [i.dim for t in x.terms for f in t.factors for i in indices_of(f)]
    return dims


def _variables(x) -> dict[str, Var]:
    return {node.name: node for e in _exprs(x) for node in walk(e) if isinstance(node, Var)}


def _well_posed(x, values, sizes) -> bool:
    """Every matrix ``x`` inverts (or takes the determinant of) is well conditioned here:
    near a singular matrix, rounding alone would tell two equal expressions apart."""
    ev = Evaluator(values, sizes)
    for e in _exprs(x):
        for node in walk(e):
            arg = inverted(node)
            if arg is not None and not np.linalg.cond(np.asarray(ev(arg))) <= MAX_CONDITION:
                return False
    return True


MAX_CONDITION = 1e6


def _value(x, values, sizes):
    ev = Evaluator(values, sizes)
    if isinstance(x, Tensor):
        return tensor_value(x, ev, sizes)
    return np.asarray(ev(x), dtype=float)


def tensor_value(t: Tensor, ev: Evaluator, sizes) -> np.ndarray:
    """The value of an index-notation tensor, laid out along ``t.free``
    (:func:`matcal.numeric.evaluate.einsum_value`)."""
    return einsum_value(t.free, tuple(sizes[i.dim] for i in t.free), t.terms,
                        lambda f: ev(f.expr), lambda i: sizes[i.dim])


def _finite(v) -> bool:
    return v is not None and bool(np.all(np.isfinite(v))) and float(
        np.max(np.abs(v), initial=0)) < 1e12


def _agree(a, b, tolerance: float) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return a.size == b.size == 1 and math.isclose(float(a.reshape(())), float(b.reshape(())),
                                                      rel_tol=tolerance, abs_tol=tolerance)
    scale = 1.0 + max(float(np.max(np.abs(a), initial=0)), float(np.max(np.abs(b), initial=0)))
    return float(np.max(np.abs(a - b), initial=0)) <= tolerance * scale


def _show(x) -> str:
    if isinstance(x, Tensor):
        parts = []
        for t in x.terms:
            fs = [f"{f.expr}[{','.join(map(repr, f.idx))}]" if isinstance(f, Atom)
                  else f"δ[{f.a!r},{f.b!r}]" for f in t.factors]
            parts.append(f"{t.coeff:g}*" + "*".join(fs))
        return f"T[{','.join(map(repr, x.free))}] = " + (" + ".join(parts) or "0")
    return str(x)


def _summary(v) -> str:
    v = np.asarray(v)
    return f"{v.reshape(-1)[:4]}" + (" …" if v.size > 4 else "")
