"""Simplification to textbook form: named rewrite rules applied bottom-up to a fixpoint.

The smart constructors (:mod:`matcal.core.build`) already keep out trivial clutter; these rules do
the algebra a careful person does by hand, each under the name the explanations use:

- ``collect_like_terms``: 2*X + 3*X → 5*X, and y.*x + x.*y → 2*y.*x,
  inv(X)'*inv(X)' + (inv(X)*inv(X))' → 2*inv(X)'*inv(X)': terms are compared by their
  :func:`normal_form`;
- ``merge_powers``: a*a^-1 → 1 among scalar factors, X.*X → X.^2 in Hadamard products;
- ``cancel_inverse``: P*inv(P) → I and inv(P)*P → I between neighbours of a matrix chain;
- ``factor_common``: P*Q + R*Q → (P + R)*Q, when it costs no more
  (:func:`~matcal.simplify.cost.cost`, on the tree);
- ``common_coefficient``: 2*A + 2*B → 2*(A + B), when shorter;
- ``diag_orientation`` / ``trace_orientation``: diag(Pᵀ) = diag(P), tr(Pᵀ) = tr(P) — the form
  with fewer transposes.

Every rule maps an expression to an equal-valued one; :func:`simplify` is idempotent. Each
rule that fires is reported to :mod:`matcal.core.rewrites` under its name (the value-checked mode
of :mod:`matcal.numeric.rewrite_check` evaluates both sides).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from matcal.core.build import (
    add, count_transposes, det, hadamard, inverse, is_symmetric, logdet, mat_power, mul, number,
    numeric_value, power, split_coefficient, transpose,
)
from matcal.core.rebuild import map_bottom_up, rebuild
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Expr, Hadamard, Identity, Inverse, LogDet, MatMul,
    MatPower, Norm1, Norm2, Number, Ones, Power, SumEntries, Trace, Transpose,
)
from matcal.simplify.elementwise import rational_form
from matcal.core.shapes import Shape
from matcal.simplify.sums import sum_over_selection
from matcal.core.rewrites import fired
from matcal.core.rule_tables import NamedRule
from matcal.simplify.cost import cost

Rule = Callable[[Expr], Expr | None]


def normal_form(e: Expr) -> Expr:
    """``e`` with every transpose pushed down to the leaves — (PQ)ᵀ = QᵀPᵀ, (P⁻¹)ᵀ = (Pᵀ)⁻¹,
    (P + Q)ᵀ = Pᵀ + Qᵀ (Matrix Cookbook §1.1), (P ⊙ Q)ᵀ = Pᵀ ⊙ Qᵀ — and what commutes in
    a canonical order (by its structure): the terms of sums, the factors of Hadamard products,
    the scalar factors of products, and the two ways uᵀv = vᵀu of a scalar chain. Expressions
    with equal normal forms are equal, however they are written; it is a key to compare by,
    not to print.

    >>> from matcal.syntax.parse import parse
    >>> normal_form(parse("(inv(X)*A)'")) == normal_form(parse("A'*inv(X')"))
    True
    >>> normal_form(parse("y.*x")) == normal_form(parse("x.*y"))
    True
    """
    return _normal(e, False)


@lru_cache(maxsize=4096)
def _normal(e: Expr, flip: bool) -> Expr:
    """The normal form of ``e``, or of ``e'`` when ``flip``."""
    if isinstance(e, Transpose):
        return _normal(e.arg, not flip)
    flip = flip and not (e.shape.is_scalar or is_symmetric(e))
    if isinstance(e, MatMul):
        if e.shape.is_scalar and not all(f.shape.is_scalar for f in e.factors):  # uᵀv = vᵀu
            return min(_product(e.factors, False), _product(e.factors, True), key=_structural_order)
        return _product(e.factors, flip)
    if isinstance(e, (Add, Hadamard)):
        parts = sorted((_normal(c, flip) for c in e.children()), key=_structural_order)
        return add(*parts) if isinstance(e, Add) else hadamard(*parts)
    if isinstance(e, (Power, Apply, Inverse, MatPower)):  # the transpose goes inside
        return rebuild(e, tuple(_normal(c, flip) for c in e.children()))
    out = rebuild(e, tuple(_normal(c, False) for c in e.children()))
    return transpose(out) if flip else out


