"""Simplification to textbook form: named rewrite rules applied bottom-up to a fixpoint.

The smart constructors (:mod:`matcal.build`) already keep out trivial clutter; these rules do
the algebra a careful person does by hand, each under the name the explanations use:

- ``collect_like_terms``: 2*X + 3*X → 5*X;
- ``merge_powers``: a*a^-1 → 1 among scalar factors, X.*X → X.^2 in Hadamard products;
- ``factor_common``: P*Q + R*Q → (P + R)*Q, when it is no longer (tokens of the printed text);
- ``common_coefficient``: 2*A + 2*B → 2*(A + B), when shorter;
- ``diag_orientation`` / ``trace_orientation``: diag(Pᵀ) = diag(P), tr(Pᵀ) = tr(P) — the form
  with fewer transposes.

Every rule maps an expression to an equal-valued one; :func:`simplify` is idempotent.
"""

from __future__ import annotations

from typing import Callable

from matcal.build import (
    add, count_transposes, hadamard, is_symmetric, map_bottom_up, mul, number, numeric_value, power,
    split_coefficient, transpose,
)
from matcal.nodes import Add, DiagVector, Expr, Hadamard, MatMul, Number, Power, Trace
from matcal.printing.text import to_text, token_count

Rule = Callable[[Expr], Expr | None]


def _length(e: Expr) -> int:
    return token_count(to_text(e))


def collect_like_terms(e: Expr) -> Expr | None:
    """c₁·T + c₂·T = (c₁ + c₂)·T."""
    if not isinstance(e, Add):
        return None
    order: list[Expr] = []
    coeffs: dict[Expr, float] = {}
    for t in e.terms:
        c, rest = split_coefficient(t)
        if rest not in coeffs:
            order.append(rest)
            coeffs[rest] = 0.0
        coeffs[rest] += c
    if len(order) == len(e.terms):
        return None
    return add(*(mul(number(coeffs[r]), r) for r in order))


def _base_exponent(f: Expr) -> tuple[Expr, float]:
    if isinstance(f, Power) and (p := numeric_value(f.exponent)) is not None:
        return f.base, p
    return f, 1.0


def _merge(factors: list[Expr]) -> list[Expr] | None:
    order: list[Expr] = []
    powers: dict[Expr, float] = {}
    for f in factors:
        base, p = _base_exponent(f)
        if base not in powers:
            order.append(base)
            powers[base] = 0.0
        powers[base] += p
    if len(order) == len(factors):
        return None
    return [power(b, number(powers[b])) for b in order if powers[b] != 0]


def merge_powers(e: Expr) -> Expr | None:
    """a^p · a^q = a^(p+q) for scalar factors; X.^p ⊙ X.^q = X.^(p+q)."""
    if isinstance(e, MatMul):
        scalars = [f for f in e.factors if f.shape.is_scalar and not isinstance(f, Number)]
        merged = _merge(scalars)
        if merged is None:
            return None
        rest = [f for f in e.factors if not (f.shape.is_scalar and not isinstance(f, Number))]
        return mul(*merged, *rest)
    if isinstance(e, Hadamard):
        merged = _merge(list(e.factors))
        if merged is None:
            return None
        return hadamard(*merged) if merged else None
    return None


def _chain(e: Expr) -> tuple[float, list[Expr]]:
    """(coefficient, factors) of a term seen as a product."""
    c, rest = split_coefficient(e)
    if isinstance(rest, MatMul):
        return c, list(rest.factors)
    if isinstance(rest, Number):
        return c, []
    return c, [rest]


def factor_common(e: Expr) -> Expr | None:
    """P·Q + R·Q = (P + R)·Q and Q·P + Q·R = Q·(P + R), when that is no longer."""
    if not isinstance(e, Add):
        return None
    terms = list(e.terms)
    paired = _transpose_pairs(terms)
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            if i in paired or j in paired:
                continue  # keep T + T' visible: symmetric results print in symmetric form
            merged = _factor_pair(terms[i], terms[j])
            if merged is None:
                continue
            candidate = add(*terms[:i], merged, *terms[i + 1 : j], *terms[j + 1 :])
            if _length(candidate) <= _length(e):
                return candidate
    return None


def _transpose_pairs(terms: list[Expr]) -> set[int]:
    """Positions of terms whose transpose is another term."""
    out = set()
    for i, t in enumerate(terms):
        if t.shape.is_matrix and not is_symmetric(t):
            tt = transpose(t)
            for j, u in enumerate(terms):
                if j != i and u == tt:
                    out |= {i, j}
    return out


def _factor_pair(s: Expr, t: Expr) -> Expr | None:
    cs, fs = _chain(s)
    ct, ft = _chain(t)
    ms = [f for f in fs if not f.shape.is_scalar]
    mt = [f for f in ft if not f.shape.is_scalar]
    if len(fs) < 2 or len(ft) < 2 or len(ms) != len(fs) or len(mt) != len(ft):
        return None
    if fs[0] == ft[0]:
        return mul(fs[0], add(mul(number(cs), *fs[1:]), mul(number(ct), *ft[1:])))
    if fs[-1] == ft[-1]:
        return mul(add(mul(number(cs), *fs[:-1]), mul(number(ct), *ft[:-1])), fs[-1])
    return None


def common_coefficient(e: Expr) -> Expr | None:
    """c·A + c·B = c·(A + B) when every term has the coefficient ±c, |c| ≠ 1."""
    if not isinstance(e, Add):
        return None
    parts = [split_coefficient(t) for t in e.terms]
    c = abs(parts[0][0])
    if c == 1 or any(abs(p[0]) != c for p in parts):
        return None
    sign = -1.0 if all(p[0] < 0 for p in parts) else 1.0
    inner = add(*(mul(number(p[0] / (sign * c)), p[1]) for p in parts))
    candidate = mul(number(sign * c), inner)
    return candidate if _length(candidate) < _length(e) else None


def orientation(e: Expr) -> Expr | None:
    """diag(Pᵀ) = diag(P) and tr(Pᵀ) = tr(P): keep the argument with fewer transposes."""
    if not isinstance(e, (DiagVector, Trace)):
        return None
    flipped = transpose(e.arg)
    if count_transposes(flipped) < count_transposes(e.arg):
        return type(e)(flipped)
    return None


RULES: tuple[tuple[str, Rule], ...] = (
    ("collect_like_terms", collect_like_terms),
    ("merge_powers", merge_powers),
    ("orientation", orientation),
    ("common_coefficient", common_coefficient),
    ("factor_common", factor_common),
)
"""The rules, by name, in the order they are tried at each node."""


def rewrite(e: Expr) -> Expr:
    """Apply the first rule that changes ``e`` (at its root), repeatedly."""
    for _ in range(50):
        for _name, rule_fn in RULES:
            out = rule_fn(e)
            if out is not None and out != e:
                e = out
                break
        else:
            return e
    return e


def simplify(e: Expr, max_rounds: int = 10) -> Expr:
    """Rewrite ``e`` bottom-up with :data:`RULES` until nothing changes.

    >>> from matcal.parse import parse
    >>> str(simplify(parse("X + X")))
    '2*X'
    """
    for _ in range(max_rounds):
        out = map_bottom_up(e, rewrite)
        if out == e:
            return out
        e = out
    return e
