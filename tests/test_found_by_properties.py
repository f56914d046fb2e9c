"""Minimal repros of what the Hypothesis properties (test_properties.py) found, as plain tests.

The ones the engine still gets wrong are strict xfails: remove the mark when fixed. The rest
are regressions: each comment says what the engine once did.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcal
from matcal.numeric.gradcheck import compare_with_differences, sample_values
from matcal.core.nodes import Zero
from matcal.core.nodes import variables
from matcal.simplify.engine import simplify


def close(u, v) -> bool:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    return u.shape == v.shape and np.allclose(u, v, rtol=1e-8, atol=1e-8)


STABLE_PRINTING = [
    "x*y'",
    "(X^2)^3",
    "x'*(y/a)",  # printed x'*y/a, which parsed as (x'*y)/a and printed so
    "x'*(y*z')*w",  # printed x'*y*z'*w, which parsed as (x'*y)*z'*w and printed so
]


@pytest.mark.parametrize("text", STABLE_PRINTING)
def test_printing_is_stable_on_found_cases(text):
    printed = str(matcal.parse(text))
    assert str(matcal.parse(printed)) == printed


@pytest.mark.parametrize("text, vals", [
    ("(X^2)^3", {"X": np.array([[1.0, 1.0], [0.0, 1.0]])}),  # printed X^2^3 = X^8 once
    ("x*y'", {"x": np.array([1.0, 2.0]), "y": np.array([3.0, 4.0, 5.0])}),
])
def test_printed_text_has_the_same_value_on_found_cases(text, vals):
    e = matcal.parse(text)
    assert close(matcal.evaluate(str(e), vals), matcal.evaluate(e, vals))


@pytest.mark.parametrize("text", ["2*(X - X)", "A*(x - x)", "x'*(y - y)", "((X - X)/2)'",
                                  "diag(X - X)", "diag(x - x)", "(x - x)'"])
def test_simplify_keeps_the_shape_of_a_cancelled_expression(text):
    # once: 2*(X - X) → 0 (scalar), A*(x - x) → matrix(0), x'*(y - y) → vector(0)'
    e = matcal.parse(text)
    assert simplify(e).shape == e.shape


@pytest.mark.parametrize("text, wrt", [
    ("a*x'*(y - y)", "a"),  # once vector(0)', and check_gradient raised IndexError
    ("z'*(A - A)*y", "z"),  # once a zero of y's size; check_gradient raised ValueError
    ("norm2((A - A)*x) + tr(A'*A)", "A"),
])
def test_gradient_of_a_cancelled_expression_has_the_variables_shape(text, wrt):
    e = matcal.parse(text)
    assert matcal.gradient(e, wrt).shape == variables(e)[wrt].shape
    assert matcal.check_gradient(e, wrt, seed=0) < 1e-6


@pytest.mark.parametrize("text, wrt, printed", [
    ("sum(X)", "X", "matrix(1)"),  # once matrix(0), before that a DerivativeError
    ("x'*X*y", "X", "x*y'"),  # printed an outer product the parser refused
    ("tr(matrix(c) + X)", "c", None),  # once 1: tr(matrix(1)) lost its n
    ("sum(inv(C))", "C", None),  # once -inv(C)'*vector(1)*matrix(1)*inv(C)'
    ("tr(X)", "X", "eye"),  # check_gradient could not size eye
])
def test_gradient_on_found_cases(text, wrt, printed):
    g = matcal.gradient(text, wrt)
    if printed is not None:
        assert str(g) == printed
    matcal.parse(str(g))
    assert matcal.check_gradient(text, wrt, seed=0) < 1e-6


def test_printing_of_a_gradient_is_stable_on_found_case():
    # printed -(x'*x/a)/norm2(x/a)/a^2, which parsed back and printed as -(x'*x)/a/…
    printed = str(matcal.gradient("norm2(x/a)", "a"))
    assert str(matcal.parse(printed)) == printed


def test_evaluate_ignores_values_of_other_names():
    # evaluate looked up the variables a derivative came from by structural equality, so
    # parse("A'") borrowed X from gradient('tr(X*A)', 'X') == A' and checked X's size
    vals = {"A": np.ones((2, 3)), "X": np.ones((5, 5))}
    matcal.gradient("tr(X*A)", "X")
    assert matcal.evaluate(matcal.parse("A'"), vals).shape == (3, 2)


def test_evaluate_sizes_a_folded_zero_from_the_values_given():
    # parse folds (1 - 1)*A to matrix(0); evaluate once could not size it though A was given
    out = matcal.evaluate("(1 - 1)*A", {"A": np.ones((2, 3))})
    assert np.shape(out) == (2, 3) and not np.any(out)


def test_check_gradient_is_right_with_its_own_values():
    # its values once shifted square matrices by n·I, so det(X + B) ~ 1e5, which a fixed
    # step h = 1e-3 cannot resolve under cos: it reported 1.16 for a right gradient
    assert matcal.check_gradient("cos(det(X + B))", "X", seed=0) < 1e-6


def test_gradient_of_cos_det_is_right_at_moderate_values():
    rng = np.random.default_rng(0)
    vals = {"X": np.eye(3) + 0.2 * rng.standard_normal((3, 3)),
            "B": np.eye(3) + 0.2 * rng.standard_normal((3, 3))}
    assert matcal.check_gradient("cos(det(X + B))", "X", values=vals, seed=0) < 1e-8


def test_check_of_an_exactly_zero_gradient_is_not_fooled_by_rounding():
    """f that cancels to zero up to rounding: the right gradient (0) checks below 1e-8, and a
    wrong zero is still caught (the slope of x'*x is not 0)."""
    assert matcal.check_gradient("(-(y + x) + y + x)'*B*x", "y", seed=0) < 1e-8
    assert matcal.check_gradient("tr((tanh(tanh(S)) + ((X - B) - X)))", "X", seed=0) < 1e-8
    e = matcal.parse("x'*x")
    values = sample_values(e, seed=0)
    wrong = Zero(matcal.gradient(e, "x").shape)
    assert compare_with_differences(e, wrong, "x", values) > 0.1


@pytest.mark.parametrize("text", ["det(X + B)./(det(X + B).^2 + 1)",
                                  "a*(B*y)/(1 + (3*det(B))^2)"])
def test_split_determinants_keeps_the_coefficient_of_a_power_of_det(text):
    # split_determinants once rebuilt c*det(P)^p as det(P)^p, dropping c (the 9 of
    # (3*det(B))^2, the -1 of -det(X + B)^2): found with MATCAL_EXAMPLES=1500
    e = matcal.parse(text)
    values = sample_values(e, seed=1)
    np.testing.assert_allclose(matcal.evaluate(simplify(e), values), matcal.evaluate(e, values))
