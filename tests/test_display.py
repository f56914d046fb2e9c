"""Jupyter rich display (issue 13): expressions, derivatives and derivations show
themselves typeset once matcal is imported — ``_repr_latex_`` and ``_repr_mimebundle_``
(text and LaTeX) on expressions and results, ``_repr_markdown_`` on a derivation."""

from __future__ import annotations

import matcal


def test_expression_displays_its_text_and_latex():
    e = matcal.parse("tr(A*X*B)")
    bundle = e._repr_mimebundle_()
    assert bundle["text/plain"] == "tr(A*X*B)"
    assert bundle["text/latex"] == (
        r"$\operatorname{tr}\left(\mathbf{A} \mathbf{X} \mathbf{B}\right)$")
    assert e._repr_latex_() == bundle["text/latex"]


def test_derivative_displays_the_derivative():
    g = matcal.gradient("tr(A*X*B)", "X")
    assert g._repr_mimebundle_() == {"text/plain": "A'*B'",
                                     "text/latex": r"$\mathbf{A}^T \mathbf{B}^T$"}
    assert len(repr(g)) < 60  # Derivative("A'*B'", wrt='X'), not a dump of its fields


def test_several_derivatives_display_a_line_each():
    d = matcal.gradient("norm2(W*x + b - y)^2", ["W", "b"], {"b": "vector"})
    latex = d._repr_latex_()
    assert latex.startswith(r"$\begin{aligned}") and r"\mathbf{W}: &" in latex
    assert d._repr_mimebundle_()["text/plain"] == str(d)


def test_derivation_displays_as_markdown_with_math():
    md = matcal.explain("tr(A*X*B)", "X")._repr_markdown_()
    assert md.startswith("**Gradient of $")
    assert "verified" in md and r"\mathbf{A}^T \mathbf{B}^T" in md
    index = matcal.explain("tr(A*X*B)", "X", method="index")._repr_markdown_()
    assert "index" in index.lower() and index != md
