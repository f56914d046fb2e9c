"""The simplifier's rules and the canonical forms of products, one exact case per identity."""

from __future__ import annotations

import pytest

import matcal
from matcal.simplify.engine import simplify
from matcal.simplify.normal import normal_form


def simplified(text: str) -> str:
    return str(simplify(matcal.parse(text)))


@pytest.mark.parametrize("text, expected", [
    ("A*X*inv(X)*B", "A*B"),
    ("inv(X)*X*x", "x"),
    ("inv(X)'*X'", "eye"),
    ("a*X*inv(X)", "a*eye"),
])
def test_cancel_inverse_P_inv_P_is_I(text, expected):
    """P P⁻¹ = P⁻¹ P = I (Matrix Cookbook §3.1.1), between neighbours of a chain."""
    assert simplified(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("y.*x + x.*y", "2*y.*x"),
    ("(A*B*C)' + C'*B'*A'", "2*(A*B*C)'"),
    ("(inv(X)*A)' - A'*inv(X')", "matrix(0)"),
    ("x'*A*y + y'*A'*x", "2*x'*A*y"),
    ("a*b*x'*y - b*y'*x*a", "0"),
])
def test_collect_like_terms_compares_normal_forms(text, expected):
    """c₁·T + c₂·T = (c₁ + c₂)·T, with T compared after pushing transposes to the leaves
    ((AB)ᵀ = BᵀAᵀ, (A⁻¹)ᵀ = (Aᵀ)⁻¹), ordering what commutes, and uᵀv = vᵀu."""
    assert simplified(text) == expected


@pytest.mark.parametrize("left, right", [
    ("(A*B)'", "B'*A'"),
    ("(inv(X)*A)'", "A'*inv(X')"),
    ("(x.*y)'*z", "z'*(y.*x)"),
    ("(A + B)'", "B' + A'"),
])
def test_normal_form_is_equal_for_equal_expressions(left, right):
    assert normal_form(matcal.parse(left)) == normal_form(matcal.parse(right))


@pytest.mark.parametrize("left, right", [("(x'*y)/a", "x'*(y/a)"), ("(x'*y)*a", "a*x'*y")])
def test_a_scalar_product_with_no_other_chain_is_the_chain(left, right):
    # (x'*y)/a once kept x'*y as a factor of its own: it printed as x'*y/a, which
    # parsed back as the other form
    assert matcal.parse(left) == matcal.parse(right)


@pytest.mark.parametrize("text, printed", [
    ("x'*(y*z')*w", "x'*(y*z')*w"),
    ("-(1./X.^2)", "-1./X.^2"),
    ("0.5*(1./sqrt(x))", "0.5./sqrt(x)"),
])
def test_printing_reads_back_as_the_same_product(text, printed):
    e = matcal.parse(text)
    assert str(e) == printed
    assert matcal.parse(printed) == e


@pytest.mark.parametrize("text, wrt, expected", [
    ("sum(i, x[i]*y[i])", "x", "y"),                   # Σ_i e_i y_i = y
    ("sum(k, x'*B[k,:]')", "x", "B'*vector(1)"),       # Σ_k B[k,:]ᵀ = Bᵀ 1
    ("sum(k, X[k,:]*y)", "X", "vector(1)*y'"),         # Σ_k e_k yᵀ = 1 yᵀ
    ("sum(k, B[k,:]*X*y)", "X", "B'*vector(1)*y'"),
])
def test_sum_over_selection_is_a_matrix_product(text, wrt, expected):
    """Σ_k M[:,k] N[k,:] = M N, Σ_k v[k] M[:,k] = M v, Σ_k M[:,k] = M 1 (Traa eq. 4 backwards)."""
    types = {"y": "vector"}
    g = matcal.gradient(text, wrt, types)
    assert str(g) == expected
    assert matcal.check_gradient(text, wrt, types, seed=2) < 1e-8


def test_sum_over_selection_pairs():
    """The pair forms, on whole expressions: Σ_k A[:,k] B[k,:] = A B and Σ_k x[k] y[k] = x'y."""
    assert str(simplify(matcal.parse("sum(k, A[:,k]*B[k,:])"))) == "A*B"
    assert str(simplify(matcal.parse("sum(k, x[k]*y[k])"))) == "x'*y"
    assert str(simplify(matcal.parse("sum(k, x[k]*A[:,k])"))) == "A*x"


@pytest.mark.parametrize("text", [
    "2*A'*(A*x - b)", "A'*C*X'*B' + B'*X'*A'*C", "-2*X*inv(X'*X)", "x'*(y*z')*w",
    "V./(A*X*B)", "a/d - 1/c", "(A + B)'", "tr(X^3)", "sum(k, B[k,:]*x)", "-x.^-2",
    "kron(B', A)", "0.5*(X + X')", "-(a + d)*c", "vector(1)'*x", "diag(exp(A*x))*A",
])
def test_cost_counts_the_symbols_the_expression_is_written_with(text):
    """"Shorter" is a cost on the tree (simplify.cost), which counts what the text printer
    writes: the simplifier compares costs without printing anything."""
    from matcal.printing.text import token_count
    from matcal.simplify.cost import cost
    e = matcal.parse(text, {"b": "vector", "c": "scalar"})
    assert cost(e) == token_count(str(e))