def _product(factors: tuple[Expr, ...], flip: bool) -> Expr:
    """The normal form of a product (of its transpose when ``flip``): scalars in order."""
    scalars = sorted((_normal(f, False) for f in factors if f.shape.is_scalar),
                     key=_structural_order)
    chain = [_normal(f, flip) for f in factors if not f.shape.is_scalar]
    return mul(*scalars, *(reversed(chain) if flip else chain))


def _structural_order(e: Expr) -> str:
    """A total order on expressions, from their structure alone (not from any printed form)."""
    return repr(e)


def collect_like_terms(e: Expr) -> Expr | None:
    """c₁·T + c₂·T = (c₁ + c₂)·T, terms compared by :func:`normal_form`, so ``y.*x + x.*y``
    and ``inv(X)'*inv(X)' + (inv(X)*inv(X))'`` collect; the shortest form of T is kept."""
    if not isinstance(e, Add):
        return None
    order: list[Expr] = []
    total: dict[Expr, float] = {}  # by normal form: the summed coefficient of it
    shown: dict[Expr, tuple[float, Expr]] = {}  # by normal form: (c, T) with c·(it) = T
    for t in e.terms:
        c, rest = split_coefficient(t)
        c_normal, key = split_coefficient(normal_form(rest))
        if key not in total:
            order.append(key)
            total[key] = 0.0
        total[key] += c * c_normal
        if key not in shown or cost(rest) < cost(shown[key][1]):
            shown[key] = (c_normal, rest)
    if len(order) == len(e.terms):
        return None
    return add(*(mul(number(total[k] / shown[k][0]), shown[k][1]) for k in order))


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


def cancel_inverse(e: Expr) -> Expr | None:
    """P P⁻¹ = P⁻¹ P = I (Matrix Cookbook §3.1.1) for neighbours of a matrix product chain,
    compared by :func:`normal_form` (so Pᵀ (P⁻¹)ᵀ cancels too) — also where P is itself a
    product written out in the chain: inv(XᵀX)·Xᵀ·X = I."""
    if not isinstance(e, MatMul):
        return None
    factors = list(e.factors)
    chain = [n for n, f in enumerate(factors) if not f.shape.is_scalar]
    for a, b in zip(chain, chain[1:]):
        if _inverses(factors[a], factors[b]) or _inverses(factors[b], factors[a]):
            factors[a] = Identity(factors[a].shape.rows)
            del factors[b]
            return mul(*factors)
    for i, n in enumerate(chain):
        inv = factors[n]
        if not (isinstance(inv, Inverse) and isinstance(inv.arg, MatMul)):
            continue
        run = [f for f in inv.arg.factors if not f.shape.is_scalar]
        if len(run) != len(inv.arg.factors):
            continue
        k = len(run)
        for span in (chain[i + 1:i + 1 + k], chain[max(i - k, 0):i]):
            if len(span) == k and span == list(range(span[0], span[0] + k)) and all(
                    factors[m] == f for m, f in zip(span, run)):
                out = [Identity(inv.shape.rows) if m == n else f
                       for m, f in enumerate(factors) if m not in span]
                return mul(*out)
    return None


def inverse_of_product(e: Expr) -> Expr | None:
    """(P₁P₂…P_k)⁻¹ = P_k⁻¹…P₂⁻¹P₁⁻¹ for square P_i (Matrix Cookbook §1.1), inside
    a product where it then cancels against its neighbours and the product is shorter:
    B·inv(A·X·B)·A = inv(X) for square A, X, B."""
    if not isinstance(e, MatMul):
        return None
    for form in dict.fromkeys((e, normal_form(e))):  # A'*inv(A*X)' is A'*inv(X'*A')
        if not isinstance(form, MatMul):
            continue
        for n, f in enumerate(form.factors):
            if not (isinstance(f, Inverse) and isinstance(f.arg, MatMul)):
                continue
            parts = f.arg.factors
            if not all(p.shape.is_square and not p.shape.is_scalar for p in parts):
                continue
            out = _cancelled(mul(*form.factors[:n], *(inverse(p) for p in reversed(parts)),
                                 *form.factors[n + 1:]))
            if cost(out) < cost(e):
                return out
    return None


