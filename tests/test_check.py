"""The numerical check (matcal.numeric.gradcheck): it must pass right derivatives that are hard
for finite differences — an unsimplified zero, a deep composition — and still fail wrong ones."""

from __future__ import annotations

import matcal
from matcal.numeric.gradcheck import compare_with_differences, sample_values


def _deep(depth: int) -> str:
    s = "x"
    for _ in range(depth):
        s = f"tanh(exp({s}))"
    return f"sum({s})"


def test_an_unsimplified_zero_gradient_passes():
    """tr(X*inv(X'*X)*X') is constant (the rank of X); its gradient prints unsimplified and
    evaluates to rounding, which once read as relative error 0.31."""
    assert matcal.check_gradient("tr(X*inv(X'*X)*X')", "X", seed=0) < 1e-8


def test_a_deep_composition_passes():
    """A depth-16 tanh/exp chain once read 2.4e-5 (the first step too large for it)."""
    assert matcal.check_gradient(_deep(8), "x", seed=0) < 1e-8


def test_a_wrong_gradient_fails():
    e = matcal.parse("tr(A*X*B*X*C')")
    values = sample_values(e, seed=0)
    right = matcal.gradient(e, "X").form
    assert compare_with_differences(e, right, "X", values) < 1e-8
    for wrong in ("A'*C*X'*B'", "1.001*(A'*C*X'*B' + B'*X'*A'*C)", "(A'*C*X'*B' + B'*X'*A'*C)'"):
        assert compare_with_differences(e, matcal.parse(wrong), "X", values) > 1e-6, wrong


def test_a_wrong_zero_fails():
    e = matcal.parse("x'*x")
    values = sample_values(e, seed=0)
    assert compare_with_differences(e, matcal.parse("0*x"), "x", values) > 1e-3


def test_a_wrong_gradient_of_a_deep_composition_fails():
    """A gradient 0.01% off is caught, though the slope is 1e-3 of f (tanh saturates)."""
    e = matcal.parse(_deep(3))
    values = sample_values(e, seed=0)
    g = matcal.gradient(e, "x")
    assert compare_with_differences(e, matcal.parse(f"1.0001*({g})"), "x", values) > 1e-6
