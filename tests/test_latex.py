r"""The LaTeX printer: one exact test per node class, the notation of the seed notes.

Seed 000 (Traa) writes ``\mathbf{A}^T \mathbf{B}^T``, ``\odot``, ``\mathbf{1}``,
``\| \mathbf{X} - \mathbf{W} \mathbf{H} \|_F^2``; element-wise division is ``\oslash``,
element-wise power ``^{\circ p}``.
"""

from __future__ import annotations

import re

import pytest

import matcal
from matcal.core.nodes import ALL_NODES, Einsum, Number, Var
from matcal.core.terms import Atom, Term
from matcal import to_latex
from matcal.printing import LatexPrinter
from matcal.core.shapes import Dim, Shape


def tex(text: str, **types: str) -> str:
    return to_latex(matcal.parse(text, types or None))


def test_every_node_class_has_a_latex_method():
    missing = [c.__name__ for c in ALL_NODES if not hasattr(LatexPrinter, "_print_" + c.__name__)]
    assert missing == []


def test_to_latex_is_the_public_function():
    assert matcal.to_latex(matcal.parse("x'*y")) == r"\mathbf{x}^T \mathbf{y}"


# ---------------------------------------------------------------- leaves


def test_var_bold_for_vectors_and_matrices_plain_for_scalars():
    assert tex("X") == r"\mathbf{X}"
    assert tex("x") == r"\mathbf{x}"
    assert tex("a") == "a"


def test_var_greek_subscripts_and_long_names():
    assert tex("alpha") == r"\alpha"
    assert tex("alpha", alpha="vector") == r"\boldsymbol{\alpha}"
    assert tex("Sigma") == r"\boldsymbol{\Sigma}"
    assert tex("x1") == r"\mathbf{x}_{1}"
    assert tex("beta_k") == r"\beta_{k}"
    assert tex("x_max") == r"\mathbf{x}_{\mathrm{max}}"
    assert tex("foo") == r"\mathit{foo}"


def test_number():
    assert tex("2.5") == "2.5"
    assert tex("-3") == "-3"
    assert tex("1e-8") == "10^{-8}"
    assert tex("2e-8") == r"2 \cdot 10^{-8}"
    assert to_latex(Number(float("-inf"))) == r"-\infty"


def test_identity():
    assert tex("eye") == r"\mathbf{I}"


def test_ones():
    assert tex("vector(1)") == r"\mathbf{1}"
    assert tex("matrix(1)") == r"\mathbf{1}"
    assert tex("vector(1)'*x") == r"\mathbf{1}^T \mathbf{x}"


def test_zero_scalar_plain_else_bold():
    assert tex("0") == "0"
    assert tex("x*0") == r"\mathbf{0}"
    assert tex("X*0") == r"\mathbf{0}"
    assert tex("x'*0") == r"\mathbf{0}^T"


# ---------------------------------------------------------------- sums and products


def test_add_negative_terms_as_subtraction():
    assert tex("x - 2*y + z") == r"\mathbf{x} - 2 \mathbf{y} + \mathbf{z}"
    assert tex("-x + y") == r"-\mathbf{x} + \mathbf{y}"
    assert tex("a - (b - c)") == r"a - \left(b - c\right)"
    assert tex("a - 3") == "a - 3"


def test_matmul_juxtaposed_with_the_coefficient_in_front():
    assert tex("-2*X*H'") == r"-2 \mathbf{X} \mathbf{H}^T"
    assert tex("a*(x + y)") == r"a \left(\mathbf{x} + \mathbf{y}\right)"
    assert tex("x'*y*z") == r"\left(\mathbf{x}^T \mathbf{y}\right) \mathbf{z}"
    assert tex("3*2^a") == r"3 \cdot 2^{a}"


def test_matmul_division_by_a_scalar_as_a_fraction():
    assert tex("x/a") == r"\frac{\mathbf{x}}{a}"
    assert tex("-2*x/a") == r"-\frac{2 \mathbf{x}}{a}"
    assert tex("(a + b)/(c + d)") == r"\frac{a + b}{c + d}"
    assert tex("a - 2/b") == r"a - \frac{2}{b}"


