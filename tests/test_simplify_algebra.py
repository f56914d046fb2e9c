"""The simplifier's rules of issue 11, one exact case per identity, each also checked on values.

Every case asserts the printed result and that the expression before and after has the same
value at random points (positive ones, where a log or a square root needs them).
"""

from __future__ import annotations

import numpy as np
import pytest

import matcal
from matcal.numeric.gradcheck import sample_values
from matcal.simplify.engine import simplify

SQUARE = {"A": "square", "X": "square", "B": "square"}


def assert_simplifies(text: str, expected: str, types: dict | None = None,
                      positive: bool = False) -> None:
    """``text`` simplifies to ``expected`` (printed), with the same value."""
    e = matcal.parse(text, types)
    out = simplify(e)
    assert str(out) == expected
    for seed in range(3):
        values = sample_values(e, seed)
        if positive:
            values = {k: np.abs(v) + 0.5 for k, v in values.items()}
        before = matcal.evaluate(e, values)
        after = matcal.evaluate(out, values, shape=np.shape(before))
        np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- element-wise algebra


@pytest.mark.parametrize("text, expected", [
    ("x./x + log(x)", "1 + log(x)"),
    ("cosh(x)./cosh(x) - tanh(x).^2", "1 - tanh(x).^2"),
    ("x./(1 + x) + 1./(1 + x)", "vector(1)"),
    ("y.*x./(x.*z)", "y./z"),
])
def test_u_over_u_is_one(text, expected):
    """u./u = 1 and u.^a .* u.^b = u.^(a+b), also for sums kept whole: (1 + x)./(1 + x) = 1
    over a common denominator."""
    assert_simplifies(text, expected, {"z": "vector"}, positive=True)


@pytest.mark.parametrize("text, expected", [
    ("-y.*sigmoid(-(X*w)) + (1 - y).*sigmoid(X*w).*sigmoid(-(X*w))./(1 - sigmoid(X*w))",
     "sigmoid(X*w) - y"),
    ("sigmoid(-x).*sigmoid(x) - sigmoid(x).*(1 - sigmoid(x))", "vector(0)"),
])
def test_sigmoid_of_minus_u_is_one_minus_sigmoid_u(text, expected):
    """σ(−u) = 1 − σ(u): the binary cross-entropy gradient's inner vector collapses to
    σ(Xw) − y (Bishop, PRML eq. 4.91)."""
    assert_simplifies(text, expected)


def test_sigmoid_of_minus_u_stays_where_it_is_shorter():
    """σ(−u) alone is shorter than 1 − σ(u): the rule keeps it."""
    assert_simplifies("sigmoid(-x).*y", "sigmoid(-x).*y")


@pytest.mark.parametrize("text, expected", [
    ("sigmoid(x) - sigmoid(x).^2", "sigmoid(x).*sigmoid(-x)"),
    ("-sigmoid(-x).^2.*y.^2 + sigmoid(-x).*y.^2", "y.^2.*sigmoid(x).*sigmoid(-x)"),
    ("a*x + a*y", "a*(x + y)"),
])
def test_common_factors_of_a_sum_come_out(text, expected):
    """a·u + a·v = a·(u + v) for element-wise products: what is common to the terms comes out,
    the rest is multiplied out and collected (σ − σ² = σ(1 − σ), written σ(u)·σ(−u))."""
    assert_simplifies(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("sqrt(x).*sqrt(x)", "x"),
    ("1./sqrt(1 + x.^2) - x.^2./sqrt(1 + x.^2).^3", "1./sqrt(1 + x.^2).^3"),
])
def test_square_roots_are_half_powers(text, expected):
    """√u = u^½ where u ≥ 0: (1 + x²)^(−½) − x²(1 + x²)^(−3/2) = (1 + x²)^(−3/2)."""
    assert_simplifies(text, expected, positive=True)


@pytest.mark.parametrize("text, expected", [
    ("exp(x).^2 - exp(2*x)", "vector(0)"),
    ("exp(x).*exp(y)", "exp(x + y)"),
    ("y./exp(x)", "y.*exp(-x)"),
])
def test_exponentials_merge_their_arguments(text, expected):
    """eᵃ·eᵇ = e^(a + b), (eᵃ)ᵖ = e^(p·a): ‖exp(x)‖² − Σ exp(2x) has gradient zero."""
    assert_simplifies(text, expected)


