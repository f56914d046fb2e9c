"""The cases of SymPy's own derivative tests that need a Kronecker product or a symbolic power
(``sympy/matrices/expressions/tests/test_derivatives.py``; issue 12), each with matcal's exact
form and a check against central differences.

SymPy writes the Jacobian of x xᵀ x as ``KroneckerProduct(I, x.T*x) + 2*x*x.T`` (its
kron of I with a 1×1 matrix is (xᵀx) I); it leaves ``Trace(X**k)`` (Matrix Cookbook eq. 121)
commented out, its own answer being wrong, and ``Trace(A*X**k)`` (eq. 122) as "needs
indices" (matcal: a sum over a range); its Cookbook example 120,
``Trace(TensorProduct(X, X))``, is marked "no support".
"""

from __future__ import annotations

import numpy as np
import pytest

import matcal

CASES = [
    # (SymPy's expression, ours, variable, types, kind of derivative, our exact form)
    ("x*x.T*x", "x*x'*x", "x", {}, "jacobian", "(x'*x)*eye + 2*x*x'"),
    ("Trace(X**k)", "tr(X^k)", "X", {"k": "integer"}, "gradient", "k*(X^(k - 1))'"),
    ("Trace(TensorProduct(X, X))", "tr(kron(X, X))", "X", {}, "gradient", "2*tr(X)*eye"),
    ("Trace(KroneckerProduct(A, X))", "tr(kron(A, X))", "X", {}, "gradient", "tr(A)*eye"),
]


@pytest.mark.parametrize("sympy, text, wrt, types, kind, expected", CASES,
                         ids=[c[0] for c in CASES])
def test_sympy_case_in_closed_form(sympy, text, wrt, types, kind, expected):
    d = getattr(matcal, kind)(text, wrt, types)
    assert str(d) == expected
    assert matcal.check_derivative(d, seed=3) < 1e-6


def test_trace_of_a_times_a_symbolic_power_is_a_sum_over_a_range():
    """SymPy's ``Trace(A*X**k)`` (Cookbook eq. 122: Σ_r (X^r A X^(k−1−r))ᵀ, k terms), which
    SymPy leaves as "needs indices", is a sum over a range; at k = 3 it equals the gradient of
    the numeric power, written term by term."""
    g = matcal.gradient("tr(A*X^k)", "X", {"k": "integer"})
    assert str(g) == "sum(r, 0, k - 1, (X^r)'*A'*(X^(k - r - 1))')"
    assert matcal.check_gradient(g, seed=3) < 1e-6
    with_three = matcal.gradient("tr(A*X^3)", "X")
    assert str(with_three) == "A'*(X^2)' + (X*A*X)' + (X^2)'*A'"
    rng = np.random.default_rng(0)
    values = {"A": rng.standard_normal((3, 3)), "X": rng.standard_normal((3, 3)), "k": 3.0}
    assert np.allclose(matcal.evaluate(g, values), matcal.evaluate(with_three, values))