def test_hadamard_odot_and_oslash():
    # seed 000 eq. 28: d tr(V' log(AXB)) / dX = A' (V ⊘ (AXB)) B'
    assert tex("A'*(V./(A*X*B))*B'") == (
        r"\mathbf{A}^T \left(\mathbf{V} \oslash \left(\mathbf{A} \mathbf{X} \mathbf{B}\right)"
        r"\right) \mathbf{B}^T"
    )
    assert tex("2*x.*y") == r"2 \mathbf{x} \odot \mathbf{y}"
    assert tex("(A*B).*C") == r"\left(\mathbf{A} \mathbf{B}\right) \odot \mathbf{C}"
    assert tex("x./y.^2") == r"\mathbf{x} \oslash \mathbf{y}^{\circ 2}"


# ---------------------------------------------------------------- powers and transposes


def test_power_element_wise_circ_scalar_plain():
    assert tex("x.^2") == r"\mathbf{x}^{\circ 2}"
    assert tex("a^2") == "a^{2}"
    assert tex("a^(b + c)") == "a^{b + c}"
    assert tex("x.^(a + b)") == r"\mathbf{x}^{\circ \left(a + b\right)}"
    assert tex("(-a)^2") == r"\left(-a\right)^{2}"


def test_power_negative_as_reciprocal():
    assert tex("a^-2") == r"\frac{1}{a^{2}}"
    assert tex("x.^-1") == r"\mathbf{1} \oslash \mathbf{x}"


def test_mat_power():
    assert tex("X^2") == r"\mathbf{X}^{2}"
    assert tex("X^-2") == r"\mathbf{X}^{-2}"
    assert tex("(X*Y)^3") == r"\left(\mathbf{X} \mathbf{Y}\right)^{3}"


def test_no_double_superscripts():
    assert tex("X'^2") == r"\left(\mathbf{X}^T\right)^{2}"
    assert tex("(X^2)'") == r"\left(\mathbf{X}^{2}\right)^T"
    assert tex("inv(X)^2") == r"\left(\mathbf{X}^{-1}\right)^{2}"
    assert tex("(x.^2)'") == r"\left(\mathbf{x}^{\circ 2}\right)^T"


def test_transpose():
    assert tex("X'") == r"\mathbf{X}^T"
    assert tex("(x + y)'") == r"\left(\mathbf{x} + \mathbf{y}\right)^T"
    assert tex("inv(X)'") == r"\mathbf{X}^{-T}"


def test_inverse():
    assert tex("inv(X)") == r"\mathbf{X}^{-1}"
    assert tex("inv(X'*X)") == r"\left(\mathbf{X}^T \mathbf{X}\right)^{-1}"


# ---------------------------------------------------------------- functions


def test_trace():
    assert tex("tr(A*X*B)") == r"\operatorname{tr}\left(\mathbf{A} \mathbf{X} \mathbf{B}\right)"


def test_det():
    assert tex("det(X)") == r"\det\left(\mathbf{X}\right)"


def test_logdet():
    assert tex("logdet(X'*X)") == r"\log\det\left(\mathbf{X}^T \mathbf{X}\right)"


def test_sum():
    assert tex("sum(X)") == r"\operatorname{sum}\left(\mathbf{X}\right)"


def test_norm1():
    assert tex("norm1(x)") == r"\|\mathbf{x}\|_1"
    assert tex("norm1(X)") == r"\|\mathbf{X}\|_{1,1}"


def test_norm2_euclidean_for_vectors_frobenius_for_matrices():
    assert tex("norm2(A*x - y)^2") == r"\|\mathbf{A} \mathbf{x} - \mathbf{y}\|_2^{2}"
    assert tex("norm2(X - W*H)") == r"\|\mathbf{X} - \mathbf{W} \mathbf{H}\|_F"
    assert tex("norm2(x/a)") == r"\left\|\frac{\mathbf{x}}{a}\right\|_2"