def split_determinants(e: Expr) -> Expr | None:
    """logdet(P₁…P_k) = Σ logdet(P_i) and det(P₁…P_k) = Π det(P_i) for square P_i (Matrix
    Cookbook §1.3; matcal's logdet is log|det|), in a sum or product where the parts then
    cancel or collect and the whole is shorter: logdet(A*X) - logdet(A) = logdet(X)."""
    if not isinstance(e, (Add, MatMul)) or not e.shape.is_scalar:
        return None
    parts = e.terms if isinstance(e, Add) else e.factors
    split = tuple(_split_determinant(p) for p in parts)
    if split == parts:
        return None
    out = add(*split) if isinstance(e, Add) else mul(*split)
    out = collect_like_terms(out) or out if isinstance(out, Add) else merge_powers(out) or out
    return out if cost(out) < cost(e) else None


def _split_determinant(e: Expr) -> Expr:
    c, body = split_coefficient(e)
    if isinstance(body, Power) and isinstance(body.base, Det):  # det(A*X)^-1
        return power(_split_determinant(body.base), body.exponent)
    if not (isinstance(body, (LogDet, Det)) and isinstance(body.arg, MatMul)):
        return e
    factors = body.arg.factors
    if not all(f.shape.is_square and not f.shape.is_scalar for f in factors):
        return e
    if isinstance(body, LogDet):
        return mul(number(c), add(*(logdet(f) for f in factors)))
    return mul(number(c), *(det(f) for f in factors))


def _cancelled(e: Expr) -> Expr:
    """``e`` with :func:`cancel_inverse` applied until nothing cancels; inv(P') written
    inv(P)', as everywhere else."""
    while isinstance(e, MatMul) and (out := cancel_inverse(e)) is not None:
        e = out
    factors = e.factors if isinstance(e, MatMul) else (e,)
    return mul(*(Transpose(Inverse(f.arg.arg)) if isinstance(f, Inverse)
                 and isinstance(f.arg, Transpose) else f for f in factors))


def _inverses(p: Expr, q: Expr) -> bool:
    """True when ``q`` is the inverse of ``p``."""
    nq = normal_form(q)
    return isinstance(nq, Inverse) and nq.arg == normal_form(p)


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
            if cost(candidate) <= cost(e):
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
    if (len(fs) < 2 and len(ft) < 2) or not fs or not ft or len(ms) != len(fs) or len(
            mt) != len(ft):
        return None
    if fs[0] == ft[0]:
        return mul(fs[0], _inner(cs, fs[1:], ct, ft[1:], fs[0].shape.cols))
    if fs[-1] == ft[-1]:
        return mul(_inner(cs, fs[:-1], ct, ft[:-1], fs[-1].shape.rows), fs[-1])
    return None


def _inner(cs: float, fs: list[Expr], ct: float, ft: list[Expr], n) -> Expr:
    """c_s·F_s + c_t·F_t, a factor left empty standing for the identity (Q = I·Q), and
    diagonal terms merged (P − diag(t)·P = diag(1 − t)·P)."""
    inner = add(mul(number(cs), *(fs or [Identity(n)])), mul(number(ct), *(ft or [Identity(n)])))
    return merge_diagonals(inner) or inner


def common_coefficient(e: Expr) -> Expr | None:
    """c·A + c·B = c·(A + B) when every term has the coefficient ±c, |c| ≠ 1, and that is
    shorter — or as short, for a symmetric pair c·T + c·Tᵀ, which then reads c·(T + Tᵀ)."""
    if not isinstance(e, Add):
        return None
    parts = [split_coefficient(t) for t in e.terms]
    c = abs(parts[0][0])
    if c == 1 or any(abs(p[0]) != c for p in parts):
        return None
    sign = -1.0 if all(p[0] < 0 for p in parts) else 1.0
    pair = len(parts) == 2 and parts[1][1] == transpose(parts[0][1])  # c·(T + Tᵀ): symmetric
    if pair and count_transposes(parts[1][1]) < count_transposes(parts[0][1]):
        parts.reverse()
    inner = add(*(mul(number(p[0] / (sign * c)), p[1]) for p in parts))
    candidate = mul(number(sign * c), inner)
    shorter = cost(candidate) < cost(e) or pair and cost(candidate) == cost(e)
    return candidate if shorter else None


