"""The classic gradients of the Matrix Cookbook §2.1-2.6 and common ML losses, checked
numerically (``check_gradient < 1e-8`` at several fixed seeds), plus the exact printed form of
a few answers every textbook gives.

Equation numbers are those of the Matrix Cookbook (Petersen & Pedersen, 15 Nov 2012). The
Cookbook's X is unstructured; a symmetric S gets sym(G) = (G + Gᵀ)/2 (DESIGN.md), checked to
be symmetric.

Values: square matrices are shifted by n·I (invertible, positive determinant), symmetric ones
symmetrized; entries are standard normal, or uniform in [0.5, 1.5] where a case says
``positive``; ``shapes`` pins sizes where an expression needs them (a tall X for XᵀX).
"""

from __future__ import annotations

import numpy as np
import pytest

import matcal
from drawing import draw

SEEDS = (0, 1, 2, 3)
TOL = 1e-8
VEC = {"a": "vector", "b": "vector", "e": "vector"}


def case(source, expr, wrt, types=None, shapes=None, positive=False):
    return pytest.param(expr, wrt, types, shapes, positive, id=f"{source}: d {expr} / d {wrt}")


TALL = {"X": (5, 3), "A": (5, 5)}

COOKBOOK = [
    # 2.1.1 determinants
    case("eq. 49", "det(X)", "X"),
    case("eq. 51", "det(A*X*B)", "X", shapes={"A": (3, 3), "X": (3, 3), "B": (3, 3)}),
    case("eq. 51, non-square A, B", "det(A*X*B)", "X",
         shapes={"A": (2, 3), "X": (3, 4), "B": (4, 2)}),
    case("eq. 57", "logdet(X)", "X"),
    case("eq. 55", "logdet(X'*X)", "X", shapes=TALL),
    case("eq. 54", "det(X'*A*X)", "X", shapes=TALL),
    case("eq. 52", "det(X'*A*X)", "X", shapes={"X": (3, 3), "A": (3, 3)}),
    case("eq. 58", "det(X^2)", "X"),
    case("eq. 58", "det(X^3)", "X"),
    # 2.2 inverses
    case("eq. 63", "tr(A*inv(X)*B)", "X"),
    case("eq. 61", "a'*inv(X)*b", "X", VEC),
    case("eq. 64", "tr(inv(X))", "X"),
    case("eq. 64", "tr(inv(X + A))", "X"),
    case("eq. 62", "det(inv(X))", "X"),
    # 2.4 scalar forms
    case("eq. 69", "x'*a", "x", VEC),
    case("eq. 69", "a'*x", "x", VEC),
    case("eq. 81", "x'*A*x", "x"),
    case("eq. 81, symmetric A", "x'*A*x", "x", {"A": "symmetric"}),
    case("eq. 78", "(A*x + b)'*C*(D*x + e)", "x", VEC),
    case("eq. 70", "a'*X*b", "X", VEC),
    case("eq. 71", "a'*X'*b", "X", VEC),
    case("eq. 72", "a'*X*a", "X", VEC),
    case("eq. 77", "a'*X'*X*b", "X", VEC),
    case("eq. 82", "a'*X'*D*X*b", "X", VEC),
    case("eq. 83", "(X*b + e)'*D*(X*b + e)", "X", VEC),
    case("eq. 84", "(x - A*s)'*W*(x - A*s)", "s", {"W": "symmetric"}),
    case("eq. 91", "a'*X^3*b", "X", VEC),
    # 2.5 traces
    case("eq. 99", "tr(X)", "X"),
    case("eq. 100", "tr(X*A)", "X"),
    case("eq. 101", "tr(A*X*B)", "X"),
    case("eq. 102", "tr(A*X'*B)", "X"),
    case("eq. 103", "tr(X'*A)", "X"),
    case("eq. 104", "tr(A*X')", "X"),
    case("eq. 106", "tr(X^2)", "X"),
    case("eq. 107", "tr(X^2*B)", "X"),
    case("eq. 108", "tr(X'*B*X)", "X"),
    case("eq. 111", "tr(X*A*X')", "X"),
    case("eq. 114", "tr(A*X*B*X)", "X"),
    case("eq. 115", "tr(X'*X)", "X"),
    case("eq. 116", "tr(B'*X'*C*X*B)", "X"),
    case("eq. 117", "tr(X'*B*X*C)", "X"),
    case("eq. 118", "tr(A*X*B*X'*C)", "X"),
    case("eq. 119", "tr((A*X*B + C)*(A*X*B + C)')", "X"),
    case("eq. 121, k = 3", "tr(X^3)", "X"),
    case("eq. 122, k = 3", "tr(A*X^3)", "X"),
    case("eq. 124", "tr(A*X^-1*B)", "X"),
    # 2.6 norms
    case("eq. 129", "norm2(x - a)", "x", VEC),
    case("eq. 131", "norm2(x)^2", "x"),
    case("eq. 132", "norm2(X)^2", "X"),
    case("eq. 129, chained", "norm2(A*x - b)", "x", VEC),
    case("1-norm", "norm1(x)", "x"),
    case("Frobenius, wrt A", "norm2(X - A*B)", "A"),
    case("Frobenius, wrt B", "norm2(X - A*B)", "B"),
]


