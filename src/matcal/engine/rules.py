"""The rules of differentiation in index notation: one per node class, in the table ``RULES``.

``RULES[cls](D, e, idx)`` returns the terms of ∂e[idx]/∂X[widx] — the derivative of the
entries of ``e`` (indexed by ``idx``) with respect to the entries of the variable X (indexed by
``D.widx``), as index-notation terms whose free indices are ``idx + widx``. The rules are the
product and chain rules with Kronecker deltas (Traa's index method, seed 000 eq. 7–8;
Laue et al., NeurIPS 2018); each cites its identity. :class:`Differentiator` applies them,
recursively, within the budget of terms.
"""

from __future__ import annotations

from typing import Callable

from matcal.core.build import (
    add, hadamard, inverse, mat_power, mul, number, numeric_value, power, reciprocal, total, trace,
    transpose,
)
from matcal.core.rebuild import index_range, map_bottom_up
from matcal.core.functions import FUNCTIONS
from matcal.core.errors import DerivativeError
from matcal.engine.support import (
    MAX_TERMS, Parts, chain_indices, names_in, own, too_large,
)
from matcal.tensor.terms import (
    Atom, Delta, Index, Tensor, Term, atom, fresh, fresh_for, indices_of, simplify_tensor,
)
from matcal.simplify.sums import uses_index
from matcal.simplify.engine import simplify
from matcal.forms.matrix import tensor_to_matrix
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum,
    RangeSum, Inverse, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones,
    Power, Select, Softmax, SumEntries, SymbolicPower, Trace, Transpose, Var, Zero,
)

Rule = Callable[["Differentiator", Expr, tuple[Index, ...]], list[Term]]
RULES: dict[type, Rule] = {}


IDENTITIES: dict[type, str] = {}
"""Node class → the identity its rule applies, with its source (what a derivation step
quotes)."""


def rule(*classes: type, identity: str):
    """Register ``fn`` as the rule of ``classes``, applying ``identity``."""
    def register(fn: Rule) -> Rule:
        for cls in classes:
            RULES[cls] = fn
            IDENTITIES[cls] = identity
        return fn

    return register


class Differentiator:
    """Differentiates with respect to ``wrt``, whose entries are indexed by ``widx``; records
    the derivative of each node it differentiates in ``parts``, when given."""

    def __init__(self, wrt: Var, widx: tuple[Index, ...], parts: Parts | None = None):
        self.wrt = wrt
        self.widx = widx
        self.parts = parts

    def d(self, e: Expr, idx: tuple[Index, ...]) -> list[Term]:
        """Terms of ∂e[idx]/∂X[widx]; [] when ``e`` does not depend on X.

        Raises:
            DerivativeError: more than :data:`MAX_TERMS` terms (the result would be too large
                to print, evaluate or read).
        """
        if self.wrt.name not in names_in(e):
            return []
        terms = RULES[type(e)](self, e, idx)
        if len(terms) > MAX_TERMS:
            raise too_large(len(terms))
        if self.parts is not None and e not in self.parts:
            self.parts[e] = Tensor(idx + self.widx, tuple(terms))
        return terms

    def chain(self, leads: list[tuple[Expr, tuple[Index, ...]]], child: Expr,
              cidx: tuple[Index, ...], sign: float = 1.0) -> list[Term]:
        """Chain rule: (Π leads) · ∂child[cidx]/∂X."""
        head = Term(sign, ())
        for expr, ix in leads:
            a = atom(expr, ix)
            head = head.times(a.coeff, *a.factors)
        return [head.times(t.coeff, *t.factors) for t in self.d(child, cidx)]

    def product(self, exprs: tuple[Expr, ...], idxs: list[tuple[Index, ...]]) -> list[Term]:
        """Product rule over factors ``exprs[k][idxs[k]]``: Σ_k (∂ factor k) · others."""
        atoms = [atom(f, ix) for f, ix in zip(exprs, idxs)]
        out = []
        for p, (f, ix) in enumerate(zip(exprs, idxs)):
            for dt in self.d(f, ix):
                term = Term(dt.coeff, ())
                for q, a in enumerate(atoms):
                    term = term.times(*(
                        (1.0, *dt.factors) if q == p else (a.coeff, *a.factors)
                    ))
                out.append(term)
        return out


# ---------------------------------------------------------------- rules