def test_an_even_power_under_a_root_is_not_undone():
    """(u²)^½ = |u|, not u: the rule leaves it (a wrong answer at negative u otherwise)."""
    e = matcal.parse("(x.^2).^0.5 - x")
    out = simplify(e)
    assert str(out) != "vector(0)"
    values = {"x": np.array([-1.0, 2.0, -3.0])}
    np.testing.assert_allclose(matcal.evaluate(out, values), [2.0, 0.0, 6.0])


# ---------------------------------------------------------------- diagonals and factoring


@pytest.mark.parametrize("text, expected", [
    ("eye - diag(x.^2)", "diag(1 - x.^2)"),
    ("A - diag(x)*A", "diag(1 - x)*A"),
])
def test_the_identity_is_the_diagonal_of_ones(text, expected):
    """I = diag(1): I − diag(t²) = diag(1 − t²), and P − diag(t)·P = diag(1 − t)·P."""
    assert_simplifies(text, expected)


# ---------------------------------------------------------------- scalars out


@pytest.mark.parametrize("text, expected", [
    ("tr(c*A)", "c*tr(A)"),
    ("sum(c*x)", "c*sum(x)"),
    ("diag(c*X)", "c*diag(X)"),
    ("norm2(-3*x)", "3*norm2(x)"),
    ("norm1(2*X)", "2*norm1(X)"),
])
def test_scalars_come_out_of_traces_sums_and_norms(text, expected):
    """tr(c·P) = c·tr(P), sum(c·P) = c·sum(P), diag(c·P) = c·diag(P); ‖c·P‖ = |c|·‖P‖."""
    assert_simplifies(text, expected)


# ---------------------------------------------------------------- square factors


@pytest.mark.parametrize("text, expected", [
    ("B*inv(A*X*B)*A", "inv(X)"),
    ("A'*inv(A*X)'", "inv(X)'"),
])
def test_inverse_of_a_product_of_square_factors(text, expected):
    """(P₁P₂…P_k)⁻¹ = P_k⁻¹…P₁⁻¹ for square P_i (Matrix Cookbook §1.1), where it cancels."""
    assert_simplifies(text, expected, SQUARE)


def test_inverse_of_a_product_is_not_spread_without_square_factors():
    """For A m×n and B n×m, (A·X·B)⁻¹ has no such form: it stays."""
    assert_simplifies("B*inv(A*X*B)*A", "B*inv(A*X*B)*A")


@pytest.mark.parametrize("text, expected", [
    ("logdet(A*X) - logdet(A)", "logdet(X)"),
    ("det(A*X)/det(A)", "det(X)"),
])
def test_determinant_of_a_product_of_square_factors(text, expected):
    """ln|det(PQ)| = ln|det P| + ln|det Q| and det(PQ) = det(P)·det(Q) for square P, Q
    (Matrix Cookbook §1.3), where the parts then cancel."""
    assert_simplifies(text, expected, SQUARE)


def test_square_kind_gives_the_textbook_gradient_of_logdet():
    """With A, X, B square, ∂ln|det(AXB)|/∂X = X⁻ᵀ (Matrix Cookbook eq. 57); without, the
    general (B(AXB)⁻¹A)ᵀ."""
    g = matcal.gradient("logdet(A*X*B)", "X", SQUARE)
    assert str(g) == "inv(X)'"
    assert matcal.check_gradient(g, seed=0) < 1e-8
    assert str(matcal.gradient("logdet(A*X*B)", "X")) == "(B*inv(A*X*B)*A)'"


# ---------------------------------------------------------------- index notation


def test_scalar_factors_of_an_index_term_merge():
    """‖u‖·‖u‖⁻¹ = 1 inside a term of index notation: the Hessian of ‖AX − B‖²_F is
    2 (AᵀA)_ik δ_jl, not three terms with norms that cancel."""
    h = matcal.hessian("norm2(A*X - B)^2", "X")
    assert str(h) == "d2f/dX[i,j]dX[k,l] = 2*(A'*A)[i,k]*eye[j,l]"
    assert matcal.check_derivative(h, seed=0) < 1e-8


def test_index_terms_that_differ_in_one_factor_share_it():
    """P[l,j] + P[l,j] = 2 P[l,j], and δ[i,k] B[j,l] − Q[i,k] B[j,l] = (I − Q)[i,k] B[j,l]."""
    h = matcal.hessian("logdet(X'*X)", "X")
    text = str(h)
    assert "inv(X'*X) + inv(X'*X)" not in text
    assert "2*(eye - X*inv(X'*X)*X')[i,k]*inv(X'*X)[j,l]" in text
    assert matcal.check_derivative(h, seed=0) < 1e-8