ML = [
    case("least squares", "norm2(X*w - y)^2", "w"),
    case("ridge", "norm2(X*w - y)^2 + lambda*norm2(w)^2", "w"),
    case("ridge, wrt lambda", "norm2(X*w - y)^2 + lambda*norm2(w)^2", "lambda"),
    case("logistic regression", "sum(log(exp(-y.*(X*w)) + vector(1)))", "w"),
    case("softmax cross-entropy", "-y'*(W*x) + log(sum(exp(W*x)))", "W"),
    case("softmax cross-entropy", "-y'*(W*x) + log(sum(exp(W*x)))", "x"),
    case("NMF", "norm2(V - W*H)^2", "W"),
    case("NMF", "norm2(V - W*H)^2", "H"),
    case("tanh layer", "norm2(tanh(W*x + b) - y)^2", "W", {"b": "vector"}),
    case("tanh layer", "norm2(tanh(W*x + b) - y)^2", "x", {"b": "vector"}),
    case("tanh layer", "norm2(tanh(W*x + b) - y)^2", "b", {"b": "vector"}),
    case("relu layer", "sum(relu(W*x))", "W"),
    case("relu layer", "sum(relu(W*x))", "x"),
    case("two-layer net", "sum(relu(V*relu(W*x)))", "W"),
    case("two-layer net", "sum(relu(V*relu(W*x)))", "V"),
    case("Gaussian log-likelihood", "-logdet(S) - (x - m)'*inv(S)*(x - m)", "m",
         {"S": "symmetric"}),
]


@pytest.mark.parametrize("expr, wrt, types, shapes, positive", COOKBOOK + ML)
def test_gradient_matches_central_differences(expr, wrt, types, shapes, positive):
    """check_gradient < 1e-8 at four fixed seeds."""
    e = matcal.parse(expr, types)
    for seed in SEEDS:
        values = draw(e, seed, positive, shapes)
        err = matcal.check_gradient(e, wrt, types, values=values, seed=seed)
        assert err < TOL, (expr, wrt, seed, err)


SYM = {"S": "symmetric"}

SYMMETRIC = [
    case("eq. 57 / §2.8.2", "logdet(S)", "S", SYM),
    case("eq. 49 / §2.8.2", "det(S)", "S", SYM),
    case("eq. 100 / §2.8.2", "tr(A*S)", "S", SYM),
    case("eq. 72 / §2.8.2", "x'*S*x", "S", SYM),
    case("eq. 108 / §2.8.2", "tr(X'*S*X)", "S", SYM),
    case("Gaussian log-likelihood", "-logdet(S) - (x - m)'*inv(S)*(x - m)", "S", SYM),
]


@pytest.mark.parametrize("expr, wrt, types, shapes, positive", SYMMETRIC)
def test_symmetric_variable_gets_a_symmetric_gradient(expr, wrt, types, shapes, positive):
    """For symmetric S the gradient is sym(G) = (G + Gᵀ)/2: symmetric, and it matches
    central differences along symmetric directions."""
    e = matcal.parse(expr, types)
    g = matcal.gradient(e, wrt, types)
    for seed in SEEDS:
        values = draw(e, seed, positive, shapes)
        assert matcal.check_gradient(e, wrt, types, values=values, seed=seed) < TOL
        G = np.asarray(matcal.evaluate(g, values, types))
        assert G.ndim == 2 and np.allclose(G, G.T, rtol=1e-12, atol=1e-12)


def test_symmetric_gradient_is_sym_of_the_unstructured_one():
    """∂tr(AS)/∂S = (A + Aᵀ)/2 for symmetric S: the symmetric part of Aᵀ (eq. 100)."""
    e = matcal.parse("tr(A*S)", SYM)
    g = matcal.gradient(e, "S", SYM)
    for seed in SEEDS:
        values = draw(e, seed)
        A = values["A"]
        assert np.allclose(matcal.evaluate(g, values, SYM), (A + A.T) / 2)


# ---------------------------------------------------------------- exact forms


def test_d_logdet_X_is_inv_X_transpose():
    """∂ln|det X|/∂X = X⁻ᵀ (Matrix Cookbook eq. 57)."""
    assert str(matcal.gradient("logdet(X)", "X")) == "inv(X)'"


def test_d_trace_XT_X_is_2X():
    """∂tr(XᵀX)/∂X = 2X (Matrix Cookbook eq. 115)."""
    assert str(matcal.gradient("tr(X'*X)", "X")) == "2*X"


def test_d_xT_A_x_is_A_plus_A_transpose_x():
    """∂xᵀAx/∂x = (A + Aᵀ)x (Matrix Cookbook eq. 81)."""
    assert str(matcal.gradient("x'*A*x", "x")) in {
        "(A + A')*x", "(A' + A)*x", "A*x + A'*x", "A'*x + A*x",
    }


def test_d_xT_S_x_symmetric_is_2Sx():
    """∂xᵀSx/∂x = 2Sx for symmetric S (Matrix Cookbook eq. 81 with S = Sᵀ)."""
    assert str(matcal.gradient("x'*S*x", "x", SYM)) == "2*S*x"


def test_d_frobenius_norm_squared_is_2X():
    """∂‖X‖_F²/∂X = 2X (Matrix Cookbook eq. 132)."""
    assert str(matcal.gradient("norm2(X)^2", "X")) == "2*X"


def test_d_least_squares_is_2_XT_residual():
    """∂‖Xw − y‖²/∂w = 2Xᵀ(Xw − y) (Ang's worked example)."""
    assert str(matcal.gradient("norm2(X*w - y)^2", "w")) == "2*X'*(X*w - y)"


def test_d_nmf_wrt_W_is_minus_2_residual_HT():
    """∂‖V − WH‖_F²/∂W = −2(V − WH)Hᵀ (Traa eq. 24: −2VHᵀ + 2WHHᵀ)."""
    assert str(matcal.gradient("norm2(V - W*H)^2", "W")) == "-2*(V - W*H)*H'"
