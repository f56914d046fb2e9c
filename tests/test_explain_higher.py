"""Derivations of Jacobians and Hessians step by step (issue 12, item 5), in both methods.

A Jacobian is read off df = J dx (Ang's differential method, one more axis) or off ∂f_i/∂x_j
(Traa's index method, f carrying its own index i); a Hessian is the Jacobian of the gradient,
H = ∂(∇f)/∂x, derived after the gradient's own derivation. Every step is checked numerically,
and the tests below also show that a wrong step is caught.
"""

from __future__ import annotations

import dataclasses

import pytest

import matcal
from matcal import cli
from matcal.core.errors import DerivativeError
from matcal.core.nodes import variables
from matcal.derivation.render import render, shown_text, to_text
from matcal.derivation.steps import LHS
from matcal.derivation.verify import Checker, check_steps
from matcal.syntax.parse import parse

METHODS = ("differential", "index")

HESSIANS = [
    ("x'*A*x", "x", {}),
    ("sum(exp(A*x))", "x", {}),
    ("norm2(A*x - b)^2", "x", {"b": "vector"}),
    ("log(1 + exp(x'*x))", "x", {}),
    ("sum(log(1 + exp(-y.*(X*w))))", "w", {}),
    ("sqrt(x'*A*x)", "x", {}),
    ("sum(x.^4)", "x", {}),
    ("logdet(A + x*x')", "x", {}),
    ("a*sin(alpha)", "alpha", {}),
    ("u'*inv(A + alpha*B)*v", "alpha", {}),
]

JACOBIANS = [
    ("A*x", "x", {}),
    ("exp(A*x)", "x", {}),
    ("x.*x", "x", {}),
    ("sin(x)*alpha", "alpha", {}),
    ("X*alpha", "alpha", {}),
    ("A*x/norm2(x)", "x", {}),
    ("(x'*y)*z", "x", {}),
    ("tanh(W*x + u)", "x", {}),
    ("inv(A + alpha*B)", "alpha", {}),
    ("x*x'*y", "x", {}),
]


def chained(d) -> bool:
    return all(a.after == b.before for a, b in zip(d.steps, d.steps[1:]))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("text, wrt, types", HESSIANS, ids=[c[0] for c in HESSIANS])
def test_hessian_derivation_reaches_the_hessian_with_every_step_verified(text, wrt, types,
                                                                         method):
    d = matcal.explain(text, wrt, method, types, order=2)
    assert d.kind == "hessian" and d.first.kind == "gradient"
    assert d.all_verified, [(s.rule, s.error) for s in d.steps]
    assert d.result == matcal.hessian(text, wrt, types).form
    assert d.gradient == matcal.gradient(text, wrt, types).form == d.first.result
    assert d.steps[0].before == d.first.result and d.steps[-1].after == d.result
    assert chained(d) and chained(d.first)
    assert {s.lhs for s in d.steps} <= set(LHS) and d.steps[-1].lhs == "grad"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("text, wrt, types", JACOBIANS, ids=[c[0] for c in JACOBIANS])
def test_jacobian_derivation_reaches_the_jacobian_with_every_step_verified(text, wrt, types,
                                                                           method):
    d = matcal.explain(text, wrt, method, types)
    assert d.kind == "jacobian" and d.first is None
    assert d.all_verified, [(s.rule, s.error) for s in d.steps]
    assert d.result == matcal.jacobian(text, wrt, types).form
    assert d.steps[0].before == d.expression and d.steps[-1].after == d.result
    assert chained(d)


def test_quadratic_form_hessian_by_differentials_line_by_line():
    d = matcal.explain("x'*A*x", "x", order=2)
    assert [(s.rule, shown_text(s.after)) for s in d.steps] == [
        ("differential", "d((A + A')*x)"),
        ("product_rule", "d(A + A')*x + (A + A')*dx"),
        ("constant_rule", "(A + A')*dx"),
        ("read_off", "A + A'"),
    ]
    text = to_text(d)
    assert text.startswith("Gradient of f = x'*A*x with respect to x")
    assert "Hessian of f = x'*A*x with respect to x: the Jacobian of the gradient" in text
    assert "  d(∇f) = d((A + A')*x)" in text and "      H = A + A'" in text
    assert "d²f = dxᵀ H dx" in text
    assert text.endswith("hessian against differences of the gradient: verified: relative "
                         f"error {d.error:.1e}")