def test_diag_matrix():
    assert tex("diag(x)") == r"\operatorname{diag}\left(\mathbf{x}\right)"


def test_diag_vector():
    assert tex("diag(X)") == r"\operatorname{diag}\left(\mathbf{X}\right)"


def test_apply_uses_the_latex_name_of_the_function_table():
    assert tex("exp(x)") == r"\exp\left(\mathbf{x}\right)"
    assert tex("sigmoid(x)") == r"\sigma\left(\mathbf{x}\right)"
    assert tex("relu(a)") == r"\operatorname{relu}\left(a\right)"
    assert tex("sqrt(x)") == r"\sqrt{\mathbf{x}}"


def test_einsum_index_notation_with_explicit_sums():
    assert tex("T[i,j,k,l] = A[i,k]*B[l,j]") == r"T_{ijkl} = A_{ik} B_{lj}"
    m, n = Dim("m"), Dim("n")
    A = Var("A", Shape(m, n))
    B = Var("B", Shape(n, m))
    e = Einsum(("i", "j"), (m, m), (
        Term(-2.0, (Atom(A, ("i", "p")), Atom(B, ("p", "j")))),
        Term(1.0, (Atom(matcal.parse("eye"), ("i", "j")),)),
        Term(1.0, (Atom(matcal.parse("A*B"), ("i", "j")),)),
    ))
    assert to_latex(e) == (
        r"T_{ij} = -2 \sum_{p} A_{ip} B_{pj} + \delta_{ij}"
        r" + \left[\mathbf{A} \mathbf{B}\right]_{ij}"
    )


# ---------------------------------------------------------------- gradients of seed cases


def test_gradient_traa_17():
    # seed 000 eq. 17: d tr(AXBXC')/dX = A'CX'B' + B'X'A'C
    assert to_latex(matcal.gradient("tr(A*X*B*X*C')", "X")) == (
        r"\mathbf{A}^T \mathbf{C} \mathbf{X}^T \mathbf{B}^T"
        r" + \mathbf{B}^T \mathbf{X}^T \mathbf{A}^T \mathbf{C}"
    )


def test_gradient_traa_24():
    # seed 000 eq. 24: d ||X - WH||_F^2 / dW = -2(X - WH)H'
    g = matcal.gradient("norm2(X - W*H)^2", "W")
    assert to_latex(g) == (
        r"-2 \left(\mathbf{X} - \mathbf{W} \mathbf{H}\right) \mathbf{H}^T"
    )


def test_gradient_ang_logdet():
    # seed 001: d log det(X'X) / dX = 2X(X'X)^-1
    assert to_latex(matcal.gradient("logdet(X'*X)", "X")) == (
        r"2 \mathbf{X} \left(\mathbf{X}^T \mathbf{X}\right)^{-1}"
    )


# ---------------------------------------------------------------- well-formed LaTeX

WELL_FORMED = [
    "X'^2", "(X^2)'", "(X^2).^3", "inv(X')", "inv(X)^2", "(x.^2)'", "exp(x)'", "1e-8^a",
    "(-a)^2", "norm2(x)^2", "tr(X)^2", "x./(a*y) - (x + y).^-2", "(A.*B)'*C",
]


def _double_superscript(text: str) -> bool:
    """True when some superscript is directly followed by another (a LaTeX error)."""
    for m in re.finditer(r"\^", text):
        i = m.end()
        if text[i] == "{":
            depth = 0
            while True:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
                if depth == 0:
                    break
        else:
            i += 1
        if text[i:i + 1] == "^":
            return True
    return False


@pytest.mark.parametrize("text", WELL_FORMED)
def test_latex_is_well_formed(text):
    out = tex(text)
    assert out.count("{") == out.count("}")
    assert out.count(r"\left") == out.count(r"\right")
    assert not _double_superscript(out)


def test_the_double_superscript_check_catches_one():
    assert _double_superscript(r"\mathbf{X}^T^{2}")
    assert not _double_superscript(r"\left(\mathbf{X}^T\right)^{2}")