@rule(Var, identity="∂X_ij/∂X_ab = δ_ia δ_jb (Traa eq. 8)")
def _var(D: Differentiator, e: Var, idx):
    """∂X_ij/∂X_ab = δ_ia δ_jb (Traa eq. 8). Symmetric X: (δ_ia δ_jb + δ_ib δ_ja)/2, so the
    gradient is sym(G) = (G + Gᵀ)/2 (Srinivasan & Panda, arXiv:1911.06491)."""
    if e.symmetric:
        (i, j), (a, b) = idx, D.widx
        return [Term(0.5, (Delta(i, a), Delta(j, b))), Term(0.5, (Delta(i, b), Delta(j, a)))]
    return [Term(1.0, tuple(Delta(i, a) for i, a in zip(idx, D.widx)))]


@rule(Number, Identity, Ones, Zero, identity="dC = 0 for a constant C (Ang eq. 1)")
def _constant(D: Differentiator, e: Expr, idx):
    """dC = 0 for a constant C (Ang eq. 1)."""
    return []


@rule(Add, identity="d(X + Y) = dX + dY")
def _add(D: Differentiator, e: Add, idx):
    """d(X + Y) = dX + dY."""
    return [t for term in e.terms for t in D.d(term, idx)]


@rule(MatMul, identity=(
    "d(XY) = (dX)Y + X(dY) (Ang eq. 2; Matrix Cookbook eq. 37), in indices via Traa "
    "eq. 4"))
def _matmul(D: Differentiator, e: MatMul, idx):
    """d(XY) = (dX)Y + X(dY) (Ang eq. 2; Matrix Cookbook eq. 37), in indices via Traa eq. 4."""
    return D.product(e.factors, chain_indices(e.factors, idx))


@rule(Hadamard, identity="d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Matrix Cookbook eq. 38)")
def _hadamard(D: Differentiator, e: Hadamard, idx):
    """d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Matrix Cookbook eq. 38)."""
    return D.product(e.factors, [own(f, idx) for f in e.factors])


@rule(Power, identity="d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise")
def _power(D: Differentiator, e: Power, idx):
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise."""
    base, p = e.base, e.exponent
    lead = hadamard(p, power(base, add(p, number(-1))))  # p - 1 (times ones for a matrix p)
    terms = D.chain([(lead, own(lead, idx))], base, own(base, idx))
    if D.wrt.name in names_in(p):
        grow = hadamard(e, Apply("log", base))
        terms += D.chain([(grow, own(grow, idx))], p, own(p, idx))
    return terms


@rule(MatPower, identity=(
    "d(X^k) = Σ_m X^m (dX) X^(k-1-m); X^-k = (X⁻¹)^k (Matrix Cookbook eq. 91), m from "
    "0 to k−1"))
def _mat_power(D: Differentiator, e: MatPower, idx):
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m); X^-k = (X⁻¹)^k (Matrix Cookbook eq. 91), m from 0
    to k−1: k terms of three factors, the powers kept as powers (never k-fold products)."""
    i, j = idx
    unit = e.base if e.k > 0 else inverse(e.base)
    n, sign = abs(e.k), 1 if e.k > 0 else -1
    a, b = fresh_for(unit.shape)
    out: list[Term] = []
    for m in range(n):
        leads = [(mat_power(e.base, sign * m), (i, a)),
                 (mat_power(e.base, sign * (n - 1 - m)), (b, j))]
        out += D.chain(leads, unit, (a, b))
    return out


@rule(Transpose, identity="d(Xᵀ) = (dX)ᵀ (Ang eq. 3)")
def _transpose(D: Differentiator, e: Transpose, idx):
    """d(Xᵀ) = (dX)ᵀ (Ang eq. 3): [Xᵀ]_ij = X_ji."""
    return D.d(e.arg, tuple(reversed(idx)))


@rule(Trace, identity="d tr X = tr dX (Ang eq. 4)")
def _trace(D: Differentiator, e: Trace, idx):
    """d tr X = tr dX (Ang eq. 4): tr X = Σ_ij X_ij δ_ij."""
    if (split := _kron_split(e.arg, trace, square=True)) is not None:
        return D.d(split, idx)  # tr(A ⊗ B) = tr(A) tr(B)
    i, j = fresh_for(e.arg.shape)
    if (below := _power_below(e.arg, D)) is not None:
        # d tr(B^k) = k tr(B^(k-1) dB), by cyclicity (Cookbook eq. 89), k a number or symbolic
        k, lower, b = below
        return D.chain([(k, ()), (lower, (j, i))], b, (i, j))
    return [t.times(1.0, Delta(i, j)) for t in D.d(e.arg, (i, j))]


