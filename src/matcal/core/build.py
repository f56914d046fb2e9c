"""Smart constructors: build nodes without trivial clutter.

Every engine builds expressions through these functions, never through the raw node classes,
so no expression ever holds ``0 + X``, ``1*X``, ``I*X``, ``X .* matrix(1)`` or ``(X')'``
(STYLE 5, as JAX's symbolic zeros). They do bookkeeping only — flattening, numeric
coefficients, zeros, identities, where a transpose stands — and leave real algebra
(collecting terms, factoring) to :mod:`matcal.simplify.engine`.

Transposes are placed where they are fewest: ``(A*B)'`` stays, ``(x'*A)'`` becomes ``A'*x``,
and the transpose of a provably symmetric expression (``X'*X``, ``inv(S)``…) disappears.
"""

from __future__ import annotations

import math
from functools import lru_cache

from matcal.core.errors import ConstantError
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Expr, Hadamard, Identity, Inverse, Kron,
    LogDet, MatMul, MatPower, Number, Ones, Power, Select, SumEntries, Trace, Transpose, Var, Zero,
    walk,
)
from matcal.core.shapes import SCALAR, Shape

ONE = Number(1.0)


def number(value: float) -> Expr:
    """A numeric constant; ``0`` becomes the scalar :class:`Zero`.

    Raises:
        ConstantError: ``value`` is not finite (inf or nan): matcal computes with real numbers.
    """
    value = float(value)
    if not math.isfinite(value):
        raise ConstantError(f"the constant {value} is not a finite number")
    return Zero(SCALAR) if value == 0 else Number(value)


def is_zero(e: Expr) -> bool:
    return isinstance(e, Zero)


def numeric_value(e: Expr) -> float | None:
    """The value of a numeric scalar constant, else None."""
    if isinstance(e, Number):
        return e.value
    if isinstance(e, Zero) and e.shape.is_scalar:
        return 0.0
    return None


def split_coefficient(e: Expr) -> tuple[float, Expr]:
    """``3*A*B`` → (3, ``A*B``); ``A`` → (1, ``A``); ``5`` → (5, ``1``)."""
    if isinstance(e, Number):
        return e.value, ONE
    if isinstance(e, MatMul) and isinstance(e.factors[0], Number):
        rest = e.factors[1:]
        return e.factors[0].value, rest[0] if len(rest) == 1 else MatMul(rest)
    return 1.0, e


# ---------------------------------------------------------------- sums


def add(*terms: Expr) -> Expr:
    """Sum of terms of one shape: flattened, zeros dropped, numbers folded.

    >>> from matcal.core.shapes import Dim
    >>> X = Var("X", Shape(Dim("m"), Dim("n")))
    >>> add(X, Zero(X.shape)) == X
    True
    """
    shape = next((t.shape for t in terms if not t.shape.is_scalar), terms[0].shape)
    flat: list[Expr] = []
    constant = 0.0
    for t in terms:
        for u in (t.terms if isinstance(t, Add) else (t,)):
            if isinstance(u, Zero):
                continue
            if isinstance(u, Number):
                constant += u.value
            else:
                flat.append(u)
    if constant != 0:  # a number in a sum of matrices stands for that number times ones
        flat.append(number(constant) if shape.is_scalar else scale(constant, Ones(shape)))
    if not flat:
        return Zero(shape)
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def neg(e: Expr) -> Expr:
    return scale(-1.0, e)


def sub(a: Expr, b: Expr) -> Expr:
    return add(a, neg(b))


def scale(c: float, e: Expr) -> Expr:
    """``c*e`` for a number c."""
    return mul(Number(float(c)), e) if c != 0 else Zero(e.shape)


# ---------------------------------------------------------------- products


