"""Element-wise algebra: sums of Hadamard products of powers, brought to a short form.

Entries of same-shaped vectors or matrices (scalars broadcast) form a commutative ring under
``+`` and ``.*``, so a sum of element-wise products of powers — ``-y.*sigmoid(-u) +
(1 - y).*sigmoid(u).*sigmoid(-u)./(1 - sigmoid(u))`` — is a rational function of the
sub-expressions the ring does not see into (its *atoms*: ``y``, ``sigmoid(u)``, ``X*w``,
``norm2(x)``). :func:`rational_form` computes it the way one does by hand:

1. every factor is read as a product of powers of atoms and of sums (a sum kept whole as a
   *factor*, normalised to be primitive, so ``1 - s`` in one place and ``-2 + 2*s`` in
   another are one factor), with ``sigmoid(-u) = 1 - sigmoid(u)`` on the way in (and the
   factor ``1 - sigmoid(u)`` written ``sigmoid(-u)`` on the way out: shorter, and accurate
   where sigmoid(u) is near 1);
2. equal factors merge their exponents (``u.^a .* u.^b = u.^(a+b)``, so ``u./u = 1`` and
   ``(1 - s)./(1 - s) = 1``), and exponentials their arguments (``exp(x).^2 = exp(2*x)``);
3. a sum's terms give up their common factor (a common denominator, too), the rest is
   multiplied out and collected (like terms cancel: ``-y.*(1 - s) + (1 - y).*s = s - y``) and
   gives up its own common factor (``s - s.^2 = s.*(1 - s)``).

Every step holds wherever the input is defined (cancelling ``u./u`` assumes u ≠ 0, as the
input does); powers with an exponent that is not an integer are merged only where that holds
over the reals (``(u.^2).^0.5`` is ``abs(u)``, so it stays an atom). :func:`rational_form`
gives its result only when it is shorter (:func:`matcal.simplify.cost.cost`), or a product in
place of a sum at most two symbols longer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from matcal.core.build import (
    add, hadamard, mul, neg, number, numeric_value, power, scale, split_coefficient,
)
from matcal.core.nodes import Add, Apply, Expr, Hadamard, MatMul, Number, Ones, Power, Zero
from matcal.core.shapes import SCALAR, Shape
from matcal.simplify.cost import cost

_MAX_TERMS = 32
"""Multiplying out stops (the sum stays a factor) when it would make more terms than this."""

Key = frozenset  # of (base, exponent) pairs: one product of powers
Poly = dict  # Key -> coefficient: a sum of products of powers


@dataclass(frozen=True, slots=True)
class Factor:
    """A sum kept whole as one base of a power: primitive (its first term, in the canonical
    order, has coefficient 1, and its terms have no common factor)."""

    terms: tuple[tuple[Key, float], ...]


@lru_cache(maxsize=4096)
def rational_form(e: Expr) -> Expr | None:
    """``e`` (a sum, Hadamard product or power) brought to the short form of the module
    docstring, when that is shorter (:func:`~matcal.simplify.cost.cost`) — or a product
    where ``e`` is a sum, at most two symbols longer (σ.*(1 - σ) for σ - σ.^2: the factored
    form the textbooks write); else None.

    >>> from matcal.syntax.parse import parse
    >>> str(rational_form(parse("x./x + log(x)", {"x": "vector"})))
    '1 + log(x)'
    """
    if not isinstance(e, (Add, Hadamard, Power)) and not (
            isinstance(e, MatMul) and sum(not f.shape.is_scalar for f in e.factors) < 2):
        return None
    if isinstance(e, Add) and not any(_elementwise(t) for t in e.terms):
        return None  # a sum of matrix products: collect_like_terms and factor_common's work
    poly = _read(e)
    if poly is None:
        return None
    out = _write_sum(_finish(poly), e.shape)
    if out == e:
        return None
    if cost(out) < cost(e) or (isinstance(e, Add) and not isinstance(out, Add)
                               and cost(out) <= cost(e) + 2):
        return out
    return None


# ---------------------------------------------------------------- reading an expression


def _elementwise(term: Expr) -> bool:
    """True when a term of a sum has element-wise structure this algebra can act on: a
    Hadamard product, a power, a function, a constant, or a product with a scalar factor."""
    _, body = split_coefficient(term)
    if isinstance(body, (Hadamard, Power, Apply, Number, Ones)):
        return True
    return isinstance(body, MatMul) and any(
        f.shape.is_scalar for f in body.factors) and not body.shape.is_scalar


def _read(e: Expr) -> Poly | None:
    """The sum of products of powers equal to ``e``; None when ``e`` is an atom."""
    if isinstance(e, Number):
        return {Key(): e.value}
    if isinstance(e, Ones):
        return {Key(): 1.0}
    if isinstance(e, Zero):
        return {}
    if isinstance(e, Add):
        out: Poly = {}
        for t in e.terms:
            _accumulate(out, _poly(t))
        return out
    if isinstance(e, Hadamard):
        return _product([_poly(f) for f in e.factors])
    if isinstance(e, MatMul):
        chain = [f for f in e.factors if not f.shape.is_scalar]
        if len(chain) > 1:  # c*(A*B): the matrix product is one atom, its scalars scale it
            scalars = [f for f in e.factors if f.shape.is_scalar]
            if not scalars:
                return None
            return _product([_poly(f) for f in scalars] + [{Key({(mul(*chain), 1.0)}): 1.0}])
        return _product([_poly(f) for f in e.factors])
    if isinstance(e, Power):
        p = numeric_value(e.exponent)
        if p is None or p == 0:
            return None
        return _power(_poly(e.base), p)
    if isinstance(e, Apply) and e.func == "sqrt":  # √u = u^½ (u ≥ 0 where √u is real)
        return _power(_poly(e.arg), 0.5)
    if isinstance(e, Apply) and e.func == "sigmoid":
        c, _ = split_coefficient(e.arg)
        if c < 0:  # σ(−u) = 1 − σ(u)
            return {Key(): 1.0, Key({(Apply("sigmoid", neg(e.arg)), 1.0)}): -1.0}
    return None


def _poly(e: Expr) -> Poly:
    """``e`` read as a sum of products, or as the one atom it is."""
    out = _read(e)
    return {Key({(e, 1.0)}): 1.0} if out is None else out


def _accumulate(into: Poly, poly: Poly, scale_by: float = 1.0) -> None:
    for k, c in poly.items():
        total = into.get(k, 0.0) + c * scale_by
        if total == 0:
            into.pop(k, None)
        else:
            into[k] = total


def _product(polys: list[Poly]) -> Poly:
    """The product: single terms merge their powers; a sum is kept as one factor."""
    coeff, powers = 1.0, {}
    sums: list[Poly] = []
    for p in polys:
        if not p:
            return {}
        if len(p) == 1:
            (k, c), = p.items()
            coeff *= c
            _merge_into(powers, k)
        else:
            sums.append(p)
    if len(sums) == 1 and not powers:  # c·(a + b): the sum itself, scaled
        return {k: coeff * c for k, c in sums[0].items()}
    for s in sums:
        c, k = _as_factor(s)
        coeff *= c
        _merge_into(powers, k)
    return {_key(powers): coeff}


def _merge_into(powers: dict, key, times: float = 1.0) -> None:
    """Multiply ``powers`` (base → exponent) by the (base, exponent) pairs of ``key``, each
    exponent times ``times``; exponents that reach 0 drop out."""
    for base, p in key:
        q = powers.get(base, 0.0) + p * times
        if q == 0:
            powers.pop(base, None)
        else:
            powers[base] = q


def _key(powers: dict) -> Key:
    """The product of ``powers``, exponentials of one shape merged: eᵃ·(eᵇ)ᵖ = e^(a + p·b)."""
    exps: dict = {}
    for base, p in powers.items():
        if isinstance(base, Apply) and base.func == "exp":
            exps.setdefault(base.arg.shape, []).append((base, p))
    merge = [group for group in exps.values() if len(group) > 1 or group[0][1] != 1]
    if merge:
        powers = dict(powers)
        for group in merge:
            for base, _ in group:
                del powers[base]
            arg = add(*(mul(number(p), base.arg) for base, p in group))
            if not isinstance(arg, Zero):
                powers[Apply("exp", arg)] = powers.get(Apply("exp", arg), 0.0) + 1.0
    return Key(powers.items())


def _power(poly: Poly, p: float) -> Poly | None:
    """``poly.^p``; None when that is not a product of the powers (an even power under a
    root: (u.^2).^0.5 = abs(u), which stays an atom)."""
    if not poly:
        return None if p < 0 else {}
    if len(poly) > 1:
        c, key = _as_factor(poly)
        poly = {key: c}
    (key, c), = poly.items()
    if not float(p).is_integer():
        if c < 0 or any(float(q).is_integer() and q % 2 == 0 for _, q in key):
            return None
    powers: dict = {}
    _merge_into(powers, key, p)
    return {_key(powers): c**p}


def _as_factor(poly: Poly) -> tuple[float, Key]:
    """(c, powers) with ``poly`` = c · powers: its common factor, and the primitive rest as
    one :class:`Factor` (itself, when a single term is left)."""
    common = _common(poly)
    rest = _divide(poly, common)
    if len(rest) == 1:
        (k, c), = rest.items()
        powers = dict(common)
        _merge_into(powers, k)
        return c, _key(powers)
    terms = sorted(rest.items(), key=_term_order)
    lead = terms[0][1]
    factor = Factor(tuple((k, c / lead) for k, c in terms))
    powers = dict(common)
    _merge_into(powers, Key({(factor, 1.0)}))
    return lead, _key(powers)


def _common(poly: Poly) -> Key:
    """The common factor of the terms: each base to its least exponent (a base a term lacks
    counts as exponent 0, so a denominator of any term is in it)."""
    keys = [dict(k) for k in poly]
    bases = {b for k in keys for b in k}
    out = {}
    for b in bases:
        least = min(k.get(b, 0.0) for k in keys)
        if least != 0 and (least < 0 or all(b in k for k in keys)):
            out[b] = least
    return _key(out)


def _divide(poly: Poly, common: Key) -> Poly:
    out: Poly = {}
    for k, c in poly.items():
        powers = dict(k)
        _merge_into(powers, common, -1.0)
        out[_key(powers)] = c
    return out


def _term_order(item: tuple[Key, float]) -> tuple:
    """Constants first, then by the structure of the product (a total order)."""
    key, _ = item
    return (len(key) > 0, sorted((_order(b), q) for b, q in key))


@lru_cache(maxsize=4096)
def _order(base) -> str:
    return repr(base)


# ---------------------------------------------------------------- collecting and factoring


def _finish(poly: Poly) -> Poly:
    """Common factor out, the rest multiplied out and collected, its common factor out."""
    if len(poly) < 2:
        return poly
    common = _common(poly)
    rest: Poly = {}
    for k, c in _divide(poly, common).items():
        expanded = _expand(k)
        if expanded is None:
            return poly
        _accumulate(rest, expanded, c)
    if len(rest) > _MAX_TERMS:
        return poly
    inner = _common(rest)
    if inner:
        rest = _divide(rest, inner)
    powers = dict(common)
    _merge_into(powers, inner)
    return _product([{_key(powers): 1.0}, rest]) if rest else {}


def _expand(key: Key) -> Poly | None:
    """The product of powers ``key`` with its factors raised to whole positive powers
    multiplied out; None when that makes too many terms."""
    out: Poly = {Key(): 1.0}
    kept: dict = {}
    for base, p in key:
        if isinstance(base, Factor) and float(p).is_integer() and 0 < p <= 4:
            for _ in range(int(p)):
                out = _distribute(out, dict(base.terms))
                if len(out) > _MAX_TERMS:
                    return None
        else:
            kept[base] = p
    if kept:
        out = {_key(_merged(k, kept)): c for k, c in out.items()}
    return out


def _distribute(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ka, ca in a.items():
        for kb, cb in b.items():
            _accumulate(out, {_key(_merged(ka, dict(kb))): ca * cb})
    return out


def _merged(key: Key, powers: dict) -> dict:
    out = dict(key)
    _merge_into(out, powers.items())
    return out


# ---------------------------------------------------------------- writing it back


def _write_sum(poly: Poly, shape: Shape) -> Expr:
    """The expression of ``poly``, of ``shape``: constants first, then the terms with a
    positive coefficient, then the rest (``sigmoid(u) - y``, ``1 - s``)."""
    if not poly:
        return Zero(shape)
    terms = [_write_term(k, c, shape) for k, c in
             sorted(poly.items(), key=lambda t: (len(t[0]) > 0, t[1] < 0))]
    # a scalar term of a sum of vectors or matrices stands for itself times ones
    return add(*(hadamard(t, Ones(shape)) if t.shape != shape else t for t in terms))


def _write_term(key: Key, c: float, shape: Shape) -> Expr:
    """c times the powers of ``key``; a constant as ``c*ones`` of ``shape`` (written first in
    a sum, as ``1 - s``)."""
    factors = sorted(key, key=lambda bp: (isinstance(bp[0], Factor), bp[1] < 0,
                                          0 if isinstance(bp[0], Factor) else cost(bp[0]),
                                          _order(bp[0])))
    parts = [_write_power(_write_base(b), p) for b, p in factors]
    if not parts:
        return number(c) if shape.is_scalar else scale(c, Ones(shape))
    body = parts[0] if len(parts) == 1 else hadamard(*parts)
    return scale(c, body) if c != 1 else body


def _write_power(base: Expr, p: float) -> Expr:
    """``base.^p``, a half-integer power through ``sqrt`` (``1./sqrt(u).^3``, not ``u.^-1.5``)."""
    if not float(p).is_integer() and float(2 * p).is_integer():
        return power(Apply("sqrt", base), number(2 * p))
    return power(base, number(p))


def _write_base(base) -> Expr:
    """A base as an expression; the factor 1 − σ(u) as σ(−u), which is shorter and, where
    σ(u) is near 1, exact where 1 − σ(u) cancels."""
    if isinstance(base, Factor):
        terms = dict(base.terms)
        if len(terms) == 2 and terms.get(Key()) == 1.0:
            (key, c), = ((k, c) for k, c in terms.items() if k)
            (atom, p), = key if len(key) == 1 else ((None, 0),)
            if c == -1.0 and p == 1.0 and isinstance(atom, Apply) and atom.func == "sigmoid":
                return Apply("sigmoid", neg(atom.arg))
        return _write_sum(terms, _shape_of(base))
    return base


def _shape_of(factor: Factor) -> Shape:
    """The shape of a sum: that of any of its atoms that is not a scalar."""
    for key, _ in factor.terms:
        for base, _ in key:
            shape = _shape_of(base) if isinstance(base, Factor) else base.shape
            if not shape.is_scalar:
                return shape
    return SCALAR