def _power_below(e: Expr, D: Differentiator) -> tuple[Expr, Expr, Expr] | None:
    """(k, B^(k-1), B) for a matrix power B^k, its exponent a number or a symbolic integer
    that does not depend on X; else None."""
    if isinstance(e, MatPower):
        return number(float(e.k)), mat_power(e.base, e.k - 1), e.base
    if isinstance(e, SymbolicPower) and D.wrt.name not in names_in(e.exponent):
        k = e.exponent
        return k, SymbolicPower(e.base, add(k, number(-1.0))), e.base
    return None


@rule(Det, identity="d det X = det X · tr(X⁻¹ dX) (Jacobi's formula; Matrix Cookbook eq. 41)")
def _det(D: Differentiator, e: Det, idx):
    """d det X = det X · tr(X⁻¹ dX) (Jacobi's formula; Matrix Cookbook eq. 41)."""
    k, l = fresh_for(e.arg.shape)
    return D.chain([(e, ()), (inverse(e.arg), (l, k))], e.arg, (k, l))


@rule(LogDet, identity="d log det X = tr(X⁻¹ dX) (Matrix Cookbook eq. 43; Ang's log det example)")
def _logdet(D: Differentiator, e: LogDet, idx):
    """d log det X = tr(X⁻¹ dX) (Matrix Cookbook eq. 43; Ang's log det example)."""
    k, l = fresh_for(e.arg.shape)
    return D.chain([(inverse(e.arg), (l, k))], e.arg, (k, l))


@rule(Inverse, identity="dX⁻¹ = −X⁻¹ (dX) X⁻¹ (Ang eq. 5; Matrix Cookbook eq. 40)")
def _inverse(D: Differentiator, e: Inverse, idx):
    """dX⁻¹ = −X⁻¹ (dX) X⁻¹ (Ang eq. 5; Matrix Cookbook eq. 40)."""
    i, j = idx
    k, l = fresh_for(e.arg.shape)
    return D.chain([(e, (i, k)), (e, (l, j))], e.arg, (k, l), sign=-1.0)


@rule(SumEntries, identity="d sum(X) = sum(dX) = Σ_ij dX_ij")
def _sum(D: Differentiator, e: SumEntries, idx):
    """d sum(X) = sum(dX) = Σ_ij dX_ij. Of a Kronecker product, sum(A ⊗ B) = sum(A) sum(B)."""
    if (split := _kron_split(e.arg, total)) is not None:
        return D.d(split, idx)
    return D.d(e.arg, fresh_for(e.arg.shape))


@rule(Norm1, identity="d ‖X‖₁ = Σ_ij sign(X_ij) dX_ij (where no entry is 0)")
def _norm1(D: Differentiator, e: Norm1, idx):
    """d ‖X‖₁ = Σ_ij sign(X_ij) dX_ij (where no entry is 0)."""
    ix = fresh_for(e.arg.shape)
    return D.chain([(Apply("sign", e.arg), ix)], e.arg, ix)


@rule(Norm2, identity="d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖ (Frobenius; Matrix Cookbook eq. 131)")
def _norm2(D: Differentiator, e: Norm2, idx):
    """d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖ (Frobenius; Matrix Cookbook eq. 131); ‖A ⊗ B‖ = ‖A‖ ‖B‖."""
    if (split := _kron_split(e.arg, Norm2)) is not None:
        return D.d(split, idx)
    ix = fresh_for(e.arg.shape)
    return D.chain([(e.arg, ix), (reciprocal(e), ())], e.arg, ix)


@rule(LogSumExp, identity="d logsumexp(x) = Σ_i softmax(x)_i dx_i")
def _logsumexp(D: Differentiator, e: LogSumExp, idx):
    """d logsumexp(x) = Σ_i softmax(x)_i dx_i (the gradient of logsumexp is softmax:
    d log Σ_j exp(x_j) = Σ_i exp(x_i) dx_i / Σ_j exp(x_j))."""
    ix = fresh_for(e.arg.shape)
    return D.chain([(Softmax(e.arg), ix)], e.arg, ix)


@rule(Softmax, identity="d softmax(x)_i = s_i dx_i − s_i Σ_j s_j dx_j, s = softmax(x)")
def _softmax(D: Differentiator, e: Softmax, idx):
    """d softmax(x)_i = s_i dx_i − s_i Σ_j s_j dx_j, s = softmax(x) (the quotient rule on
    exp(x_i) / Σ_j exp(x_j); the Jacobian is diag(s) − s sᵀ)."""
    (i,) = idx
    j = fresh(e.arg.shape.rows)
    return (D.chain([(e, (i,))], e.arg, (i,))
            + D.chain([(e, (i,)), (e, (j,))], e.arg, (j,), sign=-1.0))