def collect_matrix_powers(e: Expr) -> Expr | None:
    """P·P·…·P = P^k for a square P repeated next to itself in a product, and P^a·P = P^(a+1)
    (X·X·X → X^3, inv(X)·inv(X) → inv(X)^2; Matrix Cookbook §1.1, powers of one matrix
    commute with each other)."""
    if not isinstance(e, MatMul):
        return None
    factors = list(e.factors)
    out: list[Expr] = []
    changed = False
    for f in factors:
        if out and not f.shape.is_scalar and f.shape.is_square:
            base, k = _power_of(out[-1])
            fb, fk = _power_of(f)
            if base == fb:
                out[-1] = mat_power(base, k + fk)
                changed = True
                continue
        out.append(f)
    return mul(*out) if changed else None


def _power_of(f: Expr) -> tuple[Expr, int]:
    """(P, k) for P^k (a numeric matrix power), else (f, 1)."""
    if isinstance(f, MatPower):
        return f.base, f.k
    return f, 1


def function_quotients(e: Expr) -> Expr | None:
    """sinh(u).^p ./ cosh(u).^p = tanh(u).^p and exp(u).^p ./ (1 + exp(u)).^p = sigmoid(u).^p
    in an element-wise product (tanh = sinh/cosh; σ(u) = eᵘ/(1 + eᵘ))."""
    if not isinstance(e, (Hadamard, MatMul)):
        return None
    factors = list(e.factors)
    if isinstance(e, MatMul) and not all(f.shape.is_scalar for f in factors):
        return None
    parts = [_base_exponent(f) for f in factors]
    for i, (num, p) in enumerate(parts):
        if not isinstance(num, Apply) or p <= 0:
            continue
        for j, (den, q) in enumerate(parts):
            if q != -p:
                continue
            name = _quotient_function(num, den)
            if name is not None:
                merged = power(Apply(name, num.arg), number(p))
                rest = [f for k, f in enumerate(factors) if k not in (i, j)]
                build = hadamard if isinstance(e, Hadamard) else mul
                return build(merged, *rest) if rest else merged
    return None


def _quotient_function(num: Apply, den: Expr) -> str | None:
    """``tanh`` for sinh(u) over cosh(u), ``sigmoid`` for exp(u) over 1 + exp(u); else None."""
    if num.func == "sinh" and den == Apply("cosh", num.arg):
        return "tanh"
    if num.func == "exp" and isinstance(den, Add) and len(den.terms) == 2:
        for one, other in (den.terms, den.terms[::-1]):
            if other == num and (isinstance(one, Ones) or numeric_value(one) == 1.0):
                return "sigmoid"
    return None


def merge_diagonals(e: Expr) -> Expr | None:
    """c₁·diag(u) + c₂·diag(v) = diag(c₁·u + c₂·v) (diag is linear), for two or more
    diagonal terms of a sum: one diagonal matrix, which a product scales by one vector; the
    identity among them is diag(1) (I − diag(t.^2) = diag(1 − t.^2))."""
    if not isinstance(e, Add):
        return None
    diagonal, rest, ones = [], [], 0
    for t in e.terms:
        c, body = split_coefficient(t)
        if isinstance(body, Identity):  # I = diag(1)
            body = DiagMatrix(Ones(Shape(body.n, None)))
            ones += 1
        if isinstance(body, DiagMatrix) and body.arg.shape.is_vector:
            diagonal.append(mul(number(c), body.arg) if c != 1 else body.arg)
        else:
            rest.append(t)
    if len(diagonal) - ones < 1 or len(diagonal) < 2:
        return None
    return add(*rest, DiagMatrix(add(*diagonal)))