def test_quadratic_form_hessian_by_indices_line_by_line():
    d = matcal.explain("x'*A*x", "x", "index", order=2)
    assert [(s.rule, shown_text(s.after)) for s in d.steps] == [
        ("product_index", "Σ_j (A + A')[i,j]*x[j]"),
        ("product_rule", "Σ_j (A + A')[i,j]*δ[j,p]"),
        ("delta_elimination", "(A + A')[i,j]"),
        ("read_off", "A + A'"),
    ]
    text = to_text(d)
    assert "∇f[i] = Σ_j (A + A')[i,j]*x[j]" in text
    assert "∂²f/∂x[i]∂x[p] = Σ_j (A + A')[i,j]*δ[j,p]" in text
    assert "∂²f/∂x[i]∂x[j] = (A + A')[i,j]" in text
    latex = render(d, "latex")
    assert r"\frac{\partial^2 f}{\partial x_{i} \partial x_{j}}" in latex
    assert r"\mathbf{H} &= \mathbf{A} + \mathbf{A}^T" in latex
    markdown = render(d, "markdown")
    assert "**Hessian of" in markdown and r"Result: $\mathbf{H} = " in markdown


def test_jacobian_of_an_elementwise_map_reads_a_diagonal_off():
    d = matcal.explain("exp(A*x)", "x")
    assert [(s.rule, shown_text(s.after)) for s in d.steps][-2:] == [
        ("hadamard_to_diagonal", "diag(exp(A*x))*A*dx"),
        ("read_off", "diag(exp(A*x))*A"),
    ]
    index = matcal.explain("exp(A*x)", "x", "index")
    assert [(s.rule, shown_text(s.after)) for s in index.steps] == [
        ("chain_rule", "Σ_j exp(A*x)[i]*A[i,j]*δ[j,p]"),
        ("delta_elimination", "exp(A*x)[i]*A[i,p]"),
        ("diagonal_scaling", "(diag(exp(A*x))*A)[i,p]"),
        ("read_off", "diag(exp(A*x))*A"),
    ]
    assert "∂f[i]/∂x[p] = Σ_j exp(A*x)[i]*A[i,j]*δ[j,p]" in to_text(index)


def test_outer_product_term_is_named():
    d = matcal.explain("x*x'*y", "x")
    rules = [s.rule for s in d.steps]
    assert "outer_product" in rules and "collect_terms" in rules
    assert shown_text(d.result) == "(x'*y)*eye + x*y'"


@pytest.mark.parametrize("method", METHODS)
def test_a_wrong_jacobian_step_is_caught(method):
    d = matcal.explain("A*x", "x", method)
    e = parse("A*x")
    x = variables(e)["x"]
    wrong = dataclasses.replace(d.steps[-1], after=parse("A'"), verified=None, error=None)
    dx = variables(d.steps[-2].after).get(d.differential) if d.differential else None
    checked = check_steps(list(d.steps[:-1]) + [wrong], Checker(e, x, dx, seed=0), "f")
    assert [s.verified for s in checked] == [True] * (len(checked) - 1) + [False]


def test_a_wrong_hessian_is_caught():
    d = matcal.explain("x'*A*x", "x", order=2)
    g = d.first.result
    x = variables(g)["x"]
    dx = variables(d.steps[-2].after)[d.differential]
    wrong = dataclasses.replace(d.steps[-1], after=parse("A"), verified=None, error=None)
    checked = check_steps(list(d.steps[:-1]) + [wrong], Checker(g, x, dx, seed=0), "f")
    assert checked[-1].verified is False and all(s.verified for s in checked[:-1])


def test_a_derivative_passed_in_is_not_derived_again():
    h = matcal.hessian("x'*A*x", "x")
    d = matcal.explain(h)
    assert d.kind == "hessian" and d.result == h.form
    j = matcal.jacobian("A*x", "x")
    assert matcal.explain(j, method="index").result == j.form


@pytest.mark.parametrize("text, wrt, order, message", [
    ("tr(A*X*B*X)", "X", 2, "the Hessian by the matrix X has 4 axes"),
    ("A*X", "X", 1, "the Jacobian of this matrix by the matrix X has 4 axes"),
    ("X*x", "X", 1, "the Jacobian of this vector by the matrix X has 3 axes"),
    ("x'*A*x", "x", 3, "not a derivative of order 3"),
    ("A*x", "x", 2, "a Hessian is of a scalar function"),
])
def test_derivations_without_a_matrix_form_are_refused_clearly(text, wrt, order, message):
    with pytest.raises(DerivativeError, match=message):
        matcal.explain(text, wrt, order=order)


def test_cli_hessian_and_jacobian_steps(capsys):
    for method in METHODS:
        status = cli.main(["x'*A*x", "--wrt", "x", "--hessian", "--steps", method])
        out, err = capsys.readouterr()
        expected = to_text(matcal.explain("x'*A*x", "x", method, order=2))
        assert (status, out, err) == (0, expected + "\n", "")
        assert "FAILED" not in out and "H = A + A'" in out
    status = cli.main(["exp(A*x)", "--wrt", "x", "--jacobian", "--steps=index", "--format",
                       "markdown"])
    out, err = capsys.readouterr()
    assert status == 0 and out.startswith("**Jacobian of")