@rule(DiagMatrix, identity="[diag(x)]_ij = x_i δ_ij (Traa eq. 29)")
def _diag_matrix(D: Differentiator, e: DiagMatrix, idx):
    """[diag(x)]_ij = x_i δ_ij (Traa eq. 29)."""
    i, j = idx
    return [t.times(1.0, Delta(i, j)) for t in D.d(e.arg, (i,))]


@rule(DiagVector, identity="[diag(X)]_i = Σ_j X_ij δ_ij")
def _diag_vector(D: Differentiator, e: DiagVector, idx):
    """[diag(X)]_i = Σ_j X_ij δ_ij."""
    (i,) = idx
    j = fresh(e.arg.shape.cols)
    return [t.times(1.0, Delta(i, j)) for t in D.d(e.arg, (i, j))]


@rule(Apply,
      identity="d f(X) = f'(X) ⊙ dX for an element-wise f (its derivative from the function table)")
def _apply(D: Differentiator, e: Apply, idx):
    """d f(X) = f'(X) ⊙ dX for an element-wise f (its derivative from the function table)."""
    lead = FUNCTIONS[e.func].derivative(e.arg)
    if isinstance(lead, Zero):
        return []
    return D.chain([(lead, idx)], e.arg, idx)



@rule(Einsum, identity=(
    "∂/∂X of Σ_terms c Π_k F_k[idx_k] is the product rule over the factors of each term "
    "(index notation: Laue et al., NeurIPS 2018)"))
def _einsum(D: Differentiator, e: Einsum, idx):
    """∂/∂X of Σ_terms c Π_k F_k[idx_k] is the product rule over the factors of each term
    (index notation: Laue et al., NeurIPS 2018)."""
    out: list[Term] = []
    for term in e.terms:
        names = dict(zip(e.out, idx))
        for f in term.factors:
            for n, d in zip(f.idx, f.expr.shape.dims):
                if n not in names:
                    names[n] = fresh(d)
        exprs = tuple(f.expr for f in term.factors)
        idxs = [tuple(names[n] for n in f.idx) for f in term.factors]
        out += [t.times(term.coeff) for t in D.product(exprs, idxs)]
    return out


@rule(SymbolicPower, identity=(
    "d tr(X^k) = k tr(X^(k−1) dX) for a symbolic integer k (by cyclicity; Matrix Cookbook "
    "eq. 89)"))
def _symbolic_power(D: Differentiator, e: SymbolicPower, idx):
    """d tr(X^k) = k tr(X^(k−1) dX) for a symbolic integer k (by cyclicity; Matrix Cookbook
    eq. 89), which the trace rule applies. Elsewhere d(X^k) = Σ_{i<k} X^i dX X^(k−1−i) is a
    sum over a symbolic number of terms, with no index form here: refused clearly (the
    gradient of a scalar is then a sum over a range, :mod:`matcal.engine.power_series`)."""
    raise DerivativeError(
        f"cannot differentiate {e} with a symbolic exponent outside tr(...) beyond the "
        f"gradient of a scalar: d(X^k) = Σ_i X^i dX X^(k-1-i) has k terms; ask for the "
        f"gradient, or write a number for {e.exponent}")


@rule(Kron, identity=(
    "d(A ⊗ B) = dA ⊗ B + A ⊗ dB (Matrix Cookbook eq. 39) — its entries mix two "
    "indices into one, which index notation here does not split yet, so it is refused "
    "with a clear error"))
def _kron(D: Differentiator, e: Kron, idx):
    """d(A ⊗ B) = dA ⊗ B + A ⊗ dB (Matrix Cookbook eq. 39) — its entries mix two indices into
    one, which index notation here does not split yet, so it is refused with a clear error
    (under tr, sum and norm2 it is split first: tr(A ⊗ B) = tr(A) tr(B), Cookbook eq. 511)."""
    raise DerivativeError(
        f"cannot differentiate {e} yet: the derivative of a Kronecker product is not "
        "supported outside tr(...), sum(...) and norm2(...); write the expression without kron"
    )


def _kron_split(e: Expr, f, square: bool = False) -> Expr | None:
    """f(A) f(B) for f(A ⊗ B) where f is multiplicative over the Kronecker product — tr of
    square factors (tr(A ⊗ B) = tr(A) tr(B), Matrix Cookbook eq. 511), the sum of entries
    and the Frobenius norm (entries of A ⊗ B are the products A_ij B_kl); else None."""
    if not isinstance(e, Kron):
        return None
    if square and not all(s.is_matrix and s.rows == s.cols
                          for s in (e.left.shape, e.right.shape)):
        return None
    return mul(f(e.left), f(e.right))