def test_simplify_does_not_print():
    """The algebra does not depend on a printer: no simplify module imports matcal.printing."""
    import ast
    from pathlib import Path
    folder = Path(matcal.__file__).parent / "simplify"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("matcal.printing"), (path.name, node.module)


def test_inverse_cancels_a_product_written_out_in_the_chain():
    """inv(XᵀX)·Xᵀ·X = I inside a longer product (Matrix Cookbook §3.1.1), on either side: the
    projection tr(X inv(XᵀX) Xᵀ) is constant, so its gradient prints as zero (issue 11)."""
    import numpy as np

    import matcal
    from matcal.simplify.engine import simplify
    assert str(simplify(matcal.parse("inv(X'*X)*A*inv(X'*X)*X'*X*B"))) == "inv(X'*X)*A*B"
    assert str(simplify(matcal.parse("B*X'*X*inv(X'*X)*A"))) == "B*A"
    g = matcal.gradient("tr(X*inv(X'*X)*X')", "X")
    assert str(g) == "matrix(0)"
    assert matcal.check_gradient(g, seed=0) < 1e-8
    e = matcal.parse("tr(inv(X'*X)*A*inv(X'*X)*X'*X*B)")
    rng = np.random.default_rng(0)
    values = {"X": rng.standard_normal((5, 3)), "A": rng.standard_normal((3, 3)),
              "B": rng.standard_normal((3, 3))}
    short = matcal.parse("tr(inv(X'*X)*A*B)")
    assert np.isclose(matcal.evaluate(e, values), matcal.evaluate(short, values))
    assert matcal.check_gradient(matcal.gradient(e, "X"), seed=1) < 1e-8


def test_diagonal_terms_merge_into_one_diagonal():
    """c₁·diag(u) + c₂·diag(v) = diag(c₁·u + c₂·v): the logistic Hessian has a single diag
    (issue 11), with the value of the two-diag form and of central differences."""
    import numpy as np

    import matcal
    from matcal.simplify.engine import simplify
    assert str(simplify(matcal.parse("2*diag(x) - diag(y) + A", {"y": "vector"}))) == \
        "A + diag(2*x - y)"
    h = matcal.hessian("sum(log(vector(1) + exp(-y.*(X*w))))", "w")
    text = str(h)
    assert text.startswith("X'*diag(") and text.endswith(")*X") and text.count("diag(") == 1
    assert matcal.check_derivative(h, seed=0) < 1e-8
    rng = np.random.default_rng(3)
    values = {"x": rng.standard_normal(4), "y": rng.standard_normal(4),
              "A": rng.standard_normal((4, 4))}
    two = matcal.parse("2*diag(x) - diag(y) + A", {"y": "vector"})
    assert np.allclose(matcal.evaluate(simplify(two), values), matcal.evaluate(two, values))


def test_repeated_factors_collect_into_a_matrix_power():
    """P·P·P = P³ and P^a·P = P^(a+1) in a product (issue 11: tr(inv(X)^2) had
    inv(X)'*inv(X)'*inv(X)'), with the same value and gradient."""
    import numpy as np

    import matcal
    from matcal.simplify.engine import simplify
    assert str(simplify(matcal.parse("A*X*X*X*B"))) == "A*X^3*B"
    assert str(simplify(matcal.parse("inv(X)*inv(X)"))) == "inv(X)^2"
    assert str(simplify(matcal.parse("X^2*X*inv(X)"))) == "X^2"
    g = matcal.gradient("tr(inv(X)^2)", "X")
    assert str(g) == "-2*(inv(X)^3)'"
    assert matcal.check_gradient(g, seed=0) < 1e-8
    rng = np.random.default_rng(2)
    values = {"A": rng.standard_normal((3, 3)), "B": rng.standard_normal((3, 3)),
              "X": np.eye(3) + 0.3 * rng.standard_normal((3, 3))}
    e = matcal.parse("A*X*X*X*B")
    assert np.allclose(matcal.evaluate(simplify(e), values), matcal.evaluate(e, values))


def test_function_quotients_become_tanh_and_sigmoid():
    """sinh(u)./cosh(u) = tanh(u) and exp(u)./(1 + exp(u)) = sigmoid(u) (issue 11): the
    log-cosh and logistic gradients in their textbook functions, checked numerically."""
    import numpy as np

    import matcal
    from matcal.simplify.engine import simplify
    assert str(matcal.gradient("sum(log(cosh(x)))", "x")) == "tanh(x)"
    assert str(matcal.gradient("log(1 + exp(a))", "a")) == "sigmoid(a)"
    g = matcal.gradient("sum(log(vector(1) + exp(-y.*(X*w))))", "w")
    assert str(g) == "-X'*(sigmoid(-y.*(X*w)).*y)"
    assert matcal.check_gradient(g, seed=0) < 1e-8
    e = matcal.parse("exp(x).^2./(vector(1) + exp(x)).^2 .* sinh(x)./cosh(x)")
    assert str(simplify(e)) in {"sigmoid(x).^2.*tanh(x)", "tanh(x).*sigmoid(x).^2"}
    values = {"x": np.random.default_rng(4).standard_normal(5)}
    assert np.allclose(matcal.evaluate(simplify(e), values), matcal.evaluate(e, values))
