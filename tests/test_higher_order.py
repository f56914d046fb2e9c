"""Jacobians, Hessians and derivatives of order 3 and 4: matrix form where it exists, index
notation otherwise; every result checked against finite differences of the order below, and
its printed text parsed back to the same tensor."""

import numpy as np
import pytest

import matcal
from matcal.numeric.gradcheck import sample_values

Y = {"y": "vector"}

MATRIX_FORMS = [
    # (expression, wrt, order, types, printed form)
    ("sum(exp(A*x))", "x", 2, None, "A'*diag(exp(A*x))*A"),
    ("x'*B*x", "x", 2, None, "B + B'"),
    ("sin(A*x + y)", "x", 1, Y, "diag(cos(A*x + y))*A"),
    ("A*x", "x", 1, None, "A"),
    ("diag(A*x)*x", "x", 1, None, "diag(x)*A + diag(A*x)"),
    ("(A.*B)*log(A*x)", "x", 1, None, "(A.*B)*diag(1./(A*x))*A"),
]


@pytest.mark.parametrize("text, wrt, order, types, expected", MATRIX_FORMS)
def test_matrix_form(text, wrt, order, types, expected):
    """Cookbook/DiffMatic Hessians and Jacobians print in matrix notation."""
    assert str(matcal.derivative(text, wrt, order, types)) == expected
    assert matcal.check_derivative(text, wrt, order, types, seed=3) < 1e-8


CASES = [
    ("x'*sin(A*x)", "x", 2, None),
    ("sin(A*x)'*B*cos(C*x)", "x", 2, None),
    ("(A.*B)*log(A*x)", "x", 1, None),
    ("diag(A*x)*x", "x", 1, None),
    ("norm2(A*x - y)^2", "x", 2, Y),
    ("logdet(X)", "X", 2, None),
    ("tr(X'*A*X)", "X", 2, None),
    ("inv(X)", "X", 1, None),
    ("X*A", "X", 1, None),
    ("X'", "X", 1, None),
    ("X*y", "X", 1, Y),
    ("tr(X*X*X)", "X", 3, None),
    ("logdet(X)", "X", 3, None),
    ("logdet(X)", "X", 4, None),
    ("x'*S*x", "S", 1, {"S": "symmetric"}),
    ("logdet(S)", "S", 2, {"S": "symmetric"}),
]


@pytest.mark.parametrize("text, wrt, order, types", CASES)
def test_every_order_matches_finite_differences(text, wrt, order, types):
    for seed in (0, 1):
        assert matcal.check_derivative(text, wrt, order, types, seed=seed) < 1e-7


@pytest.mark.parametrize("text, wrt, order, types", CASES)
def test_printed_text_parses_back_to_the_same_tensor(text, wrt, order, types):
    d = matcal.derivative(text, wrt, order, types)
    values = sample_values(matcal.parse(text, types), seed=2)
    value = matcal.evaluate(d, values)
    back = matcal.evaluate(str(d), values, types, shape=np.shape(value))
    np.testing.assert_allclose(back, value, rtol=1e-10, atol=1e-12)
    f = matcal.evaluate(text, values, types)
    assert np.shape(value) == np.shape(f) + np.shape(values[wrt]) * order


@pytest.mark.parametrize("text, types", [
    ("x'*sin(A*x)", None), ("sin(A*x)'*B*cos(C*x)", None), ("sum(exp(A*x))", None),
    ("logdet(X'*X)", None), ("tr(X'*A*X)", None), ("norm2(A*x - y)^2", Y),
])
def test_hessians_are_symmetric(text, types):
    wrt = "X" if "X" in text else "x"
    values = sample_values(matcal.parse(text, types), seed=4)
    h = np.asarray(matcal.evaluate(matcal.hessian(text, wrt, types), values))
    n = np.ndim(values[wrt])
    flipped = np.transpose(h, tuple(range(n, 2 * n)) + tuple(range(n)))
    np.testing.assert_allclose(h, flipped, rtol=1e-9, atol=1e-9)


def test_hessian_equals_jacobian_of_gradient():
    g = matcal.gradient("sum(exp(A*x)) + x'*B*x", "x")
    j = matcal.jacobian(g, "x")
    h = matcal.hessian("sum(exp(A*x)) + x'*B*x", "x")
    values = sample_values(matcal.parse("sum(exp(A*x)) + x'*B*x"), seed=5)
    np.testing.assert_allclose(matcal.evaluate(j, values), matcal.evaluate(h, values))


def test_inverse_jacobian_is_minus_inv_inv_in_index_notation():
    """dX⁻¹ = −X⁻¹ dX X⁻¹ (Matrix Cookbook eq. 40): ∂inv(X)_ij/∂X_kl = −inv(X)_ik inv(X)_lj."""
    assert str(matcal.jacobian("inv(X)", "X")) == "dF[i,j]/dX[k,l] = -inv(X)[i,k]*inv(X)[l,j]"


def test_hessian_of_a_vector_expression_is_refused():
    with pytest.raises(matcal.DerivativeError, match="order=2"):
        matcal.hessian("A*x", "x")


def test_order_zero_is_refused():
    with pytest.raises(matcal.DerivativeError, match="order"):
        matcal.derivative("tr(X)", "X", 0)


def test_zero_hessian_of_a_linear_function_evaluates_to_zeros():
    h = matcal.hessian("x'*S*x", "S", {"S": "symmetric"})
    values = sample_values(matcal.parse("x'*S*x", {"S": "symmetric"}), seed=0)
    n = len(values["x"])
    assert np.array_equal(matcal.evaluate(h, values), np.zeros((n, n, n, n)))
