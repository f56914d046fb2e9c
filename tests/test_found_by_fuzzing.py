"""Regressions for what differential fuzzing against JAX found (issue 7), one test each,
named after what matcal once did. Each checks the value against central differences at
values that expose the bug (negative bases, non-square sizes, non-symmetric matrices)."""

from __future__ import annotations

import numpy as np
import pytest

import matcal


def fd_error(text, wrt, values, types=None, order=1):
    return matcal.check_derivative(matcal.derivative(text, wrt, order, types), values=values,
                                   seed=0)


RNG = np.random.default_rng(7)
A34 = RNG.standard_normal((3, 4))
X33 = np.eye(3) + 0.3 * RNG.standard_normal((3, 3))
Y33 = RNG.standard_normal((3, 3))


def test_power_of_power_is_not_folded_ignoring_sign():
    """(alpha.^2).^.5 = |alpha| once became alpha at parse time: gradient 1 at alpha = −0.7."""
    e = matcal.parse("(alpha.^2).^.5")
    assert matcal.evaluate(e, {"alpha": -0.7}) == pytest.approx(0.7)
    assert matcal.evaluate(matcal.gradient(e, "alpha"), {"alpha": -0.7}) == pytest.approx(-1)
    assert fd_error("det((X.^2).^.5)", "X", {"X": -X33}) < 1e-8


def test_integer_power_of_power_still_folds():
    assert str(matcal.parse("(x.^0.5).^2")) == "x"
    assert str(matcal.parse("(x.^2).^3")) == "x.^6"


def test_transposed_elementwise_power_keeps_its_transpose():
    """(2.^X)' once became 2.^X: tr(A*(2.^X)') evaluated wrongly (or crashed) and
    tr(((3.^A).^-1)^2) had a wrong gradient; (3.^u)'*u was a false ShapeError."""
    vals = {"A": A34, "X": A34 + 1}
    truth = np.trace(A34 @ (2.0 ** (A34 + 1)).T)
    assert matcal.evaluate("tr(A*(2.^X)')", vals) == pytest.approx(truth)
    assert fd_error("tr(A*(2.^X)')", "X", vals) < 1e-8
    assert fd_error("tr(((3.^A).^-1)^2)", "A", {"A": Y33}) < 1e-8
    assert fd_error("det(3.^Y)", "Y", {"Y": Y33}) < 1e-8
    assert fd_error("(3.^u)'*u", "u", {"u": RNG.standard_normal(3)}) < 1e-8


def test_sum_of_a_matrix_valued_index_sum():
    """sum(sum(j, m[j]*M)) by M evaluated 9 where the truth is 3."""
    vals = {"m": np.array([1.0, 2.0, -3.0]), "M": Y33}
    g = matcal.gradient("sum(sum(j, m[j]*M))", "M")
    assert str(g) == "sum(m)*matrix(1)"
    assert np.allclose(matcal.evaluate(g, vals), 0.0 * Y33)  # sum(m) = 0 here
    assert fd_error("sum(sum(k, v[k]*A))", "v", {"v": RNG.standard_normal(4), "A": A34}) < 1e-8


def test_relu_of_a_scalar_evaluates():
    """relu(a) gave step(a), whose evaluation raised AttributeError."""
    assert matcal.evaluate(matcal.gradient("relu(a)", "a"), {"a": 2.0}) == 1.0
    assert matcal.evaluate(matcal.gradient("relu(a)", "a"), {"a": -2.0}) == 0.0


def test_matrix_exponent_minus_one_prints_as_input():
    """d(x.^y) once printed y - 1 when a scalar subtracted from a vector was no input; with
    scalar broadcasting it is, and reads back to the same value."""
    g = matcal.jacobian("x.^y", "x")
    assert "y - 1" in str(g)
    back = matcal.parse(str(g))
    vals = {"x": np.array([1.5, 2.0]), "y": np.array([0.5, 3.0])}
    assert np.allclose(matcal.evaluate(back, vals), matcal.evaluate(g, vals))


