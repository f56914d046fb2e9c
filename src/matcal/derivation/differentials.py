"""Differentials in matrix notation: d of each construct, one rule per node class (Ang).

Ang's method (seed 001) takes the differential of f and expands it with the rules of
differentials — dc = 0, d(XY) = dX·Y + X·dY, d(Xᵀ) = (dX)ᵀ, d tr X = tr dX, dX⁻¹ =
−X⁻¹ dX X⁻¹ (his eq. 1–5), d log det Y = tr(Y⁻¹ dY) — until only dX is left. A differential
not yet expanded is a :class:`Differential` node, d(U); ``RULES[cls]`` expands the
differential of a node of class ``cls`` in terms of the differentials of its children, which
it gets from :meth:`Context.d` (the differential of the variable is dX itself, a
:class:`~matcal.core.nodes.Var` such as ``dX``; of anything else a new :class:`Differential`).
Each rule has a name from the explanation vocabulary and states its identity and source.

Index notation (``Einsum``), which matrix notation has no differential for, takes
:func:`by_index`: du = Σ_kl (∂u/∂X_kl) dX_kl, from the
engine's derivative in index notation, read back in matrix notation with dX in it. A node
class missing from ``RULES`` gets the same (:func:`rule_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from matcal.core.errors import DerivativeError
from matcal.core.rule_tables import NamedRule, registers
from matcal.core.build import (
    add, diag_matrix, diag_vector, hadamard, inverse, mat_power, mul, neg, number, power,
    reciprocal, total, trace, transpose,
)
from matcal.core.rebuild import rebuild
from matcal.engine.differentiate import derivative_tensor
from matcal.engine.support import names_in
from matcal.core.functions import FUNCTIONS
from matcal.tensor.terms import Atom, Tensor, simplify_tensor
from matcal.forms.matrix import tensor_to_matrix
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum,
    RangeSum, Inverse, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones,
    Power, Select, Softmax, SumEntries, SymbolicPower, Trace, Transpose, Var, Zero,
)
from matcal.forms.einsum import tensor_to_einsum


@dataclass(frozen=True, slots=True)
class Differential(Expr):
    """d(arg): the differential of ``arg``, not yet expanded; shaped like ``arg``."""

    arg: Expr

    def _compute_shape(self):
        return self.arg.shape


class Context:
    """The variable X and its differential dX (a variable of X's shape); ``parts``: the
    derivatives of the parts of f recorded as f was differentiated
    (:attr:`matcal.result.Derivative.parts`), which :func:`by_index` reads instead of
    differentiating again."""

    def __init__(self, var: Var, dX: Var, parts: Mapping[Expr, Tensor] | None = None):
        self.var = var
        self.dX = dX
        self.parts = parts or {}

    def depends(self, e: Expr) -> bool:
        """Whether ``e`` depends on X."""
        return self.var.name in names_in(e)

    def d(self, e: Expr) -> Expr:
        """The differential of ``e``: dX for X itself, else d(e) to expand later."""
        return self.dX if e == self.var else Differential(e)


Rule = NamedRule
"""A rule of differentials: its name, its identity, and ``fn(context, u)`` → du."""

RULES: dict[type, Rule] = {}


def rule(name: str, identity: str, *classes: type):
    """Register ``fn`` as the rule of differentials of ``classes``."""
    return registers(RULES, name, identity, *classes)


@rule("symbolic_power_rule", "d(X^k) = Σ_i X^i dX X^(k−1−i), k terms", SymbolicPower)
def _symbolic_power(D: Context, u: SymbolicPower) -> Expr:
    """d(X^k) = Σ_i X^i dX X^(k−1−i) has a symbolic number of terms: not derived step by step
    yet (the gradient of tr(X^k) is, by matcal.gradient)."""
    raise DerivativeError(f"{u} has a symbolic exponent: its derivation step by step is not "
                          "written yet; ask for the gradient itself")


def rule_for(cls: type) -> Rule:
    """The rule for ``cls``; :func:`by_index` for a class without one.

    >>> rule_for(Inverse).name, rule_for(Inverse).identity
    ('inverse_rule', 'd(X⁻¹) = −X⁻¹ dX X⁻¹')
    """
    return RULES.get(cls) or RULES[Einsum]


@rule("variable_rule", "d(X) = dX", Var)
def _var(D: Context, u: Var) -> Expr:
    """The differential of X is dX; any other variable is a constant (Ang eq. 1)."""
    return D.dX if u == D.var else Zero(u.shape)


@rule("constant_rule", "dc = 0 for a constant c", Number, Identity, Ones, Zero)
def _constant(D: Context, u: Expr) -> Expr:
    """dc = 0 (Ang eq. 1)."""
    return Zero(u.shape)


@rule("sum_rule", "d(U + V) = dU + dV", Add)
def _add(D: Context, u: Add) -> Expr:
    """d(U + V) = dU + dV: the differential is linear."""
    return add(*(D.d(t) for t in u.terms))


def _product(D: Context, u: Expr) -> Expr:
    """Σ_k u with its k-th factor replaced by that factor's differential (numbers skipped)."""
    kids = u.children()
    return add(*(
        rebuild(u, kids[:k] + (D.d(f),) + kids[k + 1 :])
        for k, f in enumerate(kids) if not isinstance(f, Number)
    ))


@rule("product_rule", "d(XY) = dX·Y + X·dY", MatMul)
def _matmul(D: Context, u: MatMul) -> Expr:
    """d(XY) = (dX)Y + X(dY) (Ang eq. 2; Matrix Cookbook eq. 37)."""
    return _product(D, u)


@rule("hadamard_rule", "d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY", Hadamard)
def _hadamard(D: Context, u: Hadamard) -> Expr:
    """d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Matrix Cookbook eq. 38)."""
    return _product(D, u)


@rule("kron_rule", "d(X ⊗ Y) = dX ⊗ Y + X ⊗ dY", Kron)
def _kron(D: Context, u: Kron) -> Expr:
    """d(X ⊗ Y) = dX ⊗ Y + X ⊗ dY (Matrix Cookbook eq. 39)."""
    return _product(D, u)


@rule("power_rule", "d(U.^p) = p U.^(p−1) ⊙ dU (for a scalar: d u^p = p u^(p−1) du)", Power)
def _power(D: Context, u: Power) -> Expr:
    """d(U.^p) = p U.^(p−1) ⊙ dU, plus U.^p ⊙ log(U) ⊙ dp when p depends on X (entry-wise)."""
    base, p = u.base, u.exponent
    out = hadamard(p, power(base, add(p, number(-1))), D.d(base))
    if D.depends(p):
        out = add(out, hadamard(u, Apply("log", base), D.d(p)))
    return out


@rule("matrix_power_rule", "d(X^k) = Σ_m X^m dX X^(k−1−m)", MatPower)
def _mat_power(D: Context, u: MatPower) -> Expr:
    """d(X^k) = Σ_m X^m (dX) X^(k−1−m); X^−k = (X⁻¹)^k (Matrix Cookbook eq. 91)."""
    unit = u.base if u.k > 0 else inverse(u.base)
    n = abs(u.k)
    return add(*(mul(mat_power(unit, m), D.d(unit), mat_power(unit, n - 1 - m)) for m in range(n)))


@rule("transpose_rule", "d(Xᵀ) = (dX)ᵀ", Transpose)
def _transpose(D: Context, u: Transpose) -> Expr:
    """d(Xᵀ) = (dX)ᵀ (Ang eq. 3)."""
    return transpose(D.d(u.arg))


@rule("trace_rule", "d tr(X) = tr(dX)", Trace)
def _trace(D: Context, u: Trace) -> Expr:
    """d tr X = tr dX (Ang eq. 4)."""
    return trace(D.d(u.arg))


@rule("det_rule", "d det(X) = det(X) tr(X⁻¹ dX)", Det)
def _det(D: Context, u: Det) -> Expr:
    """d det X = det X · tr(X⁻¹ dX) (Jacobi's formula; Matrix Cookbook eq. 41)."""
    return mul(u, trace(mul(inverse(u.arg), D.d(u.arg))))


@rule("logdet_rule", "d log det(Y) = tr(Y⁻¹ dY)", LogDet)
def _logdet(D: Context, u: LogDet) -> Expr:
    """d log det Y = tr(Y⁻¹ dY) (Matrix Cookbook eq. 43; Ang's log det example)."""
    return trace(mul(inverse(u.arg), D.d(u.arg)))


@rule("inverse_rule", "d(X⁻¹) = −X⁻¹ dX X⁻¹", Inverse)
def _inverse(D: Context, u: Inverse) -> Expr:
    """dX⁻¹ = −X⁻¹ (dX) X⁻¹ (Ang eq. 5; Matrix Cookbook eq. 40)."""
    return neg(mul(u, D.d(u.arg), u))


@rule("sum_of_entries_rule", "d sum(X) = sum(dX)", SumEntries)
def _sum(D: Context, u: SumEntries) -> Expr:
    """d sum(X) = sum(dX): summing the entries is linear."""
    return total(D.d(u.arg))


@rule("norm1_rule", "d‖X‖₁ = sum(sign(X) ⊙ dX)", Norm1)
def _norm1(D: Context, u: Norm1) -> Expr:
    """d‖X‖₁ = Σ_ij sign(X_ij) dX_ij (where no entry is 0)."""
    return total(hadamard(Apply("sign", u.arg), D.d(u.arg)))


@rule("norm2_rule", "d‖x‖ = xᵀdx / ‖x‖; d‖X‖_F = tr(Xᵀ dX) / ‖X‖_F", Norm2)
def _norm2(D: Context, u: Norm2) -> Expr:
    """d‖X‖ = tr(Xᵀ dX)/‖X‖ (Frobenius; Matrix Cookbook eq. 131), xᵀdx/‖x‖ for a vector."""
    inner = mul(transpose(u.arg), D.d(u.arg))
    return mul(reciprocal(u), inner if u.arg.shape.is_vector else trace(inner))


@rule("logsumexp_rule", "d logsumexp(x) = softmax(x)ᵀ dx", LogSumExp)
def _logsumexp(D: Context, u: LogSumExp) -> Expr:
    """d logsumexp(x) = softmax(x)ᵀ dx: the gradient of logsumexp is softmax."""
    return mul(transpose(Softmax(u.arg)), D.d(u.arg))


@rule("softmax_rule", "d softmax(x) = (diag(s) − s sᵀ) dx, s = softmax(x)", Softmax)
def _softmax(D: Context, u: Softmax) -> Expr:
    """d softmax(x) = (diag(s) − s sᵀ) dx with s = softmax(x) (quotient rule)."""
    return mul(add(diag_matrix(u), neg(mul(u, transpose(u)))), D.d(u.arg))


@rule("diag_rule", "d diag(x) = diag(dx); d diag(X) = diag(dX)", DiagMatrix, DiagVector)
def _diag(D: Context, u: DiagMatrix | DiagVector) -> Expr:
    """diag is linear: d diag(x) = diag(dx), d diag(X) = diag(dX)."""
    return (diag_matrix if isinstance(u, DiagMatrix) else diag_vector)(D.d(u.arg))


@rule("selection_rule", "d(B[k,:]) = (dB)[k,:]", Select)
def _select(D: Context, u: Select) -> Expr:
    """Selecting a row, a column or an entry is linear: d(B[k,:]) = (dB)[k,:]."""
    return u.rebuild(D.d(u.arg))


@rule("elementwise_rule", "d f(U) = f'(U) ⊙ dU for an element-wise f", Apply)
def _apply(D: Context, u: Apply) -> Expr:
    """d f(U) = f'(U) ⊙ dU, f' from the function table (Matrix Cookbook §2.8)."""
    return hadamard(FUNCTIONS[u.func].derivative(u.arg), D.d(u.arg))


@rule("index_sum_rule", "d Σ_k F_k = Σ_k dF_k", IndexSum)
def _index_sum(D: Context, u: IndexSum) -> Expr:
    """d Σ_k F_k = Σ_k dF_k: a sum over an index is linear (Traa eq. 43)."""
    return u.rebuild(D.d(u.body))


@rule("range_sum_rule", "d Σ_r F_r = Σ_r dF_r", RangeSum)
def _range_sum(D: Context, u: RangeSum) -> Expr:
    """d Σ_r F_r = Σ_r dF_r: a sum over a range is linear."""
    return RangeSum(u.index, u.first, u.last, D.d(u.body))


@rule("index_rule", "du = Σ_kl (∂u/∂X_kl) dX_kl, from index notation", Einsum)
def by_index(D: Context, u: Expr) -> Expr:
    """du = Σ_kl (∂u/∂X_kl) dX_kl: the derivative in index notation (Laue et al., NeurIPS
    2018) contracted with dX, in matrix notation where it has one, else index notation.

    >>> from matcal.syntax.parse import parse
    >>> u = parse("A*X*B")
    >>> X = u.factors[1]
    >>> str(by_index(Context(X, Var("dX", X.shape)), u))
    'A*dX*B'
    """
    if not D.depends(u):
        return Zero(u.shape)
    t = D.parts.get(u)
    if t is None:  # not a part of f as differentiated (or no record): differentiate it
        t = derivative_tensor(u, D.var)
    n = len(u.shape.dims)
    out, widx = t.free[:n], t.free[n:]
    terms = tuple(term.times(1.0, Atom(D.dX, widx)) for term in t.terms)
    contracted = simplify_tensor(Tensor(out, terms))
    if not contracted.terms:
        return Zero(u.shape)
    parts = tensor_to_matrix(contracted) if len(out) <= 2 else None
    if parts is None:
        return tensor_to_einsum(contracted)
    du = add(*parts)
    return transpose(du) if u.shape.is_row else du  # matrix_form keeps vectors as columns


def replace(e: Expr, table: dict[Expr, Expr]) -> Expr:
    """``e`` with the nodes in ``table`` replaced, rebuilt through the smart constructors (so
    zeros drop out); differentials are replaced whole, never entered.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("A*X + B")
    >>> str(replace(e, {e.terms[0].factors[0]: Zero(e.terms[0].factors[0].shape)}))
    'B'
    """
    if e in table:
        return table[e]
    kids = e.children()
    if isinstance(e, Differential) or not kids:
        return e
    new = tuple(replace(c, table) for c in kids)
    return e if new == kids else rebuild(e, new)
