"""Simplifier rules on products and on functions of one argument: powers, inverses,
determinants of products, function quotients, scalars out of linear functionals.

Each rule maps an expression to an equal one or returns None; :mod:`matcal.simplify.engine`
holds the table that names them and the order they are tried in. The rules that spread an
inverse or a determinant over a product of square factors keep the result only where it is
shorter (:func:`~matcal.simplify.cost.cost`): they are there for what then cancels.
"""

from __future__ import annotations

from matcal.core.build import (
    add, count_transposes, det, hadamard, inverse, logdet, mat_power, mul, number,
    numeric_value, power, split_coefficient, transpose,
)
from matcal.core.rebuild import rebuild
from matcal.core.nodes import (
    Add, Apply, Det, DiagVector, Expr, Hadamard, Identity, Inverse, LogDet, MatMul,
    MatPower, Norm1, Norm2, Number, Ones, Power, SumEntries, Trace, Transpose,
)
from matcal.simplify.cost import cost
from matcal.simplify.collecting import collect_like_terms
from matcal.simplify.normal import normal_form


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
            if not _all_square(parts):
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
    if isinstance(out, Add):
        out = collect_like_terms(out) or out
    else:
        out = merge_powers(out) or out
    return out if cost(out) < cost(e) else None


def _split_determinant(e: Expr) -> Expr:
    c, body = split_coefficient(e)
    if isinstance(body, Power) and isinstance(body.base, Det):  # det(A*X)^-1
        return mul(number(c), power(_split_determinant(body.base), body.exponent))
    if not (isinstance(body, (LogDet, Det)) and isinstance(body.arg, MatMul)):
        return e
    factors = body.arg.factors
    if not _all_square(factors):
        return e
    if isinstance(body, LogDet):
        return mul(number(c), add(*(logdet(f) for f in factors)))
    return mul(number(c), *(det(f) for f in factors))


def _all_square(factors: tuple[Expr, ...]) -> bool:
    """Every factor of a product is a square matrix (what the two rules above need)."""
    return all(f.shape.is_square for f in factors)


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