def test_index_notation_does_not_reuse_a_summation_index():
    """dF[i]/dA[j,k] = eye[i,j]*(sum(k, x[k]*B[:,k]) - x)[k] once reused k, and the parser
    took the selection for an indexed factor."""
    g = matcal.jacobian("A*(sum(k, B[:,k]*x[k]) - x)", "A")
    text = str(g)
    assert "sum(k" not in text or "[k]" not in text.split("sum(k")[0]
    vals = {"A": A34, "B": RNG.standard_normal((4, 4)), "x": RNG.standard_normal(4)}
    assert np.allclose(matcal.evaluate(matcal.parse(text), vals), matcal.evaluate(g, vals))


def test_count_of_a_summation_index_prints_through_a_variable():
    """sum(k, y[k] + tr(inv(C'))) by C once printed -tr(eye)*..., which no value sizes."""
    g = matcal.gradient("sum(k, y[k] + tr(inv(C')))", "C")
    assert "sum(k, y[k]^0)" in str(g)
    vals = {"y": np.ones(5), "C": X33}
    assert np.allclose(matcal.evaluate(matcal.parse(str(g)), vals), matcal.evaluate(g, vals))
    inverse = np.linalg.inv(X33)
    assert np.allclose(matcal.evaluate(g, vals), -5 * (inverse @ inverse).T)


def test_a_sum_whose_body_stops_selecting_keeps_its_range():
    """sum(k, x[k] - x[k] + a) simplified to sum(k, a), and its gradient printed
    2*a*sum(k, 1): text with no selection, which does not parse."""
    from matcal.simplify.engine import simplify
    e = simplify(matcal.parse("sum(k, x[k] - x[k] + a)"))
    assert str(e) == "sum(k, x[k]^0)*a"
    g = matcal.gradient("sum(k, (x[k] - x[k] + 1)*a^2)", "a")
    vals = {"x": np.ones(4), "a": 1.5}
    assert matcal.evaluate(matcal.parse(str(g)), vals) == pytest.approx(12.0)


def test_trace_of_a_matrix_of_ones_prints_through_a_variable():
    """tr(matrix(1)) = n in the Hessian of tr((C + c*a*matrix(1))*sigmoid(relu(c))) by c
    printed as it is, which no value sizes (the one parse-back case of 10,000)."""
    g = matcal.gradient("tr(C + c*matrix(1))", "c")
    assert "matrix(1)" not in str(g)
    vals = {"C": Y33, "c": 0.5}
    assert matcal.evaluate(matcal.parse(str(g)), vals) == matcal.evaluate(g, vals) == 3.0


@pytest.mark.parametrize("text, wrt, values", [
    ("det(2*eye + diag(sigmoid(z - z)))*x'*z", "z",
     {"z": RNG.standard_normal(3), "x": RNG.standard_normal(3)}),
    ("sum(k, (C[k,:]*z)*sum((z'*(C + matrix(C[k,:]*z)))'))", "z",
     {"C": Y33, "z": RNG.standard_normal(3)}),
    ("sigmoid(alpha)^((logsumexp(x - x)^4)^1.5)", "alpha", {"alpha": 0.3,
                                                            "x": RNG.standard_normal(3)}),
])
def test_constants_that_nothing_sizes_print_through_a_variable(text, wrt, values):
    """det(2*eye + diag(sigmoid(vector(0)))) and sum(matrix(1)*z) printed as they were: text
    whose constants no value sizes (their size came from z - z). They now print through a
    variable of their shape (diag(z.^0), 0*z.^0, C.^0), and read back to the same value."""
    g = matcal.gradient(text, wrt)
    value = matcal.evaluate(g, values)
    back = matcal.evaluate(str(g), values, shape=np.shape(value))
    assert np.allclose(back, value)
    assert matcal.check_gradient(g, values=values, seed=0) < 1e-8
