"""The gradient through a matrix power with a symbolic exponent: a sum over a range.

d(B^k) = Σ_{r=0}^{k−1} B^r dB B^(k−1−r) has k terms, so no closed product expresses it for a
symbolic k (outside tr, where cyclicity gives k tr(B^(k−1) dB)). For a scalar f the gradient
still has a matrix form as a sum over the range (Matrix Cookbook eq. 122 for f = tr(A X^k)):
write f = F(X, P) with P standing for B^k, G = ∂F/∂P; then

    df = ∂F/∂X·dX + tr(Gᵀ dP) = … + Σ_r tr(Gᵀ B^r dB B^(k−1−r)),

so the part through P is ∇_X tr(Hᵀ B) with H = Σ_{r=0}^{k−1} (B^r)ᵀ G (B^(k−1−r))ᵀ held
constant — H itself when B is X. Each part is the engine's own gradient; the sum prints as
``sum(r, 0, k - 1, …)``, which the language reads back.
"""

from __future__ import annotations

from matcal.core.build import add, mul, neg, number, trace, transpose
from matcal.core.errors import DerivativeError
from matcal.core.nodes import Expr, RangeSum, SymbolicPower, Var, variables, walk
from matcal.core.rebuild import map_bottom_up
from matcal.core.shapes import SCALAR
from matcal.engine.pipeline import derivative_of
from matcal.engine.support import names_in
from matcal.simplify.engine import simplify


def needs_series(e: Expr, var: Var) -> bool:
    """Whether ``e`` has a symbolic power of something that depends on ``var``."""
    return any(isinstance(n, SymbolicPower) and var.name in names_in(n.base) for n in walk(e))


def series_gradient(e: Expr, var: Var) -> Expr:
    """∇f of a scalar f = ``e`` through its symbolic matrix powers B^k, as a sum over a range
    (module docstring); shaped like ``var``.

    Raises:
        DerivativeError: a power inside the base of another, or an exponent that depends on
            ``var``.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(A*X^k)", {"k": "integer"})
    >>> str(series_gradient(e, variables(e)["X"]))
    "sum(r, 0, k - 1, (X^r)'*A'*(X^(k - r - 1))')"
    """
    for n in walk(e):  # a power of r inside sum(r, 0, k, …): the engine's own refusal
        if isinstance(n, RangeSum) and var.name in names_in(n.body):
            derivative_of(n, var)
    powers = list(dict.fromkeys(
        n for n in walk(e) if isinstance(n, SymbolicPower) and var.name in names_in(n.base)))
    taken = set(variables(e)) | {n.index for n in walk(e) if isinstance(n, RangeSum)}
    names = (f"{stem}{n}" for n in range(1, 10_000) for stem in ("P_", "C_"))
    fresh = iter(n for n in names if n not in taken)
    stand_in = {p: Var(next(fresh), p.shape) for p in powers}
    F = map_bottom_up(e, lambda n: stand_in.get(n, n))
    for p in powers:
        if var.name in names_in(p.exponent):
            raise DerivativeError(f"cannot differentiate {p} by {var.name}: its exponent "
                                  f"depends on {var.name}, and an exponent is an integer")
        if any(isinstance(n, SymbolicPower) for n in walk(p.base)):
            raise DerivativeError(f"cannot differentiate {p}: a symbolic power inside the base "
                                  "of another has no matrix form here; name the inner power")
    parts = [derivative_of(F, var)]
    r = next(n for n in ("r", "s", "t", *(f"r{i}" for i in range(1, 99))) if n not in taken)
    index = Var(r, SCALAR, integer=True)
    for p, P in stand_in.items():
        G = derivative_of(F, P)
        below = add(p.exponent, number(-1.0), neg(index))
        H = RangeSum(r, number(0.0), add(p.exponent, number(-1.0)),
                     mul(transpose(SymbolicPower(p.base, index)), G,
                         transpose(SymbolicPower(p.base, below))))
        if p.base == var:
            parts.append(H)
        else:  # ∇_X tr(Cᵀ B(X)) with C held constant, then C = H
            C = Var(next(fresh), p.base.shape)
            through = derivative_of(trace(mul(transpose(C), p.base)), var)
            parts.append(map_bottom_up(through, lambda n, C=C, H=H: H if n == C else n))
    back = {P: p for p, P in stand_in.items()}
    return simplify(map_bottom_up(add(*parts), lambda n: back.get(n, n)))