@rule(Select, identity=(
    "B[k,:] = e_kᵀ B and B[:,k] = B e_k with e_k the k-th column of I, so d(B[k,:]) = e_kᵀ dB "
    "(Traa eq. 43)"))
def _select(D: Differentiator, e: Select, idx):
    """B[k,:] = e_kᵀ B and B[:,k] = B e_k with e_k the k-th column of I, so
    d(B[k,:]) = e_kᵀ dB (Traa eq. 43: ∂B_kn X_nm/∂X_nm = B_kn)."""
    a = e.arg
    def unit(k: str):
        return Select(Identity(a.shape.rows if k == e.row else a.shape.cols), None, k)
    if not a.shape.is_matrix:
        return D.d(mul(transpose(unit(e.row)), a), idx)
    left = [transpose(unit(e.row))] if e.row is not None else []
    right = [unit(e.col)] if e.col is not None else []
    return D.d(mul(*left, a, *right), idx)


@rule(RangeSum, identity="d Σ_{r=a}^{b} f_r = Σ_{r=a}^{b} d f_r")
def _range_sum(D: Differentiator, e: RangeSum, idx):
    """d Σ_{r=a}^{b} f_r = Σ_{r=a}^{b} d f_r (by linearity). With numbers for a and b the sum is
    written out, r a number in each term, and differentiated term by term; with a symbolic
    bound it has a symbolic number of terms, refused clearly."""
    first, last = numeric_value(e.first), numeric_value(e.last)
    if first is None or last is None:
        raise DerivativeError(
            f"cannot differentiate {e}: its range has a symbolic bound, so a symbolic number "
            "of terms; write numbers for the bounds")
    terms = [map_bottom_up(e.body, lambda n, r=r: number(float(r))
                           if isinstance(n, Var) and n.name == e.index else n)
             for r in range(int(first), int(last) + 1)]
    return D.d(add(*terms), idx) if terms else []


@rule(IndexSum, identity="d Σ_k f_k = Σ_k d f_k (Traa eq. 43)")
def _index_sum(D: Differentiator, e: IndexSum, idx):
    """d Σ_k f_k = Σ_k d f_k (Traa eq. 43). In each term of d f_k only the factors that depend
    on k stay under the sum — Σ_k (P_k Q) = (Σ_k P_k) Q — and they are read back to matrix
    form on the indices they share with the rest, so the sum stays a vector or a matrix
    however many axes the whole derivative has."""
    t = simplify_tensor(Tensor(idx + D.widx, tuple(D.d(e.body, idx))))
    return [_sum_term(e, term, t.free) for term in t.terms]


def _sum_term(e: IndexSum, term: Term, free: tuple[Index, ...]) -> Term:
    """Σ_k of one term: (Σ_k of its factors that depend on k) times the others. Factors that
    share a summed index with those under the sum join them until what is under the sum
    meets the rest on at most two indices and has a matrix form."""
    def depends(f) -> bool:
        return isinstance(f, Atom) and uses_index(f.expr, e.index)

    inner = [f for f in term.factors if depends(f)]
    rest = [f for f in term.factors if not depends(f)]
    if not inner:  # Σ_k c = c·(the range of k)
        return Term(term.coeff, tuple(rest) + (Atom(index_range(e), ()),))
    while True:
        outside = set(free) | {i for f in rest for i in indices_of(f)}
        shared: list[Index] = []
        for f in inner:
            shared += [i for i in indices_of(f) if i in outside and i not in shared]
        body = None
        if len(shared) <= 2:
            body = tensor_to_matrix(Tensor(tuple(shared), (Term(1.0, tuple(inner)),)))
        if body is not None:
            break
        summed = {i for f in inner for i in indices_of(f)} - set(free)
        joining = [f for f in rest if summed & set(indices_of(f))]
        if not joining:
            raise DerivativeError(
                f"cannot differentiate {e}: under the sum, the derivative has no matrix form "
                "(it mixes more than two axes); write the sum without selections where you can"
            )
        inner += joining
        rest = [f for f in rest if f not in joining]
    summed_expr = simplify(IndexSum(e.index, e.dim, simplify(body[0])))
    return Term(term.coeff, tuple(rest) + (Atom(summed_expr, tuple(shared)),))
