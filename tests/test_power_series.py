"""Symbolic matrix powers beyond tr (issue 12, item 4): sums over a range, ``sum(r, a, b, …)``,
and the gradient of a scalar through B^k as one (Matrix Cookbook eq. 122 for tr(A X^k)).

d(B^k) = Σ_{r=0}^{k−1} B^r dB B^(k−1−r) has k terms; for a scalar f = F(X, B^k),
∇f = ∇_X F + ∇_X tr(Hᵀ B) with H = Σ_r (B^r)ᵀ (∂F/∂P) (B^(k−1−r))ᵀ. Each form is checked
exactly and against central differences, and its text reads back to the same value.
"""

from __future__ import annotations

import numpy as np
import pytest

import matcal

K = {"k": "integer", "a": "vector", "b": "vector"}

SERIES = [
    ("tr(A*X^k)", "X", "sum(r, 0, k - 1, (X^r)'*A'*(X^(k - r - 1))')"),
    ("a'*X^k*b", "X", "sum(r, 0, k - 1, (X^r)'*a*b'*(X^(k - r - 1))')"),
    ("tr(A*(X + B)^k)", "X", "sum(r, 0, k - 1, ((X + B)^r)'*A'*((X + B)^(k - r - 1))')"),
    ("u'*(A + alpha*B)^k*v", "alpha",
     "tr(sum(r, 0, k - 1, ((A + alpha*B)^r)'*u*v'*((A + alpha*B)^(k - r - 1))')'*B)"),
    ("logdet(X^k)", "X", "sum(r, 0, k - 1, (X^r)'*inv(X^k)'*(X^(k - r - 1))')"),
]


def values(k: int = 4, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    out = {name: rng.standard_normal((3, 3)) / 2 for name in "ABX"}
    out["X"] = out["X"] + 2 * np.eye(3)  # det X^k away from 0 for logdet
    out.update(a=rng.standard_normal(3), b=rng.standard_normal(3), u=rng.standard_normal(3),
               v=rng.standard_normal(3), alpha=0.3, k=float(k))
    return out


@pytest.mark.parametrize("text, wrt, expected", SERIES, ids=[c[0] for c in SERIES])
def test_gradient_through_a_symbolic_power_is_a_sum_over_a_range(text, wrt, expected):
    """d(B^k) = Σ_{r=0}^{k−1} B^r dB B^(k−1−r): the gradient as Σ_r over the k terms."""
    g = matcal.gradient(text, wrt, K)
    assert str(g) == expected
    for k in (1, 3):
        assert matcal.check_gradient(g, values=values(k), seed=k) < 1e-7
    back = matcal.parse(str(g), K)  # printed text is input, bound r and all
    vals = values(3)
    assert np.allclose(matcal.evaluate(back, vals), matcal.evaluate(g, vals))


def test_cookbook_eq_122_term_by_term():
    """∂tr(A X^k)/∂X = Σ_{r=0}^{k−1} (X^r A X^(k−r−1))ᵀ (Matrix Cookbook eq. 122), at k = 3
    against the gradient of the numeric power."""
    vals = values(3)
    ours = matcal.evaluate(matcal.gradient("tr(A*X^k)", "X", K), vals)
    numeric = matcal.evaluate(matcal.gradient("tr(A*X^3)", "X"), vals)
    assert np.allclose(ours, numeric)


def test_the_trace_of_a_power_keeps_its_closed_form():
    """d tr(X^k) = k tr(X^(k−1) dX): the engine's own closed form, no sum."""
    assert str(matcal.gradient("tr(X^k)", "X", K)) == "k*(X^(k - 1))'"


def test_a_range_sum_evaluates_term_by_term():
    X = np.array([[1.0, 2.0], [0.5, -1.0]])
    got = matcal.evaluate("sum(r, 0, 3, X^r)", {"X": X})
    assert np.allclose(got, sum(np.linalg.matrix_power(X, r) for r in range(4)))
    assert np.allclose(matcal.evaluate("sum(r, 1, 0, X^r)", {"X": X}), np.zeros((2, 2)))
    assert matcal.evaluate("sum(r, 1, n, r)", {"n": 4.0}, {"n": "integer"}) == 10.0
    with pytest.raises(matcal.ValuesError, match="must be a whole number"):
        matcal.evaluate("sum(r, 0, n, X^r)", {"X": X, "n": 1.5}, {"n": "integer"})


def test_a_range_sum_with_number_bounds_differentiates_term_by_term():
    """d Σ_{r=a}^{b} f_r = Σ_{r=a}^{b} d f_r: written out when a and b are numbers."""
    assert str(matcal.gradient("tr(sum(r, 0, 2, X^r*A))", "X")) == "A' + A'*X' + X'*A'"
    assert matcal.check_gradient("tr(sum(r, 0, 2, X^r*A))", "X", seed=1) < 1e-8


def test_latex_of_a_range_sum():
    g = matcal.gradient("tr(A*X^k)", "X", K)
    assert g.to_latex().startswith(r"\sum_{r=0}^{k - 1} ")


def test_beyond_the_gradient_a_symbolic_power_is_refused_clearly():
    with pytest.raises(matcal.DerivativeError, match="beyond the gradient of a scalar"):
        matcal.hessian("tr(A*X^k)", "X", K)
    with pytest.raises(matcal.DerivativeError, match=r"cannot differentiate sum\(r, 0, k, X\^r\): "
                       "its range has a symbolic bound"):
        matcal.gradient("tr(sum(r, 0, k, X^r))", "X", K)


@pytest.mark.parametrize("text, message", [
    ("sum(r, 0, c, X^r)", "the bounds of sum\\(r, first, last, ...\\) are whole numbers"),
    ("sum(r, 0, 2.5, X^r)", "are whole numbers"),
    ("sum(r, 0, 2, X^r) + r*eye", "r is the index of a sum\\(r, first, last, ...\\)"),
    ("r + sum(r, 0, 2, X^r)", "r is already a name here"),
    ("sum(r, 0, 2, sum(r, 0, 1, X^r))", "r is already a name here"),
    ("sum(x', 0, 2, X)", "takes an index name first"),
    ("sum(r, 0, 2, X, A)", "sum takes 1, 2 or 4 arguments"),
])
def test_bad_range_sums_are_refused_with_the_place(text, message):
    with pytest.raises((matcal.ParseError, matcal.ShapeError), match=message) as err:
        matcal.parse(text, K)
    assert "^" in str(err.value)