def scalars_out(e: Expr) -> Expr | None:
    """tr(c·P) = c·tr(P), sum(c·P) = c·sum(P), diag(c·P) = c·diag(P) for scalar factors c
    (each is linear), and ‖c·P‖ = |c|·‖P‖ for a number c (a norm is absolutely homogeneous)."""
    if isinstance(e, (Norm1, Norm2)):
        c, rest = split_coefficient(e.arg)
        return mul(number(abs(c)), type(e)(rest)) if c != 1 else None
    if not isinstance(e, (Trace, SumEntries, DiagVector)) or not isinstance(e.arg, MatMul):
        return None
    scalars = [f for f in e.arg.factors if f.shape.is_scalar]
    chain = [f for f in e.arg.factors if not f.shape.is_scalar]
    if not scalars or not chain:
        return None
    return mul(*scalars, rebuild(e, (mul(*chain),)))


def orientation(e: Expr) -> Expr | None:
    """diag(Pᵀ) = diag(P) and tr(Pᵀ) = tr(P): keep the argument with fewer transposes."""
    if not isinstance(e, (DiagVector, Trace)):
        return None
    flipped = transpose(e.arg)
    if count_transposes(flipped) < count_transposes(e.arg):
        return type(e)(flipped)
    return None


RULES: tuple[NamedRule, ...] = (
    NamedRule("collect_like_terms", "c₁·T + c₂·T = (c₁ + c₂)·T", collect_like_terms),
    NamedRule("merge_powers", "a·a^p = a^(p+1) among scalars; X ⊙ X = X.^2", merge_powers),
    NamedRule("cancel_inverse", "P P⁻¹ = P⁻¹ P = I (Matrix Cookbook §3.1.1)", cancel_inverse),
    NamedRule("inverse_of_product", "(P₁…P_k)⁻¹ = P_k⁻¹…P₁⁻¹ for square P_i "
              "(Matrix Cookbook §1.1), where it cancels", inverse_of_product),
    NamedRule("split_determinants", "logdet(PQ) = logdet(P) + logdet(Q), det(PQ) = det(P) "
              "det(Q) for square P, Q (Matrix Cookbook §1.3), where it cancels",
              split_determinants),
    NamedRule("collect_matrix_powers", "P·P = P², P^a·P^b = P^(a+b) for a square P",
              collect_matrix_powers),
    NamedRule("function_quotients", "sinh(u)/cosh(u) = tanh(u), eᵘ/(1 + eᵘ) = σ(u)",
              function_quotients),
    NamedRule("elementwise_algebra", "u./u = 1, σ(−u) = 1 − σ(u), common factors and "
              "denominators of element-wise sums", rational_form),
    NamedRule("merge_diagonals", "c₁·diag(u) + c₂·diag(v) = diag(c₁·u + c₂·v)",
              merge_diagonals),
    NamedRule("scalars_out", "tr(c·P) = c·tr(P), sum(c·P) = c·sum(P), ‖c·P‖ = |c|·‖P‖",
              scalars_out),
    NamedRule("orientation", "diag(Pᵀ) = diag(P), tr(Pᵀ) = tr(P): fewer transposes",
              orientation),
    NamedRule("common_coefficient", "c·A + c·B = c·(A + B)", common_coefficient),
    NamedRule("factor_common", "P Q + R Q = (P + R) Q", factor_common),
    NamedRule("sum_over_selection", "Σ_k B[:,k] x_k = B x and the like (Traa eq. 44–46)",
              sum_over_selection),
)
"""The rules, in the order they are tried at each node: name, identity, function."""


def rewrite(e: Expr) -> Expr:
    """Apply the first rule that changes ``e`` (at its root), repeatedly."""
    for _ in range(50):
        for entry in RULES:
            out = entry.fn(e)
            if out is not None and out != e:
                fired(entry.name, e, out)
                e = out
                break
        else:
            return e
    return e


def simplify(e: Expr, max_rounds: int = 10) -> Expr:
    """Rewrite ``e`` bottom-up with :data:`RULES` until nothing changes.

    >>> from matcal.syntax.parse import parse
    >>> str(simplify(parse("X + X")))
    '2*X'
    """
    for _ in range(max_rounds):
        out = map_bottom_up(e, rewrite)
        if out == e:
            return out
        e = out
    return e