def mul(*factors: Expr) -> Expr:
    """Matrix product, scalars first (numeric coefficient in front), identities dropped.

    A scalar-valued sub-product such as ``x'*y`` stays one (scalar) factor, so the matrix
    factors always form a chain whose neighbouring dimensions agree; its own scalar factors
    join the product, and it goes after the other scalar factors. When it is the only one
    and no other chain is left, it is the chain: ``(x'*y)/a`` and ``x'*(y/a)`` are both
    ``a⁻¹ x'y``.
    """
    coefficient = 1.0
    scalars: list[Expr] = []
    chain: list[Expr] = []
    zero = False
    for f in factors:
        parts = f.factors if isinstance(f, MatMul) and not f.shape.is_scalar else (f,)
        for p in parts:
            if isinstance(p, MatMul) and p.shape.is_scalar:
                # its scalar factors join this product; its chain (x'*A*y) stays one factor
                inner = [q for q in p.factors if not q.shape.is_scalar]
                for q in p.factors:
                    if isinstance(q, Number):
                        coefficient *= q.value
                    elif q.shape.is_scalar:
                        scalars.append(q)
                if inner:
                    scalars.append(MatMul(tuple(inner)) if len(inner) > 1 else inner[0])
                continue
            if isinstance(p, Zero):
                zero = True
                if not p.shape.is_scalar:
                    chain.append(p)  # keeps the product's shape right
            elif isinstance(p, Number):
                coefficient *= p.value
            elif p.shape.is_scalar:
                scalars.append(p)
            else:
                chain.append(p)
    products = [s for s in scalars if isinstance(s, MatMul)]  # after the other scalars
    scalars = [s for s in scalars if not isinstance(s, MatMul)]
    if not chain and len(products) == 1:  # x'*y/a: the one scalar product is the chain
        chain = list(products.pop().factors)
    scalars += products
    shape = _chain_shape(chain)
    if not math.isfinite(coefficient):
        raise ConstantError("a product of numbers is too large for a float (the largest is "
                            "about 1.8e308)")
    if zero or coefficient == 0:
        return Zero(shape)
    if len(chain) > 1:
        chain = [f for f in chain if not isinstance(f, Identity)] or chain[:1]
    for n in range(len(chain) - 1):  # 1·1ᵀ is the matrix of ones
        a, c = chain[n], chain[n + 1]
        if isinstance(a, Ones) and isinstance(c, Ones) and a.shape.is_vector and c.shape.is_row:
            chain[n : n + 2] = [Ones(Shape(a.shape.rows, c.shape.cols))]
            break
    out: list[Expr] = ([Number(coefficient)] if coefficient != 1 else []) + scalars + chain
    if not out:
        return ONE
    return out[0] if len(out) == 1 else MatMul(tuple(out))


def _chain_shape(chain: list[Expr]) -> Shape:
    if not chain:
        return SCALAR
    return Shape(chain[0].shape.rows, chain[-1].shape.cols)


def hadamard(*factors: Expr) -> Expr:
    """Element-wise product; scalar factors move out as a coefficient, ``ones`` dropped."""
    scalars: list[Expr] = []
    rest: list[Expr] = []
    for f in factors:
        for p in f.factors if isinstance(f, Hadamard) else (f,):
            c, p = split_coefficient(p) if not p.shape.is_scalar else (1.0, p)
            if c != 1:
                scalars.append(Number(c))
            (scalars if p.shape.is_scalar else rest).append(p)
    if any(isinstance(p, Zero) for p in rest):
        return Zero(rest[0].shape)
    if len(rest) > 1:
        rest = [p for p in rest if not isinstance(p, Ones)] or rest[:1]
    if not rest:
        return mul(*scalars)
    core = rest[0] if len(rest) == 1 else Hadamard(tuple(rest))
    return mul(*scalars, core) if scalars else core


def power(base: Expr, exponent: Expr) -> Expr:
    """Element-wise power (ordinary power for scalars): ``x^1 = x``, ``x^0 = 1``.

    ``(b.^p).^q`` folds to ``b.^(p*q)`` only for an integer q: (b^p)^q = b^(pq) holds then
    wherever b^p is defined, but not in general over the reals ((b^2)^0.5 = |b|).

    Raises:
        ConstantError: a power of numbers that is not a finite real (``2^1024``, ``0^-1``,
            ``(-8)^(1/3)``).
    """
    p = numeric_value(exponent)
    if p == 1:
        return base
    if p == 0:
        if base.shape.is_scalar and any(isinstance(n, Select) for n in walk(base)):
            return Power(base, Zero(SCALAR))  # sum(k, y[k]^0): the range of k, in text
        return ONE if base.shape.is_scalar else Ones(base.shape)
    c = numeric_value(base)
    if c is not None and p is not None:
        return number(_number_power(c, p))
    if isinstance(base, Power) and p is not None and float(p).is_integer():
        q = numeric_value(base.exponent)
        if q is not None:
            return power(base.base, Number(q * p))
    if isinstance(base, Zero) and p is not None and p < 0:
        raise ConstantError("division by zero: 0 has no reciprocal")
    return Power(base, exponent)


def _number_power(c: float, p: float) -> float:
    """c^p of two numbers, or ConstantError when it is not a finite real number."""
    if c == 0 and p < 0:
        raise ConstantError("division by zero: 0 has no reciprocal")
    if c < 0 and not float(p).is_integer():
        raise ConstantError(f"{format_float(c)}^{format_float(p)} is not a real number")
    try:
        value = c**p
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ConstantError(f"{format_float(c)}^{format_float(p)} is too large for a float "
                            "(the largest is about 1.8e308)")
    return value


def format_float(value: float) -> str:
    """``2`` for 2.0, else the shortest repr."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def reciprocal(e: Expr) -> Expr:
    return power(e, Number(-1.0))


def mat_power(base: Expr, k: int) -> Expr:
    if k == 1:
        return base
    if k == 0:
        return Identity(base.shape.rows)
    if k == -1:
        return inverse(base)
    return MatPower(base, k)


# ---------------------------------------------------------------- transpose & symmetry


def transpose(e: Expr) -> Expr:
    """``e'`` with transposes placed where they are fewest (see module docstring)."""
    if e.shape.is_scalar or is_symmetric(e):
        return e
    if isinstance(e, Transpose):
        return e.arg
    if isinstance(e, (Ones, Zero)):
        return type(e)(e.shape.T)
    wrapped = Transpose(e)
    pushed = _pushed_transpose(e)
    if pushed is None:
        return wrapped
    # A pushed transpose costs a tick per factor; a wrapped one "(", ")" and a tick.
    slack = 2 if isinstance(e, MatMul) else 0
    return pushed if count_transposes(pushed) <= count_transposes(e) + slack else wrapped


def _pushed_transpose(e: Expr) -> Expr | None:
    if isinstance(e, MatMul):
        return mul(*(transpose(f) for f in reversed(e.factors)))
    if isinstance(e, Add):
        return add(*(transpose(t) for t in e.terms))
    if isinstance(e, Hadamard):
        return hadamard(*(transpose(f) for f in e.factors))
    if isinstance(e, Power):  # (B.^P)ᵀ = (Bᵀ).^(Pᵀ): either may be the matrix
        return power(transpose(e.base), transpose(e.exponent))
    if isinstance(e, Apply):
        return Apply(e.func, transpose(e.arg))
    if isinstance(e, Inverse):
        return Inverse(transpose(e.arg))
    if isinstance(e, MatPower):
        return MatPower(transpose(e.base), e.k)
    if isinstance(e, Kron) and e.shape.is_matrix:
        return kron(transpose(e.left), transpose(e.right))  # (A ⊗ B)ᵀ = Aᵀ ⊗ Bᵀ
    return None


@lru_cache(maxsize=8192)
def count_transposes(e: Expr) -> int:
    """The number of transposes in ``e`` (what the placement of transposes minimizes)."""
    n = 1 if isinstance(e, Transpose) else 0
    return n + sum(count_transposes(c) for c in e.children())


def is_symmetric(e: Expr) -> bool:
    """True when ``e`` is provably a symmetric matrix (e.g. ``S``, ``X'*X``, ``inv(A*S*A')``)."""
    if not e.shape.is_square:
        return False
    if isinstance(e, Var):
        return e.symmetric
    if isinstance(e, (Identity, DiagMatrix, Ones, Zero)):
        return True
    if isinstance(e, (Inverse, Apply)):
        return is_symmetric(e.arg)
    if isinstance(e, Kron):
        return is_symmetric(e.left) and is_symmetric(e.right)
    if isinstance(e, MatPower):
        return is_symmetric(e.base)
    if isinstance(e, Power):
        return all(p.shape.is_scalar or is_symmetric(p) for p in (e.base, e.exponent))
    if isinstance(e, (Add, Hadamard)):
        parts = e.terms if isinstance(e, Add) else e.factors
        return all(p.shape.is_scalar or is_symmetric(p) for p in parts)
    if isinstance(e, MatMul):
        chain = [f for f in e.factors if not f.shape.is_scalar]
        n = len(chain)
        for i in range(n // 2):
            if chain[n - 1 - i] != transpose(chain[i]):
                return False
        return n % 2 == 0 or is_symmetric(chain[n // 2])
    return False


# ---------------------------------------------------------------- unary operators


def _linear_functional(e: Expr, node: type) -> Expr:
    """``node(e)`` for a linear scalar functional (tr, sum): 0 of 0, coefficients pulled out."""
    if isinstance(e, Zero):
        return Zero(SCALAR)
    c, rest = split_coefficient(e)
    if c != 1:
        return scale(c, _linear_functional(rest, node))
    return node(e)


def trace(e: Expr) -> Expr:
    return _linear_functional(e, Trace)


def inverse(e: Expr) -> Expr:
    if isinstance(e, Inverse):
        return e.arg
    if isinstance(e, Identity):
        return e
    if e.shape.is_scalar:
        return reciprocal(e)
    return Inverse(e)


def det(e: Expr) -> Expr:
    return ONE if isinstance(e, Identity) else Det(e)


def logdet(e: Expr) -> Expr:
    return Zero(SCALAR) if isinstance(e, Identity) else LogDet(e)


def total(e: Expr) -> Expr:
    """``sum(e)``: sum of all entries (a scalar is its own sum)."""
    return e if e.shape.is_scalar else _linear_functional(e, SumEntries)


def diag_matrix(e: Expr) -> Expr:
    if isinstance(e, Zero):
        n = e.shape.rows
        return Zero(Shape(n, n))
    if isinstance(e, Ones):
        return Identity(e.shape.rows or e.shape.cols)
    return DiagMatrix(e)


def diag_vector(e: Expr) -> Expr:
    if isinstance(e, Zero):
        return Zero(Shape(e.shape.rows, None))
    if isinstance(e, Identity):
        return Ones(Shape(e.n, None))
    if isinstance(e, DiagMatrix):
        return e.arg
    return DiagVector(e)


def kron(a: Expr, b: Expr) -> Expr:
    """A ⊗ B; with a scalar factor, the ordinary product."""
    if a.shape.is_scalar or b.shape.is_scalar:
        return mul(a, b)
    if isinstance(a, Zero) or isinstance(b, Zero):
        return Zero(Kron(a, b).shape)
    return Kron(a, b)
